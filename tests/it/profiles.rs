//! Profiles: two simulators on their own ports with their own keys, one config. Each
//! simulator checks every signature, so a request signed with the other's key would be
//! a 401 there: none may happen, and a key that is wrong for one profile stops only it.

use std::path::Path;
use std::time::Duration;

use coctop::coc::{Secret, Status};
use coctop::sim::SimOptions;

use crate::operate::ask_to_retry;
use crate::serve::{Served, scrape_until, still_sim, sum, tickets_by_status, truth};
use crate::support::pty::PtyApp;
use crate::support::{self, Sim, coctop, config_in, stderr, stdout};

const PROD: (&str, &str) = ("PRODAK0001", "prod-secret-key");
const STAGING: (&str, &str) = ("STAGINGAK02", "staging-secret-key");

fn sim_with_key((ak, sk): (&str, &str), seed: u64) -> Sim {
    still_sim(SimOptions {
        seed,
        credentials: Some((ak.into(), Secret::new(sk))),
        ..SimOptions::default()
    })
}

/// Two profiles: `prod` (keys from `PROD_*` variables, read-only) and `staging` (keys
/// from section `[staging]` of a credentials file whose secret is `staging_sk`).
fn two_profiles(home: &Path, prod: &Sim, staging: &Sim, staging_sk: &str) -> String {
    let credentials = home.join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[global]\nak = NOTTHISONE\nsk = nope\n[staging]\nak = {}\nsk = {staging_sk}\n",
            STAGING.0
        ),
    )
    .unwrap();
    format!(
        r#"
[poll]
interval = "1s"
max_rps = 100

[[profile]]
name = "prod"
endpoint = "{}"
env_prefix = "PROD"
read_only = true

[[profile]]
name = "staging"
endpoint = "{}"
credentials_file = "{}"
section = "staging"

[[query]]
name = "prod all"
since = "3650d"

[[query]]
name = "staging all"
since = "3650d"
profile = "staging"
"#,
        prod.url(),
        staging.url(),
        credentials.display()
    )
}

const PROD_ENV: [(&str, &str); 2] = [("PROD_AK", PROD.0), ("PROD_SK", PROD.1)];

#[test]
fn one_serve_polls_both_profiles_each_with_its_own_key_and_counts_each_sims_tickets() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let config = two_profiles(home.path(), &prod, &staging, STAGING.1);
    let served = Served::start_with(home.path(), &config, &PROD_ENV);
    let samples = scrape_until(&served, &prod, |s| {
        sum(s, "coctop_tickets", &[("query", "prod all")]) == 48.0
            && sum(s, "coctop_tickets", &[("query", "staging all")]) == 48.0
    });
    assert_eq!(tickets_by_status(&samples, "prod all"), truth(&prod));
    assert_eq!(tickets_by_status(&samples, "staging all"), truth(&staging));
    for name in ["prod", "staging"] {
        let of = [("profile", name)];
        assert_eq!(sum(&samples, "coctop_tickets", &of), 48.0, "{name}");
        assert_eq!(sum(&samples, "coctop_profile_up", &of), 1.0, "{name}");
        assert_eq!(
            sum(&samples, "coctop_auth_failures_total", &of),
            0.0,
            "{name}"
        );
        let answered = sum(&samples, "coctop_api_requests_total", &of);
        let ok = sum(
            &samples,
            "coctop_api_requests_total",
            &[("profile", name), ("outcome", "ok")],
        );
        assert!(answered > 0.0 && ok == answered, "{name}: {answered} {ok}");
    }
    let (status, body) = served.get(&prod, "/healthz");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("prod: polling") && body.contains("staging: polling"),
        "{body}"
    );
}

#[test]
fn a_refused_key_stops_only_its_own_profile() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let config = two_profiles(home.path(), &prod, &staging, "not-the-staging-secret");
    let served = Served::start_with(home.path(), &config, &PROD_ENV);
    let samples = scrape_until(&served, &prod, |s| {
        sum(s, "coctop_auth_failures_total", &[("profile", "staging")]) == 1.0
            && sum(s, "coctop_tickets", &[("query", "prod all")]) == 48.0
    });
    assert_eq!(
        sum(&samples, "coctop_profile_up", &[("profile", "staging")]),
        0.0
    );
    assert_eq!(
        sum(&samples, "coctop_profile_up", &[("profile", "prod")]),
        1.0
    );
    let (status, body) = served.get(&prod, "/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("staging: authentication failed"), "{body}");
    assert!(
        !body.contains("prod:"),
        "only the failing profile is named: {body}"
    );
    // prod goes on polling (its query every second); staging sends nothing more.
    let (prod_before, staging_before) = (prod.requests(), staging.requests());
    std::thread::sleep(Duration::from_millis(2500));
    assert!(prod.requests() > prod_before, "prod still polls");
    assert_eq!(staging.requests(), staging_before, "staging stopped");
    assert_eq!(staging_before, 1, "one refused request, then nothing");
}

/// The config of `two_profiles` in `home`, for the commands.
fn config_file(home: &Path, prod: &Sim, staging: &Sim) -> String {
    let text = two_profiles(home, prod, staging, STAGING.1);
    let (path, _) = config_in(home, &text);
    path.display().to_string()
}

fn first_with(sim: &Sim, status: Status) -> String {
    support::ids_with_status(sim, status).remove(0)
}

#[test]
fn commands_reach_the_profile_named_and_operations_keep_to_its_read_only() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let config = config_file(home.path(), &prod, &staging);
    let staging_id = staging.ids()[0].clone();
    let run = |args: &[&str]| {
        let mut full = vec!["--config", config.as_str()];
        full.extend_from_slice(args);
        coctop(home.path(), &full, &PROD_ENV)
    };
    let (before_prod, before_staging) = (prod.requests(), staging.requests());
    let got = run(&["get", "--profile", "staging", &staging_id]);
    assert_eq!(got.status.code(), Some(0), "{}", stderr(&got));
    assert!(stdout(&got).contains(&staging_id));
    assert_eq!(staging.requests(), before_staging + 1);
    assert_eq!(prod.requests(), before_prod, "nothing went to prod");
    // Without --profile: the first profile, where that ticket does not exist.
    let missing = run(&["get", &staging_id]);
    assert_eq!(missing.status.code(), Some(5), "{}", stderr(&missing));
    assert_eq!(prod.requests(), before_prod + 1);
    assert_eq!(staging.requests(), before_staging + 1);

    let failed = first_with(&staging, Status::Failed);
    let retried = run(&["retry", "--profile", "staging", "--yes", &failed]);
    assert_eq!(retried.status.code(), Some(0), "{}", stderr(&retried));
    assert_eq!((staging.operations(), prod.operations()), (1, 0));

    let prod_failed = first_with(&prod, Status::Failed);
    let refused = run(&["retry", "--profile", "prod", "--yes", &prod_failed]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("read_only = true in [[profile]] \"prod\""),
        "{}",
        stderr(&refused)
    );
    assert_eq!(prod.operations(), 0, "read-only: nothing sent");
    let run_refused = run(&["run", "--profile", "prod", "DM-nightly", "--yes"]);
    assert_eq!(
        run_refused.status.code(),
        Some(2),
        "{}",
        stderr(&run_refused)
    );
    let log = wait_for_log(home.path(), "RUN DM-nightly");
    let named = |what: &str| {
        format!(
            "{what} (profile prod ({})): not sent: read-only",
            prod.url()
        )
    };
    assert!(
        log.contains(&named(&format!("RETRY {prod_failed}"))),
        "{log}"
    );
    assert!(log.contains(&named("RUN DM-nightly")), "{log}");

    let unknown = run(&["get", "--profile", "stagign", &staging_id]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean \"staging\"?"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn config_check_lists_each_profile_and_where_its_credentials_come_from_never_the_secret() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let config = config_file(home.path(), &prod, &staging);
    let check =
        |env: &[(&str, &str)]| coctop(home.path(), &["--config", &config, "config", "check"], env);
    let out = check(&PROD_ENV);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let credentials = home.path().join("credentials");
    let expected = [
        format!(
            "profile \"prod\": {}, credentials from environment (PROD_AK/PROD_SK), read-only, \
             max_rps 100, 0 watched, 1 queries",
            prod.url()
        ),
        format!(
            "profile \"staging\": {}, credentials from {} [staging], max_rps 100, 0 watched, \
             1 queries",
            staging.url(),
            credentials.display()
        ),
    ];
    for line in &expected {
        assert!(text.lines().any(|l| l == line), "{line}\nin:\n{text}");
    }
    for secret in [PROD.1, STAGING.1] {
        assert!(!text.contains(secret), "{text}");
    }
    // Without PROD_*: prod has none, and says where they were looked for.
    let out = check(&[]);
    assert!(
        stdout(&out).contains("profile \"prod\": ") && stdout(&out).contains("NO CREDENTIALS"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_profile_without_its_credentials_shows_why_and_the_others_poll() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let config = two_profiles(home.path(), &prod, &staging, STAGING.1);
    // No PROD_* variables.
    let served = Served::start(home.path(), &config);
    scrape_until(&served, &staging, |s| {
        sum(s, "coctop_tickets", &[("query", "staging all")]) == 48.0
            && sum(s, "coctop_profile_up", &[("profile", "prod")]) == 0.0
    });
    let (status, body) = served.get(&staging, "/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("prod: no credentials for") && body.contains("PROD_AK"),
        "{body}"
    );
    assert_eq!(prod.requests(), 0, "nothing sent without credentials");
}

/// Two profiles, each watching two of its own simulator's tickets: its first failed
/// one (labelled `<profile>-failed`) and its first succeeded one (`<profile>-done`).
fn watching_both(
    home: &Path,
    prod: &Sim,
    staging: &Sim,
    staging_sk: &str,
) -> Vec<(String, String)> {
    let text = two_profiles(home, prod, staging, staging_sk).replace("read_only = true\n", "");
    watching_both_in(home, prod, staging, text)
}

/// `watching_both` on the config `text` of `two_profiles`.
fn watching_both_in(home: &Path, prod: &Sim, staging: &Sim, text: String) -> Vec<(String, String)> {
    let text = text.replace(
        "since = \"3650d\"",
        "since = \"1s\"\nstatus = [\"Running\"]",
    );
    let mut text = text;
    for (name, sim) in [("prod", prod), ("staging", staging)] {
        for (what, status) in [("failed", Status::Failed), ("done", Status::Succeed)] {
            text.push_str(&format!(
                "\n[[watch]]\nid = \"{}\"\nlabel = \"{name}-{what}\"\nprofile = \"{name}\"\n",
                first_with(sim, status)
            ));
        }
    }
    let (_, mut env) = config_in(home, &text);
    env.extend(PROD_ENV.map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

#[test]
fn one_dashboard_shows_both_profiles_and_an_operation_reaches_the_tickets_own() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let env = watching_both(home.path(), &prod, &staging, STAGING.1);
    let staging_failed = first_with(&staging, Status::Failed);
    let mut app = PtyApp::spawn(&[], &support::env_refs(&env), 140, 30);
    let screen = app.wait_for("both profiles' tickets", |s| {
        s.matches('✖').count() >= 3 && s.matches('✔').count() >= 3
    });
    assert!(screen.contains("PROFILE"), "{screen}");
    assert!(
        screen.contains("prod 2") && screen.contains("staging 2"),
        "{screen}"
    );
    let row = |label: &str| {
        let line = screen
            .lines()
            .find(|l| l.contains(label) && !l.contains('┌'))
            .unwrap_or("");
        line.split_whitespace().nth(2).unwrap_or("").to_string()
    };
    assert_eq!(row("prod-failed"), "prod", "{screen}");
    assert_eq!(row("staging-done"), "staging", "{screen}");

    app.send("/profile=staging\r");
    // Filtered as it is typed: `profile=s` is no profile, so wait for the whole word.
    let filtered = app.wait_for("staging's tickets only", |s| {
        !s.contains("prod-failed") && s.contains("staging-failed")
    });
    assert!(filtered.contains("staging-done"), "{filtered}");
    app.send("\u{1b}");
    app.wait_for("the filter cleared", |s| s.contains("prod-failed"));
    app.send("/staging-failed\r");
    app.wait_for("the one ticket", |s| !s.contains("staging-done"));
    app.send("x");
    let menu = app.wait_for_text("RETRY");
    assert!(
        menu.contains("profile staging (http://127.0.0.1:"),
        "{menu}"
    );
    app.send("\r");
    let confirmation = app.wait_for_text("Send RETRY?");
    assert!(
        confirmation.contains("profile staging (http://127.0.0.1:"),
        "{confirmation}"
    );
    app.send("y");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while staging.operations() == 0 {
        assert!(std::time::Instant::now() < deadline, "{}", app.contents());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!((staging.operations(), prod.operations()), (1, 0));
    let accepted = format!(
        "RETRY {staging_failed} (profile staging ({})): accepted",
        staging.url()
    );
    wait_for_log(home.path(), &accepted);

    // The browse view reads the list of the profile its filter names.
    let prod_ids = prod.ids();
    let staging_only: Vec<String> = staging
        .ids()
        .into_iter()
        .filter(|id| !prod_ids.contains(id))
        .collect();
    app.send("\u{1b}");
    app.wait_for("the filter cleared", |s| s.contains("prod-failed"));
    app.send("b");
    app.wait_for("prod's list", |s| {
        prod_ids.iter().any(|id| s.contains(id.as_str()))
    });
    app.send("/profile=staging\r");
    let browsed = app.wait_for("staging's list", |s| {
        staging_only
            .iter()
            .filter(|id| s.contains(id.as_str()))
            .count()
            >= 5
    });
    assert!(
        !prod_ids.iter().any(|id| browsed.contains(id.as_str())),
        "{browsed}"
    );
    app.send("/\u{7f}\u{7f}\u{7f}ign\r");
    app.wait_for_text("did you mean \"staging\"?");
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
}

#[test]
fn in_the_dashboard_a_refused_key_stops_only_its_profile_and_its_tickets_say_why() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let env = watching_both(home.path(), &prod, &staging, "not-the-staging-secret");
    let mut app = PtyApp::spawn(&[], &support::env_refs(&env), 140, 30);
    app.wait_for("prod's tickets polled, staging's refused", |s| {
        s.contains('✖') && s.contains('✔') && s.matches('!').count() >= 2
    });
    let staging_before = staging.requests();
    let prod_before = prod.requests();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(prod.requests() > prod_before, "prod still polls");
    assert_eq!(staging.requests(), staging_before, "staging stopped");
    app.send("/staging-failed\r\r");
    app.wait_for_text("profile staging stopped polling: HTTP 401");
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
}

#[test]
fn in_the_dashboard_a_profile_without_credentials_shows_why_and_the_other_polls() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let mut env = watching_both(home.path(), &prod, &staging, STAGING.1);
    env.retain(|(key, _)| !key.starts_with("PROD_"));
    let prod_before = prod.requests();
    let mut app = PtyApp::spawn(&[], &support::env_refs(&env), 140, 30);
    app.wait_for("staging's tickets", |s| {
        s.contains('✖') && s.contains('✔') && s.matches('!').count() >= 2
    });
    app.send("/prod-failed\r\r");
    // The pane beside the list shows the start of it while the filter is typed.
    app.wait_for("the ticket opened, the whole error", |s| {
        s.contains("profile prod stopped polling: ") && s.contains("PROD_AK")
    });
    assert_eq!(
        prod.requests(),
        prod_before,
        "nothing sent without credentials"
    );
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
}

/// `watching_both`'s config without its queries: the four finished tickets are all
/// there is to ask for.
fn without_queries(home: &Path) {
    let config = home.join("coctop.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let (head, rest) = text.split_once("[[query]]").unwrap();
    let watches = &rest[rest.find("[[watch]]").unwrap()..];
    std::fs::write(&config, format!("{head}{watches}")).unwrap();
}

/// The dashboard's line of the ticket labelled `label`.
fn row_of<'s>(screen: &'s str, label: &str) -> &'s str {
    screen
        .lines()
        .find(|l| l.contains(label) && !l.contains('┌'))
        .unwrap_or("")
}

fn profile_cell(row: &str) -> &str {
    row.split_whitespace().nth(2).unwrap_or("")
}

#[test]
fn each_profile_remembers_its_own_tickets_and_a_restart_asks_neither_simulator() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let env = watching_both(home.path(), &prod, &staging, STAGING.1);
    without_queries(home.path());
    let env = support::env_refs(&env);
    let labels = ["prod-failed", "prod-done", "staging-failed", "staging-done"];
    let all_four = |s: &str| {
        labels.iter().all(|label| {
            row_of(s, label).contains("Failed") || row_of(s, label).contains("Succeed")
        })
    };
    let mut app = PtyApp::spawn(&[], &env, 140, 30);
    let polled = app.wait_for("both profiles' tickets polled", all_four);
    assert!(!polled.contains('≈'), "nothing cached yet:\n{polled}");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);

    let mine = |sim: &Sim| {
        [
            first_with(sim, Status::Failed),
            first_with(sim, Status::Succeed),
        ]
    };
    let dir = home.path().join(".cache/coctop");
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(files.len(), 2, "one cache file per profile");
    for (own, other) in [(mine(&prod), mine(&staging)), (mine(&staging), mine(&prod))] {
        let file = files
            .iter()
            .find(|f| f.contains(&format!("\"id\":\"{}\"", own[0])))
            .unwrap_or_else(|| panic!("{own:?} remembered"));
        assert!(file.contains(&format!("\"id\":\"{}\"", own[1])), "{file}");
        assert!(
            other
                .iter()
                .all(|id| !file.contains(&format!("\"id\":\"{id}\""))),
            "another profile's ticket in {file}"
        );
    }

    let before = (prod.requests(), staging.requests());
    let mut app = PtyApp::spawn(&[], &env, 140, 30);
    app.wait_for("the four from the caches", |s| {
        all_four(s) && s.contains('≈')
    });
    // A poll interval and more: a finished ticket from its cache is never polled.
    std::thread::sleep(Duration::from_millis(1500));
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert_eq!(
        (prod.requests(), staging.requests()),
        before,
        "finished tickets from the caches cost no request"
    );
}

#[test]
fn a_ticket_of_the_second_profile_from_a_reload_or_the_a_line_is_polled_by_its_own() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let env = watching_both(home.path(), &prod, &staging, STAGING.1);
    // Staging's alone: prod would answer 404, and staging only to its own key.
    let prod_ids = prod.ids();
    let late: Vec<String> = support::ids_with_status(&staging, Status::Succeed)
        .into_iter()
        .skip(1)
        .filter(|id| !prod_ids.contains(id))
        .take(2)
        .collect();
    let mut app = PtyApp::spawn(&[], &support::env_refs(&env), 140, 30);
    app.wait_for("both profiles' tickets", |s| {
        row_of(s, "staging-done").contains("Succeed") && row_of(s, "prod-done").contains("Succeed")
    });

    let config = home.path().join("coctop.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[[watch]]\nid = \"{}\"\nlabel = \"reloaded\"\nprofile = \"staging\"\n",
        late[0]
    ));
    std::fs::write(&config, text).unwrap();
    let screen = app.wait_for("the reloaded ticket polled by staging", |s| {
        row_of(s, "reloaded").contains("Succeed")
    });
    assert_eq!(
        profile_cell(row_of(&screen, "reloaded")),
        "staging",
        "{screen}"
    );

    app.send("a");
    app.send(&format!("profile=staging {} # typed\r", late[1]));
    let screen = app.wait_for("the typed ticket polled by staging", |s| {
        row_of(s, "typed").contains("Succeed")
    });
    assert_eq!(
        profile_cell(row_of(&screen, "typed")),
        "staging",
        "{screen}"
    );
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains(&format!(
            "id = \"{}\"\nlabel = \"typed\"\nprofile = \"staging\"\n",
            late[1]
        )),
        "{written}"
    );
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
}

/// The operation log's text once it has `line`.
fn wait_for_log(home: &Path, line: &str) -> String {
    let log = home.join(".local/state/coctop/coctop.log");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains(line) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{line:?} not in:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A profile's own `read_only` holds back its tickets' operations in the dashboard at
/// `x`, logged naming the profile; the other profile's tickets can be operated on.
#[test]
fn in_the_dashboard_a_read_only_profile_holds_back_only_its_own_operations() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let text = two_profiles(home.path(), &prod, &staging, STAGING.1);
    let env = watching_both_in(home.path(), &prod, &staging, text);
    let mut app = PtyApp::spawn(&[], &support::env_refs(&env), 140, 30);
    app.wait_for("both profiles' tickets", |s| {
        s.matches('✖').count() >= 3 && s.matches('✔').count() >= 3
    });
    app.send("/prod-failed\r");
    app.wait_for("the one ticket", |s| !s.contains("staging-failed"));
    app.send("x");
    app.wait_for_text("read_only = true in [[profile]]");
    app.send("q");
    app.wait_for("the notice closed", |s| !s.contains("Operations are off"));
    let prod_failed = first_with(&prod, Status::Failed);
    wait_for_log(
        home.path(),
        &format!(
            "RETRY|RUN_AGAIN {prod_failed} (profile prod ({})): not sent: read-only",
            prod.url()
        ),
    );
    app.send("\u{1b}");
    app.wait_for("the filter cleared", |s| s.contains("staging-failed"));
    app.send("/staging-failed\r");
    app.wait_for("the other ticket", |s| !s.contains("prod-failed"));
    ask_to_retry(&mut app);
    app.send("\u{1b}");
    let staging_failed = first_with(&staging, Status::Failed);
    wait_for_log(
        home.path(),
        &format!(
            "RETRY {staging_failed} (profile staging ({})): not sent: declined",
            staging.url()
        ),
    );
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
    assert_eq!((prod.operations(), staging.operations()), (0, 0));
}

/// `--profile prod` of a file with two: a reload takes in prod's `[[watch]]` entries
/// only, as the start did; staging's stay out (prod would be asked for them).
#[test]
fn with_profile_named_a_reload_takes_in_only_that_profiles_tickets() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let env = watching_both(home.path(), &prod, &staging, STAGING.1);
    without_queries(home.path());
    let mut app = PtyApp::spawn(&["--profile", "prod"], &support::env_refs(&env), 140, 30);
    app.wait_for("prod's tickets", |s| {
        row_of(s, "prod-failed").contains("Failed") && row_of(s, "prod-done").contains("Succeed")
    });
    let staging_before = staging.requests();
    let late = support::ids_with_status(&prod, Status::Succeed)[1].clone();
    let config = home.path().join("coctop.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[[watch]]\nid = \"{late}\"\nlabel = \"reloaded\"\nprofile = \"prod\"\n"
    ));
    std::fs::write(&config, text).unwrap();
    let screen = app.wait_for("the reloaded ticket polled", |s| {
        row_of(s, "reloaded").contains("Succeed")
    });
    assert!(
        !screen.contains("staging-failed") && !screen.contains("staging-done"),
        "another profile's tickets taken in:\n{screen}"
    );
    assert!(screen.contains("3 tickets"), "{screen}");
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
    assert_eq!(staging.requests(), staging_before, "staging never asked");
}

/// A profile whose key is refused, with no ticket on screen yet (only a query), is
/// named in the header as stopped; the other's count goes on.
#[test]
fn a_stopped_profile_without_tickets_on_screen_is_named_in_the_header() {
    let prod = sim_with_key(PROD, 1);
    let staging = sim_with_key(STAGING, 2);
    let home = tempfile::tempdir().unwrap();
    let text = two_profiles(home.path(), &prod, &staging, "not-the-staging-secret");
    let (_, mut env) = config_in(home.path(), &text);
    env.extend(PROD_ENV.map(|(k, v)| (k.to_string(), v.to_string())));
    let mut app = PtyApp::spawn(&[], &support::env_refs(&env), 140, 30);
    app.wait_for("staging named as stopped, prod's query counted", |s| {
        s.contains("staging 0 stopped") && s.contains("prod 48")
    });
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
}
