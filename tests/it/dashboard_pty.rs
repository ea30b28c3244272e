//! The real binary in a pseudo-terminal against the simulator: start, list, filter,
//! detail, quit, and the terminal back in cooked mode.

use crate::support::{Sim, pty::PtyApp, pty::isolated_env};
use coctop::sim::SimOptions;

fn config_for(sim: &Sim, home: &std::path::Path, ids: &[String]) -> std::path::PathBuf {
    let mut text = format!(
        "[api]\nendpoint = \"{}\"\n\n[poll]\ninterval = \"1s\"\n",
        sim.url()
    );
    for (i, id) in ids.iter().enumerate() {
        text.push_str(&format!(
            "\n[[watch]]\nid = \"{id}\"\nlabel = \"drill-{i:02}\"\n"
        ));
    }
    let path = home.join("coctop.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn dashboard_lists_filters_opens_and_quits_cleanly() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let ids: Vec<String> = sim.ids().into_iter().take(6).collect();
    let config = config_for(&sim, home.path(), &ids);
    let env = isolated_env(home.path());
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let config_str = config.display().to_string();
    env.push(("COCTOP_CONFIG", &config_str));

    let mut app = PtyApp::spawn(&[], &env, 120, 32);
    let screen = app.wait_for("every label on screen", |s| {
        (0..ids.len()).all(|i| s.contains(&format!("drill-{i:02}")))
    });
    assert!(
        !app.is_cooked(),
        "the dashboard runs in raw mode:\n{screen}"
    );
    // Data arrives from the simulator: the first ticket's ID is shown.
    app.wait_for_text(&ids[0][..16]);

    app.send("/drill-03");
    app.send("\r");
    let filtered = app.wait_for("the filter to narrow the list", |s| {
        s.contains("drill-03") && !s.contains("drill-01") && !s.contains("drill-05")
    });
    assert!(filtered.contains("drill-03"));

    app.send("\r");
    app.wait_for("the detail of the ticket", |s| {
        s.contains(&ids[3]) && s.contains("Parameters")
    });

    app.send("q");
    assert_eq!(app.wait_exit(), 0, "q exits 0");
    assert!(app.is_cooked(), "terminal restored to cooked mode");
}

#[test]
fn sigterm_restores_the_terminal() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let ids: Vec<String> = sim.ids().into_iter().take(2).collect();
    let config = config_for(&sim, home.path(), &ids);
    let env = isolated_env(home.path());
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let config_str = config.display().to_string();
    env.push(("COCTOP_CONFIG", &config_str));

    let mut app = PtyApp::spawn(&[], &env, 80, 24);
    app.wait_for_text("drill-01");
    assert!(!app.is_cooked());
    let pid = app.pid().expect("child pid") as libc::pid_t;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    app.wait_exit();
    assert!(app.is_cooked(), "terminal restored after SIGTERM");
}

#[test]
fn demo_starts_without_config_or_credentials() {
    let home = tempfile::tempdir().unwrap();
    let env = isolated_env(home.path());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut app = PtyApp::spawn(&["--demo"], &env, 100, 30);
    app.wait_for("simulated tickets", |s| s.contains("EX20"));
    app.send("\x03");
    assert_eq!(app.wait_exit(), 0, "Ctrl-C exits 0");
    assert!(app.is_cooked());
}
