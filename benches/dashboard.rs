//! The real dashboard binary in a pseudo-terminal: time to first frame, and idle CPU
//! with 50 finished tickets watched.
//!
//! Run: `cargo bench --bench dashboard` (optional: `-- --idle-seconds 60 --runs 7`).

#[path = "../tests/it/support/pty.rs"]
mod pty;

mod support;

use std::time::{Duration, Instant};

use coctop::sim::{self, SimOptions};
use pty::{PtyApp, isolated_env};
use support::{arg, listing, median, pick_tickets, process_cpu_seconds};

/// A status glyph of a finished ticket: some ticket's data has arrived.
fn shows_a_finished_status(screen: &str) -> bool {
    ["✔", "✖", "⊘", "⏱"]
        .iter()
        .any(|glyph| screen.contains(glyph))
}

fn main() {
    if listing() {
        return;
    }
    let idle_seconds = arg("--idle-seconds", 60);
    let runs = arg("--runs", 7);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let options = SimOptions {
        tickets: 400,
        ..SimOptions::default()
    };
    let sim = runtime
        .block_on(sim::start(([127, 0, 0, 1], 0).into(), options))
        .unwrap();
    let finished = runtime.block_on(pick_tickets(&sim, 50, |t| t.is_terminal()));
    assert_eq!(finished.len(), 50, "the simulator has 50 finished tickets");

    let home = tempfile::tempdir().unwrap();
    let mut text = format!("[api]\nendpoint = \"{}\"\n", sim.base_url());
    for id in &finished {
        text.push_str(&format!("[[watch]]\nid = \"{id}\"\n"));
    }
    let config = home.path().join("coctop.toml");
    std::fs::write(&config, text).unwrap();
    let config = config.display().to_string();
    let mut env = isolated_env(home.path());
    env.push(("COCTOP_CONFIG".into(), config));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    let mut first_frames = Vec::new();
    let mut all_data = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let mut app = PtyApp::spawn(&[], &env, 120, 40);
        app.wait_for("a first frame", |s| !s.trim().is_empty());
        first_frames.push(started.elapsed().as_secs_f64() * 1e3);
        app.wait_for("the first ticket's data", shows_a_finished_status);
        all_data.push(started.elapsed().as_secs_f64() * 1e3);
        app.send("q");
        app.wait_exit();
    }
    println!("dashboard in a pty, 50 finished tickets, {runs} runs");
    println!(
        "  time to first frame:  median {:.1} ms",
        median(first_frames)
    );
    println!(
        "  time to first data:   median {:.1} ms (the first polled ticket on screen)",
        median(all_data)
    );

    let mut app = PtyApp::spawn(&[], &env, 120, 40);
    app.wait_for("ticket data", shows_a_finished_status);
    // Let the first polls finish (50 tickets at the default 10 requests a second):
    // finished tickets are never polled again, so what follows is idle.
    std::thread::sleep(Duration::from_secs(8));
    let pid = app.pid().unwrap();
    let before = process_cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(idle_seconds));
    let used = process_cpu_seconds(pid) - before;
    println!(
        "  idle CPU over {idle_seconds} s:   {:.3}% of one core ({:.2} s of CPU)",
        used / idle_seconds as f64 * 100.0,
        used
    );
    app.send("q");
    app.wait_exit();
    let _guard = runtime.enter();
    sim.shutdown();
}
