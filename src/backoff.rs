//! Capped exponential backoff with jitter: the one policy behind the client's retries
//! of a GET and the engine's per-ticket waits after failed polls.

use std::time::Duration;

/// The engine's per-ticket backoff never waits longer than this (or the poll
/// interval, when that is longer).
pub const BACKOFF_CAP: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    /// The engine's: one poll interval, doubling, capped at `BACKOFF_CAP`.
    pub fn for_polls(interval: Duration) -> Backoff {
        Backoff {
            base: interval,
            cap: BACKOFF_CAP.max(interval),
        }
    }

    /// The wait after `n` doublings: `base * 2^n`, capped, then scaled by
    /// `0.5 + 0.5 * jitter` (`jitter` in 0..=1) so that callers that failed together do
    /// not try again together. The engine counts failures from 1, so a failing ticket
    /// waits between one and two intervals and is never polled faster than a healthy one.
    pub fn delay(&self, n: u32, jitter: f64) -> Duration {
        let factor = 2u32.saturating_pow(n.min(31));
        let ceiling = self.base.saturating_mul(factor).min(self.cap);
        ceiling.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Duration = Duration::from_secs(5);

    #[test]
    fn grows_exponentially_within_jitter_bounds() {
        for failures in 1..=4 {
            let full = FIVE * 2u32.pow(failures);
            assert_eq!(Backoff::for_polls(FIVE).delay(failures, 1.0), full);
            assert_eq!(Backoff::for_polls(FIVE).delay(failures, 0.0), full / 2);
            // The shortest wait after n+1 failures is the longest after n.
            assert_eq!(
                Backoff::for_polls(FIVE).delay(failures + 1, 0.0),
                Backoff::for_polls(FIVE).delay(failures, 1.0)
            );
        }
    }

    #[test]
    fn is_capped_even_after_very_many_failures() {
        assert_eq!(Backoff::for_polls(FIVE).delay(10, 1.0), BACKOFF_CAP);
        assert_eq!(Backoff::for_polls(FIVE).delay(u32::MAX, 1.0), BACKOFF_CAP);
        let long = Duration::from_secs(600);
        assert_eq!(Backoff::for_polls(long).delay(3, 1.0), long);
    }

    #[test]
    fn out_of_range_jitter_is_clamped() {
        assert_eq!(
            Backoff::for_polls(FIVE).delay(1, 7.0),
            Duration::from_secs(10)
        );
        assert_eq!(Backoff::for_polls(FIVE).delay(1, -1.0), FIVE);
    }
}
