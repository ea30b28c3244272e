//! Finding tickets through the list API: the simulator's list endpoint, `coctop list`,
//! `[[query]]` in the config and `coctop wait --query`, all over HTTP on loopback.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::support::{Sim, client, coctop, coctop_command, list_all, stderr, stdout};
use coctop::coc::{ListQuery, Status, Ticket};
use coctop::sim::SimOptions;
use serde_json::Value;

fn run(home: &Path, sim: &Sim, args: &[&str]) -> std::process::Output {
    let url = sim.url();
    let mut full = vec!["--endpoint", url.as_str()];
    full.extend_from_slice(args);
    coctop(home, &full, &[])
}

fn starts(tickets: &[Value]) -> Vec<i64> {
    tickets
        .iter()
        .map(|t| t["start_time"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_sim_pages_newest_first_refuses_limits_above_100_and_totals_the_filters() {
    let sim = Sim::start(SimOptions {
        tickets: 350,
        ..SimOptions::default()
    });
    let all = list_all(&sim, &ListQuery::default());
    assert_eq!(all.len(), 350);
    let times: Vec<i64> = all.iter().map(|t| t.start_time.unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let ids: HashSet<&str> = all.iter().map(|t| t.execution_id.as_str()).collect();
    assert_eq!(ids.len(), 350, "no ticket twice across pages");

    let creator = all[0].creator.as_deref().unwrap().to_string();
    let since = times[times.len() / 3];
    let query = ListQuery {
        creator: Some(creator.clone()),
        start_time: Some(since),
        exclude_child_executions: Some(true),
        ..ListQuery::default()
    };
    let expected: Vec<&str> = all
        .iter()
        .filter(|t| t.creator.as_deref() == Some(creator.as_str()))
        .filter(|t| t.start_time.unwrap() > since)
        .filter(|t| {
            !t.sys_tags
                .iter()
                .any(|x| &*x.key == "_sys_parent_execution_id")
        })
        .map(|t| t.execution_id.as_str())
        .collect();
    let got = list_all(&sim, &query);
    assert!(!expected.is_empty());
    assert_eq!(
        got.iter()
            .map(|t| t.execution_id.as_str())
            .collect::<Vec<_>>(),
        expected
    );

    let too_many = sim
        .block_on(client(&sim).list_executions(&ListQuery {
            limit: Some(101),
            ..ListQuery::default()
        }))
        .unwrap_err();
    assert_eq!(too_many.http_status(), Some(400));
    assert_eq!(too_many.error_code(), Some("COC.00040001"), "{too_many}");
}

#[test]
fn list_prints_the_get_table_and_json_newest_first_paging_past_100() {
    let sim = Sim::start(SimOptions {
        tickets: 250,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let newest: Vec<Ticket> = list_all(&sim, &ListQuery::default());

    let out = run(home.path(), &sim, &["list", "--limit", "150", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = json.as_array().unwrap();
    let ids: Vec<&str> = items
        .iter()
        .map(|t| t["execution_id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = newest[..150]
        .iter()
        .map(|t| t.execution_id.as_str())
        .collect();
    assert_eq!(ids, expected, "two pages, newest first");
    assert!(items[0]["parameters"].is_array(), "every field, as `get`");

    let out = run(home.path(), &sim, &["list", "--limit", "4"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert!(
        lines[0].starts_with("EXECUTION ID  ") && lines[0].contains("STATUS"),
        "the header of `get`: {table}"
    );
    for (line, ticket) in lines[1..].iter().zip(&newest) {
        assert!(line.starts_with(&ticket.execution_id), "{table}");
    }
    let get = run(
        home.path(),
        &sim,
        &["get", &newest[0].execution_id, &newest[1].execution_id],
    );
    assert_eq!(
        stdout(&get).lines().next(),
        Some(lines[0]),
        "the same columns as get"
    );
}

#[test]
fn list_filters_by_status_on_the_raw_status_and_by_the_api_filters() {
    let sim = Sim::start(SimOptions {
        tickets: 300,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let all = list_all(&sim, &ListQuery::default());
    let failed: Vec<&str> = all
        .iter()
        .filter(|t| t.status == Some(Status::Failed))
        .map(|t| t.execution_id.as_str())
        .collect();
    assert!(failed.len() > 3, "{}", failed.len());

    let out = run(
        home.path(),
        &sim,
        &["list", "--status", "failed", "--limit", "3", "-o", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["execution_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, failed[..3]);

    // Every failed ticket, found across all the pages.
    let out = run(
        home.path(),
        &sim,
        &[
            "list", "--status", "Failed", "--limit", "1000", "-o", "json",
        ],
    );
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), failed.len());

    let tag = all[0].tags[0].clone();
    let job = all[0].document_name.clone().unwrap();
    let tag_arg = format!("{}={}", tag.key, tag.value);
    let out = run(
        home.path(),
        &sim,
        &[
            "list", "--tag", &tag_arg, "--job", &job, "--since", "100000h", "-o", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = json.as_array().unwrap();
    let expected: Vec<&str> = all
        .iter()
        .filter(|t| t.tags.contains(&tag) && t.document_name.as_deref() == Some(&job))
        .map(|t| t.execution_id.as_str())
        .take(100)
        .collect();
    assert!(!items.is_empty());
    assert_eq!(
        items
            .iter()
            .map(|t| t["execution_id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        expected
    );
    let times = starts(items);
    assert!(times.windows(2).all(|w| w[0] >= w[1]));

    // --since: only tickets started within the last minute (none of the seeded ones).
    let out = run(home.path(), &sim, &["list", "--since", "1s", "-o", "json"]);
    assert_eq!(stdout(&out).trim(), "[]", "{}", stderr(&out));
}

#[test]
fn since_and_until_take_days_weeks_times_and_dates() {
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimOptions::default());
    let listed = |args: &[&str]| {
        let mut full = vec!["list", "-o", "json", "--limit", "1000"];
        full.extend_from_slice(args);
        let out = run(home.path(), &sim, &full);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
        json.as_array().unwrap().len()
    };
    let every = listed(&[]);
    assert!(every > 0);
    assert_eq!(listed(&["--since", "3650d"]), every);
    assert_eq!(listed(&["--since", "520w"]), every);
    assert_eq!(listed(&["--since", "2000-01-01"]), every);
    // Two days ahead: a date is read in the local zone, wherever that is.
    let ahead = chrono::Utc::now() + chrono::Duration::days(2);
    let date = ahead.format("%Y-%m-%d").to_string();
    let time = ahead.to_rfc3339();
    assert_eq!(listed(&["--since", &date]), 0, "started in two days");
    assert_eq!(listed(&["--since", &time]), 0, "started in two days");
    assert_eq!(listed(&["--until", "2000-01-01"]), 0, "ended before 2000");
    assert!(
        listed(&["--until", &date]) > 0,
        "ended before the day after tomorrow"
    );

    let out = run(home.path(), &sim, &["list", "--since", "a while"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("or a date like \"2025-07-01\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_exit_codes_are_those_of_get() {
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimOptions {
        credentials: Some(("LISTAK".into(), "list-secret".into())),
        ..SimOptions::default()
    });
    let url = sim.url();
    let wrong = coctop(
        home.path(),
        &["--endpoint", &url, "list"],
        &[
            ("HUAWEICLOUD_SDK_AK", "LISTAK"),
            ("HUAWEICLOUD_SDK_SK", "wrong"),
        ],
    );
    assert_eq!(wrong.status.code(), Some(4), "{}", stderr(&wrong));
    assert!(stderr(&wrong).contains("APIG.0301"), "{}", stderr(&wrong));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = coctop(home.path(), &["--endpoint", &dead, "list"], &[]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));

    for bad in [
        &["list", "--status", "Pausing"][..],
        &["list", "--limit", "0"],
        &["list", "--tag", "novalue"],
        &["list", "--until", "yesterday"],
    ] {
        let mut args = vec!["--endpoint", url.as_str()];
        args.extend_from_slice(bad);
        let out = coctop(home.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
    }
}

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn queries_in_the_config_are_checked_with_file_line_column_key_and_hint() {
    let home = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "[[query]]\nname = \"mine\"\ncreater = \"zhang\"\n",
            "3:1: unknown key `creater` in [[query]] (did you mean `creator`?)",
        ),
        (
            "[[query]]\nname = \"mine\"\nstatus = [\"Running\", \"Faild\"]\n",
            "3:22: `status` in [[query]]: unknown status \"Faild\" (did you mean \"Failed\"?)",
        ),
        (
            "[[query]]\nname = \"mine\"\nsince = \"a day\"\n",
            "3:9: `since` in [[query]]: invalid time \"a day\": expected a duration before now \
             like \"2h\" or \"7d\"",
        ),
        (
            "[[query]]\nname = \"mine\"\nsince = \"0d\"\n",
            "3:9: `since` in [[query]]: must be at least 1ms",
        ),
        (
            "[[query]]\nname = \"mine\"\nuntil = 2025-07-01T08:00:00\n",
            "3:9: `until` in [[query]]: invalid time \"2025-07-01T08:00:00\"",
        ),
        (
            "[[query]]\nname = \"mine\"\nsince = 7\n",
            "3:9: `since` in [[query]]: expected a string like \"24h\", \"7d\" or \"2025-07-01\"",
        ),
        (
            "[[query]]\nname = \"mine\"\ntags = [\"env\"]\n",
            "3:9: `tags` in [[query]]: tag \"env\": expected KEY=VALUE",
        ),
        (
            "[[query]]\nname = \"a\"\n[[query]]\nname = \"a\"\n",
            "4:8: `name` in [[query]]: duplicate query name \"a\" (first on line 2)",
        ),
        (
            "[[query]]\ncreator = \"x\"\n",
            "[[query]] entry without `name`",
        ),
        (
            "[[query]]\nname = \"mine\"\nlimit = 0\n",
            "3:9: `limit` in [[query]]: must be at least 1, got 0",
        ),
    ];
    for (text, expected) in cases {
        let path = write_config(home.path(), text);
        let out = coctop(
            home.path(),
            &["--config", path.to_str().unwrap(), "config", "check"],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{}:", path.display())) && err.contains(expected),
            "{text}\nwanted {expected}\ngot {err}"
        );
    }
    let path = write_config(
        home.path(),
        "[[query]]\nname = \"my team today\"\ncreator = \"zhang\"\njob = \"重启\"\n\
         job_id = \"DOC1\"\ntags = [\"env=prod\"]\nsince = \"2w\"\nuntil = \"1h\"\n\
         status = [\"Running\", \"Failed\", \"Timeout\"]\nlimit = 50\n\
         [[query]]\nname = \"july\"\nsince = 2025-07-01\nuntil = \"2025-08-01T00:00:00+08:00\"\n",
    );
    let out = coctop(
        home.path(),
        &["--config", path.to_str().unwrap(), "config", "check"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("OK: {} (0 watched tickets, 2 queries)\n", path.display())
    );
}

/// The creator of an active ticket of `all`, and a config in `home` whose query
/// `theirs` is that creator's tickets.
fn query_theirs_on_an_active_creator(home: &Path, all: &[Ticket]) -> (String, PathBuf) {
    let creator = all
        .iter()
        .find(|t| !t.is_terminal())
        .and_then(|t| t.creator.as_deref().map(str::to_string))
        .unwrap();
    let config = write_config(
        home,
        &format!("[[query]]\nname = \"theirs\"\ncreator = \"{creator}\"\n"),
    );
    (creator, config)
}

fn wait_with_query(sim: &Sim, home: &Path, config: &Path, extra: &[&str]) -> (i32, String) {
    let url = sim.url();
    let mut args = vec![
        "--endpoint",
        url.as_str(),
        "--config",
        config.to_str().unwrap(),
        "wait",
        "--interval",
        "1s",
        "--timeout",
        "2m",
    ];
    args.extend_from_slice(extra);
    let mut child = coctop_command(home, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first sight").unwrap();
    // Hours of ticket time pass: every running ticket ends.
    sim.handle
        .as_ref()
        .unwrap()
        .advance(Duration::from_secs(6 * 3600));
    let mut text = first + "\n";
    for line in lines {
        text.push_str(&line.unwrap());
        text.push('\n');
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), text)
}

#[test]
fn wait_query_waits_for_the_active_tickets_the_query_finds() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let all = list_all(&sim, &ListQuery::default());
    let (creator, config) = query_theirs_on_an_active_creator(home.path(), &all);
    let active: HashSet<String> = all
        .iter()
        .filter(|t| !t.is_terminal() && t.creator.as_deref() == Some(creator.as_str()))
        .map(|t| t.execution_id.clone())
        .collect();
    let (code, text) = wait_with_query(&sim, home.path(), &config, &["--query", "theirs"]);

    let mut last: HashMap<&str, Status> = HashMap::new();
    for line in text.lines() {
        let id = active
            .iter()
            .find(|id| line.contains(id.as_str()))
            .unwrap_or_else(|| panic!("a ticket the query did not find: {line}"));
        last.insert(id, Status::parse(line.rsplit("-> ").next().unwrap()));
    }
    assert_eq!(last.len(), active.len(), "{text}");
    assert!(last.values().all(Status::is_terminal), "{text}");
    let expected = if last.values().all(|s| *s == Status::Succeed) {
        0
    } else {
        1
    };
    assert_eq!(code, expected, "{text}");
}

#[test]
fn wait_query_output_jsonl_tells_the_querys_tickets_as_json_lines() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let all = list_all(&sim, &ListQuery::default());
    let (creator, config) = query_theirs_on_an_active_creator(home.path(), &all);
    let args = ["--query", "theirs", "--output", "jsonl"];
    let (code, text) = wait_with_query(&sim, home.path(), &config, &args);
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (done, changes) = events.split_last().unwrap();
    assert_eq!(
        (&done["event"], &done["exit"]),
        (&"done".into(), &code.into())
    );
    assert!(!changes.is_empty());
    for event in changes {
        assert_eq!(event["schema"], 1);
        let ticket = all.iter().find(|t| event["id"] == t.execution_id.as_str());
        assert_eq!(
            ticket.and_then(|t| t.creator.as_deref()),
            Some(creator.as_str())
        );
    }
}

#[test]
fn wait_query_names_unknown_queries_and_ends_at_once_when_nothing_is_active() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let config = write_config(
        home.path(),
        "[[query]]\nname = \"my team today\"\nsince = \"1s\"\n",
    );
    let url = sim.url();
    let base = [
        "--endpoint",
        url.as_str(),
        "--config",
        config.to_str().unwrap(),
        "wait",
    ];
    let run_wait = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        coctop(home.path(), &args, &[])
    };
    let out = run_wait(&["--query", "my team todya"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean \"my team today\"?"),
        "{}",
        stderr(&out)
    );
    let out = run_wait(&["--query", "my team today"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no active ticket"),
        "{}",
        stderr(&out)
    );
    let out = run_wait(&["--follow"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--follow without --query needs IDs"
    );
    assert!(stderr(&out).contains("no ticket IDs"), "{}", stderr(&out));
}

/// The dashboard in a pty: a query's tickets carry its name and the header counts
/// them; `b` browses the account newest first, `/status=Failed` narrows it, Enter
/// opens a ticket, `p` pins it, and after Esc and `b` it is in the list.
#[test]
fn dashboard_marks_query_tickets_and_browses_filters_opens_and_pins() {
    use crate::support::pty::{PtyApp, isolated_env};

    let sim = Sim::start(SimOptions::default());
    let all = list_all(&sim, &ListQuery::default());
    let watched = &all[all.len() - 1].execution_id;
    let creator = all[0].creator.as_deref().unwrap().to_string();
    let by_creator = all
        .iter()
        .filter(|t| t.creator.as_deref() == Some(creator.as_str()))
        .count();
    let failed: Vec<&Ticket> = all
        .iter()
        .filter(|t| t.status == Some(Status::Failed))
        .collect();
    let home = tempfile::tempdir().unwrap();
    let config = write_config(
        home.path(),
        &format!(
            "[api]\nendpoint = \"{}\"\n[poll]\ninterval = \"1s\"\n\n[[watch]]\nid = \"{watched}\"\n\
             \n[[query]]\nname = \"theirs\"\ncreator = \"{creator}\"\n",
            sim.url()
        ),
    );
    let mut env = isolated_env(home.path());
    env.push(("COCTOP_CONFIG".into(), config.display().to_string()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    let mut app = PtyApp::spawn(&[], &env, 160, 40);
    app.wait_for("the query's tickets marked, counted in the header", |s| {
        s.contains(&format!("[theirs] {by_creator}"))
            && s.matches("[theirs] ").count() > by_creator.min(10)
            && s.contains(&watched[..16])
    });

    app.send("b");
    app.wait_for("the newest tickets of the account", |s| {
        s.contains("browse: all") && s.contains(&all[0].execution_id[..16])
    });
    app.send("/status=Failed\r");
    let browsed = app.wait_for("only failed tickets", |s| {
        s.contains("browse: status=Failed") && s.contains(&failed[0].execution_id[..16])
    });
    let not_failed = all
        .iter()
        .find(|t| t.status != Some(Status::Failed))
        .unwrap();
    assert!(
        !browsed.contains(&not_failed.execution_id[..16]),
        "{browsed}"
    );

    app.send("\r");
    app.wait_for("the browsed ticket open", |s| {
        s.contains(&failed[0].execution_id) && s.contains("Esc back")
    });
    app.send("p");
    // Keys apart: an Esc right before another key reads as Alt+key.
    std::thread::sleep(Duration::from_millis(100));
    app.send("\x1b");
    app.wait_for("the browse view again", |s| {
        s.contains("browse: status=Failed")
    });
    app.send("b");
    app.wait_for("the pinned ticket in the list", |s| {
        !s.contains("browse:")
            && s.contains(&failed[0].execution_id[..16])
            && s.contains(&watched[..16])
    });
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(app.is_cooked());
}
