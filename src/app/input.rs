//! Keys and mouse: what each one does to the state.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::watch::Command;

use super::tickets::StepsState;
use super::{Action, App, Outcome, Tab, View};

/// Lines the detail scrolls per wheel notch.
const WHEEL_LINES: usize = 3;

#[derive(Debug, Clone, Copy)]
enum Motion {
    Up(usize),
    Down(usize),
    Top,
    Bottom,
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Outcome {
    if key.kind == KeyEventKind::Release {
        return Outcome::default();
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => return Outcome::action(Action::Quit),
        KeyCode::Char('z') if ctrl => return Outcome::action(Action::Suspend),
        KeyCode::Char('l') if ctrl => return Outcome::redraw(true),
        _ => {}
    }
    if app.help {
        // Any key closes the help, and does nothing else.
        app.help = false;
        return Outcome::redraw(true);
    }
    if app.editing_filter {
        return on_filter_key(app, key);
    }
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Outcome::default();
    }
    let page = page_size(app);
    match key.code {
        KeyCode::Char('q') => Outcome::action(Action::Quit),
        KeyCode::Char('?') => {
            app.help = true;
            Outcome::redraw(true)
        }
        KeyCode::Char('j') | KeyCode::Down => motion(app, Motion::Down(1)),
        KeyCode::Char('k') | KeyCode::Up => motion(app, Motion::Up(1)),
        KeyCode::PageDown => motion(app, Motion::Down(page)),
        KeyCode::PageUp => motion(app, Motion::Up(page)),
        KeyCode::Char('g') | KeyCode::Home => motion(app, Motion::Top),
        KeyCode::Char('G') | KeyCode::End => motion(app, Motion::Bottom),
        KeyCode::Enter => {
            let opens = app.view == View::List && app.selected_id().is_some();
            if opens {
                app.view = View::Ticket;
                app.detail_scroll = 0;
            }
            Outcome::redraw(opens)
        }
        KeyCode::Esc => back(app),
        KeyCode::Tab => set_tab(app, app.tab.next()),
        KeyCode::BackTab => set_tab(app, app.tab.prev()),
        KeyCode::Char(c @ '1'..='5') => set_tab(app, Tab::ALL[usize::from(c as u8 - b'1')]),
        KeyCode::Char('/') => {
            app.editing_filter = true;
            Outcome::redraw(true)
        }
        KeyCode::Char('s') => {
            app.sort = app.sort.next();
            app.rebuild_order();
            Outcome::redraw(true)
        }
        KeyCode::Char('r') => refresh_selected(app),
        KeyCode::Char('R') => Outcome::action(Action::Engine(Command::RefreshAll)),
        _ => Outcome::default(),
    }
}

fn on_filter_key(app: &mut App, key: KeyEvent) -> Outcome {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(c) if plain && !c.is_control() => {
            let mut filter = std::mem::take(&mut app.filter);
            filter.push(c);
            set_filter(app, filter);
        }
        KeyCode::Backspace => {
            let mut filter = std::mem::take(&mut app.filter);
            filter.pop();
            set_filter(app, filter);
        }
        KeyCode::Enter => app.editing_filter = false,
        KeyCode::Esc => {
            app.editing_filter = false;
            set_filter(app, String::new());
        }
        KeyCode::Down => return motion(app, Motion::Down(1)),
        KeyCode::Up => return motion(app, Motion::Up(1)),
        _ => return Outcome::default(),
    }
    Outcome::redraw(true)
}

fn set_filter(app: &mut App, filter: String) {
    app.filter_lower = filter.to_lowercase();
    app.filter = filter;
    app.rebuild_order();
}

/// `Esc`: from the ticket back to the list; in the list, clear the filter.
fn back(app: &mut App) -> Outcome {
    if app.view == View::Ticket {
        app.view = View::List;
        app.scroll_list_to_cursor();
        Outcome::redraw(true)
    } else if !app.filter.is_empty() {
        set_filter(app, String::new());
        Outcome::redraw(true)
    } else {
        Outcome::default()
    }
}

fn set_tab(app: &mut App, tab: Tab) -> Outcome {
    let changed = app.tab != tab;
    app.tab = tab;
    if changed {
        app.detail_scroll = 0;
    }
    Outcome::redraw(changed)
}

/// `r`: poll the selected ticket now, and its steps when they are on screen.
fn refresh_selected(app: &mut App) -> Outcome {
    let Some(id) = app.selected_id().map(str::to_string) else {
        return Outcome::default();
    };
    let mut outcome = Outcome::action(Action::Engine(Command::Refresh(id.clone())));
    if app.tab == Tab::Steps
        && let Some(&i) = app.by_id.get(&id)
    {
        let steps = &mut app.tickets[i].steps;
        if !matches!(steps, StepsState::Loaded { .. }) {
            *steps = StepsState::Loading;
        }
        outcome
            .actions
            .push(Action::Engine(Command::FetchSteps(id)));
        outcome.redraw = true;
    }
    outcome
}

/// Moves the selection in the list, or scrolls the zoomed ticket's tab.
fn motion(app: &mut App, motion: Motion) -> Outcome {
    if app.view == View::Ticket {
        return scroll_detail(app, motion);
    }
    let last = app.order.len().saturating_sub(1);
    let target = match motion {
        Motion::Up(n) => app.cursor.saturating_sub(n),
        Motion::Down(n) => app.cursor.saturating_add(n).min(last),
        Motion::Top => 0,
        Motion::Bottom => last,
    };
    select(app, target)
}

fn select(app: &mut App, position: usize) -> Outcome {
    app.chosen = true;
    let before = app.selected.clone();
    app.select_position(position);
    let changed = app.selected != before;
    if changed {
        app.detail_scroll = 0;
    }
    Outcome::redraw(changed)
}

fn scroll_detail(app: &mut App, motion: Motion) -> Outcome {
    let last = app
        .selected()
        .map_or(0, |entry| entry.tab_len(app.tab).saturating_sub(1));
    let before = app.detail_scroll;
    app.detail_scroll = match motion {
        Motion::Up(n) => before.saturating_sub(n),
        Motion::Down(n) => before.saturating_add(n).min(last),
        Motion::Top => 0,
        Motion::Bottom => last,
    };
    Outcome::redraw(app.detail_scroll != before)
}

/// One screenful of the list (or of the zoomed detail).
fn page_size(app: &App) -> usize {
    let screen = app.screen();
    let height = match app.view {
        View::List => screen.rows.height,
        View::Ticket => screen.detail.height,
    };
    usize::from(height).max(1)
}

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) -> Outcome {
    if app.help {
        let click = matches!(mouse.kind, MouseEventKind::Down(_));
        app.help &= !click;
        return Outcome::redraw(click);
    }
    let screen = app.screen();
    let over_detail = screen.detail.contains((mouse.column, mouse.row).into());
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => match screen.row_at(mouse.column, mouse.row) {
            Some(row) if app.list_offset + row < app.order.len() => {
                select(app, app.list_offset + row)
            }
            _ => Outcome::default(),
        },
        MouseEventKind::ScrollDown if over_detail => scroll_detail(app, Motion::Down(WHEEL_LINES)),
        MouseEventKind::ScrollUp if over_detail => scroll_detail(app, Motion::Up(WHEEL_LINES)),
        MouseEventKind::ScrollDown => motion(app, Motion::Down(1)),
        MouseEventKind::ScrollUp => motion(app, Motion::Up(1)),
        _ => Outcome::default(),
    }
}
