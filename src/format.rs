//! How times, durations and statuses read on screen and in `get`/`wait` output.
//!
//! Every function takes the current time as an argument: nothing here reads the clock,
//! so output is reproducible in tests.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveTime, TimeZone, Utc};

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

/// An epoch-milliseconds timestamp (the API's, the cache's) as a time, negative ones
/// before 1970; `None` outside the calendar (about 262,000 years either side of year 0),
/// which only garbage reaches.
pub fn from_millis(ms: i64) -> Option<SystemTime> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(SystemTime::from)
}

/// A time as epoch milliseconds, rounded down (negative before 1970). Every time has
/// one: beyond `i64`'s range it saturates; `from_millis` gives back any time of the
/// calendar to the millisecond.
pub fn millis_of(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => {
            let ms = before.duration().as_nanos().div_ceil(1_000_000);
            i64::try_from(ms).map_or(i64::MIN, |ms| -ms)
        }
    }
}

/// A time on the calendar (to the millisecond), `None` beyond it.
fn on_calendar(at: SystemTime) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(millis_of(at))
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

/// `21:01:45`, for times that are usually today (history, last poll); `-` for a time
/// beyond the calendar.
pub fn clock_time(at: SystemTime, zone: Zone) -> String {
    let Some(utc) = on_calendar(at) else {
        return "-".to_string();
    };
    match zone {
        Zone::Local => utc.with_timezone(&Local).format("%H:%M:%S").to_string(),
        Zone::Fixed(offset) => utc.with_timezone(&offset).format("%H:%M:%S").to_string(),
    }
}

/// How long ago `then` was: `45s ago`, `12m ago`, `3h12m ago`, `4d ago`; `in 5s` when
/// `then` is ahead of `now` (a skewed server clock).
pub fn age(now: SystemTime, then: SystemTime) -> String {
    match Age::of(now, then) {
        Age::Ago(span) => format!("{span} ago"),
        Age::Ahead(span) => format!("in {span}"),
    }
}

/// How far `then` is from `now`, at the precision ages are shown with: the parts of
/// `age`, for texts in other languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    Ago(Coarse),
    /// Ahead of the clock (a skewed server clock).
    Ahead(Coarse),
}

impl Age {
    pub fn of(now: SystemTime, then: SystemTime) -> Age {
        match now.duration_since(then) {
            Ok(ago) => Age::Ago(Coarse::of(ago)),
            Err(ahead) => Age::Ahead(Coarse::of(ahead.duration())),
        }
    }
}

/// A span that loses precision as it grows, so that old tickets rarely need a redraw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coarse {
    Seconds(u64),
    Minutes(u64),
    HoursMinutes(u64, u64),
    Hours(u64),
    Days(u64),
}

impl Coarse {
    pub fn of(d: Duration) -> Coarse {
        let s = d.as_secs();
        match s {
            0..60 => Coarse::Seconds(s),
            60..3600 => Coarse::Minutes(s / 60),
            3600..86_400 if s % 3600 >= 60 => Coarse::HoursMinutes(s / 3600, s % 3600 / 60),
            3600..86_400 => Coarse::Hours(s / 3600),
            _ => Coarse::Days(s / 86_400),
        }
    }
}

/// `45s`, `12m`, `3h12m`, `2h`, `4d`.
impl std::fmt::Display for Coarse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Coarse::Seconds(s) => write!(f, "{s}s"),
            Coarse::Minutes(m) => write!(f, "{m}m"),
            Coarse::HoursMinutes(h, m) => write!(f, "{h}h{m:02}m"),
            Coarse::Hours(h) => write!(f, "{h}h"),
            Coarse::Days(d) => write!(f, "{d}d"),
        }
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

/// A duration as a user writes it (settings, flags, filters): a number and a unit,
/// `ms`, `s`, `m`, `h`, `d` (24 hours) or `w` (7 days), and sums like `"1m30s"`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "invalid duration {text:?}: expected a number and a unit (ms, s, m, h, d, w), \
             like \"5s\", \"2m\", \"1h\" or \"7d\""
        )
    };
    let s = text.trim();
    if s.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_secs = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 7.0 * 86_400.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        // Checked: a user's "99999999999999999999h" must be an error, not a panic.
        total = Duration::try_from_secs_f64(value * unit_secs)
            .ok()
            .and_then(|part| total.checked_add(part))
            .ok_or_else(|| format!("duration {text:?} is too long"))?;
    }
    Ok(total)
}

/// A time as a user writes it: RFC 3339 (`"2025-07-01T08:00:00Z"`, an offset or `Z`
/// required), or a date (`"2025-07-01"`), which means its first moment in `zone`. Epoch
/// milliseconds; `None` when it is neither.
pub fn parse_time(text: &str, zone: Zone) -> Option<i64> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.timestamp_millis());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    match zone {
        Zone::Local => first_moment(&Local, day),
        Zone::Fixed(offset) => first_moment(&offset, day),
    }
}

/// The first moment of `day` in `zone`, epoch milliseconds: midnight, or when the clocks
/// resume for a day that starts in a daylight-saving gap (gaps are whole quarter hours).
fn first_moment<Tz: TimeZone>(zone: &Tz, day: NaiveDate) -> Option<i64> {
    let midnight = day.and_time(NaiveTime::MIN);
    (0..=12)
        .map(|quarters| midnight + chrono::Duration::minutes(15 * quarters))
        .find_map(|local| zone.from_local_datetime(&local).earliest())
        .map(|at| at.timestamp_millis())
}

/// When `age(now, then)` will next read differently: the clock decides redraws from
/// this, not from comparing texts.
pub fn age_changes_at(now: SystemTime, then: SystemTime) -> SystemTime {
    match now.duration_since(then) {
        Ok(ago) => then + next_step(ago, coarse_unit(ago)),
        // Ahead of the clock: "in 5m" reads differently once less than 5m is left.
        Err(ahead) => now + past_last_step(ahead.duration(), coarse_unit(ahead.duration())),
    }
}

/// When a countdown to `until`, shown rounded up to whole seconds, next reads
/// differently; at `until` it goes away.
pub fn countdown_changes_at(now: SystemTime, until: SystemTime) -> SystemTime {
    match until.duration_since(now) {
        Ok(left) => {
            now + past_last_step(left + Duration::from_millis(999), Duration::from_secs(1))
                .min(left + Duration::from_nanos(1))
        }
        Err(_) => now + Duration::from_secs(1),
    }
}

/// How long until a shrinking `left` drops below its last whole number of `unit`s.
fn past_last_step(left: Duration, unit: Duration) -> Duration {
    let into_step = left.as_nanos() % unit.as_nanos();
    Duration::from_nanos(u64::try_from(into_step).unwrap_or(u64::MAX) + 1)
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn epoch_millis_round_trip_on_the_whole_calendar_and_saturate_beyond_it() {
        let ms = Duration::from_millis;
        // The calendar's ends, as chrono draws them.
        let first = DateTime::<Utc>::MIN_UTC.timestamp_millis();
        let last = DateTime::<Utc>::MAX_UTC.timestamp_millis();
        for edge in [0, 1, -1, 1_751_374_905_123, -86_400_000, first, last] {
            let at = from_millis(edge).unwrap();
            assert_eq!(millis_of(at), edge, "{edge}");
        }
        assert_eq!(from_millis(-1), UNIX_EPOCH.checked_sub(ms(1)));
        for beyond in [first - 1, last + 1, i64::MIN, i64::MAX] {
            assert_eq!(from_millis(beyond), None, "{beyond}");
        }
        // Before 1970, part of a millisecond rounds down, as after it.
        let before = UNIX_EPOCH - Duration::from_micros(1_500);
        assert_eq!(millis_of(before), -2);
        assert_eq!(millis_of(UNIX_EPOCH + Duration::from_micros(1_500)), 1);
        // Times `SystemTime` holds and no calendar does: no panic, saturated.
        let far_future = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert_eq!(millis_of(far_future), i64::MAX);
        assert_eq!(clock_time(far_future, Zone::UTC), "-");
        assert_eq!(age(UNIX_EPOCH, far_future).chars().next(), Some('i'));
        let far_past = UNIX_EPOCH - Duration::from_secs(u64::MAX / 4);
        assert_eq!(millis_of(far_past), i64::MIN);
        assert_eq!(clock_time(far_past, Zone::UTC), "-");
    }

    #[test]
    fn times_as_users_write_them() {
        let beijing = Zone::Fixed(FixedOffset::east_opt(8 * 3600).unwrap());
        let utc_2025_07_01 = 1_751_328_000_000;
        assert_eq!(
            parse_time("2025-07-01T00:00:00Z", beijing),
            Some(utc_2025_07_01)
        );
        assert_eq!(
            parse_time(" 2025-07-01T08:00:00+08:00 ", Zone::UTC),
            Some(utc_2025_07_01)
        );
        // A date is its first moment in the zone given.
        assert_eq!(parse_time("2025-07-01", Zone::UTC), Some(utc_2025_07_01));
        assert_eq!(
            parse_time("2025-07-01", beijing),
            Some(utc_2025_07_01 - 8 * 3_600_000)
        );
        assert_eq!(parse_time("1969-12-31", Zone::UTC), Some(-86_400_000));
        for bad in [
            "2025-07-01T08:00:00",
            "2025-13-01",
            "2025-02-30",
            "yesterday",
            "7d",
            "",
        ] {
            assert_eq!(parse_time(bad, Zone::UTC), None, "{bad:?}");
        }
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
    fn durations_as_users_write_them() {
        let secs = Duration::from_secs;
        assert_eq!(parse_duration("5s"), Ok(secs(5)));
        assert_eq!(parse_duration("2m"), Ok(secs(120)));
        assert_eq!(parse_duration("1h"), Ok(secs(3600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m30s"), Ok(secs(90)));
        assert_eq!(parse_duration("7d"), Ok(secs(7 * 86_400)));
        assert_eq!(parse_duration("2w"), Ok(secs(14 * 86_400)));
        assert_eq!(parse_duration("3650d"), Ok(secs(3650 * 86_400)));
        assert_eq!(parse_duration("1w2d12h"), Ok(secs(9 * 86_400 + 12 * 3600)));
        assert_eq!(parse_duration("1.5d"), Ok(secs(36 * 3600)));
        for bad in ["soon", "5", "", "s", "1.2.3s", "2 weeks", "1y", "5D", "-1d"] {
            let why = parse_duration(bad).unwrap_err();
            assert!(why.contains("(ms, s, m, h, d, w)"), "{bad:?}: {why}");
        }
        let huge = parse_duration("99999999999999999999999w").unwrap_err();
        assert!(huge.contains("too long"), "{huge}");
        assert!(parse_duration("18446744073709551615s1h").is_err());
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
