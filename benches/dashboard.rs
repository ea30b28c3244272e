//! The real dashboard binary in a pseudo-terminal: time to first frame, and idle CPU
//! with 50 finished tickets watched.
//!
//! Run: `cargo bench --bench dashboard` (optional: `-- --idle-seconds 60 --runs 7`).

#[path = "../tests/it/support/pty.rs"]
mod pty;

use std::time::{Duration, Instant};

use coctop::coc::{Auth, Client, ClientConfig, Endpoint, ListQuery, RetryPolicy};
use coctop::sim::{self, SimOptions};
use pty::{PtyApp, isolated_env};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// utime + stime of a process, in seconds.
fn process_cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process stat");
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    ticks as f64 / per_second
}

/// A status glyph of a finished ticket: some ticket's data has arrived.
fn shows_a_finished_status(screen: &str) -> bool {
    ["✔", "✖", "⊘", "⏱"]
        .iter()
        .any(|glyph| screen.contains(glyph))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
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
    let finished: Vec<String> = runtime.block_on(async {
        let mut config =
            ClientConfig::new(Endpoint::from_url(&sim.base_url()).unwrap(), Auth::None);
        config.retry = RetryPolicy::none();
        let client = Client::new(config).unwrap();
        let mut ids = Vec::new();
        let mut offset = 0;
        while ids.len() < 50 {
            let page = client
                .list_executions(&ListQuery {
                    limit: Some(100),
                    offset: Some(offset),
                    ..ListQuery::default()
                })
                .await
                .unwrap();
            if page.data.is_empty() {
                break;
            }
            offset += page.data.len() as u32;
            ids.extend(
                page.data
                    .into_iter()
                    .filter(|t| t.is_terminal())
                    .map(|t| t.execution_id),
            );
        }
        ids.truncate(50);
        ids
    });
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
