//! The polling engine watching 10,000 tickets of a `coctop sim` running in its own
//! process, so that this process's CPU time and memory are the client's alone.
//!
//! Run: `cargo bench --bench engine_sim`
//! (optional: `-- --tickets N --seconds S --rps R --interval DUR`).
//! Prints requests per second sustained, client CPU time per poll and resident memory.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use coctop::coc::{Auth, Client, ClientConfig, Endpoint, ListQuery, RetryPolicy};
use coctop::watch::{self, EngineConfig, TicketUpdate, Update};

struct Options {
    tickets: usize,
    seconds: u64,
    rps: f64,
    interval: Duration,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    Options {
        tickets: value("--tickets")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000),
        seconds: value("--seconds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(20),
        rps: value("--rps")
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000.0),
        // Short enough that the active tickets ask for more than max_rps: the engine
        // runs at its limit, not at the tickets' pace.
        interval: value("--interval")
            .and_then(|v| coctop::format::parse_duration(&v).ok())
            .unwrap_or(Duration::from_secs(1)),
    }
}

struct SimProcess {
    child: Child,
    url: String,
}

impl SimProcess {
    fn start(tickets: usize) -> SimProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coctop"))
            .args(["sim", "--listen", "127.0.0.1:0", "--tickets"])
            .arg(tickets.to_string())
            // Slow lifecycles keep most tickets active for the whole run.
            .args(["--speed", "0.01"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start coctop sim");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("sim prints its URL")
            .to_string();
        SimProcess { child, url }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn resident_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn all_ids(client: &Client, want: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(want);
    while ids.len() < want {
        let page = client
            .list_executions(&ListQuery {
                limit: Some(100),
                offset: Some(ids.len() as u32),
                ..ListQuery::default()
            })
            .await
            .expect("list tickets");
        if page.data.is_empty() {
            break;
        }
        ids.extend(page.data.into_iter().map(|t| t.execution_id));
    }
    ids.truncate(want);
    ids
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` asks what benchmarks exist.
    }
    let opts = options();
    let sim = SimProcess::start(opts.tickets);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let endpoint = Endpoint::from_url(&sim.url).unwrap();
        let mut config = ClientConfig::new(endpoint, Auth::None);
        config.retry = RetryPolicy::none();
        let client = Client::new(config).unwrap();
        let ids = all_ids(&client, opts.tickets).await;
        let watched = ids.len();
        let rss_before = resident_kib("VmRSS:");

        let cpu_start = cpu_time();
        let started = Instant::now();
        let engine_config = EngineConfig {
            interval: opts.interval,
            concurrency: 64,
            max_rps: opts.rps,
        };
        let mut engine = watch::spawn(
            Arc::new(client),
            engine_config,
            ids.iter()
                .map(|id| coctop::coc::TicketRef::parse(id).unwrap())
                .collect(),
        );
        let (mut polls, mut errors) = (0u64, 0u64);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(opts.seconds);
        loop {
            tokio::select! {
                update = engine.updates.recv() => match update {
                    Some(Update::Ticket(TicketUpdate::Snapshot { .. })) => polls += 1,
                    Some(Update::Ticket(TicketUpdate::Error { .. })) => errors += 1,
                    Some(_) => {}
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        let elapsed = started.elapsed();
        let cpu = cpu_time() - cpu_start;
        let rss = resident_kib("VmRSS:");
        let _ = engine.commands.send(watch::Command::Shutdown);

        let requests = polls + errors;
        println!(
            "engine against coctop sim (separate process), {watched} watched tickets, \
             interval {:?}",
            opts.interval
        );
        println!("  run:              {:.1} s", elapsed.as_secs_f64());
        println!("  requests:         {requests} ({errors} errors)");
        println!(
            "  sustained:        {:.0} requests/s (max_rps {})",
            requests as f64 / elapsed.as_secs_f64(),
            opts.rps
        );
        println!(
            "  client CPU:       {:.1} µs per poll ({:.2} s in all)",
            cpu.as_secs_f64() * 1e6 / requests.max(1) as f64,
            cpu.as_secs_f64()
        );
        println!(
            "  resident memory:  {:.1} MiB ({:.1} MiB before the engine started, peak {:.1} MiB)",
            rss as f64 / 1024.0,
            rss_before as f64 / 1024.0,
            resident_kib("VmHWM:") as f64 / 1024.0
        );
    });
}
