//! How long a key press takes to reach the screen while the dashboard refreshes many
//! tickets: the real binary in a 200x50 pseudo-terminal with a `[[query]]` that finds the
//! simulator's `--tickets` tickets (10,000), at the default `[poll]` settings (list pages
//! refresh them all the time and frames follow); `j` and `k` in turn at random moments. A
//! press is drawn when the detail pane's title names the newly selected ticket. The time
//! runs from writing the key to the pty to seeing that on the screen, read through a
//! vt100 parser polled every 0.5 ms.
//!
//! Run: `nice cargo bench --bench key_latency` (optional: `-- --tickets 10000 --presses 40
//! --rounds 2`; each `--bin PATH` adds another coctop build, e.g. main's, measured in
//! turn with this one).

#[path = "../tests/it/support/pty.rs"]
mod pty;

mod support;

use std::time::{Duration, Instant};

use coctop::sim::{self, SimOptions};
use pty::{PtyApp, isolated_env};
use rand::{Rng, SeedableRng};
use support::{arg, listing, percentile};

/// The execution ID the detail pane's title names: the selected ticket.
fn selected(screen: &str) -> Option<String> {
    let title = screen.lines().find(|line| line.contains("───"))?;
    // Beside the list, the title shares its line with the column headings.
    let id = title
        .split_whitespace()
        .rfind(|word| word.starts_with("EX") && word.len() == 24)?;
    Some(id.to_string())
}

/// The header's ticket count: "coctop URL │ 10000 tickets".
fn listed(screen: &str) -> usize {
    let header = screen.lines().next().unwrap_or_default();
    let words: Vec<&str> = header.split_whitespace().collect();
    words
        .windows(2)
        .find(|pair| pair[1].starts_with("ticket"))
        .and_then(|pair| pair[0].parse().ok())
        .unwrap_or(0)
}

/// Milliseconds from each key press to its frame, `presses` of them.
fn measure(program: &str, env: &[(&str, &str)], tickets: usize, presses: u64) -> Vec<f64> {
    let mut app = PtyApp::spawn_program(program, &[], env, 200, 50);
    app.wait_for("a selected ticket", |s| selected(s).is_some());
    let deadline = Instant::now() + Duration::from_secs(120);
    while listed(&app.contents()) < tickets {
        assert!(Instant::now() < deadline, "{tickets} tickets never listed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(presses);
    let mut latencies = Vec::new();
    for press in 0..presses {
        std::thread::sleep(Duration::from_millis(rng.gen_range(50..250)));
        let before = selected(&app.contents());
        let sent = Instant::now();
        app.send(if press % 2 == 0 { "j" } else { "k" });
        loop {
            if selected(&app.contents()) != before {
                latencies.push(sent.elapsed().as_secs_f64() * 1e3);
                break;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(5),
                "key {press} never drawn:\n{}",
                app.contents()
            );
            std::thread::sleep(Duration::from_micros(500));
        }
    }
    app.send("q");
    app.wait_exit();
    latencies
}

fn main() {
    if listing() {
        return;
    }
    let tickets = arg("--tickets", 10_000) as usize;
    let presses = arg("--presses", 40);
    let rounds = arg("--rounds", 2);
    let args: Vec<String> = std::env::args().collect();
    let mut builds = vec![env!("CARGO_BIN_EXE_coctop").to_string()];
    builds.extend(
        args.windows(2)
            .filter(|pair| pair[0] == "--bin")
            .map(|pair| pair[1].clone()),
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let options = SimOptions {
        tickets,
        ..SimOptions::default()
    };
    let sim = runtime
        .block_on(sim::start(([127, 0, 0, 1], 0).into(), options))
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    // The simulator's tickets started within the last week; no [poll]: the defaults.
    let text = format!(
        "[api]\nendpoint = \"{}\"\n[[query]]\nname = \"all\"\nsince = \"720h\"\n",
        sim.base_url()
    );
    let config = home.path().join("coctop.toml");
    std::fs::write(&config, text).unwrap();
    let mut env = isolated_env(home.path());
    env.push(("COCTOP_CONFIG".into(), config.display().to_string()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    println!(
        "{tickets} tickets of a [[query]], default [poll], 200x50, {presses} presses a run, {rounds} rounds"
    );
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); builds.len()];
    for round in 0..rounds as usize {
        for turn in 0..builds.len() {
            let which = (round + turn) % builds.len();
            all[which].extend(measure(&builds[which], &env, tickets, presses));
        }
    }
    for (build, mut latencies) in builds.iter().zip(all) {
        latencies.sort_by(f64::total_cmp);
        let over_16 = latencies.iter().filter(|&&ms| ms > 16.0).count();
        println!(
            "{}: median {:.1} ms, p90 {:.1} ms, max {:.1} ms; {over_16} of {} over 16 ms",
            build,
            percentile(&latencies, 50),
            percentile(&latencies, 90),
            latencies.last().copied().unwrap_or_default(),
            latencies.len()
        );
    }
    let _guard = runtime.enter();
    sim.shutdown();
}
