//! `coctop retry|terminate|resume|skip-batch`: the real binary against the simulator
//! over HTTP, requests counted at the simulator.

use std::path::{Path, PathBuf};

use crate::support::pty::{PtyApp, isolated_env};
use crate::support::{Sim, coctop, stderr, stdout};
use coctop::coc::auth::Secret;
use coctop::coc::{ListQuery, Status, Ticket};
use coctop::sim::SimOptions;

fn status_of(sim: &Sim, id: &str) -> Option<Status> {
    let client = sim.client();
    sim.block_on(client.get_execution(id)).unwrap().status
}

fn tickets(sim: &Sim) -> Vec<Ticket> {
    let query = ListQuery {
        limit: Some(100),
        ..ListQuery::default()
    };
    sim.block_on(sim.client().list_executions(&query))
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

/// The operation lines of the log file in `home`.
fn operation_lines(home: &Path) -> Vec<String> {
    let log = std::fs::read_to_string(log_file(home)).unwrap();
    log.lines()
        .filter(|l| l.contains("coctop::operate"))
        .map(str::to_string)
        .collect()
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

    let log_path = log_file(home.path());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&log_path).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the log file is private");
    let log = std::fs::read_to_string(log_path).unwrap();
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
        failed_posts +=
            u64::from(err.contains(&format!("{id}: TERMINATE outcome unknown: HTTP 5")));
    }
    assert_eq!(
        sim.operations() - before,
        fetched,
        "one POST per fetched ticket, whatever its answer\n{err}"
    );
    assert!(failed_posts > 0, "some POST met a 5xx: {err}");
    assert!(
        !err.contains("TERMINATE refused: HTTP 5"),
        "a 5xx is no refusal: {err}"
    );
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

#[test]
fn an_id_given_twice_is_operated_on_once() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let failed = first_with(&sim, Status::Failed);
    let out = run(home.path(), &sim, &["retry", "--yes", &failed, &failed]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sim.operations(), 1, "one POST");
    assert_eq!(stdout(&out), format!("RETRY {failed}: accepted\n"));
}

/// Keys typed while the tickets are still being fetched answer no question: with a
/// slow server, `y⏎y⏎` typed at once sends nothing; each question waits for its own
/// answer.
#[test]
fn typed_ahead_keys_answer_no_question() {
    let sim = Sim::start(SimOptions {
        latency: std::time::Duration::from_millis(1500),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let env = isolated_env(home.path());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let url = sim.url();
    let failed: Vec<String> = tickets(&sim)
        .into_iter()
        .filter(|t| t.status == Some(Status::Failed))
        .map(|t| t.execution_id)
        .take(2)
        .collect();
    let mut args = vec!["--endpoint", url.as_str(), "retry"];
    args.extend(failed.iter().map(String::as_str));
    let mut app = PtyApp::spawn(&args, &env, 120, 24);
    app.send("y\ry\r");
    app.wait_for_text("Send RETRY? [y/N]");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(sim.operations(), 0, "{}", app.contents());
    app.send("n\r");
    app.wait_for(&format!("the question for {}", failed[1]), |s| {
        s.matches("Send RETRY? [y/N]").count() == 2
    });
    app.send("y\r");
    app.wait_for_text(&format!("RETRY {}: accepted", failed[1]));
    assert_eq!(app.wait_exit(), 2, "one declined");
    assert_eq!(sim.operations(), 1, "only the answered yes sent");
}

mod through_the_dashboard {
    //! `update` with the real engine and client against the simulator over HTTP.

    use std::sync::Arc;
    use std::time::{Duration, Instant, SystemTime};

    use coctop::app::{self, Action, App, AppInit, Message, Prompt, StepsState};
    use coctop::coc::{JobOperation, JobStatus, Operation, Status, TicketRef};
    use coctop::config::WatchEntry;
    use coctop::i18n::Lang;
    use coctop::sim::SimOptions;
    use coctop::watch::{self, Command, EngineConfig, EngineHandle, Reply, TicketUpdate, Update};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::first_with;
    use crate::support::{Sim, r};

    struct Dashboard<'s> {
        sim: &'s Sim,
        app: App,
        engine: EngineHandle,
    }

    impl<'s> Dashboard<'s> {
        /// The dashboard watching `ids` (`EX…` or `script/UUID`).
        fn start(sim: &'s Sim, ids: &[String], interval: Duration) -> Dashboard<'s> {
            let config = EngineConfig {
                interval,
                ..EngineConfig::default()
            };
            let client = Arc::new(sim.client());
            let refs: Vec<TicketRef> = ids.iter().map(|id| r(id)).collect();
            let watch = refs.iter().cloned().map(WatchEntry::unlabelled).collect();
            let engine = sim.block_on(async { watch::spawn(client, config, refs) });
            let mut app = App::new(AppInit {
                lang: Lang::En,
                endpoint: sim.url(),
                watch,
                color: false,
                now: SystemTime::now(),
            });
            app::update(
                &mut app,
                Message::Resize {
                    width: 120,
                    height: 40,
                },
            );
            let mut dashboard = Dashboard { sim, app, engine };
            dashboard.pump_until("every ticket loaded", |app| {
                app.tickets().iter().all(|t| t.ticket.is_some())
            });
            dashboard
        }

        /// Feeds engine updates to `update` until `done` holds; returns them.
        fn pump_until(&mut self, what: &str, done: impl Fn(&App) -> bool) -> Vec<Update> {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut seen = Vec::new();
            while !done(&self.app) {
                let left = deadline.saturating_duration_since(Instant::now());
                assert!(!left.is_zero(), "timed out waiting for {what}");
                let next = self.sim.block_on(async {
                    tokio::time::timeout(left, self.engine.updates.recv()).await
                });
                if let Ok(Some(update)) = next {
                    seen.push(update.clone());
                    let outcome = app::update(&mut self.app, Message::Engine(update));
                    self.carry_out(outcome.actions);
                }
            }
            seen
        }

        fn key(&mut self, code: KeyCode) {
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            let outcome = app::update(&mut self.app, Message::Key(key));
            self.carry_out(outcome.actions);
        }

        fn carry_out(&mut self, actions: Vec<Action>) {
            for action in actions {
                if let Action::Engine(command) = action {
                    self.engine.commands.send(command).unwrap();
                }
            }
        }

        fn select(&mut self, id: &str) {
            self.key(KeyCode::Char('g'));
            while self.app.selected().unwrap().id != id {
                self.key(KeyCode::Char('j'));
            }
        }

        /// `x`, the menu's cursor onto `operation`, Enter, then the confirmation (the
        /// word typed for one that cannot be undone).
        fn operate(&mut self, id: &str, operation: impl Into<JobOperation>) {
            let operation = operation.into();
            self.select(id);
            self.key(KeyCode::Char('x'));
            self.confirm(id, operation);
        }

        /// The open menu's cursor onto `operation`, Enter, then the confirmation.
        fn confirm(&mut self, id: &str, operation: JobOperation) {
            loop {
                match self.app.prompt() {
                    Some(Prompt::Menu {
                        choices, cursor, ..
                    }) if choices[*cursor] != app::Choice::Operate(operation) => {
                        self.key(KeyCode::Down)
                    }
                    Some(Prompt::Menu { .. }) => break,
                    other => panic!("{operation:?} not offered for {id}: {other:?}"),
                }
            }
            self.key(KeyCode::Enter);
            match coctop::operate::typed_word(operation) {
                Some(word) => {
                    for c in word.chars() {
                        self.key(KeyCode::Char(c));
                    }
                    self.key(KeyCode::Enter);
                }
                None => self.key(KeyCode::Char('y')),
            }
        }

        fn status(&self, id: &str) -> Option<JobStatus> {
            self.app.ticket(&r(id))?.status()
        }
    }

    #[test]
    fn every_operation_is_confirmed_sent_once_and_the_ticket_polled_again() {
        let sim = Sim::start(SimOptions::default());
        let ids = sim.ids();
        let failed = first_with(&sim, Status::Failed);
        let watched = vec![
            failed.clone(),
            ids[7].clone(),
            ids[8].clone(),
            ids[1].clone(),
        ];
        // A long interval: a fresh poll right after an operation is the engine's doing.
        let mut dashboard = Dashboard::start(&sim, &watched, Duration::from_secs(600));
        let cases = [
            (failed.as_str(), Operation::Retry, Status::Running),
            (ids[7].as_str(), Operation::Resume, Status::Running),
            (ids[1].as_str(), Operation::Terminate, Status::Canceling),
        ];
        for (n, (id, operation, after)) in cases.into_iter().enumerate() {
            dashboard.operate(id, operation);
            let updates = dashboard.pump_until("the answer and a fresh poll", |app| {
                let entry = app.ticket(&r(id)).unwrap();
                entry.operations.last().is_some_and(|r| r.result.is_some())
                    && entry.status() == Some(after.clone().into())
            });
            assert!(
                updates
                    .iter()
                    .any(|u| matches!(u, Update::Reply(Reply::Operated { result: Ok(()), .. }))),
                "{operation:?}"
            );
            assert_eq!(sim.operations(), n as u64 + 1, "sent once");
            let history = &dashboard.app.ticket(&r(id)).unwrap().operations;
            assert_eq!(history.len(), 1);
            assert_eq!(history[0].result, Some(Ok(())));
        }
        // SKIP_BATCH: the running batch step ends, the step after it runs.
        dashboard.operate(&ids[8], Operation::SkipBatch);
        dashboard.pump_until("SKIP_BATCH answered", |app| {
            let entry = app.ticket(&r(&ids[8])).unwrap();
            entry.operations.last().is_some_and(|r| r.result.is_some())
        });
        let record = &dashboard.app.ticket(&r(&ids[8])).unwrap().operations[0];
        assert_eq!(record.result, Some(Ok(())));
        assert_eq!(sim.operations(), 4);

        // Refused: RESUME of the now running ticket 7 is offered no more, and a
        // RETRY of a running ticket is refused by the server if sent.
        dashboard.select(&ids[7]);
        dashboard.key(KeyCode::Char('x'));
        let offered = match dashboard.app.prompt() {
            Some(Prompt::Menu { choices, .. }) => choices.clone(),
            other => panic!("{other:?}"),
        };
        assert!(
            !offered.contains(&app::Choice::Operate(Operation::Resume.into())),
            "{offered:?}"
        );
        dashboard.key(KeyCode::Esc);
        dashboard
            .engine
            .commands
            .send(Command::Operate {
                id: r(&ids[7]),
                operation: Operation::Retry.into(),
            })
            .unwrap();
        dashboard.pump_until("the refusal shown", |app| {
            matches!(app.prompt(), Some(Prompt::Notice { title, .. }) if title == "RETRY refused")
        });
        let Some(Prompt::Notice { lines, .. }) = dashboard.app.prompt() else {
            unreachable!()
        };
        let text = lines.join("\n");
        assert!(
            text.contains("COC.00040712") && text.contains("request ID  00000000000000010"),
            "{text}"
        );
        assert_eq!(sim.operations(), 5, "refused once, not retried");
        assert_eq!(dashboard.status(&failed), Some(Status::Running.into()));
    }

    /// Enter on a script ticket, its Batches tab, Enter on a batch (its hosts), Enter
    /// on a host: the whole output, sanitised, scrolled to its end; Esc
    /// goes back one level at a time.
    #[test]
    fn a_batch_hosts_output_opens_whole_and_sanitised() {
        use coctop::coc::{ScriptOrderQuery, ScriptStatus};
        let sim = Sim::start(SimOptions::default());
        let query = ScriptOrderQuery {
            limit: Some(100),
            ..ScriptOrderQuery::default()
        };
        let orders = sim
            .block_on(sim.client().list_script_orders(&query))
            .unwrap()
            .data;
        let abnormal = orders
            .iter()
            .find(|o| o.status == Some(ScriptStatus::Abnormal))
            .expect("a seeded ABNORMAL ticket");
        let id = format!("script/{}", abnormal.execute_uuid);
        let mut dashboard =
            Dashboard::start(&sim, std::slice::from_ref(&id), Duration::from_millis(300));
        dashboard.select(&id);
        dashboard.key(KeyCode::Enter);
        dashboard.key(KeyCode::Char('2'));
        dashboard.pump_until("the batches", |app| {
            app.ticket(&r(&id)).unwrap().progress.loaded().is_some()
        });
        dashboard.key(KeyCode::Enter);
        dashboard.pump_until("the batch's hosts", |app| {
            app.hosts().is_some_and(|h| h.loaded() && !h.is_empty())
        });
        let first = dashboard.app.hosts().unwrap().script_hosts()[0].clone();
        let raw = first.message.clone().unwrap_or_default();
        dashboard.key(KeyCode::Enter);
        let output = dashboard.app.output().expect("the output in the pager");
        assert_eq!(output.raw(), raw, "whole and raw");
        assert!(output.title().contains("batch"), "{}", output.title());
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        terminal
            .draw(|frame| coctop::ui::draw(frame, &dashboard.app))
            .unwrap();
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|cell| cell.symbol())
            .collect();
        assert!(
            !screen.chars().any(|c| c == '\u{1b}'),
            "sanitised on screen"
        );
        // A wide character's second cell draws as a space.
        let unspaced = |text: &str| text.replace(' ', "");
        let first_line = coctop::text::sanitize(raw.lines().next().unwrap_or_default());
        let first_row: String = first_line.chars().take(20).collect();
        assert!(
            unspaced(&screen).contains(&unspaced(&first_row)),
            "{screen}"
        );
        dashboard.key(KeyCode::Char('G'));
        dashboard.key(KeyCode::Esc);
        assert!(dashboard.app.output().is_none());
        assert!(dashboard.app.hosts().is_some(), "back to the hosts");
        dashboard.key(KeyCode::Esc);
        assert!(dashboard.app.hosts().is_none(), "back to the batches");
    }

    #[test]
    fn run_again_starts_the_same_job_once_with_the_edited_parameter_and_opens_it() {
        let sim = Sim::start(SimOptions::default());
        let client = sim.client();
        let source = sim
            .ids()
            .into_iter()
            .map(|id| sim.block_on(client.get_execution(&id)).unwrap())
            .find(|t| t.is_terminal() && t.document_id.is_some() && !t.parameters.is_empty())
            .expect("a finished run of a job with parameters");
        let id = source.execution_id.clone();
        let mut dashboard =
            Dashboard::start(&sim, std::slice::from_ref(&id), Duration::from_secs(600));
        dashboard.select(&id);
        dashboard.key(KeyCode::Char('x'));
        while !matches!(
            dashboard.app.prompt(),
            Some(Prompt::Menu { choices, cursor, .. }) if choices[*cursor] == app::Choice::RunAgain
        ) {
            dashboard.key(KeyCode::Down);
        }
        dashboard.key(KeyCode::Enter);
        // The first parameter's value gets a suffix.
        for c in "-again".chars() {
            dashboard.key(KeyCode::Char(c));
        }
        dashboard.key(KeyCode::Enter);
        assert_eq!(sim.operations(), 0, "nothing before the confirmation");
        dashboard.key(KeyCode::Char('y'));
        dashboard.pump_until("the new ticket opened and loaded", |app| {
            app.shown()
                .is_some_and(|e| e.id != id && e.ticket.is_some())
        });
        assert_eq!(sim.operations(), 1, "one POST");
        let new_id = dashboard.app.shown().unwrap().id.clone();
        assert!(dashboard.app.ticket(&new_id).is_some(), "watched");
        let fresh = sim.block_on(client.get_execution(new_id.id())).unwrap();
        assert_eq!(
            (&fresh.document_id, &fresh.document_version),
            (&source.document_id, &source.document_version)
        );
        assert_eq!(fresh.targets, source.targets);
        let mut want = source.parameters.clone();
        want[0].value.push_str("-again");
        assert_eq!(
            fresh.parameters, want,
            "the first edited, the others as they were"
        );
    }

    #[test]
    fn the_open_tickets_steps_follow_its_polls_and_once_more_when_it_finishes() {
        let sim = Sim::start(SimOptions::default());
        let running = sim.ids()[1].clone();
        let mut dashboard = Dashboard::start(
            &sim,
            std::slice::from_ref(&running),
            Duration::from_millis(300),
        );
        dashboard.select(&running);
        dashboard.key(KeyCode::Enter);
        dashboard.key(KeyCode::Char('4'));
        let steps_updates = |updates: &[Update]| {
            updates
                .iter()
                .filter(|u| matches!(u, Update::Reply(Reply::Steps { .. })))
                .count()
        };
        let started = Instant::now();
        let updates = dashboard.pump_until("three rounds of steps", |_| {
            started.elapsed() > Duration::from_millis(1_000)
        });
        assert!(steps_updates(&updates) >= 3, "{updates:?}");
        assert!(matches!(
            dashboard.app.ticket(&r(&running)).unwrap().steps,
            StepsState::Loaded { .. }
        ));

        sim.handle
            .as_ref()
            .unwrap()
            .advance(Duration::from_secs(24 * 3600));
        let mut updates = dashboard.pump_until("the ticket finished", |app| {
            app.ticket(&r(&running))
                .unwrap()
                .ticket
                .as_ref()
                .is_some_and(|t| t.is_terminal())
        });
        let window = Instant::now();
        updates.extend(dashboard.pump_until("a quiet second and a half", |_| {
            window.elapsed() > Duration::from_millis(1_500)
        }));
        let finished_at = updates
            .iter()
            .position(|u| matches!(u, Update::Ticket(TicketUpdate::Transition { to, .. }) if to.is_terminal()))
            .expect("the transition to finished");
        assert_eq!(
            steps_updates(&updates[finished_at..]),
            1,
            "once more when it finished, then no more: {:?}",
            &updates[finished_at..]
        );
        let StepsState::Loaded { data: steps, .. } =
            &dashboard.app.ticket(&r(&running)).unwrap().steps
        else {
            panic!("steps loaded");
        };
        assert!(
            steps.iter().all(|s| s.status == Some(Status::Succeed)),
            "{steps:?}"
        );
    }
}

/// The real dashboard in a pseudo-terminal (with `args`) on a config in `home` watching
/// the simulator's first failed ticket, labelled `broken`, once it shows it failed.
fn dashboard_on_a_failed_ticket(sim: &Sim, home: &Path, args: &[&str]) -> (PtyApp, String) {
    dashboard_on_a_failed_ticket_with(sim, home, args, "")
}

/// `dashboard_on_a_failed_ticket` with more of the config file (`config`, after the
/// watch list).
fn dashboard_on_a_failed_ticket_with(
    sim: &Sim,
    home: &Path,
    args: &[&str],
    config: &str,
) -> (PtyApp, String) {
    let failed = first_with(sim, Status::Failed);
    let more = config;
    let config = home.join("coctop.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nendpoint = \"{}\"\n\n[[watch]]\nid = \"{failed}\"\nlabel = \"broken\"\n\n{more}",
            sim.url()
        ),
    )
    .unwrap();
    let env = isolated_env(home);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let config = config.display().to_string();
    let mut full = vec!["--config", config.as_str()];
    full.extend_from_slice(args);
    let app = PtyApp::spawn(&full, &env, 120, 32);
    app.wait_for("the failed ticket", |s| {
        s.contains("broken") && s.contains("Failed")
    });
    (app, failed)
}

/// `x` on the shown ticket, its first choice (RETRY), and its confirmation on screen.
pub fn ask_to_retry(app: &mut PtyApp) {
    app.send("x");
    app.wait_for_text("Operate on");
    app.send("\r");
    app.wait_for_text("Send RETRY?");
}

/// The real dashboard in a pseudo-terminal: a stray key cancels, `y` sends once, the
/// History tab says so, and the log file has the line.
#[test]
fn one_confirmed_retry_in_the_real_dashboard() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let (mut app, failed) = dashboard_on_a_failed_ticket(&sim, home.path(), &[]);
    app.send("\r");
    app.send("x");
    app.wait_for_text("RETRY");
    app.send("\r");
    app.wait_for_text("Send RETRY? y sends");
    assert!(app.contents().contains(&format!("RETRY {failed}")));
    app.send("\r"); // a stray Enter: cancels
    app.wait_for("the confirmation gone", |s| !s.contains("Send RETRY?"));
    assert_eq!(sim.operations(), 0);

    app.send("x");
    app.wait_for_text("actions");
    app.send("\r");
    app.wait_for_text("Send RETRY?");
    app.send("y");
    app.send("5");
    app.wait_for_text("RETRY sent at");
    app.wait_for_text("accepted");
    app.wait_for("the retried ticket running", |s| s.contains("Running"));
    assert_eq!(sim.operations(), 1);
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(app.is_cooked());
    let log = std::fs::read_to_string(log_file(home.path())).unwrap();
    assert!(log.contains(&format!("RETRY {failed}: accepted")), "{log}");
}

/// #16 item 10: in the real dashboard, a confirmation answered with anything but yes,
/// one left open when the dashboard quits, and `x` under `--read-only` are each one
/// line in the operation log, as the commands write them; nothing is sent.
#[test]
fn the_dashboard_logs_every_attempt_it_does_not_send() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let (mut app, failed) = dashboard_on_a_failed_ticket(&sim, home.path(), &[]);
    ask_to_retry(&mut app);
    app.send("n");
    app.wait_for("the confirmation gone", |s| !s.contains("Send RETRY?"));
    // Esc at the menu chooses nothing: no line.
    app.send("x");
    app.wait_for_text("Operate on");
    app.send("\u{1b}");
    app.wait_for("the menu gone", |s| !s.contains("Operate on"));
    ask_to_retry(&mut app);
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);

    let (mut app, _) = dashboard_on_a_failed_ticket(&sim, home.path(), &["--read-only"]);
    app.send("x");
    app.wait_for_text("Operations are off: --read-only");
    app.send("q");
    app.wait_for("the notice closed", |s| !s.contains("Operations are off"));
    app.send("q");
    assert_eq!(app.wait_exit(), 0);

    assert_eq!(sim.operations(), 0);
    let lines = operation_lines(home.path());
    assert_eq!(lines.len(), 3, "{lines:?}");
    // Under read-only, what the menu would have offered: RETRY, and run again.
    let expected = [
        format!("RETRY {failed}: not sent: declined"),
        format!("RETRY {failed}: not sent: declined"),
        format!("RETRY|RUN_AGAIN {failed}: not sent: read-only"),
    ];
    for (line, expected) in lines.iter().zip(expected) {
        assert!(line.ends_with(&format!(" {expected}")), "{line}");
    }
}

/// An operation sent whose answer has not come when the dashboard quits is one line
/// too: its outcome is unknown (it may have happened).
#[test]
fn an_operation_unanswered_when_the_dashboard_quits_is_logged_as_unknown() {
    let sim = Sim::start(SimOptions {
        latency: std::time::Duration::from_secs(3),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let (mut app, failed) = dashboard_on_a_failed_ticket(&sim, home.path(), &[]);
    ask_to_retry(&mut app);
    app.send("y");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sim.operations() == 0 {
        assert!(std::time::Instant::now() < deadline, "{}", app.contents());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    let lines = operation_lines(home.path());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains(&format!("RETRY {failed}: outcome unknown: "))
            && lines[0].contains("coctop ended before the answer came"),
        "{lines:?}"
    );
}

/// An operation confirmed while the only request allowed in flight is out, and the
/// dashboard quit before its turn came, never left: its line says so.
#[test]
fn an_operation_still_waiting_its_turn_when_the_dashboard_quits_is_logged_as_not_sent() {
    let sim = Sim::start(SimOptions {
        latency: std::time::Duration::from_secs(3),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let (mut app, failed) =
        dashboard_on_a_failed_ticket_with(&sim, home.path(), &[], "[poll]\nconcurrency = 1\n");
    let before = sim.requests();
    app.send("r");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sim.requests() == before {
        assert!(std::time::Instant::now() < deadline, "{}", app.contents());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // The refresh holds the one place in flight for 3 s.
    ask_to_retry(&mut app);
    app.send("y");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert_eq!(sim.operations(), 0);
    let lines = operation_lines(home.path());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with(&format!(
            "RETRY {failed}: not sent: coctop ended before it was sent"
        )),
        "{lines:?}"
    );
}

/// After a 401 the engine sends nothing more: an operation asked for then is answered
/// with the authentication error, and the gateway never sees it.
#[test]
fn the_engine_sends_no_operation_after_an_authentication_failure() {
    use coctop::coc::auth::Secret;
    use coctop::coc::{Auth, Client, ClientConfig, Endpoint, Operation};
    use coctop::watch::{self, Command, EngineConfig, HealthUpdate, Reply, Update};

    let sim = Sim::start(SimOptions {
        credentials: Some(("OPAK".into(), Secret::new("right-secret"))),
        ..SimOptions::default()
    });
    let id = sim.ids()[1].clone();
    let wrong = Auth::AkSk {
        ak: "OPAK".into(),
        sk: Secret::new("wrong-secret"),
        security_token: None,
    };
    let client = Client::new(ClientConfig::new(
        Endpoint::from_url(&sim.url()).unwrap(),
        wrong,
    ));
    let mut engine = sim.block_on(async {
        watch::spawn(
            std::sync::Arc::new(client.unwrap()),
            EngineConfig::default(),
            vec![crate::support::r(&id)],
        )
    });
    let next = |engine: &mut watch::EngineHandle| {
        sim.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(10), engine.updates.recv())
                .await
                .expect("an update")
                .expect("the engine runs")
        })
    };
    while !matches!(
        next(&mut engine),
        Update::Health(HealthUpdate::AuthFailed { .. })
    ) {}
    engine
        .commands
        .send(Command::Operate {
            id: crate::support::r(&id),
            operation: Operation::Terminate.into(),
        })
        .unwrap();
    loop {
        if let Update::Reply(Reply::Operated { result, .. }) = next(&mut engine) {
            let error = result.unwrap_err();
            assert!(error.is_auth());
            // Its log line and notice must not say the service refused it: it never left.
            let said = coctop::operate::OperationOutcome::of(&Err(error)).as_text();
            assert!(
                said.starts_with("not sent: the credentials were refused earlier (HTTP 401"),
                "{said}"
            );
            break;
        }
    }
    assert_eq!(sim.operations(), 0);
    assert_eq!(sim.requests(), 1, "the failed poll, nothing after it");
}
