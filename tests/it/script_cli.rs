//! Script tickets through the real binary: `script/UUID` references, `get`, `list
//! --kind`, `wait`'s exit codes and the operation commands, against the simulator over
//! HTTP (requests and operations counted there) and a server whose PUTs never answer.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use coctop::coc::{ScriptOrder, ScriptOrderQuery, ScriptStatus};
use coctop::sim::SimOptions;

use crate::support::{Sim, coctop, config_in, env_refs, stderr, stdout};

fn run(home: &std::path::Path, sim: &Sim, args: &[&str]) -> std::process::Output {
    let url = sim.url();
    let mut full = vec!["--endpoint", url.as_str()];
    full.extend_from_slice(args);
    coctop(home, &full, &[])
}

fn orders(sim: &Sim) -> Vec<ScriptOrder> {
    let query = ScriptOrderQuery {
        limit: Some(100),
        ..ScriptOrderQuery::default()
    };
    sim.block_on(sim.client().list_script_orders(&query))
        .unwrap()
        .data
}

fn script_ref_with(sim: &Sim, status: &ScriptStatus) -> String {
    let order = orders(sim)
        .into_iter()
        .find(|o| o.status.as_ref() == Some(status))
        .unwrap_or_else(|| panic!("a seeded {status} ticket"));
    format!("script/{}", order.execute_uuid)
}

fn status_of(sim: &Sim, reference: &str) -> Option<ScriptStatus> {
    let uuid = reference.strip_prefix("script/").unwrap();
    sim.block_on(sim.client().get_script_ticket(uuid))
        .unwrap()
        .status
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn get_and_list_take_both_kinds_and_json_says_which() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let script = script_ref_with(&sim, &ScriptStatus::Processing);
    let execution = sim.ids()[0].clone();

    let out = run(
        home.path(),
        &sim,
        &["get", "--output", "json", &script, &execution],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = json(&out);
    assert_eq!(got[0]["kind"], "script");
    assert_eq!(
        format!("script/{}", got[0]["execute_uuid"].as_str().unwrap()),
        script
    );
    assert_eq!(got[1]["kind"], "execution");
    assert_eq!(got[1]["execution_id"], execution.as_str());

    for (kind, expected) in [
        ("script", &["script"][..]),
        ("execution", &["execution"][..]),
        ("all", &["execution", "script"][..]),
    ] {
        let out = run(
            home.path(),
            &sim,
            &["list", "--kind", kind, "--output", "json", "--limit", "500"],
        );
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        let mut kinds: Vec<String> = json(&out)
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["kind"].as_str().unwrap().to_string())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds, expected, "--kind {kind}");
    }
    let before = sim.requests();
    for args in [
        &["list", "--kind", "scripts"][..],
        &["get", "script/a b"][..],
        &["get", "SCRIPT/abc"][..],
        &["get", "script/a/b"][..],
    ] {
        let out = run(home.path(), &sim, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(sim.requests(), before, "a bad reference sends nothing");
}

#[test]
fn wait_on_script_tickets_exits_as_their_end_says() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    for (status, code) in [
        (ScriptStatus::Finished, 0),
        (ScriptStatus::Abnormal, 1),
        (ScriptStatus::Canceled, 1),
    ] {
        let reference = script_ref_with(&sim, &status);
        let out = run(home.path(), &sim, &["wait", "--timeout", "30s", &reference]);
        assert_eq!(out.status.code(), Some(code), "{status}: {}", stderr(&out));
        assert!(stdout(&out).contains(&reference), "{}", stdout(&out));
    }
}

#[test]
fn script_operations_are_fetched_first_confirmed_and_sent_once() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let processing = script_ref_with(&sim, &ScriptStatus::Processing);
    let finished = script_ref_with(&sim, &ScriptStatus::Finished);
    let execution = sim.ids()[0].clone();

    // Nothing is sent without a terminal and --yes, read-only, or to the wrong kind.
    for (args, why) in [
        (vec!["pause", processing.as_str()], "no terminal to confirm"),
        (
            vec!["--read-only", "pause", "--yes", processing.as_str()],
            "read-only",
        ),
        (vec!["pause", "--yes", execution.as_str()], "script"),
        (vec!["retry", "--yes", processing.as_str()], "execution"),
    ] {
        let out = run(home.path(), &sim, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(why), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(sim.operations(), 0);
    assert_eq!(status_of(&sim, &processing), Some(ScriptStatus::Processing));

    let out = run(home.path(), &sim, &["pause", "--yes", &processing]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("PAUSE_ORDER {processing}: accepted")),
        "{}",
        stdout(&out)
    );
    assert_eq!(sim.operations(), 1);

    // The server refuses: its code is printed, the PUT was sent once.
    let out = run(home.path(), &sim, &["cancel", "--yes", &finished]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
    assert_eq!(sim.operations(), 2);
    assert_eq!(status_of(&sim, &finished), Some(ScriptStatus::Finished));
}

/// A server that answers every GET with one PROCESSING script ticket and never answers
/// a PUT; counts the PUTs.
fn server_whose_puts_hang() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let puts = Arc::new(AtomicUsize::new(0));
    let count = puts.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            if head.starts_with(b"PUT") {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
                continue;
            }
            let body = r#"{"data": {"execute_uuid": "JS1", "status": "PROCESSING",
                "properties": {"script_name": "rotate.sh", "current_execute_batch_index": 1}}}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, puts)
}

#[test]
fn a_put_that_times_out_is_an_unknown_outcome_never_retried() {
    let (url, puts) = server_whose_puts_hang();
    let home = tempfile::tempdir().unwrap();
    let short_deadline =
        format!("[api]\nendpoint = \"{url}\"\ntimeout = \"1s\"\ndeadline = \"1500ms\"\n");
    let (_, env) = config_in(home.path(), &short_deadline);
    let out = coctop(
        home.path(),
        &["skip-batch", "--yes", "script/JS1"],
        &env_refs(&env),
    );
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("outcome unknown"), "{}", stderr(&out));
    assert!(stderr(&out).contains("SKIP_BATCH"), "{}", stderr(&out));
    assert_eq!(puts.load(Ordering::SeqCst), 1, "sent once, never retried");
}
