//! Texts that change with the clock, and when the ones on screen change next.
//!
//! On every 1 Hz tick `update` asks `next_change` for the first instant after the last
//! frame at which a time text on screen reads differently, and redraws only when that
//! instant has come. Ages lose precision as they grow (`format::age`), so a dashboard
//! of finished tickets redraws about once a minute.

use std::time::{Duration, SystemTime};

use crate::format;

use super::tickets::{StepsState, TicketEntry};
use super::{App, Health, Tab};

/// An active ticket with no successful poll for this long shows as stale.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// The clock-dependent cells of one list row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowTimes {
    /// `12m ago`.
    pub started: Option<String>,
    /// Run time, live while there is no end.
    pub duration: Option<String>,
    /// Age of the ticket's `update_time`.
    pub updated: Option<String>,
    /// Active, but not polled successfully for a while.
    pub stale: bool,
}

impl RowTimes {
    pub fn of(entry: &TicketEntry, now: SystemTime) -> RowTimes {
        let Some(ticket) = entry.ticket.as_deref() else {
            return RowTimes::default();
        };
        RowTimes {
            started: ticket.start_time.map(|ms| format::age_of_millis(now, ms)),
            duration: format::run_time(ticket.start_time, ticket.end_time, now),
            updated: ticket.update_time.map(|ms| format::age_of_millis(now, ms)),
            stale: is_stale(entry, now),
        }
    }
}

/// Data that should be changing but has not been refreshed for `STALE_AFTER`.
pub fn is_stale(entry: &TicketEntry, now: SystemTime) -> bool {
    let active = entry.ticket.as_ref().is_some_and(|t| !t.is_terminal());
    let last_ok_age = entry
        .last_ok
        .map(|at| now.duration_since(at).unwrap_or_default());
    active && last_ok_age.is_none_or(|age| age > STALE_AFTER)
}

/// The clock-dependent parts of the header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthTexts {
    /// Age of the most recent successful poll.
    pub polled: Option<String>,
    /// Time left before requests may be sent again.
    pub throttled_for: Option<String>,
    /// Age of the authentication failure.
    pub auth_failed: Option<String>,
}

impl HealthTexts {
    pub fn of(health: &Health, now: SystemTime) -> HealthTexts {
        let throttled_for = health.throttled.as_ref().and_then(|(until, _)| {
            let left = until.duration_since(now).ok()?;
            // Round up: "0s" left would still be throttled.
            Some(format::duration(left + Duration::from_millis(999)))
        });
        HealthTexts {
            polled: health.last_ok.map(|at| format::age(now, at)),
            throttled_for,
            auth_failed: health.auth_failed.as_ref().map(|f| format::age(now, f.at)),
        }
    }
}

/// The first instant after `since` at which a time text of the list or the detail pane
/// reads differently: an age, a live run time, a ticket turning stale. `None` when nothing
/// shown depends on the clock. Computed from the state, for what the screen shows.
pub(super) fn next_change(app: &App, since: SystemTime) -> Option<SystemTime> {
    // The header's texts are compared with the last frame's by the caller.
    let mut next = NextChange::default();
    let screen = app.screen();
    let rows = usize::from(screen.rows.height);
    let offset = app.list_offset(rows);
    for position in offset..(offset + rows).min(app.visible_len()) {
        if let Some(entry) = app.visible(position) {
            next.row(since, entry);
        }
    }
    if !screen.detail.is_empty()
        && let Some(entry) = app.shown()
    {
        next.detail(since, entry, app.tab());
    }
    next.0
}

/// The earliest of the change times seen.
#[derive(Default)]
struct NextChange(Option<SystemTime>);

impl NextChange {
    fn at(&mut self, t: SystemTime) {
        self.0 = Some(self.0.map_or(t, |n| n.min(t)));
    }

    fn age(&mut self, since: SystemTime, then: Option<SystemTime>) {
        if let Some(then) = then {
            self.at(format::age_changes_at(since, then));
        }
    }

    fn age_of_millis(&mut self, since: SystemTime, ms: Option<i64>) {
        self.age(since, ms.and_then(format::from_millis));
    }

    fn run_time(&mut self, since: SystemTime, start_ms: Option<i64>, end_ms: Option<i64>) {
        if end_ms.is_none()
            && let Some(start) = start_ms.and_then(format::from_millis)
        {
            self.at(format::run_time_changes_at(start, since));
        }
    }

    /// The list row: started, run time, updated, and the stale marker.
    fn row(&mut self, since: SystemTime, entry: &TicketEntry) {
        let Some(ticket) = entry.ticket.as_deref() else {
            return;
        };
        self.age_of_millis(since, ticket.start_time);
        self.run_time(since, ticket.start_time, ticket.end_time);
        self.age_of_millis(since, ticket.update_time);
        if entry.is_active()
            && let Some(stale_at) = entry.last_ok.map(|at| at + STALE_AFTER)
            && stale_at > since
        {
            self.at(stale_at + Duration::from_millis(1));
        }
    }

    /// The detail pane: the row's times, the end, the last poll, the error, and the
    /// ages and run times of the open tab.
    fn detail(&mut self, since: SystemTime, entry: &TicketEntry, tab: Tab) {
        self.row(since, entry);
        if let Some(ticket) = entry.ticket.as_deref() {
            self.age_of_millis(since, ticket.end_time);
        }
        self.age(since, entry.last_ok);
        self.age(since, entry.error.as_ref().map(|f| f.at));
        match (tab, &entry.steps) {
            (Tab::History, _) => {
                for transition in &entry.history {
                    self.age(since, Some(transition.at));
                }
            }
            (Tab::Steps, StepsState::Loaded { steps, .. }) => {
                for step in steps {
                    self.run_time(since, step.start_time, step.end_time);
                }
            }
            (Tab::Steps, StepsState::Failed(failure)) => self.age(since, Some(failure.at)),
            _ => {}
        }
    }
}
