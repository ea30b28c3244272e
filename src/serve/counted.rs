//! A fetcher that counts: every request a profile's engine sends, whatever it is for
//! (a poll, a page of a list, steps, hosts), is counted by outcome and tells the board
//! whether the profile's requests succeed.

use std::sync::Arc;
use std::time::SystemTime;

use super::Shared;
use crate::coc::{
    ApiError, Instance, ListQuery, Operation, Page, ScriptBatch, ScriptHost, ScriptHostQuery,
    ScriptOperation, ScriptOrder, ScriptOrderQuery, ScriptStatistics, ScriptTicket, Step, Ticket,
};
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

    /// Sends `request` and counts its outcome.
    async fn count<T>(
        &self,
        request: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        let result = request.await;
        self.shared
            .answered(self.profile, result.as_ref().err(), SystemTime::now());
        result
    }
}

impl<F: Fetcher> Fetcher for Counted<F> {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.count(self.inner.fetch(execution_id)).await
    }

    async fn steps_page(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Step>, ApiError> {
        self.count(self.inner.steps_page(execution_id, limit, offset))
            .await
    }

    fn lists(&self) -> bool {
        self.inner.lists()
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Ticket>, ApiError> {
        self.count(self.inner.list(query)).await
    }

    async fn fetch_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Instance>, ApiError> {
        self.count(self.inner.fetch_instances(execution_step_id, limit, offset))
            .await
    }

    async fn fetch_script(&self, execute_uuid: &str) -> Result<ScriptTicket, ApiError> {
        self.count(self.inner.fetch_script(execute_uuid)).await
    }

    async fn script_list(&self, query: &ScriptOrderQuery) -> Result<Page<ScriptOrder>, ApiError> {
        self.count(self.inner.script_list(query)).await
    }

    async fn script_statistics(&self, execute_uuid: &str) -> Result<ScriptStatistics, ApiError> {
        self.count(self.inner.script_statistics(execute_uuid)).await
    }

    async fn script_batches(&self, execute_uuid: &str) -> Result<Vec<ScriptBatch>, ApiError> {
        self.count(self.inner.script_batches(execute_uuid)).await
    }

    async fn script_hosts(
        &self,
        execute_uuid: &str,
        batch_index: u32,
        query: &ScriptHostQuery,
    ) -> Result<Page<ScriptHost>, ApiError> {
        self.count(self.inner.script_hosts(execute_uuid, batch_index, query))
            .await
    }

    fn read_only(&self) -> bool {
        self.inner.read_only()
    }

    async fn operate(&self, execution_id: &str, operation: Operation) -> Result<(), ApiError> {
        self.count(self.inner.operate(execution_id, operation))
            .await
    }

    async fn operate_script(
        &self,
        execute_uuid: &str,
        operation: ScriptOperation,
    ) -> Result<(), ApiError> {
        self.count(self.inner.operate_script(execute_uuid, operation))
            .await
    }
}
