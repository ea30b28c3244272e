//! The global request pacer: starts spread evenly at `max_rps`, never more than
//! `max_rps` in any one second, no bursts.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// Used when the configured rate is not a positive number (config validation should
/// prevent that; the engine must still not spin or panic).
const FALLBACK_RPS: f64 = 10.0;
/// The slowest pace honoured; a tinier `max_rps` would overflow `Instant` arithmetic.
const MAX_SPACING: Duration = Duration::from_secs(3600);
/// Timers fire on a millisecond wheel, so a pacer that waits for each slot exactly tops
/// out near 1,000 starts a second. Below this spacing a wake-up may also start the
/// requests whose slots passed while it slept.
const TIMER_SLACK: Duration = Duration::from_millis(2);
/// Rates up to this many per second are also held to a strict count per second.
const MAX_WINDOWED_RPS: f64 = 100_000.0;
const WINDOW: Duration = Duration::from_secs(1);

/// Spaces request starts evenly and holds them back while the endpoint is paused.
///
/// A virtual schedule of slots one spacing apart (GCRA): a start takes the next slot,
/// and a slot left unused is lost, so after an idle period the next request may start
/// at once but the one after it still waits a full spacing. A log of the last second's
/// starts guarantees that no window of one second ever holds more than `max_rps`.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    spacing: Duration,
    /// How early a start may take its slot (only for spacings finer than the timer).
    slack: Duration,
    /// The slot the next start takes, unless it comes later.
    next_slot: Option<Instant>,
    /// Nothing starts before this (a 429's `Retry-After`).
    paused_until: Option<Instant>,
    /// Starts within the last second, oldest first; at most `per_window` of them.
    recent: VecDeque<Instant>,
    per_window: Option<usize>,
}

impl RateLimiter {
    pub fn new(max_rps: f64) -> RateLimiter {
        let spacing = spacing_for(max_rps);
        let per_window = (max_rps.is_finite() && max_rps <= MAX_WINDOWED_RPS)
            .then(|| (spacing_rate(max_rps).floor() as usize).max(1));
        RateLimiter {
            spacing,
            slack: if spacing < TIMER_SLACK * 2 {
                TIMER_SLACK
            } else {
                Duration::ZERO
            },
            next_slot: None,
            paused_until: None,
            recent: VecDeque::with_capacity(per_window.unwrap_or(0).min(4096)),
            per_window,
        }
    }

    pub fn spacing(&self) -> Duration {
        self.spacing
    }

    /// The earliest instant at or after `now` when a request may start.
    pub fn ready_at(&self, now: Instant) -> Instant {
        let slot = self
            .next_slot
            .map(|slot| slot.checked_sub(self.slack).unwrap_or(slot));
        let window_full = self
            .per_window
            .filter(|&limit| self.recent.len() >= limit)
            .and_then(|_| self.recent.front())
            .map(|&oldest| oldest + WINDOW);
        [slot, self.paused_until, window_full]
            .into_iter()
            .flatten()
            .fold(now, Instant::max)
    }

    pub fn is_ready(&self, now: Instant) -> bool {
        self.ready_at(now) <= now
    }

    /// Records a request started at `now`: it takes the next slot (or `now`, when the
    /// slots fell behind: unused slots are lost), and the next start gets the slot after.
    pub fn record_start(&mut self, now: Instant) {
        let slot = self.next_slot.map_or(now, |slot| slot.max(now));
        self.next_slot = Some(slot + self.spacing);
        if let Some(limit) = self.per_window {
            while self.recent.front().is_some_and(|&t| t + WINDOW <= now) {
                self.recent.pop_front();
            }
            if self.recent.len() >= limit {
                self.recent.pop_front();
            }
            self.recent.push_back(now);
        }
    }

    /// Waits for the next slot and takes it: for commands that send requests one after
    /// another (`coctop list`) under the same pacing as the engine.
    pub async fn take_turn(&mut self) {
        let at = self.ready_at(Instant::now());
        tokio::time::sleep_until(at).await;
        self.record_start(Instant::now().max(at));
    }

    /// Nothing may start before `until` (a 429's `Retry-After`).
    pub fn pause_until(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |t| t.max(until)));
    }
}

/// A `RateLimiter` shared by independent tasks (`coctop get`'s requests): each one
/// waits for its turn before it sends.
#[derive(Debug)]
pub struct Pacer(std::sync::Mutex<RateLimiter>);

impl Pacer {
    pub fn new(max_rps: f64) -> Pacer {
        Pacer(std::sync::Mutex::new(RateLimiter::new(max_rps)))
    }

    /// Returns once a request may start, its start recorded.
    pub async fn turn(&self) {
        loop {
            let now = Instant::now();
            let ready_at = {
                let mut limiter = self.0.lock().unwrap_or_else(|e| e.into_inner());
                if limiter.is_ready(now) {
                    limiter.record_start(now);
                    return;
                }
                limiter.ready_at(now)
            };
            tokio::time::sleep_until(ready_at).await;
        }
    }
}

fn spacing_rate(max_rps: f64) -> f64 {
    if max_rps > 0.0 { max_rps } else { FALLBACK_RPS }
}

fn spacing_for(max_rps: f64) -> Duration {
    Duration::try_from_secs_f64(1.0 / spacing_rate(max_rps))
        .unwrap_or(MAX_SPACING)
        .min(MAX_SPACING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_shared_pacer_spaces_concurrent_turns() {
        let pacer = std::sync::Arc::new(Pacer::new(2.0));
        let t0 = Instant::now();
        let turns = (0..5).map(|_| {
            let pacer = pacer.clone();
            tokio::spawn(async move {
                pacer.turn().await;
                Instant::now()
            })
        });
        let mut at: Vec<Duration> = Vec::new();
        for turn in turns {
            at.push(turn.await.unwrap() - t0);
        }
        at.sort();
        let ms: Vec<u128> = at.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 500, 1000, 1500, 2000]);
    }

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

#[cfg(test)]
mod fine_rate_tests {
    use super::*;

    /// Starts as the engine makes them: at each (millisecond) wake-up, as many as the
    /// limiter allows.
    fn starts_over(limiter: &mut RateLimiter, t0: Instant, millis: u64) -> Vec<Instant> {
        let mut starts = Vec::new();
        for ms in 0..millis {
            let now = t0 + Duration::from_millis(ms);
            while limiter.is_ready(now) {
                limiter.record_start(now);
                starts.push(now);
            }
        }
        starts
    }

    #[test]
    fn rates_finer_than_the_timer_are_sustained_on_millisecond_wakeups() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(2000.0);
        let starts = starts_over(&mut limiter, t0, 5000);
        // 5 s at 2,000/s, within the slack of the first wake-up.
        assert!((9990..=10_004).contains(&starts.len()), "{}", starts.len());
    }

    #[test]
    fn no_second_ever_holds_more_than_max_rps_starts() {
        let t0 = Instant::now();
        for rps in [3.0, 999.0, 2000.0, 2500.0] {
            let mut limiter = RateLimiter::new(rps);
            let starts = starts_over(&mut limiter, t0, 4000);
            let mut first = 0;
            for (last, &at) in starts.iter().enumerate() {
                while starts[first] + WINDOW <= at {
                    first += 1;
                }
                assert!(
                    last - first < rps as usize,
                    "{rps}/s: {} in a second",
                    last - first + 1
                );
            }
        }
    }
}
