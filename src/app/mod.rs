//! Dashboard state and its update function. No I/O, no drawing.
//!
//! `update` is the only place state changes. It keeps the filtered, sorted order of the
//! tickets cached (so drawing touches only the visible rows) and decides whether the
//! screen needs a redraw, including on the 1 Hz clock (see `clock`).

mod clock;
mod input;
pub mod layout;
mod tickets;
mod view;

use std::collections::HashMap;
use std::time::SystemTime;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

use crate::coc::ApiError;
use crate::config::WatchEntry;
use crate::format::Zone;
use crate::watch::{Command, Update};

pub use clock::{HealthTexts, RowTimes};
pub use tickets::{Failure, StepsState, TicketEntry, Transition};
pub use view::{SortKey, StatusCount, Tab, View};

/// Everything that can change the dashboard's state.
#[derive(Debug, Clone)]
pub enum Message {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// The 1 Hz clock: displayed ages may move.
    Tick(SystemTime),
    Engine(Update),
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Engine(Command),
    Quit,
    /// Ctrl-Z: restore the terminal, stop, and come back.
    Suspend,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// State visible on screen changed: draw a frame.
    pub redraw: bool,
    pub actions: Vec<Action>,
}

impl Outcome {
    fn redraw(redraw: bool) -> Outcome {
        Outcome {
            redraw,
            actions: Vec::new(),
        }
    }

    fn action(action: Action) -> Outcome {
        Outcome {
            redraw: false,
            actions: vec![action],
        }
    }
}

/// How the dashboard starts.
#[derive(Debug, Clone)]
pub struct AppInit {
    /// Region id or endpoint URL, for the header.
    pub endpoint: String,
    pub watch: Vec<WatchEntry>,
    /// False when `NO_COLOR` is set.
    pub color: bool,
    pub now: SystemTime,
}

/// A ticket as the header's counts see it.
#[derive(Debug, Clone, PartialEq)]
struct Counted {
    status: Option<crate::coc::Status>,
    failing: bool,
}

/// The endpoint's health as the engine reported it.
#[derive(Debug, Clone, Default)]
pub struct Health {
    /// Nothing may be sent before this time (429 with `Retry-After`).
    pub throttled: Option<(SystemTime, ApiError)>,
    /// 401/403: the engine stopped polling.
    pub auth_failed: Option<Failure>,
    /// The most recent successful poll of any ticket.
    pub last_ok: Option<SystemTime>,
    /// Tickets whose last poll failed.
    pub failing: usize,
}

#[derive(Debug)]
pub struct App {
    pub init: AppInit,
    /// The time shown ages are measured from: moved by `Tick`, and forward by the time
    /// of engine updates so nothing polled a moment ago reads as in the future.
    pub now: SystemTime,
    /// The zone times are shown in (tests fix it for stable output).
    pub zone: Zone,
    /// The terminal size from the last `Resize`, for mouse hit-testing.
    pub size: Rect,
    tickets: Vec<TicketEntry>,
    by_id: HashMap<String, usize>,
    /// Indices into `tickets`: the filtered tickets in display order.
    order: Vec<usize>,
    counts: Vec<StatusCount>,
    health: Health,
    /// Position of the selection in `order`.
    cursor: usize,
    /// The selected ticket, so the selection follows it when the order changes.
    selected: Option<String>,
    /// The user picked the selection; until then it stays on the top row while
    /// tickets arrive and sort themselves.
    chosen: bool,
    /// First row of `order` shown in the list.
    list_offset: usize,
    sort: SortKey,
    filter: String,
    filter_lower: String,
    editing_filter: bool,
    view: View,
    tab: Tab,
    detail_scroll: usize,
    help: bool,
    clock_signature: u64,
}

impl App {
    pub fn new(init: AppInit) -> App {
        let mut app = App {
            now: init.now,
            zone: Zone::Local,
            size: Rect::default(),
            tickets: Vec::with_capacity(init.watch.len()),
            by_id: HashMap::with_capacity(init.watch.len()),
            order: Vec::new(),
            counts: Vec::new(),
            health: Health::default(),
            cursor: 0,
            selected: None,
            chosen: false,
            list_offset: 0,
            sort: SortKey::Urgency,
            filter: String::new(),
            filter_lower: String::new(),
            editing_filter: false,
            view: View::List,
            tab: Tab::Parameters,
            detail_scroll: 0,
            help: false,
            clock_signature: 0,
            init,
        };
        for entry in app.init.watch.clone() {
            app.insert_ticket(entry.id, entry.label);
        }
        app.rebuild_order();
        app.clock_signature = clock::signature(&app);
        app
    }

    /// Every watched ticket, in the order of the config.
    pub fn tickets(&self) -> &[TicketEntry] {
        &self.tickets
    }

    /// The tickets that pass the filter, in display order.
    pub fn visible_len(&self) -> usize {
        self.order.len()
    }

    /// The `position`-th ticket in display order.
    pub fn visible(&self, position: usize) -> Option<&TicketEntry> {
        self.order.get(position).map(|&i| &self.tickets[i])
    }

    pub fn ticket(&self, execution_id: &str) -> Option<&TicketEntry> {
        self.by_id.get(execution_id).map(|&i| &self.tickets[i])
    }

    /// The selected ticket; `None` when the filter shows nothing.
    pub fn selected(&self) -> Option<&TicketEntry> {
        self.selected_id().and_then(|id| self.ticket(id))
    }

    fn selected_id(&self) -> Option<&str> {
        // With nothing shown the selection is only remembered, for when the filter
        // lets its ticket back in.
        self.selected.as_deref().filter(|_| !self.order.is_empty())
    }

    /// Position of the selection in display order.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The first visible row when the list has `rows` rows: the stored scroll position,
    /// moved just enough to keep the selection in view.
    pub fn list_offset(&self, rows: usize) -> usize {
        layout::keep_visible(self.list_offset, self.cursor, rows, self.order.len())
    }

    /// Ticket counts per status, most urgent first (all tickets, filter ignored).
    pub fn counts(&self) -> &[StatusCount] {
        &self.counts
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    pub fn sort(&self) -> SortKey {
        self.sort
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The filter is being typed (keys go to it).
    pub fn editing_filter(&self) -> bool {
        self.editing_filter
    }

    pub fn view(&self) -> View {
        self.view
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// Lines scrolled in the detail tab's content.
    pub fn detail_scroll(&self) -> usize {
        self.detail_scroll
    }

    pub fn help_open(&self) -> bool {
        self.help
    }

    /// The screen regions for the last known terminal size.
    fn screen(&self) -> layout::Screen {
        layout::screen(self.size, self.view == View::Ticket)
    }

    /// The index of the ticket, added when unknown (`true`: it is new, not yet ordered).
    fn insert_ticket(&mut self, id: String, label: Option<String>) -> (usize, bool) {
        if let Some(&i) = self.by_id.get(&id) {
            return (i, false);
        }
        let i = self.tickets.len();
        self.by_id.insert(id.clone(), i);
        self.tickets.push(TicketEntry::new(id, label));
        view::add_count(&mut self.counts, None, 1);
        (i, true)
    }

    /// What of ticket `i` the header counts: taken before a change, so that the counts
    /// can be adjusted after it without going over every ticket.
    fn counted(&self, i: usize) -> Counted {
        let entry = &self.tickets[i];
        Counted {
            status: entry.status().cloned(),
            failing: entry.error.is_some(),
        }
    }

    /// Recomputes counts, health and the filtered order; then puts the cursor back on
    /// the selected ticket.
    fn rebuild_order(&mut self) {
        self.counts = view::count_statuses(&self.tickets);
        self.health.failing = self.tickets.iter().filter(|t| t.error.is_some()).count();
        self.health.last_ok = self.tickets.iter().filter_map(|t| t.last_ok).max();
        view::filtered_order(&self.tickets, &self.filter_lower, &mut self.order);
        view::sort_order(&self.tickets, self.sort, &mut self.order);
        self.follow_selection();
    }

    /// Ticket `i` changed from `before`; `moved` when its place in the order may have
    /// changed. Counts and health are adjusted, not recounted: at 10,000 tickets polled
    /// thousands of times a second a recount per update would be most of the work.
    fn ticket_changed(&mut self, i: usize, before: Counted, moved: bool) {
        let after = self.counted(i);
        if before.status != after.status {
            view::add_count(&mut self.counts, before.status.as_ref(), -1);
            view::add_count(&mut self.counts, after.status.as_ref(), 1);
        }
        match (before.failing, after.failing) {
            (false, true) => self.health.failing += 1,
            (true, false) => self.health.failing = self.health.failing.saturating_sub(1),
            _ => {}
        }
        self.health.last_ok = self.health.last_ok.max(self.tickets[i].last_ok);
        if moved {
            view::reposition(
                &self.tickets,
                &self.filter_lower,
                self.sort,
                &mut self.order,
                i,
            );
            self.follow_selection();
        }
    }

    /// After the order changed: keep the same ticket selected when it is still shown,
    /// else the row at the same position.
    fn follow_selection(&mut self) {
        let found = self
            .selected
            .as_deref()
            .filter(|_| self.chosen)
            .and_then(|id| self.order.iter().position(|&i| self.tickets[i].id == id));
        match found {
            Some(position) => self.cursor = position,
            None => self.select_position(self.cursor),
        }
        self.scroll_list_to_cursor();
    }

    fn select_position(&mut self, position: usize) {
        if self.order.is_empty() {
            self.cursor = 0;
        } else {
            self.cursor = position.min(self.order.len() - 1);
            self.selected = Some(self.tickets[self.order[self.cursor]].id.clone());
        }
        self.scroll_list_to_cursor();
    }

    fn scroll_list_to_cursor(&mut self) {
        let rows = usize::from(self.screen().rows.height);
        self.list_offset =
            layout::keep_visible(self.list_offset, self.cursor, rows, self.order.len());
    }

    /// The Steps tab is on screen for a ticket whose steps were never asked for.
    fn steps_to_fetch(&mut self) -> Option<String> {
        if self.tab != Tab::Steps {
            return None;
        }
        let i = *self.by_id.get(self.selected_id()?)?;
        let entry = &mut self.tickets[i];
        if matches!(entry.steps, StepsState::NotRequested) {
            entry.steps = StepsState::Loading;
            return Some(entry.id.clone());
        }
        None
    }
}

/// Applies one message; says whether to redraw and what the event loop must do.
pub fn update(app: &mut App, msg: Message) -> Outcome {
    let mut outcome = match msg {
        Message::Key(key) => input::on_key(app, key),
        Message::Mouse(mouse) => input::on_mouse(app, mouse),
        Message::Resize { width, height } => {
            app.size = Rect::new(0, 0, width, height);
            app.scroll_list_to_cursor();
            Outcome::redraw(true)
        }
        Message::Tick(now) => {
            app.now = now;
            Outcome::redraw(false) // decided by the clock signature below
        }
        Message::Engine(update) => {
            if let Some(at) = update.at() {
                app.now = app.now.max(at);
            }
            tickets::on_engine(app, update)
        }
    };
    if let Some(id) = app.steps_to_fetch() {
        outcome
            .actions
            .push(Action::Engine(Command::FetchSteps(id)));
        outcome.redraw = true;
    }
    let signature = clock::signature(app);
    if signature != app.clock_signature {
        app.clock_signature = signature;
        outcome.redraw = true;
    }
    outcome
}

#[cfg(test)]
mod tests;
