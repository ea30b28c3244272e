//! The 1 Hz clock: what it moves on screen (ages, run times, countdowns) is drawn.

use super::*;

#[test]
fn tick_redraws_every_second_while_a_shown_ticket_runs() {
    let mut app = app_with(1, |_| ticket(0, Status::Running, "live", 30));
    for s in 1..=5 {
        let out = update(&mut app, Message::Tick(now() + Duration::from_secs(s)));
        assert!(out.redraw, "the duration moved at {s}s");
    }
}

/// What a tick at `secs` after the last frame changes on screen must come with a frame.
fn tick_keeps_the_screen_true(app: &mut App, at: SystemTime) {
    use super::redraw_model::{assert_framed, render};
    let drawn = render(app);
    let out = update(app, Message::Tick(at));
    assert_framed(
        app,
        &drawn,
        &out,
        "the clock changed the screen without a frame",
    );
}

/// A failed ticket polled long ago, its History tab open, a RETRY sent from here just
/// now: only the operation's "(0s ago)" moves with the seconds.
#[test]
fn an_operations_age_in_history_moves_with_the_clock() {
    let mut app = app_with(1, |_| ticket(0, Status::Failed, "job0", 7200));
    let later = now() + Duration::from_secs(600);
    update(&mut app, Message::Tick(later));
    press(&mut app, KeyCode::Enter);
    ch(&mut app, '5');
    ch(&mut app, 'x');
    press(&mut app, KeyCode::Enter);
    assert_eq!(ch(&mut app, 'y').actions.len(), 1, "RETRY sent");
    for ms in [1_100, 2_100, 3_100] {
        tick_keeps_the_screen_true(&mut app, later + Duration::from_millis(ms));
    }
}

/// A running host of a failed step: its run time moves with the seconds.
#[test]
fn a_hosts_live_run_time_moves_with_the_clock() {
    let mut app = app_with(1, |_| ticket(0, Status::Failed, "job0", 7200));
    let later = now() + Duration::from_secs(600);
    update(&mut app, Message::Tick(later));
    let ms = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let step = crate::coc::Step {
        start_time: Some(ms(now())),
        end_time: Some(ms(now()) + 60_000),
        ..failed_step()
    };
    steps_arrive(&mut app, 0, vec![step]);
    press(&mut app, KeyCode::Enter);
    ch(&mut app, '4');
    press(&mut app, KeyCode::Enter);
    let host = crate::coc::Instance {
        id: Some("1".into()),
        status: Some(Status::Running),
        start_time: Some(ms(later) - 30_000),
        ..Default::default()
    };
    hosts_arrive(&mut app, vec![host]);
    assert!(app.hosts().is_some_and(|h| h.instances().len() == 1));
    for ms in [1_100, 2_100, 3_100] {
        tick_keeps_the_screen_true(&mut app, later + Duration::from_millis(ms));
    }
}
