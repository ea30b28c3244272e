//! Files coctop reads that are not what they should be, through the real binary: a
//! FIFO or a device where a file should be never blocks and never fills memory, and a
//! FIFO at the cache path does not hang the dashboard's start.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Sim, coctop_command, config_in, env_refs, pty::PtyApp, stderr};
use coctop::sim::SimOptions;

/// Runs the binary; kills it and panics when it has not ended within 20 s.
fn run_within(home: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = coctop_command(home, args);
    command
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("coctop {args:?} still ran after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

#[test]
fn dev_zero_as_credentials_or_secret_key_file_is_refused_at_once() {
    let home = tempfile::tempdir().unwrap();
    let got = run_within(
        home.path(),
        &["--endpoint", "https://coc.example.com", "get", "EX1"],
        &[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", "/dev/zero")],
    );
    assert_eq!(got.status.code(), Some(2), "{}", stderr(&got));
    assert!(
        stderr(&got).contains("/dev/zero: not a regular file"),
        "{}",
        stderr(&got)
    );

    let got = run_within(
        home.path(),
        &[
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--ak",
            "AK",
            "--sk-file",
            "/dev/zero",
        ],
        &[],
    );
    assert_eq!(got.status.code(), Some(2), "{}", stderr(&got));
    assert!(
        stderr(&got).contains("not a regular file"),
        "{}",
        stderr(&got)
    );

    let fifo = home.path().join("sk");
    mkfifo(&fifo);
    let fifo = fifo.display().to_string();
    let got = run_within(
        home.path(),
        &[
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--ak",
            "AK",
            "--sk-file",
            &fifo,
        ],
        &[],
    );
    assert_eq!(got.status.code(), Some(2), "{}", stderr(&got));
}

#[test]
fn a_fifo_at_the_cache_path_does_not_hang_the_dashboard() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let id = sim.ids()[0].clone();
    let text = format!(
        "[api]\nendpoint = \"{}\"\n\n[[watch]]\nid = \"{id}\"\n",
        sim.url()
    );
    let (_, env) = config_in(home.path(), &text);
    let key = coctop::cache::Key {
        endpoint: sim.url().trim_end_matches('/').to_string(),
        account: "anonymous".into(),
    };
    let cache_dir = home.path().join(".cache/coctop");
    std::fs::create_dir_all(&cache_dir).unwrap();
    mkfifo(&coctop::cache::path_for(&cache_dir, &key));

    let mut app = PtyApp::spawn(&[], &env_refs(&env), 120, 30);
    app.wait_for_text(&id);
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    let log = std::fs::read_to_string(home.path().join(".local/state/coctop/coctop.log")).unwrap();
    assert!(log.contains("not a regular file"), "{log}");
}

/// A lock another process holds makes `a`'s save fail with a message (not "saving…"
/// for ever), and `q` still quits; a FIFO put in place of the config is reported by
/// the reload, never waited on.
#[test]
fn a_held_lock_and_a_fifo_config_leave_the_dashboard_responsive() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let ids = sim.ids();
    let text = format!(
        "[api]\nendpoint = \"{}\"\n\n[[watch]]\nid = \"{}\"\n",
        sim.url(),
        ids[0]
    );
    let (config, env) = config_in(home.path(), &text);
    let lock = home.path().join(".coctop.toml.lock");
    let held = coctop::files::Lock::take(&lock, Duration::ZERO).unwrap();

    let mut app = PtyApp::spawn(&[], &env_refs(&env), 140, 30);
    app.wait_for_text(&ids[0]);
    app.send("a");
    app.wait_for_text("IDs by space");
    app.send(&format!("{}\r", ids[1]));
    let refused = app.wait_for_text("holds its lock");
    assert!(refused.contains("not added"), "{refused}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text, "not saved");
    drop(held);
    app.send("\u{1b}");
    let screen = app.wait_for("the notice closed", |s| !s.contains("not added"));
    assert!(!screen.contains(&ids[1]), "not watched either: {screen}");

    std::fs::remove_file(&config).unwrap();
    mkfifo(&config);
    app.wait_for_text("not a regular file");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(app.is_cooked());
}
