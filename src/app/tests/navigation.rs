//! Moving, opening, tabs, the mouse, the help, quitting.

use super::*;
use ratatui::crossterm::event::{KeyEventKind, MouseButton};

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
    let chosen = selected_ref(&app);
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
    for (key, tab) in ['1', '2', '3', '4', '5'].into_iter().zip(Tab::EXECUTION) {
        ch(&mut app, key);
        assert_eq!(app.tab(), tab);
    }
    assert!(!ch(&mut app, '5').redraw, "already there");
}

#[test]
fn steps_are_fetched_once_when_their_tab_is_shown() {
    let mut app = finished(2);
    let first = selected_ref(&app);
    let out = ch(&mut app, '4');
    assert_eq!(out.actions, [engine(Command::FetchDetails(first.clone()))]);
    assert!(matches!(app.selected().unwrap().steps, StepsState::Loading));
    assert!(ch(&mut app, '4').actions.is_empty(), "already loading");

    // Another ticket selected on the Steps tab: its steps are fetched.
    let out = ch(&mut app, 'j');
    let second = selected_ref(&app);
    assert_eq!(out.actions, [engine(Command::FetchDetails(second))]);
    assert!(ch(&mut app, 'k').actions.is_empty(), "first is loading");

    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Steps {
            id: first.clone(),
            result: Ok(vec![crate::coc::Step::default()]),
            at: now(),
        })),
    );
    assert!(matches!(
        &app.selected().unwrap().steps,
        StepsState::Loaded { data: steps, .. } if steps.len() == 1
    ));
    // `r` on the Steps tab refreshes the ticket and its steps.
    assert_eq!(
        ch(&mut app, 'r').actions,
        [
            engine(Command::Refresh(first.clone())),
            engine(Command::FetchDetails(first))
        ]
    );
}

#[test]
fn r_refreshes_the_selection_and_shift_r_everything() {
    let mut app = finished(3);
    ch(&mut app, 'j');
    let chosen = selected_ref(&app);
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
    assert_eq!(update(&mut app, Message::Key(release)), Reaction::default());
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
            key: format!("k{i}").into(),
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
fn a_ticket_with_50000_parameters_scrolls_to_its_last_row() {
    let mut app = app_with(1, |i| {
        let mut t = ticket(i, Status::Running, "big", 60);
        t.parameters = (0..50_000)
            .map(|k| crate::coc::KeyValue {
                key: format!("key{k}").into(),
                value: format!("value{k}").into(),
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
fn the_open_tickets_steps_are_followed_until_it_closes() {
    let mut app = mixed();
    select_id(&mut app, &id_text(1));
    let out = press(&mut app, KeyCode::Enter);
    assert_eq!(out.actions, [engine(Command::Follow(Some(id(1))))]);
    let out = press(&mut app, KeyCode::Esc);
    assert_eq!(out.actions, [engine(Command::Follow(None))]);
    // On the Steps tab the engine's fetch for following is the only one.
    ch(&mut app, 'j');
    ch(&mut app, '4');
    let next = selected_ref(&app);
    let out = press(&mut app, KeyCode::Enter);
    assert_eq!(out.actions, [engine(Command::Follow(Some(next)))]);
}
