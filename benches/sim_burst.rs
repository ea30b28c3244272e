//! The simulator as a server under a burst: resident memory of a `coctop sim` process
//! before, at the peak of, and after N concurrent list requests (each on its own
//! connection, all on loopback, bounded in count and time).
//!
//! Run: `cargo bench --bench sim_burst` (optional: `-- --requests 10000 --runs 3`).

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use support::{arg, listing, median};

/// VmRSS of a process, in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS");
    kb / 1024.0
}

/// The innermost cause of a failed request, for counting failures by kind.
fn cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

struct Run {
    before: f64,
    peak: f64,
    after: f64,
    ok: u64,
    seconds: f64,
}

fn burst(requests: u64) -> Run {
    let mut sim = Command::new(env!("CARGO_BIN_EXE_coctop"))
        .args(["sim", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start coctop sim");
    let pid = sim.id();
    let mut first = String::new();
    BufReader::new(sim.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("coctop sim listening on ")
        .expect("the sim's address")
        .to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let list = format!("{url}/v1/executions?limit=100");
    // Warm up: the store and the allocator settle after a few requests.
    runtime.block_on(async {
        let client = reqwest::Client::new();
        for _ in 0..20 {
            client
                .get(&list)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        }
    });
    std::thread::sleep(Duration::from_secs(1));
    let before = rss_mb(pid);

    let peak = Arc::new(AtomicU64::new(before.to_bits()));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let now = rss_mb(pid);
                if now > f64::from_bits(peak.load(Ordering::Relaxed)) {
                    peak.store(now.to_bits(), Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let started = std::time::Instant::now();
    let ok = runtime.block_on(async {
        // No pooling: every request is a connection of its own, all at once.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let tasks: Vec<_> = (0..requests)
            .map(|_| {
                let (client, list) = (client.clone(), list.clone());
                tokio::spawn(async move {
                    // As a real client of a GET would: a refused, reset or timed-out
                    // connection is tried again, three times at most.
                    let mut tries = 0;
                    loop {
                        let sent = client.get(&list).send().await;
                        match sent {
                            Err(_) if tries < 3 => {
                                tries += 1;
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                            sent => return sent?.error_for_status()?.bytes().await.map(drop),
                        }
                    }
                })
            })
            .collect();
        let mut ok = 0;
        let mut failures: std::collections::BTreeMap<String, u64> = Default::default();
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => ok += 1,
                Err(e) => *failures.entry(cause(&e)).or_default() += 1,
            }
        }
        for (why, n) in failures {
            println!("  {n} failed: {why}");
        }
        ok
    });
    let seconds = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(3));
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let after = rss_mb(pid);
    let _ = sim.kill();
    let _ = sim.wait();
    Run {
        before,
        peak: f64::from_bits(peak.load(Ordering::Relaxed)),
        after,
        ok,
        seconds,
    }
}

fn main() {
    if listing() {
        return;
    }
    let requests = arg("--requests", 10_000);
    let runs = arg("--runs", 3);
    let results: Vec<Run> = (0..runs).map(|_| burst(requests)).collect();
    for r in &results {
        println!(
            "run: {} of {requests} answered in {:.1} s; RSS before {:.1} MB, peak {:.1} MB, \
             3 s after {:.1} MB",
            r.ok, r.seconds, r.before, r.peak, r.after
        );
    }
    let m = |f: fn(&Run) -> f64| median(results.iter().map(f).collect());
    println!(
        "sim_burst {requests} concurrent list requests (median of {runs}): RSS before {:.1} MB, \
         peak {:.1} MB, after {:.1} MB ({:.2}x before)",
        m(|r| r.before),
        m(|r| r.peak),
        m(|r| r.after),
        m(|r| r.after / r.before)
    );
}
