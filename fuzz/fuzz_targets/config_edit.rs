//! The config editor on any config text: adding or removing a `[[watch]]` entry never
//! panics; on a valid config the result is still a valid config that says what was
//! asked, keeps every comment line (adding) and the other entries in their order, and
//! keeps the file's byte order mark and CRLF line ends.
#![no_main]

use std::path::Path;

use coctop::config::edit::{add_to_text, remove_from_text};
use coctop::config::{WatchEntry, parse_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&op, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = Path::new("fuzz.toml");
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let before = parse_text(body).ok();
    let ids = |config: &coctop::config::Config| -> Vec<String> {
        config.watch.iter().map(|w| w.id.clone()).collect()
    };
    let id = format!("EXFUZZ{}", op % 4);
    let edited = if op & 0x80 == 0 {
        let entry = WatchEntry {
            id: id.clone(),
            label: (op & 0x40 != 0).then(|| "fuzz # \"label\"".to_string()),
        };
        add_to_text(path, text, &[entry]).map(|(new, added)| (new, !added.is_empty()))
    } else {
        remove_from_text(path, text, &id)
    };
    let Some(before) = before else {
        assert!(edited.is_err(), "a broken config is never edited");
        return;
    };
    let Ok((new_text, changed)) = edited else {
        return;
    };
    let Some(new_text) = new_text else {
        return;
    };
    assert!(changed || op & 0x80 == 0, "a removal that removed nothing left the text");
    assert_eq!(new_text.starts_with('\u{feff}'), text.starts_with('\u{feff}'));
    if text.contains("\r\n") {
        assert_eq!(new_text.matches('\n').count(), new_text.matches("\r\n").count());
    }
    let new_body = new_text.strip_prefix('\u{feff}').unwrap_or(&new_text);
    let after = parse_text(new_body).expect("the edited config is valid");
    let (old_ids, new_ids) = (ids(&before), ids(&after));
    if op & 0x80 == 0 {
        assert!(!old_ids.contains(&id));
        let mut expected = old_ids.clone();
        expected.push(id.clone());
        assert_eq!(new_ids, expected);
        let new_lines: std::collections::HashSet<&str> = new_body.lines().map(str::trim).collect();
        for line in body.lines().map(str::trim).filter(|l| l.starts_with('#')) {
            assert!(new_lines.contains(line), "comment {line:?} lost");
        }
    } else {
        let expected: Vec<String> = old_ids.into_iter().filter(|w| *w != id).collect();
        assert_eq!(new_ids, expected);
    }
});
