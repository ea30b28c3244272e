//! Texts that change with the clock, and a signature of those on screen.
//!
//! On every 1 Hz tick `update` recomputes the signature of the time texts currently on
//! screen and asks for a redraw only when it changed. Ages lose precision as they grow
//! (`format::age`), so a dashboard of finished tickets redraws about once a minute.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime};

use crate::format;

use super::tickets::{StepsState, TicketEntry};
use super::{App, Health, Tab};

/// An active ticket with no successful poll for this long shows as stale.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// The clock-dependent cells of one list row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
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

/// A hash of every clock-dependent text the screen shows for the last known size.
pub(super) fn signature(app: &App) -> u64 {
    let now = app.now;
    let mut h = DefaultHasher::new();
    HealthTexts::of(&app.health, now).hash(&mut h);
    let screen = app.screen();
    let rows = usize::from(screen.rows.height);
    let offset = app.list_offset(rows);
    for position in offset..(offset + rows).min(app.order.len()) {
        if let Some(entry) = app.visible(position) {
            RowTimes::of(entry, now).hash(&mut h);
        }
    }
    if !screen.detail.is_empty()
        && let Some(entry) = app.selected()
    {
        hash_detail(entry, app, &mut h);
    }
    h.finish()
}

/// The ages and durations of the detail pane (see `ui::detail`).
fn hash_detail(entry: &TicketEntry, app: &App, h: &mut DefaultHasher) {
    let now = app.now;
    RowTimes::of(entry, now).hash(h);
    if let Some(ms) = entry.ticket.as_ref().and_then(|t| t.end_time) {
        format::age_of_millis(now, ms).hash(h);
    }
    entry.last_ok.map(|at| format::age(now, at)).hash(h);
    entry.error.as_ref().map(|f| format::age(now, f.at)).hash(h);
    match app.tab {
        Tab::History => {
            for t in &entry.history {
                format::age(now, t.at).hash(h);
            }
        }
        Tab::Steps => {
            if let StepsState::Loaded { steps, .. } = &entry.steps {
                for step in steps {
                    format::run_time(step.start_time, step.end_time, now).hash(h);
                }
            }
        }
        _ => {}
    }
}
