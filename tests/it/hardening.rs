//! Inputs at the edge of their range: the real binary against the simulator must end
//! with its documented exit code, never a panic.

use crate::support::{Sim, coctop, stderr, stdout};
use coctop::sim::SimOptions;
use serde_json::Value;

/// Past the range of the monotonic clock once added to now, yet a valid duration.
const BEYOND_THE_CLOCK: &str = "3000000000000000h";

/// The simulator's tickets that have finished, and those that have not, via `get`.
pub(crate) fn finished_and_unfinished(
    home: &std::path::Path,
    sim: &Sim,
) -> (Vec<String>, Vec<String>) {
    let url = sim.url();
    let mut args = vec!["--endpoint", url.as_str(), "get", "--output", "json"];
    let ids = sim.ids();
    args.extend(ids.iter().map(String::as_str));
    let out = coctop(home, &args, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let tickets: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let finished = ["Succeed", "Failed", "Canceled", "Timeout"];
    tickets
        .iter()
        .map(|t| {
            let id = t["execution_id"].as_str().unwrap().to_string();
            let done = finished.contains(&t["status"].as_str().unwrap_or(""));
            (id, done)
        })
        .fold((vec![], vec![]), |(mut done, mut open), (id, is_done)| {
            if is_done {
                done.push(id)
            } else {
                open.push(id)
            }
            (done, open)
        })
}

#[test]
fn wait_takes_timeouts_and_intervals_beyond_the_clock() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let url = sim.url();
    let (finished, unfinished) = finished_and_unfinished(home.path(), &sim);
    assert!(!finished.is_empty() && !unfinished.is_empty());

    let out = coctop(
        home.path(),
        &[
            "--endpoint",
            &url,
            "wait",
            "--timeout",
            BEYOND_THE_CLOCK,
            &finished[0],
        ],
        &[],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));

    // The engine schedules the next poll of a running ticket one interval ahead.
    let out = coctop(
        home.path(),
        &[
            "--endpoint",
            &url,
            "wait",
            "--interval",
            BEYOND_THE_CLOCK,
            "--timeout",
            "2s",
            &unfinished[0],
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

/// A server that accepts connections and never answers; counts them.
fn hung_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream);
        }
    });
    (url, accepted)
}

#[test]
fn get_on_a_hung_server_ends_at_the_deadline_retries_included() {
    let (url, accepted) = hung_server();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[api]\nendpoint = \"{url}\"\ntimeout = \"1s\"\ndeadline = \"1500ms\"\n"),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = coctop(
        home.path(),
        &["--config", config.to_str().unwrap(), "get", "EX1"],
        &[],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no answer within the 1.5s deadline"),
        "{}",
        stderr(&out)
    );
    // Four attempts of 1 s each, with backoff between them, took 4.7 s or more.
    assert!(took < std::time::Duration::from_millis(3500), "{took:?}");
    assert!(
        accepted.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "it retried"
    );
}

#[test]
fn a_simulator_beyond_loopback_without_keys_warns_and_one_on_loopback_does_not() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    for (args, warned) in [
        (&["sim", "--listen", "0.0.0.0:0"][..], true),
        (&["sim", "--listen", "127.0.0.1:0"][..], false),
    ] {
        let mut child = crate::support::coctop_command(home.path(), args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Once it is listening, everything it had to say before is said.
        let mut banner = String::new();
        // Kept open until the end: a reader gone early would end it by EPIPE instead.
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut banner).unwrap();
        assert!(banner.starts_with("coctop sim listening on"), "{banner}");
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let out = child.wait_with_output().unwrap();
        drop(stdout);
        assert_eq!(out.status.code(), Some(0));
        let said = stderr(&out);
        assert_eq!(
            said.contains("warning: listening on 0.0.0.0"),
            warned,
            "{args:?}: {said}"
        );
    }
}

#[test]
fn get_stops_asking_a_hung_server_after_a_few_tickets_in_a_row() {
    let (url, accepted) = hung_server();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nendpoint = \"{url}\"\ntimeout = \"300ms\"\ndeadline = \"400ms\"\n\n\
             [poll]\nmax_rps = 1000\nconcurrency = 2\n"
        ),
    )
    .unwrap();
    let ids: Vec<String> = (0..200).map(|i| format!("EX{i:04}")).collect();
    let mut args = vec![
        "--config",
        config.to_str().unwrap(),
        "get",
        "--output",
        "json",
    ];
    args.extend(ids.iter().map(String::as_str));
    let out = coctop(home.path(), &args, &[]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), ids.len(), "one object per ID, in order");
    let not_asked = rows
        .iter()
        .filter(|r| {
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not asked")
        })
        .count();
    assert!(not_asked >= 190, "{not_asked} not asked");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{not_asked} more not asked")),
        "{err}"
    );
    assert!(
        err.lines().count() < 10,
        "one line for those not asked:\n{err}"
    );
    let connections = accepted.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        connections < 30,
        "{connections} connections to a hung server"
    );
}
