//! Lists from a hostile server: lying totals, repeated pages, oversized pages, bad IDs,
//! refusals and hangs. Whatever the server does, coctop ends, stays within its caps and
//! never sends faster than `max_rps`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::hostile::{Answer, Hostile, Seen, page, ticket};
use crate::support::{Sim, coctop_command, r, refs, stderr, stdout};
use coctop::coc::{ApiError, Auth, Client, ClientConfig, Endpoint, ListQuery, Operation};
use coctop::query::TicketQuery;
use coctop::sim::SimOptions;
use coctop::watch::{Command, EngineConfig, Limits, Reply, TicketUpdate, Update, spawn};
use serde_json::{Value, json};

/// Runs the real binary against `url`, killed after `limit`: `None` if it had not
/// ended by then.
fn run_within(url: &str, args: &[&str], limit: Duration) -> Option<std::process::Output> {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[api]\nendpoint = \"{url}\"\ntimeout = \"2s\"\n[poll]\nmax_rps = 20\n"),
    )
    .unwrap();
    let mut all = vec!["--config", config.to_str().unwrap()];
    all.extend(args);
    let mut child = coctop_command(home.path(), &all)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn ids(range: std::ops::Range<usize>) -> Vec<Value> {
    range.map(|i| ticket(&format!("EX{i:022}"))).collect()
}

fn client(url: &str) -> Client {
    let mut config = ClientConfig::new(Endpoint::from_url(url).unwrap(), Auth::None);
    config.retry = coctop::coc::RetryPolicy::none();
    config.timeout = Duration::from_secs(10);
    Client::new(config).unwrap()
}

#[test]
fn list_stops_on_a_repeated_page_and_prints_what_it_had() {
    let server = Hostile::start(|_| Answer::Json(200, page(&ids(0..100), "1000000000000")));
    let out = run_within(
        &server.url,
        &["list", "--limit", "1000000", "--output", "json"],
        Duration::from_secs(30),
    )
    .expect("list ends");
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), 100, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the server repeated a page"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        server.count("/v1/executions"),
        2,
        "the repeat is the last page"
    );
}

#[test]
fn list_prints_rows_as_pages_arrive() {
    // The second page never comes: the first one's rows are out already.
    let server = Hostile::start(|seen| match seen.number("offset") {
        0 => Answer::Json(200, page(&ids(0..100), "1000")),
        _ => Answer::Hang,
    });
    let home = tempfile::tempdir().unwrap();
    let mut child = coctop_command(
        home.path(),
        &["--endpoint", &server.url, "list", "--limit", "1000"],
    )
    .stdout(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, arrived) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    // Long before the hung page's 30 s deadline.
    let within = Duration::from_secs(5);
    let header = arrived.recv_timeout(within).expect("the header at once");
    assert!(header.starts_with("EXECUTION ID"), "{header}");
    let first = arrived
        .recv_timeout(within)
        .expect("the first page's rows at once");
    assert!(first.starts_with("EX0000"), "{first}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_page_is_read_up_to_the_limit_asked() {
    let oversized = page(&ids(0..20_000), "20000");
    let server = Hostile::start(move |_| Answer::Json(200, oversized.clone()));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let query = ListQuery {
        limit: Some(100),
        ..ListQuery::default()
    };
    let listed = runtime
        .block_on(client(&server.url).list_executions(&query))
        .unwrap();
    assert_eq!(listed.data.len(), 100);
}

#[test]
fn bad_ids_from_the_list_are_shown_escaped_and_cut() {
    let rows = vec![
        ticket(&"E".repeat(10_000)),
        ticket("EX\u{200b}2025070121014501abcdef"),
        ticket("EX\u{1b}]0;owned\u{7}"),
        ticket("EX2025070121014501abcdef"),
    ];
    let server = Hostile::start(move |_| Answer::Json(200, page(&rows, "4")));
    let out = run_within(&server.url, &["list"], Duration::from_secs(30)).expect("list ends");
    let table = stdout(&out);
    for line in table.lines() {
        assert!(line.chars().count() < 300, "{} characters", line.len());
        assert!(
            !line.contains('\u{1b}') && !line.contains('\u{200b}'),
            "{line:?}"
        );
    }
    assert!(table.contains("EX\\u{200b}2025"), "{table}");
    assert!(table.contains("EX\\u{1b}]0;owned"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("EX2025070121014501abcdef ") && l.contains("Running")),
        "{table}"
    );
}

/// Steps of 100 that repeat for ever under a `total` of 10^12.
fn endless_steps(seen: &Seen) -> Answer {
    if seen.path.ends_with("/steps") {
        let steps: Vec<Value> = (0..100)
            .map(|i| json!({"execution_step_id": format!("s{i}"), "name": "step", "status": "Running"}))
            .collect();
        return Answer::Json(200, page(&steps, "1000000000000"));
    }
    let id = seen.path.rsplit('/').next().unwrap_or_default().to_string();
    Answer::Json(200, json!({"data": ticket(&id)}).to_string())
}

#[test]
fn get_steps_ends_on_a_repeated_page_within_max_rps() {
    let server = Hostile::start(endless_steps);
    let id = "EX2025070121014501abcdef";
    let out = run_within(
        &server.url,
        &["get", "--steps", id],
        Duration::from_secs(30),
    )
    .expect("get --steps ends");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.count("/steps"), 2);
    assert!(server.most_within(Duration::from_millis(980)) <= 20);
}

#[test]
fn the_open_tickets_steps_stop_on_a_repeated_page() {
    let server = Hostile::start(endless_steps);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let id = "EX2025070121014501abcdef".to_string();
    let steps = runtime.block_on(async {
        let config = EngineConfig {
            interval: Duration::from_secs(3600),
            concurrency: 8,
            max_rps: 50.0,
        };
        let mut engine = spawn(Arc::new(client(&server.url)), config, vec![r(&id)]);
        engine.commands.send(Command::Follow(Some(r(&id)))).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut steps = None;
        while let Ok(Some(update)) = tokio::time::timeout_at(deadline, engine.updates.recv()).await
        {
            if let Update::Reply(Reply::Steps { result, .. }) = update {
                steps = Some(result.unwrap().len());
                break;
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        engine.shutdown().await;
        steps
    });
    assert_eq!(steps, Some(100));
    assert!(server.count("/steps") <= 3, "{}", server.count("/steps"));
}

/// A list page answering `total` with the watched tickets on it, for ticket GETs a
/// running ticket.
fn listing_with_total(total: &'static str, watched: Vec<String>) -> impl Fn(&Seen) -> Answer {
    move |seen| {
        if seen.path == "/v1/executions" {
            let rows: Vec<Value> = watched.iter().map(|id| ticket(id)).collect();
            return Answer::Json(200, page(&rows, total));
        }
        let id = seen.path.rsplit('/').next().unwrap_or_default();
        Answer::Json(200, json!({"data": ticket(id)}).to_string())
    }
}

#[test]
fn wait_survives_a_total_beyond_any_memory() {
    for total in ["9223372036854775807", "1e11"] {
        let watched: Vec<String> = (0..3).map(|i| format!("EX{i:022}")).collect();
        let server = Hostile::start(listing_with_total(total, watched.clone()));
        let mut args = vec!["wait", "--timeout", "3s"];
        args.extend(watched.iter().map(String::as_str));
        let out = run_within(&server.url, &args, Duration::from_secs(30)).expect("wait ends");
        assert_eq!(out.status.code(), Some(3), "{total}: {}", stderr(&out));
    }
}

/// Updates of an engine on `url` for `within`, then the engine stops.
fn run_engine(
    url: &str,
    watched: Vec<String>,
    query: Option<TicketQuery>,
    within: Duration,
) -> Vec<Update> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = client(url);
    runtime.block_on(async {
        let config = EngineConfig {
            interval: Duration::from_secs(1),
            concurrency: 8,
            max_rps: 50.0,
        };
        let mut engine = spawn(Arc::new(client), config, refs(&watched));
        if let Some(query) = query {
            engine
                .commands
                .send(Command::AddQuery {
                    name: "q".into(),
                    query: Box::new(query),
                })
                .unwrap();
        }
        let deadline = tokio::time::Instant::now() + within;
        let mut updates = Vec::new();
        while let Ok(Some(update)) = tokio::time::timeout_at(deadline, engine.updates.recv()).await
        {
            updates.push(update);
        }
        engine.shutdown().await;
        updates
    })
}

#[test]
fn refresh_by_pages_that_never_finds_its_tickets_falls_back_to_gets_and_learns() {
    let watched: Vec<String> = (0..6).map(|i| format!("EX{i:022}")).collect();
    let strangers = ids(1000..1040);
    let server = Hostile::start(move |seen| {
        if seen.path == "/v1/executions" {
            return Answer::Json(200, page(&strangers, "40"));
        }
        let id = seen.path.rsplit('/').next().unwrap_or_default();
        Answer::Json(200, json!({"data": ticket(id)}).to_string())
    });
    let updates = run_engine(&server.url, watched.clone(), None, Duration::from_secs(8));
    let snapshots = updates
        .iter()
        .filter(|u| matches!(u, Update::Ticket(TicketUpdate::Snapshot { .. })))
        .count();
    assert!(snapshots >= watched.len() * 6, "{snapshots} snapshots");
    let pages = server.count("/v1/executions") - server.count("/v1/executions/");
    assert!(pages <= 3, "{pages} list pages in 8 cycles");
}

#[test]
fn a_list_endpoint_answering_400_is_not_asked_again() {
    let server = Hostile::start(|seen| {
        if seen.path == "/v1/executions" {
            return Answer::Json(
                400,
                json!({"error_code": "COC.00040001", "error_msg": "bad query"}).to_string(),
            );
        }
        let id = seen.path.rsplit('/').next().unwrap_or_default();
        Answer::Json(200, json!({"data": ticket(id)}).to_string())
    });
    let watched: Vec<String> = (0..4).map(|i| format!("EX{i:022}")).collect();
    let query = TicketQuery::default();
    run_engine(&server.url, watched, Some(query), Duration::from_secs(5));
    let pages = server.count("/v1/executions") - server.count("/v1/executions/");
    assert_eq!(
        pages, 2,
        "one page of the watch list's window, one of the query"
    );
}

#[test]
fn an_operation_asked_of_the_engine_under_read_only_sends_nothing() {
    let sim = Sim::start(SimOptions::default());
    let id = sim.ids()[0].clone();
    let endpoint = Endpoint::from_url(&sim.url()).unwrap();
    let mut config = ClientConfig::new(endpoint, Auth::None);
    config.read_only = true;
    let client = Client::new(config).unwrap();
    let result = sim.block_on(async {
        let mut engine = spawn(
            Arc::new(client.clone()),
            EngineConfig::default(),
            vec![r(&id)],
        );
        engine
            .commands
            .send(Command::Operate {
                id: r(&id),
                operation: Operation::Terminate.into(),
            })
            .unwrap();
        let result = loop {
            match engine.updates.recv().await.unwrap() {
                Update::Reply(Reply::Operated { result, .. }) => break result,
                _ => continue,
            }
        };
        engine.shutdown().await;
        result
    });
    assert_eq!(result, Err(ApiError::ReadOnly));
    // The client itself refuses too, whoever asks.
    let direct = sim.block_on(client.operate_execution(&id, Operation::Retry));
    assert_eq!(direct, Err(ApiError::ReadOnly));
    assert_eq!(sim.operations(), 0);
}

#[test]
fn limits_are_what_the_readme_says() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (what, limits) in [
        ("tickets", Limits::TICKETS),
        ("steps", Limits::STEPS),
        ("hosts", Limits::INSTANCES),
    ] {
        let line = format!(
            "| {what} | {} pages | {} |",
            limits.max_pages,
            format_thousands(limits.max_items)
        );
        assert!(readme.contains(&line), "README lacks {line:?}");
    }
}

fn format_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How one hostile server lies, for the property test.
#[derive(Debug, Clone)]
struct Hostility {
    /// `total` as sent: a lie, a non-number, or nothing.
    total: &'static str,
    /// Every page is the first one again.
    repeats: bool,
    /// Rows per page, whatever `limit` asked.
    rows: usize,
    /// Some IDs break the ID rule.
    bad_ids: bool,
    /// Pages past the first never answer.
    hangs: bool,
}

fn hostility() -> impl proptest::strategy::Strategy<Value = Hostility> {
    use proptest::prelude::*;
    (
        prop::sample::select(vec![
            "9223372036854775807",
            "1e11",
            "-3",
            "\"many\"",
            "null",
            "250",
        ]),
        any::<bool>(),
        prop::sample::select(vec![0usize, 7, 100, 2500]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(total, repeats, rows, bad_ids, hangs)| Hostility {
            total,
            repeats,
            rows,
            bad_ids,
            hangs,
        })
}

impl Hostility {
    fn answer(&self, seen: &Seen) -> Answer {
        let offset = seen.number("offset") as usize;
        if self.hangs && offset > 0 {
            return Answer::Hang;
        }
        let start = if self.repeats { 0 } else { offset };
        let id = |i: usize| {
            if self.bad_ids && i.is_multiple_of(3) {
                format!("EX\u{200b}{i}\u{1b}{}", "x".repeat(i % 500))
            } else {
                format!("EX{i:022}")
            }
        };
        let rows: Vec<Value> = if seen.path.ends_with("/steps") {
            (start..start + self.rows)
                .map(|i| json!({"execution_step_id": id(i), "status": "Running"}))
                .collect()
        } else if seen.path.ends_with("/instances") {
            (start..start + self.rows)
                .map(|i| json!({"id": i, "execution_instance_id": id(i), "status": "Failed"}))
                .collect()
        } else if seen.path == "/v1/executions" {
            (start..start + self.rows).map(|i| ticket(&id(i))).collect()
        } else {
            let id = seen.path.rsplit('/').next().unwrap_or_default();
            return Answer::Json(200, json!({"data": ticket(id)}).to_string());
        };
        Answer::Json(200, page(&rows, self.total))
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 4,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Whatever list, steps and instances pages a server sends, the engine neither
    /// panics nor holds more than its caps, and never sends faster than `max_rps`.
    #[test]
    fn hostile_pages_never_crash_nor_flood_nor_grow_without_bound(hostility in hostility()) {
        const MAX_RPS: usize = 10;
        let script = hostility.clone();
        let server = Hostile::start(move |seen| script.answer(seen));
        let mut config = ClientConfig::new(Endpoint::from_url(&server.url).unwrap(), Auth::None);
        config.retry = coctop::coc::RetryPolicy::none();
        config.timeout = Duration::from_millis(300);
        let client = Client::new(config).unwrap();
        let watched: Vec<String> = (0..3).map(|i| format!("EX{i:022}")).collect();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (tracked, steps, hosts, ended) = runtime.block_on(async {
            let engine_config = EngineConfig {
                interval: Duration::from_millis(500),
                concurrency: 8,
                max_rps: MAX_RPS as f64,
            };
            let mut engine = spawn(Arc::new(client), engine_config, refs(&watched));
            let commands = &engine.commands;
            commands.send(Command::AddQuery { name: "q".into(), query: Box::default() }).unwrap();
            commands.send(Command::Follow(Some(r(&watched[0])))).unwrap();
            commands.send(Command::FetchInstances {
                id: r(&watched[0]),
                step_id: "s1".into(),
                page: coctop::watch::PageAt { cursor: coctop::watch::Cursor::Offset(0), limit: 100 },
            }).unwrap();
            let deadline = tokio::time::Instant::now() + Duration::from_millis(2000);
            let mut tracked = std::collections::HashSet::new();
            let (mut steps, mut hosts) = (0, 0);
            while let Ok(Some(update)) = tokio::time::timeout_at(deadline, engine.updates.recv()).await {
                match update {
                    Update::Ticket(TicketUpdate::Joined { id, .. }) => {
                        tracked.insert(id);
                    }
                    Update::Reply(Reply::Steps { result: Ok(s), .. }) => steps = steps.max(s.len()),
                    Update::Reply(Reply::Instances { result: Ok(p), .. }) => hosts = hosts.max(p.data.len()),
                    _ => {}
                }
            }
            let _ = engine.commands.send(Command::Shutdown);
            let ended = engine.task.await;
            (tracked.len(), steps, hosts, ended)
        });
        proptest::prop_assert!(ended.is_ok(), "the engine task panicked: {hostility:?}");
        proptest::prop_assert!(tracked <= Limits::TICKETS.max_items);
        proptest::prop_assert!(steps <= Limits::STEPS.max_items);
        proptest::prop_assert!(hosts <= 100, "{hosts} hosts on one page");
        // Arrival times carry a little loopback jitter: a window of 980 ms.
        let most = server.most_within(Duration::from_millis(980));
        proptest::prop_assert!(most <= MAX_RPS, "{most} requests in a second: {hostility:?}");
    }
}

/// A script ticket list page: `{"data": {"total", "data"}}`, rows keyed by `order_id`.
fn script_page(rows: std::ops::Range<usize>, total: &str) -> String {
    let rows: Vec<Value> = rows
        .map(|i| {
            json!({"order_id": i + 1, "execute_uuid": format!("JS{i:020}"),
                   "status": "PROCESSING", "gmt_created": 1_751_000_000_000i64 - i as i64})
        })
        .collect();
    json!({"data": {"total": total, "data": rows}}).to_string()
}

#[test]
fn a_script_list_whose_marker_is_ignored_ends_on_the_repeated_page() {
    // The marker is ignored: the first page forever, with a total beyond any memory.
    let server = Hostile::start(|_| Answer::Json(200, script_page(0..100, "1000000000000")));
    let out = run_within(
        &server.url,
        &[
            "list", "--kind", "script", "--limit", "1000000", "--output", "json",
        ],
        Duration::from_secs(30),
    )
    .expect("list ends");
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), 100, "{}", stderr(&out));
    assert!(rows.iter().all(|row| row["kind"] == "script"));
    assert!(
        stderr(&out).contains("the server repeated a page"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        server.count("/v1/job/script/orders"),
        2,
        "the repeat is the last page"
    );
}
