//! The hosts of one step of an execution (Enter on a step) or of one batch of a script
//! ticket (Enter on a batch): one row per host, failed first, counts per status, paged
//! in as the user scrolls (a step's by offset, a batch's by marker: the one pager).

use std::sync::Arc;
use std::time::SystemTime;

use crate::coc::{ApiError, Instance, Page, ScriptHost, TicketRef};
use crate::hosts;
use crate::watch::{Command, Limits, PageAt, Pager, marker_after};

use super::output::OutputView;
use super::tickets::Failure;

/// A page is asked for when the user scrolls this close to the last loaded host.
const PREFETCH_ROWS: usize = 20;

/// Whose hosts a view shows.
#[derive(Debug, Clone, PartialEq)]
pub enum HostsOf {
    /// An execution's step.
    Step { step_id: String, name: String },
    /// A script ticket's batch (from 1).
    Batch { index: u32 },
}

/// The hosts loaded so far, failed first.
#[derive(Debug, Clone)]
pub enum HostRows {
    Instances(Vec<Instance>),
    Script(Vec<ScriptHost>),
}

/// What became of a page that came back.
enum Answer<T> {
    /// Not the page waited for.
    Stale,
    /// An error, kept (or a page asked again smaller).
    Handled,
    Rows(Page<T>),
}

#[derive(Debug, Clone)]
pub struct HostsView {
    id: TicketRef,
    of: HostsOf,
    rows: HostRows,
    /// The read through the pages of hosts.
    pager: Pager,
    /// The page asked for and not answered yet.
    loading: Option<PageAt>,
    error: Option<Failure>,
    /// The first row shown, and the host a key acts on.
    scroll: usize,
}

impl HostsView {
    /// The hosts of a step of execution `id`; the first page is to be fetched.
    pub fn of_step(id: TicketRef, step_id: String, name: String) -> HostsView {
        HostsView::new(
            id,
            HostsOf::Step { step_id, name },
            HostRows::Instances(Vec::new()),
            Pager::offsets(Limits::INSTANCES),
        )
    }

    /// The hosts of batch `index` of script ticket `id`.
    pub fn of_batch(id: TicketRef, index: u32) -> HostsView {
        HostsView::new(
            id,
            HostsOf::Batch { index },
            HostRows::Script(Vec::new()),
            Pager::markers(Limits::BATCH_HOSTS),
        )
    }

    fn new(id: TicketRef, of: HostsOf, rows: HostRows, pager: Pager) -> HostsView {
        HostsView {
            id,
            of,
            rows,
            pager,
            loading: None,
            error: None,
            scroll: 0,
        }
    }

    /// The ticket whose hosts these are.
    pub fn id(&self) -> &TicketRef {
        &self.id
    }

    pub fn of(&self) -> &HostsOf {
        &self.of
    }

    /// The step's ID, for a step's hosts.
    pub fn step_id(&self) -> Option<&str> {
        match &self.of {
            HostsOf::Step { step_id, .. } => Some(step_id),
            HostsOf::Batch { .. } => None,
        }
    }

    pub fn rows(&self) -> &HostRows {
        &self.rows
    }

    /// A step's hosts (none for a batch).
    pub fn instances(&self) -> &[Instance] {
        match &self.rows {
            HostRows::Instances(rows) => rows,
            HostRows::Script(_) => &[],
        }
    }

    /// A batch's hosts (none for a step).
    pub fn script_hosts(&self) -> &[ScriptHost] {
        match &self.rows {
            HostRows::Script(rows) => rows,
            HostRows::Instances(_) => &[],
        }
    }

    /// Hosts loaded so far.
    pub fn len(&self) -> usize {
        match &self.rows {
            HostRows::Instances(rows) => rows.len(),
            HostRows::Script(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hosts in the step or batch: the server's `total` while more may come (a hint),
    /// else what has been loaded.
    pub fn total(&self) -> usize {
        match (self.pager.end(), self.pager.total_hint()) {
            (None, Some(total)) => usize::try_from(total).unwrap_or(usize::MAX).max(self.len()),
            _ => self.len(),
        }
    }

    /// A page has arrived: `total` counts the hosts.
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

    /// The batch host at the cursor.
    pub fn script_host_at_cursor(&self) -> Option<&ScriptHost> {
        self.script_hosts().get(self.scroll)
    }

    /// "2 Failed, 5 Succeed" of the hosts loaded.
    pub fn counts_line(&self) -> String {
        let counts = match &self.rows {
            HostRows::Instances(rows) => hosts::counts(rows),
            HostRows::Script(rows) => hosts::script_counts(rows),
        };
        hosts::join_counts(&counts)
    }

    /// The page to fetch now, if one is needed for `rows` rows on screen (and marks it
    /// asked for): the first page, or the next one when the user has scrolled near the
    /// end of what is loaded.
    pub fn next_page(&mut self, rows: usize) -> Option<PageAt> {
        if self.loading.is_some() || self.error.is_some() {
            return None;
        }
        let near_end = self.scroll + rows + PREFETCH_ROWS >= self.len();
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
        let id = self.id.clone();
        Some(match &self.of {
            HostsOf::Step { step_id, .. } => Command::FetchInstances {
                id,
                step_id: step_id.clone(),
                page,
            },
            HostsOf::Batch { index } => Command::FetchBatchHosts {
                id,
                batch_index: *index,
                page,
            },
        })
    }

    /// A page of a step's hosts arrived; a stale one (another page) is ignored. Says
    /// whether it applied.
    pub fn instances_arrived(
        &mut self,
        page: PageAt,
        result: Result<Page<Instance>, ApiError>,
        at: SystemTime,
    ) -> bool {
        let listed = match self.answer(&page, result, at) {
            Answer::Stale => return false,
            Answer::Handled => return true,
            Answer::Rows(listed) => listed,
        };
        let fresh = self
            .pager
            .take(&page, listed.data, listed.total, None, |i| {
                hosts::key(i).map(Into::into)
            });
        if let HostRows::Instances(rows) = &mut self.rows {
            rows.extend(fresh);
            hosts::failed_first(rows);
        }
        true
    }

    /// A page of a batch's hosts arrived, as `instances_arrived`.
    pub fn batch_hosts_arrived(
        &mut self,
        page: PageAt,
        result: Result<Page<ScriptHost>, ApiError>,
        at: SystemTime,
    ) -> bool {
        let listed = match self.answer(&page, result, at) {
            Answer::Stale => return false,
            Answer::Handled => return true,
            Answer::Rows(listed) => listed,
        };
        let next = marker_after(&page, &listed.data, ScriptHost::marker);
        let fresh = self
            .pager
            .take(&page, listed.data, listed.total, next, ScriptHost::key);
        if let HostRows::Script(rows) = &mut self.rows {
            rows.extend(fresh);
            hosts::script_failed_first(rows);
        }
        true
    }

    /// What became of the page waited for: its rows, or an error kept to show (a page
    /// over the body cap is asked again with half the hosts instead).
    fn answer<T>(
        &mut self,
        page: &PageAt,
        result: Result<Page<T>, ApiError>,
        at: SystemTime,
    ) -> Answer<T> {
        if self.loading.as_ref() != Some(page) {
            return Answer::Stale;
        }
        self.loading = None;
        match result {
            Ok(listed) => Answer::Rows(listed),
            Err(ApiError::BodyTooLarge { .. }) if self.pager.too_large(page.clone()) => {
                Answer::Handled
            }
            Err(error) => {
                self.pager.retry(page.clone());
                self.error = Some(Failure { error, at });
                Answer::Handled
            }
        }
    }

    /// The cursor on the host `key` names (as the pager keys it), if it is loaded.
    pub fn select(&mut self, key: &str) {
        let at = match &self.rows {
            HostRows::Instances(rows) => rows.iter().position(|i| hosts::key(i) == Some(key)),
            HostRows::Script(rows) => rows.iter().position(|h| h.key().as_deref() == Some(key)),
        };
        if let Some(at) = at {
            self.scroll = at;
        }
    }

    /// The pager on the output of the host at the cursor (of a step or of a batch).
    pub fn selected_output(&self) -> Option<OutputView> {
        let (name, ip, status, output, key) = match &self.rows {
            HostRows::Instances(rows) => {
                let host = rows.get(self.scroll)?;
                (
                    hosts::host(host),
                    hosts::ip(host),
                    host.status.as_ref().map(|s| s.label()),
                    host.message.as_deref(),
                    hosts::key(host).map(str::to_string),
                )
            }
            HostRows::Script(rows) => {
                let host = rows.get(self.scroll)?;
                let name = host.name().or(host.ip()).unwrap_or("-");
                (
                    crate::text::sanitize(name).into_owned(),
                    host.ip(),
                    host.status.as_ref().map(|s| s.label()),
                    host.message.as_deref(),
                    host.key().map(|k| k.into_owned()),
                )
            }
        };
        let mut title = name.clone();
        if let Some(ip) = ip.filter(|ip| *ip != name) {
            title.push_str(&format!(" ({})", crate::text::sanitize(ip)));
        }
        match &self.of {
            HostsOf::Step { name, .. } => {
                title.push_str(&format!(" · step {}", crate::text::sanitize(name)));
            }
            HostsOf::Batch { index } => title.push_str(&format!(" · batch {index}")),
        }
        if let Some(status) = status {
            title.push_str(&format!(" · {status}"));
        }
        let raw: Arc<str> = output.unwrap_or_default().into();
        let file = format!("{}-{name}.log", self.id.id());
        Some(OutputView::new(title, raw, &file).from_origin(key))
    }

    /// `r` after a failed page: ask again.
    pub fn retry(&mut self) {
        self.error = None;
    }

    /// Scrolls to `to`, clamped to the hosts loaded. Says whether it moved.
    pub fn scroll_to(&mut self, to: usize) -> bool {
        let before = self.scroll;
        self.scroll = to.min(self.len().saturating_sub(1));
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
        let mut view =
            HostsView::of_step(TicketRef::parse("EX1").unwrap(), "101".into(), "Run".into());
        let at = SystemTime::UNIX_EPOCH;
        assert_eq!(view.next_page(20), Some(page_at(0)));
        assert_eq!(view.next_page(20), None, "one page at a time");
        assert!(
            !view.instances_arrived(page_at(100), Ok(page(100..200, 250)), at),
            "stale"
        );
        assert!(view.instances_arrived(page_at(0), Ok(page(0..100, 250)), at));
        assert_eq!(view.total(), 250);
        assert_eq!(view.counts_line(), "2 Failed, 98 Succeed");
        assert_eq!(view.instances()[0].id.as_deref(), Some("7"));
        assert_eq!(view.next_page(20), None, "far from the end");
        view.scroll_to(70);
        assert_eq!(view.next_page(20), Some(page_at(100)));
        assert!(view.instances_arrived(page_at(100), Ok(page(100..200, 250)), at));
        view.scroll_to(usize::MAX);
        assert_eq!(view.scroll(), 199);
        assert_eq!(view.next_page(20), Some(page_at(200)));
        view.instances_arrived(page_at(200), Ok(page(200..250, 250)), at);
        assert_eq!(view.instances().len(), 250);
        assert_eq!(view.next_page(20), None, "all there");
    }

    #[test]
    fn a_failed_page_stops_paging_until_retried() {
        let mut view =
            HostsView::of_step(TicketRef::parse("EX1").unwrap(), "101".into(), "Run".into());
        let at = SystemTime::UNIX_EPOCH;
        let offset = view.next_page(20).unwrap();
        let error = ApiError::Network {
            detail: "refused".into(),
        };
        view.instances_arrived(offset, Err(error), at);
        assert!(view.error().is_some());
        assert_eq!(view.next_page(20), None);
        view.retry();
        assert_eq!(view.next_page(20), Some(page_at(0)));
    }
}
