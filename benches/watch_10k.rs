//! The real dashboard binary in a pseudo-terminal watching 10,000 tickets (a
//! `[[watch]]` list of the simulator's newest): time to first frame with their cache
//! and without it, and resident memory over a few cache saves (one a minute).
//!
//! Run: `cargo bench --bench watch_10k` (optional: `-- --runs 11 --rss-seconds 190
//! --tickets 10000`, `--binary PATH` to measure another build of coctop, for a
//! before/after side by side).

#[path = "../tests/it/support/pty.rs"]
mod pty;

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use coctop::sim::{self, SimOptions};
use pty::{PtyApp, isolated_env};
use support::{arg, listing, percentile, pick_tickets, text_arg};

fn main() {
    if listing() {
        return;
    }
    let runs = arg("--runs", 11) as usize;
    let rss_seconds = arg("--rss-seconds", 190);
    let count = arg("--tickets", 10_000) as usize;
    let binary = text_arg("--binary").unwrap_or_else(|| env!("CARGO_BIN_EXE_coctop").into());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let options = SimOptions {
        tickets: count,
        ..SimOptions::default()
    };
    let sim = runtime
        .block_on(sim::start(([127, 0, 0, 1], 0).into(), options))
        .unwrap();
    let ids = runtime.block_on(pick_tickets(&sim, count, |_| true));
    assert_eq!(ids.len(), count, "the simulator has {count} tickets");

    let home = tempfile::tempdir().unwrap();
    let mut text = format!("[api]\nendpoint = \"{}\"\n", sim.base_url());
    for id in &ids {
        text.push_str(&format!("[[watch]]\nid = \"{id}\"\n"));
    }
    let config = home.path().join("coctop.toml");
    std::fs::write(&config, text).unwrap();
    let mut env = isolated_env(home.path());
    env.push(("COCTOP_CONFIG".into(), config.display().to_string()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    println!("dashboard in a pty, {count} watched tickets, {runs} runs, {binary}");

    let first_frame_ms = || {
        let started = Instant::now();
        let mut app = PtyApp::spawn_program(&binary, &[], &env, 120, 40);
        app.wait_for("a first frame", |s| !s.trim().is_empty());
        let ms = started.elapsed().as_secs_f64() * 1e3;
        app.send("q");
        app.wait_exit();
        ms
    };
    let without: Vec<f64> = (0..runs).map(|_| first_frame_ms()).collect();

    // Every ticket polled once (the engine reads them by list pages), then the cache
    // is written on the way out.
    let mut app = PtyApp::spawn_program(&binary, &[], &env, 120, 40);
    std::thread::sleep(Duration::from_secs(arg("--fill-seconds", 40)));
    app.send("q");
    app.wait_exit();
    let cache = cache_file(home.path());
    let size = std::fs::metadata(&cache).unwrap().len();
    let with: Vec<f64> = (0..runs).map(|_| first_frame_ms()).collect();

    println!("  cache file:            {:.1} MB", size as f64 / 1e6);
    for (what, mut times) in [("without its cache", without), ("with its cache", with)] {
        times.sort_by(f64::total_cmp);
        println!(
            "  first frame {what:<18} median {:.1} ms, p90 {:.1} ms",
            percentile(&times, 50),
            percentile(&times, 90)
        );
    }

    let mut app = PtyApp::spawn_program(&binary, &[], &env, 120, 40);
    let pid = app.pid().unwrap();
    let (mut samples, mut anonymous) = (Vec::new(), Vec::new());
    let until = Instant::now() + Duration::from_secs(rss_seconds);
    while Instant::now() < until {
        samples.push(status_kb(pid, "VmRSS:") as f64 / 1024.0);
        anonymous.push(status_kb(pid, "RssAnon:") as f64 / 1024.0);
        std::thread::sleep(Duration::from_millis(500));
    }
    let peak = status_kb(pid, "VmHWM:") as f64 / 1024.0;
    app.send("q");
    app.wait_exit();
    samples.sort_by(f64::total_cmp);
    println!(
        "  resident over {rss_seconds} s:   median {:.1} MB, p90 {:.1} MB, peak {:.1} MB",
        percentile(&samples, 50),
        percentile(&samples, 90),
        peak
    );
    // The rest is the program's and its libraries' own pages, shared with the page cache.
    anonymous.sort_by(f64::total_cmp);
    println!(
        "  of which anonymous:    median {:.1} MB, p90 {:.1} MB (heap, stacks)",
        percentile(&anonymous, 50),
        percentile(&anonymous, 90)
    );
    let _guard = runtime.enter();
    sim.shutdown();
}

/// The one cache file under `home` (the lock beside it is a dot file).
fn cache_file(home: &Path) -> PathBuf {
    std::fs::read_dir(home.join(".cache/coctop"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .expect("a cache file")
}

/// A `kB` line of `/proc/PID/status` (`VmRSS:`, `RssAnon:`, `VmHWM:`).
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}
