//! Waiting on tokio's clock for a deadline that may not be set.

use tokio::time::Instant;

/// Sleeps until `deadline`, or for ever without one: the `select!` branch of a timer
/// that is not always armed.
pub async fn sleep_until(deadline: Option<impl Into<Instant>>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_deadline_ends_the_sleep_then_and_none_never_does() {
        let start = Instant::now();
        sleep_until(Some(start + Duration::from_secs(90))).await;
        assert_eq!(start.elapsed(), Duration::from_secs(90));
        let year = Duration::from_secs(365 * 86_400);
        let never = tokio::time::timeout(year, sleep_until(None::<Instant>)).await;
        assert!(never.is_err());
        assert_eq!(start.elapsed(), Duration::from_secs(90) + year);
        // A deadline already passed ends at once.
        sleep_until(Some(std::time::Instant::now() - Duration::from_secs(5))).await;
    }
}
