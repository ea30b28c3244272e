//! Every way out of a command: a reader that goes away, a full disk, a signal, no
//! terminal. The real binary against the simulator.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::hardening::finished_and_unfinished;
use crate::support::{Sim, coctop_command, stderr};
use coctop::sim::SimOptions;

/// Waits up to `limit` for the child to end; kills it and fails if it does not.
fn ends_within(child: &mut Child, limit: Duration, what: &str) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr_of(child: Child) -> String {
    stderr(&child.wait_with_output().unwrap())
}

/// A pipe whose reader is already gone.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

#[test]
fn wait_ends_at_once_and_quietly_when_its_reader_goes_away() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let url = sim.url();
    let (_, unfinished) = finished_and_unfinished(home.path(), &sim);
    let args = [
        "--endpoint",
        &url,
        "wait",
        "--interval",
        "1s",
        &unfinished[0],
    ];
    let mut child = coctop_command(home.path(), &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: read the first line, then go away.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains(&unfinished[0]), "{first}");
    let status = ends_within(
        &mut child,
        Duration::from_secs(10),
        "wait after its reader left",
    );
    assert_eq!(status.code(), Some(141), "exits as SIGPIPE would end it");
    assert_eq!(stderr_of(child), "", "quietly");
}

#[test]
fn every_command_into_a_closed_pipe_exits_141_without_a_word() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let url = sim.url();
    let id = sim.ids()[0].clone();
    let config = home.path().join("config.toml");
    std::fs::write(&config, format!("[[watch]]\nid = \"{id}\"\n")).unwrap();
    let config = config.display().to_string();
    let commands: [&[&str]; 5] = [
        &["config", "path"],
        &["--config", &config, "config", "check"],
        &["--endpoint", &url, "get", &id],
        &["--endpoint", &url, "get", "--output", "json", &id],
        &["--endpoint", &url, "wait", &id],
    ];
    for args in commands {
        let out = coctop_command(home.path(), args)
            .stdout(closed_pipe())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(141), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

#[test]
fn a_full_disk_is_an_error_with_a_message_and_exit_6() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let url = sim.url();
    let (finished, _) = finished_and_unfinished(home.path(), &sim);
    let commands: [&[&str]; 3] = [
        &["config", "path"],
        &["--endpoint", &url, "get", &finished[0]],
        &["--endpoint", &url, "wait", &finished[0]],
    ];
    for args in commands {
        let full = File::options().write(true).open("/dev/full").unwrap();
        let out = coctop_command(home.path(), args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(6), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("cannot write the output: No space left on device"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn get_and_wait_ended_by_a_signal_exit_128_plus_its_number() {
    let options = SimOptions {
        latency: Duration::from_secs(30),
        ..SimOptions::default()
    };
    let sim = Sim::start(options);
    let home = tempfile::tempdir().unwrap();
    let url = sim.url();
    let id = sim.ids()[0].clone();
    for (args, signal) in [
        (["get", id.as_str()], libc::SIGTERM),
        (["wait", id.as_str()], libc::SIGINT),
        (["wait", id.as_str()], libc::SIGQUIT),
    ] {
        let mut full = vec!["--endpoint", url.as_str()];
        full.extend(args);
        let mut child = coctop_command(home.path(), &full)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The request is under way (the simulator holds it for 30 s).
        std::thread::sleep(Duration::from_millis(500));
        // SAFETY: a signal to our own child.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
        let status = ends_within(&mut child, Duration::from_secs(10), "after a signal");
        assert_eq!(status.code(), Some(128 + signal as u8 as i32), "{args:?}");
    }
}

#[test]
fn the_dashboard_without_a_terminal_says_it_needs_one() {
    let home = tempfile::tempdir().unwrap();
    let out = coctop_command(home.path(), &["--demo"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the dashboard needs a terminal"),
        "{}",
        stderr(&out)
    );
}
