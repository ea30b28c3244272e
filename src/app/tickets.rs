//! What the dashboard knows about each ticket, and how engine updates change it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use unicode_width::UnicodeWidthStr;

use crate::cache::{self, CachedTicket, CachedTransition};
use crate::coc::{
    ApiError, JobOperation, JobStatus, JobTicket, KeyValue, ScriptStatus, Status, Step, TicketKind,
    TicketRef,
};
use crate::config::{IMPLICIT_PROFILE, WatchEntry};
use crate::text;
use crate::watch::{HealthUpdate, ScriptProgress, TicketUpdate};

use super::profiles::Profiles;

/// History is for reading, not an audit log: the oldest transitions go first.
const HISTORY_LIMIT: usize = 200;
/// Keys of `key  value` rows are padded to their longest, up to this many columns.
const KEY_WIDTH_MAX: usize = 24;

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: ApiError,
    pub at: SystemTime,
}

/// A status change the engine saw (`from` is `None` on first sight).
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: Option<JobStatus>,
    pub to: JobStatus,
    pub at: SystemTime,
}

/// An operation sent from the dashboard, for the History tab.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationRecord {
    pub operation: JobOperation,
    pub sent: SystemTime,
    /// `None` until the server answers.
    pub result: Option<Result<(), ApiError>>,
}

/// A tab's data fetched on demand: an execution's steps, a script ticket's progress.
/// Boxed: every ticket has one, only the tickets opened hold anything in it.
#[derive(Debug, Clone, Default)]
pub enum Fetched<T> {
    #[default]
    NotRequested,
    Loading,
    Loaded {
        data: Box<T>,
        at: SystemTime,
    },
    Failed(Box<Failure>),
}

impl<T> Fetched<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Fetched::Loaded { data, .. } => Some(data),
            _ => None,
        }
    }

    /// Marks it loading when it must be fetched (never asked for yet, or `again`
    /// after anything); says whether it must.
    fn want(&mut self, again: bool) -> bool {
        let fetch = match self {
            Fetched::NotRequested => true,
            Fetched::Failed(_) | Fetched::Loading | Fetched::Loaded { .. } => again,
        };
        if fetch && !matches!(self, Fetched::Loaded { .. }) {
            *self = Fetched::Loading;
        }
        fetch
    }

    fn arrived(&mut self, result: Result<T, ApiError>, at: SystemTime) {
        *self = match result {
            Ok(data) => Fetched::Loaded {
                data: Box::new(data),
                at,
            },
            Err(error) => Fetched::Failed(Box::new(Failure { error, at })),
        };
    }
}

/// The Steps tab's data (executions).
pub type StepsState = Fetched<Vec<Step>>;
/// The Batches tab's data (script tickets).
pub type ProgressState = Fetched<ScriptProgress>;

/// The display width of the keys of each key-value list, measured once per data change
/// so that scrolling a long list never measures all of it (at most `KEY_WIDTH_MAX`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyWidths {
    pub parameters: u8,
    pub tags: u8,
    pub sys_tags: u8,
}

impl KeyWidths {
    fn of(ticket: &JobTicket) -> KeyWidths {
        fn widest<'a>(keys: impl Iterator<Item = &'a str>) -> u8 {
            let widest = keys.map(|key| text::sanitize(key).width()).max();
            widest.unwrap_or(0).min(KEY_WIDTH_MAX) as u8
        }
        let keys = |pairs: &[KeyValue]| widest(pairs.iter().map(|kv| &*kv.key));
        match ticket {
            JobTicket::Execution(t) => KeyWidths {
                parameters: keys(&t.parameters),
                tags: keys(&t.tags),
                sys_tags: keys(&t.sys_tags),
            },
            JobTicket::Script(t) => KeyWidths {
                parameters: widest(t.script_params().iter().map(|p| p.param_name.as_str())),
                tags: 0,
                sys_tags: 0,
            },
        }
    }
}

/// Why the dashboard holds a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Named by the config, or pinned from the browse view.
    Watched,
    /// Found by a `[[query]]` (its names are in `queries`).
    Query,
    /// Opened from the browse view and not pinned: shown while open, not listed.
    Browsed,
}

#[derive(Debug, Clone)]
pub struct TicketEntry {
    /// Which ticket, of which kind: its identity everywhere in the dashboard.
    pub id: TicketRef,
    /// The config's label.
    pub label: Option<String>,
    pub origin: Origin,
    /// The queries that found it, in the order they did.
    pub queries: Vec<String>,
    /// The last good data; `None` until the first successful poll.
    pub ticket: Option<Arc<JobTicket>>,
    /// When the last successful poll happened.
    pub last_ok: Option<SystemTime>,
    /// The last poll's failure; cleared by the next success. (Boxed: rare, and every
    /// ticket has the field.)
    pub error: Option<Box<Failure>>,
    pub history: Vec<Transition>,
    /// Operations sent from here, oldest first.
    pub operations: Vec<OperationRecord>,
    /// An execution's steps (Steps tab).
    pub steps: StepsState,
    /// A script ticket's statistics and batches (Batches tab).
    pub progress: ProgressState,
    pub key_widths: KeyWidths,
    /// The data is from the cache of an earlier run: no poll has confirmed it yet.
    pub cached: bool,
    /// Lowercase display name (for sorting by name), then ID, the job or script name
    /// when a label is the display name, status, creator and kind, for the filter.
    search: String,
    /// Where the display name ends in `search`.
    sort_name_len: u32,
    /// Its profile's name, when the dashboard shows several.
    pub profile: Option<Arc<str>>,
}

impl TicketEntry {
    pub fn new(id: TicketRef, label: Option<String>) -> TicketEntry {
        let mut entry = TicketEntry {
            id,
            label,
            origin: Origin::Watched,
            queries: Vec::new(),
            ticket: None,
            last_ok: None,
            error: None,
            history: Vec::new(),
            operations: Vec::new(),
            steps: StepsState::NotRequested,
            progress: ProgressState::NotRequested,
            key_widths: KeyWidths::default(),
            cached: false,
            search: String::new(),
            sort_name_len: 0,
            profile: None,
        };
        entry.reindex();
        entry
    }

    /// The status as the server sent it; `None` while loading.
    pub fn status(&self) -> Option<JobStatus> {
        self.ticket.as_ref()?.status()
    }

    pub fn kind(&self) -> TicketKind {
        self.id.kind()
    }

    /// The label from the config, else the job or script name (unsanitised: draw via
    /// `text`).
    pub fn name(&self) -> &str {
        self.label
            .as_deref()
            .or_else(|| self.ticket.as_ref()?.name())
            .unwrap_or("")
    }

    /// Nothing fetched yet and no error to show instead.
    pub fn is_loading(&self) -> bool {
        self.ticket.is_none() && self.error.is_none()
    }

    pub fn is_active(&self) -> bool {
        self.ticket.as_ref().is_some_and(|t| !t.is_terminal())
    }

    /// Shown in the ticket list (a browsed ticket is shown only while open).
    pub fn is_listed(&self) -> bool {
        self.origin != Origin::Browsed
    }

    /// A ticket read from a list page at `at`, for the browse view's rows (its ID as
    /// the server sent it: shown escaped and never fetched when it breaks the rule).
    pub fn listed_from(ticket: JobTicket, at: SystemTime) -> TicketEntry {
        let id = TicketRef::listed(ticket.kind(), ticket.id());
        let mut entry = TicketEntry::new(id, None);
        entry.origin = Origin::Browsed;
        entry.set_ticket(Arc::new(ticket));
        entry.last_ok = Some(at);
        entry
    }

    /// Its profile's name: the config's one profile's when the dashboard names none.
    pub fn profile_name(&self) -> &str {
        self.profile.as_deref().unwrap_or(IMPLICIT_PROFILE)
    }

    fn set_profile(&mut self, profile: Option<Arc<str>>) {
        self.profile = profile;
        self.reindex();
    }

    /// What the filter looks in (lowercase, as the screen shows it).
    pub(super) fn search(&self) -> &str {
        &self.search
    }

    /// The display name, lowercase as shown, for sorting by name.
    pub(super) fn sort_name(&self) -> &str {
        &self.search[..self.sort_name_len as usize]
    }

    fn reindex(&mut self) {
        let ticket = self.ticket.as_deref();
        let status = ticket.and_then(JobTicket::status);
        let id = self.id.to_string();
        let labelled_job = match &self.label {
            Some(_) => ticket.and_then(JobTicket::name),
            None => None,
        };
        let fields = [
            self.name(),
            id.as_str(),
            labelled_job.unwrap_or(""),
            status.as_ref().map_or("loading", JobStatus::as_str),
            ticket.and_then(JobTicket::creator).unwrap_or(""),
            // `kind=script` finds the script tickets.
            &format!("kind={}", self.id.kind()),
        ];
        let mut search = String::new();
        let mut sort_name_len = 0;
        for (i, field) in fields.into_iter().enumerate() {
            // What the filter sees is what the screen shows.
            search.push_str(&text::sanitize(field).to_lowercase());
            if i == 0 {
                sort_name_len = search.len();
            }
            search.push('\0');
        }
        search.shrink_to_fit();
        self.search = search;
        self.sort_name_len = u32::try_from(sort_name_len).unwrap_or(0);
    }

    /// Replaces the data; says whether it differs on screen from what was there.
    fn set_ticket(&mut self, ticket: Arc<JobTicket>) -> DataChange {
        let change = match &self.ticket {
            None => DataChange::Moved,
            Some(old) if Arc::ptr_eq(old, &ticket) || old.same_on_screen(&ticket) => {
                DataChange::Same
            }
            Some(old)
                if old.status() != ticket.status()
                    || old.start_time() != ticket.start_time()
                    || old.name() != ticket.name()
                    || old.creator() != ticket.creator() =>
            {
                DataChange::Moved
            }
            Some(_) => DataChange::InPlace,
        };
        if change != DataChange::Same {
            self.key_widths = KeyWidths::of(&ticket);
        }
        // Even when nothing changed: the copy to hold is the one the engine holds (it
        // sends an unchanged ticket as the copy it sent before), never a second one.
        self.ticket = Some(ticket);
        if change == DataChange::Moved {
            self.reindex();
        }
        change
    }
}

/// How new data compares with the old.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataChange {
    Same,
    /// Changed, but nothing the order or the filter depends on.
    InPlace,
    /// Status, start, name or creator changed: the ticket may move in the list.
    Moved,
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
    /// Profiles that poll no more, of several (each of their tickets says why).
    pub stopped_profiles: Vec<String>,
}

/// What an engine update changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Applied {
    /// The ticket it was about.
    pub index: Option<usize>,
    /// Its place in the list may have changed (or it is new).
    pub moved: bool,
    /// Something its list row shows changed (its data, its error marker).
    pub row: bool,
    /// Something the header shows changed (a count, the endpoint's health).
    pub header: bool,
}

/// Every watched ticket, by position and by reference, with the header's counts kept
/// in step.
#[derive(Debug, Clone, Default)]
pub struct Tickets {
    entries: Vec<TicketEntry>,
    by_id: HashMap<TicketRef, usize>,
    counts: Vec<StatusCount>,
    /// Tickets of each kind: executions, script tickets.
    kind_counts: [usize; 2],
    health: Health,
    /// Tickets per query name, in the order the queries first found one.
    query_counts: Vec<(String, usize)>,
    profiles: Profiles,
}

impl Tickets {
    /// Room for `n` tickets, and no more: the list of a long watch list is not left
    /// with up to twice the room it needs.
    pub fn with_capacity(n: usize) -> Tickets {
        Tickets {
            entries: Vec::with_capacity(n),
            by_id: HashMap::with_capacity(n),
            ..Tickets::default()
        }
    }

    pub fn all(&self) -> &[TicketEntry] {
        &self.entries
    }

    pub fn get(&self, id: &TicketRef) -> Option<&TicketEntry> {
        self.index(id).map(|i| &self.entries[i])
    }

    pub fn index(&self, id: &TicketRef) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn counts(&self) -> &[StatusCount] {
        &self.counts
    }

    /// Tickets of `kind`.
    pub fn kind_count(&self, kind: TicketKind) -> usize {
        self.kind_counts[kind_index(kind)]
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    pub fn query_counts(&self) -> &[(String, usize)] {
        &self.query_counts
    }

    fn count_query(&mut self, name: &str, delta: isize) {
        match self.query_counts.iter_mut().find(|(n, _)| n == name) {
            Some((_, count)) => *count = count.saturating_add_signed(delta),
            None if delta > 0 => self.query_counts.push((name.to_string(), 1)),
            None => {}
        }
    }

    /// The index of the ticket, added when unknown (`true`: it is new).
    pub fn insert(&mut self, id: TicketRef, label: Option<String>) -> (usize, bool) {
        if let Some(&i) = self.by_id.get(&id) {
            return (i, false);
        }
        let mut entry = TicketEntry::new(id, label);
        entry.set_profile(self.profiles.of(&entry.id, None));
        self.push(entry)
    }

    /// The index of a ticket of the watch list, added in its profile when unknown
    /// (`true`: it is new).
    pub fn insert_watched(&mut self, watch: &WatchEntry) -> (usize, bool) {
        let (i, new) = self.insert(watch.id.clone(), watch.label.clone());
        if new && watch.profile.is_some() {
            let profile = self.profiles.named(watch.profile.as_deref());
            self.entries[i].set_profile(profile);
        }
        (i, new)
    }

    /// A new entry at the end, counted.
    fn push(&mut self, entry: TicketEntry) -> (usize, bool) {
        let i = self.entries.len();
        self.by_id.insert(entry.id.clone(), i);
        add_count(&mut self.counts, entry.status().as_ref(), 1);
        self.kind_counts[kind_index(entry.kind())] += 1;
        self.entries.push(entry);
        (i, true)
    }

    /// Which profile each ticket belongs to, when there are several.
    pub(super) fn set_profiles(&mut self, profiles: Profiles) {
        for entry in &mut self.entries {
            let query = entry.queries.first().map(String::as_str);
            entry.set_profile(profiles.of(&entry.id, query));
        }
        self.profiles = profiles;
    }

    pub fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    /// Tickets per profile, in the config's order; empty with fewer than two.
    pub fn profile_counts(&self) -> Vec<(Arc<str>, usize)> {
        if !self.profiles.shown() {
            return Vec::new();
        }
        let mut counts: Vec<(Arc<str>, usize)> = self
            .profiles
            .names()
            .iter()
            .map(|name| (name.clone(), 0))
            .collect();
        for profile in self.entries.iter().filter_map(|e| e.profile.as_ref()) {
            if let Some((_, count)) = counts.iter_mut().find(|(name, _)| name == profile) {
                *count += 1;
            }
        }
        counts
    }

    /// Puts back what an earlier run knew of a watched ticket (marked `cached`): its
    /// data, unless a poll brought newer data meanwhile, and its History before what
    /// was seen since. `None` when the ticket is not watched or kept its polled data.
    fn restore(
        &mut self,
        ticket: Arc<JobTicket>,
        polled_at: SystemTime,
        mut history: Vec<Transition>,
    ) -> Option<usize> {
        let i = self.index(&ticket.reference().ok()?)?;
        if self.entries[i].origin != Origin::Watched {
            return None;
        }
        let before = self.counted(i);
        let entry = &mut self.entries[i];
        history.append(&mut entry.history);
        let excess = history.len().saturating_sub(HISTORY_LIMIT);
        history.drain(..excess);
        entry.history = history;
        if entry.last_ok.is_some() {
            return None;
        }
        entry.set_ticket(ticket);
        entry.last_ok = Some(polled_at);
        entry.cached = true;
        self.adjust(i, before);
        Some(i)
    }

    /// Puts back what an earlier run remembered (the cache) of the watched tickets;
    /// the tickets whose data it put back.
    pub fn restore_cached(&mut self, cached: Vec<CachedTicket>) -> Vec<Arc<JobTicket>> {
        let mut restored = Vec::new();
        for remembered in cached {
            let kind = remembered.ticket.kind();
            let history = remembered
                .history
                .into_iter()
                .map(|t| Transition {
                    from: t.from.map(|from| JobStatus::parse(kind, &from)),
                    to: JobStatus::parse(kind, &t.to),
                    at: cache::from_millis(t.at_ms),
                })
                .collect();
            let polled_at = cache::from_millis(remembered.polled_at_ms);
            let ticket = remembered.ticket;
            if self.restore(ticket.clone(), polled_at, history).is_some() {
                restored.push(ticket);
            }
        }
        restored
    }

    /// What to remember for the next run of profile `profile`: every ticket of it with
    /// data (shared, not copied).
    pub fn to_cache(&self, profile: &str) -> Vec<CachedTicket> {
        self.entries
            .iter()
            .filter(|entry| self.profiles.holds(profile, entry.profile.as_deref()))
            .filter_map(|entry| {
                Some(CachedTicket {
                    ticket: entry.ticket.clone()?,
                    polled_at_ms: cache::to_millis(entry.last_ok?),
                    history: entry
                        .history
                        .iter()
                        .map(|t| {
                            CachedTransition::new(t.from.as_ref(), &t.to, cache::to_millis(t.at))
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// Gives `id` a new label (a reloaded config); its index when the label changed.
    pub fn relabel(&mut self, id: &TicketRef, label: Option<String>) -> Option<usize> {
        let i = self.index(id)?;
        let entry = &mut self.entries[i];
        if entry.label == label {
            return None;
        }
        entry.label = label;
        entry.reindex();
        Some(i)
    }

    /// Stops tracking `id`; says whether it was there.
    pub fn remove(&mut self, id: &TicketRef) -> bool {
        let Some(i) = self.by_id.remove(id) else {
            return false;
        };
        let (status, failing) = self.counted(i);
        self.kind_counts[kind_index(id.kind())] -= 1;
        for query in std::mem::take(&mut self.entries[i].queries) {
            self.count_query(&query, -1);
        }
        self.entries.remove(i);
        for index in self.by_id.values_mut() {
            if *index > i {
                *index -= 1;
            }
        }
        add_count(&mut self.counts, status.as_ref(), -1);
        if failing {
            self.health.failing = self.health.failing.saturating_sub(1);
        }
        true
    }

    /// Sets where a ticket comes from (pinning, browsing); `None` when unknown.
    pub fn set_origin(&mut self, id: &TicketRef, origin: Origin) -> Option<usize> {
        let i = self.index(id)?;
        self.entries[i].origin = origin;
        Some(i)
    }

    /// Adds a ticket read from a list page (the browse view's), data included; the
    /// index of the existing entry when it is already held.
    pub fn insert_listed(&mut self, mut entry: TicketEntry) -> usize {
        if let Some(i) = self.index(&entry.id) {
            return i;
        }
        // A page read without `profile=` is the first profile's: it polls the ticket.
        if entry.profile.is_none() {
            entry.set_profile(self.profiles.named(None));
        }
        self.push(entry).0
    }

    /// The Steps (or Batches) tab wants the details of `id`: marks them loading and
    /// says whether they must be fetched (never asked for yet, or `again`).
    pub fn want_details(&mut self, id: &TicketRef, again: bool) -> bool {
        let Some(i) = self.index(id) else {
            return false;
        };
        let entry = &mut self.entries[i];
        match id.kind() {
            TicketKind::Execution => entry.steps.want(again),
            TicketKind::Script => entry.progress.want(again),
        }
    }

    /// An operation on `id` was sent at `at`.
    pub fn operation_sent(&mut self, id: &TicketRef, operation: JobOperation, at: SystemTime) {
        if let Some(i) = self.index(id) {
            let record = OperationRecord {
                operation,
                sent: at,
                result: None,
            };
            push_bounded(&mut self.entries[i].operations, record);
        }
    }

    /// Applies news of one tracked ticket.
    pub(super) fn apply(&mut self, update: TicketUpdate) -> Applied {
        match update {
            TicketUpdate::Snapshot { id, ticket, at } => {
                let (i, new) = self.insert(id, None);
                let before = self.counted(i);
                let entry = &mut self.entries[i];
                let change = entry.set_ticket(ticket);
                let cleared = entry.error.take().is_some() | std::mem::take(&mut entry.cached);
                entry.last_ok = Some(at);
                let auth_cleared = self.health.auth_failed.take().is_some();
                self.adjust(i, before);
                Applied {
                    index: Some(i),
                    moved: new || change == DataChange::Moved,
                    row: cleared || change != DataChange::Same,
                    // (The header's "polled" age is compared by the caller, with what
                    // the screen shows.)
                    header: new || cleared || auth_cleared || change == DataChange::Moved,
                }
            }
            TicketUpdate::Error {
                id,
                error,
                last_good,
                at,
            } => {
                let (i, new) = self.insert(id, None);
                let before = self.counted(i);
                let entry = &mut self.entries[i];
                let change = match last_good {
                    Some(ticket) if entry.ticket.is_none() => entry.set_ticket(ticket),
                    _ => DataChange::Same,
                };
                let was_failing = entry.error.is_some();
                let repeated = entry.error.as_ref().is_some_and(|f| f.error == error);
                entry.error = Some(Box::new(Failure { error, at }));
                self.adjust(i, before);
                Applied {
                    index: Some(i),
                    moved: new || change == DataChange::Moved,
                    row: !repeated || change != DataChange::Same,
                    header: new || !was_failing || change == DataChange::Moved,
                }
            }
            TicketUpdate::Transition { id, from, to, at } => {
                let (i, new) = self.insert(id, None);
                push_bounded(&mut self.entries[i].history, Transition { from, to, at });
                Applied {
                    index: Some(i),
                    moved: new,
                    row: new,
                    header: new,
                }
            }
            TicketUpdate::Joined { id, query, .. } => {
                let (i, new) = self.insert(id, None);
                let profile = self.profiles.of(&self.entries[i].id, Some(&query));
                let entry = &mut self.entries[i];
                if new || entry.origin == Origin::Browsed {
                    entry.origin = Origin::Query;
                    entry.set_profile(profile);
                }
                if !entry.queries.contains(&query) {
                    entry.queries.push(query.clone());
                    self.count_query(&query, 1);
                }
                Applied {
                    index: Some(i),
                    moved: true,
                    row: true,
                    header: true,
                }
            }
            TicketUpdate::Left { id, query, .. } => {
                let Some(i) = self.index(&id) else {
                    return Applied::default();
                };
                let queries = &mut self.entries[i].queries;
                let held = queries.len();
                queries.retain(|q| *q != query);
                if queries.len() < held {
                    self.count_query(&query, -1);
                }
                // The row's marker and the header's count per query.
                Applied {
                    index: Some(i),
                    moved: false,
                    row: true,
                    header: true,
                }
            }
        }
    }

    /// A ticket's steps arrived; returns its index.
    pub(super) fn steps_arrived(
        &mut self,
        id: &TicketRef,
        result: Result<Vec<Step>, ApiError>,
        at: SystemTime,
    ) -> Option<usize> {
        let i = self.index(id)?;
        self.entries[i].steps.arrived(result, at);
        Some(i)
    }

    /// A script ticket's progress arrived; returns its index.
    pub(super) fn progress_arrived(
        &mut self,
        id: &TicketRef,
        result: Result<ScriptProgress, ApiError>,
        at: SystemTime,
    ) -> Option<usize> {
        let i = self.index(id)?;
        self.entries[i].progress.arrived(result, at);
        Some(i)
    }

    /// The server's answer to an operation sent from here; returns the ticket's index.
    pub(super) fn operated(
        &mut self,
        id: &TicketRef,
        operation: JobOperation,
        result: Result<(), ApiError>,
    ) -> Option<usize> {
        let i = self.index(id)?;
        let waiting = self.entries[i]
            .operations
            .iter_mut()
            .rev()
            .find(|r| r.operation == operation && r.result.is_none());
        if let Some(record) = waiting {
            record.result = Some(result);
        }
        Some(i)
    }

    /// The engine paused for a 429 or stopped on an authentication failure.
    pub(super) fn health_changed(&mut self, update: HealthUpdate) {
        match update {
            HealthUpdate::Throttled { until, error } => {
                self.health.throttled = Some((until, error));
            }
            HealthUpdate::AuthFailed { error, at } => {
                self.health.auth_failed = Some(Failure { error, at });
            }
            HealthUpdate::ProfileStopped { profile, .. } => {
                if !self.health.stopped_profiles.contains(&profile) {
                    self.health.stopped_profiles.push(profile);
                }
            }
        }
    }

    /// What of ticket `i` the header counts: taken before a change, so that the counts
    /// can be adjusted after it without going over every ticket.
    fn counted(&self, i: usize) -> (Option<JobStatus>, bool) {
        let entry = &self.entries[i];
        (entry.status(), entry.error.is_some())
    }

    /// Counts and health after ticket `i` changed from `before`: adjusted, not
    /// recounted, since at 10,000 tickets polled thousands of times a second a recount
    /// per update would be most of the work.
    fn adjust(&mut self, i: usize, (status, failing): (Option<JobStatus>, bool)) {
        let (status_now, failing_now) = self.counted(i);
        if status != status_now {
            add_count(&mut self.counts, status.as_ref(), -1);
            add_count(&mut self.counts, status_now.as_ref(), 1);
        }
        match (failing, failing_now) {
            (false, true) => self.health.failing += 1,
            (true, false) => self.health.failing = self.health.failing.saturating_sub(1),
            _ => {}
        }
        self.health.last_ok = self.health.last_ok.max(self.entries[i].last_ok);
    }

    /// Counts and health from scratch (tests compare the adjusted ones with this).
    pub fn recount(&self) -> (Vec<StatusCount>, usize) {
        debug_assert_eq!(
            self.kind_counts[kind_index(TicketKind::Script)],
            self.entries.iter().filter(|e| e.id.is_script()).count()
        );
        (
            count_statuses(&self.entries),
            self.entries.iter().filter(|t| t.error.is_some()).count(),
        )
    }
}

/// Adds to a History or an operations list, the oldest going past `HISTORY_LIMIT`. Most
/// tickets ever see one or two transitions: the list grows by one, not to four at once
/// (at 10,000 tickets that is 2.4 MB).
fn push_bounded<T>(list: &mut Vec<T>, item: T) {
    if list.len() == HISTORY_LIMIT {
        list.remove(0);
    }
    list.reserve_exact(1);
    list.push(item);
}

fn kind_index(kind: TicketKind) -> usize {
    match kind {
        TicketKind::Execution => 0,
        TicketKind::Script => 1,
    }
}

/// How many tickets have one status; `status == None` counts those still loading.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusCount {
    pub status: Option<JobStatus>,
    pub count: usize,
}

/// Lower is more urgent. Unknown statuses sit with the active ones: they may need eyes.
/// A script ticket's statuses sit with their like: ABNORMAL with Failed, ROLLBACKED
/// with Timeout, PROCESSING with Running, PAUSED (waiting for someone) with Canceling,
/// READY with Pending, CANCELED and FINISHED with theirs.
pub fn urgency(status: Option<&JobStatus>) -> u8 {
    use JobStatus::{Execution as E, Script as S};
    match status {
        Some(E(Status::Failed) | S(ScriptStatus::Abnormal)) => 0,
        Some(E(Status::Timeout) | S(ScriptStatus::Rollbacked)) => 1,
        Some(E(Status::Running) | S(ScriptStatus::Processing)) => 2,
        Some(E(Status::Canceling) | S(ScriptStatus::Paused)) => 3,
        Some(E(Status::Pending) | S(ScriptStatus::Ready)) => 4,
        Some(E(Status::Unknown(_)) | S(ScriptStatus::Unknown(_))) => 5,
        None => 6,
        Some(E(Status::Canceled) | S(ScriptStatus::Canceled)) => 7,
        Some(E(Status::Succeed) | S(ScriptStatus::Finished)) => 8,
    }
}

fn count_statuses(tickets: &[TicketEntry]) -> Vec<StatusCount> {
    let mut counts: Vec<StatusCount> = Vec::new();
    for entry in tickets {
        let status = entry.status();
        match counts.iter_mut().find(|c| c.status == status) {
            Some(c) => c.count += 1,
            None => counts.push(StatusCount { status, count: 1 }),
        }
    }
    sort_counts(&mut counts);
    counts
}

/// Adds `delta` to the count of `status`, keeping only non-zero counts, most urgent first.
fn add_count(counts: &mut Vec<StatusCount>, status: Option<&JobStatus>, delta: isize) {
    match counts.iter().position(|c| c.status.as_ref() == status) {
        Some(p) => {
            counts[p].count = counts[p].count.saturating_add_signed(delta);
            if counts[p].count == 0 {
                counts.remove(p);
            }
        }
        None if delta > 0 => {
            counts.push(StatusCount {
                status: status.cloned(),
                count: delta.unsigned_abs(),
            });
            sort_counts(counts);
        }
        None => {}
    }
}

fn sort_counts(counts: &mut [StatusCount]) {
    counts.sort_by(|a, b| {
        urgency(a.status.as_ref())
            .cmp(&urgency(b.status.as_ref()))
            .then_with(|| a.status.cmp(&b.status))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::{Status, Ticket, TicketKind};

    fn entry(label: Option<&str>) -> TicketEntry {
        let id = TicketRef::new(TicketKind::Execution, "EX1").unwrap();
        let mut entry = TicketEntry::new(id, label.map(str::to_string));
        let mut ticket = Ticket::empty("EX1");
        ticket.document_name = Some("Rolling Restart".into());
        ticket.creator = Some("Li.Wei".into());
        ticket.status = Some(Status::Running);
        entry.set_ticket(Arc::new(ticket.into()));
        entry
    }

    #[test]
    fn the_display_name_sorts_and_every_field_shown_is_found() {
        let labelled = entry(Some("Night Backup"));
        assert_eq!(labelled.sort_name(), "night backup");
        let plain = entry(None);
        assert_eq!(plain.sort_name(), "rolling restart");
        for entry in [&labelled, &plain] {
            for word in [
                "rolling restart",
                "ex1",
                "running",
                "li.wei",
                "kind=execution",
            ] {
                assert!(
                    entry.search().contains(word),
                    "{word} in {:?}",
                    entry.search()
                );
            }
        }
        assert!(labelled.search().contains("night backup"));
    }
}
