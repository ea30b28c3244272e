//! The hosts of one step (Enter on a step): one row per target host, failed first,
//! counts per status, paged in from the instances API as the user scrolls.

use std::sync::Arc;
use std::time::SystemTime;

use crate::coc::{ApiError, Instance, Page};
use crate::hosts;
use crate::watch::{Command, Limits, PageAt, Pager};

use super::output::OutputView;
use super::tickets::Failure;

/// A page is asked for when the user scrolls this close to the last loaded host.
const PREFETCH_ROWS: usize = 20;

#[derive(Debug, Clone)]
pub struct HostsView {
    execution_id: String,
    step_id: String,
    step_name: String,
    /// Loaded so far, failed first.
    instances: Vec<Instance>,
    /// The read through the step's pages of hosts.
    pager: Pager,
    /// The page asked for and not answered yet.
    loading: Option<PageAt>,
    error: Option<Failure>,
    scroll: usize,
}

impl HostsView {
    /// The view of a step; the first page is to be fetched (`next_page`).
    pub fn new(execution_id: String, step_id: String, step_name: String) -> HostsView {
        HostsView {
            execution_id,
            step_id,
            step_name,
            instances: Vec::new(),
            pager: Pager::offsets(Limits::INSTANCES),
            loading: None,
            error: None,
            scroll: 0,
        }
    }

    pub fn execution_id(&self) -> &str {
        &self.execution_id
    }

    pub fn step_id(&self) -> &str {
        &self.step_id
    }

    pub fn step_name(&self) -> &str {
        &self.step_name
    }

    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// Hosts in the step: the server's `total` while more may come (a hint), else
    /// what has been loaded.
    pub fn total(&self) -> usize {
        match (self.pager.end(), self.pager.total_hint()) {
            (None, Some(total)) => usize::try_from(total)
                .unwrap_or(usize::MAX)
                .max(self.instances.len()),
            _ => self.instances.len(),
        }
    }

    /// A page has arrived: `total` counts the step's hosts.
    pub fn loaded(&self) -> bool {
        self.pager.pages() > 0
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    pub fn error(&self) -> Option<&Failure> {
        self.error.as_ref()
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// "2 Failed, 5 Succeed" of the hosts loaded.
    pub fn counts_line(&self) -> String {
        hosts::counts_line(&self.instances)
    }

    /// The page to fetch now, if one is needed for `rows` rows on screen (and marks it
    /// asked for): the first page, or the next one when the user has scrolled near the
    /// end of what is loaded.
    pub fn next_page(&mut self, rows: usize) -> Option<PageAt> {
        if self.loading.is_some() || self.error.is_some() {
            return None;
        }
        let near_end = self.scroll + rows + PREFETCH_ROWS >= self.instances.len();
        if !near_end {
            return None;
        }
        let page = self.pager.next_page()?;
        self.loading = Some(page.clone());
        Some(page)
    }

    /// The request for the page needed with `rows` rows on screen, if one is.
    pub fn fetch(&mut self, rows: usize) -> Option<Command> {
        let page = self.next_page(rows)?;
        Some(Command::FetchInstances {
            execution_id: self.execution_id.clone(),
            step_id: self.step_id.clone(),
            page,
        })
    }

    /// A page arrived; a stale one (another page) is ignored. Says whether it applied.
    pub fn page_arrived(
        &mut self,
        page: PageAt,
        result: Result<Page<Instance>, ApiError>,
        at: SystemTime,
    ) -> bool {
        if self.loading.as_ref() != Some(&page) {
            return false;
        }
        self.loading = None;
        match result {
            Ok(listed) => {
                let fresh = self
                    .pager
                    .take(&page, listed.data, listed.total, None, hosts::key);
                self.instances.extend(fresh);
                hosts::failed_first(&mut self.instances);
            }
            Err(error) => {
                self.pager.retry(page);
                self.error = Some(Failure { error, at });
            }
        }
        true
    }

    /// The host at the cursor.
    pub fn selected(&self) -> Option<&Instance> {
        self.instances.get(self.scroll)
    }

    /// The cursor on the host `key` names (`hosts::key`), if it is loaded.
    pub fn select(&mut self, key: &str) {
        if let Some(at) = self
            .instances
            .iter()
            .position(|i| hosts::key(i) == Some(key))
        {
            self.scroll = at;
        }
    }

    /// The pager on the output of the host at the cursor.
    pub fn selected_output(&self) -> Option<OutputView> {
        let host = self.selected()?;
        let name = hosts::host(host);
        let mut title = name.clone();
        if let Some(ip) = hosts::ip(host).filter(|ip| *ip != name) {
            title.push_str(&format!(" ({ip})"));
        }
        title.push_str(&format!(" · step {}", self.step_name));
        if let Some(status) = &host.status {
            title.push_str(&format!(" · {}", status.label()));
        }
        let raw: Arc<str> = host.message.as_deref().unwrap_or_default().into();
        let file = format!("{}-{name}.log", self.execution_id);
        Some(OutputView::new(title, raw, &file).from_origin(hosts::key(host).map(str::to_string)))
    }

    /// `r` after a failed page: ask again.
    pub fn retry(&mut self) {
        self.error = None;
    }

    /// Scrolls to `to`, clamped to the hosts loaded. Says whether it moved.
    pub fn scroll_to(&mut self, to: usize) -> bool {
        let before = self.scroll;
        self.scroll = to.min(self.instances.len().saturating_sub(1));
        self.scroll != before
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn page(range: std::ops::Range<usize>, total: usize) -> Page<Instance> {
        let data = range
            .map(|i| {
                let status = if i % 50 == 7 { "Failed" } else { "Succeed" };
                serde_json::from_value(json!({"id": i, "status": status})).unwrap()
            })
            .collect();
        Page {
            data,
            total: Some(total as i64),
        }
    }

    fn page_at(offset: u32) -> PageAt {
        PageAt {
            cursor: crate::watch::Cursor::Offset(offset),
            limit: 100,
        }
    }

    #[test]
    fn pages_come_in_as_the_user_scrolls_failed_first() {
        let mut view = HostsView::new("EX1".into(), "101".into(), "Run".into());
        let at = SystemTime::UNIX_EPOCH;
        assert_eq!(view.next_page(20), Some(page_at(0)));
        assert_eq!(view.next_page(20), None, "one page at a time");
        assert!(
            !view.page_arrived(page_at(100), Ok(page(100..200, 250)), at),
            "stale"
        );
        assert!(view.page_arrived(page_at(0), Ok(page(0..100, 250)), at));
        assert_eq!(view.total(), 250);
        assert_eq!(view.counts_line(), "2 Failed, 98 Succeed");
        assert_eq!(view.instances()[0].id.as_deref(), Some("7"));
        assert_eq!(view.next_page(20), None, "far from the end");
        view.scroll_to(70);
        assert_eq!(view.next_page(20), Some(page_at(100)));
        assert!(view.page_arrived(page_at(100), Ok(page(100..200, 250)), at));
        view.scroll_to(usize::MAX);
        assert_eq!(view.scroll(), 199);
        assert_eq!(view.next_page(20), Some(page_at(200)));
        view.page_arrived(page_at(200), Ok(page(200..250, 250)), at);
        assert_eq!(view.instances().len(), 250);
        assert_eq!(view.next_page(20), None, "all there");
    }

    #[test]
    fn a_failed_page_stops_paging_until_retried() {
        let mut view = HostsView::new("EX1".into(), "101".into(), "Run".into());
        let at = SystemTime::UNIX_EPOCH;
        let offset = view.next_page(20).unwrap();
        let error = ApiError::Network {
            detail: "refused".into(),
        };
        view.page_arrived(offset, Err(error), at);
        assert!(view.error().is_some());
        assert_eq!(view.next_page(20), None);
        view.retry();
        assert_eq!(view.next_page(20), Some(page_at(0)));
    }
}
