//! Notifications: the hook as a real process (its environment and arguments checked
//! in a file it writes), time limits and the cap on hooks at once, and `wait --notify`
//! against the simulator telling a burst as one notification.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use crate::support::{Sim, ids_with_status, pty::isolated_env};
use coctop::coc::Status;
use coctop::notify::hook::{Hook, HookOutcome, MAX_RUNNING};
use coctop::notify::{Change, Notification, NotifyConfig, Teller};
use coctop::sim::SimOptions;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn failed(id: &str, name: &str) -> Change {
    Change {
        id: crate::support::r(id),
        name: name.into(),
        from: Some(Status::Running.into()),
        to: Status::Failed.into(),
        at: SystemTime::now(),
    }
}

/// A hook script (shared with the dashboard's pty test) that appends one line per run: its arguments, then the variables.
pub fn recording_hook(dir: &Path) -> (String, std::path::PathBuf) {
    let out = dir.join("hook-runs.txt");
    let script = dir.join("hook.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s|%s|%s|%s|%s|%s|%s|%s|%s\\n' \"$1\" \"$2\" \
             \"$COCTOP_EXECUTION_ID\" \"$COCTOP_NAME\" \"$COCTOP_FROM\" \"$COCTOP_TO\" \
             \"$COCTOP_ENDPOINT\" \"$COCTOP_COUNT\" \"$COCTOP_EXECUTION_IDS\" >> '{}'\n",
            out.display()
        ),
    )
    .unwrap();
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    assert!(chmod.success());
    (script.display().to_string(), out)
}

#[test]
fn the_hook_gets_the_change_in_its_environment_and_its_arguments_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (script, out) = recording_hook(dir.path());
    let config = NotifyConfig {
        command: Some(vec![script, "two words".into(), "$HOME;`x`".into()]),
        ..NotifyConfig::default()
    };
    let teller = Teller::new(&config, "https://coc.example");
    let notification = Notification {
        changes: vec![failed("EX2025070121014501aaaaaa", "DB \u{1b}[31mdrill")],
    };
    let rt = runtime();
    let mut terminal = Vec::new();
    let outcome = rt
        .block_on(async {
            let hook = teller.tell(&notification, Some(&mut terminal));
            hook.expect("a hook").await
        })
        .unwrap();
    assert!(
        matches!(&outcome, HookOutcome::Exited { status, .. } if status.success()),
        "{outcome:?}"
    );
    let lines = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        lines,
        "two words|$HOME;`x`|EX2025070121014501aaaaaa|DB drill|Running|Failed|\
         https://coc.example|1|EX2025070121014501aaaaaa\n"
    );
    assert_eq!(terminal, b"\x07", "the default tells with the bell only");
}

fn hanging_hook(dir: &Path, limit: Duration) -> (Hook, std::path::PathBuf) {
    let pids = dir.join("pids");
    let command = vec![
        "sh".to_string(),
        "-c".to_string(),
        // A child of the hook's own, to see that the whole group goes.
        format!("sleep 60 & echo $! >> '{}'; wait", pids.display()),
    ];
    (Hook::new(&command, limit, "ep").unwrap(), pids)
}

fn is_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // A zombie waiting for its reaper has stopped running.
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .unwrap()
            .trim_start()
            .starts_with('Z'),
    }
}

#[test]
fn a_hanging_hook_is_killed_with_its_children_and_at_most_a_few_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, pids) = hanging_hook(dir.path(), Duration::from_millis(700));
    let notification = Notification {
        changes: vec![failed("EX1", "drill")],
    };
    let rt = runtime();
    let outcomes: Vec<HookOutcome> = rt.block_on(async {
        let handles: Vec<_> = (0..MAX_RUNNING + 2)
            .map(|_| hook.spawn(&notification))
            .collect();
        let mut outcomes = Vec::new();
        for handle in handles {
            outcomes.push(handle.await.unwrap());
        }
        outcomes
    });
    let killed = outcomes
        .iter()
        .filter(|o| matches!(o, HookOutcome::Killed))
        .count();
    let skipped = outcomes
        .iter()
        .filter(|o| matches!(o, HookOutcome::Skipped))
        .count();
    assert_eq!((killed, skipped), (MAX_RUNNING, 2), "{outcomes:?}");
    let problem = outcomes[0]
        .problem("sh", Duration::from_millis(700))
        .unwrap();
    assert!(problem.contains("killed"), "{problem}");

    let started = std::fs::read_to_string(&pids).unwrap();
    let started: Vec<&str> = started.lines().collect();
    assert_eq!(started.len(), MAX_RUNNING);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !started.iter().all(|pid| is_gone(pid)) {
        assert!(
            std::time::Instant::now() < deadline,
            "children still running: {started:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_failing_or_missing_hook_is_reported_not_fatal() {
    let rt = runtime();
    let notification = Notification {
        changes: vec![failed("EX1", "drill")],
    };
    let failing = vec![
        "sh".to_string(),
        "-c".to_string(),
        "echo 'no route to pager' >&2; exit 3".to_string(),
    ];
    let hook = Hook::new(&failing, Duration::from_secs(10), "ep").unwrap();
    let outcome = rt
        .block_on(async { hook.spawn(&notification).await })
        .unwrap();
    let problem = outcome.problem("sh", hook.limit()).unwrap();
    assert!(
        problem.contains("exit status: 3") && problem.contains("no route to pager"),
        "{problem}"
    );

    let missing = vec!["/nonexistent/notify-tool".to_string()];
    let hook = Hook::new(&missing, Duration::from_secs(10), "ep").unwrap();
    let outcome = rt
        .block_on(async { hook.spawn(&notification).await })
        .unwrap();
    assert!(
        matches!(outcome, HookOutcome::CannotStart(_)),
        "{outcome:?}"
    );
}

/// `wait --notify` on running tickets: when the simulator's clock jumps past their end,
/// they all finish within one cycle and the hook runs once for all of them.
#[test]
fn wait_notify_tells_a_burst_once_through_the_hook() {
    let sim = Sim::start(SimOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let (script, out) = recording_hook(dir.path());
    let running: Vec<String> = ids_with_status(&sim, Status::Running)
        .into_iter()
        .take(4)
        .collect();
    assert!(running.len() >= 2, "the seeded set has running tickets");
    let config = dir.path().join("coctop.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nendpoint = \"{}\"\n\n[notify]\non = \"any\"\ncommand = [\"{script}\", \"wait\"]\n",
            sim.url()
        ),
    )
    .unwrap();

    let mut command = Command::new(env!("CARGO_BIN_EXE_coctop"));
    command
        .env_clear()
        .envs(isolated_env(dir.path()))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(["--config", config.to_str().unwrap()])
        .args(["wait", "--notify", "--interval", "1s", "--timeout", "2m"])
        .args(&running)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut printed = Vec::new();
    while printed.len() < running.len() {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("first sights");
        printed.push(line);
    }
    assert!(
        printed.iter().all(|l| l.ends_with("- -> Running")),
        "{printed:?}"
    );
    sim.handle
        .as_ref()
        .unwrap()
        .advance(Duration::from_secs(24 * 3600));
    let status = child.wait().unwrap();
    printed.extend(lines.try_iter());
    let ends: HashMap<&str, &str> = printed
        .iter()
        .filter(|l| !l.ends_with("-> Running"))
        .map(|l| {
            let id = running.iter().find(|id| l.contains(id.as_str())).unwrap();
            (id.as_str(), l.rsplit("-> ").next().unwrap())
        })
        .collect();
    assert_eq!(ends.len(), running.len(), "{printed:?}");
    assert!(status.code() == Some(0) || status.code() == Some(1));

    let runs = std::fs::read_to_string(&out).unwrap();
    let runs: Vec<&str> = runs.lines().collect();
    assert_eq!(runs.len(), 1, "one notification for the burst: {runs:?}");
    let fields: Vec<&str> = runs[0].split('|').collect();
    assert_eq!(fields[0], "wait");
    assert_eq!(fields[4], "Running", "COCTOP_FROM");
    assert_eq!(fields[5], ends[fields[2]], "COCTOP_TO of the first change");
    assert_eq!(fields[6], sim.url(), "COCTOP_ENDPOINT");
    assert_eq!(fields[7], running.len().to_string(), "COCTOP_COUNT");
    let told: BTreeSet<&str> = fields[8].split(' ').collect();
    assert_eq!(told, running.iter().map(String::as_str).collect());
}

/// The hook of `wait --notify` started by a coctop that holds credentials in its
/// environment: none of them reaches the hook.
#[test]
fn the_hook_never_inherits_credential_variables() {
    let sim = Sim::start(SimOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("hook-env.txt");
    let script = dir.path().join("dump.sh");
    std::fs::write(&script, format!("#!/bin/sh\nenv >> '{}'\n", dump.display())).unwrap();
    assert!(
        Command::new("chmod")
            .arg("+x")
            .arg(&script)
            .status()
            .unwrap()
            .success()
    );
    let running: Vec<String> = ids_with_status(&sim, Status::Running)
        .into_iter()
        .take(1)
        .collect();
    let config = dir.path().join("coctop.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nendpoint = \"{}\"\n\n[notify]\non = \"any\"\ncommand = [\"{}\"]\n",
            sim.url(),
            script.display()
        ),
    )
    .unwrap();
    let secrets = [
        ("HUAWEICLOUD_SDK_AK", "AK-VISIBLE-TO-HOOK"),
        ("HUAWEICLOUD_SDK_SK", "SK-VISIBLE-TO-HOOK"),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "STS-VISIBLE-TO-HOOK"),
        ("COCTOP_AUTH_TOKEN", "IAM-VISIBLE-TO-HOOK"),
        ("COCTOP_SIM_SK", "SIM-VISIBLE-TO-HOOK"),
    ];
    let mut command = Command::new(env!("CARGO_BIN_EXE_coctop"));
    command
        .env_clear()
        .envs(isolated_env(dir.path()))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(secrets)
        .args(["--config", config.to_str().unwrap()])
        .args(["wait", "--notify", "--interval", "1s", "--timeout", "2m"])
        .args(&running)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().ends_with("- -> Running"));
    sim.handle
        .as_ref()
        .unwrap()
        .advance(Duration::from_secs(24 * 3600));
    child.wait().unwrap();
    let env = std::fs::read_to_string(&dump).unwrap();
    assert!(env.contains("COCTOP_EXECUTION_ID="), "the hook ran: {env}");
    assert!(!env.contains("VISIBLE-TO-HOOK"), "{env}");
}
