//! Refresh by the page: when list pages are cheaper than one GET per ticket. Pure: no
//! I/O, no clock. (Reading the pages is the pager's.)

use crate::coc::MAX_LIST_LIMIT;

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
}
