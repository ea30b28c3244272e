//! `update` driven key by key and update by update.

use crate::watch::HealthUpdate;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::*;
use crate::coc::{ApiError, Status, Ticket};

const NOW: u64 = 1_751_378_400;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn id(n: usize) -> String {
    format!("EX{n:04}")
}

fn ticket(n: usize, status: Status, name: &str, started_secs_ago: u64) -> Ticket {
    let mut t = Ticket::empty(id(n));
    t.status = Some(status.clone());
    t.document_name = Some(name.into());
    t.creator = Some(format!("user{n}"));
    t.start_time = Some(((NOW - started_secs_ago) * 1000) as i64);
    if status.is_terminal() {
        t.end_time = Some(((NOW - started_secs_ago + 60) * 1000) as i64);
    }
    t
}

fn empty_app(n: usize) -> App {
    sized_app(n, 80, 24)
}

/// Tickets 0..n watched, nothing polled yet, on a `width`x`height` terminal.
pub(super) fn sized_app(n: usize, width: u16, height: u16) -> App {
    let mut app = App::new(AppInit {
        endpoint: "cn-north-4".into(),
        watch: (0..n).map(|i| WatchEntry::unlabelled(id(i))).collect(),
        color: true,
        now: now(),
    });
    update(&mut app, Message::Resize { width, height });
    app
}

/// Tickets 0..n, each snapshot given by `make(i)`, on an 80x24 terminal.
fn app_with(n: usize, make: impl Fn(usize) -> Ticket) -> App {
    let mut app = empty_app(n);
    for i in 0..n {
        snapshot(&mut app, make(i));
    }
    app
}

/// Five finished tickets named a..e, started 2 to 6 hours ago.
fn finished(n: usize) -> App {
    app_with(n, |i| {
        let name = ((b'a' + i as u8) as char).to_string();
        ticket(i, Status::Succeed, &name, 7200 + 3600 * i as u64)
    })
}

fn snapshot(app: &mut App, t: Ticket) -> Outcome {
    update(
        app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            execution_id: t.execution_id.clone(),
            ticket: Arc::new(t),
            at: app.now,
        })),
    )
}

fn press(app: &mut App, code: KeyCode) -> Outcome {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(app: &mut App, c: char) -> Outcome {
    press(app, KeyCode::Char(c))
}

fn ctrl(app: &mut App, c: char) -> Outcome {
    update(
        app,
        Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) -> Outcome {
    update(
        app,
        Message::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    )
}

fn selected(app: &App) -> &str {
    &app.selected().expect("a selection").id
}

fn shown_ids(app: &App) -> Vec<String> {
    (0..app.visible_len())
        .map(|i| app.visible(i).unwrap().id.clone())
        .collect()
}

fn engine(command: Command) -> Action {
    Action::Engine(command)
}

#[test]
fn j_k_and_arrows_move_within_bounds() {
    let mut app = finished(5);
    assert_eq!(app.cursor(), 0);
    assert!(!ch(&mut app, 'k').redraw, "already at the top");
    assert_eq!(app.cursor(), 0);
    assert!(ch(&mut app, 'j').redraw);
    assert!(press(&mut app, KeyCode::Down).redraw);
    assert_eq!(app.cursor(), 2);
    assert!(press(&mut app, KeyCode::Up).redraw);
    assert_eq!(app.cursor(), 1);
    for _ in 0..10 {
        ch(&mut app, 'j');
    }
    assert_eq!(app.cursor(), 4, "stops at the last ticket");
    assert!(!ch(&mut app, 'j').redraw);
    assert_eq!(selected(&app), shown_ids(&app)[4]);
}

#[test]
fn g_home_and_shift_g_end_jump_to_the_ends() {
    let mut app = finished(5);
    ch(&mut app, 'G');
    assert_eq!(app.cursor(), 4);
    ch(&mut app, 'g');
    assert_eq!(app.cursor(), 0);
    press(&mut app, KeyCode::End);
    assert_eq!(app.cursor(), 4);
    press(&mut app, KeyCode::Home);
    assert_eq!(app.cursor(), 0);
    // Terminals send 'G' with SHIFT.
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
    );
    assert_eq!(app.cursor(), 4);
}

#[test]
fn page_keys_move_by_the_list_height() {
    let mut app = finished(100);
    let rows = usize::from(app.screen().rows.height);
    assert!(rows > 3);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.cursor(), rows);
    assert_eq!(app.list_offset(rows), 1, "scrolled just enough");
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.cursor(), rows);
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.cursor(), 0);
}

#[test]
fn enter_opens_the_ticket_and_esc_goes_back_one_level() {
    let mut app = finished(3);
    ch(&mut app, 'j');
    let chosen = selected(&app).to_string();
    assert!(press(&mut app, KeyCode::Enter).redraw);
    assert_eq!(app.view(), View::Ticket);
    assert_eq!(selected(&app), chosen);
    assert!(press(&mut app, KeyCode::Esc).redraw);
    assert_eq!(app.view(), View::List);
    assert_eq!(selected(&app), chosen, "back on the same ticket");
    assert!(
        !press(&mut app, KeyCode::Esc).redraw,
        "nothing left to close"
    );
}

#[test]
fn enter_does_nothing_without_tickets() {
    let mut app = empty_app(0);
    assert!(!press(&mut app, KeyCode::Enter).redraw);
    assert_eq!(app.view(), View::List);
}

#[test]
fn tabs_cycle_and_jump_by_number() {
    let mut app = finished(2);
    assert_eq!(app.tab(), Tab::Parameters);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab(), Tab::Tags);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.tab(), Tab::History, "wraps around");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab(), Tab::Parameters);
    for (key, tab) in ['1', '2', '3', '4', '5'].into_iter().zip(Tab::ALL) {
        ch(&mut app, key);
        assert_eq!(app.tab(), tab);
    }
    assert!(!ch(&mut app, '5').redraw, "already there");
}

#[test]
fn steps_are_fetched_once_when_their_tab_is_shown() {
    let mut app = finished(2);
    let first = selected(&app).to_string();
    let out = ch(&mut app, '4');
    assert_eq!(out.actions, [engine(Command::FetchSteps(first.clone()))]);
    assert!(matches!(app.selected().unwrap().steps, StepsState::Loading));
    assert!(ch(&mut app, '4').actions.is_empty(), "already loading");

    // Another ticket selected on the Steps tab: its steps are fetched.
    let out = ch(&mut app, 'j');
    let second = selected(&app).to_string();
    assert_eq!(out.actions, [engine(Command::FetchSteps(second))]);
    assert!(ch(&mut app, 'k').actions.is_empty(), "first is loading");

    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Steps {
            execution_id: first.clone(),
            result: Ok(vec![crate::coc::Step::default()]),
            at: now(),
        })),
    );
    assert!(matches!(
        &app.selected().unwrap().steps,
        StepsState::Loaded { steps, .. } if steps.len() == 1
    ));
    // `r` on the Steps tab refreshes the ticket and its steps.
    assert_eq!(
        ch(&mut app, 'r').actions,
        [
            engine(Command::Refresh(first.clone())),
            engine(Command::FetchSteps(first))
        ]
    );
}

#[test]
fn filter_matches_as_you_type_and_enter_keeps_it() {
    let mut app = app_with(4, |i| match i {
        0 => ticket(0, Status::Failed, "db-failover", 60),
        1 => ticket(1, Status::Running, "patch-kernel", 60),
        2 => ticket(2, Status::Succeed, "DB-backup", 60),
        _ => ticket(3, Status::Succeed, "rotate", 60),
    });
    assert!(ch(&mut app, '/').redraw);
    assert!(app.editing_filter());
    ch(&mut app, 'd');
    ch(&mut app, 'B');
    assert_eq!(app.filter(), "dB");
    assert_eq!(
        shown_ids(&app),
        [id(0), id(2)],
        "case-insensitive name match"
    );
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.visible_len(), 4);
    for c in "run".chars() {
        ch(&mut app, c);
    }
    assert_eq!(shown_ids(&app), [id(1)], "matches the status");
    // While typing, letters are text: 'q' does not quit.
    assert!(ch(&mut app, 'q').actions.is_empty());
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Enter);
    assert!(!app.editing_filter());
    assert_eq!(app.filter(), "run");
    assert_eq!(shown_ids(&app), [id(1)]);
    // Esc in the list clears the kept filter.
    assert!(press(&mut app, KeyCode::Esc).redraw);
    assert_eq!(app.filter(), "");
    assert_eq!(app.visible_len(), 4);
}

#[test]
fn filter_matches_id_and_creator_and_esc_clears_while_typing() {
    let mut app = finished(12);
    ch(&mut app, '/');
    for c in "ex0011".chars() {
        ch(&mut app, c);
    }
    assert_eq!(shown_ids(&app), [id(11)]);
    press(&mut app, KeyCode::Esc);
    assert!(!app.editing_filter());
    assert_eq!(app.filter(), "");
    ch(&mut app, '/');
    for c in "USER3".chars() {
        ch(&mut app, c);
    }
    assert_eq!(shown_ids(&app), [id(3)]);
}

#[test]
fn selection_stays_on_its_ticket_through_filtering() {
    let mut app = finished(5);
    ch(&mut app, 'G');
    let chosen = selected(&app).to_string();
    ch(&mut app, '/');
    for c in "zzz".chars() {
        ch(&mut app, c);
    }
    assert_eq!(app.visible_len(), 0);
    assert!(app.selected().is_none());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.visible_len(), 5);
    assert!(app.selected().is_some());
    ch(&mut app, '/');
    ch(&mut app, 'e'); // names a..e: only `e` and IDs with an `e` (all: "EX...")
    assert_eq!(selected(&app), chosen, "still shown, still selected");
}

#[test]
fn s_cycles_the_sort() {
    let mut app = app_with(3, |i| match i {
        0 => ticket(0, Status::Succeed, "charlie", 10),
        1 => ticket(1, Status::Failed, "alpha", 3000),
        _ => ticket(2, Status::Running, "bravo", 100),
    });
    assert_eq!(app.sort(), SortKey::Urgency);
    assert_eq!(shown_ids(&app), [id(1), id(2), id(0)]);
    assert!(ch(&mut app, 's').redraw);
    assert_eq!(app.sort(), SortKey::Started);
    assert_eq!(shown_ids(&app), [id(0), id(2), id(1)], "newest first");
    ch(&mut app, 's');
    assert_eq!(app.sort(), SortKey::Name);
    assert_eq!(shown_ids(&app), [id(1), id(2), id(0)]);
    ch(&mut app, 's');
    assert_eq!(app.sort(), SortKey::Status);
    assert_eq!(
        shown_ids(&app),
        [id(1), id(2), id(0)],
        "Failed Running Succeed"
    );
    ch(&mut app, 's');
    assert_eq!(app.sort(), SortKey::Urgency);
}

#[test]
fn r_refreshes_the_selection_and_shift_r_everything() {
    let mut app = finished(3);
    ch(&mut app, 'j');
    let chosen = selected(&app).to_string();
    assert_eq!(
        ch(&mut app, 'r').actions,
        [engine(Command::Refresh(chosen))]
    );
    assert_eq!(ch(&mut app, 'R').actions, [engine(Command::RefreshAll)]);
    assert!(ch(&mut empty_app(0), 'r').actions.is_empty());
}

#[test]
fn q_and_ctrl_c_quit_ctrl_z_suspends() {
    let mut app = finished(1);
    assert_eq!(ch(&mut app, 'q').actions, [Action::Quit]);
    assert_eq!(ctrl(&mut app, 'c').actions, [Action::Quit]);
    assert_eq!(ctrl(&mut app, 'z').actions, [Action::Suspend]);
    // Ctrl-C quits from anywhere: typing a filter, reading the help.
    ch(&mut app, '/');
    assert_eq!(ctrl(&mut app, 'c').actions, [Action::Quit]);
    press(&mut app, KeyCode::Esc);
    ch(&mut app, '?');
    assert_eq!(ctrl(&mut app, 'c').actions, [Action::Quit]);
}

#[test]
fn help_opens_and_any_key_closes_it_without_acting() {
    let mut app = finished(3);
    assert!(ch(&mut app, '?').redraw);
    assert!(app.help_open());
    let out = ch(&mut app, 'q');
    assert!(
        out.redraw && out.actions.is_empty(),
        "q closed the help only"
    );
    assert!(!app.help_open());
    ch(&mut app, '?');
    ch(&mut app, 'j');
    assert_eq!(app.cursor(), 0, "j closed the help only");
}

#[test]
fn key_releases_are_ignored() {
    let mut app = finished(3);
    let mut release = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert_eq!(update(&mut app, Message::Key(release)), Outcome::default());
    assert_eq!(app.cursor(), 0);
}

#[test]
fn click_selects_the_row_under_the_pointer() {
    let mut app = finished(5);
    let rows = app.screen().rows;
    let out = mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        10,
        rows.y + 3,
    );
    assert!(out.redraw);
    assert_eq!(app.cursor(), 3);
    assert_eq!(selected(&app), shown_ids(&app)[3]);
    // The column titles and the empty rows below the last ticket select nothing.
    mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        10,
        rows.y - 1,
    );
    mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        10,
        rows.y + 6,
    );
    assert_eq!(app.cursor(), 3);
}

#[test]
fn click_counts_from_the_scrolled_offset() {
    let mut app = finished(50);
    ch(&mut app, 'G');
    let rows = app.screen().rows;
    let offset = app.list_offset(usize::from(rows.height));
    assert_eq!(offset, 50 - usize::from(rows.height));
    mouse(&mut app, MouseEventKind::Down(MouseButton::Left), 0, rows.y);
    assert_eq!(app.cursor(), offset);
}

#[test]
fn wheel_moves_the_selection_or_scrolls_the_detail() {
    let mut app = finished(5);
    let rows = app.screen().rows;
    mouse(&mut app, MouseEventKind::ScrollDown, 5, rows.y);
    mouse(&mut app, MouseEventKind::ScrollDown, 5, rows.y);
    assert_eq!(app.cursor(), 2);
    mouse(&mut app, MouseEventKind::ScrollUp, 5, rows.y);
    assert_eq!(app.cursor(), 1);

    // Over a zoomed ticket the wheel scrolls its tab, within the content.
    let mut t = ticket(0, Status::Running, "many-params", 60);
    t.parameters = (0..10)
        .map(|i| crate::coc::KeyValue {
            key: format!("k{i}"),
            value: "v".into(),
        })
        .collect();
    let mut app = app_with(1, |_| t.clone());
    press(&mut app, KeyCode::Enter);
    let detail = app.screen().detail;
    mouse(&mut app, MouseEventKind::ScrollDown, 5, detail.y + 5);
    assert_eq!(app.detail_scroll(), 3);
    for _ in 0..10 {
        mouse(&mut app, MouseEventKind::ScrollDown, 5, detail.y + 5);
    }
    assert_eq!(app.detail_scroll(), 9, "stops at the last line");
    ch(&mut app, 'g');
    assert_eq!(app.detail_scroll(), 0);
    ch(&mut app, 'j');
    assert_eq!(app.detail_scroll(), 1, "j scrolls inside a ticket");
}

#[test]
fn error_keeps_the_last_good_data_and_success_clears_it() {
    let mut app = finished(2);
    let before = app.ticket(&id(1)).unwrap().ticket.clone().unwrap();
    let error = ApiError::Timeout {
        after: Duration::from_secs(15),
    };
    let at = now() + Duration::from_secs(1);
    let out = update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Error {
            execution_id: id(1),
            error: error.clone(),
            last_good: None,
            at,
        })),
    );
    assert!(out.redraw);
    let entry = app.ticket(&id(1)).unwrap();
    assert_eq!(entry.ticket.as_ref(), Some(&before), "data kept");
    assert_eq!(entry.error, Some(Failure { error, at }));
    assert_eq!(app.health().failing, 1);

    snapshot(&mut app, ticket(1, Status::Succeed, "b", 10_800));
    assert_eq!(app.ticket(&id(1)).unwrap().error, None);
    assert_eq!(app.health().failing, 0);
}

#[test]
fn error_on_a_never_fetched_ticket_uses_the_engines_last_good_data() {
    let mut app = empty_app(1);
    assert!(app.ticket(&id(0)).unwrap().is_loading());
    let last_good = Arc::new(ticket(0, Status::Running, "x", 60));
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Error {
            execution_id: id(0),
            error: ApiError::Connect {
                detail: "refused".into(),
            },
            last_good: Some(last_good.clone()),
            at: now(),
        })),
    );
    let entry = app.ticket(&id(0)).unwrap();
    assert_eq!(entry.ticket.as_ref(), Some(&last_good));
    assert!(entry.error.is_some() && !entry.is_loading());
}

#[test]
fn transitions_are_recorded_in_history() {
    let mut app = finished(1);
    for (from, to, secs) in [
        (None, Status::Pending, 1),
        (Some(Status::Pending), Status::Running, 2),
    ] {
        update(
            &mut app,
            Message::Engine(Update::Ticket(TicketUpdate::Transition {
                execution_id: id(0),
                from,
                to,
                at: now() + Duration::from_secs(secs),
            })),
        );
    }
    let history = &app.ticket(&id(0)).unwrap().history;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].from, Some(Status::Pending));
    assert_eq!(history[1].to, Status::Running);
    assert_eq!(history[1].at, now() + Duration::from_secs(2));
}

#[test]
fn selection_follows_its_ticket_when_the_order_changes() {
    let mut app = finished(5);
    ch(&mut app, 'G');
    let chosen = selected(&app).to_string();
    assert_eq!(app.cursor(), 4);
    // The selected ticket fails: it moves to the top, the selection with it.
    let n: usize = chosen[2..].parse().unwrap();
    snapshot(&mut app, ticket(n, Status::Failed, "e", 100));
    assert_eq!(app.cursor(), 0);
    assert_eq!(selected(&app), chosen);
    // Another ticket starts running: ours stays selected at its new position.
    snapshot(&mut app, ticket(0, Status::Failed, "a", 10));
    assert_eq!(selected(&app), chosen);
    assert_eq!(app.cursor(), 1);
}

#[test]
fn throttling_and_auth_failure_reach_the_health() {
    let mut app = finished(1);
    let throttle = ApiError::Http {
        status: 429,
        error_code: Some("APIG.0308".into()),
        error_msg: None,
        request_id: None,
        excerpt: None,
        retry_after: Some(Duration::from_secs(3)),
    };
    let until = now() + Duration::from_secs(3);
    assert!(
        update(
            &mut app,
            Message::Engine(Update::Health(HealthUpdate::Throttled {
                until,
                error: throttle
            }))
        )
        .redraw
    );
    assert_eq!(app.health().throttled.as_ref().unwrap().0, until);
    let texts = HealthTexts::of(app.health(), app.now);
    assert_eq!(texts.throttled_for.as_deref(), Some("3s"));

    let auth = ApiError::Http {
        status: 401,
        error_code: Some("APIG.0301".into()),
        error_msg: Some("Incorrect IAM authentication information".into()),
        request_id: Some("r-1".into()),
        excerpt: None,
        retry_after: None,
    };
    update(
        &mut app,
        Message::Engine(Update::Health(HealthUpdate::AuthFailed {
            error: auth.clone(),
            at: now(),
        })),
    );
    assert_eq!(app.health().auth_failed.as_ref().unwrap().error, auth);
    // A later success means the credentials work again.
    snapshot(&mut app, ticket(0, Status::Succeed, "a", 7200));
    assert!(app.health().auth_failed.is_none());
}

#[test]
fn tick_redraws_only_when_a_shown_age_changes() {
    // Finished tickets started hours ago: ages move once a minute at most.
    let mut app = finished(5);
    let tick =
        |app: &mut App, secs: u64| update(app, Message::Tick(now() + Duration::from_secs(secs)));
    // The header says "polled 0s ago" at first: seconds move it for a minute.
    assert!(tick(&mut app, 1).redraw);
    assert!(!tick(&mut app, 1).redraw, "same second, same texts");
    let redraws = (2..=600).filter(|&s| tick(&mut app, s).redraw).count();
    // 58 more seconds of "polled Ns ago", then about one change a minute (the ages
    // were all taken at the same second, so they roll over together).
    assert!(redraws <= 58 + 10, "{redraws} redraws in 10 minutes");
    let quiet = (601..=660).filter(|&s| tick(&mut app, s).redraw).count();
    assert!(quiet <= 1, "{quiet} redraws in a quiet minute");
}

#[test]
fn tick_redraws_every_second_while_a_shown_ticket_runs() {
    let mut app = app_with(1, |_| ticket(0, Status::Running, "live", 30));
    for s in 1..=5 {
        let out = update(&mut app, Message::Tick(now() + Duration::from_secs(s)));
        assert!(out.redraw, "the duration moved at {s}s");
    }
}

#[test]
fn tick_ignores_tickets_scrolled_out_of_view() {
    let mut app = finished(50);
    let base = now() + Duration::from_secs(3600);
    update(&mut app, Message::Tick(base));
    // A ticket running for 30s, last polled an hour ago (so the header age is coarse).
    let mut running = ticket(49, Status::Running, "zzz", 0);
    running.start_time = Some(((NOW + 3600 - 30) * 1000) as i64);
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            execution_id: id(49),
            ticket: Arc::new(running),
            at: now(),
        })),
    );
    // The running ticket is the most urgent, on the top row: select the next one, then
    // sort by name, which puts "zzz" far below the screen.
    ch(&mut app, 'j');
    ch(&mut app, 's');
    ch(&mut app, 's');
    assert_eq!(app.sort(), SortKey::Name);
    let tick = |app: &mut App, s: u64| update(app, Message::Tick(base + Duration::from_secs(s)));
    let redraws = (1..=30).filter(|&s| tick(&mut app, s).redraw).count();
    assert_eq!(redraws, 0, "the running ticket is not on screen");
    while selected(&app) != id(49) {
        assert!(ch(&mut app, 'j').redraw, "id 49 is in the list");
    }
    assert!(
        tick(&mut app, 31).redraw,
        "now it is, and its duration moves"
    );
    assert!(tick(&mut app, 32).redraw);
}

#[test]
fn resize_redraws_and_keeps_the_selection_visible() {
    let mut app = finished(50);
    ch(&mut app, 'G');
    let out = update(
        &mut app,
        Message::Resize {
            width: 40,
            height: 8,
        },
    );
    assert!(out.redraw);
    let rows = usize::from(app.screen().rows.height);
    let offset = app.list_offset(rows);
    assert!((offset..offset + rows).contains(&app.cursor()));
}

#[test]
fn engine_may_report_a_ticket_the_config_did_not_list() {
    let mut app = finished(1);
    snapshot(&mut app, ticket(7, Status::Running, "added", 10));
    assert_eq!(app.visible_len(), 2);
    assert!(shown_ids(&app).contains(&id(7)));
}

/// Active, finished and unknown statuses, for randomised update sequences.
fn mixed_statuses() -> [Status; 5] {
    [
        Status::Pending,
        Status::Running,
        Status::Failed,
        Status::Succeed,
        Status::Unknown("Paused".into()),
    ]
}

#[test]
fn incremental_reordering_matches_a_full_sort() {
    use rand::{Rng, SeedableRng};
    let statuses = mixed_statuses();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut app = empty_app(40);
    for round in 0..400 {
        let n = rng.gen_range(0..45); // a few IDs the config did not list
        let status = statuses[rng.gen_range(0..statuses.len())].clone();
        let name = ["b", "a", "c"][rng.gen_range(0..3)];
        snapshot(&mut app, ticket(n, status, name, rng.gen_range(0..5) * 60));
        if round % 50 == 0 {
            ch(&mut app, 's');
        }
        let mut full: Vec<usize> = (0..app.tickets().len()).collect();
        view::sort_order(app.tickets(), app.sort(), &mut full);
        let shown: Vec<usize> = (0..app.visible_len())
            .map(|p| app.list.at(p).unwrap())
            .collect();
        assert_eq!(shown, full, "round {round}");
    }
}

#[test]
fn until_the_user_moves_the_selection_stays_on_the_top_row() {
    let mut app = finished(5);
    assert_eq!(app.cursor(), 0);
    let top = selected(&app).to_string();
    // A ticket further down fails and sorts to the top: the top row is selected,
    // not the ticket that happened to be there first.
    snapshot(&mut app, ticket(3, Status::Failed, "d", 100));
    assert_eq!(app.cursor(), 0);
    assert_eq!(selected(&app), id(3));
    assert_ne!(top, id(3));
    // Once the user has chosen, the choice is followed instead.
    ch(&mut app, 'j');
    let chosen = selected(&app).to_string();
    snapshot(&mut app, ticket(4, Status::Failed, "e", 50));
    assert_eq!(selected(&app), chosen);
}

#[test]
fn engine_updates_move_the_clock_forward_never_back() {
    let mut app = finished(1);
    let later = now() + Duration::from_millis(700);
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            execution_id: id(0),
            ticket: Arc::new(ticket(0, Status::Succeed, "a", 7200)),
            at: later,
        })),
    );
    assert_eq!(app.now, later, "a poll just now is not in the future");
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            execution_id: id(0),
            ticket: Arc::new(ticket(0, Status::Succeed, "a", 7200)),
            at: now(),
        })),
    );
    assert_eq!(app.now, later);
}

#[test]
fn adjusted_counts_and_health_match_a_full_recount() {
    use rand::{Rng, SeedableRng};
    let statuses = mixed_statuses();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut app = empty_app(30);
    let mut at = now();
    for round in 0..600 {
        let n = rng.gen_range(0..35); // a few IDs the config did not list
        // Engine updates carry the wall-clock time they happened at: never backwards.
        at += Duration::from_millis(rng.gen_range(0..50));
        if rng.gen_bool(0.3) {
            let error = ApiError::Timeout {
                after: Duration::from_secs(1),
            };
            update(
                &mut app,
                Message::Engine(Update::Ticket(TicketUpdate::Error {
                    execution_id: id(n),
                    error,
                    last_good: None,
                    at,
                })),
            );
        } else {
            let status = statuses[rng.gen_range(0..statuses.len())].clone();
            let t = ticket(n, status, "x", 60);
            update(
                &mut app,
                Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
                    execution_id: t.execution_id.clone(),
                    ticket: Arc::new(t),
                    at,
                })),
            );
        }
        let (counts, failing) = app.recount();
        assert_eq!(app.counts(), counts, "round {round}");
        assert_eq!(app.health().failing, failing, "round {round}");
        let last_ok = app.tickets().iter().filter_map(|t| t.last_ok).max();
        assert_eq!(app.health().last_ok, last_ok, "round {round}");
    }
}

/// Tickets 0..n all `Pending`, filtered to "pending" by the user.
fn pending_filtered(n: usize) -> App {
    let mut app = app_with(n, |i| ticket(i, Status::Pending, "job", 60 + i as u64));
    ch(&mut app, '/');
    for c in "pending".chars() {
        ch(&mut app, c);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.visible_len(), n);
    app
}

#[test]
fn an_open_ticket_stays_open_when_it_leaves_the_filter() {
    let mut app = pending_filtered(4);
    ch(&mut app, 'j');
    let opened = selected(&app).to_string();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Ticket);
    // It starts running: the filter no longer matches it, nor anything in its place.
    let n: usize = opened[2..].parse().unwrap();
    snapshot(&mut app, ticket(n, Status::Running, "job", 60 + n as u64));
    assert_eq!(app.view(), View::Ticket);
    assert_eq!(
        app.shown().unwrap().id,
        opened,
        "the pane shows the same ticket"
    );
    assert_eq!(app.shown().unwrap().status(), Some(&Status::Running));
    // The others change too: still the same ticket.
    for i in (0..4).filter(|&i| i != n) {
        snapshot(&mut app, ticket(i, Status::Failed, "job", 5));
    }
    assert_eq!(app.shown().unwrap().id, opened);
    // Back in the list, the selection is still that ticket.
    press(&mut app, KeyCode::Esc);
    assert_eq!(selected(&app), opened);
}

#[test]
fn an_open_ticket_stays_open_when_the_sort_moves_it() {
    let mut app = finished(6);
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    let opened = selected(&app).to_string();
    press(&mut app, KeyCode::Enter);
    let before = app.cursor();
    // It fails: the urgency sort takes it to the top.
    let n: usize = opened[2..].parse().unwrap();
    snapshot(&mut app, ticket(n, Status::Failed, "c", 7200));
    assert_ne!(app.cursor(), before, "it moved in the list");
    assert_eq!(app.shown().unwrap().id, opened);
    // Sorting by name and by status moves it again; nothing changes in the pane.
    for _ in 0..3 {
        ch(&mut app, 's');
        assert_eq!(app.view(), View::Ticket);
        assert_eq!(app.shown().unwrap().id, opened);
    }
}

#[test]
fn a_selected_ticket_that_leaves_the_filter_stays_selected_until_the_user_moves() {
    let mut app = pending_filtered(4);
    ch(&mut app, 'j');
    let chosen = selected(&app).to_string();
    let n: usize = chosen[2..].parse().unwrap();
    snapshot(&mut app, ticket(n, Status::Running, "job", 60 + n as u64));
    // The pane beside the list still shows it: it did not switch on its own.
    assert_eq!(selected(&app), chosen);
    assert_eq!(app.shown().unwrap().id, chosen);
    assert!(shown_ids(&app).contains(&chosen), "kept in the list");
    // The user moves away: it goes, as the filter says.
    ch(&mut app, 'j');
    assert_ne!(selected(&app), chosen);
    assert!(!shown_ids(&app).contains(&chosen));
    assert_eq!(app.visible_len(), 3);
}

#[test]
fn the_selection_stays_on_its_ticket_as_rows_move_around_it() {
    use rand::{Rng, SeedableRng};
    let statuses = mixed_statuses();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut app = finished(20);
    for _ in 0..5 {
        ch(&mut app, 'j');
    }
    let chosen = selected(&app).to_string();
    for _ in 0..300 {
        let n = rng.gen_range(0..20);
        if id(n) == chosen {
            continue;
        }
        let status = statuses[rng.gen_range(0..statuses.len())].clone();
        snapshot(&mut app, ticket(n, status, "x", rng.gen_range(0..600)));
        assert_eq!(selected(&app), chosen);
        assert_eq!(app.visible(app.cursor()).unwrap().id, chosen);
    }
}

#[test]
fn a_ticket_with_50000_parameters_scrolls_to_its_last_row() {
    let mut app = app_with(1, |i| {
        let mut t = ticket(i, Status::Running, "big", 60);
        t.parameters = (0..50_000)
            .map(|k| crate::coc::KeyValue {
                key: format!("key{k}"),
                value: format!("value{k}"),
            })
            .collect();
        t
    });
    press(&mut app, KeyCode::Enter);
    ch(&mut app, 'G');
    assert_eq!(app.detail_scroll(), 49_999);
    assert!(!ch(&mut app, 'j').redraw, "nothing below the last row");
    // Tags hold a placeholder row each for no tags and no system tags, and two headings.
    ch(&mut app, '2');
    ch(&mut app, 'G');
    assert_eq!(app.detail_scroll(), 3);
}

#[test]
fn a_poll_draws_only_when_it_changes_what_is_on_screen() {
    // 40 finished tickets on 80x24: the oldest are below the last row on screen.
    let mut app = finished(40);
    let name = |n: usize| ((b'a' + n as u8) as char).to_string();
    let old = |n: usize| ticket(n, Status::Succeed, &name(n), 7200 + 3600 * n as u64);
    // The header's "polled" age is at 0s: polls within the same second change nothing.
    assert!(!snapshot(&mut app, old(39)).redraw, "same data, off screen");
    // (Ticket 0 is selected: the pane shows when it was polled, so its polls draw.)
    assert!(!snapshot(&mut app, old(1)).redraw, "same data, on screen");
    let mut changed = old(39);
    changed.update_time = Some(((NOW - 5) * 1000) as i64);
    assert!(!snapshot(&mut app, changed).redraw, "new data, off screen");
    let mut changed = old(1);
    changed.update_time = Some(((NOW - 5) * 1000) as i64);
    assert!(snapshot(&mut app, changed).redraw, "new data, on screen");
    // A status change moves counts in the header: drawn wherever the ticket is.
    assert!(snapshot(&mut app, ticket(38, Status::Failed, "x", 60)).redraw);
}

fn first_page() -> crate::watch::PageAt {
    crate::watch::PageAt {
        cursor: crate::watch::Cursor::Offset(0),
        limit: 100,
    }
}

fn browse_page(app: &mut App, tickets: Vec<Ticket>) -> Outcome {
    let Some(Action::Engine(Command::Browse {
        generation, page, ..
    })) = press(app, KeyCode::Char('b')).actions.pop()
    else {
        panic!("b asks the engine for the first page");
    };
    let listed = crate::coc::Page {
        total: Some(tickets.len() as i64),
        data: tickets,
    };
    update(
        app,
        Message::Engine(Update::Reply(Reply::BrowsePage {
            generation,
            page,
            result: Ok(listed),
            at: app.now,
        })),
    )
}

#[test]
fn a_browsed_ticket_opens_goes_on_esc_and_stays_when_pinned() {
    let mut app = finished(2);
    let browsed: Vec<Ticket> = (10..13)
        .map(|i| ticket(i, Status::Failed, "browsed", 60))
        .collect();
    assert!(browse_page(&mut app, browsed).redraw);
    assert_eq!(app.view(), View::Browse);
    assert_eq!(
        app.shown().unwrap().id,
        id(10),
        "the pane shows the browse selection"
    );
    press(&mut app, KeyCode::Down);
    let opened = press(&mut app, KeyCode::Enter);
    assert!(
        opened
            .actions
            .contains(&Action::Engine(Command::Add(id(11))))
    );
    assert_eq!(app.view(), View::Ticket);
    assert_eq!(app.shown().unwrap().id, id(11));
    assert_eq!(app.visible_len(), 2, "not in the list while only browsed");

    let closed = press(&mut app, KeyCode::Esc);
    assert!(
        closed
            .actions
            .contains(&Action::Engine(Command::Remove(id(11))))
    );
    assert_eq!(app.view(), View::Browse);
    assert!(app.ticket(&id(11)).is_none());

    press(&mut app, KeyCode::Enter);
    let pinned = press(&mut app, KeyCode::Char('p'));
    assert_eq!(pinned.actions, [Action::Engine(Command::Add(id(11)))]);
    let kept = press(&mut app, KeyCode::Esc);
    assert!(
        !kept
            .actions
            .iter()
            .any(|a| matches!(a, Action::Engine(Command::Remove(_)))),
        "pinned stays"
    );
    assert_eq!(app.view(), View::Browse);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view(), View::List);
    assert_eq!(app.visible_len(), 3);
    assert!(
        app.ticket(&id(11))
            .is_some_and(|e| e.origin == Origin::Watched)
    );
}

/// The `Operate` commands among the actions.
fn operations(out: &Outcome) -> Vec<(String, crate::coc::Operation)> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Engine(Command::Operate {
                execution_id,
                operation,
            }) => Some((execution_id.clone(), *operation)),
            _ => None,
        })
        .collect()
}

/// Ticket 0 failed, 1 runs, 2 is pending (paused), 3 succeeded.
fn mixed() -> App {
    app_with(4, |i| {
        let status = [
            Status::Failed,
            Status::Running,
            Status::Pending,
            Status::Succeed,
        ][i]
            .clone();
        ticket(i, status, &format!("job{i}"), 600)
    })
}

fn select_id(app: &mut App, want: &str) {
    ch(app, 'g');
    while selected(app) != want {
        assert!(ch(app, 'j').redraw, "{want} not in the list");
    }
}

#[test]
fn x_offers_only_what_fits_and_the_confirmation_names_the_ticket() {
    use crate::coc::Operation::*;
    let mut app = mixed();
    for (n, want) in [
        (0, vec![Retry]),
        (1, vec![Terminate]),
        (2, vec![Terminate, Resume]),
    ] {
        select_id(&mut app, &id(n));
        assert!(ch(&mut app, 'x').redraw);
        let Some(Prompt::Menu {
            execution_id,
            choices,
            ..
        }) = app.prompt()
        else {
            panic!("a menu: {:?}", app.prompt());
        };
        assert_eq!((execution_id.as_str(), choices), (id(n).as_str(), &want));
        press(&mut app, KeyCode::Esc);
        assert!(app.prompt().is_none());
    }
    select_id(&mut app, &id(3));
    ch(&mut app, 'x');
    assert!(
        matches!(app.prompt(), Some(Prompt::Notice { lines, .. }) if lines[0].contains("Succeed")),
        "{:?}",
        app.prompt()
    );
    ch(&mut app, 'g');
    assert!(app.prompt().is_none(), "any key closes a notice");
    assert_eq!(selected(&app), id(3), "and does nothing else");

    select_id(&mut app, &id(0));
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
    select_id(&mut app, &id(0));
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
    assert_eq!(operations(&out), [(id(0), crate::coc::Operation::Retry)]);
    let record = &app.ticket(&id(0)).unwrap().operations[0];
    assert_eq!(record.result, None, "waiting for the answer");
}

#[test]
fn terminate_wants_the_word_or_the_id_typed() {
    let mut app = mixed();
    select_id(&mut app, &id(1));
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

    let want = [(id(1), crate::coc::Operation::Terminate)];
    assert_eq!(terminate(&mut app, "terminate"), want);
    assert_eq!(terminate(&mut app, &id(1)), want);
}

#[test]
fn the_operation_targets_the_ticket_the_menu_was_opened_on() {
    let mut app = mixed();
    select_id(&mut app, &id(2));
    ch(&mut app, 'x');
    // While the menu is open, the list reorders under it: ticket 2 fails, a new
    // ticket starts. The menu keeps its ID; j moves the menu, not the list.
    snapshot(&mut app, ticket(2, Status::Running, "job2", 600));
    snapshot(&mut app, ticket(9, Status::Failed, "new", 1));
    ch(&mut app, 'j');
    press(&mut app, KeyCode::Enter);
    let Some(Prompt::Confirm {
        execution_id,
        description,
        ..
    }) = app.prompt()
    else {
        panic!("a confirmation: {:?}", app.prompt());
    };
    assert_eq!(execution_id, &id(2));
    assert!(description.contains("status Running"), "{description}");
    let sent = operations(&ch(&mut app, 'y'));
    assert_eq!(sent, [(id(2), crate::coc::Operation::Resume)]);
}

#[test]
fn read_only_offers_nothing_and_sends_nothing() {
    let mut app = mixed().with_settings(UiSettings {
        read_only: Some("--read-only".into()),
        console_url: None,
    });
    select_id(&mut app, &id(0));
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
    select_id(&mut app, &id(0));
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
                execution_id: id(0),
                operation: crate::coc::Operation::Retry,
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

#[test]
fn y_copies_the_id_capital_y_a_summary_and_o_opens_the_console() {
    let mut app = mixed();
    select_id(&mut app, &id(0));
    assert_eq!(ch(&mut app, 'y').actions, [Action::Copy(id(0))]);
    let failed_step = crate::coc::Step {
        execution_step_id: Some("301".into()),
        name: Some("restart".into()),
        status: Some(Status::Failed),
        message: Some("exit code 1".into()),
        ..Default::default()
    };
    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Steps {
            execution_id: id(0),
            result: Ok(vec![failed_step]),
            at: now(),
        })),
    );
    assert_eq!(
        ch(&mut app, 'Y').actions,
        [Action::Copy(
            "EX0000 | job0 | Failed | failed step: restart (exit code 1)".into()
        )]
    );
    // With the step's hosts loaded, the summary counts the failed ones.
    press(&mut app, KeyCode::Enter);
    ch(&mut app, '4');
    let out = press(&mut app, KeyCode::Enter);
    assert_eq!(
        out.actions,
        [engine(Command::FetchInstances {
            execution_id: id(0),
            step_id: "301".into(),
            page: first_page(),
        })]
    );
    let hosts: Vec<crate::coc::Instance> = ["Succeed", "Failed", "Failed"]
        .iter()
        .map(|s| serde_json::from_value(serde_json::json!({"status": s})).unwrap())
        .collect();
    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Instances {
            execution_id: id(0),
            step_id: "301".into(),
            page: first_page(),
            result: Ok(crate::coc::Page {
                data: hosts,
                total: Some(3),
            }),
            at: now(),
        })),
    );
    let view = app.hosts().expect("the hosts view");
    assert_eq!(view.counts_line(), "2 Failed, 1 Succeed");
    assert_eq!(
        ch(&mut app, 'Y').actions,
        [Action::Copy(
            "EX0000 | job0 | Failed | failed step: restart (exit code 1) | 2 of 3 hosts failed"
                .into()
        )]
    );

    assert!(ch(&mut app, 'o').actions.is_empty());
    assert!(matches!(app.prompt(), Some(Prompt::Notice { .. })));
    press(&mut app, KeyCode::Esc);
    let mut app = app.with_settings(UiSettings {
        read_only: None,
        console_url: Some("https://console.example/coc/{execution_id}/detail".into()),
    });
    assert_eq!(
        ch(&mut app, 'o').actions,
        [Action::Open(
            "https://console.example/coc/EX0000/detail".into()
        )]
    );
}

#[test]
fn the_open_tickets_steps_are_followed_until_it_closes() {
    let mut app = mixed();
    select_id(&mut app, &id(1));
    let out = press(&mut app, KeyCode::Enter);
    assert_eq!(out.actions, [engine(Command::FollowSteps(Some(id(1))))]);
    let out = press(&mut app, KeyCode::Esc);
    assert_eq!(out.actions, [engine(Command::FollowSteps(None))]);
    // On the Steps tab the engine's fetch for following is the only one.
    ch(&mut app, 'j');
    ch(&mut app, '4');
    let next = selected(&app).to_string();
    let out = press(&mut app, KeyCode::Enter);
    assert_eq!(out.actions, [engine(Command::FollowSteps(Some(next)))]);
}

mod watchlist;

mod redraw_model;
mod review_findings;

#[test]
fn polls_that_change_nothing_visible_cost_no_frame() {
    // 200 running tickets, polled over and over with the same data (as at 50 rps):
    // the header reads "polled 0s ago" throughout, no row changes.
    let mut app = app_with(200, |i| ticket(i, Status::Running, "job", 600));
    update(
        &mut app,
        Message::Resize {
            width: 80,
            height: 24,
        },
    );
    let mut frames = 0;
    for step in 1..=600u64 {
        // Every ticket but the selected one (its detail shows the poll's clock time).
        let n = 1 + step as usize % 199;
        app.now = now() + Duration::from_millis(5 * step);
        if snapshot(&mut app, ticket(n, Status::Running, "job", 600)).redraw {
            frames += 1;
        }
    }
    assert_eq!(frames, 0, "frames for polls that changed nothing on screen");
}
