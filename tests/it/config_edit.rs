//! Editing the watch list in a real config file: comments, order and formatting kept,
//! atomic replacement, and two writers at once losing nothing.

use crate::support::watched_ids;
use coctop::config::edit::{Paste, add_watches, remove_watch};
use coctop::config::{WatchEntry, load};

const ORIGINAL: &str = r#"# My on-call config
[api]
endpoint = "http://127.0.0.1:8710"   # the simulator

# Drills this week
[[watch]]
id = "EX2025070121014501aaaaaa"
label = "DB failover drill"   # Monday

[[watch]]
id   =   "EX2025070121014501bbbbbb"

[poll]
interval = "2s"  # fast
"#;

fn entry(id: &str, label: Option<&str>) -> WatchEntry {
    WatchEntry {
        id: crate::support::r(id),
        label: label.map(str::to_string),
    }
}

#[test]
fn adding_and_removing_keep_comments_order_and_formatting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, ORIGINAL).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let paste = Paste::parse("EX2025070121014501cccccc, EX2025070121014501aaaaaa # nightly");
    let added = add_watches(&path, &paste.entries()).unwrap();
    assert_eq!(
        added,
        ["EX2025070121014501cccccc"],
        "a watched ID is not added twice"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        ORIGINAL.replace(
            "\n[poll]",
            "\n[[watch]]\nid = \"EX2025070121014501cccccc\"\nlabel = \"nightly\"\n\n[poll]"
        ),
        "only the new entry differs, right after the last one"
    );
    let config = load(&path).unwrap();
    assert_eq!(
        config.watch.last(),
        Some(&entry("EX2025070121014501cccccc", Some("nightly")))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the file's permissions are kept");
    }

    assert!(remove_watch(&path, &crate::support::r("EX2025070121014501cccccc")).unwrap());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        ORIGINAL,
        "round trip"
    );
    assert!(remove_watch(&path, &crate::support::r("EX2025070121014501bbbbbb")).unwrap());
    assert!(!remove_watch(&path, &crate::support::r("EX2025070121014501bbbbbb")).unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("label = \"DB failover drill\"   # Monday"),
        "{text}"
    );
    assert!(text.contains("interval = \"2s\"  # fast"), "{text}");
    assert_eq!(watched_ids(&path), ["EX2025070121014501aaaaaa"]);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_new_file_and_an_inline_watch_list_can_be_edited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/new.toml");
    let added = add_watches(&path, &[entry("EX1", None)]).unwrap();
    assert_eq!(added, ["EX1"]);
    assert_eq!(watched_ids(&path), ["EX1"]);

    let inline = dir.path().join("inline.toml");
    std::fs::write(&inline, "watch = [{ id = \"EX1\" }]  # inline\n").unwrap();
    add_watches(&inline, &[entry("EX2", Some("two"))]).unwrap();
    assert_eq!(watched_ids(&inline), ["EX1", "EX2"]);
    assert!(remove_watch(&inline, &crate::support::r("EX1")).unwrap());
    assert_eq!(watched_ids(&inline), ["EX2"]);
    assert!(
        std::fs::read_to_string(&inline)
            .unwrap()
            .contains("# inline")
    );
}

#[test]
fn a_broken_file_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let broken = "[poll]\ninterval = \"soon\"\n";
    std::fs::write(&path, broken).unwrap();
    let error = add_watches(&path, &[entry("EX1", None)]).unwrap_err();
    assert!(
        error.contains("config.toml:2:12: `interval` in [poll]"),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn two_writers_at_once_lose_no_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, ORIGINAL).unwrap();
    let writers: Vec<_> = ["A", "B"]
        .into_iter()
        .map(|writer| {
            let path = path.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let id = format!("EX{writer}{i:03}");
                    add_watches(&path, &[entry(&id, None)]).unwrap();
                }
                // Removing the writer's first entry while the other keeps adding.
                assert!(
                    remove_watch(&path, &crate::support::r(&format!("EX{writer}000"))).unwrap()
                );
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let watched = watched_ids(&path);
    assert_eq!(watched.len(), 2 + 2 * 24, "{watched:?}");
    for writer in ["A", "B"] {
        for i in 1..25 {
            assert!(
                watched.contains(&format!("EX{writer}{i:03}")),
                "{writer}{i}"
            );
        }
    }
}
