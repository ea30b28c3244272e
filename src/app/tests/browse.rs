//! The browse view.

use super::*;

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
    assert_eq!(
        pinned.actions,
        [
            Action::Engine(Command::Add(id(11))),
            Action::SaveWatch(WatchChange::Add(vec![WatchEntry::unlabelled(id(11))])),
        ],
        "watched from now on, and saved to the config"
    );
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

#[test]
fn a_ticket_pinned_or_opened_from_a_browse_page_without_profile_is_the_first_profiles() {
    let mut app = two_profiles(finished(2));
    let browsed: Vec<Ticket> = (10..12)
        .map(|i| ticket(i, Status::Failed, "browsed", 60))
        .collect();
    browse_page(&mut app, browsed);
    let pinned = press(&mut app, KeyCode::Char('p'));
    assert!(
        pinned
            .actions
            .contains(&Action::SaveWatch(WatchChange::Add(vec![
                WatchEntry::unlabelled(id(10))
            ]))),
        "the first profile's: no profile written"
    );
    let belongs = Action::Engine(Command::Belongs {
        id: id(10),
        profile: "prod".into(),
    });
    assert_eq!(
        pinned.actions[..2],
        [belongs, Action::Engine(Command::Add(id(10)))],
        "polled by the profile it shows, whoever listed the ID last"
    );
    press(&mut app, KeyCode::Down);
    let opened = press(&mut app, KeyCode::Enter);
    let belongs = Action::Engine(Command::Belongs {
        id: id(11),
        profile: "prod".into(),
    });
    assert_eq!(
        opened.actions,
        [belongs, Action::Engine(Command::Add(id(11)))]
    );
    for browsed in [10, 11] {
        assert_eq!(
            app.ticket(&id(browsed)).and_then(|t| t.profile.as_deref()),
            Some("prod"),
            "shown as the profile that polls it"
        );
    }
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.profile_counts(),
        [("prod".into(), 2), ("staging".into(), 1)],
        "the pinned one counted in its profile, the one only opened gone"
    );
}
