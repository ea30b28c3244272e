//! How times, durations and statuses read on screen and in `get`/`wait` output.
//!
//! Every function takes the current time as an argument: nothing here reads the clock,
//! so output is reproducible in tests.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, FixedOffset, Local, Utc};

use crate::coc::Status;

/// The time zone times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// The machine's zone, daylight saving included.
    #[default]
    Local,
    Fixed(FixedOffset),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(FixedOffset::east_opt(0).unwrap());
}

/// An API timestamp (epoch milliseconds) as a `SystemTime`; `None` when out of the
/// range of a calendar date (garbage from the server).
pub fn from_millis(ms: i64) -> Option<SystemTime> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(SystemTime::from)
}

/// `2025-07-01 21:01:45` in the given zone; `-` for a timestamp out of range.
pub fn local_time(ms: i64, zone: Zone) -> String {
    let Some(utc) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return "-".to_string();
    };
    const PATTERN: &str = "%Y-%m-%d %H:%M:%S";
    match zone {
        Zone::Local => utc.with_timezone(&Local).format(PATTERN).to_string(),
        Zone::Fixed(offset) => utc.with_timezone(&offset).format(PATTERN).to_string(),
    }
}

/// `21:01:45`, for times that are usually today (history, last poll).
pub fn clock_time(at: SystemTime, zone: Zone) -> String {
    let utc: DateTime<Utc> = at.into();
    match zone {
        Zone::Local => utc.with_timezone(&Local).format("%H:%M:%S").to_string(),
        Zone::Fixed(offset) => utc.with_timezone(&offset).format("%H:%M:%S").to_string(),
    }
}

/// How long ago `then` was: `45s ago`, `12m ago`, `3h12m ago`, `4d ago`; `in 5s` when
/// `then` is ahead of `now` (a skewed server clock).
pub fn age(now: SystemTime, then: SystemTime) -> String {
    match now.duration_since(then) {
        Ok(ago) => format!("{} ago", coarse(ago)),
        Err(ahead) => format!("in {}", coarse(ahead.duration())),
    }
}

/// `age` of an API timestamp in epoch milliseconds.
pub fn age_of_millis(now: SystemTime, ms: i64) -> String {
    match from_millis(ms) {
        Some(then) => age(now, then),
        None => "-".to_string(),
    }
}

/// A span with the precision a reader needs: `45s`, `12m05s`, `1h02m`, `3d04h`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// How long a ticket ran, or has been running: from `start` to `end`, or to `now` while
/// there is no end. `None` without a start.
pub fn run_time(start_ms: Option<i64>, end_ms: Option<i64>, now: SystemTime) -> Option<String> {
    let start = from_millis(start_ms?)?;
    let end = match end_ms {
        Some(ms) => from_millis(ms)?,
        None => now,
    };
    Some(duration(end.duration_since(start).unwrap_or_default()))
}

/// A duration as a user writes it in a setting (`250ms`, `1.5s`, `2m`): for messages
/// that quote time-outs, latencies and pauses.
pub fn as_setting(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The glyph that stands beside a status, so colour is never the only signal.
pub fn status_glyph(status: &Status) -> &'static str {
    match status {
        Status::Succeed => "✔",
        Status::Failed => "✖",
        Status::Running => "▶",
        Status::Pending => "…",
        Status::Canceled => "⊘",
        Status::Timeout => "⏱",
        Status::Canceling => "◌",
        Status::Unknown(_) => "?",
    }
}

/// When `age(now, then)` will next read differently: the clock decides redraws from
/// this, not from comparing texts.
pub fn age_changes_at(now: SystemTime, then: SystemTime) -> SystemTime {
    match now.duration_since(then) {
        Ok(ago) => then + next_step(ago, coarse_unit(ago)),
        // A time ahead of the clock counts down in seconds at most.
        Err(_) => now + Duration::from_secs(1),
    }
}

/// When `run_time(start, None, now)`, a live run time, will next read differently.
pub fn run_time_changes_at(start: SystemTime, now: SystemTime) -> SystemTime {
    let ran = now.duration_since(start).unwrap_or_default();
    let unit = match ran.as_secs() {
        0..3600 => Duration::from_secs(1),
        3600..86_400 => Duration::from_secs(60),
        _ => Duration::from_secs(3600),
    };
    start + next_step(ran, unit)
}

/// The smallest whole number of `unit`s past `elapsed`.
fn next_step(elapsed: Duration, unit: Duration) -> Duration {
    let units = elapsed.as_nanos() / unit.as_nanos() + 1;
    unit.saturating_mul(u32::try_from(units).unwrap_or(u32::MAX))
}

/// The precision `coarse` shows `d` with.
fn coarse_unit(d: Duration) -> Duration {
    match d.as_secs() {
        0..60 => Duration::from_secs(1),
        60..86_400 => Duration::from_secs(60),
        _ => Duration::from_secs(86_400),
    }
}

/// Ages lose precision as they grow, so that old tickets rarely need a redraw.
fn coarse(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 if s % 3600 >= 60 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn ages_lose_precision_as_they_grow() {
        let now = at(1_000_000);
        assert_eq!(age(now, now), "0s ago");
        assert_eq!(age(now, at(1_000_000 - 45)), "45s ago");
        assert_eq!(age(now, at(1_000_000 - 12 * 60 - 59)), "12m ago");
        assert_eq!(age(now, at(1_000_000 - 3 * 3600 - 12 * 60)), "3h12m ago");
        assert_eq!(age(now, at(1_000_000 - 2 * 3600)), "2h ago");
        assert_eq!(age(now, at(1_000_000 - 4 * 86_400 - 5)), "4d ago");
        assert_eq!(age(now, at(1_000_000 + 5)), "in 5s");
    }

    #[test]
    fn age_of_api_millis() {
        let now = at(1_751_374_905 + 720);
        assert_eq!(age_of_millis(now, 1_751_374_905_000), "12m ago");
        assert_eq!(age_of_millis(now, i64::MIN), "-");
    }

    #[test]
    fn durations_keep_two_units() {
        assert_eq!(duration(Duration::from_secs(0)), "0s");
        assert_eq!(duration(Duration::from_secs(59)), "59s");
        assert_eq!(duration(Duration::from_secs(65)), "1m05s");
        assert_eq!(duration(Duration::from_secs(3600 + 125)), "1h02m");
        assert_eq!(
            duration(Duration::from_secs(3 * 86_400 + 4 * 3600)),
            "3d04h"
        );
    }

    #[test]
    fn run_time_is_live_without_an_end() {
        let start = 1_751_374_905_000;
        let now = at(1_751_374_905 + 90);
        assert_eq!(run_time(Some(start), None, now).as_deref(), Some("1m30s"));
        assert_eq!(
            run_time(Some(start), Some(start + 5_000), now).as_deref(),
            Some("5s")
        );
        // An end before the start (bad server data) reads as zero, not a panic.
        assert_eq!(
            run_time(Some(start), Some(start - 5_000), now).as_deref(),
            Some("0s")
        );
        assert_eq!(run_time(None, None, now), None);
    }

    #[test]
    fn times_in_a_fixed_zone() {
        let beijing = Zone::Fixed(FixedOffset::east_opt(8 * 3600).unwrap());
        assert_eq!(
            local_time(1_751_374_905_000, Zone::UTC),
            "2025-07-01 13:01:45"
        );
        assert_eq!(
            local_time(1_751_374_905_000, beijing),
            "2025-07-01 21:01:45"
        );
        assert_eq!(local_time(i64::MAX, beijing), "-");
        assert_eq!(clock_time(at(1_751_374_905), beijing), "21:01:45");
    }

    #[test]
    fn every_status_has_a_distinct_glyph() {
        let mut glyphs: Vec<_> = Status::KNOWN.iter().map(status_glyph).collect();
        glyphs.push(status_glyph(&Status::Unknown("Paused".into())));
        let count = glyphs.len();
        glyphs.sort();
        glyphs.dedup();
        assert_eq!(glyphs.len(), count);
    }

    #[test]
    fn change_times_are_the_first_instant_the_text_reads_differently() {
        let then = at(1_000_000);
        let ms = Duration::from_millis(1);
        for elapsed_ms in [
            0, 999, 1_000, 59_500, 60_000, 61_000, 3_599_999, 3_600_500, 7_260_000, 86_399_000,
            90_000_000,
        ] {
            let now = then + Duration::from_millis(elapsed_ms);
            let changes = age_changes_at(now, then);
            assert!(changes > now, "{elapsed_ms}");
            assert_eq!(
                age(changes - ms, then),
                age(now, then),
                "{elapsed_ms}: early"
            );
            assert_ne!(
                age(changes, then),
                age(now, then),
                "{elapsed_ms}: at the change"
            );
            // `then` is 1,000,000 s after the epoch: the run started then.
            let text = |t: SystemTime| run_time(Some(1_000_000_000), None, t);
            let changes = run_time_changes_at(then, now);
            assert_eq!(
                text(changes - ms),
                text(now),
                "{elapsed_ms}: run time early"
            );
            assert_ne!(
                text(changes),
                text(now),
                "{elapsed_ms}: run time at the change"
            );
        }
    }
}
