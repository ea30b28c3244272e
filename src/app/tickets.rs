//! What the dashboard knows about each ticket, and how engine updates change it.

use std::sync::Arc;
use std::time::SystemTime;

use crate::coc::{ApiError, Status, Step, Ticket};
use crate::text;
use crate::watch::Update;

use super::{App, Outcome, Tab};

/// History is for reading, not an audit log: the oldest transitions go first.
const HISTORY_LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: ApiError,
    pub at: SystemTime,
}

/// A status change the engine saw (`from` is `None` on first sight).
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: Option<Status>,
    pub to: Status,
    pub at: SystemTime,
}

/// The Steps tab's data, fetched on demand.
#[derive(Debug, Clone, Default)]
pub enum StepsState {
    #[default]
    NotRequested,
    Loading,
    Loaded {
        steps: Vec<Step>,
        at: SystemTime,
    },
    Failed(Failure),
}

#[derive(Debug, Clone)]
pub struct TicketEntry {
    pub id: String,
    /// The config's label.
    pub label: Option<String>,
    /// The last good data; `None` until the first successful poll.
    pub ticket: Option<Arc<Ticket>>,
    /// When the last successful poll happened.
    pub last_ok: Option<SystemTime>,
    /// The last poll's failure; cleared by the next success.
    pub error: Option<Failure>,
    pub history: Vec<Transition>,
    pub steps: StepsState,
    /// Lowercase ID, label, job name, status and creator, for the filter.
    pub(super) search: String,
    /// Lowercase display name, for sorting by name.
    pub(super) sort_name: String,
}

impl TicketEntry {
    pub fn new(id: String, label: Option<String>) -> TicketEntry {
        let mut entry = TicketEntry {
            id,
            label,
            ticket: None,
            last_ok: None,
            error: None,
            history: Vec::new(),
            steps: StepsState::NotRequested,
            search: String::new(),
            sort_name: String::new(),
        };
        entry.reindex();
        entry
    }

    pub fn status(&self) -> Option<&Status> {
        self.ticket.as_ref()?.status.as_ref()
    }

    /// The label from the config, else the job name (unsanitised: draw via `text`).
    pub fn name(&self) -> &str {
        self.label
            .as_deref()
            .or_else(|| self.ticket.as_ref()?.document_name.as_deref())
            .unwrap_or("")
    }

    /// Nothing fetched yet and no error to show instead.
    pub fn is_loading(&self) -> bool {
        self.ticket.is_none() && self.error.is_none()
    }

    /// How many lines a detail tab holds for this ticket: its scroll range.
    pub fn tab_len(&self, tab: Tab) -> usize {
        let ticket = self.ticket.as_deref();
        match tab {
            Tab::Parameters => ticket.map_or(0, |t| t.parameters.len()),
            Tab::Tags => ticket.map_or(0, |t| t.tags.len() + t.sys_tags.len() + 2),
            Tab::Targets => ticket
                .and_then(|t| t.targets.as_ref())
                .map_or(0, |targets| {
                    targets.iter().map(|target| 1 + target.values.len()).sum()
                }),
            Tab::Steps => match &self.steps {
                StepsState::Loaded { steps, .. } => steps.len(),
                _ => 0,
            },
            Tab::History => self.history.len(),
        }
    }

    fn reindex(&mut self) {
        let ticket = self.ticket.as_deref();
        let status = ticket.and_then(|t| t.status.as_ref());
        let fields = [
            self.id.as_str(),
            self.label.as_deref().unwrap_or(""),
            ticket
                .and_then(|t| t.document_name.as_deref())
                .unwrap_or(""),
            status.map_or("loading", Status::as_str),
            ticket.and_then(|t| t.creator.as_deref()).unwrap_or(""),
        ];
        let mut search = String::new();
        for field in fields {
            // What the filter sees is what the screen shows.
            search.push_str(&text::sanitize(field).to_lowercase());
            search.push('\0');
        }
        self.search = search;
        self.sort_name = text::sanitize(self.name()).to_lowercase();
    }

    /// Replaces the data; says whether anything the order depends on changed.
    fn set_ticket(&mut self, ticket: Arc<Ticket>) -> bool {
        let moved = self.ticket.as_deref().is_none_or(|old| {
            old.status != ticket.status
                || old.start_time != ticket.start_time
                || old.document_name != ticket.document_name
                || old.creator != ticket.creator
        });
        self.ticket = Some(ticket);
        if moved {
            self.reindex();
        }
        moved
    }
}

/// Applies an engine update to the state.
pub(super) fn on_engine(app: &mut App, update: Update) -> Outcome {
    match update {
        Update::Snapshot {
            execution_id,
            ticket,
            at,
        } => {
            let (i, new) = app.insert_ticket(execution_id, None);
            let before = app.counted(i);
            let entry = &mut app.tickets[i];
            let moved = entry.set_ticket(ticket);
            entry.last_ok = Some(at);
            entry.error = None;
            app.health.auth_failed = None;
            app.ticket_changed(i, before, moved || new);
        }
        Update::Error {
            execution_id,
            error,
            last_good,
            at,
        } => {
            let (i, new) = app.insert_ticket(execution_id, None);
            let before = app.counted(i);
            let entry = &mut app.tickets[i];
            let moved = match last_good {
                Some(ticket) if entry.ticket.is_none() => entry.set_ticket(ticket),
                _ => false,
            };
            entry.error = Some(Failure { error, at });
            app.ticket_changed(i, before, moved || new);
        }
        Update::Transition {
            execution_id,
            from,
            to,
            at,
        } => {
            let (i, new) = app.insert_ticket(execution_id, None);
            let history = &mut app.tickets[i].history;
            if history.len() == HISTORY_LIMIT {
                history.remove(0);
            }
            history.push(Transition { from, to, at });
            if new {
                let counted = app.counted(i);
                app.ticket_changed(i, counted, true);
            }
        }
        Update::Steps {
            execution_id,
            result,
            at,
        } => {
            let Some(&i) = app.by_id.get(&execution_id) else {
                return Outcome::redraw(false);
            };
            app.tickets[i].steps = match result {
                Ok(steps) => StepsState::Loaded { steps, at },
                Err(error) => StepsState::Failed(Failure { error, at }),
            };
        }
        Update::Throttled { until, error } => app.health.throttled = Some((until, error)),
        Update::AuthFailed { error, at } => app.health.auth_failed = Some(Failure { error, at }),
    }
    Outcome::redraw(true)
}
