//! The state cache through the real binary in a pseudo-terminal: History and data
//! survive a restart, finished tickets from the cache cost no request, and a corrupt
//! cache is logged and ignored.

use std::time::Duration;

use tempfile::TempDir;

use crate::support::{Sim, config_in, env_refs, ids_with_status, pty::PtyApp, watch_blocks};
use coctop::coc::Status;
use coctop::sim::SimOptions;

fn run_until_history_shows(env: &[(&str, &str)], labels: usize, cached: bool) {
    let mut app = PtyApp::spawn(&[], env, 120, 30);
    let screen = app.wait_for("every ticket finished", |s| {
        (0..labels).all(|i| s.contains(&format!("drill-{i:02}")))
            && s.matches("Succeed").count() >= labels
    });
    assert_eq!(screen.contains('≈'), cached, "cached marker:\n{screen}");
    // The pane beside the list shows the selected ticket's tabs; opening it would
    // also follow its steps (a request of its own).
    app.send("5");
    app.wait_for_text("History (1)");
    if cached {
        // A poll interval and more: a finished ticket from the cache is never polled.
        std::thread::sleep(Duration::from_millis(1500));
        assert!(app.contents().contains("History (1)"));
    }
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

/// A simulator, `count` of its finished tickets, and a home whose config watches them.
fn watching_finished(count: usize) -> (Sim, Vec<String>, TempDir, Vec<(String, String)>) {
    let sim = Sim::start(SimOptions::default());
    let done: Vec<String> = ids_with_status(&sim, Status::Succeed)
        .into_iter()
        .take(count)
        .collect();
    let home = tempfile::tempdir().unwrap();
    let text = format!(
        "[api]\nendpoint = \"{}\"\n\n[poll]\ninterval = \"1s\"\n{}",
        sim.url(),
        watch_blocks(&done)
    );
    let (_, env) = config_in(home.path(), &text);
    (sim, done, home, env)
}

/// The cache files under `home` (the lock beside each is a dot file).
fn cache_files(home: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(home.join(".cache/coctop"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

#[test]
fn history_survives_a_restart_without_a_request_and_a_corrupt_cache_is_ignored() {
    let (sim, done, home, env) = watching_finished(3);
    let env = env_refs(&env);
    let requests = || sim.handle.as_ref().unwrap().requests_served();

    let before = requests();
    run_until_history_shows(&env, done.len(), false);
    let sent = requests() - before;
    // At most one request each: one list page may read them all.
    assert!((1..=done.len() as u64).contains(&sent), "{sent} requests");
    let files = cache_files(home.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let written = std::fs::read_to_string(&files[0]).unwrap();
    let version = format!("\"version\":{}", coctop::cache::VERSION);
    assert!(written.contains(&done[0]) && written.contains(&version));

    let before = requests();
    run_until_history_shows(&env, done.len(), true);
    assert_eq!(
        requests(),
        before,
        "finished tickets from the cache cost no request"
    );

    std::fs::write(&files[0], "{\"format\": \"coctop-cache\", \"tick").unwrap();
    let before = requests();
    run_until_history_shows(&env, done.len(), false);
    let sent = requests() - before;
    assert!((1..=done.len() as u64).contains(&sent), "{sent} requests");
    let log = std::fs::read_to_string(home.path().join(".local/state/coctop/coctop.log")).unwrap();
    assert!(log.contains("ignored: corrupt"), "{log}");
}

#[test]
fn a_cache_with_times_no_calendar_holds_starts_the_dashboard_all_the_same() {
    let (_sim, done, home, env) = watching_finished(2);
    let env = env_refs(&env);
    run_until_history_shows(&env, done.len(), false);
    let file = cache_files(home.path()).remove(0);
    // Damaged in place: every remembered time far beyond any calendar.
    let mut cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for ticket in cached["tickets"].as_array_mut().unwrap() {
        ticket["polled_at_ms"] = i64::MAX.into();
        for transition in ticket["history"].as_array_mut().unwrap() {
            transition["at_ms"] = i64::MAX.into();
        }
    }
    std::fs::write(&file, cached.to_string()).unwrap();

    run_until_history_shows(&env, done.len(), true);
}
