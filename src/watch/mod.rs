//! The polling engine: owns the client, schedules polls per ticket, respects
//! concurrency, rate limits, backoff and throttling. No terminal code.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::coc::{ApiError, Client, Status, Step, Ticket};

mod engine;
mod rate;
mod schedule;

pub use engine::{
    DEFAULT_THROTTLE_PAUSE, EngineHandle, MAX_FAILED_PROBES, MAX_THROTTLE_PAUSE, PROBE_SPACING,
    spawn,
};
pub use rate::{Pacer, RateLimiter};
pub use schedule::Schedule;

/// What the engine needs from the API; `Client` in production, scripted fakes in tests.
pub trait Fetcher: Send + Sync + 'static {
    fn fetch(&self, execution_id: &str) -> impl Future<Output = Result<Ticket, ApiError>> + Send;
    fn fetch_steps(
        &self,
        execution_id: &str,
    ) -> impl Future<Output = Result<Vec<Step>, ApiError>> + Send;
}

impl Fetcher for Client {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.get_execution(execution_id).await
    }

    async fn fetch_steps(&self, execution_id: &str) -> Result<Vec<Step>, ApiError> {
        Ok(self.list_steps(execution_id, 100, 0).await?.data)
    }
}

/// `[poll]` of the config.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// How often an active ticket is polled.
    pub interval: Duration,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests per second at most, all tickets together.
    pub max_rps: f64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            interval: Duration::from_secs(5),
            concurrency: 8,
            max_rps: 10.0,
        }
    }
}

/// Commands into the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Poll this ticket now, even when it is finished.
    Refresh(String),
    /// Poll every ticket now, finished ones included.
    RefreshAll,
    Add(String),
    Remove(String),
    /// Fetch the steps of a ticket (on demand, for the Steps tab).
    FetchSteps(String),
    Shutdown,
}

/// Updates out of the engine, in the order they happened.
#[derive(Debug, Clone)]
pub enum Update {
    /// A successful poll.
    Snapshot {
        execution_id: String,
        ticket: Arc<Ticket>,
        at: SystemTime,
    },
    /// A failed poll; `last_good` is the last snapshot that was fetched, if any.
    Error {
        execution_id: String,
        error: ApiError,
        last_good: Option<Arc<Ticket>>,
        at: SystemTime,
    },
    /// A status change seen between two polls (`from` is `None` on the first sight).
    Transition {
        execution_id: String,
        from: Option<Status>,
        to: Status,
        at: SystemTime,
    },
    Steps {
        execution_id: String,
        result: Result<Vec<Step>, ApiError>,
        at: SystemTime,
    },
    /// The endpoint answered 429: nothing is sent before `until`.
    Throttled { until: SystemTime, error: ApiError },
    /// 401/403: polling has stopped (reported once).
    AuthFailed { error: ApiError, at: SystemTime },
}

impl Update {
    /// When it happened; `None` for a throttling pause, which names when it ends.
    pub fn at(&self) -> Option<SystemTime> {
        match self {
            Update::Snapshot { at, .. }
            | Update::Error { at, .. }
            | Update::Transition { at, .. }
            | Update::Steps { at, .. }
            | Update::AuthFailed { at, .. } => Some(*at),
            Update::Throttled { .. } => None,
        }
    }
}
