//! `coctop get` and `coctop wait`: the real binary against the simulator over HTTP,
//! for every exit code and both output formats.

use std::collections::HashMap;
use std::path::Path;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{Sim, coctop, coctop_command, stderr, stdout};
use coctop::coc::{ListQuery, Status, Ticket};
use coctop::sim::SimOptions;
use serde_json::Value;

const AK: &str = "HPUATESTAK000000001";
const SK: &str = "TestSecretKey00000000000000000000000SK";

/// Every seeded ticket, by status.
fn by_status(sim: &Sim) -> HashMap<Status, Vec<Ticket>> {
    let client = sim.client();
    let page = sim
        .block_on(client.list_executions(&ListQuery {
            limit: Some(100),
            ..ListQuery::default()
        }))
        .unwrap();
    let mut map: HashMap<Status, Vec<Ticket>> = HashMap::new();
    for t in page.data {
        map.entry(t.status.clone().unwrap()).or_default().push(t);
    }
    map
}

fn first_id(map: &HashMap<Status, Vec<Ticket>>, status: Status) -> String {
    map[&status][0].execution_id.clone()
}

fn run(home: &Path, sim: &Sim, args: &[&str]) -> std::process::Output {
    let url = sim.url();
    let mut full = vec!["--endpoint", url.as_str()];
    full.extend_from_slice(args);
    coctop(home, &full, &[])
}

#[test]
fn get_prints_a_table_and_json_with_api_field_names() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let tickets = by_status(&sim);
    let done = first_id(&tickets, Status::Succeed);
    let running = first_id(&tickets, Status::Running);

    let out = run(home.path(), &sim, &["get", &done, &running]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("EXECUTION ID"), "{table}");
    assert!(
        lines[1].starts_with(&done) && lines[1].contains("Succeed"),
        "{table}"
    );
    assert!(
        lines[2].starts_with(&running) && lines[2].contains("Running"),
        "{table}"
    );
    // Columns line up: every row's STATUS starts where the header's does.
    let col = lines[0].find("STATUS").unwrap();
    assert_eq!(&lines[1][col..col + 7], "Succeed", "{table}");

    let out = run(
        home.path(),
        &sim,
        &["get", "--output", "json", &done, &running],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["execution_id"], done.as_str());
    assert_eq!(items[0]["status"], "Succeed");
    assert!(items[0]["end_time"].is_i64());
    assert_eq!(items[1]["execution_id"], running.as_str());
    assert!(items[1]["parameters"].is_array());
    assert!(items[1].get("document_name").is_some());
}

#[test]
fn get_marks_an_unknown_ticket_and_exits_5() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let done = first_id(&by_status(&sim), Status::Succeed);
    let missing = "EX2025070100000000nothere";

    let out = run(home.path(), &sim, &["get", "-o", "json", &done, missing]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["status"], "Succeed");
    assert_eq!(json[1]["execution_id"], missing);
    assert_eq!(json[1]["error"]["error_code"], "COC.00040709");
    assert_eq!(json[1]["error"]["http_status"], 400);
    assert!(json[1]["error"]["request_id"].is_string());
    assert!(stderr(&out).contains(missing));

    let out = run(home.path(), &sim, &["get", missing]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stdout(&out).contains("ERROR"), "{}", stdout(&out));
}

#[test]
fn get_with_wrong_credentials_exits_4_and_right_ones_work() {
    let sim = Sim::start(SimOptions {
        credentials: Some((AK.into(), SK.into())),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let ids: Vec<String> = sim.ids().into_iter().take(6).collect();
    let url = sim.url();
    let mut args = vec!["--endpoint", url.as_str(), "get"];
    args.extend(ids.iter().map(String::as_str));

    let wrong = coctop(
        home.path(),
        &args,
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", "wrong")],
    );
    assert_eq!(wrong.status.code(), Some(4), "{}", stderr(&wrong));
    assert!(stderr(&wrong).contains("APIG.0301"), "{}", stderr(&wrong));
    assert!(!stderr(&wrong).contains("wrong"), "no secret in messages");

    let right = coctop(
        home.path(),
        &args,
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", SK)],
    );
    assert_eq!(right.status.code(), Some(0), "{}", stderr(&right));

    // The SDK profile file works the same way.
    let profile = home.path().join("credentials");
    std::fs::write(&profile, format!("[global]\nak = {AK}\nsk = {SK}\n")).unwrap();
    let from_profile = coctop(
        home.path(),
        &args,
        &[(
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            profile.to_str().unwrap(),
        )],
    );
    assert_eq!(
        from_profile.status.code(),
        Some(0),
        "{}",
        stderr(&from_profile)
    );
}

#[test]
fn get_usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let no_ids = coctop(
        home.path(),
        &["--endpoint", "http://127.0.0.1:9", "get"],
        &[],
    );
    assert_eq!(no_ids.status.code(), Some(2));
    assert!(
        stderr(&no_ids).contains("no ticket IDs"),
        "{}",
        stderr(&no_ids)
    );

    let bad_id = coctop(
        home.path(),
        &["--endpoint", "http://127.0.0.1:9", "get", "EX1/../x"],
        &[],
    );
    assert_eq!(bad_id.status.code(), Some(2));
    assert!(stderr(&bad_id).contains("slash"), "{}", stderr(&bad_id));

    let no_credentials = coctop(home.path(), &["--region", "cn-north-4", "get", "EX1"], &[]);
    assert_eq!(no_credentials.status.code(), Some(2));
    assert!(
        stderr(&no_credentials).contains("HUAWEICLOUD_SDK_AK"),
        "{}",
        stderr(&no_credentials)
    );

    let bad_output = coctop(home.path(), &["get", "-o", "yaml", "EX1"], &[]);
    assert_eq!(bad_output.status.code(), Some(2));
}

#[test]
fn get_without_ids_prints_the_configs_tickets_with_labels() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let ids: Vec<String> = sim.ids().into_iter().take(3).collect();
    let mut text = format!("[api]\nendpoint = \"{}\"\n", sim.url());
    for (i, id) in ids.iter().enumerate() {
        text.push_str(&format!(
            "[[watch]]\nid = \"{id}\"\nlabel = \"drill {i}\"\n"
        ));
    }
    let config = home.path().join("c.toml");
    std::fs::write(&config, text).unwrap();

    let out = coctop(
        home.path(),
        &["--config", config.to_str().unwrap(), "get"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    for (i, id) in ids.iter().enumerate() {
        assert!(
            table.contains(id) && table.contains(&format!("drill {i}")),
            "{table}"
        );
    }
}

#[test]
fn wait_exits_0_when_every_ticket_succeeded_and_1_when_one_failed() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let tickets = by_status(&sim);
    let done = first_id(&tickets, Status::Succeed);
    let failed = first_id(&tickets, Status::Failed);

    let ok = run(home.path(), &sim, &["wait", &done]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stdout(&ok).contains(&done) && stdout(&ok).contains("-> Succeed"));

    let bad = run(home.path(), &sim, &["wait", &done, &failed]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(stdout(&bad).contains("-> Failed"), "{}", stdout(&bad));
}

/// Follows live tickets to their end; the exit code agrees with how they ended.
fn follow_live(sim: &Sim, json: bool) {
    let home = tempfile::tempdir().unwrap();
    let tickets = by_status(sim);
    let running: Vec<String> = tickets[&Status::Running]
        .iter()
        .take(2)
        .map(|t| t.execution_id.clone())
        .collect();
    let url = sim.url();
    let mut args = vec![
        "--endpoint",
        &url,
        "wait",
        "--interval",
        "1s",
        "--timeout",
        "5m",
    ];
    if json {
        args.push("--json");
    }
    args.extend(running.iter().map(String::as_str));
    let mut child = coctop_command(home.path(), &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both are seen running; then hours of ticket time pass at once.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut text = String::new();
    while text.matches("Running").count() < 2 {
        let line = lines.next().expect("a line per first sight").unwrap();
        text.push_str(&line);
        text.push('\n');
    }
    sim.handle
        .as_ref()
        .unwrap()
        .advance(std::time::Duration::from_secs(6 * 3600));
    for line in lines {
        text.push_str(&line.unwrap());
        text.push('\n');
    }
    let out = child.wait_with_output().unwrap();

    let mut last: HashMap<String, String> = HashMap::new();
    for line in text.lines() {
        let (id, to) = if json {
            let v: Value = serde_json::from_str(line).expect("one JSON object per line");
            assert!(v["time"].is_string());
            (
                v["execution_id"].as_str().unwrap().to_string(),
                v["to"].as_str().unwrap().to_string(),
            )
        } else {
            let id = running
                .iter()
                .find(|id| line.contains(id.as_str()))
                .unwrap();
            (id.clone(), line.rsplit("-> ").next().unwrap().to_string())
        };
        last.insert(id, to);
    }
    assert_eq!(last.len(), 2, "a line per ticket at least:\n{text}");
    let ends: Vec<Status> = last.values().map(|s| Status::parse(s)).collect();
    assert!(ends.iter().all(Status::is_terminal), "{text}");
    let expected = if ends.iter().all(|s| *s == Status::Succeed) {
        0
    } else {
        1
    };
    assert_eq!(
        out.status.code(),
        Some(expected),
        "{text}\n{}",
        stderr(&out)
    );
    // More than the first sight: the change from Running was seen as it happened.
    assert!(text.matches("Running").count() >= 2, "{text}");
}

#[test]
fn wait_follows_running_tickets_to_their_end() {
    let sim = Sim::start(SimOptions::default());
    follow_live(&sim, false);
}

#[test]
fn wait_json_prints_one_object_per_change() {
    let sim = Sim::start(SimOptions::default());
    follow_live(&sim, true);
}

#[test]
fn wait_rides_out_server_errors_and_throttling() {
    let sim = Sim::start(SimOptions {
        fail_rate: 0.3,
        throttle_rate: 0.1,
        ..SimOptions::default()
    });
    follow_live(&sim, true);
}

#[test]
fn wait_timeout_exits_3() {
    let sim = Sim::start(SimOptions {
        speed: 0.001,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let tickets = by_status(&sim);
    let running = first_id(&tickets, Status::Running);
    // A Pending ticket is waiting, not failing.
    let pending = first_id(&tickets, Status::Pending);
    let out = run(
        home.path(),
        &sim,
        &["wait", "--timeout", "2s", &running, &pending],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(&running), "{}", stderr(&out));
    assert!(stderr(&out).contains(&pending), "{}", stderr(&out));
}

#[test]
fn wait_auth_failure_exits_4() {
    let sim = Sim::start(SimOptions {
        credentials: Some((AK.into(), SK.into())),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let id = sim.ids()[0].clone();
    let url = sim.url();
    let out = coctop(
        home.path(),
        &["--endpoint", &url, "wait", "--timeout", "30s", &id],
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", "wrong")],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}

#[test]
fn wait_on_a_ticket_that_does_not_exist_exits_5() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let out = run(
        home.path(),
        &sim,
        &["wait", "--timeout", "30s", "EX2025070100000000nothere"],
    );
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("COC.00040709"), "{}", stderr(&out));
}

#[test]
fn wait_usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let out = coctop(home.path(), &["wait", "--interval", "soon", "EX1"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("soon"), "{}", stderr(&out));

    // Faster than the config allows would only spend the request budget.
    let out = coctop(home.path(), &["wait", "--interval", "200ms", "EX1"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("at least 1s"), "{}", stderr(&out));
}

#[test]
fn the_dashboard_without_config_or_credentials_points_to_init_and_demo() {
    let home = tempfile::tempdir().unwrap();
    let out = coctop(home.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("HUAWEICLOUD_SDK_AK"), "{err}");
    assert!(
        err.contains("coctop config init") && err.contains("coctop --demo"),
        "{err}"
    );
}

#[test]
fn get_keeps_to_max_rps_and_asks_once_for_a_repeated_id() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[api]\nendpoint = \"{}\"\n[poll]\nmax_rps = 4\n", sim.url()),
    )
    .unwrap();
    let ids = sim.ids();
    // Nine distinct IDs, the first asked three times.
    let mut args = vec!["--config", config.to_str().unwrap(), "get"];
    args.extend(ids[..9].iter().map(String::as_str));
    args.extend([ids[0].as_str(), ids[0].as_str()]);
    let served = sim.handle.as_ref().unwrap().requests_served();
    let started = std::time::Instant::now();
    let out = coctop(home.path(), &args, &[]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sent = sim.handle.as_ref().unwrap().requests_served() - served;
    assert_eq!(sent, 9, "one request per distinct ID");
    let table = stdout(&out);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 9, "{table}");
    for (row, id) in rows.iter().zip(&ids[..9]) {
        assert!(
            row.starts_with(id.as_str()),
            "rows in the order asked:\n{table}"
        );
    }
    // Starts 250 ms apart at 4 per second: the ninth no sooner than 2 s after the first.
    assert!(took >= std::time::Duration::from_secs(2), "{took:?}");
}

#[test]
fn get_steps_and_instances_print_what_the_api_says_failed_hosts_first() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let tickets = by_status(&sim);
    let is_batch = |t: &&Ticket| {
        t.execution_type
            .as_ref()
            .is_some_and(|k| k.as_str() == "BATCH")
    };
    let failed = tickets[&Status::Failed]
        .iter()
        .find(is_batch)
        .unwrap()
        .execution_id
        .clone();
    let missing = "EX2099010100000000nobody";
    let steps = crate::support::all_steps(&sim, &failed);

    let out = run(home.path(), &sim, &["get", "--steps", &failed]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("EXECUTION ID") && lines[0].contains("MESSAGE"));
    assert_eq!(lines.len(), 1 + steps.len(), "{table}");
    let failed_step = steps
        .iter()
        .find(|s| s.status == Some(Status::Failed))
        .unwrap();
    let row = lines
        .iter()
        .find(|l| l.contains(failed_step.execution_step_id.as_deref().unwrap()))
        .unwrap();
    assert!(row.contains("Failed") && row.contains(failed_step.message.as_deref().unwrap()));

    let out = run(
        home.path(),
        &sim,
        &["get", "--steps", "-o", "json", &failed, missing],
    );
    assert_eq!(out.status.code(), Some(5));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["execution_id"], failed.as_str());
    assert_eq!(json[0]["steps"], serde_json::to_value(&steps).unwrap());
    assert_eq!(json[1]["error"]["error_code"], "COC.00040709");

    let out = run(
        home.path(),
        &sim,
        &["get", "--instances", "-o", "json", &failed],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let printed = json[0]["instances"].as_array().unwrap();
    let mut expected = 0;
    for step in &steps {
        let id = step.execution_step_id.as_deref().unwrap();
        let hosts = crate::support::all_instances(&sim, id);
        expected += hosts.len();
        for host in &hosts {
            let same = serde_json::to_value(host).unwrap();
            assert!(printed.contains(&same), "{same} missing");
        }
    }
    assert!(
        expected > 0 && printed.len() == expected,
        "{expected} {printed:?}"
    );

    // A ticket that failed on its hosts: the failed host is listed first.
    let every: Vec<Ticket> = tickets.values().flatten().cloned().collect();
    let with_failed_host = every.iter().find(|t| {
        let steps = crate::support::all_steps(&sim, &t.execution_id);
        steps.iter().any(|s| {
            matches!(s.status, Some(Status::Failed | Status::Timeout))
                && s.properties.get("on_targets").and_then(Value::as_str) == Some("true")
                && t.execution_type
                    .as_ref()
                    .is_some_and(|k| k.as_str() != "NORMAL")
        })
    });
    let ticket = with_failed_host.expect("the seeded set has a ticket failed on its hosts");
    let out = run(
        home.path(),
        &sim,
        &["get", "--instances", &ticket.execution_id],
    );
    let table = stdout(&out);
    let first_row = table.lines().nth(1).unwrap();
    assert!(
        first_row.contains("Failed") || first_row.contains("Timeout"),
        "{table}"
    );
}

/// `wait --follow --output jsonl` on two running tickets: the first sights arrive
/// while it still runs (each line is flushed), then hours of ticket time pass; the
/// lines and the exit code.
fn wait_jsonl(sim: &Sim, extra: &[&str]) -> (i32, Vec<Value>) {
    let home = tempfile::tempdir().unwrap();
    let running: Vec<String> = by_status(sim)[&Status::Running]
        .iter()
        .take(2)
        .map(|t| t.execution_id.clone())
        .collect();
    let url = sim.url();
    let mut args = vec!["--endpoint", &url, "wait", "--interval", "1s"];
    args.extend_from_slice(extra);
    args.extend(running.iter().map(String::as_str));
    let mut child = coctop_command(home.path(), &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut events: Vec<Value> = Vec::new();
    while events.iter().filter(|e| e["event"] == "seen").count() < 2 {
        let line = lines.next().expect("a line per first sight").unwrap();
        events.push(serde_json::from_str(&line).expect("one JSON object per line"));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "lines come as they happen"
    );
    sim.handle
        .as_ref()
        .unwrap()
        .advance(std::time::Duration::from_secs(6 * 3600));
    for line in lines {
        events.push(serde_json::from_str(&line.unwrap()).expect("one JSON object per line"));
    }
    let code = child.wait().unwrap().code().unwrap();
    for event in &events {
        assert_eq!(event["schema"], 1, "{event}");
        chrono::DateTime::parse_from_rfc3339(event["time"].as_str().unwrap()).unwrap();
        if event["event"] == "seen" || event["event"] == "changed" {
            assert!(
                running.iter().any(|id| event["id"] == id.as_str()),
                "{event}"
            );
            assert_eq!(event["kind"], "execution");
        }
    }
    (code, events)
}

#[test]
fn wait_follow_jsonl_prints_every_event_flushed_and_ends_with_done() {
    let sim = Sim::start(SimOptions::default());
    let (code, events) = wait_jsonl(&sim, &["--follow", "--output", "jsonl"]);
    let (done, changes) = events.split_last().unwrap();
    assert_eq!(done["event"], "done", "the last line: {done}");
    assert_eq!(done["exit"], code, "{done}");
    assert_eq!(
        done["result"],
        if code == 0 { "success" } else { "unsuccessful" }
    );
    let mut last: HashMap<&str, &str> = HashMap::new();
    for event in changes {
        let id = event["id"].as_str().unwrap();
        match last.get(id) {
            None => assert_eq!(
                (&event["event"], &event["from"]),
                (&"seen".into(), &Value::Null)
            ),
            Some(was) => {
                assert_eq!(event["event"], "changed", "{event}");
                assert_eq!(event["from"], *was, "{event}");
            }
        }
        last.insert(id, event["to"].as_str().unwrap());
    }
    assert_eq!(last.len(), 2);
    assert!(
        last.values().all(|s| Status::parse(s).is_terminal()),
        "{events:?}"
    );
    let failed = last.values().any(|s| Status::parse(s).is_unsuccessful());
    assert_eq!(code, i32::from(failed), "{events:?}");
}

#[test]
fn wait_jsonl_tells_errors_and_throttling_as_events_and_rides_them_out() {
    let sim = Sim::start(SimOptions {
        fail_rate: 0.4,
        throttle_rate: 0.3,
        ..SimOptions::default()
    });
    let (code, events) = wait_jsonl(&sim, &["-o", "jsonl"]);
    assert!(code <= 1, "{events:?}");
    let error = events
        .iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("an error event: {events:?}"));
    assert!(error["id"].is_string() && error["error"]["http_status"].as_u64() >= Some(500));
    assert!(error["error"]["message"].is_string(), "{error}");
    let throttled = events
        .iter()
        .find(|e| e["event"] == "throttled")
        .unwrap_or_else(|| panic!("a throttled event: {events:?}"));
    assert_eq!(throttled["error"]["http_status"], 429);
    let until = chrono::DateTime::parse_from_rfc3339(throttled["until"].as_str().unwrap());
    let at = chrono::DateTime::parse_from_rfc3339(throttled["time"].as_str().unwrap());
    assert!(until.unwrap() > at.unwrap(), "{throttled}");
    assert_eq!(events.last().unwrap()["event"], "done");
}

#[test]
fn wait_jsonl_ends_with_done_on_a_time_out_and_json_conflicts_with_it() {
    let sim = Sim::start(SimOptions {
        speed: 0.001,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let running = first_id(&by_status(&sim), Status::Running);
    let out = run(
        home.path(),
        &sim,
        &["wait", "--output", "jsonl", "--timeout", "2s", &running],
    );
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    let done: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(
        (&done["event"], &done["exit"], &done["result"]),
        (&"done".into(), &3.into(), &"timeout".into())
    );
    assert!(
        done["message"].as_str().unwrap().contains(&running),
        "{done}"
    );
    let both = run(
        home.path(),
        &sim,
        &["wait", "--json", "--output", "jsonl", &running],
    );
    assert_eq!(both.status.code(), Some(2));
}

/// `wait --query NAME --output jsonl` ends with `done` however it ends: a refused key
/// on the query's first page (exit 4), or no active ticket to wait for (exit 0).
#[test]
fn wait_query_jsonl_ends_with_done_when_the_first_page_is_refused_or_finds_nothing() {
    let sim = Sim::start(SimOptions {
        credentials: Some(("AK1".into(), coctop::coc::Secret::new("right"))),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let config = |sk: &str, status: &str| {
        let text = format!(
            "[api]\nendpoint = \"{}\"\n[auth]\nak = \"AK1\"\nsk = \"{sk}\"\n\
             [[query]]\nname = \"q\"\nsince = \"3650d\"\nstatus = [\"{status}\"]\n",
            sim.url()
        );
        crate::support::config_in(home.path(), &text).0
    };
    let last_line = |out: &std::process::Output| -> Value {
        let text = stdout(out);
        let line = text
            .lines()
            .last()
            .unwrap_or_else(|| panic!("no line; {}", stderr(out)));
        serde_json::from_str(line).unwrap()
    };
    for (sk, status, exit, result) in [
        ("wrong", "Running", 4, "auth"),
        ("right", "Succeed", 0, "success"),
    ] {
        let path = config(sk, status).display().to_string();
        let args = [
            "--config", &path, "wait", "--query", "q", "--output", "jsonl",
        ];
        let out = coctop(home.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(exit), "{}", stderr(&out));
        let done = last_line(&out);
        assert_eq!(
            (&done["event"], &done["exit"], &done["result"]),
            (&"done".into(), &exit.into(), &result.into()),
            "{done}"
        );
        assert!(
            done["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{done}"
        );
    }
}
