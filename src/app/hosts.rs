//! The hosts of one step of an execution (Enter on a step) or of one batch of a script
//! ticket (Enter on a batch): one row per host, failed first, counts per status, paged
//! in as the user scrolls (a step's by offset, a batch's by marker: the one pager).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use crate::coc::{ApiError, Instance, JobStatus, Page, ScriptHost, TicketRef};
use crate::hosts;
use crate::i18n::{Lang, Msg};
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

/// A host as a hosts view lists it: a step's instance or a batch's host.
pub trait HostRow: Sized {
    /// What tells two hosts apart across the pages.
    fn page_key(&self) -> Option<Cow<'_, str>>;
    /// The marker that asks for the page after `rows` (`page`'s answer), on marker
    /// pages.
    fn next_marker(page: &PageAt, rows: &[Self]) -> Option<String>;
    /// The view's rows, when they are of this kind.
    fn rows_in(rows: &mut HostRows) -> Option<&mut Vec<Self>>;
    fn failed_first(rows: &mut [Self]);
}

impl HostRow for Instance {
    fn page_key(&self) -> Option<Cow<'_, str>> {
        hosts::key(self).map(Into::into)
    }

    /// A step's hosts come by offset.
    fn next_marker(_: &PageAt, _: &[Self]) -> Option<String> {
        None
    }

    fn rows_in(rows: &mut HostRows) -> Option<&mut Vec<Self>> {
        match rows {
            HostRows::Instances(rows) => Some(rows),
            HostRows::Script(_) => None,
        }
    }

    fn failed_first(rows: &mut [Self]) {
        hosts::failed_first(rows);
    }
}

impl HostRow for ScriptHost {
    fn page_key(&self) -> Option<Cow<'_, str>> {
        self.key()
    }

    fn next_marker(page: &PageAt, rows: &[Self]) -> Option<String> {
        marker_after(page, rows, ScriptHost::marker)
    }

    fn rows_in(rows: &mut HostRows) -> Option<&mut Vec<Self>> {
        match rows {
            HostRows::Script(rows) => Some(rows),
            HostRows::Instances(_) => None,
        }
    }

    fn failed_first(rows: &mut [Self]) {
        hosts::script_failed_first(rows);
    }
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

    /// A page of hosts arrived (a step's or a batch's); a stale one (another page) is
    /// ignored. Says whether it applied.
    pub fn page_arrived<H: HostRow>(
        &mut self,
        page: PageAt,
        result: Result<Page<H>, ApiError>,
        at: SystemTime,
    ) -> bool {
        let listed = match self.answer(&page, result, at) {
            Answer::Stale => return false,
            Answer::Handled => return true,
            Answer::Rows(listed) => listed,
        };
        let next = H::next_marker(&page, &listed.data);
        let fresh = self
            .pager
            .take(&page, listed.data, listed.total, next, H::page_key);
        if let Some(rows) = H::rows_in(&mut self.rows) {
            rows.extend(fresh);
            H::failed_first(rows);
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
    pub fn selected_output(&self, lang: Lang) -> Option<OutputView> {
        let (name, ip, status, output, key) = match &self.rows {
            HostRows::Instances(rows) => {
                let host = rows.get(self.scroll)?;
                (
                    hosts::host(host),
                    hosts::ip(host),
                    host.status.clone().map(JobStatus::Execution),
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
                    host.status.clone().map(JobStatus::Script),
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
                title.push_str(&lang.t(Msg::OutputOfStep(&crate::text::sanitize(name))));
            }
            HostsOf::Batch { index } => title.push_str(&lang.t(Msg::OutputOfBatch(*index))),
        }
        if let Some(status) = status {
            title.push_str(&format!(" · {}", lang.t(Msg::from(&status))));
        }
        let raw: Arc<str> = output.unwrap_or_default().into();
        let file = format!("{}-{name}.log", self.id.id());
        Some(OutputView::new(title, raw, &file, lang).from_origin(key))
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
        let mut view =
            HostsView::of_step(TicketRef::parse("EX1").unwrap(), "101".into(), "Run".into());
        let at = SystemTime::UNIX_EPOCH;
        let offset = view.next_page(20).unwrap();
        let error = ApiError::Network {
            detail: "refused".into(),
        };
        view.page_arrived::<Instance>(offset, Err(error), at);
        assert!(view.error().is_some());
        assert_eq!(view.next_page(20), None);
        view.retry();
        assert_eq!(view.next_page(20), Some(page_at(0)));
    }

    fn batch_page(ids: std::ops::RangeInclusive<i64>) -> Page<ScriptHost> {
        let data = ids
            .map(|id| {
                let status = if id % 50 == 7 { "ABNORMAL" } else { "FINISHED" };
                serde_json::from_value(json!({"id": id, "status": status})).unwrap()
            })
            .collect();
        Page { data, total: None }
    }

    fn marker(after: Option<&str>) -> PageAt {
        PageAt {
            cursor: crate::watch::Cursor::Marker(after.map(str::to_string)),
            limit: crate::coc::script::MAX_SCRIPT_HOST_LIMIT,
        }
    }

    #[test]
    fn a_batch_pages_on_by_the_marker_of_a_full_page_s_last_host() {
        let mut view = HostsView::of_batch(TicketRef::parse("SC1").unwrap(), 2);
        let at = SystemTime::UNIX_EPOCH;
        assert_eq!(view.next_page(20), Some(marker(None)));
        assert!(view.page_arrived(marker(None), Ok(batch_page(1..=50)), at));
        assert_eq!(view.counts_line(), "1 ABNORMAL, 49 FINISHED");
        assert_eq!(view.script_hosts()[0].id, Some(7), "failed first");
        view.scroll_to(usize::MAX);
        assert_eq!(view.next_page(20), Some(marker(Some("50"))));
        assert!(view.page_arrived(marker(Some("50")), Ok(batch_page(51..=60)), at));
        assert_eq!(view.len(), 60);
        view.scroll_to(usize::MAX);
        assert_eq!(view.next_page(20), None, "a short page is the last");
    }
}
