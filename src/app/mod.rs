//! Dashboard state and its update function. No I/O, no drawing.
//!
//! `update` is the only place state changes. The state has owners: the tickets
//! (`tickets`), the list with its selection (`list`), the filter (`filter`), the
//! ticket in the detail pane with its hosts (`detail`), the browse view (`browse`), the
//! prompts (`actions`), the ticket marked for a comparison (`compare`) and the
//! watch-list edit (`watchlist`); keys reach them through
//! one table (`keys`) and the router (`input`), engine updates through `on_engine`.
//! `update` also decides whether the screen needs a frame, from the state: what an
//! update changed; the 1 Hz clock always draws (the time texts on screen move with it).

mod actions;
mod alerts;
mod browse;
mod clock;
mod commands;
mod compare;
mod detail;
mod filter;
mod hosts;
mod input;
mod keys;
pub mod layout;
mod list;
mod output;
mod profiles;
mod reaction;
mod shared;
mod tickets;
mod view;
mod views;
mod watchlist;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;
use ratatui::style::Color;

use crate::cache::CachedTicket;
use crate::coc::{ApiError, JobTicket, Page, TicketKind, TicketRef};
use crate::config::WatchEntry;
use crate::custom::CustomCommand;
use crate::format::Zone;
use crate::i18n::{Lang, Msg};
use crate::notify::{Change, NotifyConfig, NotifyOn};
use crate::text;
use crate::watch::{Command, PageAt, Reply, TicketUpdate, Update};

pub use actions::{Choice, Prompt, UiSettings};
pub use browse::Browse;
pub use clock::{HealthTexts, RowTimes, is_stale};
pub use commands::{Run, RunEnded, check_command_keys, keymap_with};
pub use detail::{
    MAX_STEP_MESSAGE, Pane, Row, STEP_DETAIL_INDENT, TabRows, message_below, step_message_rows,
    tab_count,
};
pub use hosts::{HostRow, HostRows, HostsOf, HostsView};
pub use keys::{Binding, Conflict, Focus, Focuses, Hint, Intent, Key, Keymap, Motion, Only};
pub use output::{
    OutputLine, OutputNote, OutputView, Position, SaveResult, Viewport, row_starts, skip_columns,
};
pub use profiles::{ProfileLook, Profiles};
pub use reaction::{Action, LogLine, Reaction, WatchChange};
pub use tickets::{
    Failure, Fetched, Health, KeyWidths, OperationRecord, Origin, ProgressState, StatusCount,
    StepsState, TicketEntry, Transition, urgency,
};
pub use view::{SortKey, Tab, View};
pub use watchlist::{Note, WatchListEdit};

use alerts::Alerts;
use views::SavedViews;

use actions::Prompts;
use compare::Compare;
use detail::Detail;
use filter::Filter;
use list::{Keep, ListState};
use tickets::Tickets;

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
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// How saving a watch-list change to the config file went.
    Saved(Saved),
    /// How saving the IDs of the `a` line (or a pinned ticket) went: those not yet
    /// watched are watched once the file has them, or when there is no file.
    Added {
        entries: Vec<WatchEntry>,
        said: Saved,
    },
    /// The config file changed on disk: its new watch list and rules, or why it cannot
    /// be used (`FILE:LINE:COLUMN: ...`; the running config stays).
    ConfigReloaded(Result<Reloaded, String>),
    /// How saving an output to `path` went (`Action::SaveOutput`).
    OutputSaved {
        path: std::path::PathBuf,
        result: SaveResult,
    },
    /// What the cache remembers of the watched tickets, read after the first frame.
    /// Until it comes the engine polls none of the watched tickets: those it knows
    /// start from there (a finished one is never polled), the others are polled then.
    Remembered(Vec<CachedTicket>),
    /// A custom command ended (`name` as the pane titles it).
    CommandEnded {
        name: String,
        ended: RunEnded,
    },
}

/// How saving an edit of the config file went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved to this file (its path as shown).
    To(String),
    /// There is no file to save to (the demo).
    NoFile,
    /// Why it was not saved.
    Failed(String),
    /// The ticket to stop watching is not a `[[watch]]` of the file (a query found it,
    /// or it was pinned): the file is unchanged.
    NotInFile { id: String, path: String },
}

/// What the dashboard takes in from a config file changed while it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Reloaded {
    pub watch: Vec<WatchEntry>,
    pub notify: NotifyConfig,
    /// `[[command]]`, their keys checked (`check_command_keys`).
    pub commands: Vec<CustomCommand>,
}

/// How the dashboard starts.
#[derive(Debug, Clone)]
pub struct AppInit {
    /// Region id or endpoint URL, for the header.
    pub endpoint: String,
    /// The config file's `[[watch]]` entries (kept up to date by reloads).
    pub watch: Vec<WatchEntry>,
    /// False when `NO_COLOR` is set.
    pub color: bool,
    /// The language of every word on screen (`[ui] language`, else the locale).
    pub lang: Lang,
    pub now: SystemTime,
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
    tickets: Tickets,
    list: ListState,
    filter: Filter,
    detail: Detail,
    browse: Browse,
    prompt: Prompts,
    settings: UiSettings,
    keymap: Keymap,
    help: bool,
    alerts: Alerts,
    watchlist: WatchListEdit,
    compare: Compare,
    views: SavedViews,
    /// Why the config file changed on disk cannot be used (the running one stays).
    config_error: Option<String>,
    /// Moves whenever the tickets may have changed, so the cache is written only then.
    revision: u64,
    /// `now` as of the last update that asked for a frame: what the screen shows.
    drawn_at: SystemTime,
    /// The header's clock texts as of that frame.
    header_drawn: HealthTexts,
}

impl App {
    pub fn new(init: AppInit) -> App {
        let mut tickets = Tickets::with_capacity(init.watch.len());
        for entry in &init.watch {
            tickets.insert(entry.id.clone(), entry.label.clone());
        }
        let mut app = App {
            now: init.now,
            drawn_at: init.now,
            header_drawn: HealthTexts::default(),
            zone: Zone::Local,
            size: Rect::default(),
            tickets,
            list: ListState::default(),
            filter: Filter::default(),
            detail: Detail::default(),
            browse: Browse::default(),
            prompt: Prompts::new(init.lang),
            settings: UiSettings::default(),
            keymap: Keymap::default(),
            help: false,
            alerts: Alerts::default(),
            watchlist: WatchListEdit::new(init.lang),
            views: SavedViews::default(),
            compare: Compare::default(),
            config_error: None,
            revision: 0,
            init,
        };
        app.list.rebuild(app.tickets.all(), &app.filter, Keep::Held);
        app
    }

    /// Tickets of several profiles: each one's name is shown.
    pub fn with_profiles(mut self, profiles: Profiles) -> App {
        self.watchlist.set_profiles(profiles.names());
        self.tickets.set_profiles(profiles);
        self.list
            .rebuild(self.tickets.all(), &self.filter, Keep::Held);
        self
    }

    /// Which changes notify (`[notify] on`) and how long one poll cycle gathers them.
    pub fn with_notifications(mut self, on: NotifyOn, cycle: Duration) -> App {
        self.alerts = Alerts::new(on, cycle);
        self
    }

    /// The watched tickets of profile `profile`, whose data its cache may remember.
    pub fn watched_ids(&self, profile: &str) -> HashSet<TicketRef> {
        let profiles = self.tickets.profiles();
        self.tickets
            .all()
            .iter()
            .filter(|t| t.origin == Origin::Watched)
            .filter(|t| profiles.holds(profile, t.profile.as_deref()))
            .map(|t| t.id.clone())
            .collect()
    }

    /// The cache's answer: the watched tickets it knows start from there, and the
    /// engine is told of every watched ticket, in the order of the list: known (its data
    /// from the cache) or to poll.
    fn remembered(&mut self, cached: Vec<CachedTicket>) -> Reaction {
        let restored = self.tickets.restore_cached(cached);
        self.list
            .rebuild(self.tickets.all(), &self.filter, Keep::Held);
        self.scroll_list_to_cursor();
        let mut known: HashMap<TicketRef, Arc<JobTicket>> = restored
            .into_iter()
            .filter_map(|t| Some((t.reference().ok()?, t)))
            .collect();
        let actions = self
            .tickets
            .all()
            .iter()
            .filter(|t| t.origin == Origin::Watched)
            .map(|t| match known.remove(&t.id) {
                Some(ticket) => Command::AddKnown(t.id.clone(), ticket),
                None => Command::Add(t.id.clone()),
            })
            .map(Action::Engine)
            .collect();
        Reaction {
            redraw: true,
            actions,
        }
    }

    /// What to remember for the next run of profile `profile`: each of its tickets
    /// with data.
    pub fn to_cache(&self, profile: &str) -> Vec<CachedTicket> {
        self.tickets.to_cache(profile)
    }

    /// A number that moves whenever the tickets or the watch list may have changed.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Why the config file as changed on disk was not taken in.
    pub fn config_error(&self) -> Option<&str> {
        self.config_error.as_deref()
    }

    /// Takes in a config file changed on disk: the `[[watch]]` entries become the file's
    /// (labels included), and the notification rules. Only what came from the file
    /// changes: pinned tickets and those found by a query stay, History and all; an
    /// entry gone from the file that a query also found stays as the query's.
    fn reload(&mut self, mut reloaded: Reloaded) -> Reaction {
        self.config_error = None;
        self.alerts.set_rules(reloaded.notify.on.clone());
        if reloaded.commands != self.settings.commands {
            // A run already asked for keeps what it was asked with (`Run` is whole).
            self.keymap = commands::keymap_with(&reloaded.commands).unwrap_or_default();
            self.settings.commands = std::mem::take(&mut reloaded.commands);
        }
        // Its engines started with the dashboard: a profile new to the file has none.
        let profiles = self.tickets.profiles();
        let mut new_profiles: Vec<String> = Vec::new();
        for name in reloaded.watch.iter().filter_map(|w| w.profile.as_ref()) {
            if !profiles.runs(name) && !new_profiles.contains(name) {
                new_profiles.push(name.clone());
            }
        }
        if !new_profiles.is_empty() {
            let names = format!("\"{}\"", new_profiles.join("\", \""));
            let said = self.t(Msg::ProfileNotRunning(&names)).into_owned();
            self.watchlist.say(said, true);
            reloaded
                .watch
                .retain(|w| w.profile.as_ref().is_none_or(|p| !new_profiles.contains(p)));
        }
        let wanted: HashSet<&TicketRef> = reloaded.watch.iter().map(|w| &w.id).collect();
        let left_the_file: Vec<TicketRef> = self
            .init
            .watch
            .iter()
            .filter(|w| !wanted.contains(&w.id))
            .map(|w| w.id.clone())
            .collect();
        let mut actions = Vec::new();
        for id in left_the_file {
            let found_by_query = self.ticket(&id).is_some_and(|t| !t.queries.is_empty());
            if found_by_query {
                self.tickets.set_origin(&id, Origin::Query);
                if let Some(i) = self.tickets.relabel(&id, None) {
                    self.list.reposition(self.tickets.all(), &self.filter, i);
                }
            } else if self.unwatch(&id) {
                actions.push(Action::Engine(Command::Remove(id)));
            }
        }
        for entry in &reloaded.watch {
            if let Some(i) = self.tickets.relabel(&entry.id, entry.label.clone()) {
                self.list.reposition(self.tickets.all(), &self.filter, i);
            }
            // A query's or a browsed ticket the file now names is watched from now on.
            let held_otherwise = self
                .ticket(&entry.id)
                .is_some_and(|t| t.origin != Origin::Watched);
            if held_otherwise {
                if let Some(i) = self.tickets.set_origin(&entry.id, Origin::Watched) {
                    self.list.reposition(self.tickets.all(), &self.filter, i);
                }
                actions.push(Action::Engine(Command::Add(entry.id.clone())));
            }
        }
        let added = self.watch(&reloaded.watch);
        actions.extend(self.polled(added));
        actions.push(Action::Renotify(reloaded.notify));
        // What came from the file, for the next reload to compare with.
        self.init.watch = reloaded.watch;
        Reaction {
            redraw: true,
            actions,
        }
    }

    /// The ticket `=` marked for a comparison.
    pub fn marked(&self) -> Option<&TicketRef> {
        self.compare.marked()
    }

    /// The comparison `=` asked for, once both tickets have their steps: a notice.
    fn compare_when_ready(&mut self) -> bool {
        let tickets = &self.tickets;
        match self.compare.ready(self.lang(), |id| tickets.get(id)) {
            Some((title, lines)) => {
                self.prompt.notice(title, lines);
                true
            }
            None => false,
        }
    }

    /// Tickets that failed or timed out since the user last pressed `n`.
    pub fn unseen_failures(&self) -> &[TicketRef] {
        self.alerts.unseen()
    }

    /// The watch-list input line, confirmation and last note.
    pub fn watch_edit(&self) -> &WatchListEdit {
        &self.watchlist
    }

    /// With the dashboard settings of the command line and `[ui]`.
    pub fn with_settings(mut self, settings: UiSettings) -> App {
        // The keys were checked with the config (`check_command_keys`).
        self.keymap = commands::keymap_with(&settings.commands).unwrap_or_default();
        self.views = SavedViews::new(settings.views.clone());
        self.settings = settings;
        self
    }

    /// The name of the saved view in force (`v`), if one is.
    pub fn saved_view(&self) -> Option<&str> {
        self.views.active()
    }

    pub fn settings(&self) -> &UiSettings {
        &self.settings
    }

    /// The palette's accent: that of the shown ticket's profile, else `[ui]`'s.
    pub fn accent(&self) -> Option<Color> {
        self.shown()
            .and_then(|entry| self.tickets.profiles().look(entry.profile_name()))
            .and_then(|look| look.accent)
            .or(self.settings.accent)
    }

    /// `{region}` of a ticket: its profile's region, else the dashboard's.
    fn region_of(&self, entry: &TicketEntry) -> String {
        self.tickets
            .profiles()
            .look(entry.profile_name())
            .and_then(|look| look.region.clone())
            .or_else(|| self.settings.region.clone())
            .unwrap_or_default()
    }

    /// The box over the screen that takes the keys (actions menu, confirmation,
    /// notice), if one is open.
    pub fn prompt(&self) -> Option<&Prompt> {
        self.prompt.current()
    }

    /// The hosts view of the open ticket, when a step's hosts are shown.
    pub fn hosts(&self) -> Option<&HostsView> {
        self.detail.hosts()
    }

    /// The output pager, when a host's output is shown.
    pub fn output(&self) -> Option<&OutputView> {
        self.detail.output()
    }

    /// Where the pager draws its text on the screen of the last known size.
    fn output_viewport(&self) -> Viewport {
        let area = layout::output_text(self.screen().detail);
        Viewport {
            width: usize::from(area.width),
            height: usize::from(area.height),
        }
    }

    /// Notices waiting behind the prompt or the line that has the keys.
    pub fn notices_waiting(&self) -> usize {
        self.prompt.waiting()
    }

    /// The key table: what routes keys, and what the footer and the help list.
    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    /// Who takes the keys now.
    pub fn focus(&self) -> Focus {
        if self.help {
            return Focus::Help;
        }
        match self.prompt.current() {
            Some(Prompt::Notice { .. }) => return Focus::Notice,
            Some(Prompt::Menu { .. }) => return Focus::Menu,
            Some(
                Prompt::Confirm { .. } | Prompt::ConfirmRunAgain { .. } | Prompt::RunConfirm(_),
            ) => return Focus::Confirm,
            Some(Prompt::Review { .. }) => return Focus::Review,
            None => {}
        }
        if self.watchlist.input().is_some() {
            Focus::AddLine
        } else if self.watchlist.removing().is_some() {
            Focus::Remove
        } else if self.filter.editing() {
            Focus::FilterLine
        } else if self.view() == View::Browse && self.browse.editing() {
            Focus::BrowseFilterLine
        } else {
            self.view_focus()
        }
    }

    /// The focus of the view under whatever is over it.
    fn view_focus(&self) -> Focus {
        match self.view() {
            View::List => Focus::List,
            View::Browse => Focus::Browse,
            View::Ticket if self.output().is_some() => {
                match self.output().and_then(|o| o.input()) {
                    Some(OutputLine::Overwrite(_)) => Focus::OutputOverwrite,
                    Some(_) => Focus::OutputLine,
                    None => Focus::Output,
                }
            }
            View::Ticket if self.hosts().is_some() => Focus::Hosts,
            View::Ticket => Focus::Ticket,
        }
    }

    /// Whether a row's guard holds now.
    pub fn holds(&self, only: Only) -> bool {
        match only {
            Only::Always => true,
            Only::Filtered => !self.filter.is_empty(),
            Only::DetailsTab => self.tab().is_details(),
            Only::TabAt(n) => {
                let kind = self
                    .shown_id()
                    .map_or(TicketKind::Execution, TicketRef::kind);
                n < Tab::of(kind).len()
            }
            Only::YesAnswer | Only::TypedAnswer => match self.prompt.current() {
                Some(Prompt::Confirm { operation, .. }) => {
                    crate::operate::typed_word(*operation).is_some() == (only == Only::TypedAnswer)
                }
                Some(Prompt::RunConfirm(_) | Prompt::ConfirmRunAgain { .. }) => {
                    only == Only::YesAnswer
                }
                _ => false,
            },
        }
    }

    /// The oldest waiting notice opens once the keys are free: never over a question
    /// being answered or a line being typed.
    fn show_waiting_notice(&mut self) -> bool {
        self.focus().is_view() && self.prompt.show_waiting()
    }

    /// The language of every word on screen.
    pub fn lang(&self) -> Lang {
        self.init.lang
    }

    /// `msg` in the dashboard's language.
    pub fn t<'a>(&self, msg: Msg<'a>) -> std::borrow::Cow<'a, str> {
        self.init.lang.t(msg)
    }

    /// The browser could not be started: show the URL instead.
    pub fn open_failed(&mut self, url: &str, why: &str) {
        let lines = vec![
            self.t(Msg::NoBrowser(&text::sanitize(why))).into_owned(),
            self.t(Msg::TicketInConsole).into_owned(),
            url.to_string(),
        ];
        self.prompt.notice(self.t(Msg::ConsoleTitle), lines);
        self.show_waiting_notice();
    }

    /// Tickets of several profiles are shown: the PROFILE column, counts per profile.
    pub fn profiles_shown(&self) -> bool {
        self.tickets.profiles().shown()
    }

    /// Tickets per profile, in the config's order (empty with fewer than two).
    pub fn profile_counts(&self) -> Vec<(std::sync::Arc<str>, usize)> {
        self.tickets.profile_counts()
    }

    /// Every watched ticket, in the order of the config.
    pub fn tickets(&self) -> &[TicketEntry] {
        self.tickets.all()
    }

    pub fn ticket(&self, id: &TicketRef) -> Option<&TicketEntry> {
        self.tickets.get(id)
    }

    /// The tickets that pass the filter, in display order.
    pub fn visible_len(&self) -> usize {
        self.list.len()
    }

    /// The `position`-th ticket in display order.
    pub fn visible(&self, position: usize) -> Option<&TicketEntry> {
        self.list.at(position).map(|i| &self.tickets.all()[i])
    }

    /// The selected ticket in the list; `None` when the filter shows nothing.
    pub fn selected(&self) -> Option<&TicketEntry> {
        self.list.selected_id().and_then(|id| self.ticket(id))
    }

    /// The ticket the detail pane shows: the open one when a ticket is open, else the
    /// selection (of the browse view while it is open).
    pub fn shown(&self) -> Option<&TicketEntry> {
        match self.detail.open_id() {
            Some(id) => self.ticket(id),
            None if self.browse.is_open() => self.browse.selected(),
            None => self.selected(),
        }
    }

    fn shown_id(&self) -> Option<&TicketRef> {
        match self.detail.open_id() {
            Some(id) => Some(id),
            None if self.browse.is_open() => self.browse.selected().map(|e| &e.id),
            None => self.list.selected_id(),
        }
    }

    /// The browse view's state (rows, filter, paging).
    pub fn browse(&self) -> &Browse {
        &self.browse
    }

    /// Position of the selection in display order.
    pub fn cursor(&self) -> usize {
        self.list.cursor()
    }

    /// The first visible row when the list has `rows` rows.
    pub fn list_offset(&self, rows: usize) -> usize {
        self.list.offset(rows)
    }

    /// Ticket counts per status, most urgent first (all tickets, filter ignored).
    pub fn counts(&self) -> &[StatusCount] {
        self.tickets.counts()
    }

    /// Tickets of `kind` (all, filter ignored).
    pub fn kind_count(&self, kind: crate::coc::TicketKind) -> usize {
        self.tickets.kind_count(kind)
    }

    pub fn health(&self) -> &Health {
        self.tickets.health()
    }

    /// Tickets per `[[query]]` name, for the header.
    pub fn query_counts(&self) -> &[(String, usize)] {
        self.tickets.query_counts()
    }

    pub fn sort(&self) -> SortKey {
        self.list.sort()
    }

    pub fn filter(&self) -> &str {
        self.filter.text()
    }

    /// Why a word of the list's filter cannot be used (it then shows nothing).
    pub fn filter_invalid(&self) -> Option<&str> {
        self.filter.invalid()
    }

    /// The filter is being typed (keys go to it).
    pub fn editing_filter(&self) -> bool {
        self.filter.editing()
    }

    pub fn view(&self) -> View {
        if self.detail.open_id().is_some() {
            View::Ticket
        } else if self.browse.is_open() {
            View::Browse
        } else {
            View::List
        }
    }

    /// The tab shown: the one chosen, as the shown ticket's kind has it.
    pub fn tab(&self) -> Tab {
        let kind = self
            .shown_id()
            .map_or(TicketKind::Execution, TicketRef::kind);
        self.detail.tab(kind)
    }

    /// Rows scrolled in the detail tab's content.
    pub fn detail_scroll(&self) -> usize {
        self.detail.scroll()
    }

    pub fn help_open(&self) -> bool {
        self.help
    }

    /// Counts and failing tickets from scratch, beside the adjusted ones (for tests).
    pub fn recount(&self) -> (Vec<StatusCount>, usize) {
        self.tickets.recount()
    }

    /// The screen regions for the last known terminal size.
    fn screen(&self) -> layout::Screen {
        layout::screen(self.size, self.view() == View::Ticket)
    }

    fn list_rows(&self) -> usize {
        usize::from(self.screen().rows.height)
    }

    fn scroll_list_to_cursor(&mut self) {
        let rows = self.list_rows();
        self.list.scroll_to_cursor(rows);
    }

    /// The filter text changed: the list shows what it matches now.
    fn refilter(&mut self) {
        // An open ticket stays the list's selection while the filter changes under it.
        let keep = if self.view() == View::Ticket {
            Keep::Held
        } else {
            Keep::Matches
        };
        self.list.rebuild(self.tickets.all(), &self.filter, keep);
        self.scroll_list_to_cursor();
    }

    /// Starts watching the entries not watched yet; returns the IDs that are new.
    fn watch(&mut self, entries: &[WatchEntry]) -> Vec<TicketRef> {
        let mut added = Vec::new();
        for entry in entries {
            let (_, new) = self.tickets.insert_watched(entry);
            if new {
                added.push(entry.id.clone());
            }
        }
        // One sort for all of them: placing each in turn costs the list's length each
        // (100,000 pasted IDs froze the screen for seconds).
        if !added.is_empty() {
            self.list
                .rebuild(self.tickets.all(), &self.filter, Keep::Held);
        }
        self.scroll_list_to_cursor();
        added
    }

    /// The engine's commands that start polling the newly watched `ids`, each through
    /// its own profile's engine when there are several.
    fn polled(&self, ids: Vec<TicketRef>) -> Vec<Action> {
        let mut actions = Vec::new();
        for id in ids {
            let profile = self.ticket(&id).and_then(|t| t.profile.clone());
            if let Some(profile) = profile.filter(|_| self.tickets.profiles().shown()) {
                let id = id.clone();
                actions.push(Action::Engine(Command::Belongs { id, profile }));
            }
            actions.push(Action::Engine(Command::Add(id)));
        }
        actions
    }

    /// Profile `name` (`None`: the first) as a `[[watch]]` names it in the file.
    fn written_profile(&self, name: Option<&str>) -> Option<String> {
        let profiles = self.tickets.profiles();
        profiles
            .named(name)
            .and_then(|profile| profiles.written(&profile))
    }

    /// Stops watching `id`: out of the list, the detail and the unseen failures.
    fn unwatch(&mut self, id: &TicketRef) -> bool {
        if !self.tickets.remove(id) {
            return false;
        }
        self.alerts.forget(id);
        if self.detail.open_id() == Some(id) {
            self.detail.close();
        }
        self.list
            .rebuild(self.tickets.all(), &self.filter, Keep::Held);
        self.scroll_list_to_cursor();
        true
    }

    /// Engine news: whether anything on screen changed, and what follows from it. Each
    /// kind of update has one owner: ticket news the tickets, replies whoever asked,
    /// health the header.
    fn on_engine(&mut self, update: Update) -> Reaction {
        if let Some(at) = update.at() {
            self.now = self.now.max(at);
        }
        match update {
            Update::Ticket(news) => Reaction::redraw(self.on_ticket_news(news)),
            Update::Reply(reply) => self.on_reply(reply),
            Update::Health(health) => {
                self.tickets.health_changed(health);
                Reaction::redraw(self.header_changed())
            }
        }
    }

    /// The header would read differently from the last frame's.
    fn header_changed(&self) -> bool {
        HealthTexts::of(self.lang(), self.tickets.health(), self.now) != self.header_drawn
    }

    fn on_reply(&mut self, reply: Reply) -> Reaction {
        let shown = match reply {
            Reply::Steps { id, result, at } => {
                let shown = self
                    .tickets
                    .steps_arrived(&id, result, at)
                    .is_some_and(|i| self.is_shown(i));
                shown | self.compare_when_ready()
            }
            Reply::Progress { id, result, at } => self
                .tickets
                .progress_arrived(&id, result, at)
                .is_some_and(|i| self.is_shown(i)),
            Reply::BrowsePage {
                generation,
                kind,
                page,
                result,
                at,
            } => self.browse.on_page(generation, kind, page, result, at) && self.browse.is_open(),
            Reply::Instances {
                id,
                step_id,
                page,
                result,
                at,
            } => self.hosts_page_arrived(
                &id,
                |of| matches!(of, HostsOf::Step { step_id: s, .. } if *s == step_id),
                page,
                result,
                at,
            ),
            Reply::BatchHosts {
                id,
                batch_index,
                page,
                result,
                at,
            } => self.hosts_page_arrived(
                &id,
                |of| *of == HostsOf::Batch { index: batch_index },
                page,
                result,
                at,
            ),
            Reply::Operated {
                id,
                operation,
                result,
                ..
            } => {
                if let Err(error) = &result {
                    let lang = self.lang();
                    let op = lang.t(Msg::from(operation));
                    let title = if crate::operate::outcome_unknown(error) {
                        lang.t(Msg::OutcomeUnknownTitle(&op)).into_owned()
                    } else {
                        lang.t(Msg::RefusedTitle(&op)).into_owned()
                    };
                    self.prompt
                        .notice(title, actions::refusal_lines(lang, &id, error));
                }
                let refused = result.is_err();
                let i = self.tickets.operated(&id, operation, result);
                refused || i.is_some_and(|i| self.is_shown(i))
            }
            Reply::Started {
                from, run, result, ..
            } => return self.started(&from, &run, result),
        };
        Reaction::redraw(shown)
    }

    /// A page of hosts arrived for ticket `id`'s step or batch that `whose` picks: it
    /// goes to the hosts view when that view is open on them. Says whether it applied.
    fn hosts_page_arrived<H: HostRow>(
        &mut self,
        id: &TicketRef,
        whose: impl Fn(&HostsOf) -> bool,
        page: PageAt,
        result: Result<Page<H>, ApiError>,
        at: SystemTime,
    ) -> bool {
        self.detail
            .hosts_mut()
            .filter(|h| h.id() == id && whose(h.of()))
            .is_some_and(|view| view.page_arrived(page, result, at))
    }

    /// Ticket `i` is the one the detail pane shows.
    fn is_shown(&self, i: usize) -> bool {
        self.shown_id() == Some(&self.tickets.all()[i].id)
    }

    fn on_ticket_news(&mut self, news: TicketUpdate) -> bool {
        if let TicketUpdate::Left {
            id, dropped: true, ..
        } = &news
            && self.shown_id() != Some(id)
        {
            // Out of its query's window and tracked by nobody: it goes, unless the user
            // is looking at it.
            let removed = self.tickets.remove(id);
            self.refilter();
            return removed;
        }
        let change = match &news {
            TicketUpdate::Transition { id, from, to, at } => Some(Change {
                id: id.clone(),
                name: String::new(),
                from: from.clone(),
                to: to.clone(),
                at: *at,
            }),
            _ => None,
        };
        // A row's stale marker as the screen shows it: a poll can change it without
        // changing any data.
        let polled = match &news {
            TicketUpdate::Snapshot { id, .. } | TicketUpdate::Error { id, .. } => {
                self.tickets.index(id)
            }
            _ => None,
        };
        let stale_on_screen = polled.map(|i| is_stale(&self.tickets.all()[i], self.drawn_at));
        let mut applied = self.tickets.apply(news);
        // The header's texts against the last frame's, at one clock: a poll that only
        // moved "polled" within the same second changes nothing on screen.
        applied.header |= self.header_changed();
        if let (Some(i), Some(was)) = (polled, stale_on_screen) {
            applied.row |= is_stale(&self.tickets.all()[i], self.now) != was;
        }
        let unseen_changed = change.is_some_and(|mut change| {
            change.name = self
                .tickets
                .get(&change.id)
                .map(|t| t.name().to_string())
                .unwrap_or_default();
            self.alerts.observe(change)
        });
        let Some(i) = applied.index else {
            return applied.header || unseen_changed;
        };
        if applied.moved {
            self.list.reposition(self.tickets.all(), &self.filter, i);
            self.scroll_list_to_cursor();
        }
        applied.header
            || applied.moved
            || self.is_shown(i)
            || unseen_changed
            || (applied.row && self.on_screen(i))
    }

    /// Ticket `i` has a row in the part of the list on screen.
    fn on_screen(&self, i: usize) -> bool {
        if self.view() != View::List {
            return false;
        }
        let rows = self.list_rows();
        let offset = self.list.offset(rows);
        (offset..(offset + rows).min(self.list.len())).any(|p| self.list.at(p) == Some(i))
    }

    /// The Steps or Batches tab is on screen for a ticket whose details were never
    /// asked for.
    fn details_to_fetch(&mut self) -> Option<TicketRef> {
        if !self.tab().is_details() {
            return None;
        }
        let id = self.shown_id()?.clone();
        self.tickets.want_details(&id, false).then_some(id)
    }

    /// The page the open hosts view needs now: more rows near the end of what is
    /// loaded, or a page asked again smaller.
    fn hosts_to_fetch(&mut self) -> Option<Command> {
        let rows = usize::from(self.screen().rows.height);
        self.detail.hosts_mut()?.fetch(rows)
    }
}

/// Applies one message; says whether to redraw and what the event loop must do.
pub fn update(app: &mut App, msg: Message) -> Reaction {
    // Keys too: `a`, `d`, and the engine's answers to `r`.
    if matches!(
        msg,
        Message::Engine(_) | Message::Key(_) | Message::ConfigReloaded(Ok(_))
    ) {
        app.revision = app.revision.wrapping_add(1);
    }
    let mut reaction = match msg {
        Message::Key(key) => input::on_key(app, key),
        Message::Mouse(mouse) => input::on_mouse(app, mouse),
        Message::Resize { width, height } => {
            app.size = Rect::new(0, 0, width, height);
            app.scroll_list_to_cursor();
            Reaction::redraw(true)
        }
        Message::Tick(now) => {
            app.now = now;
            // Ages, run times and countdowns move with the clock: every tick draws, which
            // costs an idle dashboard next to nothing (README, "Performance").
            let mut reaction = Reaction::redraw(true);
            if let Some(notification) = app.alerts.take_due(now) {
                reaction.actions.push(Action::Notify(notification));
            }
            reaction
        }
        Message::Engine(update) => app.on_engine(update),
        Message::Paste(text) => input::on_paste(app, &text),
        Message::ConfigReloaded(Ok(reloaded)) => app.reload(reloaded),
        Message::ConfigReloaded(Err(why)) => {
            app.config_error = Some(why);
            Reaction::redraw(true)
        }
        Message::OutputSaved { path, result } => {
            Reaction::redraw(app.detail.output_saved(path, result))
        }
        Message::Remembered(cached) => app.remembered(cached),
        Message::CommandEnded { name, ended } => app.command_ended(&name, ended),
        Message::Saved(saved) => {
            app.say_saved(&saved);
            Reaction::redraw(true)
        }
        Message::Added { entries, said } => app.added(entries, said),
    };
    if app.browse.is_open() {
        let rows = app.list_rows();
        if let Some(command) = app.browse.more(rows) {
            reaction.actions.push(Action::Engine(command));
        }
    }
    if let Some(id) = app.details_to_fetch() {
        reaction
            .actions
            .push(Action::Engine(Command::FetchDetails(id)));
        reaction.redraw = true;
    }
    if let Some(command) = app.hosts_to_fetch() {
        reaction.actions.push(Action::Engine(command));
        reaction.redraw = true;
    }
    reaction.redraw |= app.show_waiting_notice();
    if reaction.redraw {
        app.drawn_at = app.now;
        app.header_drawn = HealthTexts::of(app.lang(), app.tickets.health(), app.now);
    }
    reaction
}

#[cfg(test)]
mod tests;
