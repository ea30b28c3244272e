//! The polling engine: owns the client, schedules polls per ticket, respects
//! concurrency, rate limits, backoff and throttling. No terminal code.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::coc::{ApiError, Client, Instance, ListQuery, Operation, Page, Status, Step, Ticket};
use crate::launch::JobRun;
use crate::query::TicketQuery;

mod engine;
mod gate;
pub mod pager;
pub mod pages;
mod rate;
mod request;
mod schedule;
mod sweeps;
mod tracked;

pub use engine::{EngineHandle, spawn};
pub use gate::{
    DEFAULT_THROTTLE_PAUSE, Gate, MAX_FAILED_PROBES, MAX_THROTTLE_PAUSE, PROBE_SPACING, Scope,
    Verdict,
};
pub use pager::{Cursor, End, Limits, PageAt, Pager, read_all};
pub use rate::{Pacer, RateLimiter};
pub use schedule::Schedule;

/// What the engine needs from the API; `Client` in production, scripted fakes in tests.
/// Lists are read one page per call: the engine pages them itself, each page through
/// its pacer.
pub trait Fetcher: Send + Sync + 'static {
    fn fetch(&self, execution_id: &str) -> impl Future<Output = Result<Ticket, ApiError>> + Send;

    /// One page of a ticket's steps. Fakes without steps keep this default.
    fn steps_page(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Page<Step>, ApiError>> + Send {
        let _ = (execution_id, limit, offset);
        std::future::ready(Err(ApiError::Network {
            detail: "this fetcher has no steps".into(),
        }))
    }

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

    /// Whether writes are refused where they leave (`--read-only`): an operation is
    /// then answered at once, never launched.
    fn read_only(&self) -> bool {
        false
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

    /// Starts a job, once; the answer is the new execution's ID. Fakes that never
    /// start jobs keep this default.
    fn start(&self, run: &JobRun) -> impl Future<Output = Result<String, ApiError>> + Send {
        let _ = run;
        std::future::ready(Err(ApiError::Network {
            detail: "this fetcher cannot start jobs".into(),
        }))
    }
}

impl Fetcher for Client {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.get_execution(execution_id).await
    }

    async fn steps_page(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Step>, ApiError> {
        self.list_steps(execution_id, limit, offset).await
    }

    async fn fetch_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Instance>, ApiError> {
        self.list_instances(execution_step_id, limit, offset).await
    }

    fn read_only(&self) -> bool {
        self.is_read_only()
    }

    async fn operate(&self, execution_id: &str, operation: Operation) -> Result<(), ApiError> {
        self.operate_execution(execution_id, operation).await
    }

    async fn start(&self, run: &JobRun) -> Result<String, ApiError> {
        self.execute_document(&run.document_id, &run.request).await
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
        page: PageAt,
    },
    /// Keep this ticket's steps fresh (the open ticket): fetched now, after each of its
    /// polls while it is active and once more when it finishes. `None` stops.
    FollowSteps(Option<String>),
    /// Fetch one page of a step's instances (the hosts view).
    FetchInstances {
        execution_id: String,
        step_id: String,
        page: PageAt,
    },
    /// Send an operation once (never retried), then poll the ticket at once and keep
    /// polling it for a while even if it still shows a finished status.
    Operate {
        execution_id: String,
        operation: Operation,
    },
    /// Start a job once (never retried): "run again" of the ticket `from`.
    Start {
        from: String,
        run: Arc<JobRun>,
    },
    Shutdown,
}

/// Updates out of the engine, in the order they happened: news of a tracked ticket,
/// the answer to a command, or the engine's own health.
#[derive(Debug, Clone)]
pub enum Update {
    Ticket(TicketUpdate),
    Reply(Reply),
    Health(HealthUpdate),
}

/// News of a ticket the engine tracks.
#[derive(Debug, Clone)]
pub enum TicketUpdate {
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
    /// A query found the ticket (sent before its first snapshot through the query).
    Joined {
        execution_id: String,
        query: String,
        at: SystemTime,
    },
    /// A finished ticket left the query's window; `dropped` when the engine no longer
    /// tracks it at all (no other query holds it and it was not named explicitly).
    Left {
        execution_id: String,
        query: String,
        dropped: bool,
        at: SystemTime,
    },
}

/// The answer to a command.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The answer to `FetchSteps` / `FollowSteps`: every step, up to `Limits::STEPS`.
    Steps {
        execution_id: String,
        result: Result<Vec<Step>, ApiError>,
        at: SystemTime,
    },
    /// A page for the browse view.
    BrowsePage {
        generation: u64,
        page: PageAt,
        result: Result<Page<Ticket>, ApiError>,
        at: SystemTime,
    },
    /// The answer to `Command::FetchInstances`.
    Instances {
        execution_id: String,
        step_id: String,
        page: PageAt,
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
    /// The answer to `Command::Start`: the new execution's ID.
    Started {
        from: String,
        run: Arc<JobRun>,
        result: Result<String, ApiError>,
        at: SystemTime,
    },
}

/// The engine's own state, for every ticket at once.
#[derive(Debug, Clone)]
pub enum HealthUpdate {
    /// The endpoint answered 429: nothing is sent before `until`.
    Throttled { until: SystemTime, error: ApiError },
    /// 401/403: polling has stopped (reported once).
    AuthFailed { error: ApiError, at: SystemTime },
}

impl Update {
    /// When it happened; `None` for a throttling pause, which names when it ends.
    pub fn at(&self) -> Option<SystemTime> {
        match self {
            Update::Ticket(
                TicketUpdate::Snapshot { at, .. }
                | TicketUpdate::Error { at, .. }
                | TicketUpdate::Transition { at, .. }
                | TicketUpdate::Joined { at, .. }
                | TicketUpdate::Left { at, .. },
            )
            | Update::Reply(
                Reply::Steps { at, .. }
                | Reply::BrowsePage { at, .. }
                | Reply::Operated { at, .. }
                | Reply::Started { at, .. }
                | Reply::Instances { at, .. },
            )
            | Update::Health(HealthUpdate::AuthFailed { at, .. }) => Some(*at),
            Update::Health(HealthUpdate::Throttled { .. }) => None,
        }
    }
}
