//! The tickets the engine tracks, and when each one's GET is due.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::time::Instant;

use super::schedule::Schedule;
use crate::coc::{JobStatus, JobTicket, TicketKind, TicketRef};

/// What the engine keeps per tracked ticket (besides its slot in the schedule).
#[derive(Debug)]
pub(super) struct Tracked {
    /// Distinguishes a re-added ticket from the removed one a late answer was for.
    pub incarnation: u64,
    /// Position in the watch list, to refresh in the user's order.
    pub order: u64,
    pub in_flight: bool,
    pub failures: u32,
    pub last_good: Option<Arc<JobTicket>>,
    pub last_status: Option<JobStatus>,
    /// Polls still due after an accepted operation, whatever the status.
    pub polls_after_operation: u32,
    /// An operation was accepted while a poll was in flight: poll again at once.
    pub poll_again: bool,
    /// Named by the user (`[[watch]]`, the command line, `Add`), not only found by a
    /// query.
    pub explicit: bool,
    /// Refreshed by the cover's pass under way, not by its own GET.
    pub in_cover: bool,
    /// How many queries hold it: their pages refresh it.
    pub in_queries: u32,
}

impl Tracked {
    /// Active, or not seen yet: worth polling.
    pub fn is_active(&self) -> bool {
        !self
            .last_status
            .as_ref()
            .is_some_and(JobStatus::is_terminal)
    }

    /// Refreshed by list pages rather than by its own GETs.
    pub fn is_covered(&self) -> bool {
        self.in_cover || self.in_queries > 0
    }
}

/// Every tracked ticket and the GET schedule, keyed by reference.
pub(super) struct Tracker {
    pub tickets: HashMap<TicketRef, Tracked>,
    pub schedule: Schedule<TicketRef>,
    next_incarnation: u64,
}

impl Tracker {
    pub fn new(now: Instant) -> Tracker {
        Tracker {
            tickets: HashMap::new(),
            schedule: Schedule::new(now),
            next_incarnation: 0,
        }
    }

    pub fn contains(&self, id: &TicketRef) -> bool {
        self.tickets.contains_key(id)
    }

    /// A new entry; the caller decides how it is first refreshed.
    pub fn insert(&mut self, key: TicketRef, explicit: bool) -> TicketRef {
        let tracked = Tracked {
            incarnation: self.next_incarnation,
            order: self.next_incarnation,
            in_flight: false,
            failures: 0,
            last_good: None,
            last_status: None,
            explicit,
            in_cover: false,
            in_queries: 0,
            polls_after_operation: 0,
            poll_again: false,
        };
        self.next_incarnation += 1;
        self.tickets.insert(key.clone(), tracked);
        key
    }

    /// Forgets a ticket and its schedule.
    pub fn remove(&mut self, id: &TicketRef) {
        self.tickets.remove(id);
        self.schedule.remove(id);
    }

    /// Tracked and not waiting for an answer (whose handling reschedules it anyway).
    pub fn is_idle(&self, key: &TicketRef) -> bool {
        self.tickets.get(key).is_some_and(|t| !t.in_flight)
    }

    /// The tracked tickets of one kind.
    pub fn of_kind(&self, kind: TicketKind) -> impl Iterator<Item = (&TicketRef, &Tracked)> {
        self.tickets.iter().filter(move |(k, _)| k.kind() == kind)
    }
}
