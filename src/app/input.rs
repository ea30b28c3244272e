//! Keys and mouse: what each one does to the state.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::watch::Command;

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
    if app.help_open() {
        // Any key closes the help, and does nothing else.
        app.set_help(false);
        return Outcome::redraw(true);
    }
    if app.filter.editing() {
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
            app.set_help(true);
            Outcome::redraw(true)
        }
        KeyCode::Char('j') | KeyCode::Down => motion(app, Motion::Down(1)),
        KeyCode::Char('k') | KeyCode::Up => motion(app, Motion::Up(1)),
        KeyCode::PageDown => motion(app, Motion::Down(page)),
        KeyCode::PageUp => motion(app, Motion::Up(page)),
        KeyCode::Char('g') | KeyCode::Home => motion(app, Motion::Top),
        KeyCode::Char('G') | KeyCode::End => motion(app, Motion::Bottom),
        KeyCode::Enter => open_selected(app),
        KeyCode::Esc => back(app),
        KeyCode::Tab => set_tab(app, app.tab().next()),
        KeyCode::BackTab => set_tab(app, app.tab().prev()),
        KeyCode::Char(c @ '1'..='5') => set_tab(app, Tab::ALL[usize::from(c as u8 - b'1')]),
        KeyCode::Char('/') => {
            app.filter.start_editing();
            Outcome::redraw(true)
        }
        KeyCode::Char('s') => {
            let sort = app.list.sort().next();
            app.list.set_sort(sort, app.tickets.all(), &app.filter);
            app.scroll_list_to_cursor();
            Outcome::redraw(true)
        }
        KeyCode::Char('r') => refresh_shown(app),
        KeyCode::Char('R') => Outcome::action(Action::Engine(Command::RefreshAll)),
        _ => Outcome::default(),
    }
}

fn on_filter_key(app: &mut App, key: KeyEvent) -> Outcome {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(c) if plain && !c.is_control() => app.filter.push(c),
        KeyCode::Backspace => app.filter.pop(),
        KeyCode::Enter => {
            app.filter.finish_editing();
            return Outcome::redraw(true);
        }
        KeyCode::Esc => app.filter.clear(),
        KeyCode::Down => return motion(app, Motion::Down(1)),
        KeyCode::Up => return motion(app, Motion::Up(1)),
        _ => return Outcome::default(),
    }
    app.refilter();
    Outcome::redraw(true)
}

/// Enter: the selected ticket opens, and stays open (held by its ID) whatever the list
/// does meanwhile.
fn open_selected(app: &mut App) -> Outcome {
    if app.view() != View::List {
        return Outcome::default();
    }
    let Some(id) = app.list.selected_id().map(str::to_string) else {
        return Outcome::default();
    };
    app.list.keep_selection();
    app.detail.open(id);
    Outcome::redraw(true)
}

/// `Esc`: from the ticket back to the list; in the list, clear the filter.
fn back(app: &mut App) -> Outcome {
    if app.view() == View::Ticket {
        app.detail.close();
        app.scroll_list_to_cursor();
        Outcome::redraw(true)
    } else if !app.filter.is_empty() {
        app.filter.clear();
        app.refilter();
        Outcome::redraw(true)
    } else {
        Outcome::default()
    }
}

fn set_tab(app: &mut App, tab: Tab) -> Outcome {
    Outcome::redraw(app.detail.set_tab(tab))
}

/// `r`: poll the shown ticket now, and its steps when they are on screen.
fn refresh_shown(app: &mut App) -> Outcome {
    let Some(id) = app.shown_id().map(str::to_string) else {
        return Outcome::default();
    };
    let mut outcome = Outcome::action(Action::Engine(Command::Refresh(id.clone())));
    if app.tab() == Tab::Steps && app.tickets.want_steps(&id, true) {
        outcome
            .actions
            .push(Action::Engine(Command::FetchSteps(id)));
        outcome.redraw = true;
    }
    outcome
}

/// Moves the selection in the list, or scrolls the open ticket's tab.
fn motion(app: &mut App, motion: Motion) -> Outcome {
    if app.view() == View::Ticket {
        return scroll_detail(app, motion);
    }
    let cursor = app.list.cursor();
    let last = app.list.len().saturating_sub(1);
    let target = match motion {
        Motion::Up(n) => cursor.saturating_sub(n),
        Motion::Down(n) => cursor.saturating_add(n).min(last),
        Motion::Top => 0,
        Motion::Bottom => last,
    };
    Outcome::redraw(app.select(target))
}

fn scroll_detail(app: &mut App, motion: Motion) -> Outcome {
    let before = app.detail.scroll();
    let to = match motion {
        Motion::Up(n) => before.saturating_sub(n),
        Motion::Down(n) => before.saturating_add(n),
        Motion::Top => 0,
        Motion::Bottom => usize::MAX,
    };
    let shown = app.shown_id().and_then(|id| app.tickets.get(id));
    Outcome::redraw(app.detail.scroll_to(shown, to))
}

/// One screenful of the list (or of the zoomed detail).
fn page_size(app: &App) -> usize {
    let screen = app.screen();
    let height = match app.view() {
        View::List => screen.rows.height,
        View::Ticket => screen.detail.height,
    };
    usize::from(height).max(1)
}

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) -> Outcome {
    if app.help_open() {
        let click = matches!(mouse.kind, MouseEventKind::Down(_));
        if click {
            app.set_help(false);
        }
        return Outcome::redraw(click);
    }
    let screen = app.screen();
    let over_detail = screen.detail.contains((mouse.column, mouse.row).into());
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            let offset = app.list.offset(usize::from(screen.rows.height));
            match screen.row_at(mouse.column, mouse.row) {
                Some(row) if offset + row < app.list.len() => {
                    Outcome::redraw(app.select(offset + row))
                }
                _ => Outcome::default(),
            }
        }
        MouseEventKind::ScrollDown if over_detail => scroll_detail(app, Motion::Down(WHEEL_LINES)),
        MouseEventKind::ScrollUp if over_detail => scroll_detail(app, Motion::Up(WHEEL_LINES)),
        MouseEventKind::ScrollDown => motion(app, Motion::Down(1)),
        MouseEventKind::ScrollUp => motion(app, Motion::Up(1)),
        _ => Outcome::default(),
    }
}
