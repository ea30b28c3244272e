//! Keys and mouse: the router. A key press goes to the row of the key table (`keys`)
//! that takes it in the focus of the moment, and the row's intent to the feature that
//! has the focus; what a feature answers that reaches beyond it is done by `App`.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind,
};

use super::browse::Browsed;
use super::detail::Pane;
use super::keys::{Focus, Intent, Motion};
use super::{Action, App, Reaction, View};

/// Lines the detail scrolls per wheel notch.
const WHEEL_LINES: usize = 3;

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Reaction {
    if key.kind == KeyEventKind::Release {
        return Reaction::default();
    }
    // Whatever the key, the user is looking at the selection now: it no longer follows
    // the top row as tickets arrive.
    app.list.keep_selection();
    // The note about the last edit has been read once another key comes.
    let noted = app.watchlist.clear_note();
    let focus = app.focus();
    let routed = app.keymap.route(focus, &key, |only| app.holds(only));
    let Some(intent) = routed.map(|row| row.intent) else {
        return Reaction::redraw(noted);
    };
    let typed = match key.code {
        KeyCode::Char(c) => Some(c),
        _ => None,
    };
    let mut reaction = dispatch(app, focus, intent, typed);
    reaction.redraw |= noted;
    reaction
}

/// Carries out `intent` in `focus`: by the feature that has the focus, else (on a view)
/// by what every view shares.
fn dispatch(app: &mut App, focus: Focus, intent: Intent, typed: Option<char>) -> Reaction {
    let rows = page_size(app);
    let intent = match intent {
        Intent::Move(motion) => Intent::Move(motion.paged(rows)),
        other => other,
    };
    match (focus, intent) {
        (_, Intent::Quit) => {
            // A question left unanswered is declined: logged before the way out.
            let declined = app.leave().map(Action::Log).into_iter();
            Reaction {
                redraw: false,
                actions: declined.chain([Action::Quit]).collect(),
            }
        }
        (_, Intent::Suspend) => Reaction::action(Action::Suspend),
        (_, Intent::Redraw) => Reaction::redraw(true),
        (_, Intent::Command(index)) => app.on_command(index),
        (Focus::Help, _) => {
            app.help = false;
            Reaction::redraw(true)
        }
        (Focus::Notice | Focus::Menu | Focus::Confirm | Focus::Review, _) => {
            app.on_prompt(intent, typed)
        }
        (Focus::Output | Focus::OutputLine | Focus::OutputOverwrite, _) => {
            let view = app.output_viewport();
            match (intent, app.detail.on_output(intent, typed, view)) {
                (Intent::OpenHelp, _) => app.on_view_intent(intent),
                (_, reaction) => reaction,
            }
        }
        (Focus::AddLine | Focus::Remove, _) => app.on_watch_edit(intent, typed),
        // The arrows still move what is behind the line.
        (Focus::FilterLine, Intent::Move(_)) => dispatch(app, app.view_focus(), intent, None),
        (Focus::FilterLine, _) => {
            if app.filter.on_intent(intent, typed) == Some(true) {
                app.views.filter_changed(app.filter.text());
                app.refilter();
            }
            Reaction::redraw(true)
        }
        (Focus::Browse | Focus::BrowseFilterLine, _) => {
            match app.browse.on_intent(intent, typed, rows) {
                Browsed::Ignored => app.on_view_intent(intent),
                Browsed::Done(reaction) => reaction,
                Browsed::Moved(changed, reaction) => {
                    if changed {
                        app.detail.reset_scroll();
                    }
                    reaction
                }
                Browsed::Open => app.open_browsed(),
            }
        }
        (Focus::Ticket | Focus::Hosts, _) => {
            let lang = app.lang();
            let entry = app.detail.open_id().and_then(|id| app.tickets.get(id));
            match app.detail.on_intent(intent, entry, pane(app), lang) {
                Some(reaction) => reaction,
                None => app.on_view_intent(intent),
            }
        }
        (Focus::List, Intent::Open) => app.open_selected(),
        (Focus::List, _) => match app.on_list_intent(intent) {
            Some(reaction) => reaction,
            None => app.on_view_intent(intent),
        },
    }
}

/// Pasted text goes to the `a` line when it is open.
pub(super) fn on_paste(app: &mut App, text: &str) -> Reaction {
    if app.focus() != Focus::AddLine {
        return Reaction::default();
    }
    app.watchlist.type_text(text);
    Reaction::redraw(true)
}

/// One screenful of the list (or of the zoomed detail, or of the output pager).
fn page_size(app: &App) -> usize {
    if app.output().is_some() {
        return app.output_viewport().height.max(1);
    }
    let screen = app.screen();
    let height = match app.view() {
        View::List | View::Browse => screen.rows.height,
        View::Ticket => screen.detail.height,
    };
    usize::from(height).max(1)
}

/// The size of the detail's tab on screen: a page of rows, and its width.
fn pane(app: &App) -> Pane {
    Pane {
        rows: page_size(app),
        width: usize::from(app.screen().tab_width()),
    }
}

/// The mouse acts on the views only: a click or the wheel never answers a prompt nor
/// reaches behind one.
pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) -> Reaction {
    app.list.keep_selection();
    let focus = app.focus();
    if focus == Focus::Help {
        let click = matches!(mouse.kind, MouseEventKind::Down(_));
        app.help &= !click;
        return Reaction::redraw(click);
    }
    if focus != Focus::FilterLine && !focus.is_view() {
        return Reaction::default();
    }
    let view = app.view_focus();
    let screen = app.screen();
    let over_detail = screen.detail.contains((mouse.column, mouse.row).into());
    let motion = match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            let Some(row) = screen.row_at(mouse.column, mouse.row) else {
                return Reaction::default();
            };
            let rows = usize::from(screen.rows.height);
            let (position, cursor) = match view {
                Focus::Browse => (app.browse.offset(rows) + row, app.browse.cursor()),
                _ if app.list.offset(rows) + row >= app.list.len() => return Reaction::default(),
                _ => (app.list.offset(rows) + row, app.list.cursor()),
            };
            match position.checked_sub(cursor) {
                Some(down) => Motion::Down(down),
                None => Motion::Up(cursor - position),
            }
        }
        MouseEventKind::ScrollDown if over_detail => {
            return app.scroll_pane(Motion::Down(WHEEL_LINES), pane(app));
        }
        MouseEventKind::ScrollUp if over_detail => {
            return app.scroll_pane(Motion::Up(WHEEL_LINES), pane(app));
        }
        MouseEventKind::ScrollDown => Motion::Down(1),
        MouseEventKind::ScrollUp => Motion::Up(1),
        _ => return Reaction::default(),
    };
    dispatch(app, view, Intent::Move(motion), None)
}
