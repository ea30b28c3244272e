//! Notifications, unseen failures and watch-list edits, through `update`.

use super::*;
use crate::notify::Notification;
use crate::notify::NotifyOn;
use crate::watch::TicketUpdate;

fn transition(
    app: &mut App,
    n: usize,
    from: Option<Status>,
    to: Status,
    at: SystemTime,
) -> Reaction {
    update(
        app,
        Message::Engine(Update::Ticket(TicketUpdate::Transition {
            id: id(n),
            from: from.map(Into::into),
            to: to.into(),
            at,
        })),
    )
}

fn notifications(outcome: &Reaction) -> Vec<&Notification> {
    outcome
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(n) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn failures_are_unseen_until_n_and_one_cycle_is_one_notification() {
    let cycle = Duration::from_secs(5);
    let mut app = app_with(4, |i| ticket(i, Status::Running, "job", 60))
        .with_notifications(NotifyOn::default(), cycle);
    let t0 = now();
    assert!(transition(&mut app, 0, Some(Status::Running), Status::Failed, t0).redraw);
    transition(&mut app, 1, Some(Status::Running), Status::Timeout, t0);
    transition(&mut app, 2, Some(Status::Running), Status::Succeed, t0);
    // Seen failing at its first sight: where it stood, not news.
    transition(&mut app, 3, None, Status::Failed, t0);
    assert_eq!(app.unseen_failures(), [id(0), id(1)]);

    let early = update(&mut app, Message::Tick(t0 + Duration::from_secs(1)));
    assert!(notifications(&early).is_empty());
    let due = update(&mut app, Message::Tick(t0 + cycle));
    let told = notifications(&due);
    assert_eq!(told.len(), 1, "{:?}", due.actions);
    let ids: Vec<&TicketRef> = told[0].changes.iter().map(|c| &c.id).collect();
    assert_eq!(ids, [&id(0), &id(1)]);
    assert_eq!(told[0].changes[0].name, "job");
    let later = update(&mut app, Message::Tick(t0 + cycle * 3));
    assert!(notifications(&later).is_empty(), "told once");

    assert!(ch(&mut app, 'n').redraw);
    assert!(app.unseen_failures().is_empty());
    assert!(!ch(&mut app, 'n').redraw, "nothing left to mark");
}

#[test]
fn a_adds_typed_and_pasted_ids_with_a_label_and_saves_them() {
    let mut app = finished(2);
    assert!(ch(&mut app, 'a').redraw);
    assert_eq!(app.watch_edit().input(), Some(""));
    ch(&mut app, 'E');
    ch(&mut app, 'X');
    ch(&mut app, '9');
    update(
        &mut app,
        Message::Paste("001, EX9002\nEX0000 # night".into()),
    );
    assert_eq!(
        app.watch_edit().input(),
        Some("EX9001, EX9002 EX0000 # night")
    );
    let outcome = press(&mut app, KeyCode::Enter);
    let entries: Vec<WatchEntry> = ["EX9001", "EX9002", "EX0000"]
        .iter()
        .map(|id| WatchEntry {
            id: r(id),
            label: Some("night".into()),
            profile: None,
        })
        .collect();
    assert_eq!(
        outcome.actions,
        [Action::SaveWatch(WatchChange::Add(entries.clone()))],
        "saved first, watched once saved"
    );
    assert_eq!(app.tickets().len(), 2);
    assert!(app.watch_edit().input().is_none());
    assert!(
        app.watch_edit()
            .note()
            .unwrap()
            .text
            .contains("2 more tickets")
    );

    let saved = update(
        &mut app,
        Message::Added {
            entries,
            said: Saved::To("coctop.toml".into()),
        },
    );
    assert_eq!(
        saved.actions,
        [
            engine(Command::Add(r("EX9001"))),
            engine(Command::Add(r("EX9002"))),
        ],
        "EX0000 was watched already: not added to the engine again"
    );
    assert_eq!(app.tickets().len(), 4);
    assert_eq!(
        app.ticket(&r("EX9001")).unwrap().label.as_deref(),
        Some("night")
    );
    assert!(
        app.watch_edit()
            .note()
            .unwrap()
            .text
            .contains("coctop.toml")
    );

    update(&mut app, Message::Saved(Saved::Failed("disk full".into())));
    let note = app.watch_edit().note().unwrap();
    assert!(note.is_error && note.text.contains("disk full"));
    ch(&mut app, 'j');
    assert!(
        app.watch_edit().note().is_none(),
        "read once another key comes"
    );
}

#[test]
fn an_invalid_id_keeps_the_line_open_and_esc_cancels() {
    let mut app = finished(1);
    ch(&mut app, 'a');
    update(&mut app, Message::Paste("EX1 a/b".into()));
    let outcome = press(&mut app, KeyCode::Enter);
    assert!(outcome.actions.is_empty());
    assert_eq!(app.watch_edit().input(), Some("EX1 a/b"));
    assert!(app.watch_edit().note().unwrap().text.contains("\"a/b\""));
    press(&mut app, KeyCode::Esc);
    assert!(app.watch_edit().input().is_none());
    assert_eq!(app.tickets().len(), 1);
    // Keys are the list's again.
    assert_eq!(ch(&mut app, 'q').actions, [Action::Quit]);
}

#[test]
fn d_names_the_ticket_and_only_y_removes_it() {
    let mut app = finished(3);
    transition(&mut app, 0, Some(Status::Running), Status::Failed, now());
    ch(&mut app, 'g');
    let target = selected_ref(&app);
    assert_eq!(target, id(0), "the newest first");
    let outcome = ch(&mut app, 'd');
    assert!(outcome.actions.is_empty());
    assert_eq!(app.watch_edit().removing(), Some(&target));
    // Any other key keeps it, and does nothing else.
    let kept = ch(&mut app, 'q');
    assert!(kept.actions.is_empty());
    assert_eq!(app.tickets().len(), 3);

    ch(&mut app, 'd');
    let removed = ch(&mut app, 'y');
    assert_eq!(
        removed.actions,
        [
            engine(Command::Remove(target.clone())),
            Action::SaveWatch(WatchChange::Remove(target.clone())),
        ]
    );
    assert!(app.ticket(&target).is_none());
    assert_eq!(app.tickets().len(), 2);
    assert_ne!(selected(&app), target);
    let (counts, failing) = app.recount();
    assert_eq!(app.counts(), counts.as_slice());
    assert_eq!(app.health().failing, failing);
    assert!(
        app.unseen_failures().is_empty(),
        "the unseen failure of a removed ticket goes with it"
    );
}

#[test]
fn removing_the_open_ticket_goes_back_to_the_list() {
    let mut app = finished(2);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Ticket);
    let open = app.shown().unwrap().id.clone();
    ch(&mut app, 'd');
    ch(&mut app, 'y');
    assert_eq!(app.view(), View::List);
    assert!(app.ticket(&open).is_none());
}

#[test]
fn a_reloaded_config_changes_the_watch_list_labels_and_rules() {
    let mut app = finished(3).with_notifications(NotifyOn::default(), Duration::ZERO);
    let reloaded = Reloaded {
        watch: vec![
            WatchEntry {
                id: id(1),
                label: Some("renamed".into()),
                profile: None,
            },
            WatchEntry::unlabelled(id(0)),
            WatchEntry::unlabelled(r("EX7777")),
        ],
        notify: crate::notify::NotifyConfig {
            on: NotifyOn::Any,
            ..Default::default()
        },
        commands: Vec::new(),
    };
    let outcome = update(&mut app, Message::ConfigReloaded(Ok(reloaded.clone())));
    assert_eq!(
        outcome.actions,
        [
            engine(Command::Remove(id(2))),
            engine(Command::Add(r("EX7777"))),
            Action::Renotify(reloaded.notify.clone()),
        ]
    );
    let mut watched: Vec<String> = app.tickets().iter().map(|t| t.id.to_string()).collect();
    watched.sort_unstable();
    assert_eq!(watched, ["EX0000", "EX0001", "EX7777"]);
    assert_eq!(app.ticket(&id(1)).unwrap().name(), "renamed");
    // "any": a change to Running notifies now.
    transition(&mut app, 0, Some(Status::Pending), Status::Running, now());
    let told = update(&mut app, Message::Tick(now()));
    assert_eq!(notifications(&told).len(), 1);

    let broken = "/c.toml:3:12: `interval` in [poll]: invalid duration".to_string();
    update(&mut app, Message::ConfigReloaded(Err(broken.clone())));
    assert_eq!(app.config_error(), Some(broken.as_str()));
    assert_eq!(app.tickets().len(), 3, "the running config stays");
    let again = update(&mut app, Message::ConfigReloaded(Ok(reloaded)));
    assert_eq!(
        again.actions.len(),
        1,
        "nothing to add or remove: {:?}",
        again.actions
    );
    assert_eq!(app.config_error(), None);
}

#[test]
fn a_reload_changes_only_what_came_from_the_file() {
    let mut app = finished(2);
    let joined = |app: &mut App, n: usize| {
        update(
            app,
            Message::Engine(Update::Ticket(TicketUpdate::Joined {
                id: id(n),
                query: "team".into(),
                at: now(),
            })),
        )
    };
    // Ticket 5 is found by a query and changes status; ticket 1 is in the file and the
    // query; ticket 6 is pinned from the browse view.
    joined(&mut app, 5);
    snapshot(&mut app, ticket(5, Status::Running, "found", 60));
    transition(&mut app, 5, Some(Status::Pending), Status::Running, now());
    joined(&mut app, 1);
    let pinned = app.tickets.insert_listed(TicketEntry::listed_from(
        ticket(6, Status::Failed, "browsed", 60).into(),
        now(),
    ));
    app.tickets
        .set_origin(&app.tickets.all()[pinned].id.clone(), Origin::Watched);

    // The file now names ticket 0 only: 1 leaves it but stays as the query's.
    let reloaded = Reloaded {
        watch: vec![WatchEntry::unlabelled(id(0))],
        notify: Default::default(),
        commands: Vec::new(),
    };
    let outcome = update(&mut app, Message::ConfigReloaded(Ok(reloaded)));
    assert!(
        !outcome
            .actions
            .iter()
            .any(|a| matches!(a, Action::Engine(Command::Remove(_)))),
        "{:?}",
        outcome.actions
    );
    let mut held: Vec<String> = app.tickets().iter().map(|t| t.id.to_string()).collect();
    held.sort_unstable();
    assert_eq!(held, [id(0), id(1), id(5), id(6)]);
    assert_eq!(app.ticket(&id(1)).unwrap().origin, Origin::Query);
    assert_eq!(app.ticket(&id(5)).unwrap().history.len(), 1, "History kept");
    assert_eq!(
        app.ticket(&id(6)).unwrap().origin,
        Origin::Watched,
        "still pinned"
    );

    // Gone from the file and found by nothing: it goes.
    let emptied = Reloaded {
        watch: Vec::new(),
        notify: Default::default(),
        commands: Vec::new(),
    };
    let outcome = update(&mut app, Message::ConfigReloaded(Ok(emptied)));
    assert!(outcome.actions.contains(&engine(Command::Remove(id(0)))));
    assert!(app.ticket(&id(0)).is_none() && app.ticket(&id(6)).is_some());
}

/// `a` with the line `text`, and Enter.
fn add_line(app: &mut App, text: &str) -> Reaction {
    ch(app, 'a');
    for c in text.chars() {
        ch(app, c);
    }
    press(app, KeyCode::Enter)
}

#[test]
fn a_named_profile_on_the_a_line_is_the_tickets_and_the_first_is_written_as_nothing() {
    let mut app = two_profiles(mixed());
    let typo = add_line(&mut app, "profile=stagng EX0101");
    assert!(typo.actions.is_empty(), "{:?}", typo.actions);
    let note = app.watch_edit().note().unwrap();
    assert!(
        note.is_error && note.text.contains("did you mean \"staging\"?"),
        "{note:?}"
    );
    assert_eq!(
        app.watch_edit().input(),
        Some("profile=stagng EX0101"),
        "the line is kept"
    );
    press(&mut app, KeyCode::Esc);

    let out = add_line(&mut app, "profile=staging EX0101 # late");
    let saved = WatchEntry {
        id: r("EX0101"),
        label: Some("late".into()),
        profile: Some("staging".into()),
    };
    assert_eq!(
        out.actions,
        [Action::SaveWatch(WatchChange::Add(vec![saved.clone()]))]
    );
    let added = update(
        &mut app,
        Message::Added {
            entries: vec![saved],
            said: Saved::To("coctop.toml".into()),
        },
    );
    assert_eq!(app.ticket(&r("EX0101")).unwrap().profile_name(), "staging");
    let belongs = engine(Command::Belongs {
        id: r("EX0101"),
        profile: Arc::from("staging"),
    });
    assert_eq!(
        added.actions,
        [belongs, engine(Command::Add(r("EX0101")))],
        "its profile before it is polled"
    );

    let first = add_line(&mut app, "EX0102");
    assert_eq!(
        first.actions,
        [Action::SaveWatch(WatchChange::Add(vec![
            WatchEntry::unlabelled(r("EX0102"))
        ]))],
        "the first profile's: written without one"
    );
}

#[test]
fn ids_the_config_cannot_take_are_not_watched_and_a_notice_says_why() {
    let mut app = finished(2);
    ch(&mut app, 'a');
    update(&mut app, Message::Paste("EX9001 EX9002".into()));
    let outcome = press(&mut app, KeyCode::Enter);
    let [Action::SaveWatch(WatchChange::Add(entries))] = outcome.actions.as_slice() else {
        panic!("{:?}", outcome.actions);
    };
    let why = "coctop.toml: the file would grow to 1100 KiB, more than the 1 MiB a config may hold";
    let refused = update(
        &mut app,
        Message::Added {
            entries: entries.clone(),
            said: Saved::Failed(why.into()),
        },
    );
    assert!(refused.actions.is_empty(), "{:?}", refused.actions);
    assert_eq!(app.tickets().len(), 2, "nothing added");
    assert!(app.ticket(&r("EX9001")).is_none());
    let Some(Prompt::Notice { title, lines }) = app.prompt() else {
        panic!("a notice: {:?}", app.prompt());
    };
    assert_eq!(title, "not added");
    assert!(lines[0].contains("more than the 1 MiB"), "{lines:?}");

    // A pinned ticket is watched already: a failed save leaves it, and says so.
    press(&mut app, KeyCode::Esc);
    let pinned = vec![WatchEntry::unlabelled(id(0))];
    update(
        &mut app,
        Message::Added {
            entries: pinned,
            said: Saved::Failed("disk full".into()),
        },
    );
    assert!(app.ticket(&id(0)).is_some());
    assert!(app.watch_edit().note().unwrap().text.contains("disk full"));
}

#[test]
fn a_reload_leaves_out_the_tickets_of_a_profile_new_to_the_file_and_says_so() {
    let mut app = two_profiles(finished(2));
    let of = |profile: Option<&str>, n: usize| WatchEntry {
        profile: profile.map(str::to_string),
        ..WatchEntry::unlabelled(id(n))
    };
    let reloaded = Reloaded {
        watch: vec![of(None, 0), of(Some("staging"), 1), of(Some("qa"), 7)],
        notify: Default::default(),
        commands: Vec::new(),
    };
    let outcome = update(&mut app, Message::ConfigReloaded(Ok(reloaded)));
    assert!(
        !outcome.actions.iter().any(|a| matches!(
            a,
            Action::Engine(Command::Add(added) | Command::Belongs { id: added, .. })
                if *added == id(7)
        )),
        "no engine of this dashboard polls qa's ticket: {:?}",
        outcome.actions
    );
    assert!(
        app.ticket(&id(7)).is_none(),
        "not shown as another profile's"
    );
    let note = app.watch_edit().note().expect("a note");
    assert!(
        note.is_error && note.text.contains("\"qa\""),
        "{}",
        note.text
    );
}
