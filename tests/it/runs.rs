//! `coctop logs`, `coctop run` and `coctop diff`: the real binary against the simulator
//! over HTTP (requests and POSTs counted there), and against small servers for what
//! the simulator never sends (a 10 MB host output, text that is not UTF-8, a POST
//! answered 500, dropped or never answered).

use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::pty::{PtyApp, isolated_env};
use crate::support::{Sim, coctop, stderr, stdout};
use coctop::coc::{ExecuteDocumentRequest, KeyValue, Status, Targets, Ticket, TicketRef};
use coctop::sim::SimOptions;

/// The binary against `url`, with a config that paces requests at `max_rps` and gives
/// up on an answer after `timeout`.
fn cli_at(home: &Path, url: &str, args: &[&str]) -> Output {
    let config = home.join("coctop.toml");
    if !config.exists() {
        std::fs::write(
            &config,
            "[api]\ntimeout = \"2s\"\n\n[poll]\nmax_rps = 1000\n",
        )
        .unwrap();
    }
    let config = config.display().to_string();
    let mut full = vec!["--config", config.as_str(), "--endpoint", url];
    full.extend_from_slice(args);
    coctop(home, &full, &[])
}

fn cli(home: &Path, sim: &Sim, args: &[&str]) -> Output {
    cli_at(home, &sim.url(), args)
}

fn tickets(sim: &Sim) -> Vec<Ticket> {
    let query = coctop::coc::ListQuery {
        limit: Some(100),
        ..Default::default()
    };
    sim.block_on(sim.client().list_executions(&query))
        .unwrap()
        .data
}

/// Every host of every step of `id` from the API, `(step number, host, status, output)`;
/// a step without hosts is one row of its own.
fn hosts_of(sim: &Sim, id: &str) -> Vec<(usize, String, String, String)> {
    let client = sim.client();
    let steps = sim.block_on(client.list_steps(id, 100, 0)).unwrap().data;
    let mut rows = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let step_id = step.execution_step_id.clone().unwrap();
        let instances = sim
            .block_on(client.list_instances(&step_id, 100, 0))
            .unwrap()
            .data;
        if instances.is_empty() {
            let status = step.status.as_ref().map_or("", Status::as_str).to_string();
            rows.push((
                i + 1,
                "-".into(),
                status,
                step.message.clone().unwrap_or_default(),
            ));
        }
        for instance in instances {
            rows.push((
                i + 1,
                coctop::hosts::host(&instance),
                instance
                    .status
                    .as_ref()
                    .map_or("", Status::as_str)
                    .to_string(),
                instance.message.clone().unwrap_or_default(),
            ));
        }
    }
    rows
}

fn headers(out: &Output) -> Vec<String> {
    stdout(out)
        .lines()
        .filter(|l| l.starts_with("==> "))
        .map(str::to_string)
        .collect()
}

fn a_failed_batch_ticket(sim: &Sim) -> String {
    tickets(sim)
        .into_iter()
        .find(|t| {
            t.status == Some(Status::Failed)
                && t.execution_type == Some(coctop::coc::ExecutionType::Batch)
        })
        .expect("the simulator seeds failed BATCH tickets")
        .execution_id
}

#[test]
fn logs_prints_every_host_of_every_step_and_exits_1_for_a_failed_ticket() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let id = a_failed_batch_ticket(&sim);
    let want = hosts_of(&sim, &id);
    assert!(want.len() > 2, "{want:?}");
    let out = cli(home.path(), &sim, &["logs", &id]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let got = headers(&out);
    assert_eq!(got.len(), want.len(), "{}", stdout(&out));
    for (header, (step, host, status, _)) in got.iter().zip(&want) {
        assert!(
            header.starts_with(&format!("==> step {step} \"")),
            "{header}"
        );
        assert!(header.contains(&format!(" · {host} · ")), "{header}");
        assert!(header.contains(&format!(" · {status} · ")), "{header}");
    }
    let failed = want
        .iter()
        .find(|(.., status, _)| status == "Failed")
        .unwrap();
    assert!(stdout(&out).contains(&failed.3), "the failed host's output");

    // JSON lines: one object per host, the output as the server sent it.
    let out = cli(home.path(), &sim, &["logs", "-o", "json", &id]);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), want.len());
    for (line, (step, host, status, output)) in lines.iter().zip(&want) {
        assert_eq!(line["schema"], 1);
        assert_eq!(line["kind"], "host_output");
        assert_eq!(line["ticket"], id.as_str());
        assert_eq!(line["number"], *step);
        assert_eq!(line["host"], host.as_str());
        assert_eq!(line["status"], status.as_str());
        assert_eq!(line["output"], output.as_str());
    }
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn logs_selects_by_step_host_and_failure_and_says_when_nothing_is_named() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let id = a_failed_batch_ticket(&sim);
    let want = hosts_of(&sim, &id);
    let (step, host, ..) = want
        .iter()
        .find(|(.., status, _)| status == "Failed")
        .unwrap()
        .clone();

    let out = cli(home.path(), &sim, &["logs", "--failed", &id]);
    assert_eq!(out.status.code(), Some(1), "--failed is a check");
    let failed: Vec<_> = want
        .iter()
        .filter(|(.., s, _)| ["Failed", "Timeout", "Canceled"].contains(&s.as_str()))
        .collect();
    assert_eq!(headers(&out).len(), failed.len(), "{}", stdout(&out));

    let before = sim.requests();
    let out = cli(
        home.path(),
        &sim,
        &["logs", "--step", &step.to_string(), "--host", &host, &id],
    );
    assert_eq!(headers(&out).len(), 1, "{}", stdout(&out));
    assert!(headers(&out)[0].contains(&host));
    // The ticket, its steps, and the hosts of that one step only.
    let pages_of_step = 1;
    assert_eq!(sim.requests() - before, 2 + pages_of_step);

    let fine = want
        .iter()
        .find(|(_, h, s, _)| h != "-" && !["Failed", "Timeout", "Canceled"].contains(&s.as_str()))
        .expect("a host that did not fail");
    let out = cli(
        home.path(),
        &sim,
        &["logs", "--host", &fine.1, "--failed", &id],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the ticket failed: {}",
        stderr(&out)
    );
    assert!(headers(&out).is_empty());

    let out = cli(home.path(), &sim, &["logs", "--step", "no such step", &id]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no step or batch \"no such step\""), "{err}");
    assert!(err.contains("step 1 \""), "the steps it has: {err}");
    let out = cli(
        home.path(),
        &sim,
        &["logs", "--host", "10.255.255.255", &id],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no host named 10.255.255.255"));

    // A succeeded ticket and every host printed: exit 0.
    let good = tickets(&sim)
        .into_iter()
        .find(|t| t.status == Some(Status::Succeed))
        .unwrap()
        .execution_id;
    let out = cli(home.path(), &sim, &["logs", &good]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = cli(home.path(), &sim, &["logs", "EX2025070100000000nothere"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("EX2025070100000000nothere"));
    let out = cli(home.path(), &sim, &["logs", "script/a b"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn logs_of_a_script_ticket_writes_escapes_out_in_text_and_keeps_them_in_json() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let hostile = "\u{1b}]0;pwned window title\u{7}title set";
    let client = sim.client();
    let handle = sim.handle.as_ref().unwrap();
    let with_hostile = handle
        .script_ticket_ids()
        .into_iter()
        .find(|uuid| {
            let batches = sim.block_on(client.list_script_batches(uuid)).unwrap();
            batches.iter().any(|b| {
                // The seeded batches hold fewer hosts than a page.
                let query = coctop::coc::ScriptHostQuery::default();
                let hosts = sim
                    .block_on(client.list_script_hosts(uuid, b.batch_index.unwrap(), &query))
                    .unwrap()
                    .data;
                hosts
                    .iter()
                    .any(|h| h.message.as_deref().is_some_and(|m| m.contains(hostile)))
            })
        })
        .expect("the simulator seeds hostile output");
    let reference = format!("script/{with_hostile}");
    let out = cli(home.path(), &sim, &["logs", &reference]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("==> batch 1 · "), "{text}");
    assert!(
        text.contains("\\u{1b}]0;pwned window title\\u{7}title set"),
        "{text}"
    );
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "no control character reaches the terminal"
    );
    let out = cli(home.path(), &sim, &["logs", "-o", "json", &reference]);
    let raw = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .any(|v| {
            v["ticket"] == reference.as_str()
                && v["ticket_kind"] == "script"
                && v["output"].as_str().unwrap().contains(hostile)
        });
    assert!(raw, "JSON keeps the output raw");
}

/// A small server: ticket `EXBIG`, one step `101` with three hosts, the second of which
/// printed 10 MB, the third text that is not UTF-8 (raw bytes and a lone surrogate).
fn serve_a_huge_and_a_broken_output() -> (crate::client::TestServer, tokio::runtime::Runtime) {
    use crate::client::{Reply, TestServer};
    use axum::http::StatusCode;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let huge = "x".repeat(10 * 1024 * 1024);
    let server = runtime.block_on(TestServer::start(move |_, seen| {
        let path = seen.path();
        let query = seen.query();
        let number = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let body: Vec<u8> = if path == "/v1/executions/EXBIG" {
            br#"{"data": {"execution_id": "EXBIG", "status": "Failed", "type": "BATCH"}}"#.to_vec()
        } else if path == "/v1/executions/EXBIG/steps" {
            br#"{"data": [{"execution_step_id": "101", "name": "run", "status": "Failed"}], "total": 1}"#.to_vec()
        } else {
            let hosts: Vec<Vec<u8>> = vec![
                br#"{"id": 1, "status": "Succeed", "message": "fine\n", "properties": {"name": "web-01"}}"#.to_vec(),
                format!(r#"{{"id": 2, "status": "Failed", "message": "{huge}", "properties": {{"name": "web-02"}}}}"#).into_bytes(),
                [
                    br#"{"id": 3, "status": "Failed", "message": "caf"#.as_slice(),
                    &[0xff, 0xfe],
                    br#" \ud83d cut", "properties": {"name": "web-03"}}"#.as_slice(),
                ]
                .concat(),
            ];
            let (offset, limit) = (number("offset"), number("limit"));
            let page: Vec<Vec<u8>> = hosts.into_iter().skip(offset).take(limit).collect();
            [
                br#"{"total": 3, "data": ["#.as_slice(),
                &page.join(b",".as_slice()),
                b"]}",
            ]
            .concat()
        };
        Reply::from((
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        ))
    }));
    (server, runtime)
}

#[test]
fn logs_passes_over_a_10_mb_host_and_reads_text_that_is_not_utf8() {
    let (server, _runtime) = serve_a_huge_and_a_broken_output();
    let home = tempfile::tempdir().unwrap();
    let out = cli_at(home.path(), &server.base, &["logs", "EXBIG"]);
    assert_eq!(out.status.code(), Some(5), "a host could not be read");
    let text = stdout(&out);
    let got = headers(&out);
    assert_eq!(got.len(), 2, "{text}");
    assert!(
        got[0].contains("web-01") && got[1].contains("web-03"),
        "{got:?}"
    );
    assert!(text.contains("caf\u{fffd}\u{fffd} \u{fffd} cut"), "{text}");
    let err = stderr(&out);
    assert!(
        err.contains("EXBIG: step 1 \"run\": the host at offset 1"),
        "{err}"
    );
    assert!(err.contains("larger than"), "{err}");
}

#[test]
fn diff_of_a_ticket_with_itself_reads_it_once_and_finds_nothing() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let id = a_failed_batch_ticket(&sim);
    let steps = hosts_of(&sim, &id).iter().map(|h| h.0).max().unwrap() as u64;
    let before = sim.requests();
    let out = cli(home.path(), &sim, &["logs", "--step", "999", &id]);
    assert_eq!(out.status.code(), Some(2));
    let one_read = sim.requests() - before;
    let before = sim.requests();
    let out = cli(home.path(), &sim, &["diff", &id, &id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "only differences are printed");
    assert_eq!(
        sim.requests() - before,
        one_read + steps,
        "read once: the ticket, its steps, each step's hosts"
    );
    let out = cli(home.path(), &sim, &["diff", "-o", "json", &id, &id]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (value["same"].clone(), value["kind"].clone()),
        (true.into(), "diff".into())
    );

    let before = sim.requests();
    let script = format!(
        "script/{}",
        sim.handle.as_ref().unwrap().script_ticket_ids()[0]
    );
    let out = cli(home.path(), &sim, &["diff", &id, &script]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("only two of one kind can be compared"));
    assert_eq!(sim.requests(), before, "nothing asked");
    let out = cli(
        home.path(),
        &sim,
        &["diff", &id, "EX2025070100000000nothere"],
    );
    assert_eq!(out.status.code(), Some(5));
}

/// Ticket `a`'s run again through the API, with `service` for its first parameter.
fn run_again(sim: &Sim, a: &Ticket, first_value: &str) -> String {
    let mut parameters = a.parameters.clone();
    parameters[0].value = first_value.into();
    let request = ExecuteDocumentRequest {
        version: a.document_version.as_deref().map(str::to_string),
        parameters,
        target_parameter_name: a.target_parameter_name.as_deref().map(str::to_string),
        targets: a.targets.as_ref().map(Targets::list),
        ..ExecuteDocumentRequest::default()
    };
    sim.block_on(
        sim.client()
            .execute_document(a.document_id.as_deref().unwrap(), &request),
    )
    .unwrap()
}

#[test]
fn diff_of_two_runs_says_what_differs_and_exits_1() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let a = tickets(&sim)
        .into_iter()
        .find(|t| t.execution_type == Some(coctop::coc::ExecutionType::Normal))
        .unwrap();
    let key = a.parameters[0].key.clone();
    let b = run_again(&sim, &a, "changed\nvalue");
    let out = cli(home.path(), &sim, &["diff", &a.execution_id, &b]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("--- {} ", a.execution_id)),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "~ parameter {key}: \"{}\" → \"changed\\u{{a}}value\"",
            a.parameters[0].value
        )),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour into a pipe");
    let out = cli(
        home.path(),
        &sim,
        &["diff", "-o", "json", &a.execution_id, &b],
    );
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(value["same"], false);
    let parameter = value["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["what"] == "parameter")
        .unwrap();
    assert_eq!(parameter["b"], "changed\nvalue", "raw in JSON");
}

/// The simulator's documents, by name.
fn a_job(sim: &Sim) -> coctop::coc::DocumentDetail {
    let id = sim.handle.as_ref().unwrap().document_ids()[0].clone();
    sim.block_on(sim.client().get_document(&id, None)).unwrap()
}

/// The key of `job`'s first required parameter.
fn required_key(job: &coctop::coc::DocumentDetail) -> String {
    let required = job.parameters.iter().find(|p| p.required).unwrap();
    required.key.clone()
}

#[test]
fn run_by_name_with_yes_prints_the_new_id_alone_and_posts_once() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let job = a_job(&sim);
    let name = job.name.clone().unwrap();
    let required = required_key(&job);
    let before = sim.operations();
    let param = format!("{required}=from the test");
    let out = cli(
        home.path(),
        &sim,
        &[
            "run",
            &name,
            "--param",
            &param,
            "--description",
            "drill",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stdout(&out);
    let id = id.strip_suffix('\n').expect("one line");
    assert!(TicketRef::parse(id).is_ok() && !id.contains(' '), "{id:?}");
    assert_eq!(sim.operations() - before, 1);
    let started = sim.block_on(sim.client().get_execution(id)).unwrap();
    assert_eq!(
        started.document_id.as_deref(),
        Some(job.document_id.as_str())
    );
    assert!(started.parameters.contains(&KeyValue {
        key: required.as_str().into(),
        value: "from the test".into()
    }));
    assert_eq!(started.description.as_deref(), Some("drill"));
    let log = std::fs::read_to_string(log_path(home.path())).unwrap();
    assert!(
        log.contains(&format!("RUN {}: started {id}", job.document_id)),
        "{log}"
    );

    // By ID, at an older version.
    let old = job.versions[0].version.clone().unwrap();
    let out = cli(
        home.path(),
        &sim,
        &[
            "run",
            &job.document_id,
            "--version",
            &old,
            "--param",
            &param,
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    let started = sim.block_on(sim.client().get_execution(&id)).unwrap();
    assert_eq!(started.document_version.as_deref(), Some(old.as_str()));
    assert_eq!(sim.operations() - before, 2);
}

fn log_path(home: &Path) -> std::path::PathBuf {
    let out = coctop(home, &["config", "path"], &[]);
    let line = stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("log:").map(|p| p.trim().to_string()))
        .unwrap();
    std::path::PathBuf::from(line)
}

#[test]
fn run_sends_nothing_without_a_terminal_read_only_or_with_bad_input() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let job = a_job(&sim);
    let required = required_key(&job);
    let param = format!("{required}=x");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", &job.document_id, "--param", &param],
            "no terminal to confirm",
        ),
        (
            vec![
                "run",
                &job.document_id,
                "--param",
                &param,
                "--yes",
                "--read-only",
            ],
            "read-only",
        ),
        (
            vec!["run", &job.document_id, "--param", &required, "--yes"],
            "no `=`",
        ),
        (vec!["run", &job.document_id, "--yes"], "needs --param"),
        (
            vec![
                "run",
                &job.document_id,
                "--param",
                &param,
                "--param",
                "nope=1",
                "--yes",
            ],
            "has no parameter \"nope\"",
        ),
        (
            vec![
                "run",
                &job.document_id,
                "--param",
                &param,
                "--target",
                "i-1",
                "--yes",
            ],
            "--target-param",
        ),
        (
            vec!["run", "no job is called this", "--yes"],
            "no job has the ID or a name like",
        ),
        (
            vec!["run", "--script", "SC1", "--yes"],
            "at least one --target",
        ),
    ];
    for (args, says) in cases {
        let out = cli(home.path(), &sim, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(sim.operations(), 0, "not one POST");
    let log = std::fs::read_to_string(log_path(home.path())).unwrap();
    assert!(
        log.contains(&format!("RUN {}: not sent: read-only", job.document_id)),
        "{log}"
    );
}

#[test]
fn a_name_several_jobs_have_is_listed_and_nothing_is_sent() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let client = sim.client();
    let all = sim
        .block_on(client.list_documents(&Default::default()))
        .unwrap()
        .data;
    // A letter most names share.
    let common = ["e", "a", "o", "服"]
        .into_iter()
        .find(|part| {
            all.iter()
                .filter(|d| d.name.as_deref().is_some_and(|n| n.contains(part)))
                .count()
                > 1
        })
        .unwrap();
    let out = cli(home.path(), &sim, &["run", common, "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("jobs have a name like"), "{err}");
    let listed = all
        .iter()
        .filter(|d| {
            d.name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(common))
        })
        .filter(|d| err.contains(&d.document_id))
        .count();
    assert!(listed > 1, "{err}");
    assert_eq!(sim.operations(), 0);
}

/// A server that answers a document and its detail, and every POST as `post` says,
/// counting the POSTs.
fn a_server_whose_posts(
    post: &'static str,
) -> (String, Arc<AtomicUsize>, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = posts.clone();
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { return };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // The head, then the body its Content-Length names.
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let head = String::from_utf8_lossy(&request).to_string();
            let answer = |body: &str, status: &str| {
                format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            if head.starts_with("POST") {
                counted.fetch_add(1, Ordering::SeqCst);
                match post {
                    "500" => {
                        let body = r#"{"error_code": "COC.500", "error_msg": "internal"}"#;
                        let _ =
                            stream.write_all(answer(body, "500 Internal Server Error").as_bytes());
                    }
                    "hang" => std::thread::sleep(std::time::Duration::from_secs(6)),
                    _ => {} // dropped: closed without a word
                }
                continue;
            }
            let document = r#"{"data": {"document_id": "DM1", "name": "Restart\nnginx", "version": "v1",
                "parameters": [{"key": "note", "value": "line one\nline two", "required": false}]}}"#;
            let _ = stream.write_all(answer(document, "200 OK").as_bytes());
        }
    });
    (url, posts, thread)
}

#[test]
fn a_run_answered_500_dropped_or_hung_is_posted_once_and_left_unknown() {
    for post in ["500", "dropped", "hang"] {
        let (url, posts, _server) = a_server_whose_posts(post);
        let home = tempfile::tempdir().unwrap();
        let out = cli_at(
            home.path(),
            &url,
            &["run", "DM1", "--param", "note=x", "--yes"],
        );
        assert_eq!(out.status.code(), Some(5), "{post}: {}", stderr(&out));
        assert_eq!(posts.load(Ordering::SeqCst), 1, "{post}: exactly one POST");
        assert_eq!(stdout(&out), "", "{post}: no ID");
        let err = stderr(&out);
        assert!(err.contains("outcome unknown"), "{post}: {err}");
        assert!(
            err.contains("coctop list --job-id DM1 --since 2m"),
            "{post}: {err}"
        );
        let log = std::fs::read_to_string(log_path(home.path())).unwrap();
        assert_eq!(
            log.matches("RUN DM1: outcome unknown").count(),
            1,
            "{post}: {log}"
        );
    }
}

#[test]
fn run_follow_follows_the_new_ticket_to_its_end_as_wait_does() {
    let sim = Sim::start(SimOptions {
        speed: 60.0,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let job = a_job(&sim);
    let required = required_key(&job);
    let param = format!("{required}=x");
    let out = cli(
        home.path(),
        &sim,
        &[
            "run",
            &job.document_id,
            "--param",
            &param,
            "--yes",
            "--follow",
        ],
    );
    let text = stdout(&out);
    let mut lines = text.lines();
    let id = lines.next().unwrap();
    let last = lines.last().unwrap_or_default();
    let end = sim
        .block_on(sim.client().get_execution(id))
        .unwrap()
        .status
        .unwrap();
    assert!(end.is_terminal(), "{text}");
    assert!(last.ends_with(&format!("-> {end}")), "{text}");
    let want = if end == Status::Succeed { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(want), "{text}\n{}", stderr(&out));
}

#[test]
fn run_script_starts_a_script_ticket_whose_logs_can_be_read() {
    let sim = Sim::start(SimOptions {
        speed: 60.0,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let script = sim.handle.as_ref().unwrap().script_uuids()[0].clone();
    let host =
        r#"{"resource_id": "r-1", "properties": {"host_name": "web-77", "fixed_ip": "10.0.0.77"}}"#;
    let out = cli(
        home.path(),
        &sim,
        &[
            "run",
            "--script",
            &script,
            "--target",
            host,
            "--param",
            "target_dir=/tmp",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let reference = stdout(&out).trim().to_string();
    assert!(reference.starts_with("script/"), "{reference}");
    assert_eq!(sim.operations(), 1);
    let out = cli(home.path(), &sim, &["logs", &reference]);
    assert!(
        headers(&out)
            .iter()
            .any(|h| h.contains("web-77 · 10.0.0.77")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn run_on_a_terminal_shows_the_run_in_full_and_sends_only_on_y() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let job = a_job(&sim);
    let required = required_key(&job);
    let param = format!("{required}=first\nsecond\u{1b}[2J");
    let env = isolated_env(home.path());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let url = sim.url();
    for (answer, posts) in [("n", 0), ("y", 1)] {
        let mut app = PtyApp::spawn(
            &[
                "--endpoint",
                &url,
                "run",
                &job.document_id,
                "--param",
                &param,
            ],
            &env,
            120,
            30,
        );
        let screen = app.wait_for_text("Start it? [y/N]");
        assert!(
            screen.contains(&format!(
                "parameter {required} = first\\u{{a}}second\\u{{1b}}[2J"
            )),
            "{screen}"
        );
        assert!(
            screen.contains(&format!("({})", job.document_id)),
            "{screen}"
        );
        app.send(&format!("{answer}\r"));
        let code = app.wait_exit();
        assert_eq!(sim.operations(), posts, "{answer}");
        assert_eq!(code, if posts == 1 { 0 } else { 2 }, "{answer}");
    }
}
