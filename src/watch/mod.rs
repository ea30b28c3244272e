//! The polling engine: owns the client, schedules polls per ticket, respects
//! concurrency, rate limits, backoff and throttling. No terminal code.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::coc::{
    ApiError, Client, Instance, JobOperation, JobStatus, JobTicket, ListQuery, Operation, Page,
    ScriptBatch, ScriptHost, ScriptHostQuery, ScriptOperation, ScriptOrder, ScriptOrderQuery,
    ScriptStatistics, ScriptTicket, Step, Ticket, TicketKind, TicketRef,
};
use crate::launch::JobRun;
use crate::query::TicketQuery;

mod engine;
mod gate;
pub mod merged;
pub mod pager;
pub mod pages;
mod rate;
mod request;
mod schedule;
mod sweeps;
mod tracked;

pub use crate::coc::pager::{Cursor, End, Limits, PageAt, Pager, marker_after};
pub use engine::{EngineHandle, spawn, spawn_as_decoded, spawn_for};
pub use gate::{
    DEFAULT_THROTTLE_PAUSE, Gate, MAX_FAILED_PROBES, MAX_THROTTLE_PAUSE, PROBE_SPACING, Scope,
    Verdict,
};
pub use pager::{no_marker, read_all};
pub use rate::{Pacer, RateLimiter};
pub use request::{ListOf, list_page};
pub use schedule::Schedule;

/// What the engine needs from the API; `Client` in production, scripted fakes in tests.
/// Lists are read one page per call: the engine pages them itself, each page through
/// its pacer. Every call a fake does not make answers an error by default.
pub trait Fetcher: Send + Sync + 'static {
    fn fetch(&self, execution_id: &str) -> impl Future<Output = Result<Ticket, ApiError>> + Send;

    /// One page of a ticket's steps.
    fn steps_page(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Page<Step>, ApiError>> + Send {
        let _ = (execution_id, limit, offset);
        unsupported("steps")
    }

    /// Whether `list` (and `script_list`) work; without it every ticket is refreshed by
    /// its own GET and queries find nothing.
    fn lists(&self) -> bool {
        false
    }

    /// One page of `GET /v1/executions`.
    fn list(
        &self,
        _query: &ListQuery,
    ) -> impl Future<Output = Result<Page<Ticket>, ApiError>> + Send {
        unsupported("lists of executions")
    }

    /// One page of a step's instances.
    fn fetch_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Page<Instance>, ApiError>> + Send {
        let _ = (execution_step_id, limit, offset);
        unsupported("instances")
    }

    /// `GET /v1/job/script/orders/{execute_uuid}`.
    fn fetch_script(
        &self,
        execute_uuid: &str,
    ) -> impl Future<Output = Result<ScriptTicket, ApiError>> + Send {
        let _ = execute_uuid;
        unsupported("script tickets")
    }

    /// One page of `GET /v1/job/script/orders`.
    fn script_list(
        &self,
        _query: &ScriptOrderQuery,
    ) -> impl Future<Output = Result<Page<ScriptOrder>, ApiError>> + Send {
        unsupported("lists of script tickets")
    }

    /// A script ticket's host counts per status.
    fn script_statistics(
        &self,
        execute_uuid: &str,
    ) -> impl Future<Output = Result<ScriptStatistics, ApiError>> + Send {
        let _ = execute_uuid;
        unsupported("script statistics")
    }

    /// A script ticket's batches.
    fn script_batches(
        &self,
        execute_uuid: &str,
    ) -> impl Future<Output = Result<Vec<ScriptBatch>, ApiError>> + Send {
        let _ = execute_uuid;
        unsupported("script batches")
    }

    /// One page of a script batch's hosts.
    fn script_hosts(
        &self,
        execute_uuid: &str,
        batch_index: u32,
        query: &ScriptHostQuery,
    ) -> impl Future<Output = Result<Page<ScriptHost>, ApiError>> + Send {
        let _ = (execute_uuid, batch_index, query);
        unsupported("script hosts")
    }

    /// Whether writes are refused where they leave (`--read-only`): an operation is
    /// then answered at once, never launched.
    fn read_only(&self) -> bool {
        false
    }

    /// Sends an operation on an execution, once.
    fn operate(
        &self,
        execution_id: &str,
        operation: Operation,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let _ = (execution_id, operation);
        unsupported("operations")
    }

    /// Starts a job, once; the answer is the new execution's ID. Fakes that never
    /// start jobs keep this default.
    fn start(&self, run: &JobRun) -> impl Future<Output = Result<String, ApiError>> + Send {
        let _ = run;
        unsupported("job starts")
    }

    /// Sends an operation on a script ticket, once.
    fn operate_script(
        &self,
        execute_uuid: &str,
        operation: ScriptOperation,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let _ = (execute_uuid, operation);
        unsupported("script operations")
    }
}

/// The answer of a call a fetcher does not make.
fn unsupported<T>(what: &str) -> std::future::Ready<Result<T, ApiError>> {
    std::future::ready(Err(ApiError::Network {
        detail: format!("this fetcher has no {what}"),
    }))
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

    async fn fetch_script(&self, execute_uuid: &str) -> Result<ScriptTicket, ApiError> {
        self.get_script_ticket(execute_uuid).await
    }

    async fn script_list(&self, query: &ScriptOrderQuery) -> Result<Page<ScriptOrder>, ApiError> {
        self.list_script_orders(query).await
    }

    async fn script_statistics(&self, execute_uuid: &str) -> Result<ScriptStatistics, ApiError> {
        Client::script_statistics(self, execute_uuid).await
    }

    async fn script_batches(&self, execute_uuid: &str) -> Result<Vec<ScriptBatch>, ApiError> {
        self.list_script_batches(execute_uuid).await
    }

    async fn script_hosts(
        &self,
        execute_uuid: &str,
        batch_index: u32,
        query: &ScriptHostQuery,
    ) -> Result<Page<ScriptHost>, ApiError> {
        self.list_script_hosts(execute_uuid, batch_index, query)
            .await
    }

    async fn operate_script(
        &self,
        execute_uuid: &str,
        operation: ScriptOperation,
    ) -> Result<(), ApiError> {
        self.operate_script_ticket(execute_uuid, operation).await
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

/// Commands into the engine. Tickets are named by their reference, of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Poll this ticket now, even when it is finished.
    Refresh(TicketRef),
    /// Poll every ticket now, finished ones included.
    RefreshAll,
    Add(TicketRef),
    /// Watch a ticket known from the cache: its status there counts as seen (a change
    /// from it is a transition), and a finished one is parked: no request until a
    /// refresh.
    AddKnown(TicketRef, Arc<JobTicket>),
    Remove(TicketRef),
    /// Fetch the steps of an execution, or the statistics and batches of a script
    /// ticket (on demand, for the Steps or Batches tab).
    FetchDetails(TicketRef),
    /// Follow the tickets a query finds, by its list pages, every interval: new ones
    /// are added, finished ones stay until they leave the query's window.
    AddQuery {
        name: String,
        query: Box<TicketQuery>,
    },
    /// One page of one kind's list for the browse view (`generation` comes back with
    /// it).
    Browse {
        generation: u64,
        kind: TicketKind,
        query: Box<TicketQuery>,
        page: PageAt,
    },
    /// Keep this ticket's details fresh (the open ticket): its steps or batches are
    /// fetched now, after each of its polls while it is active and once more when it
    /// finishes; a script ticket known only from list rows gets its GET. `None` stops.
    Follow(Option<TicketRef>),
    /// Fetch one page of a step's instances (the hosts view).
    FetchInstances {
        id: TicketRef,
        step_id: String,
        page: PageAt,
    },
    /// Fetch one page of a script batch's hosts (the batch hosts view).
    FetchBatchHosts {
        id: TicketRef,
        batch_index: u32,
        page: PageAt,
    },
    /// Send an operation once (never retried), then poll the ticket at once and keep
    /// polling it for a while even if it still shows a finished status.
    Operate {
        id: TicketRef,
        operation: JobOperation,
    },
    /// Start a job once (never retried): "run again" of the ticket `from`.
    Start {
        from: TicketRef,
        run: Arc<JobRun>,
    },
    /// In a dashboard over several profiles: ticket `id` is profile `profile`'s, and
    /// every command about it goes to that profile's engine (`merged`). An engine, of
    /// one profile, has nothing to do with it.
    Belongs {
        id: TicketRef,
        profile: Arc<str>,
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
    /// A successful poll (or list page).
    Snapshot {
        id: TicketRef,
        ticket: Arc<JobTicket>,
        at: SystemTime,
    },
    /// A failed poll; `last_good` is the last snapshot that was fetched, if any.
    Error {
        id: TicketRef,
        error: ApiError,
        last_good: Option<Arc<JobTicket>>,
        at: SystemTime,
    },
    /// A status change seen between two polls (`from` is `None` on the first sight).
    Transition {
        id: TicketRef,
        from: Option<JobStatus>,
        to: JobStatus,
        at: SystemTime,
    },
    /// A query found the ticket (sent before its first snapshot through the query).
    Joined {
        id: TicketRef,
        query: String,
        at: SystemTime,
    },
    /// A finished ticket left the query's window; `dropped` when the engine no longer
    /// tracks it at all (no other query holds it and it was not named explicitly).
    Left {
        id: TicketRef,
        query: String,
        dropped: bool,
        at: SystemTime,
    },
}

impl TicketUpdate {
    /// The ticket it is about.
    pub fn id(&self) -> &TicketRef {
        match self {
            TicketUpdate::Snapshot { id, .. }
            | TicketUpdate::Error { id, .. }
            | TicketUpdate::Transition { id, .. }
            | TicketUpdate::Joined { id, .. }
            | TicketUpdate::Left { id, .. } => id,
        }
    }
}

/// A page of a list of either kind, its rows as tickets: `next_marker` names the page
/// after it (marker paging), `total` is a hint.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub rows: Vec<JobTicket>,
    pub total: Option<i64>,
    pub next_marker: Option<String>,
}

/// A script ticket's progress for the Batches tab: hosts per status, and its batches.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScriptProgress {
    pub statistics: ScriptStatistics,
    pub batches: Vec<ScriptBatch>,
}

/// The answer to a command.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The answer to `FetchDetails` / `Follow` of an execution: every step, up to
    /// `Limits::STEPS`.
    Steps {
        id: TicketRef,
        result: Result<Vec<Step>, ApiError>,
        at: SystemTime,
    },
    /// The answer to `FetchDetails` / `Follow` of a script ticket.
    Progress {
        id: TicketRef,
        result: Result<ScriptProgress, ApiError>,
        at: SystemTime,
    },
    /// A page for the browse view.
    BrowsePage {
        generation: u64,
        kind: TicketKind,
        page: PageAt,
        result: Result<Listed, ApiError>,
        at: SystemTime,
    },
    /// The answer to `Command::FetchInstances`.
    Instances {
        id: TicketRef,
        step_id: String,
        page: PageAt,
        result: Result<Page<Instance>, ApiError>,
        at: SystemTime,
    },
    /// The answer to `Command::FetchBatchHosts`.
    BatchHosts {
        id: TicketRef,
        batch_index: u32,
        page: PageAt,
        result: Result<Page<ScriptHost>, ApiError>,
        at: SystemTime,
    },
    /// The answer to `Command::Operate`.
    Operated {
        id: TicketRef,
        operation: JobOperation,
        result: Result<(), ApiError>,
        at: SystemTime,
    },
    /// The answer to `Command::Start`: the new execution's ID.
    Started {
        from: TicketRef,
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
    /// One profile of several polls no more (its credentials missing or refused): the
    /// merged engine's word for it, the others going on.
    ProfileStopped {
        profile: String,
        error: ApiError,
        at: SystemTime,
    },
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
                | Reply::Progress { at, .. }
                | Reply::BrowsePage { at, .. }
                | Reply::Operated { at, .. }
                | Reply::Started { at, .. }
                | Reply::Instances { at, .. }
                | Reply::BatchHosts { at, .. },
            )
            | Update::Health(
                HealthUpdate::AuthFailed { at, .. } | HealthUpdate::ProfileStopped { at, .. },
            ) => Some(*at),
            Update::Health(HealthUpdate::Throttled { .. }) => None,
        }
    }
}
