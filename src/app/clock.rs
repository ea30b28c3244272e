//! Texts that change with the clock: the header's and a list row's, for drawing them
//! and for telling whether a poll changed them on screen. (Every 1 Hz tick draws a
//! frame, so no time text needs to say when it changes next.)

use std::time::{Duration, SystemTime};

use crate::format;
use crate::i18n::Lang;

use super::Health;
use super::tickets::TicketEntry;

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
    pub fn of(lang: Lang, entry: &TicketEntry, now: SystemTime) -> RowTimes {
        let Some(ticket) = entry.ticket.as_deref() else {
            return RowTimes::default();
        };
        RowTimes {
            started: ticket.start_time().map(|ms| lang.age_of_millis(now, ms)),
            duration: format::run_time(ticket.start_time(), ticket.end_time(), now),
            updated: ticket.update_time().map(|ms| lang.age_of_millis(now, ms)),
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
    pub fn of(lang: Lang, health: &Health, now: SystemTime) -> HealthTexts {
        let throttled_for = health.throttled.as_ref().and_then(|(until, _)| {
            let left = until.duration_since(now).ok()?;
            // Round up: "0s" left would still be throttled.
            Some(format::duration(left + Duration::from_millis(999)))
        });
        HealthTexts {
            polled: health.last_ok.map(|at| lang.age(now, at)),
            throttled_for,
            auth_failed: health.auth_failed.as_ref().map(|f| lang.age(now, f.at)),
        }
    }
}
