//! The one bounded pager: which page of a list to ask for next, and when to stop.
//!
//! Every list coctop reads goes through it: `coctop list`, `[[query]]` passes (of
//! executions and of script tickets), refresh by pages, the browse view, a ticket's
//! steps, a step's instances and a script batch's hosts; offset paging and marker
//! paging alike. Pure: no I/O, no clock; the caller sends each page through the pacer.
//!
//! What a server says is never trusted for size: pages are computed one at a time
//! (nothing is built from `total`, which is only a hint that lets pages be asked for
//! ahead), at most `limit` rows of a page are taken, a page that brings nothing new ends
//! the list, a marker seen before ends it, a page over the body cap is asked again with
//! half the rows, and every list stops at a cap on pages and on items.

use std::borrow::Cow;
use std::collections::HashSet;

use super::client::MAX_LIST_LIMIT;
use super::script::MAX_SCRIPT_HOST_LIMIT;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Offset paging (`limit`, `offset`): executions, steps, instances, documents.
    Offset(u32),
    /// Marker paging (`limit`, `marker`): script tickets. `None` is the first page.
    Marker(Option<String>),
}

/// One page to ask for: where it starts and how many rows it may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAt {
    pub cursor: Cursor,
    /// Rows asked for; a caller may lower it (the last page of `coctop list`).
    pub limit: u32,
}

impl PageAt {
    /// The offset of an offset-paged page (0 for a marker page).
    pub fn offset(&self) -> u32 {
        match self.cursor {
            Cursor::Offset(offset) => offset,
            Cursor::Marker(_) => 0,
        }
    }
}

/// How far one read of a list may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows asked for per page.
    pub page_size: u32,
    /// Pages asked for at most.
    pub max_pages: u32,
    /// Distinct items taken at most.
    pub max_items: usize,
}

impl Limits {
    /// Tickets of one pass of a `[[query]]`, of refresh by pages, of `coctop list` and
    /// of the browse view: 50,000 tickets in 500 pages.
    pub const TICKETS: Limits = Limits {
        page_size: MAX_LIST_LIMIT,
        max_pages: 500,
        max_items: 50_000,
    };
    /// The steps of one ticket: 2,000.
    pub const STEPS: Limits = Limits {
        page_size: MAX_LIST_LIMIT,
        max_pages: 20,
        max_items: 2_000,
    };
    /// The hosts of one step: 20,000.
    pub const INSTANCES: Limits = Limits {
        page_size: MAX_LIST_LIMIT,
        max_pages: 200,
        max_items: 20_000,
    };
    /// The hosts of one batch of a script ticket, 50 a page (each may carry a megabyte
    /// of output): 20,000 in 400 pages.
    pub const BATCH_HOSTS: Limits = Limits {
        page_size: MAX_SCRIPT_HOST_LIMIT,
        max_pages: 400,
        max_items: 20_000,
    };

    /// At most `items` items (and the pages they take), within these limits.
    pub const fn at_most(self, items: usize) -> Limits {
        let max_items = if items < self.max_items {
            items
        } else {
            self.max_items
        };
        let page_size = if self.page_size == 0 {
            1
        } else {
            self.page_size
        };
        let pages = max_items.div_ceil(page_size as usize);
        let max_pages = if pages < self.max_pages as usize {
            pages as u32
        } else {
            self.max_pages
        };
        Limits {
            page_size: self.page_size,
            max_pages,
            max_items,
        }
    }
}

/// Why a pager asks for nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The list ended: an empty or short page, `total` reached, or no next marker.
    Exhausted,
    /// A page held no item that an earlier page had not: the server repeats itself.
    NothingNew,
    /// `max_pages` pages were asked for.
    PageCap,
    /// `max_items` items were taken.
    ItemCap,
    /// A page failed.
    Failed,
    /// The caller stopped it (pages no longer worth it).
    CutShort,
}

impl End {
    /// The list may hold more than was read: a cap or a repeating server stopped it.
    pub fn left_more(self) -> bool {
        matches!(self, End::NothingNew | End::PageCap | End::ItemCap)
    }

    /// Why the reading stopped, for people (`None` when the list simply ended).
    pub fn reason(self, limits: Limits) -> Option<String> {
        match self {
            End::NothingNew => Some("the server repeated a page".into()),
            End::PageCap => Some(format!("stopped after {} pages", limits.max_pages)),
            End::ItemCap => Some(format!("stopped at {} items", limits.max_items)),
            End::Exhausted | End::Failed | End::CutShort => None,
        }
    }
}

/// One read through a list's pages. Offset pages may be asked for ahead (in parallel)
/// once the first page told a `total`, never beyond it nor beyond the caps; marker
/// pages one after another.
#[derive(Debug, Clone)]
pub struct Pager {
    limits: Limits,
    markers: bool,
    /// Pages asked for, answered, and still out.
    issued: u32,
    answered: u32,
    outstanding: u32,
    /// The next offset to ask for (offset paging).
    next_offset: u64,
    /// The marker of the next page, once the last one told it (marker paging).
    next_marker: Option<String>,
    markers_seen: HashSet<String>,
    /// Throttled pages to ask for again.
    again: Vec<PageAt>,
    /// `total` of the first page: a hint.
    total: Option<u64>,
    /// Keys of the items taken.
    seen: HashSet<Box<str>>,
    items: usize,
    end: Option<End>,
}

impl Pager {
    /// A reader of an offset-paged list.
    pub fn offsets(limits: Limits) -> Pager {
        Pager::new(limits, false)
    }

    /// A reader of a marker-paged list.
    pub fn markers(limits: Limits) -> Pager {
        Pager::new(limits, true)
    }

    fn new(limits: Limits, markers: bool) -> Pager {
        Pager {
            limits,
            markers,
            issued: 0,
            answered: 0,
            outstanding: 0,
            next_offset: 0,
            next_marker: None,
            markers_seen: HashSet::new(),
            again: Vec::new(),
            total: None,
            seen: HashSet::new(),
            items: 0,
            end: (limits.max_items == 0 || limits.max_pages == 0).then_some(End::ItemCap),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The next page to ask for now, if any (and counts it as asked for).
    pub fn next_page(&mut self) -> Option<PageAt> {
        if self.end.is_some() {
            return None;
        }
        if let Some(page) = self.again.pop() {
            self.outstanding += 1;
            return Some(page);
        }
        if self.issued >= self.limits.max_pages {
            return None;
        }
        let cursor = self.next_cursor()?;
        self.issued += 1;
        self.outstanding += 1;
        Some(PageAt {
            cursor,
            limit: self.limits.page_size,
        })
    }

    fn next_cursor(&mut self) -> Option<Cursor> {
        if self.issued == 0 {
            return Some(if self.markers {
                Cursor::Marker(None)
            } else {
                Cursor::Offset(0)
            });
        }
        if self.markers {
            return match self.outstanding {
                0 => Some(Cursor::Marker(Some(self.next_marker.take()?))),
                _ => None,
            };
        }
        // Ahead of the answers only as far as the first page's `total` says; without
        // one, page after page.
        let ahead = match self.total {
            Some(total) => self.answered > 0 && self.next_offset < total,
            None => self.outstanding == 0 && self.answered > 0,
        };
        if !ahead {
            return None;
        }
        let offset = u32::try_from(self.next_offset).ok()?;
        self.next_offset += u64::from(self.limits.page_size.max(1));
        Some(Cursor::Offset(offset))
    }

    /// Whether `next_page` would give a page now.
    pub fn has_ready_page(&self) -> bool {
        if self.end.is_some() {
            return false;
        }
        if !self.again.is_empty() || self.issued == 0 {
            return true;
        }
        if self.issued >= self.limits.max_pages {
            return false;
        }
        if self.markers {
            return self.outstanding == 0 && self.next_marker.is_some();
        }
        let ahead = match self.total {
            Some(total) => self.answered > 0 && self.next_offset < total,
            None => self.outstanding == 0 && self.answered > 0,
        };
        ahead && u32::try_from(self.next_offset).is_ok()
    }

    /// A page came back. Returns its rows that are new, at most `page.limit` of the
    /// page and within `max_items`; `key` names an item (one without a key always
    /// counts as new). `next_marker` is the marker a marker page named for the next.
    pub fn take<T>(
        &mut self,
        page: &PageAt,
        rows: Vec<T>,
        total: Option<i64>,
        next_marker: Option<String>,
        key: impl Fn(&T) -> Option<Cow<'_, str>>,
    ) -> Vec<T> {
        self.outstanding = self.outstanding.saturating_sub(1);
        self.answered += 1;
        if self.answered == 1 && !self.markers {
            self.total = total.map(|t| t.max(0) as u64);
            self.next_offset = u64::from(page.offset()) + u64::from(self.limits.page_size.max(1));
        }
        let received = rows.len();
        let mut fresh = Vec::new();
        for row in rows.into_iter().take(page.limit as usize) {
            if self.items >= self.limits.max_items {
                self.stop(End::ItemCap);
                break;
            }
            let new = match key(&row) {
                Some(key) => self.seen.insert(key.into()),
                None => true,
            };
            if new {
                self.items += 1;
                fresh.push(row);
            }
        }
        if received == 0 {
            self.stop(End::Exhausted);
        } else if fresh.is_empty() {
            self.stop(End::NothingNew);
        } else if self.items >= self.limits.max_items {
            self.stop(End::ItemCap);
        }
        if self.markers {
            match next_marker {
                Some(marker) if !marker.is_empty() && self.markers_seen.insert(marker.clone()) => {
                    self.next_marker = Some(marker)
                }
                Some(marker) if !marker.is_empty() => self.stop(End::NothingNew),
                _ => self.stop(End::Exhausted),
            }
        } else {
            let short = received < page.limit as usize;
            let past_total = self
                .total
                .is_some_and(|total| u64::from(page.offset()) + received as u64 >= total);
            if short || past_total {
                self.stop(End::Exhausted);
            }
        }
        if self.end.is_none() && self.issued >= self.limits.max_pages && self.again.is_empty() {
            self.stop(End::PageCap);
        }
        fresh
    }

    /// The page must be asked for again (the endpoint was throttled).
    pub fn retry(&mut self, page: PageAt) {
        self.outstanding = self.outstanding.saturating_sub(1);
        self.again.push(page);
    }

    /// The page's body was over the size cap: it is asked again with half the rows
    /// (and so is every page after it), down to one row. Says whether it will be asked
    /// again; a single row over the cap ends the read (`Failed`).
    pub fn too_large(&mut self, page: PageAt) -> bool {
        self.outstanding = self.outstanding.saturating_sub(1);
        if page.limit <= 1 {
            self.stop(End::Failed);
            return false;
        }
        let half = page.limit.div_ceil(2);
        self.limits.page_size = self.limits.page_size.min(half);
        let first_half = PageAt {
            cursor: page.cursor.clone(),
            limit: half,
        };
        // An offset page past the first has pages asked for after it: its second half
        // is asked for too. The first page's rest follows from its own answer.
        if let Cursor::Offset(offset) = page.cursor
            && self.answered > 0
        {
            self.again.push(PageAt {
                cursor: Cursor::Offset(offset.saturating_add(half)),
                limit: page.limit - half,
            });
        }
        self.again.push(first_half);
        true
    }

    /// An offset page of one row over the size cap (`too_large` cannot halve it): the
    /// read goes on past that row rather than ending (`coctop logs` passes a host whose
    /// output never fits). False for a marker page, whose next marker that row would
    /// have told, and for a page of more rows.
    pub fn skip(&mut self, page: &PageAt) -> bool {
        if self.markers || page.limit != 1 {
            return false;
        }
        self.outstanding = self.outstanding.saturating_sub(1);
        if self.answered == 0 {
            // As if the first page had answered: the pages after it follow.
            self.next_offset = u64::from(page.offset()) + 1;
        }
        self.answered += 1;
        true
    }

    /// A page failed: the read ends with what it has.
    pub fn fail(&mut self) {
        self.outstanding = self.outstanding.saturating_sub(1);
        self.stop(End::Failed);
    }

    /// Asks for nothing more (pages in flight are still taken).
    pub fn cut_short(&mut self) {
        self.stop(End::CutShort);
    }

    /// The first reason to stop wins.
    fn stop(&mut self, end: End) {
        if self.end.is_none() {
            self.end = Some(end);
            self.again.clear();
        }
    }

    /// Why it stopped, once it has.
    pub fn end(&self) -> Option<End> {
        self.end
    }

    /// Every page asked for has answered and none is left to ask for.
    pub fn is_done(&self) -> bool {
        self.outstanding == 0 && self.end.is_some()
    }

    /// Read to the list's end: every item was seen, as far as the server tells.
    pub fn is_complete(&self) -> bool {
        self.is_done() && self.end == Some(End::Exhausted)
    }

    /// `total` of the first page, if it had one: a hint, never a promise.
    pub fn total_hint(&self) -> Option<u64> {
        self.total
    }

    /// Whether `key` was on a page already.
    pub fn has_seen(&self, key: &str) -> bool {
        self.seen.contains(key)
    }

    /// Distinct items taken so far.
    pub fn items(&self) -> usize {
        self.items
    }

    /// Pages answered so far.
    pub fn pages(&self) -> u32 {
        self.answered
    }
}

/// The marker of the page after `rows`, a marker page's answer: the `marker` of its
/// last row, when the page was full (a shorter page is the list's last). Only the rows
/// the page asked for count: an oversized page names no marker beyond them.
pub fn marker_after<T>(
    page: &PageAt,
    rows: &[T],
    marker: impl Fn(&T) -> Option<String>,
) -> Option<String> {
    let limit = page.limit as usize;
    if limit == 0 || rows.len() < limit {
        return None;
    }
    marker(&rows[limit - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits {
        page_size: 10,
        max_pages: 1000,
        max_items: 100_000,
    };

    fn ids(range: std::ops::Range<u32>) -> Vec<String> {
        range.map(|i| format!("EX{i}")).collect()
    }

    fn take(pager: &mut Pager, page: &PageAt, rows: Vec<String>, total: Option<i64>) -> usize {
        pager
            .take(page, rows, total, None, |id| Some(id.into()))
            .len()
    }

    fn offsets_ready(pager: &mut Pager) -> Vec<u32> {
        std::iter::from_fn(|| pager.next_page().map(|p| p.offset())).collect()
    }

    #[test]
    fn the_first_page_goes_alone_then_the_rest_as_far_as_total_says() {
        let mut pager = Pager::offsets(SMALL);
        assert_eq!(offsets_ready(&mut pager), [0]);
        let first = PageAt {
            cursor: Cursor::Offset(0),
            limit: 10,
        };
        assert_eq!(take(&mut pager, &first, ids(0..10), Some(35)), 10);
        assert_eq!(offsets_ready(&mut pager), [10, 20, 30]);
        for offset in [10, 20] {
            let page = PageAt {
                cursor: Cursor::Offset(offset),
                limit: 10,
            };
            take(&mut pager, &page, ids(offset..offset + 10), Some(35));
        }
        assert!(!pager.is_done());
        let last = PageAt {
            cursor: Cursor::Offset(30),
            limit: 10,
        };
        assert_eq!(take(&mut pager, &last, ids(30..35), Some(35)), 5);
        assert!(pager.is_complete());
        assert_eq!(pager.items(), 35);
    }

    #[test]
    fn a_huge_total_builds_nothing_and_a_repeated_page_ends_the_read() {
        for total in [i64::MAX, 100_000_000_000] {
            let mut pager = Pager::offsets(Limits::TICKETS);
            let first = pager.next_page().unwrap();
            take(&mut pager, &first, ids(0..100), Some(total));
            // Pages are made one at a time: asking for eight does not build the rest.
            let ahead: Vec<PageAt> = (0..8).map_while(|_| pager.next_page()).collect();
            assert_eq!(ahead.len(), 8);
            assert_eq!(take(&mut pager, &ahead[0], ids(0..100), Some(total)), 0);
            assert_eq!(pager.end(), Some(End::NothingNew));
            assert_eq!(pager.next_page(), None);
            for page in &ahead[1..] {
                take(&mut pager, page, ids(0..100), Some(total));
            }
            assert!(pager.is_done() && !pager.is_complete());
        }
    }

    #[test]
    fn pages_and_items_are_capped() {
        let limits = Limits {
            page_size: 10,
            max_pages: 3,
            max_items: 1000,
        };
        let mut pager = Pager::offsets(limits);
        let mut next = 0;
        while let Some(page) = pager.next_page() {
            take(&mut pager, &page, ids(next..next + 10), Some(i64::MAX));
            next += 10;
        }
        assert_eq!((pager.pages(), pager.end()), (3, Some(End::PageCap)));

        let mut pager = Pager::offsets(SMALL.at_most(15));
        let mut taken = 0;
        while let Some(page) = pager.next_page() {
            taken += take(
                &mut pager,
                &page,
                ids(taken as u32..taken as u32 + 10),
                None,
            );
        }
        assert_eq!((taken, pager.end()), (15, Some(End::ItemCap)));
    }

    #[test]
    fn at_most_limit_rows_of_a_page_are_taken() {
        let mut pager = Pager::offsets(SMALL);
        let page = pager.next_page().unwrap();
        assert_eq!(take(&mut pager, &page, ids(0..100_000), Some(20)), 10);
    }

    #[test]
    fn without_total_pages_follow_one_another_until_a_short_one() {
        let mut pager = Pager::offsets(SMALL);
        let first = pager.next_page().unwrap();
        assert_eq!(pager.next_page(), None, "the first page goes alone");
        take(&mut pager, &first, ids(0..10), None);
        let second = pager.next_page().unwrap();
        assert_eq!(pager.next_page(), None, "one at a time without total");
        take(&mut pager, &second, ids(10..13), None);
        assert!(pager.is_complete());
    }

    #[test]
    fn marker_pages_follow_their_markers_and_stop_on_a_repeated_one() {
        let mut pager = Pager::markers(SMALL);
        let first = pager.next_page().unwrap();
        assert_eq!(first.cursor, Cursor::Marker(None));
        pager.take(&first, ids(0..10), None, Some("m1".into()), |s| {
            Some(s.into())
        });
        let second = pager.next_page().unwrap();
        assert_eq!(second.cursor, Cursor::Marker(Some("m1".into())));
        pager.take(&second, ids(10..20), None, Some("m1".into()), |s| {
            Some(s.into())
        });
        assert_eq!(pager.end(), Some(End::NothingNew));
        let mut ended = Pager::markers(SMALL);
        let first = ended.next_page().unwrap();
        ended.take(&first, ids(0..10), None, None, |s| Some(s.into()));
        assert!(ended.is_complete());
    }

    #[test]
    fn a_throttled_page_is_asked_again_and_a_failed_one_ends_the_read() {
        let mut pager = Pager::offsets(SMALL);
        let first = pager.next_page().unwrap();
        pager.retry(first.clone());
        assert_eq!(pager.next_page(), Some(first.clone()));
        pager.fail();
        assert!(pager.is_done());
        assert_eq!(pager.end(), Some(End::Failed));
    }

    #[test]
    fn a_page_over_the_body_cap_is_asked_again_halved_down_to_one_row() {
        let limits = Limits {
            page_size: 50,
            max_pages: 400,
            max_items: 20_000,
        };
        // Marker pages: the same marker with half the rows, and every page after it.
        let mut pager = Pager::markers(limits);
        let first = pager.next_page().unwrap();
        assert!(pager.too_large(first));
        let again = pager.next_page().unwrap();
        assert_eq!(
            (again.cursor.clone(), again.limit),
            (Cursor::Marker(None), 25)
        );
        pager.take(&again, ids(0..25), None, Some("m25".into()), |s| {
            Some(s.into())
        });
        let next = pager.next_page().unwrap();
        assert_eq!(
            (next.cursor, next.limit),
            (Cursor::Marker(Some("m25".into())), 25)
        );
        // Down to one row; one row over the cap ends the read.
        let mut pager = Pager::markers(limits);
        let mut page = pager.next_page().unwrap();
        let mut limits_asked = vec![page.limit];
        while pager.too_large(page) {
            page = pager.next_page().unwrap();
            limits_asked.push(page.limit);
        }
        assert_eq!(limits_asked, [50, 25, 13, 7, 4, 2, 1]);
        assert_eq!(pager.end(), Some(End::Failed));
        assert!(pager.is_done());
    }

    #[test]
    fn an_offset_page_over_the_cap_is_split_without_losing_or_repeating_rows() {
        let mut pager = Pager::offsets(SMALL);
        let first = pager.next_page().unwrap();
        assert!(pager.too_large(first));
        let half = pager.next_page().unwrap();
        assert_eq!((half.offset(), half.limit), (0, 5));
        assert_eq!(take(&mut pager, &half, ids(0..5), Some(30)), 5);
        let ahead: Vec<PageAt> = std::iter::from_fn(|| pager.next_page()).collect();
        let offsets: Vec<(u32, u32)> = ahead.iter().map(|p| (p.offset(), p.limit)).collect();
        assert_eq!(offsets, [(5, 5), (10, 5), (15, 5), (20, 5), (25, 5)]);
        // A later page too large: both its halves are asked for.
        assert!(pager.too_large(ahead[1].clone()));
        let again: Vec<(u32, u32)> = std::iter::from_fn(|| pager.next_page())
            .map(|p| (p.offset(), p.limit))
            .collect();
        assert_eq!(again, [(10, 3), (13, 2)]);
    }

    #[test]
    fn a_row_that_never_fits_is_passed_and_the_read_goes_on() {
        // 25 rows in pages of 10; rows 12 and 13 are each too large to send.
        let too_large = |page: &PageAt| {
            let range = page.offset()..page.offset() + page.limit;
            range.contains(&12) || range.contains(&13)
        };
        let mut pager = Pager::offsets(SMALL);
        let (mut read, mut passed) = (Vec::new(), Vec::new());
        while let Some(page) = pager.next_page() {
            if too_large(&page) {
                if page.limit > 1 {
                    assert!(pager.too_large(page));
                } else {
                    assert!(pager.skip(&page));
                    passed.push(page.offset());
                }
                continue;
            }
            let end = (page.offset() + page.limit).min(25);
            read.extend(
                pager.take(&page, ids(page.offset()..end), Some(25), None, |id| {
                    Some(id.as_str().into())
                }),
            );
        }
        read.sort_by_key(|id| id[2..].parse::<u32>().unwrap());
        let want: Vec<String> = ids(0..25)
            .into_iter()
            .filter(|id| id != "EX12" && id != "EX13")
            .collect();
        assert_eq!(read, want);
        assert_eq!(passed, [12, 13]);
        assert_eq!(pager.end(), Some(End::Exhausted));
        // A marker page cannot be passed, nor a page of more than one row.
        let mut markers = Pager::markers(SMALL);
        let first = markers.next_page().unwrap();
        let one = PageAt {
            limit: 1,
            ..first.clone()
        };
        assert!(!markers.skip(&one));
        assert!(!Pager::offsets(SMALL).skip(&first));
    }

    #[test]
    fn the_marker_after_a_page_is_its_last_asked_row_s_and_only_when_full() {
        let page = PageAt {
            cursor: Cursor::Marker(None),
            limit: 3,
        };
        let marker = |s: &String| Some(s.clone());
        assert_eq!(marker_after(&page, &ids(0..2), marker), None);
        assert_eq!(marker_after(&page, &ids(0..3), marker), Some("EX2".into()));
        assert_eq!(
            marker_after(&page, &ids(0..1000), marker),
            Some("EX2".into()),
            "an oversized page names the marker of its last asked row"
        );
    }
}
