//! The 1 Hz clock: a frame when a shown time text changes.

use super::*;

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
fn tick_ignores_tickets_scrolled_out_of_view() {
    let mut app = finished(50);
    let base = now() + Duration::from_secs(3600);
    update(&mut app, Message::Tick(base));
    // A ticket running for 30s, last polled an hour ago (so the header age is coarse).
    let mut running = ticket(49, Status::Running, "zzz", 0);
    running.start_time = Some(((NOW + 3600 - 30) * 1000) as i64);
    update(
        &mut app,
        Message::Engine(Update::Snapshot {
            execution_id: id(49),
            ticket: Arc::new(running),
            at: now(),
        }),
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
fn tick_redraws_every_second_while_a_shown_ticket_runs() {
    let mut app = app_with(1, |_| ticket(0, Status::Running, "live", 30));
    for s in 1..=5 {
        let out = update(&mut app, Message::Tick(now() + Duration::from_secs(s)));
        assert!(out.redraw, "the duration moved at {s}s");
    }
}
