//! The cache, read once the first frame is drawn: what it puts back and what the engine
//! is told to poll; and the dashboard sharing each ticket's data with the engine.

use super::*;
use crate::cache::{CachedTicket, CachedTransition};
use crate::coc::JobStatus;

fn remembered(t: &Arc<JobTicket>, polled_secs_ago: u64) -> CachedTicket {
    let at_ms = ((NOW - polled_secs_ago) * 1000) as i64;
    CachedTicket {
        ticket: t.clone(),
        polled_at_ms: at_ms,
        history: vec![CachedTransition::new(
            Some(&Status::Running.into()),
            &t.status().unwrap(),
            at_ms,
        )],
    }
}

#[test]
fn the_engine_learns_of_the_watched_tickets_from_the_cache_known_or_to_poll() {
    let mut app = empty_app(3);
    let (done, running) = (job(0, Status::Succeed, 600), job(2, Status::Running, 60));
    let out = update(
        &mut app,
        Message::Remembered(vec![remembered(&running, 5), remembered(&done, 30)]),
    );
    assert!(out.redraw);
    let [
        Action::Engine(Command::AddKnown(first_id, first)),
        second,
        Action::Engine(Command::AddKnown(third_id, third)),
    ] = &out.actions[..]
    else {
        panic!("{:?}", out.actions);
    };
    assert!(Arc::ptr_eq(first, &done) && Arc::ptr_eq(third, &running));
    assert_eq!((first_id, third_id), (&id(0), &id(2)));
    assert_eq!(second, &engine(Command::Add(id(1))));
    let entry = app.ticket(&id(0)).unwrap();
    assert!(entry.cached && Arc::ptr_eq(entry.ticket.as_ref().unwrap(), &done));
    assert_eq!(entry.history.len(), 1);
    assert!(app.ticket(&id(1)).unwrap().is_loading());
}

#[test]
fn a_poll_before_the_cache_keeps_its_data_after_the_remembered_history() {
    let mut app = empty_app(1);
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Transition {
            id: id(0),
            from: Some(Status::Running.into()),
            to: Status::Failed.into(),
            at: now(),
        })),
    );
    let polled = job(0, Status::Failed, 600);
    snap_at(&mut app, &polled, now());
    let older = job(0, Status::Running, 600);
    let out = update(&mut app, Message::Remembered(vec![remembered(&older, 30)]));
    assert_eq!(out.actions, [engine(Command::Add(id(0)))]);
    let entry = app.ticket(&id(0)).unwrap();
    assert!(!entry.cached && Arc::ptr_eq(entry.ticket.as_ref().unwrap(), &polled));
    let to: Vec<&JobStatus> = entry.history.iter().map(|t| &t.to).collect();
    assert_eq!(to, [&Status::Running.into(), &Status::Failed.into()]);
}

#[test]
fn a_ticket_the_cache_knows_but_no_longer_watched_is_left_out() {
    let mut app = empty_app(1);
    let gone = job(7, Status::Succeed, 600);
    let out = update(&mut app, Message::Remembered(vec![remembered(&gone, 30)]));
    assert_eq!(out.actions, [engine(Command::Add(id(0)))]);
    assert!(app.ticket(&id(7)).is_none());
}

#[test]
fn an_unchanged_poll_keeps_the_engines_copy_not_a_second_one() {
    let mut app = empty_app(1);
    snap_at(&mut app, &job(0, Status::Succeed, 600), now());
    let again = job(0, Status::Succeed, 600);
    snap_at(&mut app, &again, now() + Duration::from_secs(1));
    let held = app.ticket(&id(0)).unwrap().ticket.as_ref().unwrap();
    assert!(Arc::ptr_eq(held, &again));
}
