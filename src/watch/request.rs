//! The kinds of request the engine sends, and the one way each is sent: a new kind is
//! one variant here, one arm in `send`, and one arm where the engine takes its answer.

use std::sync::Arc;
use std::time::SystemTime;

use super::gate::{Pass, Scope};
use super::sweeps::SweepOf;
use super::{Fetcher, Listed};
use crate::coc::pager::{PageAt, marker_after};
use crate::coc::{
    ApiError, Instance, JobOperation, JobTicket, ListQuery, Page, ScriptBatch, ScriptHost,
    ScriptHostQuery, ScriptOrder, ScriptOrderQuery, ScriptStatistics, ScriptTicket, Step,
    TicketKind, TicketRef,
};
use crate::launch::JobRun;
use crate::query::TicketQuery;

/// A request waiting for the gate.
#[derive(Debug)]
pub(super) enum Request {
    /// A tracked ticket's GET, of either kind.
    Poll { id: TicketRef, incarnation: u64 },
    /// A page of an execution's steps; `read` tells reads of the same ticket apart.
    Steps {
        id: TicketRef,
        read: u64,
        page: PageAt,
    },
    /// One part of a script ticket's progress; `read` as for steps.
    Progress {
        id: TicketRef,
        read: u64,
        part: ProgressPart,
    },
    /// A page of a step's instances, for the hosts view.
    Instances {
        id: TicketRef,
        step_id: String,
        page: PageAt,
    },
    /// A page of a script batch's hosts, for the batch hosts view.
    BatchHosts {
        id: TicketRef,
        batch_index: u32,
        page: PageAt,
    },
    /// An operation: sent once, never retried.
    Operate {
        id: TicketRef,
        operation: JobOperation,
    },
    /// A job started ("run again" of `from`): sent once, never retried.
    Start { from: TicketRef, run: Arc<JobRun> },
    /// A page of a list API for a sweep (or the browse view); `pass` tells its
    /// passes apart.
    List {
        of: SweepOf,
        pass: u64,
        query: ListOf,
        page: PageAt,
    },
}

/// The two calls that make a script ticket's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProgressPart {
    Statistics,
    Batches,
}

/// What one part brought.
pub(super) enum ProgressPiece {
    Statistics(ScriptStatistics),
    Batches(Vec<ScriptBatch>),
}

/// Which list a page is of, with its filters (without paging).
#[derive(Debug, Clone, PartialEq)]
pub enum ListOf {
    Executions(ListQuery),
    Scripts(ScriptOrderQuery),
}

impl ListOf {
    /// The list of `kind` that `query` reads at `now`.
    pub fn of(query: &TicketQuery, kind: TicketKind, now: SystemTime) -> ListOf {
        match kind {
            TicketKind::Execution => ListOf::Executions(query.list_query(now)),
            TicketKind::Script => ListOf::Scripts(query.script_query(now)),
        }
    }

    pub fn kind(&self) -> TicketKind {
        match self {
            ListOf::Executions(_) => TicketKind::Execution,
            ListOf::Scripts(_) => TicketKind::Script,
        }
    }
}

/// A request's answer, with what identifies it.
pub(super) enum Answer {
    Poll {
        id: TicketRef,
        incarnation: u64,
        result: Result<Box<JobTicket>, ApiError>,
    },
    Steps {
        id: TicketRef,
        read: u64,
        page: PageAt,
        result: Result<Page<Step>, ApiError>,
    },
    Progress {
        id: TicketRef,
        read: u64,
        result: Result<ProgressPiece, ApiError>,
    },
    Instances {
        id: TicketRef,
        step_id: String,
        page: PageAt,
        result: Result<Page<Instance>, ApiError>,
    },
    BatchHosts {
        id: TicketRef,
        batch_index: u32,
        page: PageAt,
        result: Result<Page<ScriptHost>, ApiError>,
    },
    Operated {
        id: TicketRef,
        operation: JobOperation,
        result: Result<(), ApiError>,
    },
    Started {
        from: TicketRef,
        run: Arc<JobRun>,
        result: Result<String, ApiError>,
    },
    List {
        of: SweepOf,
        pass: u64,
        page: PageAt,
        result: Result<Listed, ApiError>,
    },
}

/// A finished request: its answer, the gate pass it was sent in and when it started.
pub(super) struct Completion {
    pub pass: Pass,
    pub scope: Scope,
    pub started: tokio::time::Instant,
    pub answer: Answer,
}

impl Request {
    /// What the request's errors say about the credentials.
    pub fn scope(&self) -> Scope {
        match self {
            Request::List { .. } => Scope::Listing,
            _ => Scope::Account,
        }
    }

    /// Sends it once.
    pub async fn send<F: Fetcher>(self, fetcher: &F) -> Answer {
        match self {
            Request::Poll { id, incarnation } => Answer::Poll {
                result: match id.kind() {
                    TicketKind::Execution => fetcher.fetch(id.id()).await.map(JobTicket::from),
                    TicketKind::Script => fetcher.fetch_script(id.id()).await.map(JobTicket::from),
                }
                .map(Box::new),
                id,
                incarnation,
            },
            Request::Steps { id, read, page } => Answer::Steps {
                result: fetcher.steps_page(id.id(), page.limit, page.offset()).await,
                id,
                read,
                page,
            },
            Request::Progress { id, read, part } => Answer::Progress {
                result: match part {
                    ProgressPart::Statistics => fetcher
                        .script_statistics(id.id())
                        .await
                        .map(ProgressPiece::Statistics),
                    ProgressPart::Batches => fetcher
                        .script_batches(id.id())
                        .await
                        .map(ProgressPiece::Batches),
                },
                id,
                read,
            },
            Request::Instances { id, step_id, page } => Answer::Instances {
                result: fetcher
                    .fetch_instances(&step_id, page.limit, page.offset())
                    .await,
                id,
                step_id,
                page,
            },
            Request::BatchHosts {
                id,
                batch_index,
                page,
            } => Answer::BatchHosts {
                result: fetcher
                    .script_hosts(id.id(), batch_index, &ScriptHostQuery::at(None, &page))
                    .await,
                id,
                batch_index,
                page,
            },
            Request::Operate { id, operation } => Answer::Operated {
                result: match operation {
                    JobOperation::Execution(op) => fetcher.operate(id.id(), op).await,
                    JobOperation::Script(op) => fetcher.operate_script(id.id(), op).await,
                },
                id,
                operation,
            },
            Request::Start { from, run } => Answer::Started {
                result: fetcher.start(&run).await,
                from,
                run,
            },
            Request::List {
                of,
                pass,
                query,
                page,
            } => Answer::List {
                result: list_page(fetcher, query, &page).await,
                of,
                pass,
                page,
            },
        }
    }
}

/// One page of either list, its rows as tickets (a script ticket's row without its
/// script: only its detail tells it), with the marker of the page after it.
pub async fn list_page<F: Fetcher>(
    fetcher: &F,
    query: ListOf,
    page: &PageAt,
) -> Result<Listed, ApiError> {
    match query {
        ListOf::Executions(query) => {
            let query = ListQuery {
                limit: Some(page.limit),
                offset: Some(page.offset()),
                ..query
            };
            let listed = fetcher.list(&query).await?;
            Ok(Listed {
                rows: listed.data.into_iter().map(JobTicket::from).collect(),
                total: listed.total,
                next_marker: None,
            })
        }
        ListOf::Scripts(query) => {
            let listed = fetcher.script_list(&query.at(page)).await?;
            Ok(Listed {
                next_marker: marker_after(page, &listed.data, ScriptOrder::marker),
                rows: listed
                    .data
                    .into_iter()
                    .map(|order| JobTicket::from(ScriptTicket::from(order)))
                    .collect(),
                total: listed.total,
            })
        }
    }
}

impl Answer {
    pub fn error(&self) -> Option<&ApiError> {
        match self {
            Answer::Poll { result, .. } => result.as_ref().err(),
            Answer::Steps { result, .. } => result.as_ref().err(),
            Answer::Progress { result, .. } => result.as_ref().err(),
            Answer::Instances { result, .. } => result.as_ref().err(),
            Answer::BatchHosts { result, .. } => result.as_ref().err(),
            Answer::Operated { result, .. } => result.as_ref().err(),
            Answer::Started { result, .. } => result.as_ref().err(),
            Answer::List { result, .. } => result.as_ref().err(),
        }
    }
}
