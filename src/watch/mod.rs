//! The polling engine: owns the client, schedules polls per ticket, respects
//! concurrency, rate limits, backoff and throttling. No terminal code.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::coc::{ApiError, Client, Instance, ListQuery, Operation, Page, Status, Step, Ticket};
use crate::query::TicketQuery;

mod engine;
pub mod pages;
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

    /// Whether `list` works; without it every ticket is refreshed by its own GET and
    /// queries find nothing.
    fn lists(&self) -> bool {
        false
    }

    /// One page of `GET /v1/executions`.
    fn list(
        &self,
        _query: &ListQuery,
    ) -> impl Future<Output = Result<Page<Ticket>, ApiError>> + Send {
        async {
            Err(ApiError::Network {
                detail: "this fetcher cannot list tickets".into(),
            })
        }
    }

    /// One page of a step's instances. Fakes without hosts keep this default.
    fn fetch_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Page<Instance>, ApiError>> + Send {
        let _ = (execution_step_id, limit, offset);
        std::future::ready(Err(ApiError::Network {
            detail: "this fetcher has no instances".into(),
        }))
    }
    /// Sends an operation, once. Fakes that never operate keep this default.
    fn operate(
        &self,
        execution_id: &str,
        operation: Operation,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let _ = (execution_id, operation);
        std::future::ready(Err(ApiError::Network {
            detail: "this fetcher cannot send operations".into(),
        }))
    }
}

impl Fetcher for Client {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.get_execution(execution_id).await
    }

    async fn fetch_steps(&self, execution_id: &str) -> Result<Vec<Step>, ApiError> {
        self.all_steps(execution_id).await
    }

    async fn fetch_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Instance>, ApiError> {
        self.list_instances(execution_step_id, limit, offset).await
    }

    async fn operate(&self, execution_id: &str, operation: Operation) -> Result<(), ApiError> {
        self.operate_execution(execution_id, operation).await
    }

    fn lists(&self) -> bool {
        true
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Ticket>, ApiError> {
        self.list_executions(query).await
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
    /// Watch a ticket known from the cache: its status there counts as seen (a change
    /// from it is a transition), and a finished one is parked: no request until a
    /// refresh.
    AddKnown(Arc<Ticket>),
    Remove(String),
    /// Fetch the steps of a ticket (on demand, for the Steps tab).
    FetchSteps(String),
    /// Follow the tickets a query finds, by its list pages, every interval: new ones
    /// are added, finished ones stay until they leave the query's window.
    AddQuery {
        name: String,
        query: TicketQuery,
    },
    /// One page of the list for the browse view (`generation` comes back with it).
    Browse {
        generation: u64,
        query: TicketQuery,
        offset: u32,
    },
    /// Keep this ticket's steps fresh (the open ticket): fetched now, after each of its
    /// polls while it is active and once more when it finishes. `None` stops.
    FollowSteps(Option<String>),
    /// Fetch one page of a step's instances (the hosts view).
    FetchInstances {
        execution_id: String,
        step_id: String,
        limit: u32,
        offset: u32,
    },
    /// Send an operation once (never retried), then poll the ticket at once and keep
    /// polling it for a while even if it still shows a finished status.
    Operate {
        execution_id: String,
        operation: Operation,
    },
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
    /// A query found the ticket (sent before its first snapshot through the query).
    Joined {
        execution_id: String,
        query: String,
        at: SystemTime,
    },
    /// A finished ticket left the query's window; `dropped` when the engine no longer
    /// watches it at all (no other query holds it and it was not named explicitly).
    Left {
        execution_id: String,
        query: String,
        dropped: bool,
        at: SystemTime,
    },
    /// A page for the browse view.
    BrowsePage {
        generation: u64,
        offset: u32,
        result: Result<Page<Ticket>, ApiError>,
        at: SystemTime,
    },
    /// The answer to `Command::FetchInstances`.
    Instances {
        execution_id: String,
        step_id: String,
        offset: u32,
        result: Result<Page<Instance>, ApiError>,
        at: SystemTime,
    },
    /// The answer to `Command::Operate`.
    Operated {
        execution_id: String,
        operation: Operation,
        result: Result<(), ApiError>,
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
            | Update::Joined { at, .. }
            | Update::Left { at, .. }
            | Update::BrowsePage { at, .. }
            | Update::Operated { at, .. }
            | Update::Instances { at, .. }
            | Update::AuthFailed { at, .. } => Some(*at),
            Update::Throttled { .. } => None,
        }
    }
}
