//! Frames for what time and polls change on screen: the header's ages and countdown,
//! a row's stale marker. Each test failed before its fix (found by a review).

use super::redraw_model::{assert_framed, new_app, render, text};
use super::*;
use crate::coc::ApiError;
use crate::watch::HealthUpdate;

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

/// a successful poll with unchanged data ends a row's staleness ("~"), but the
/// update does not ask for a frame: the marker stays until some age on screen changes.
#[test]
fn a_stale_marker_cleared_by_an_unchanged_poll_is_redrawn() {
    // Two running tickets started >1 day ago (run time changes hourly), 80x24.
    let mut app = new_app(2, 80, 24);
    let a = job(0, Status::Running, 2 * 86_400);
    let b = job(1, Status::Running, 2 * 86_400 + 10);
    snap_at(&mut app, &a, now());
    snap_at(&mut app, &b, now());
    // 90 s later, both stale; the tick draws the "~" markers.
    let later = now() + Duration::from_secs(90);
    assert!(tick(&mut app, later).redraw);
    assert!(
        text(&render(&app))
            .iter()
            .filter(|l| l.starts_with('~'))
            .count()
            == 2
    );
    // Ticket 1 (not selected, on screen) is polled again, data unchanged... but ticket 0
    // was polled 0.5 s before, so the header's "polled" age does not change either.
    snap_at(&mut app, &a, later);
    let drawn = render(&app);
    let out = snap_at(&mut app, &b, later + Duration::from_millis(500));
    assert_framed(&app, &drawn, &out, "row lost its ~ but no frame");
}

/// the throttle countdown's next change is `since + 1s`, not when the text changes:
/// a tick between the two leaves the header a second behind (or skips a number).
#[test]
fn the_throttle_countdown_redraws_when_its_text_changes() {
    let mut app = new_app(0, 80, 24);
    // Throttled until t0 + 5.1 s, reported at t0 + 0.2 (the header reads "in 5s").
    tick(&mut app, now() + Duration::from_millis(200));
    let out = update(
        &mut app,
        Message::Engine(Update::Health(HealthUpdate::Throttled {
            until: now() + Duration::from_millis(5_100),
            error: http(),
        })),
    );
    assert!(out.redraw);
    let drawn = render(&app);
    // The next tick, 0.95 s later: the text now reads "in 4s".
    let out = tick(&mut app, now() + Duration::from_millis(1_150));
    assert_framed(&app, &drawn, &out, "countdown changed, no frame");
}

/// with ordinary tick jitter (a tick processed 3 ms late, the next 1 ms late) the
/// countdown skips a number: `since + 1s` is 2 ms after the next tick.
#[test]
fn the_throttle_countdown_keeps_up_with_tick_jitter() {
    let mut app = new_app(0, 80, 24);
    update(
        &mut app,
        Message::Engine(Update::Health(HealthUpdate::Throttled {
            until: now() + Duration::from_millis(10_500),
            error: http(),
        })),
    );
    let ms = |m| now() + Duration::from_millis(m);
    assert!(tick(&mut app, ms(1_003)).redraw);
    let drawn = render(&app);
    let out = tick(&mut app, ms(2_001));
    assert_framed(&app, &drawn, &out, "no frame");
}

/// the header's "polled" age: a poll stamped just before a tick that drew "1s ago"
/// (the tick won `select!`, the update was already queued) makes it "0s ago", no frame.
#[test]
fn the_polled_age_redraws_after_a_tick_raced_a_poll() {
    let mut app = new_app(2, 80, 24);
    let a = job(0, Status::Succeed, 600);
    let b = job(1, Status::Succeed, 700);
    snap_at(&mut app, &a, now());
    snap_at(&mut app, &b, now());
    assert!(tick(&mut app, now() + Duration::from_millis(1_002)).redraw);
    let drawn = render(&app);
    let out = snap_at(&mut app, &b, now() + Duration::from_millis(999));
    assert_framed(&app, &drawn, &out, "no frame");
}

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

/// A running script ticket as a poll brings it, `costs` seconds in.
fn running_script(n: usize, costs: i64) -> crate::coc::ScriptTicket {
    serde_json::from_value(serde_json::json!({
        "execute_uuid": format!("SC{n:04}"),
        "order_name": format!("script{n}"),
        "gmt_created": (NOW - 600) * 1000,
        "execute_costs": costs,
        "creator": "user",
        "status": "PROCESSING",
    }))
    .unwrap()
}

#[test]
fn a_running_script_tickets_growing_cost_alone_costs_no_frame() {
    // The cost a running script ticket's clock adds is sent with every poll, but no
    // view draws it (200 script tickets drew 5.5 frames a second for it).
    let mut app = App::new(AppInit {
        lang: Lang::En,
        endpoint: "cn-north-4".into(),
        watch: (0..3)
            .map(|n| WatchEntry::unlabelled(r(&format!("script/SC{n:04}"))))
            .collect(),
        color: true,
        now: now(),
    });
    app.zone = Zone::UTC;
    update(
        &mut app,
        Message::Resize {
            width: 80,
            height: 24,
        },
    );
    for n in 0..3 {
        snapshot(&mut app, running_script(n, 10));
    }
    let drawn = render(&app);
    // Ticket 2: on screen, not selected.
    app.now = now() + Duration::from_millis(300);
    let out = snapshot(&mut app, running_script(2, 11));
    assert!(!out.redraw, "a frame for a cost nobody sees");
    assert_eq!(render(&app), drawn);
    // Whatever else changes is drawn.
    let mut finished = running_script(2, 12);
    finished.status = Some(crate::coc::ScriptStatus::Finished);
    assert!(snapshot(&mut app, finished).redraw);
}
