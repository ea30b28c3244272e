//! The filter and the sort, and the selection and the open ticket held by ID through them.

use super::*;

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
    let chosen = selected_ref(&app);
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
fn selection_follows_its_ticket_when_the_order_changes() {
    let mut app = finished(5);
    ch(&mut app, 'G');
    let chosen = selected_ref(&app);
    assert_eq!(app.cursor(), 4);
    // The selected ticket fails: it moves to the top, the selection with it.
    let n: usize = chosen.id()[2..].parse().unwrap();
    snapshot(&mut app, ticket(n, Status::Failed, "e", 100));
    assert_eq!(app.cursor(), 0);
    assert_eq!(selected(&app), chosen);
    // Another ticket starts running: ours stays selected at its new position.
    snapshot(&mut app, ticket(0, Status::Failed, "a", 10));
    assert_eq!(selected(&app), chosen);
    assert_eq!(app.cursor(), 1);
}

/// Active, finished and unknown statuses, for randomised update sequences.

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
    let top = selected_ref(&app);
    // A ticket further down fails and sorts to the top: the top row is selected,
    // not the ticket that happened to be there first.
    snapshot(&mut app, ticket(3, Status::Failed, "d", 100));
    assert_eq!(app.cursor(), 0);
    assert_eq!(selected(&app), id(3));
    assert_ne!(top, id(3));
    // Once the user has chosen, the choice is followed instead.
    ch(&mut app, 'j');
    let chosen = selected_ref(&app);
    snapshot(&mut app, ticket(4, Status::Failed, "e", 50));
    assert_eq!(selected(&app), chosen);
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
    let opened = selected_ref(&app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view(), View::Ticket);
    // It starts running: the filter no longer matches it, nor anything in its place.
    let n: usize = opened.id()[2..].parse().unwrap();
    snapshot(&mut app, ticket(n, Status::Running, "job", 60 + n as u64));
    assert_eq!(app.view(), View::Ticket);
    assert_eq!(
        app.shown().unwrap().id,
        opened,
        "the pane shows the same ticket"
    );
    assert_eq!(app.shown().unwrap().status(), Some(Status::Running.into()));
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
    let opened = selected_ref(&app);
    press(&mut app, KeyCode::Enter);
    let before = app.cursor();
    // It fails: the urgency sort takes it to the top.
    let n: usize = opened.id()[2..].parse().unwrap();
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
    let chosen = selected_ref(&app);
    let n: usize = chosen.id()[2..].parse().unwrap();
    snapshot(&mut app, ticket(n, Status::Running, "job", 60 + n as u64));
    // The pane beside the list still shows it: it did not switch on its own.
    assert_eq!(selected(&app), chosen);
    assert_eq!(app.shown().unwrap().id, chosen);
    assert!(
        shown_ids(&app).contains(&chosen.to_string()),
        "kept in the list"
    );
    // The user moves away: it goes, as the filter says.
    ch(&mut app, 'j');
    assert_ne!(selected(&app), chosen);
    assert!(!shown_ids(&app).contains(&chosen.to_string()));
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
    let chosen = selected_ref(&app);
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
fn a_tag_filter_narrows_the_list_to_the_tickets_carrying_that_tag() {
    let tag = |key: &str, value: &str| crate::coc::KeyValue {
        key: key.into(),
        value: value.into(),
    };
    let mut app = app_with(5, |i| {
        let mut t = ticket(i, Status::Running, "deploy", 60);
        t.tags = match i {
            0 => vec![tag("env", "prod"), tag("team", "sre")],
            1 => vec![tag("env", "staging"), tag("team", "sre")],
            2 => vec![tag("env", "Prod")],
            3 => vec![tag("environment", "prod")],
            _ => vec![],
        };
        if i == 2 {
            t.status = Some(Status::Failed);
        }
        t
    });
    ch(&mut app, '/');
    for c in "env=prod".chars() {
        ch(&mut app, c);
    }
    let mut carrying = shown_ids(&app);
    carrying.sort();
    assert_eq!(
        carrying,
        [id(0), id(2)],
        "exactly the tickets tagged env=prod"
    );
    for c in " team=sre".chars() {
        ch(&mut app, c);
    }
    assert_eq!(shown_ids(&app), [id(0)], "every tag must be carried");
    let mut app = app_with(5, |i| {
        let mut t = ticket(i, Status::Running, "deploy", 60);
        if i % 2 == 0 {
            t.tags = vec![tag("env", "prod")];
            t.status = Some(if i == 0 {
                Status::Failed
            } else {
                Status::Succeed
            });
        }
        t
    });
    ch(&mut app, '/');
    for c in "status=failed env=prod".chars() {
        ch(&mut app, c);
    }
    assert_eq!(shown_ids(&app), [id(0)], "a status and a tag together");
    for _ in 0.."failed env=prod".len() {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "fialed".chars() {
        ch(&mut app, c);
    }
    assert_eq!(
        app.visible_len(),
        0,
        "a word that cannot be used shows nothing"
    );
    assert!(
        app.filter_invalid().unwrap().contains("Failed"),
        "and says why"
    );
}

#[test]
fn profile_kind_and_creator_words_match_what_the_tickets_have() {
    let mut app = app_with(4, |i| {
        let mut t = ticket(i, Status::Running, "deploy", 60);
        t.creator = Some(if i == 1 { "LiSi" } else { "zhangsan" }.into());
        t
    });
    let filter = |app: &mut App, words: &str| {
        press(app, KeyCode::Esc);
        ch(app, '/');
        for c in words.chars() {
            ch(app, c);
        }
        app.visible_len()
    };
    assert_eq!(filter(&mut app, "creator=lisi"), 1);
    assert_eq!(filter(&mut app, "kind=execution"), 4);
    assert_eq!(filter(&mut app, "kind=script"), 0);
    assert_eq!(filter(&mut app, "profile=default"), 4, "the one profile");
    assert_eq!(filter(&mut app, "profile=prod"), 0);
}

#[test]
fn v_cycles_the_saved_views_and_capital_v_saves_the_filter_as_one() {
    let views = vec![
        crate::config::ViewEntry {
            name: "failures".into(),
            filter: "status=Failed".into(),
            sort: Some("name".into()),
        },
        crate::config::ViewEntry {
            name: "patching".into(),
            filter: "patch".into(),
            sort: None,
        },
    ];
    let app = app_with(4, |i| match i {
        0 => ticket(0, Status::Failed, "db-failover", 60),
        1 => ticket(1, Status::Running, "patch-kernel", 60),
        2 => ticket(2, Status::Failed, "backup", 60),
        _ => ticket(3, Status::Succeed, "rotate", 60),
    });
    let mut app = app.with_settings(UiSettings {
        views,
        ..UiSettings::default()
    });
    ch(&mut app, 'v');
    assert_eq!(app.saved_view(), Some("failures"));
    assert_eq!(app.filter(), "status=Failed");
    assert_eq!(
        shown_ids(&app),
        [id(2), id(0)],
        "its filter, sorted by name"
    );
    assert_eq!(app.sort(), SortKey::Name);
    ch(&mut app, 'v');
    assert_eq!(app.saved_view(), Some("patching"));
    assert_eq!(shown_ids(&app), [id(1)]);
    ch(&mut app, 'v');
    assert_eq!(
        (app.saved_view(), app.visible_len()),
        (None, 4),
        "then the whole list"
    );

    ch(&mut app, '/');
    for c in "rot".chars() {
        ch(&mut app, c);
    }
    press(&mut app, KeyCode::Enter);
    let saved = ch(&mut app, 'V');
    let view = crate::config::ViewEntry {
        name: "rot".into(),
        filter: "rot".into(),
        sort: Some("name".into()),
    };
    assert_eq!(saved.actions, [Action::SaveView(view)]);
    assert_eq!(app.saved_view(), Some("rot"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.saved_view(),
        None,
        "the filter cleared: no view in force"
    );
}
