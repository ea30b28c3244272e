//! Any server text: the sanitised form holds no control, bidi or zero-width character,
//! sanitising it again changes nothing, and `fit` keeps to its width.
#![no_main]

use coctop::text::{fit, lines, reveal, sanitize};
use libfuzzer_sys::fuzz_target;
use unicode_width::UnicodeWidthStr;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let clean = sanitize(&text);
    assert!(!clean.chars().any(char::is_control), "{clean:?}");
    assert!(!clean.contains('\u{202e}') && !clean.contains('\u{200b}'), "{clean:?}");
    assert_eq!(sanitize(&clean), clean);
    let width = data.first().copied().unwrap_or(0) as usize % 64;
    assert!(fit(&clean, width).width() <= width);
    for line in lines(&text) {
        assert!(!line.chars().any(char::is_control));
    }
    assert!(!reveal(&text).chars().any(char::is_control));
});
