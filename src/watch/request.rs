//! The kinds of request the engine sends, and the one way each is sent: a new kind is
//! one variant here, one arm in `send`, and one arm where the engine takes its answer.

use std::sync::Arc;

use super::Fetcher;
use super::gate::{Pass, Scope};
use super::pager::PageAt;
use super::sweeps::SweepOf;
use crate::coc::{ApiError, Instance, ListQuery, Operation, Page, Step, Ticket};
use crate::launch::JobRun;

/// A request waiting for the gate.
#[derive(Debug)]
pub(super) enum Request {
    /// A tracked ticket's GET.
    Poll { id: Arc<str>, incarnation: u64 },
    /// A page of a ticket's steps; `read` tells reads of the same ticket apart.
    Steps {
        id: Arc<str>,
        read: u64,
        page: PageAt,
    },
    /// A page of a step's instances, for the hosts view.
    Instances {
        execution_id: Arc<str>,
        step_id: Arc<str>,
        page: PageAt,
    },
    /// An operation: sent once, never retried.
    Operate { id: Arc<str>, operation: Operation },
    /// A job started ("run again" of `from`): sent once, never retried.
    Start { from: Arc<str>, run: Arc<JobRun> },
    /// A page of the list API for a sweep (or the browse view); `pass` tells its
    /// passes apart.
    List {
        of: SweepOf,
        pass: u64,
        query: ListQuery,
        page: PageAt,
    },
}

/// A request's answer, with what identifies it.
pub(super) enum Answer {
    Poll {
        id: Arc<str>,
        incarnation: u64,
        result: Result<Arc<Ticket>, ApiError>,
    },
    Steps {
        id: Arc<str>,
        read: u64,
        page: PageAt,
        result: Result<Page<Step>, ApiError>,
    },
    Instances {
        execution_id: Arc<str>,
        step_id: Arc<str>,
        page: PageAt,
        result: Result<Page<Instance>, ApiError>,
    },
    Operated {
        id: Arc<str>,
        operation: Operation,
        result: Result<(), ApiError>,
    },
    Started {
        from: Arc<str>,
        run: Arc<JobRun>,
        result: Result<String, ApiError>,
    },
    List {
        of: SweepOf,
        pass: u64,
        page: PageAt,
        result: Result<Page<Ticket>, ApiError>,
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
                result: fetcher.fetch(&id).await.map(Arc::new),
                id,
                incarnation,
            },
            Request::Steps { id, read, page } => Answer::Steps {
                result: fetcher.steps_page(&id, page.limit, page.offset()).await,
                id,
                read,
                page,
            },
            Request::Instances {
                execution_id,
                step_id,
                page,
            } => Answer::Instances {
                result: fetcher
                    .fetch_instances(&step_id, page.limit, page.offset())
                    .await,
                execution_id,
                step_id,
                page,
            },
            Request::Operate { id, operation } => Answer::Operated {
                result: fetcher.operate(&id, operation).await,
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
            } => {
                let query = ListQuery {
                    limit: Some(page.limit),
                    offset: Some(page.offset()),
                    ..query
                };
                Answer::List {
                    result: fetcher.list(&query).await,
                    of,
                    pass,
                    page,
                }
            }
        }
    }
}

impl Answer {
    pub fn error(&self) -> Option<&ApiError> {
        match self {
            Answer::Poll { result, .. } => result.as_ref().err(),
            Answer::Steps { result, .. } => result.as_ref().err(),
            Answer::Instances { result, .. } => result.as_ref().err(),
            Answer::Operated { result, .. } => result.as_ref().err(),
            Answer::Started { result, .. } => result.as_ref().err(),
            Answer::List { result, .. } => result.as_ref().err(),
        }
    }
}
