//! Editing the watch list in a real config file: comments, order and formatting kept,
//! atomic replacement, and two writers at once losing nothing.

use crate::support::watched_ids;
use coctop::config::edit::{LastRead, Paste, add_watches, remove_watch};
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

    let last = LastRead::of_file(&path);
    let paste = Paste::parse("EX2025070121014501cccccc, EX2025070121014501aaaaaa # nightly");
    let added = add_watches(&path, &paste.entries(), &last).unwrap();
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

    assert!(remove_watch(&path, &crate::support::r("EX2025070121014501cccccc"), &last).unwrap());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        ORIGINAL,
        "round trip"
    );
    assert!(remove_watch(&path, &crate::support::r("EX2025070121014501bbbbbb"), &last).unwrap());
    assert!(!remove_watch(&path, &crate::support::r("EX2025070121014501bbbbbb"), &last).unwrap());
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
    let last = LastRead::default();
    let added = add_watches(&path, &[entry("EX1", None)], &last).unwrap();
    assert_eq!(added, ["EX1"]);
    assert_eq!(watched_ids(&path), ["EX1"]);

    let inline = dir.path().join("inline.toml");
    std::fs::write(&inline, "watch = [{ id = \"EX1\" }]  # inline\n").unwrap();
    let last = LastRead::of_file(&inline);
    add_watches(&inline, &[entry("EX2", Some("two"))], &last).unwrap();
    assert_eq!(watched_ids(&inline), ["EX1", "EX2"]);
    assert!(remove_watch(&inline, &crate::support::r("EX1"), &last).unwrap());
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
    let error = add_watches(&path, &[entry("EX1", None)], &LastRead::of_file(&path)).unwrap_err();
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
                // Each writer as its own process would: what it last read or wrote.
                let last = LastRead::of_file(&path);
                for i in 0..25 {
                    let id = format!("EX{writer}{i:03}");
                    add_watches(&path, &[entry(&id, None)], &last).unwrap();
                }
                // Removing the writer's first entry while the other keeps adding.
                assert!(
                    remove_watch(&path, &crate::support::r(&format!("EX{writer}000")), &last)
                        .unwrap()
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

/// Runs `f` on a thread; panics when it has not returned within `limit` (a hang).
fn within<T: Send + 'static>(
    limit: std::time::Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).expect("still blocked")
}

#[test]
fn a_symlinked_config_is_saved_through_the_link_keeping_crlf_bom_and_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dotfiles")).unwrap();
    let target = dir.path().join("dotfiles/coctop.toml");
    let original = format!("\u{feff}{}", ORIGINAL.replace('\n', "\r\n"));
    std::fs::write(&target, &original).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o664)).unwrap();
    let link = dir.path().join("config.toml");
    std::os::unix::fs::symlink("dotfiles/coctop.toml", &link).unwrap();

    let last = LastRead::of_file(&link);
    add_watches(&link, &[entry("EX2025070121014501cccccc", None)], &last).unwrap();
    let link_meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(link_meta.file_type().is_symlink(), "the link stays a link");
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with('\u{feff}'), "the byte order mark is kept");
    assert!(
        text.contains("id = \"EX2025070121014501cccccc\"\r\n"),
        "{text:?}"
    );
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "every line ends in CRLF: {text:?}"
    );
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o664);
    assert_eq!(watched_ids(&link).len(), 3);
    assert!(remove_watch(&link, &crate::support::r("EX2025070121014501cccccc"), &last).unwrap());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        original,
        "round trip"
    );
}

#[test]
fn a_symlink_planted_at_a_temporary_name_redirects_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, ORIGINAL).unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    // The names a save used to write to: `.NAME.tmp.PID` of this process.
    let planted = dir
        .path()
        .join(format!(".config.toml.tmp.{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();

    let last = LastRead::of_file(&path);
    add_watches(&path, &[entry("EX1", None)], &last).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
    assert!(watched_ids(&path).contains(&"EX1".to_string()));
}

#[test]
fn a_file_emptied_under_the_edit_is_not_replaced_by_the_watch_entries_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, ORIGINAL).unwrap();
    let last = LastRead::of_file(&path);
    // Another program between truncating the file and writing it again.
    std::fs::write(&path, "").unwrap();
    let refused = add_watches(&path, &[entry("EX1", None)], &last).unwrap_err();
    assert!(refused.contains("empty now"), "{refused}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "");

    // A file another program changed for good is edited as it is now.
    let theirs = "[[watch]]\nid = \"EX9\"\n";
    std::fs::write(&path, theirs).unwrap();
    add_watches(&path, &[entry("EX1", None)], &last).unwrap();
    assert_eq!(watched_ids(&path), ["EX9", "EX1"]);
}

#[test]
fn an_edit_past_the_size_limit_is_refused_before_saving() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, ORIGINAL).unwrap();
    let ids: Vec<String> = (0..40_000)
        .map(|i| format!("EX2025070121014501{i:06}"))
        .collect();
    let paste = Paste::parse(&ids.join("\n"));
    assert_eq!(paste.ids.len(), 40_000);
    let last = LastRead::of_file(&path);
    let refused = add_watches(&path, &paste.entries(), &last).unwrap_err();
    assert!(refused.contains("more than the 1 MiB"), "{refused}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL);
    // What fits is saved, and stays readable.
    add_watches(&path, &paste.entries()[..10_000], &last).unwrap();
    assert_eq!(watched_ids(&path).len(), 2 + 10_000);
}

#[test]
fn a_lock_held_by_a_live_process_times_out_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, ORIGINAL).unwrap();
    let lock = dir.path().join(".config.toml.lock");
    let _held = coctop::files::Lock::take(&lock, std::time::Duration::ZERO).unwrap();
    let refused = within(std::time::Duration::from_secs(20), move || {
        add_watches(&path, &[entry("EX1", None)], &LastRead::of_file(&path)).unwrap_err()
    });
    assert!(refused.contains("holds its lock"), "{refused}");
}

#[test]
fn a_fifo_in_place_of_the_config_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let loaded = within(std::time::Duration::from_secs(20), {
        let path = path.clone();
        move || load(&path).map(drop).map_err(|e| e.to_string())
    });
    assert!(loaded.unwrap_err().contains("not a regular file"));
    let mut watch = coctop::config::reload::FileWatch::new(path.clone());
    std::fs::remove_file(&path).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let reloaded = within(std::time::Duration::from_secs(20), move || {
        watch
            .changed()
            .map(|r| r.map(drop).map_err(|e| e.to_string()))
    });
    assert!(
        matches!(&reloaded, Some(Err(e)) if e.contains("not a regular file")),
        "{reloaded:?}"
    );
}

#[test]
fn removing_an_id_a_crlf_file_does_not_name_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let original = format!("\u{feff}{}", ORIGINAL.replace('\n', "\r\n"));
    std::fs::write(&path, &original).unwrap();
    let before = std::fs::metadata(&path).unwrap();
    let last = LastRead::of_file(&path);
    assert!(!remove_watch(&path, &crate::support::r("EX404"), &last).unwrap());
    let after = std::fs::metadata(&path).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(before.ino(), after.ino(), "not even rewritten");
}

#[test]
fn a_saved_view_is_added_after_the_last_or_replaces_its_namesake_comments_kept() {
    use coctop::config::ViewEntry;
    use coctop::config::edit::save_view;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let original = format!(
        "{ORIGINAL}\n# my views\n[[view]]\nname = \"prod\"   # the one that pages\nfilter = \"env=prod\"\n"
    );
    std::fs::write(&path, &original).unwrap();
    let view = |name: &str, filter: &str, sort: Option<&str>| ViewEntry {
        name: name.into(),
        filter: filter.into(),
        sort: sort.map(str::to_string),
    };
    let last = LastRead::of_file(&path);
    save_view(
        &path,
        &view("failures", "status=Failed", Some("started")),
        &last,
    )
    .unwrap();
    save_view(&path, &view("prod", "env=prod status=Failed", None), &last).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(ORIGINAL), "{text}");
    assert!(text.contains("# my views\n[[view]]\nname = \"prod\"   # the one that pages\n"));
    let config = load(&path).unwrap();
    assert_eq!(
        config.views,
        [
            view("prod", "env=prod status=Failed", None),
            view("failures", "status=Failed", Some("started")),
        ]
    );
}
