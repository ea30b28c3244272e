//! `coctop serve`, the real binary against the simulator: `/metrics` read back with a
//! Prometheus text parser and held to the simulator's own truth, `/healthz`, `/events`,
//! and where it may listen.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use coctop::coc::{ListQuery, Secret, Status};
use coctop::sim::SimOptions;
use prometheus_parse::{Sample, Scrape, Value};

use crate::support::{self, Sim, coctop_command, config_in, list_all};

/// A `coctop serve` process; SIGTERM on drop.
pub struct Served {
    child: Child,
    pub url: String,
}

/// The first line `coctop serve` prints: where it listens.
fn banner_of(child: &mut std::process::Child) -> String {
    let mut banner = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    banner
}

impl Served {
    /// Starts `coctop serve` on a free loopback port with `config` (the text of a file).
    pub fn start(home: &Path, config: &str) -> Served {
        Served::start_with(home, config, &[])
    }

    /// `start`, with `env` added to the process's environment.
    pub fn start_with(home: &Path, config: &str, env: &[(&str, &str)]) -> Served {
        let (path, _) = config_in(home, config);
        let path = path.display().to_string();
        let mut child = coctop_command(
            home,
            &["--config", &path, "serve", "--listen", "127.0.0.1:0"],
        )
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        let banner = banner_of(&mut child);
        let url = banner
            .strip_prefix("coctop serve listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{banner:?}"))
            .to_string();
        Served { child, url }
    }

    pub fn get(&self, sim: &Sim, path: &str) -> (u16, String) {
        let url = format!("{}{path}", self.url);
        sim.block_on(async {
            let response = reqwest::get(&url).await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        })
    }

    /// `/metrics`, parsed.
    pub fn scrape(&self, sim: &Sim) -> Vec<Sample> {
        let (status, text) = self.get(sim, "/metrics");
        assert_eq!(status, 200, "{text}");
        parse(&text)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // SAFETY: a signal to our own child.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// The samples of a scrape; every line that is not a comment must be one of them, so
/// a line the parser could not read fails the test instead of vanishing.
fn parse(text: &str) -> Vec<Sample> {
    let lines: Vec<std::io::Result<String>> = text.lines().map(|l| Ok(l.to_string())).collect();
    let scrape = Scrape::parse(lines.into_iter()).expect("Prometheus text format");
    let sample_lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .count();
    assert_eq!(scrape.samples.len(), sample_lines, "{text}");
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let name = line.split_whitespace().nth(2).unwrap();
        assert!(scrape.docs.contains_key(name), "no HELP for {name}");
    }
    scrape.samples
}

fn value(sample: &Sample) -> f64 {
    match sample.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
        ref other => panic!("{other:?}"),
    }
}

/// The sum of `metric`'s samples whose labels include every one of `labels`.
pub fn sum(samples: &[Sample], metric: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(value)
        .sum()
}

/// Scrapes until `done` holds (within 30 s); the last scrape.
pub fn scrape_until(served: &Served, sim: &Sim, done: impl Fn(&[Sample]) -> bool) -> Vec<Sample> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let samples = served.scrape(sim);
        if done(&samples) {
            return samples;
        }
        assert!(Instant::now() < deadline, "never: {samples:#?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Tickets per status, from the simulator's own list API.
pub fn truth(sim: &Sim) -> BTreeMap<String, f64> {
    let mut counts = BTreeMap::new();
    for ticket in list_all(sim, &ListQuery::default()) {
        let status = ticket.status.map_or("unknown".into(), |s| s.to_string());
        *counts.entry(status).or_default() += 1.0;
    }
    counts
}

pub fn tickets_by_status(samples: &[Sample], query: &str) -> BTreeMap<String, f64> {
    samples
        .iter()
        .filter(|s| s.metric == "coctop_tickets" && s.labels.get("query") == Some(query))
        .filter(|s| value(s) > 0.0)
        .map(|s| (s.labels.get("status").unwrap().to_string(), value(s)))
        .collect()
}

/// A simulator whose tickets stand still unless the test moves its clock.
pub fn still_sim(options: SimOptions) -> Sim {
    Sim::start(SimOptions {
        speed: 1e-4,
        ..options
    })
}

fn config_for(sim: &Sim, interval: &str, extra: &str) -> String {
    format!(
        "[api]\nendpoint = \"{}\"\n[poll]\ninterval = \"{interval}\"\nmax_rps = 200\n\
         [[query]]\nname = \"all\"\nsince = \"3650d\"\n{extra}",
        sim.url()
    )
}

#[test]
fn metrics_parse_and_equal_the_simulators_truth() {
    let sim = still_sim(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let watched = &sim.ids()[..2];
    let scripts = sim.handle.as_ref().unwrap().script_ticket_ids();
    let watched_script = format!("script/{}", scripts[0]);
    // One pass, then nothing for an hour: the counts stand still to be compared.
    let extra = format!(
        "{}\n[[watch]]\nid = \"{watched_script}\"\n\n\
         [[query]]\nname = \"scripts\"\nkind = \"script\"\nsince = \"3650d\"\n",
        support::watch_blocks(watched)
    );
    let served = Served::start(home.path(), &config_for(&sim, "1h", &extra));
    let samples = scrape_until(&served, &sim, |s| {
        sum(s, "coctop_tickets", &[("query", "all")]) == 48.0
            && sum(s, "coctop_tickets", &[("query", "scripts")]) == scripts.len() as f64
            && sum(s, "coctop_tickets", &[("query", "")]) == 3.0
    });
    let requests_sent = sum(&samples, "coctop_api_requests_total", &[]);
    assert_eq!(
        requests_sent,
        sim.requests() as f64,
        "every request counted once"
    );
    assert_eq!(
        sum(
            &samples,
            "coctop_api_requests_total",
            &[("outcome", "ok"), ("profile", "default")]
        ),
        requests_sent
    );
    let truth = truth(&sim);
    assert_eq!(tickets_by_status(&samples, "all"), truth);
    let client = sim.client();
    let script_status = |uuid: &str| {
        let ticket = sim.block_on(client.get_script_ticket(uuid)).unwrap();
        ticket.status.unwrap().as_str().to_string()
    };
    let script_truth = scripts.iter().fold(BTreeMap::new(), |mut m, uuid| {
        *m.entry(script_status(uuid)).or_default() += 1.0;
        m
    });
    assert_eq!(tickets_by_status(&samples, "scripts"), script_truth);
    let mut watched_truth: BTreeMap<String, f64> =
        watched.iter().fold(BTreeMap::new(), |mut m, id| {
            let status = support::status_of(&sim, id).unwrap().to_string();
            *m.entry(status).or_default() += 1.0;
            m
        });
    *watched_truth.entry(script_status(&scripts[0])).or_default() += 1.0;
    assert_eq!(tickets_by_status(&samples, ""), watched_truth);
    assert_eq!(
        sum(
            &samples,
            "coctop_status_transitions_total",
            &[("from", "none")]
        ),
        48.0 + scripts.len() as f64,
        "each ticket's first sight, once"
    );
    assert_eq!(
        sum(
            &samples,
            "coctop_status_transitions_total",
            &[("from", "none"), ("kind", "script")]
        ),
        scripts.len() as f64
    );
    for sample in samples.iter().filter(|s| s.metric == "coctop_tickets") {
        let status = sample.labels.get("status").unwrap();
        let script = coctop::coc::ScriptStatus::KNOWN
            .iter()
            .any(|s| s.as_str() == status);
        let kind = sample.labels.get("kind");
        match sample.labels.get("query") {
            Some("all") => assert_eq!(kind, Some("execution")),
            Some("scripts") => assert_eq!(kind, Some("script")),
            _ if status != "unknown" => {
                assert_eq!(kind, Some(if script { "script" } else { "execution" }))
            }
            _ => {}
        }
        let ids = sim.ids();
        assert!(
            !ids.iter()
                .any(|id| format!("{:?}", sample.labels).contains(id.as_str())),
            "no execution ID in a label: {sample:?}"
        );
    }
    let last = sum(
        &samples,
        "coctop_last_successful_poll_timestamp_seconds",
        &[],
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((now - 60.0..=now).contains(&last), "{last} vs {now}");
    assert_eq!(sum(&samples, "coctop_profile_up", &[]), 1.0);
    let (status, body) = served.get(&sim, "/healthz");
    assert_eq!((status, body.lines().next()), (200, Some("ok")), "{body}");
    assert!(body.contains("default: polling; last success"), "{body}");
    let (status, _) = served.get(&sim, "/nothing-here");
    assert_eq!(status, 404);
}

#[test]
fn events_tell_every_change_as_a_line_of_json_matching_the_simulator() {
    let sim = still_sim(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let served = Served::start(home.path(), &config_for(&sim, "1s", ""));
    scrape_until(&served, &sim, |s| {
        sum(s, "coctop_tickets", &[("query", "all")]) == 48.0
    });
    let statuses = || -> BTreeMap<String, Status> {
        list_all(&sim, &ListQuery::default())
            .into_iter()
            .map(|t| (t.execution_id, t.status.unwrap()))
            .collect()
    };
    let before = statuses();
    let url = format!("{}/events", served.url);
    let mut response = sim.block_on(reqwest::get(&url)).unwrap();
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    // A hundred days on: the running tickets end, new ones start (and some end).
    sim.handle
        .as_ref()
        .unwrap()
        .advance(Duration::from_secs(100 * 86_400));
    let after = statuses();
    let changed = before.iter().filter(|(id, s)| after[*id] != **s).count();
    let started = after.keys().filter(|id| !before.contains_key(*id)).count();
    assert!(changed > 0 && started > 0, "{changed} {started}");
    let text = sim.block_on(async {
        let mut text = String::new();
        // Every change, then one more second of polls that must tell nothing new.
        let mut deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut settled = false;
        loop {
            match tokio::time::timeout_at(deadline, response.chunk()).await {
                Ok(chunk) => text.push_str(std::str::from_utf8(&chunk.unwrap().unwrap()).unwrap()),
                Err(_) if settled => return text,
                Err(_) => panic!("not every change within 30 s:\n{text}"),
            }
            let lines = text.lines().filter(|l| !l.is_empty()).count();
            if !settled && lines >= changed + started {
                settled = true;
                deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
            }
        }
    });
    let mut told = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = event["id"].as_str().unwrap().to_string();
        assert_eq!(event["schema"], 1);
        assert_eq!(
            (&event["profile"], &event["kind"]),
            (&"default".into(), &"execution".into())
        );
        match before.get(&id) {
            Some(was) => {
                assert_eq!(event["event"], "changed", "{event}");
                assert_eq!(event["from"], was.as_str(), "{event}");
            }
            None => {
                assert_eq!(event["event"], "seen", "{event}");
                assert_eq!(event["from"], serde_json::Value::Null);
            }
        }
        assert_eq!(event["to"], after[&id].as_str(), "{event}");
        assert!(!event["name"].as_str().unwrap().is_empty());
        chrono::DateTime::parse_from_rfc3339(event["time"].as_str().unwrap()).unwrap();
        *told.entry(id).or_insert(0) += 1;
    }
    assert!(
        told.values().all(|n| *n == 1),
        "one line per change: {told:?}"
    );
    assert_eq!(told.len(), changed + started, "{text}");
}

#[test]
fn a_refused_key_makes_healthz_503_and_nothing_served_names_the_credentials() {
    let sim = still_sim(SimOptions {
        credentials: Some(("SERVEAK".into(), Secret::new("serve-right-secret"))),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "{}\n[auth]\nak = \"SERVEAK\"\nsk = \"serve-wrong-secret\"\n",
        config_for(&sim, "1s", "")
    );
    let served = Served::start(home.path(), &config);
    let samples = scrape_until(&served, &sim, |s| {
        sum(s, "coctop_auth_failures_total", &[]) == 1.0
    });
    assert_eq!(sum(&samples, "coctop_profile_up", &[]), 0.0);
    assert_eq!(
        sum(
            &samples,
            "coctop_api_requests_total",
            &[("outcome", "auth")]
        ),
        1.0,
        "one refused request, then nothing more: the gateway locks a key after five"
    );
    let (status, body) = served.get(&sim, "/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(
        body.starts_with("unhealthy\ndefault: authentication failed"),
        "{body}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(sim.requests(), 1, "no request after the 401");
    let (_, metrics) = served.get(&sim, "/metrics");
    for text in [&metrics, &body] {
        assert!(
            !text.contains("SERVEAK") && !text.contains("secret"),
            "{text}"
        );
    }
}

#[test]
fn serve_listens_beyond_loopback_only_when_told_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let (path, _) = config_in(home.path(), "");
    let path = path.display().to_string();
    let refused = support::coctop(
        home.path(),
        &["--config", &path, "serve", "--listen", "0.0.0.0:0"],
        &[],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        support::stderr(&refused).contains("--allow-remote"),
        "{}",
        support::stderr(&refused)
    );
    let mut child = coctop_command(
        home.path(),
        &[
            "--config",
            &path,
            "--endpoint",
            "http://127.0.0.1:9",
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--allow-remote",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let banner = banner_of(&mut child);
    assert!(
        banner.starts_with("coctop serve listening on http://0.0.0.0:"),
        "{banner}"
    );
    // SAFETY: a signal to our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "SIGTERM is its normal end");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: listening on 0.0.0.0"), "{stderr}");
}

#[test]
fn the_dashboard_and_the_alert_rules_use_only_metrics_serve_exposes() {
    let execution = coctop::coc::TicketKind::Execution;
    let metrics = coctop::serve::metrics::Metrics::new(["p"], &[execution]);
    metrics.zero_tickets("p", execution, "q");
    metrics.succeeded_at("p", std::time::SystemTime::now());
    let exposition = metrics.encode();
    let exposed: Vec<&str> = exposition
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/serve");
    let dashboard = std::fs::read_to_string(assets.join("grafana-dashboard.json")).unwrap();
    let _: serde_json::Value = serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    let rules = std::fs::read_to_string(assets.join("coctop-alerts.yml")).unwrap();
    for (file, text) in [("dashboard", &dashboard), ("rules", &rules)] {
        let used: Vec<&str> = text
            .match_indices("coctop_")
            .map(|(at, _)| {
                let rest = &text[at..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect();
        assert!(used.len() >= 4, "{file}: {used:?}");
        for name in used {
            assert!(
                exposed.contains(&name),
                "{file} uses {name}: not in {exposed:?}"
            );
        }
    }
}

/// `/events` readers that never leave (nor read) cannot take every connection: past
/// their cap a new one is told so at once, and `/metrics` and `/healthz` still answer.
#[test]
fn event_readers_that_never_leave_leave_room_for_metrics_and_health() {
    use std::io::{Read, Write};
    let sim = still_sim(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let served = Served::start(home.path(), &config_for(&sim, "1s", ""));
    let addr = served.url.trim_start_matches("http://").to_string();
    let mut held = Vec::new();
    for _ in 0..256 {
        let mut reader = std::net::TcpStream::connect(&addr).unwrap();
        reader
            .write_all(b"GET /events HTTP/1.1\r\nHost: coctop\r\n\r\n")
            .unwrap();
        held.push(reader);
    }
    let url = format!("{}/metrics", served.url);
    let metrics = sim.block_on(async {
        let scrape = async { reqwest::get(&url).await.map(|r| r.status().as_u16()) };
        tokio::time::timeout(Duration::from_secs(10), scrape).await
    });
    assert_eq!(
        metrics.ok().and_then(Result::ok),
        Some(200),
        "/metrics starved"
    );
    let (status, body) = served.get(&sim, "/healthz");
    assert_eq!(status, 200, "{body}");
    // The last reader was turned away with why, not left waiting.
    let last = held.last_mut().unwrap();
    last.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = [0u8; 512];
    let read = last.read(&mut answer).unwrap_or(0);
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(
        answer.starts_with("HTTP/1.1 503") && answer.contains("/events readers"),
        "{answer}"
    );
}
