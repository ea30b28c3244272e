//! Refresh by the page: when list pages are cheaper than one GET per ticket, and the
//! bookkeeping of one sweep through a list's pages. Pure: no I/O, no clock.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use crate::coc::{ListQuery, MAX_LIST_LIMIT};

/// Requests for `total` tickets at 100 a page.
pub fn pages_for(total: u64) -> u64 {
    total.div_ceil(u64::from(MAX_LIST_LIMIT))
}

/// How the explicit tickets of one cycle are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// One GET per ticket, as always.
    PerTicket,
    /// The window's pages: fewer requests than tickets.
    Pages,
    /// The window's size is unknown: its first page (useful on its own: it refreshes
    /// the newest tickets of the window) tells it, then `worth_going_on` decides.
    Probe,
}

/// Pages only when they cost fewer requests than the `tickets` GETs they replace;
/// `window` is what the memory knows of the window's size. A bound that says pages
/// cost more, learnt on another (wider) window, is checked with a probe.
pub fn choose(tickets: usize, window: Option<Estimate>) -> Choice {
    if tickets < 2 {
        return Choice::PerTicket;
    }
    match window {
        None => Choice::Probe,
        Some(Estimate { total, .. }) if pages_for(total) < tickets as u64 => Choice::Pages,
        Some(Estimate { exact: true, .. }) => Choice::PerTicket,
        Some(Estimate { exact: false, .. }) => Choice::Probe,
    }
}

/// What the memory says of a window's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// At most this many tickets (bar those started since).
    pub total: u64,
    /// Measured on this very window, not on a wider one.
    pub exact: bool,
}

/// After the first page: go on when the pages left cost no more than the GETs of the
/// tickets not seen yet (when all were seen, there is nothing left to read).
pub fn worth_going_on(unseen: usize, total: u64) -> bool {
    unseen > 0 && pages_for(total).saturating_sub(1) <= unseen as u64
}

/// The `start_time` filter (exclusive) of a window holding tickets that started at
/// `starts`; `None` (no filter: every ticket) when a start is not known yet.
pub fn window_start(starts: impl IntoIterator<Item = Option<i64>>) -> Option<i64> {
    let mut earliest = i64::MAX;
    for start in starts {
        earliest = earliest.min(start?);
    }
    Some(earliest.saturating_sub(1))
}

/// The last `total` seen for a window. A window starting later holds no more tickets
/// (bar those started since), so the figure bounds it; an earlier one is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowMemory {
    seen: Option<(Option<i64>, u64)>,
}

impl WindowMemory {
    pub fn remember(&mut self, start: Option<i64>, total: u64) {
        self.seen = Some((start, total));
    }

    pub fn estimate(&self, start: Option<i64>) -> Option<Estimate> {
        let (known_start, total) = self.seen?;
        let narrower = match (known_start, start) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(known), Some(wanted)) => wanted >= known,
        };
        narrower.then_some(Estimate {
            total,
            exact: known_start == start,
        })
    }
}

/// One pass through the pages of a list query: the first page alone (it tells
/// `total`), then every other page, any order. Offsets stay fixed for the pass; a
/// ticket pushed to the next page by a new one is simply seen twice.
#[derive(Debug)]
pub struct Sweep {
    base: ListQuery,
    total: Option<u64>,
    /// Offsets still to send.
    pending: VecDeque<u32>,
    outstanding: usize,
    /// Set when the pass ends early (an error, or pages found too dear).
    cut_short: bool,
    /// Every ticket the pages held.
    pub seen: HashSet<Arc<str>>,
}

impl Sweep {
    pub fn new(base: ListQuery) -> Sweep {
        Sweep {
            base,
            total: None,
            pending: VecDeque::from([0]),
            outstanding: 0,
            cut_short: false,
            seen: HashSet::new(),
        }
    }

    /// The next page to ask for, if one may be sent now.
    pub fn next_page(&mut self) -> Option<ListQuery> {
        if self.cut_short {
            return None;
        }
        let offset = self.pending.pop_front()?;
        self.outstanding += 1;
        Some(ListQuery {
            limit: Some(MAX_LIST_LIMIT),
            offset: Some(offset),
            ..self.base.clone()
        })
    }

    pub fn has_ready_page(&self) -> bool {
        !self.cut_short && !self.pending.is_empty()
    }

    /// A page came back holding `received` tickets (already added to `seen`) and the
    /// list's `total`. Returns the total when this was the first page.
    pub fn on_page(&mut self, offset: u32, total: Option<i64>, received: usize) -> Option<u64> {
        self.outstanding = self.outstanding.saturating_sub(1);
        let total = total.map_or(received as u64, |t| t.max(0) as u64);
        if self.total.is_some() {
            return None;
        }
        self.total = Some(total);
        let step = MAX_LIST_LIMIT as u64;
        let first_rest = u64::from(offset) + step;
        self.pending.extend(
            (first_rest..total)
                .step_by(step as usize)
                .map(|o| u32::try_from(o).unwrap_or(u32::MAX)),
        );
        Some(total)
    }

    /// The page at `offset` must be asked for again (the endpoint was throttled).
    pub fn retry(&mut self, offset: u32) {
        self.outstanding = self.outstanding.saturating_sub(1);
        self.pending.push_front(offset);
    }

    /// Ends the pass after the pages in flight (an error; pages not worth it).
    pub fn cut_short(&mut self) {
        self.cut_short = true;
        self.pending.clear();
    }

    /// A page answered with an error: the pass ends with what it saw.
    pub fn on_failed_page(&mut self) {
        self.outstanding = self.outstanding.saturating_sub(1);
        self.cut_short();
    }

    /// Every page asked for has answered and none is left to ask for.
    pub fn is_done(&self) -> bool {
        self.outstanding == 0 && (self.cut_short || self.pending.is_empty())
    }

    /// Whether the pass went through every page of the list.
    pub fn is_complete(&self) -> bool {
        self.is_done() && !self.cut_short && self.total.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_chosen_only_when_cheaper_than_gets() {
        let exact = |total| Some(Estimate { total, exact: true });
        assert_eq!(choose(0, exact(0)), Choice::PerTicket);
        assert_eq!(
            choose(1, exact(1)),
            Choice::PerTicket,
            "one GET is one page"
        );
        assert_eq!(choose(2, None), Choice::Probe);
        assert_eq!(choose(100, exact(100)), Choice::Pages);
        assert_eq!(choose(2, exact(100)), Choice::Pages);
        assert_eq!(choose(2, exact(101)), Choice::PerTicket, "2 pages = 2 GETs");
        assert_eq!(choose(10_000, exact(10_000)), Choice::Pages);
        assert_eq!(choose(1_000, exact(250_000)), Choice::PerTicket);
        let bound = Some(Estimate {
            total: 250_000,
            exact: false,
        });
        assert_eq!(
            choose(1_000, bound),
            Choice::Probe,
            "a narrower window may do"
        );
        assert!(worth_going_on(2, 300), "2 pages left for 2 GETs");
        assert!(!worth_going_on(2, 301));
        assert!(
            !worth_going_on(0, 100),
            "every ticket seen on the first page"
        );
    }

    #[test]
    fn requests_per_cycle_match_the_figures_in_the_notes() {
        // Watched active tickets in a window of as many tickets: GETs vs pages.
        for (tickets, pages) in [(1, 1), (100, 1), (1_000, 10), (10_000, 100)] {
            assert_eq!(pages_for(tickets), pages);
        }
    }

    #[test]
    fn the_window_starts_just_before_the_oldest_ticket() {
        assert_eq!(window_start([Some(50), Some(20), Some(90)]), Some(19));
        assert_eq!(window_start([Some(50), None]), None, "unknown: everything");
        assert_eq!(window_start([Some(i64::MIN)]), Some(i64::MIN));
    }

    #[test]
    fn a_remembered_total_bounds_only_narrower_windows() {
        let mut memory = WindowMemory::default();
        let estimate = |total, exact| Some(Estimate { total, exact });
        assert_eq!(memory.estimate(Some(10)), None);
        memory.remember(Some(10), 500);
        assert_eq!(memory.estimate(Some(10)), estimate(500, true));
        assert_eq!(memory.estimate(Some(99)), estimate(500, false));
        assert_eq!(memory.estimate(Some(9)), None);
        assert_eq!(memory.estimate(None), None);
        memory.remember(None, 800);
        assert_eq!(memory.estimate(Some(9)), estimate(800, false));
        assert_eq!(memory.estimate(None), estimate(800, true));
    }

    fn offsets(sweep: &mut Sweep) -> Vec<u32> {
        std::iter::from_fn(|| sweep.next_page().map(|q| q.offset.unwrap())).collect()
    }

    #[test]
    fn a_sweep_asks_for_the_first_page_then_all_the_others() {
        let base = ListQuery {
            creator: Some("zhang".into()),
            ..ListQuery::default()
        };
        let mut sweep = Sweep::new(base);
        let first = sweep.next_page().unwrap();
        assert_eq!(
            (first.limit, first.offset, first.creator.as_deref()),
            (Some(100), Some(0), Some("zhang"))
        );
        assert!(sweep.next_page().is_none(), "the rest waits for total");
        assert_eq!(sweep.on_page(0, Some(250), 100), Some(250));
        assert_eq!(offsets(&mut sweep), [100, 200]);
        assert!(!sweep.is_done());
        sweep.retry(200);
        assert_eq!(offsets(&mut sweep), [200]);
        assert_eq!(sweep.on_page(100, Some(251), 100), None);
        assert_eq!(sweep.on_page(200, Some(251), 51), None);
        assert!(sweep.is_complete());
    }

    #[test]
    fn a_sweep_cut_short_waits_for_its_pages_in_flight() {
        let mut sweep = Sweep::new(ListQuery::default());
        sweep.next_page().unwrap();
        sweep.on_page(0, Some(1000), 100);
        sweep.next_page().unwrap();
        sweep.next_page().unwrap();
        sweep.on_failed_page();
        assert!(!sweep.is_done(), "one page still in flight");
        assert!(sweep.next_page().is_none());
        sweep.on_page(200, Some(1000), 100);
        assert!(sweep.is_done() && !sweep.is_complete());
    }

    #[test]
    fn an_empty_list_is_one_page() {
        let mut sweep = Sweep::new(ListQuery::default());
        sweep.next_page().unwrap();
        assert_eq!(sweep.on_page(0, Some(0), 0), Some(0));
        assert!(sweep.is_complete());
        let mut no_total = Sweep::new(ListQuery::default());
        no_total.next_page().unwrap();
        assert_eq!(no_total.on_page(0, None, 7), Some(7));
        assert!(no_total.is_complete());
    }
}
