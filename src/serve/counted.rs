//! A fetcher that counts: every request a profile's engine sends, whatever it is for
//! (a poll, a page of a list, steps, hosts), is counted by outcome and tells the board
//! whether the profile's requests succeed.

use std::sync::Arc;
use std::time::SystemTime;

use super::Shared;
use crate::coc::{ApiError, Instance, ListQuery, Operation, Page, Step, Ticket};
use crate::watch::Fetcher;

pub struct Counted<F> {
    inner: F,
    shared: Arc<Shared>,
    profile: usize,
}

impl<F: Fetcher> Counted<F> {
    pub fn new(inner: F, shared: Arc<Shared>, profile: usize) -> Counted<F> {
        Counted {
            inner,
            shared,
            profile,
        }
    }

    fn count<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        self.shared
            .answered(self.profile, result.as_ref().err(), SystemTime::now());
        result
    }
}

impl<F: Fetcher> Fetcher for Counted<F> {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.count(self.inner.fetch(execution_id).await)
    }

    async fn steps_page(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Step>, ApiError> {
        self.count(self.inner.steps_page(execution_id, limit, offset).await)
    }

    fn lists(&self) -> bool {
        self.inner.lists()
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Ticket>, ApiError> {
        self.count(self.inner.list(query).await)
    }

    async fn fetch_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Instance>, ApiError> {
        let page = self
            .inner
            .fetch_instances(execution_step_id, limit, offset)
            .await;
        self.count(page)
    }

    fn read_only(&self) -> bool {
        self.inner.read_only()
    }

    async fn operate(&self, execution_id: &str, operation: Operation) -> Result<(), ApiError> {
        self.count(self.inner.operate(execution_id, operation).await)
    }
}
