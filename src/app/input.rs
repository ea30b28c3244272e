//! Keys and mouse: what each one does to the state.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::config::console_url;
use crate::watch::Command;

use super::actions::{ConfirmKey, Prompt, PromptKey, summary};
use super::hosts::HostsView;
use super::tickets::StepsState;
use super::{Action, App, Origin, Outcome, Tab, View, WatchChange};

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
    // Whatever the key, the user is looking at the selection now: it no longer follows
    // the top row as tickets arrive.
    app.list.keep_selection();
    // The note about the last edit has been read once another key comes.
    let noted = app.watchlist.clear_note();
    let mut outcome = on_key_press(app, key);
    outcome.redraw |= noted;
    outcome
}

fn on_key_press(app: &mut App, key: KeyEvent) -> Outcome {
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
    if app.prompt.current().is_some() {
        return on_prompt_key(app, key);
    }
    if app.watchlist.input().is_some() {
        return on_add_key(app, key);
    }
    if app.watchlist.removing().is_some() {
        return on_remove_key(app, key);
    }
    if app.filter.editing() {
        return on_filter_key(app, key);
    }
    if app.view() == View::Browse && app.browse.editing() {
        return on_browse_filter_key(app, key);
    }
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Outcome::default();
    }
    let page = page_size(app);
    if app.view() == View::Browse
        && let Some(outcome) = on_browse_key(app, key)
    {
        return outcome;
    }
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
        KeyCode::Enter if app.view() == View::Ticket => open_hosts(app),
        KeyCode::Enter => open_selected(app),
        KeyCode::Esc if app.hosts().is_some() => {
            app.hosts = None;
            Outcome::redraw(true)
        }
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
        KeyCode::Char('r') if app.hosts().is_some() => {
            if let Some(view) = &mut app.hosts {
                view.retry();
            }
            fetch_hosts_page(app, true)
        }
        KeyCode::Char('r') => refresh_shown(app),
        KeyCode::Char('R') => Outcome::action(Action::Engine(Command::RefreshAll)),
        KeyCode::Char('b') if app.view() == View::List => Outcome::redraw_and(app.browse.open()),
        KeyCode::Char('p') => pin(app),
        KeyCode::Char('x') => open_actions(app),
        KeyCode::Char('y') => copy(app, |_, id| id.to_string()),
        KeyCode::Char('Y') => copy(app, summary),
        KeyCode::Char('o') => open_console(app),
        KeyCode::Char('a') => {
            app.watchlist.start_adding();
            Outcome::redraw(true)
        }
        KeyCode::Char('d') => match app.shown_id().map(str::to_string) {
            Some(id) => {
                app.watchlist.confirm_remove(id);
                Outcome::redraw(true)
            }
            None => Outcome::default(),
        },
        KeyCode::Char('n') => Outcome::redraw(app.alerts.mark_seen()),
        _ => Outcome::default(),
    }
}

/// The `a` line: IDs typed or pasted, Enter adds them (and saves), Esc cancels.
fn on_add_key(app: &mut App, key: KeyEvent) -> Outcome {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(c) if plain => app.watchlist.type_text(c.encode_utf8(&mut [0; 4])),
        KeyCode::Backspace => app.watchlist.backspace(),
        KeyCode::Esc => app.watchlist.cancel(),
        KeyCode::Enter => {
            let Some(paste) = app.watchlist.submit() else {
                return Outcome::redraw(true);
            };
            let entries = paste.entries();
            let added = app.watch(&entries);
            let mut outcome = Outcome::redraw(true);
            if added.is_empty() {
                app.watchlist.say("already watched".into(), false);
                return outcome;
            }
            let noun = if added.len() == 1 {
                "ticket"
            } else {
                "tickets"
            };
            let said = format!("watching {} more {noun}; saving…", added.len());
            app.watchlist.say(said, false);
            outcome
                .actions
                .extend(added.into_iter().map(|id| Action::Engine(Command::Add(id))));
            outcome
                .actions
                .push(Action::SaveWatch(WatchChange::Add(entries)));
            return outcome;
        }
        _ => return Outcome::default(),
    }
    Outcome::redraw(true)
}

/// The `d` confirmation: `y` removes the ticket it names, any other key keeps it.
fn on_remove_key(app: &mut App, key: KeyEvent) -> Outcome {
    if key.code != KeyCode::Char('y') {
        app.watchlist.cancel();
        return Outcome::redraw(true);
    }
    let Some(id) = app.watchlist.take_removal() else {
        return Outcome::default();
    };
    let mut outcome = Outcome::redraw(true);
    if app.unwatch(&id) {
        app.watchlist.say(format!("removed {id}; saving…"), false);
        outcome.actions = vec![
            Action::Engine(Command::Remove(id.clone())),
            Action::SaveWatch(WatchChange::Remove(id)),
        ];
    }
    outcome
}

/// Pasted text goes to the `a` line when it is open.
pub(super) fn on_paste(app: &mut App, text: &str) -> Outcome {
    if app.watchlist.input().is_none() {
        return Outcome::default();
    }
    app.watchlist.type_text(text);
    Outcome::redraw(true)
}

/// `x`: the operations the shown ticket allows, for its execution ID as of now.
fn open_actions(app: &mut App) -> Outcome {
    let Some(id) = app.shown_id().map(str::to_string) else {
        return Outcome::default();
    };
    let ticket = app.tickets.get(&id).and_then(|e| e.ticket.as_deref());
    app.prompt.open_menu(&id, ticket, &app.settings);
    Outcome::redraw(true)
}

/// Every key goes to the open prompt; none reaches the list behind it.
fn on_prompt_key(app: &mut App, key: KeyEvent) -> Outcome {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match app.prompt.current() {
        Some(Prompt::Notice { .. }) | None => {
            app.prompt.close();
            Outcome::redraw(true)
        }
        Some(Prompt::Menu { .. }) => match key.code {
            KeyCode::Char('j') | KeyCode::Down => Outcome::redraw(app.prompt.move_cursor(true)),
            KeyCode::Char('k') | KeyCode::Up => Outcome::redraw(app.prompt.move_cursor(false)),
            KeyCode::Enter => {
                let tickets = &app.tickets;
                app.prompt
                    .choose(|id| tickets.get(id).and_then(|e| e.ticket.as_deref().cloned()));
                Outcome::redraw(true)
            }
            KeyCode::Esc | KeyCode::Char('q' | 'x') => {
                app.prompt.close();
                Outcome::redraw(true)
            }
            _ => Outcome::default(),
        },
        Some(Prompt::Confirm { .. }) => {
            let answer = match key.code {
                KeyCode::Char(c) if plain => ConfirmKey::Char(c),
                KeyCode::Enter => ConfirmKey::Enter,
                KeyCode::Backspace => ConfirmKey::Backspace,
                _ => ConfirmKey::Other,
            };
            match app.prompt.confirm_key(answer) {
                PromptKey::Send {
                    execution_id,
                    operation,
                } => {
                    app.tickets
                        .operation_sent(&execution_id, operation, app.now);
                    let mut outcome = Outcome::action(Action::Engine(Command::Operate {
                        execution_id,
                        operation,
                    }));
                    outcome.redraw = true;
                    outcome
                }
                PromptKey::Changed | PromptKey::Closed => Outcome::redraw(true),
                PromptKey::Nothing => Outcome::default(),
            }
        }
    }
}

/// `y` / `Y`: the shown ticket's ID or summary to the clipboard.
fn copy(app: &mut App, text: impl Fn(&App, &str) -> String) -> Outcome {
    let Some(id) = app.shown_id() else {
        return Outcome::default();
    };
    Outcome::action(Action::Copy(text(app, id)))
}

/// `o`: the shown ticket in the console, when `[ui] console_url` says where.
fn open_console(app: &mut App) -> Outcome {
    let Some(id) = app.shown_id().map(str::to_string) else {
        return Outcome::default();
    };
    match &app.settings.console_url {
        Some(template) => Outcome::action(Action::Open(console_url::expand(template, &id))),
        None => {
            let lines = vec![
                "Set console_url in [ui] of the config to open tickets with o, e.g.".into(),
                format!("console_url = \"https://…/{}\"", console_url::PLACEHOLDER),
            ];
            app.prompt.notice("console", lines);
            Outcome::redraw(true)
        }
    }
}

/// The keys the browse view gives its own meaning; `None` for those it shares with the
/// list (moving, help, quit).
fn on_browse_key(app: &mut App, key: KeyEvent) -> Option<Outcome> {
    let outcome = match key.code {
        KeyCode::Esc | KeyCode::Char('b') => {
            app.browse.close();
            Outcome::redraw(true)
        }
        KeyCode::Char('/') => {
            app.browse.start_editing();
            Outcome::redraw(true)
        }
        KeyCode::Char('r') => Outcome::redraw_and(app.browse.reload()),
        KeyCode::Enter => open_browsed(app),
        _ => return None,
    };
    Some(outcome)
}

/// What a key does on a line being typed (the two filter lines).
enum LineKey {
    Char(char),
    Backspace,
    Enter,
    Esc,
    Other(KeyCode),
}

fn line_key(key: &KeyEvent) -> LineKey {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(c) if plain && !c.is_control() => LineKey::Char(c),
        KeyCode::Backspace => LineKey::Backspace,
        KeyCode::Enter => LineKey::Enter,
        KeyCode::Esc => LineKey::Esc,
        other => LineKey::Other(other),
    }
}

fn on_browse_filter_key(app: &mut App, key: KeyEvent) -> Outcome {
    match line_key(&key) {
        LineKey::Char(c) => app.browse.push(c),
        LineKey::Backspace => app.browse.pop(),
        LineKey::Esc => app.browse.cancel_editing(),
        LineKey::Enter => {
            if let Some(command) = app.browse.apply_filter() {
                return Outcome::redraw_and(command);
            }
        }
        LineKey::Other(_) => return Outcome::default(),
    }
    Outcome::redraw(true)
}

/// Enter in the browse view: the ticket opens in the detail, polled while it is open;
/// Esc brings the browse view back (and lets go of it unless it was pinned).
fn open_browsed(app: &mut App) -> Outcome {
    let Some(entry) = app.browse.selected().cloned() else {
        return Outcome::default();
    };
    let id = entry.id.clone();
    let mut outcome = Outcome::redraw(true);
    if app.tickets.index(&id).is_none() {
        app.tickets.insert_listed(entry);
        outcome
            .actions
            .push(Action::Engine(Command::Add(id.clone())));
    }
    app.detail.open(id);
    outcome
}

/// `p`: the ticket selected in the browse view, or the open one, joins the watch list
/// (in memory) and is listed from now on.
fn pin(app: &mut App) -> Outcome {
    let entry = match app.view() {
        View::Browse => app.browse.selected().cloned(),
        View::Ticket => app.shown().cloned(),
        View::List => None,
    };
    let Some(entry) = entry.filter(|e| e.origin != Origin::Watched) else {
        return Outcome::default();
    };
    let id = entry.id.clone();
    app.tickets.insert_listed(entry);
    app.tickets.set_origin(&id, Origin::Watched);
    app.refilter();
    Outcome::redraw_and(Command::Add(id))
}

fn on_filter_key(app: &mut App, key: KeyEvent) -> Outcome {
    match line_key(&key) {
        LineKey::Char(c) => app.filter.push(c),
        LineKey::Backspace => app.filter.pop(),
        LineKey::Enter => {
            app.filter.finish_editing();
            return Outcome::redraw(true);
        }
        LineKey::Esc => app.filter.clear(),
        LineKey::Other(KeyCode::Down) => return motion(app, Motion::Down(1)),
        LineKey::Other(KeyCode::Up) => return motion(app, Motion::Up(1)),
        LineKey::Other(_) => return Outcome::default(),
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
    app.hosts = None;
    app.detail.open(id.clone());
    // Its steps stay fresh while it is open: the engine fetches them now, so they are
    // marked loading here rather than asked for twice.
    app.tickets.want_steps(&id, false);
    let mut outcome = Outcome::action(Action::Engine(Command::FollowSteps(Some(id))));
    outcome.redraw = true;
    outcome
}

/// `Esc`: from the ticket back to the list; in the list, clear the filter.
fn back(app: &mut App) -> Outcome {
    if app.view() == View::Ticket {
        let closed = app.detail.open_id().map(str::to_string);
        app.detail.close();
        app.hosts = None;
        let mut outcome = Outcome::redraw_and(Command::FollowSteps(None));
        // A ticket opened from the browse view and not pinned goes with it.
        if let Some(id) = closed
            && app.ticket(&id).is_some_and(|e| e.origin == Origin::Browsed)
        {
            app.tickets.remove(&id);
            app.refilter();
            outcome.actions.push(Action::Engine(Command::Remove(id)));
        }
        app.scroll_list_to_cursor();
        outcome
    } else if !app.filter.is_empty() {
        app.filter.clear();
        app.refilter();
        Outcome::redraw(true)
    } else {
        Outcome::default()
    }
}

fn set_tab(app: &mut App, tab: Tab) -> Outcome {
    let hosts_closed = app.hosts.take().is_some();
    Outcome::redraw(app.detail.set_tab(tab) || hosts_closed)
}

/// Enter on the Steps tab of the open ticket: the hosts of the step at the cursor.
fn open_hosts(app: &mut App) -> Outcome {
    if app.tab() != Tab::Steps || app.hosts().is_some() {
        return Outcome::default();
    }
    let Some(id) = app.detail.open_id() else {
        return Outcome::default();
    };
    let Some(StepsState::Loaded { steps, .. }) = app.tickets.get(id).map(|e| &e.steps) else {
        return Outcome::default();
    };
    let Some(step) = steps.get(app.detail.scroll()) else {
        return Outcome::default();
    };
    let Some(step_id) = step.execution_step_id.clone() else {
        return Outcome::default();
    };
    let name = step.name.clone().unwrap_or_else(|| step_id.clone());
    app.hosts = Some(HostsView::new(id.to_string(), step_id, name));
    fetch_hosts_page(app, true)
}

/// Asks for the next page of hosts when the view needs one for the rows on screen.
fn fetch_hosts_page(app: &mut App, redraw: bool) -> Outcome {
    let rows = page_size(app);
    let Some(view) = app.hosts.as_mut() else {
        return Outcome::redraw(redraw);
    };
    let Some(page) = view.next_page(rows) else {
        return Outcome::redraw(redraw);
    };
    let command = Command::FetchInstances {
        execution_id: view.execution_id().to_string(),
        step_id: view.step_id().to_string(),
        page,
    };
    Outcome {
        redraw: true,
        actions: vec![Action::Engine(command)],
    }
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
    if app.view() == View::Browse {
        return browse_motion(app, motion);
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

fn browse_motion(app: &mut App, motion: Motion) -> Outcome {
    let cursor = app.browse.cursor();
    let last = app.browse.rows().len().saturating_sub(1);
    let target = match motion {
        Motion::Up(n) => cursor.saturating_sub(n),
        Motion::Down(n) => cursor.saturating_add(n).min(last),
        Motion::Top => 0,
        Motion::Bottom => last,
    };
    let rows = app.list_rows();
    let (changed, more) = app.browse.select(target, rows);
    if changed {
        app.detail.reset_scroll();
    }
    let mut outcome = Outcome::redraw(changed);
    outcome.actions.extend(more.map(Action::Engine));
    outcome
}

fn scroll_detail(app: &mut App, motion: Motion) -> Outcome {
    if let Some(view) = app.hosts.as_mut() {
        let to = target(view.scroll(), motion);
        let moved = view.scroll_to(to);
        return fetch_hosts_page(app, moved);
    }
    let before = app.detail.scroll();
    let to = target(before, motion);
    let shown = app.shown_id().and_then(|id| app.tickets.get(id));
    Outcome::redraw(app.detail.scroll_to(shown, to))
}

/// Where a scroll motion goes from `from` (clamped by whoever scrolls).
fn target(from: usize, motion: Motion) -> usize {
    match motion {
        Motion::Up(n) => from.saturating_sub(n),
        Motion::Down(n) => from.saturating_add(n),
        Motion::Top => 0,
        Motion::Bottom => usize::MAX,
    }
}

/// One screenful of the list (or of the zoomed detail).
fn page_size(app: &App) -> usize {
    let screen = app.screen();
    let height = match app.view() {
        View::List | View::Browse => screen.rows.height,
        View::Ticket => screen.detail.height,
    };
    usize::from(height).max(1)
}

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) -> Outcome {
    app.list.keep_selection();
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
        MouseEventKind::Down(MouseButton::Left) if app.view() == View::Browse => {
            let rows = usize::from(screen.rows.height);
            match screen.row_at(mouse.column, mouse.row) {
                Some(row) => {
                    let position = app.browse.offset(rows) + row;
                    let cursor = app.browse.cursor();
                    let motion = if position >= cursor {
                        Motion::Down(position - cursor)
                    } else {
                        Motion::Up(cursor - position)
                    };
                    browse_motion(app, motion)
                }
                None => Outcome::default(),
            }
        }
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
