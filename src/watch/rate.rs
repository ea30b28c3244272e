//! The global request pacer: starts spaced at least `1 / max_rps` apart, no bursts.

use std::time::Duration;

use tokio::time::Instant;

/// Used when the configured rate is not a positive number (config validation should
/// prevent that; the engine must still not spin or panic).
const FALLBACK_RPS: f64 = 10.0;
/// The slowest pace honoured; a tinier `max_rps` would overflow `Instant` arithmetic.
const MAX_SPACING: Duration = Duration::from_secs(3600);

/// Spaces request starts evenly and holds them back while the endpoint is paused.
///
/// There is no burst credit: after an idle period the next request may start at once,
/// but the one after it still waits a full spacing. So no window of one second ever
/// holds more than `max_rps` starts.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    spacing: Duration,
    next_start: Option<Instant>,
}

impl RateLimiter {
    pub fn new(max_rps: f64) -> RateLimiter {
        RateLimiter {
            spacing: spacing_for(max_rps),
            next_start: None,
        }
    }

    pub fn spacing(&self) -> Duration {
        self.spacing
    }

    /// The earliest instant at or after `now` when a request may start.
    pub fn ready_at(&self, now: Instant) -> Instant {
        self.next_start.map_or(now, |next| next.max(now))
    }

    pub fn is_ready(&self, now: Instant) -> bool {
        self.ready_at(now) <= now
    }

    /// Records a request started at `now`; the next may start one spacing later.
    pub fn record_start(&mut self, now: Instant) {
        let earliest = now + self.spacing;
        self.next_start = Some(self.next_start.map_or(earliest, |next| next.max(earliest)));
    }

    /// Nothing may start before `until` (a 429's `Retry-After`).
    pub fn pause_until(&mut self, until: Instant) {
        self.next_start = Some(self.next_start.map_or(until, |next| next.max(until)));
    }
}

fn spacing_for(max_rps: f64) -> Duration {
    let rps = if max_rps > 0.0 { max_rps } else { FALLBACK_RPS };
    Duration::try_from_secs_f64(1.0 / rps)
        .unwrap_or(MAX_SPACING)
        .min(MAX_SPACING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_spaced_by_the_rate() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(4.0);
        assert_eq!(limiter.spacing(), Duration::from_millis(250));
        assert!(limiter.is_ready(t0));
        limiter.record_start(t0);
        assert!(!limiter.is_ready(t0 + Duration::from_millis(249)));
        assert_eq!(limiter.ready_at(t0), t0 + Duration::from_millis(250));
        assert!(limiter.is_ready(t0 + Duration::from_millis(250)));
    }

    #[test]
    fn idle_time_earns_no_burst() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(10.0);
        limiter.record_start(t0);
        let late = t0 + Duration::from_secs(60);
        assert!(limiter.is_ready(late));
        limiter.record_start(late);
        assert_eq!(limiter.ready_at(late), late + Duration::from_millis(100));
    }

    #[test]
    fn a_pause_holds_every_start_back() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(10.0);
        limiter.pause_until(t0 + Duration::from_secs(30));
        assert_eq!(limiter.ready_at(t0), t0 + Duration::from_secs(30));
        // A shorter pause never shortens a longer one.
        limiter.pause_until(t0 + Duration::from_secs(5));
        assert_eq!(limiter.ready_at(t0), t0 + Duration::from_secs(30));
    }

    #[test]
    fn nonsense_rates_neither_spin_nor_panic() {
        for rps in [0.0, -3.0, f64::NAN] {
            assert_eq!(RateLimiter::new(rps).spacing(), Duration::from_millis(100));
        }
        assert_eq!(RateLimiter::new(f64::INFINITY).spacing(), Duration::ZERO);
        assert_eq!(RateLimiter::new(1e-300).spacing(), MAX_SPACING);
    }
}
