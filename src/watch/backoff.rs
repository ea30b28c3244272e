//! Per-ticket backoff after failed polls.

use std::time::Duration;

/// Backoff never waits longer than this (or `interval`, when that is longer).
pub const BACKOFF_CAP: Duration = Duration::from_secs(300);

/// The wait after the `failures`-th failure in a row (1-based): `interval * 2^failures`,
/// capped, then scaled by `0.5 + 0.5 * jitter` (`jitter` in 0..=1) so tickets that
/// failed together do not retry together. The first failure waits between one and two
/// intervals, so a failing ticket is never polled faster than a healthy one.
pub fn backoff_delay(interval: Duration, failures: u32, jitter: f64) -> Duration {
    let cap = BACKOFF_CAP.max(interval);
    let factor = 2u32.saturating_pow(failures.min(31));
    let base = interval.saturating_mul(factor).min(cap);
    base.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Duration = Duration::from_secs(5);

    #[test]
    fn grows_exponentially_within_jitter_bounds() {
        for failures in 1..=4 {
            let full = FIVE * 2u32.pow(failures);
            assert_eq!(backoff_delay(FIVE, failures, 1.0), full);
            assert_eq!(backoff_delay(FIVE, failures, 0.0), full / 2);
            // The shortest wait after n+1 failures is the longest after n.
            assert_eq!(
                backoff_delay(FIVE, failures + 1, 0.0),
                backoff_delay(FIVE, failures, 1.0)
            );
        }
    }

    #[test]
    fn is_capped_even_after_very_many_failures() {
        assert_eq!(backoff_delay(FIVE, 10, 1.0), BACKOFF_CAP);
        assert_eq!(backoff_delay(FIVE, u32::MAX, 1.0), BACKOFF_CAP);
        let long = Duration::from_secs(600);
        assert_eq!(backoff_delay(long, 3, 1.0), long);
    }

    #[test]
    fn out_of_range_jitter_is_clamped() {
        assert_eq!(backoff_delay(FIVE, 1, 7.0), Duration::from_secs(10));
        assert_eq!(backoff_delay(FIVE, 1, -1.0), FIVE);
    }
}
