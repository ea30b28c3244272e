//! `coctop retry|terminate|resume|skip-batch`: the real binary against the simulator
//! over HTTP, requests counted at the simulator.

use std::path::{Path, PathBuf};

use crate::support::pty::{PtyApp, isolated_env};
use crate::support::{Sim, coctop, stderr, stdout};
use coctop::coc::auth::Secret;
use coctop::coc::{Auth, Client, ClientConfig, Endpoint, ListQuery, Status, Ticket};
use coctop::sim::SimOptions;

fn status_of(sim: &Sim, id: &str) -> Option<Status> {
    let client = client(sim);
    sim.block_on(client.get_execution(id)).unwrap().status
}

fn client(sim: &Sim) -> Client {
    let endpoint = Endpoint::from_url(&sim.url()).unwrap();
    let auth = match &sim.handle.as_ref().unwrap().options().credentials {
        Some((ak, sk)) => Auth::AkSk {
            ak: ak.clone(),
            sk: sk.clone(),
            security_token: None,
        },
        None => Auth::None,
    };
    Client::new(ClientConfig::new(endpoint, auth)).unwrap()
}

fn tickets(sim: &Sim) -> Vec<Ticket> {
    let query = ListQuery {
        limit: Some(200),
        ..ListQuery::default()
    };
    sim.block_on(client(sim).list_executions(&query))
        .unwrap()
        .data
}

fn first_with(sim: &Sim, status: Status) -> String {
    tickets(sim)
        .into_iter()
        .find(|t| t.status.as_ref() == Some(&status))
        .unwrap()
        .execution_id
}

fn run(home: &Path, sim: &Sim, args: &[&str]) -> std::process::Output {
    let url = sim.url();
    let mut full = vec!["--endpoint", url.as_str()];
    full.extend_from_slice(args);
    coctop(home, &full, &[])
}

fn log_file(home: &Path) -> PathBuf {
    let out = coctop(home, &["config", "path"], &[]);
    let line = stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("log:").map(|p| p.trim().to_string()))
        .expect("config path names the log file");
    PathBuf::from(line)
}

#[test]
fn every_operation_is_sent_once_with_yes_and_accepted() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let ids = sim.ids();
    let failed = first_with(&sim, Status::Failed);
    // Seeded ticket 7 is paused, 8 a running BATCH ticket in a batch step, 1 running.
    let cases = [
        ("retry", failed.as_str()),
        ("resume", ids[7].as_str()),
        ("skip-batch", ids[8].as_str()),
        ("terminate", ids[1].as_str()),
    ];
    for (command, id) in cases {
        let before = (sim.requests(), sim.operations());
        let out = run(home.path(), &sim, &[command, "--yes", id]);
        assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
        let op = command.to_uppercase().replace('-', "_");
        assert_eq!(stdout(&out), format!("{op} {id}: accepted\n"));
        assert_eq!(
            (sim.requests() - before.0, sim.operations() - before.1),
            (2, 1),
            "{command}: one GET for the ticket, one POST"
        );
    }
    assert_ne!(status_of(&sim, &failed), Some(Status::Failed));
    assert_eq!(status_of(&sim, &ids[7]), Some(Status::Running));
    assert_eq!(status_of(&sim, &ids[1]), Some(Status::Canceling));

    let log = std::fs::read_to_string(log_file(home.path())).unwrap();
    for (command, id) in cases {
        let op = command.to_uppercase().replace('-', "_");
        let line = format!("{op} {id}: accepted");
        assert_eq!(log.matches(&line).count(), 1, "{line}\n{log}");
    }
}

#[test]
fn a_refused_operation_exits_5_with_the_servers_reason_and_is_logged() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let succeeded = first_with(&sim, Status::Succeed);
    let failed = first_with(&sim, Status::Failed);
    let before = sim.operations();
    let out = run(home.path(), &sim, &["retry", "--yes", &succeeded, &failed]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(sim.operations() - before, 2, "each sent once, in order");
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "coctop: {succeeded}: RETRY refused: HTTP 400 COC.00040712"
        )),
        "{err}"
    );
    assert!(err.contains("request id"), "{err}");
    assert_eq!(stdout(&out), format!("RETRY {failed}: accepted\n"));
    let log = std::fs::read_to_string(log_file(home.path())).unwrap();
    assert!(
        log.contains(&format!(
            "RETRY {succeeded}: refused: HTTP 400 COC.00040712"
        )),
        "{log}"
    );
}

#[test]
fn operations_are_never_retried_when_the_server_fails() {
    let sim = Sim::start(SimOptions {
        fail_rate: 0.5,
        seed: 3,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let running: Vec<String> = sim.ids().into_iter().take(21).collect();
    let before = sim.operations();
    let mut args = vec!["terminate", "--yes"];
    args.extend(running.iter().map(String::as_str));
    let out = run(home.path(), &sim, &args);
    let err = stderr(&out);
    let (mut fetched, mut failed_posts) = (0, 0);
    for id in &running {
        let not_fetched = err.contains(&format!("{id}: TERMINATE not sent: cannot fetch"));
        fetched += u64::from(!not_fetched);
        failed_posts += u64::from(err.contains(&format!("{id}: TERMINATE refused: HTTP 5")));
    }
    assert_eq!(
        sim.operations() - before,
        fetched,
        "one POST per fetched ticket, whatever its answer\n{err}"
    );
    assert!(failed_posts > 0, "some POST met a 5xx: {err}");
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn nothing_is_sent_read_only_or_without_a_terminal_and_yes() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let failed = first_with(&sim, Status::Failed);
    let config = home.path().join("ro.toml");
    std::fs::write(&config, "[ui]\nread_only = true\n").unwrap();
    let config_arg = config.to_str().unwrap();
    let before = sim.requests();
    for (args, why) in [
        (
            vec!["--read-only", "retry", "--yes"],
            "read-only (--read-only)",
        ),
        (
            vec!["--config", config_arg, "retry", "--yes"],
            "read-only (read_only = true in [ui] of",
        ),
        (
            vec!["retry"],
            "no terminal to confirm RETRY on: nothing sent",
        ),
    ] {
        let mut args = args.clone();
        args.push(&failed);
        let out = run(home.path(), &sim, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(why), "{why}: {}", stderr(&out));
    }
    assert_eq!(sim.requests(), before, "not a single request");
    assert_eq!(status_of(&sim, &failed), Some(Status::Failed));
    let log = std::fs::read_to_string(log_file(home.path())).unwrap();
    assert_eq!(
        log.matches(&format!("RETRY {failed}: not sent: read-only"))
            .count(),
        2,
        "{log}"
    );
}

#[test]
fn an_authentication_failure_exits_4_before_any_operation() {
    let sim = Sim::start(SimOptions {
        credentials: Some(("OPAK".into(), Secret::new("right-secret"))),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let ids = sim.ids();
    let url = sim.url();
    let out = coctop(
        home.path(),
        &["--endpoint", &url, "terminate", "--yes", &ids[1], &ids[2]],
        &[
            ("HUAWEICLOUD_SDK_AK", "OPAK"),
            ("HUAWEICLOUD_SDK_SK", "wrong-secret"),
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(sim.operations(), 0);
    assert_eq!(sim.requests(), 1, "one failed signature, then nothing more");
}

/// On a terminal the question names action, ID, job and status; only `y` sends, and
/// TERMINATE wants the word typed out.
#[test]
fn on_a_terminal_it_asks_and_only_a_yes_sends() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let env = isolated_env(home.path());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let url = sim.url();
    let failed = tickets(&sim)
        .into_iter()
        .find(|t| t.status == Some(Status::Failed))
        .unwrap();
    let id = failed.execution_id.as_str();
    let job = failed.document_name.clone().unwrap();

    let mut app = PtyApp::spawn(&["--endpoint", &url, "retry", id], &env, 120, 24);
    app.wait_for_text("Send RETRY? [y/N]");
    assert!(
        app.contents()
            .contains(&format!("RETRY {id}  job {job}  status Failed")),
        "{}",
        app.contents()
    );
    app.send("Y\r");
    assert_eq!(app.wait_exit(), 2, "declined: {}", app.contents());
    assert_eq!(sim.operations(), 0, "only a lower-case y sends");

    let mut app = PtyApp::spawn(&["--endpoint", &url, "retry", id], &env, 120, 24);
    app.wait_for_text("Send RETRY? [y/N]");
    app.send("y\r");
    app.wait_for_text(&format!("RETRY {id}: accepted"));
    assert_eq!(app.wait_exit(), 0);
    assert_eq!(sim.operations(), 1);

    let running = sim.ids()[1].clone();
    let mut app = PtyApp::spawn(&["--endpoint", &url, "terminate", &running], &env, 120, 24);
    app.wait_for_text("Type terminate or the execution ID to send TERMINATE:");
    app.send("y\r");
    assert_eq!(app.wait_exit(), 2, "{}", app.contents());
    assert_eq!(sim.operations(), 1, "y does not confirm a TERMINATE");
    let mut app = PtyApp::spawn(&["--endpoint", &url, "terminate", &running], &env, 120, 24);
    app.wait_for_text("Type terminate");
    app.send("terminate\r");
    app.wait_for_text(&format!("TERMINATE {running}: accepted"));
    assert_eq!(app.wait_exit(), 0);
    assert_eq!(status_of(&sim, &running), Some(Status::Canceling));
}
