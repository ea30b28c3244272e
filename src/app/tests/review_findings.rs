//! One test per finding of an independent review of the dashboard's state and redraws:
//! each failed before its fix.

use crate::watch::{HealthUpdate, TicketUpdate};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::redraw_model::{diff, new_app, render, text};
use crate::app::*;
use crate::coc::{ApiError, Status, Ticket};

const NOW: u64 = 1_751_378_400;
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}
fn id(n: usize) -> String {
    format!("EX{n:04}")
}
fn press(app: &mut App, code: KeyCode) -> Outcome {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}
fn snap_at(app: &mut App, t: &Arc<Ticket>, at: SystemTime) -> Outcome {
    update(
        app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            execution_id: t.execution_id.clone(),
            ticket: t.clone(),
            at,
        })),
    )
}
fn tick(app: &mut App, at: SystemTime) -> Outcome {
    update(app, Message::Tick(at))
}
fn ticket(n: usize, status: Status, started_ago: u64) -> Arc<Ticket> {
    let mut t = Ticket::empty(id(n));
    t.status = Some(status);
    t.document_name = Some(format!("job{n}"));
    t.start_time = Some(((NOW - started_ago) * 1000) as i64);
    Arc::new(t)
}
fn http() -> ApiError {
    ApiError::Http {
        status: 429,
        error_code: Some("COC.429".into()),
        error_msg: None,
        request_id: None,
        excerpt: None,
        retry_after: None,
    }
}

/// F1: a successful poll with unchanged data ends a row's staleness ("~"), but the
/// update does not ask for a frame: the marker stays until some age on screen changes.
#[test]
fn f1_stale_marker_cleared_by_an_unchanged_poll_is_redrawn() {
    // Two running tickets started >1 day ago (run time changes hourly), 80x24.
    let mut app = new_app(2, 80, 24);
    let a = ticket(0, Status::Running, 2 * 86_400);
    let b = ticket(1, Status::Running, 2 * 86_400 + 10);
    snap_at(&mut app, &a, t0());
    snap_at(&mut app, &b, t0());
    // 90 s later, both stale; the tick draws the "~" markers.
    let later = t0() + Duration::from_secs(90);
    assert!(tick(&mut app, later).redraw);
    assert!(
        text(&render(&app))
            .iter()
            .filter(|l| l.starts_with('~'))
            .count()
            == 2
    );
    let drawn = render(&app);
    // Ticket 1 (not selected, on screen) is polled again, data unchanged... but ticket 0
    // was polled 0.5 s before, so the header's "polled" age does not change either.
    snap_at(&mut app, &a, later);
    let drawn = if true { render(&app) } else { drawn };
    let out = snap_at(&mut app, &b, later + Duration::from_millis(500));
    let now = render(&app);
    assert!(
        out.redraw || now == drawn,
        "row lost its ~ but no frame:\n{}",
        diff(&drawn, &now)
    );
}

/// F2: the throttle countdown's next change is `since + 1s`, not when the text changes:
/// a tick between the two leaves the header a second behind (or skips a number).
#[test]
fn f2_throttle_countdown_redraws_when_its_text_changes() {
    let mut app = new_app(0, 80, 24);
    // Throttled until t0 + 5.1 s, reported at t0 + 0.2 (the header reads "in 5s").
    tick(&mut app, t0() + Duration::from_millis(200));
    let out = update(
        &mut app,
        Message::Engine(Update::Health(HealthUpdate::Throttled {
            until: t0() + Duration::from_millis(5_100),
            error: http(),
        })),
    );
    assert!(out.redraw);
    let drawn = render(&app);
    // The next tick, 0.95 s later: the text now reads "in 4s".
    let out = tick(&mut app, t0() + Duration::from_millis(1_150));
    let now = render(&app);
    assert!(
        out.redraw || now == drawn,
        "countdown changed, no frame:\n{}",
        diff(&drawn, &now)
    );
}

/// F3: the same for an age ahead of the clock ("in 5s", a skewed server clock).
#[test]
fn f3_future_age_change_time_is_the_first_change() {
    let now = t0();
    let then = now + Duration::from_millis(5_300);
    let changes = crate::format::age_changes_at(now, then);
    let mid = now + Duration::from_millis(500);
    assert!(
        mid >= changes || crate::format::age(mid, then) == crate::format::age(now, then),
        "age reads {:?} at +0.5s but next change said {:?} later",
        crate::format::age(mid, then),
        changes.duration_since(now).unwrap()
    );
}

fn pending_filtered(n: usize) -> App {
    let mut app = new_app(n, 80, 24);
    for i in 0..n {
        snap_at(&mut app, &ticket(i, Status::Pending, 60 + i as u64), t0());
    }
    press(&mut app, KeyCode::Char('/'));
    for c in "pending".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    app
}

/// F5: a selected ticket kept in the list after leaving the filter is dropped by `s`
/// (sort), and the selection jumps to whatever ticket is at the same row.
#[test]
fn f5_sort_keeps_a_sticky_selection() {
    let mut app = pending_filtered(4);
    press(&mut app, KeyCode::Char('j'));
    let chosen = app.selected().unwrap().id.clone();
    let n: usize = chosen[2..].parse().unwrap();
    snap_at(&mut app, &ticket(n, Status::Running, 60 + n as u64), t0());
    assert_eq!(app.selected().unwrap().id, chosen, "sticky");
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(
        app.selected().unwrap().id,
        chosen,
        "sort changed the selection"
    );
}

/// F5b: the same with the ticket open: `s` while zoomed, then Esc: the list has lost
/// the ticket that was open, and selects another.
#[test]
fn f5b_sort_while_open_then_back_keeps_the_ticket() {
    let mut app = pending_filtered(4);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let opened = app.shown().unwrap().id.clone();
    let n: usize = opened[2..].parse().unwrap();
    snap_at(&mut app, &ticket(n, Status::Running, 60 + n as u64), t0());
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.shown().unwrap().id, opened);
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.selected().unwrap().id,
        opened,
        "Esc came back to another ticket"
    );
}

fn wheel(
    app: &mut App,
    kind: ratatui::crossterm::event::MouseEventKind,
    col: u16,
    row: u16,
) -> Outcome {
    update(
        app,
        Message::Mouse(ratatui::crossterm::event::MouseEvent {
            kind,
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    )
}

/// F7: before the user moves the selection, the pane beside the list follows the top
/// row: a user who switched to the Steps tab or scrolled the pane of the ticket shown
/// has it replaced by another when a ticket fails, and `r` (later: operations) targets it.
#[test]
fn f7_pane_does_not_switch_under_a_user_reading_it() {
    let mut app = new_app(3, 200, 50);
    for i in 0..3 {
        snap_at(
            &mut app,
            &ticket(i, Status::Succeed, 600 + 60 * i as u64),
            t0(),
        );
    }
    press(&mut app, KeyCode::Char('5')); // History of the ticket in the pane
    let detail = layout::screen(app.size, false).detail;
    wheel(
        &mut app,
        ratatui::crossterm::event::MouseEventKind::ScrollDown,
        detail.x + 2,
        detail.y + 5,
    );
    let reading = app.shown().unwrap().id.clone();
    // Another ticket fails: urgency puts it on top.
    snap_at(&mut app, &ticket(2, Status::Failed, 30), t0());
    assert_eq!(
        app.shown().unwrap().id,
        reading,
        "the pane switched on its own"
    );
}

/// F9: a filter that matches nothing keeps the old selection's ID; when that ticket's
/// status then changes, `reposition` lets it into the list although the filter does not
/// match it (`holds`), so "no ticket matches" turns into a non-matching ticket.
#[test]
fn f9_a_ticket_the_filter_hides_does_not_appear_in_the_list() {
    let mut app = new_app(2, 80, 24);
    for i in 0..2 {
        snap_at(&mut app, &ticket(i, Status::Running, 60), t0());
    }
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('/'));
    for c in "zzz".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.visible_len(), 0);
    let sel = 1; // the selected ticket (EX0001, same status: sorted by id... either way)
    for i in 0..2 {
        let _ = sel;
        snap_at(&mut app, &ticket(i, Status::Succeed, 60), t0());
    }
    let shown: Vec<_> = (0..app.visible_len())
        .map(|p| app.visible(p).unwrap().id.clone())
        .collect();
    assert!(shown.is_empty(), "filter \"zzz\" shows {shown:?}");
}

/// F2b: with ordinary tick jitter (a tick processed 3 ms late, the next 1 ms late) the
/// countdown skips a number: `since + 1s` is 2 ms after the next tick.
#[test]
fn f2b_throttle_countdown_with_tick_jitter() {
    let mut app = new_app(0, 80, 24);
    update(
        &mut app,
        Message::Engine(Update::Health(HealthUpdate::Throttled {
            until: t0() + Duration::from_millis(10_500),
            error: http(),
        })),
    );
    let ms = |m| t0() + Duration::from_millis(m);
    assert!(tick(&mut app, ms(1_003)).redraw);
    let drawn = render(&app);
    let out = tick(&mut app, ms(2_001));
    let now = render(&app);
    assert!(
        out.redraw || now == drawn,
        "no frame:\n{}",
        diff(&drawn, &now)
    );
}

/// F6: the header's "polled" age: a poll stamped just before a tick that drew "1s ago"
/// (the tick won `select!`, the update was already queued) makes it "0s ago", no frame.
#[test]
fn f6_polled_age_after_a_tick_raced_a_poll() {
    let mut app = new_app(2, 80, 24);
    let a = ticket(0, Status::Succeed, 600);
    let b = ticket(1, Status::Succeed, 700);
    snap_at(&mut app, &a, t0());
    snap_at(&mut app, &b, t0());
    assert!(tick(&mut app, t0() + Duration::from_millis(1_002)).redraw);
    let drawn = render(&app);
    let out = snap_at(&mut app, &b, t0() + Duration::from_millis(999));
    let now = render(&app);
    assert!(
        out.redraw || now == drawn,
        "no frame:\n{}",
        diff(&drawn, &now)
    );
}
