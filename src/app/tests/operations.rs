//! Operations: the `x` menu, the confirmation, the server's answer, notices.

use super::*;
use crate::coc::ApiError;
use crate::operate::{Attempt, Destination, OperationOutcome};

#[test]
fn x_offers_only_what_fits_and_the_confirmation_names_the_ticket() {
    use crate::coc::Operation::*;
    let mut app = mixed();
    for (n, want) in [
        (0, vec![Retry]),
        (1, vec![Terminate]),
        (2, vec![Terminate, Resume]),
    ] {
        select_id(&mut app, &id_text(n));
        assert!(ch(&mut app, 'x').redraw);
        let Some(Prompt::Menu {
            id: menu, choices, ..
        }) = app.prompt()
        else {
            panic!("a menu: {:?}", app.prompt());
        };
        let want: Vec<Choice> = want
            .into_iter()
            .map(|op| Choice::Operate(op.into()))
            .collect();
        assert_eq!((menu, choices), (&id(n), &want));
        press(&mut app, KeyCode::Esc);
        assert!(app.prompt().is_none());
    }
    select_id(&mut app, &id_text(3));
    ch(&mut app, 'x');
    assert!(
        matches!(app.prompt(), Some(Prompt::Notice { lines, .. }) if lines[0].contains("Succeed")),
        "{:?}",
        app.prompt()
    );
    ch(&mut app, 'g');
    assert!(app.prompt().is_none(), "any key closes a notice");
    assert_eq!(selected(&app), id(3), "and does nothing else");

    select_id(&mut app, &id_text(0));
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    let Some(Prompt::Confirm { description, .. }) = app.prompt() else {
        panic!("a confirmation");
    };
    assert_eq!(description, "RETRY EX0000  job job0  status Failed");
}

#[test]
fn only_y_sends_and_no_stray_key_can() {
    let mut app = mixed();
    select_id(&mut app, &id_text(0));
    let strays = [
        KeyCode::Enter,
        KeyCode::Char('Y'),
        KeyCode::Char('n'),
        KeyCode::Char(' '),
        KeyCode::Char('x'),
        KeyCode::Esc,
        KeyCode::Down,
        KeyCode::Tab,
    ];
    for stray in strays {
        ch(&mut app, 'x');
        press(&mut app, KeyCode::Enter);
        assert!(matches!(app.prompt(), Some(Prompt::Confirm { .. })));
        let out = press(&mut app, stray);
        assert!(operations(&out).is_empty(), "{stray:?} sent something");
        assert!(app.prompt().is_none(), "{stray:?} cancels");
        assert_eq!(app.view(), View::List, "{stray:?} went nowhere else");
    }
    // Ctrl-Y is not y.
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    assert!(operations(&ctrl(&mut app, 'y')).is_empty());
    assert!(app.prompt().is_none());

    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    let out = ch(&mut app, 'y');
    assert_eq!(
        operations(&out),
        [(id(0), crate::coc::Operation::Retry.into())]
    );
    let record = &app.ticket(&id(0)).unwrap().operations[0];
    assert_eq!(record.result, None, "waiting for the answer");
}

#[test]
fn terminate_wants_the_word_or_the_id_typed() {
    let mut app = mixed();
    select_id(&mut app, &id_text(1));
    let terminate = |app: &mut App, answer: &str| {
        ch(app, 'x');
        press(app, KeyCode::Enter);
        let mut sent = Vec::new();
        for c in answer.chars() {
            sent.extend(operations(&ch(app, c)));
        }
        sent.extend(operations(&press(app, KeyCode::Enter)));
        sent
    };
    for wrong in ["", "y", "Terminate", "terminat", "EX000"] {
        assert!(terminate(&mut app, wrong).is_empty(), "{wrong:?}");
        assert!(app.prompt().is_none());
    }
    // A key other than a character, Backspace or Enter cancels half way.
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    ch(&mut app, 't');
    assert!(operations(&press(&mut app, KeyCode::Up)).is_empty());
    assert!(app.prompt().is_none());

    let want = [(id(1), crate::coc::Operation::Terminate.into())];
    assert_eq!(terminate(&mut app, "terminate"), want);
    assert_eq!(terminate(&mut app, &id_text(1)), want);
}

#[test]
fn the_operation_targets_the_ticket_the_menu_was_opened_on() {
    let mut app = mixed();
    select_id(&mut app, &id_text(2));
    ch(&mut app, 'x');
    // While the menu is open, the list reorders under it: ticket 2 fails, a new
    // ticket starts. The menu keeps its ID; j moves the menu, not the list.
    snapshot(&mut app, ticket(2, Status::Running, "job2", 600));
    snapshot(&mut app, ticket(9, Status::Failed, "new", 1));
    ch(&mut app, 'j');
    press(&mut app, KeyCode::Enter);
    let Some(Prompt::Confirm {
        id: target,
        description,
        ..
    }) = app.prompt()
    else {
        panic!("a confirmation: {:?}", app.prompt());
    };
    assert_eq!(target, &id(2));
    assert!(description.contains("status Running"), "{description}");
    let sent = operations(&ch(&mut app, 'y'));
    assert_eq!(sent, [(id(2), crate::coc::Operation::Resume.into())]);
}

#[test]
fn read_only_offers_nothing_and_sends_nothing() {
    let mut app = mixed().with_settings(UiSettings {
        read_only: Some("--read-only".into()),
        ..UiSettings::default()
    });
    select_id(&mut app, &id_text(0));
    let mut sent = Vec::new();
    for key in ['x', 'y', 'x', '\r', 'y'] {
        let code = if key == '\r' {
            KeyCode::Enter
        } else {
            KeyCode::Char(key)
        };
        sent.extend(operations(&press(&mut app, code)));
    }
    assert!(sent.is_empty());
    ch(&mut app, 'x');
    assert!(
        matches!(app.prompt(), Some(Prompt::Notice { lines, .. }) if lines[0].contains("--read-only")),
        "{:?}",
        app.prompt()
    );
}

#[test]
fn the_servers_answer_shows_and_history_records_it() {
    let mut app = mixed();
    select_id(&mut app, &id_text(0));
    for answer in [Ok(()), Err(())] {
        ch(&mut app, 'x');
        press(&mut app, KeyCode::Enter);
        ch(&mut app, 'y');
        let result = answer.map_err(|()| ApiError::Http {
            status: 400,
            error_code: Some("COC.00040712".into()),
            error_msg: Some("not in \u{1b}[31mthis status".into()),
            request_id: Some("req-42".into()),
            excerpt: None,
            retry_after: None,
        });
        let out = update(
            &mut app,
            Message::Engine(Update::Reply(Reply::Operated {
                id: id(0),
                operation: crate::coc::Operation::Retry.into(),
                result,
                at: now(),
            })),
        );
        assert!(out.redraw);
    }
    let records = &app.ticket(&id(0)).unwrap().operations;
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].result, Some(Ok(())));
    assert!(matches!(records[1].result, Some(Err(_))));
    let Some(Prompt::Notice { title, lines }) = app.prompt() else {
        panic!("the refusal is shown");
    };
    assert_eq!(title, "RETRY refused");
    let text = lines.join("\n");
    for part in [
        "EX0000",
        "HTTP 400",
        "COC.00040712",
        "not in this status",
        "req-42",
    ] {
        assert!(text.contains(part), "{part} in\n{text}");
    }
    assert!(!text.contains('\u{1b}'), "sanitised");
    ch(&mut app, 'q');
    assert!(
        app.prompt().is_none(),
        "any key closes it, and does nothing else"
    );
}

fn refused(app: &mut App, n: usize, operation: crate::coc::Operation) -> Reaction {
    let error = ApiError::Http {
        status: 400,
        error_code: Some("COC.00040712".into()),
        error_msg: Some("not in this status".into()),
        request_id: None,
        excerpt: None,
        retry_after: None,
    };
    update(
        app,
        Message::Engine(Update::Reply(Reply::Operated {
            id: id(n),
            operation: operation.into(),
            result: Err(error),
            at: now(),
        })),
    )
}

fn typed(app: &mut App, text: &str) -> Vec<Action> {
    text.chars().flat_map(|c| ch(app, c).actions).collect()
}

/// #16 item 9: a refusal that arrives while TERMINATE is being typed waits behind the
/// confirmation; the rest of the word goes to the confirmation, never to the list (it
/// used to close the notice, open the `a` line with `a` and save `te` to the config).
#[test]
fn a_refusal_waits_behind_an_open_confirmation_and_no_key_falls_through() {
    use crate::coc::Operation::{Retry, Terminate};
    let mut app = mixed();
    select_id(&mut app, &id_text(0));
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    assert_eq!(operations(&ch(&mut app, 'y')), [(id(0), Retry.into())]);

    select_id(&mut app, &id_text(1));
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    let mut actions = typed(&mut app, "termi");
    refused(&mut app, 0, Retry);
    assert!(
        matches!(app.prompt(), Some(Prompt::Confirm { typed, .. }) if typed == "termi"),
        "{:?}",
        app.prompt()
    );
    assert_eq!(app.notices_waiting(), 1);
    assert_eq!(app.focus(), Focus::Confirm);

    actions.extend(typed(&mut app, "nate"));
    actions.extend(press(&mut app, KeyCode::Enter).actions);
    assert!(
        actions.iter().all(|a| matches!(a, Action::Engine(_))),
        "a key fell through: {actions:?}"
    );
    let sent = operations(&Reaction {
        redraw: true,
        actions,
    });
    assert_eq!(sent, [(id(1), Terminate.into())]);
    assert!(
        app.watch_edit().input().is_none(),
        "the a line never opened"
    );
    let Some(Prompt::Notice { title, .. }) = app.prompt() else {
        panic!("the refusal shows once the confirmation is answered");
    };
    assert_eq!(title, "RETRY refused");
    assert_eq!(app.notices_waiting(), 0);
}

/// Notices wait for a line being typed too, and come one at a time, in order.
#[test]
fn notices_wait_for_the_line_being_typed_and_come_one_at_a_time() {
    use crate::coc::Operation::{Resume, Retry};
    let mut app = mixed();
    ch(&mut app, 'a');
    typed(&mut app, "EX9");
    refused(&mut app, 0, Retry);
    ch(&mut app, '9');
    assert_eq!(
        app.watch_edit().input(),
        Some("EX99"),
        "the key went to the line"
    );
    assert!(app.prompt().is_none());
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.prompt(), Some(Prompt::Notice { title, .. }) if title == "RETRY refused"));

    ch(&mut app, 'j');
    ch(&mut app, '/');
    refused(&mut app, 2, Resume);
    refused(&mut app, 0, Retry);
    assert!(app.prompt().is_none());
    assert_eq!(typed(&mut app, "job"), []);
    assert_eq!(app.filter(), "job");
    press(&mut app, KeyCode::Enter);
    let title = |app: &App| match app.prompt() {
        Some(Prompt::Notice { title, .. }) => title.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(title(&app), "RESUME refused");
    ch(&mut app, 'j');
    assert_eq!(title(&app), "RETRY refused");
    ch(&mut app, 'j');
    assert!(app.prompt().is_none());
}

/// The runs a reaction starts: from which ticket, and what.
fn starts(out: &Reaction) -> Vec<(TicketRef, crate::launch::JobRun)> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Engine(Command::Start { from, run }) => Some((from.clone(), (**run).clone())),
            _ => None,
        })
        .collect()
}

/// `x` on ticket 3 (finished, runnable again), the menu's "run again", Enter.
fn review_run_again(app: &mut App) {
    select_id(app, &id_text(3));
    ch(app, 'x');
    let Some(Prompt::Menu { choices, .. }) = app.prompt() else {
        panic!("a menu: {:?}", app.prompt());
    };
    assert_eq!(choices, &[Choice::RunAgain], "nothing else fits a success");
    press(app, KeyCode::Enter);
    assert_eq!(app.focus(), Focus::Review);
}

#[test]
fn run_again_reviews_the_same_run_with_its_parameters_edited_one_by_one() {
    let mut app = mixed();
    runnable_again(&mut app, 3);
    review_run_again(&mut app);
    // The first parameter: "nginx" becomes "apache"; j and k are text here.
    for _ in "nginx".chars() {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "apache".chars() {
        assert!(starts(&ch(&mut app, c)).is_empty());
    }
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    ch(&mut app, 'j');
    press(&mut app, KeyCode::Up);
    ch(&mut app, 'k');
    assert!(
        starts(&press(&mut app, KeyCode::Enter)).is_empty(),
        "Enter only confirms"
    );
    let Some(Prompt::ConfirmRunAgain { run, .. }) = app.prompt() else {
        panic!("a confirmation: {:?}", app.prompt());
    };
    let shown = run.describe();
    assert_eq!(shown[0], "RUN job job3 (DM1)  version v2");
    assert_eq!(shown[1], "  parameter service = apachek");
    assert_eq!(shown[2], "  parameter mode = rollingj");
    let started = starts(&ch(&mut app, 'y'));
    let [(from, run)] = &started[..] else {
        panic!("one start: {started:?}");
    };
    assert_eq!(from, &id(3));
    let source = app.ticket(&id(3)).unwrap().ticket.clone().unwrap();
    let again = crate::launch::JobRun::again(source.as_execution().unwrap()).unwrap();
    assert_eq!(run.document_id, "DM1");
    assert_eq!(run.request.version, again.request.version);
    assert_eq!(run.request.targets, again.request.targets);
    assert_eq!(run.request.target_parameter_name.as_deref(), Some("hosts"));
    let values: Vec<&str> = run.request.parameters.iter().map(|p| &*p.value).collect();
    assert_eq!(values, ["apachek", "rollingj"]);
    assert!(app.prompt().is_none());
}

#[test]
fn no_stray_key_starts_a_run_again_and_esc_leaves_the_review() {
    let mut app = mixed();
    runnable_again(&mut app, 3);
    review_run_again(&mut app);
    assert!(starts(&press(&mut app, KeyCode::Esc)).is_empty());
    assert!(app.prompt().is_none(), "Esc leaves the review");
    for stray in [
        KeyCode::Enter,
        KeyCode::Char('Y'),
        KeyCode::Char('n'),
        KeyCode::Esc,
        KeyCode::Down,
        KeyCode::Backspace,
    ] {
        review_run_again(&mut app);
        press(&mut app, KeyCode::Enter);
        assert!(matches!(app.prompt(), Some(Prompt::ConfirmRunAgain { .. })));
        let out = press(&mut app, stray);
        assert!(starts(&out).is_empty(), "{stray:?} started it");
        assert!(app.prompt().is_none(), "{stray:?} cancels");
        let declined = LogLine::Run {
            what: "RUN DM1".into(),
            to: None,
            outcome: crate::launch::RunOutcome::Declined,
        };
        assert_eq!(
            out.actions,
            [Action::Log(Box::new(declined))],
            "{stray:?}: one line"
        );
    }
    // A running ticket, or one without a job, is not offered it.
    select_id(&mut app, &id_text(1));
    ch(&mut app, 'x');
    assert!(
        matches!(app.prompt(), Some(Prompt::Menu { choices, .. }) if !choices.contains(&Choice::RunAgain))
    );
}

fn started(app: &mut App, result: Result<String, ApiError>) -> Reaction {
    let source = app.ticket(&id(3)).unwrap().ticket.clone().unwrap();
    let run = crate::launch::JobRun::again(source.as_execution().unwrap()).unwrap();
    update(
        app,
        Message::Engine(Update::Reply(Reply::Started {
            from: id(3),
            run: Arc::new(run),
            result,
            at: app.now,
        })),
    )
}

#[test]
fn the_new_ticket_joins_the_watch_list_saved_and_opens() {
    let mut app = mixed();
    runnable_again(&mut app, 3);
    let out = started(&mut app, Ok("EX0042".into()));
    assert!(out.redraw);
    assert!(app.ticket(&r("EX0042")).is_some(), "watched");
    assert_eq!(app.view(), View::Ticket);
    assert_eq!(app.shown().unwrap().id, r("EX0042"), "and opened");
    assert!(
        out.actions
            .contains(&Action::Engine(Command::Add(r("EX0042"))))
    );
    assert!(
        out.actions
            .contains(&Action::SaveWatch(WatchChange::Add(vec![
                WatchEntry::unlabelled(r("EX0042"))
            ])))
    );
    assert!(
        out.actions
            .contains(&Action::Engine(Command::Follow(Some(r("EX0042")))))
    );
}

#[test]
fn a_refused_or_unanswered_run_again_is_told_with_how_to_find_it() {
    let mut app = mixed();
    runnable_again(&mut app, 3);
    let refused = ApiError::Http {
        status: 400,
        error_code: Some("COC.00040001".into()),
        error_msg: Some("missing parameter".into()),
        request_id: Some("req-1".into()),
        excerpt: None,
        retry_after: None,
    };
    started(&mut app, Err(refused));
    let Some(Prompt::Notice { title, lines }) = app.prompt() else {
        panic!("a notice: {:?}", app.prompt());
    };
    assert!(title.contains("refused"), "{title}");
    assert!(
        lines.iter().any(|l| l.contains("COC.00040001")),
        "{lines:?}"
    );
    press(&mut app, KeyCode::Esc);
    let timeout = ApiError::Timeout {
        after: Duration::from_secs(15),
    };
    started(&mut app, Err(timeout));
    let Some(Prompt::Notice { lines, .. }) = app.prompt() else {
        panic!("a notice: {:?}", app.prompt());
    };
    assert!(lines[0].contains("outcome unknown"), "{lines:?}");
    assert!(
        lines[1].contains("coctop list --job-id DM1 --since 2m"),
        "{lines:?}"
    );
    assert_eq!(
        app.tickets().len(),
        mixed().tickets().len(),
        "nothing watched"
    );
}

#[test]
fn a_ticket_started_again_from_another_profile_is_that_profiles_polled_and_saved() {
    // Ticket 3 is staging's, the second profile.
    let mut app = two_profiles(mixed());
    runnable_again(&mut app, 3);
    let out = started(&mut app, Ok("EX0042".into()));
    let new = app.ticket(&r("EX0042")).unwrap();
    assert_eq!(new.profile_name(), "staging");
    let belongs = Command::Belongs {
        id: r("EX0042"),
        profile: Arc::from("staging"),
    };
    let engine_commands: Vec<&Command> = out
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Engine(command) => Some(command),
            _ => None,
        })
        .collect();
    assert_eq!(
        engine_commands[..2],
        [&belongs, &Command::Add(r("EX0042"))],
        "its profile before it is polled"
    );
    let saved = WatchEntry {
        profile: Some("staging".into()),
        ..WatchEntry::unlabelled(r("EX0042"))
    };
    assert!(
        out.actions
            .contains(&Action::SaveWatch(WatchChange::Add(vec![saved]))),
        "{:?}",
        out.actions
    );
}

/// The log lines among the actions.
fn logged(out: &Reaction) -> Vec<&Attempt> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Log(line) => match &**line {
                LogLine::Operation(attempt) => Some(attempt),
                LogLine::Run { .. } => None,
            },
            _ => None,
        })
        .collect()
}

fn attempt(op: &str, n: usize, to: Option<Destination>, outcome: OperationOutcome) -> Attempt {
    Attempt {
        op: op.into(),
        id: id(n),
        to,
        outcome,
    }
}

#[test]
fn a_confirmation_left_any_way_but_yes_is_one_declined_line_and_yes_none_here() {
    let mut app = mixed();
    select_id(&mut app, &id_text(0));
    let declined = attempt("RETRY", 0, None, OperationOutcome::Declined);
    for way_out in [KeyCode::Esc, KeyCode::Char('n'), KeyCode::Enter] {
        ch(&mut app, 'x');
        assert!(logged(&press(&mut app, KeyCode::Enter)).is_empty());
        let out = press(&mut app, way_out);
        assert_eq!(logged(&out), [&declined], "{way_out:?}");
    }
    // Esc at the menu chose nothing: no attempt.
    ch(&mut app, 'x');
    assert!(logged(&press(&mut app, KeyCode::Esc)).is_empty());
    // `y` sends: the engine logs the answer.
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    let sent = ch(&mut app, 'y');
    assert_eq!(operations(&sent).len(), 1);
    assert!(logged(&sent).is_empty());

    // TERMINATE's word half typed, then Ctrl-C: declined, logged before quitting.
    select_id(&mut app, &id_text(1));
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    for c in "term".chars() {
        assert!(logged(&ch(&mut app, c)).is_empty());
    }
    let quit = ctrl(&mut app, 'c');
    let terminate = attempt("TERMINATE", 1, None, OperationOutcome::Declined);
    let terminate = LogLine::Operation(terminate);
    assert_eq!(
        quit.actions,
        [Action::Log(Box::new(terminate)), Action::Quit]
    );
    assert!(app.leave().is_none(), "logged once");
}

#[test]
fn read_only_logs_what_the_menu_would_have_offered_once_per_x() {
    let mut app = mixed().with_settings(UiSettings {
        read_only: Some("--read-only".into()),
        ..UiSettings::default()
    });
    select_id(&mut app, &id_text(0));
    let out = ch(&mut app, 'x');
    assert_eq!(
        logged(&out),
        [&attempt("RETRY", 0, None, OperationOutcome::ReadOnly)]
    );
    ch(&mut app, 'q');
    select_id(&mut app, &id_text(2));
    let out = ch(&mut app, 'x');
    assert_eq!(logged(&out)[0].op, "TERMINATE|RESUME");
    ch(&mut app, 'q');
    // Nothing fits a finished ticket: nothing was held back.
    select_id(&mut app, &id_text(3));
    assert!(logged(&ch(&mut app, 'x')).is_empty());
}

fn staging() -> Destination {
    Destination {
        profile: "staging".into(),
        endpoint: "ap-southeast-1".into(),
        account: None,
    }
}

#[test]
fn with_two_profiles_the_menu_the_confirmation_and_the_log_line_name_the_tickets_own() {
    let mut app = super::two_profiles(mixed());
    select_id(&mut app, &id_text(1));
    ch(&mut app, 'x');
    let Some(Prompt::Menu { to, .. }) = app.prompt() else {
        panic!("a menu: {:?}", app.prompt());
    };
    assert_eq!(to.as_deref(), Some("profile staging (ap-southeast-1)"));
    press(&mut app, KeyCode::Enter);
    let Some(Prompt::Confirm { description, .. }) = app.prompt() else {
        panic!("a confirmation: {:?}", app.prompt());
    };
    assert!(
        description.ends_with("profile staging (ap-southeast-1)"),
        "{description}"
    );
    let out = press(&mut app, KeyCode::Esc);
    let declined = attempt("TERMINATE", 1, Some(staging()), OperationOutcome::Declined);
    assert_eq!(logged(&out), [&declined]);
}

#[test]
fn a_profiles_own_read_only_holds_back_its_tickets_operations_and_commands_only() {
    let why = "read_only = true in [[profile]] \"staging\"";
    let writes = crate::custom::CustomCommand {
        key: 'C',
        name: "restart".into(),
        scope: crate::custom::Scope::Ticket,
        argv: vec!["true".into()],
        confirm: false,
        writes: true,
        interactive: false,
        timeout: Duration::from_secs(5),
    };
    let app = mixed().with_settings(UiSettings {
        commands: vec![writes],
        ..UiSettings::default()
    });
    let mut app = super::two_profiles_with(app, Some(why));
    select_id(&mut app, &id_text(1));
    let out = ch(&mut app, 'x');
    let held = attempt("TERMINATE", 1, Some(staging()), OperationOutcome::ReadOnly);
    assert_eq!(logged(&out), [&held]);
    assert!(
        matches!(app.prompt(), Some(Prompt::Notice { lines, .. }) if lines[0].contains(why)),
        "{:?}",
        app.prompt()
    );
    ch(&mut app, 'q');
    let run = |out: Reaction| -> crate::app::Run {
        out.actions
            .into_iter()
            .find_map(|a| match a {
                Action::Run(run) => Some(run),
                _ => None,
            })
            .expect("a run")
    };
    let staging_run = run(ch(&mut app, 'C'));
    assert!(!app.may_start(&staging_run));
    ch(&mut app, 'q');
    // prod's tickets: operations and the command as usual.
    select_id(&mut app, &id_text(0));
    assert!(logged(&ch(&mut app, 'x')).is_empty());
    assert!(matches!(app.prompt(), Some(Prompt::Menu { .. })));
    press(&mut app, KeyCode::Esc);
    let prod_run = run(ch(&mut app, 'C'));
    assert!(app.may_start(&prod_run));
}

#[test]
fn a_declined_run_again_of_a_profiles_ticket_names_the_profile_in_its_line() {
    let mut app = super::two_profiles(mixed());
    runnable_again(&mut app, 3);
    review_run_again(&mut app);
    press(&mut app, KeyCode::Enter);
    let out = ctrl(&mut app, 'c');
    let declined = LogLine::Run {
        what: "RUN DM1".into(),
        to: Some(staging()),
        outcome: crate::launch::RunOutcome::Declined,
    };
    assert_eq!(out.actions, [Action::Log(Box::new(declined)), Action::Quit]);
}
