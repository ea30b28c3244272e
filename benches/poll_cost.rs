//! What a poll costs the dashboard against what it costs `coctop wait`, on the same active
//! tickets, and how many frames the dashboard draws meanwhile: at the default `max_rps`
//! 10 and at a high rate. Both run as the real release binary against the simulator in
//! this process; CPU is the process's own (utime + stime), requests are counted at the
//! simulator.
//!
//! Run: `cargo bench --bench poll_cost` (optional: `-- --seconds 30`, `--only 200` for
//! the scenarios of 200 tickets, `--binary PATH` to measure another build of coctop,
//! for a before/after side by side, `--kind script` to watch PROCESSING script tickets
//! instead of executions).

#[path = "../tests/it/support/pty.rs"]
mod pty;

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use coctop::coc::ScriptStatus;
use coctop::sim::{self, SimHandle, SimOptions};
use pty::{PtyApp, isolated_env};
use support::{arg, listing, pick_script_tickets, pick_tickets, process_cpu_seconds, text_arg};

/// Measuring starts once every ticket has been seen: a first sight changes the header's
/// counts and is drawn, later polls of unchanged tickets are not.
fn warm_up(scenario: &Scenario) -> Duration {
    Duration::from_secs_f64(scenario.active as f64 / f64::from(scenario.max_rps) + 4.0)
}

struct Scenario {
    active: usize,
    max_rps: u32,
}

struct Measured {
    cpu_seconds: f64,
    requests: u64,
}

impl Measured {
    fn micros_per_request(&self) -> f64 {
        self.cpu_seconds * 1e6 / self.requests.max(1) as f64
    }
}

fn main() {
    if listing() {
        return;
    }
    let seconds = arg("--seconds", 30);
    let only = arg("--only", 0) as usize;
    let binary = text_arg("--binary").unwrap_or_else(|| env!("CARGO_BIN_EXE_coctop").into());
    let scripts = text_arg("--kind").as_deref() == Some("script");
    let window = Duration::from_secs(seconds);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let kind = if scripts {
        "script tickets"
    } else {
        "executions"
    };
    println!("dashboard vs wait, {kind}, {seconds} s windows, poll interval 1 s, {binary}");
    for scenario in [
        Scenario {
            active: 50,
            max_rps: 10,
        },
        // Always running, polled faster than one a second each can be at 10/s: the
        // dashboard's frames per poll show, not the pacer's waits.
        Scenario {
            active: 200,
            max_rps: 50,
        },
        Scenario {
            active: 200,
            max_rps: 10,
        },
        Scenario {
            active: 500,
            max_rps: 10,
        },
        Scenario {
            active: 2000,
            max_rps: 2000,
        },
    ]
    .into_iter()
    .filter(|s| only == 0 || s.active == only)
    {
        // Tickets that stay active for the whole run: ticket time almost stands still.
        // About one seeded script ticket in five is PROCESSING.
        let options = SimOptions {
            tickets: scenario.active * 4 + 100,
            script_tickets: if scripts {
                scenario.active * 6 + 100
            } else {
                SimOptions::default().script_tickets
            },
            speed: 1e-4,
            ..SimOptions::default()
        };
        let sim = runtime
            .block_on(sim::start(([127, 0, 0, 1], 0).into(), options))
            .unwrap();
        let ids = if scripts {
            runtime.block_on(pick_script_tickets(
                &sim,
                scenario.active,
                ScriptStatus::Processing,
            ))
        } else {
            runtime.block_on(pick_tickets(&sim, scenario.active, |t| !t.is_terminal()))
        };
        assert_eq!(ids.len(), scenario.active, "enough active tickets");
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("coctop.toml");
        let mut text = format!(
            "[api]\nendpoint = \"{}\"\n[poll]\ninterval = \"1s\"\nmax_rps = {}\n",
            sim.base_url(),
            scenario.max_rps
        );
        for id in &ids {
            text.push_str(&format!("[[watch]]\nid = \"{id}\"\n"));
        }
        std::fs::write(&config, text).unwrap();
        let mut env = isolated_env(home.path());
        env.push(("COCTOP_CONFIG".into(), config.display().to_string()));

        let warm_up = warm_up(&scenario);
        let wait = measure_wait(&binary, &sim, &env, warm_up, window);
        let (dashboard, frames_per_second) =
            measure_dashboard(&binary, &sim, &env, home.path(), warm_up, window);
        println!(
            "  {} active, max_rps {}: wait {:.0} req/s at {:.0} µs CPU/request; dashboard {:.0} req/s at {:.0} µs CPU/request; ratio {:.2}x; dashboard frames {:.1}/s",
            scenario.active,
            scenario.max_rps,
            wait.requests as f64 / seconds as f64,
            wait.micros_per_request(),
            dashboard.requests as f64 / seconds as f64,
            dashboard.micros_per_request(),
            dashboard.micros_per_request() / wait.micros_per_request(),
            frames_per_second,
        );
        let _guard = runtime.enter();
        sim.shutdown();
    }
}

/// CPU and requests of one process over `window`, after the warm-up.
fn sample(sim: &SimHandle, pid: u32, warm_up: Duration, window: Duration) -> Measured {
    std::thread::sleep(warm_up);
    let (cpu, requests) = (process_cpu_seconds(pid), sim.requests_served());
    std::thread::sleep(window);
    Measured {
        cpu_seconds: process_cpu_seconds(pid) - cpu,
        requests: sim.requests_served() - requests,
    }
}

fn measure_wait(
    binary: &str,
    sim: &SimHandle,
    env: &[(String, String)],
    warm_up: Duration,
    window: Duration,
) -> Measured {
    let config = &env.iter().find(|(k, _)| k == "COCTOP_CONFIG").unwrap().1;
    let mut child = Command::new(binary)
        .args(["wait", "--config", config])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let measured = sample(sim, child.id(), warm_up, window);
    let _ = child.kill();
    let _ = child.wait();
    measured
}

/// The dashboard in a 200x50 pty; frames per second from its own log line at exit.
fn measure_dashboard(
    binary: &str,
    sim: &SimHandle,
    env: &[(String, String)],
    home: &std::path::Path,
    warm_up: Duration,
    window: Duration,
) -> (Measured, f64) {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut app = PtyApp::spawn_program(binary, &[], &env, 200, 50);
    let measured = sample(sim, app.pid().unwrap(), warm_up, window);
    app.send("q");
    app.wait_exit();
    let log = std::fs::read_to_string(home.join(".local/state/coctop/coctop.log"))
        .expect("the dashboard's log");
    let per_second = log
        .lines()
        .rev()
        .find(|l| l.contains("dashboard closed"))
        .and_then(|l| l.split("per_second=").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("a frame count in the log");
    (measured, per_second)
}
