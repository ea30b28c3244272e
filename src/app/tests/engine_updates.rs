//! Engine updates: what they change, and when they need a frame.

use super::*;
use crate::coc::ApiError;
use crate::watch::HealthUpdate;

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
            id: id(1),
            error: error.clone(),
            last_good: None,
            at,
        })),
    );
    assert!(out.redraw);
    let entry = app.ticket(&id(1)).unwrap();
    assert_eq!(entry.ticket.as_ref(), Some(&before), "data kept");
    assert_eq!(entry.error, Some(Box::new(Failure { error, at })));
    assert_eq!(app.health().failing, 1);

    snapshot(&mut app, ticket(1, Status::Succeed, "b", 10_800));
    assert_eq!(app.ticket(&id(1)).unwrap().error, None);
    assert_eq!(app.health().failing, 0);
}

#[test]
fn error_on_a_never_fetched_ticket_uses_the_engines_last_good_data() {
    let mut app = empty_app(1);
    assert!(app.ticket(&id(0)).unwrap().is_loading());
    let last_good = arc(ticket(0, Status::Running, "x", 60));
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Error {
            id: id(0),
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
                id: id(0),
                from: from.map(Into::into),
                to: to.into(),
                at: now() + Duration::from_secs(secs),
            })),
        );
    }
    let history = &app.ticket(&id(0)).unwrap().history;
    assert_eq!(history.len(), 2);
    // Held for every ticket: no room kept for transitions that may never come.
    assert_eq!(history.capacity(), 2);
    assert_eq!(history[1].from, Some(Status::Pending.into()));
    assert_eq!(history[1].to, Status::Running.into());
    assert_eq!(history[1].at, now() + Duration::from_secs(2));
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
    let texts = HealthTexts::of(app.lang(), app.health(), app.now);
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
fn engine_may_report_a_ticket_the_config_did_not_list() {
    let mut app = finished(1);
    snapshot(&mut app, ticket(7, Status::Running, "added", 10));
    assert_eq!(app.visible_len(), 2);
    assert!(shown_ids(&app).contains(&id(7).to_string()));
}

#[test]
fn engine_updates_move_the_clock_forward_never_back() {
    let mut app = finished(1);
    let later = now() + Duration::from_millis(700);
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            id: id(0),
            ticket: arc(ticket(0, Status::Succeed, "a", 7200)),
            at: later,
        })),
    );
    assert_eq!(app.now, later, "a poll just now is not in the future");
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            id: id(0),
            ticket: arc(ticket(0, Status::Succeed, "a", 7200)),
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
                    id: id(n),
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
                    id: id(n),
                    ticket: arc(t),
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
