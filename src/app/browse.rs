//! The browse view (`b`): the account's tickets straight from the list API, newest
//! first, a page at a time as the user scrolls, filtered with `key=value` words.
//!
//! Pages arrive from the engine tagged with the view's generation; a page of an older
//! generation (the filter changed since) is dropped. The selection is an execution ID,
//! as in the ticket list.

use std::time::SystemTime;

use crate::coc::{ApiError, Page, Ticket};
use crate::query::TicketQuery;
use crate::watch::{Command, Limits, PageAt, Pager};

use super::keys::Intent;
use super::layout;
use super::reaction::Reaction;
use super::tickets::{Failure, TicketEntry};

/// The next page is asked for when the selection comes this close to the last row.
const PAGE_AHEAD: usize = 20;
/// The view reads at most this far into the list (a status filter that matches
/// nothing would otherwise read an endless list forever).
const LIMITS: Limits = Limits::TICKETS.at_most(10_000);

#[derive(Debug, Clone)]
pub struct Browse {
    open: bool,
    query: TicketQuery,
    /// The filter line as typed, and whether it has the keyboard.
    text: String,
    editing: bool,
    /// Why the typed filter was refused.
    invalid: Option<String>,
    generation: u64,
    rows: Vec<TicketEntry>,
    /// The read through the list's pages.
    pager: Pager,
    /// The page asked for and not yet answered.
    waiting: Option<PageAt>,
    failure: Option<Failure>,
    selected: Option<String>,
    cursor: usize,
    offset: usize,
}

impl Default for Browse {
    fn default() -> Browse {
        Browse {
            open: false,
            query: TicketQuery::default(),
            text: String::new(),
            editing: false,
            invalid: None,
            generation: 0,
            rows: Vec::new(),
            pager: Pager::offsets(LIMITS),
            waiting: None,
            failure: None,
            selected: None,
            cursor: 0,
            offset: 0,
        }
    }
}

/// What a key of the browse view asks of the app.
#[derive(Debug, Clone)]
pub enum Browsed {
    /// Not a key of the browse view.
    Ignored,
    Done(Reaction),
    /// The selection moved: `true` when to another ticket.
    Moved(bool, Reaction),
    /// Enter: the selected ticket opens.
    Open,
}

impl Browse {
    /// A key routed to the view or its filter line (`typed`: the character of
    /// `Intent::Type`); `rows`: the rows on screen.
    pub fn on_intent(&mut self, intent: Intent, typed: Option<char>, rows: usize) -> Browsed {
        let reaction = match (self.editing, intent) {
            (true, Intent::Type) => {
                self.text.extend(typed);
                self.invalid = None;
                Reaction::redraw(true)
            }
            (true, Intent::Erase) => {
                self.text.pop();
                self.invalid = None;
                Reaction::redraw(true)
            }
            (true, Intent::Accept) => Reaction::redraw(true).ask(self.apply_filter()),
            (true, Intent::Close) => {
                self.cancel_editing();
                Reaction::redraw(true)
            }
            (false, Intent::Back) => {
                self.close();
                Reaction::redraw(true)
            }
            (false, Intent::Filter) => {
                self.editing = true;
                Reaction::redraw(true)
            }
            (false, Intent::Refresh) => Reaction::redraw_and(self.reload()),
            (false, Intent::Open) if self.selected().is_some() => return Browsed::Open,
            (false, Intent::Move(motion)) => {
                let target = motion
                    .from(self.cursor)
                    .min(self.rows.len().saturating_sub(1));
                let (changed, more) = self.select(target, rows);
                return Browsed::Moved(changed, Reaction::redraw(changed).ask(more));
            }
            _ => return Browsed::Ignored,
        };
        Browsed::Done(reaction)
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Opens the view on the first page of the current filter.
    pub fn open(&mut self) -> Command {
        self.open = true;
        self.reload()
    }

    pub fn close(&mut self) {
        self.open = false;
        self.editing = false;
    }

    /// From the first page again (the filter changed, or `r`); the selection is kept
    /// if its ticket comes back.
    pub fn reload(&mut self) -> Command {
        self.generation += 1;
        self.rows.clear();
        self.pager = Pager::offsets(LIMITS);
        self.failure = None;
        self.waiting = None;
        self.request().expect("a new pager always has a first page")
    }

    fn request(&mut self) -> Option<Command> {
        let page = self.pager.next_page()?;
        self.waiting = Some(page.clone());
        Some(Command::Browse {
            generation: self.generation,
            query: self.query.clone(),
            page,
        })
    }

    /// A page from the engine; says whether the view changed.
    pub fn on_page(
        &mut self,
        generation: u64,
        page: PageAt,
        result: Result<Page<Ticket>, ApiError>,
        at: SystemTime,
    ) -> bool {
        if generation != self.generation || self.waiting.as_ref() != Some(&page) {
            return false;
        }
        self.waiting = None;
        let listed = match result {
            Ok(listed) => listed,
            Err(error) => {
                self.pager.fail();
                self.failure = Some(Failure { error, at });
                return true;
            }
        };
        self.failure = None;
        // A ticket pushed onto this page by a newer one was on the last page too: the
        // pager takes each once.
        let fresh = self
            .pager
            .take(&page, listed.data, listed.total, None, |t| {
                Some(t.execution_id.as_str())
            });
        for ticket in fresh {
            if self.query.keeps(&ticket) {
                self.rows.push(TicketEntry::listed_from(ticket, at));
            }
        }
        self.follow_selection();
        true
    }

    /// Whether more pages may exist beyond the loaded ones.
    pub fn has_more(&self) -> bool {
        self.pager.end().is_none()
    }

    /// Why the view stopped reading a list that may hold more (a cap, a server
    /// repeating itself).
    pub fn stopped(&self) -> Option<String> {
        self.pager
            .end()
            .filter(|end| end.left_more())
            .and_then(|end| end.reason(LIMITS))
    }

    /// The user moves to `position` (clamped); the next page is asked for when the
    /// selection nears the end of what is loaded (with a status filter the rows kept
    /// may be few, so it is asked for whenever the view is short).
    pub fn select(&mut self, position: usize, rows_on_screen: usize) -> (bool, Option<Command>) {
        let changed = match self.rows.len().checked_sub(1) {
            Some(last) => {
                let position = position.min(last);
                let id = &self.rows[position].id;
                let changed = self.selected.as_deref() != Some(id.as_str());
                self.selected = Some(id.clone());
                self.cursor = position;
                self.offset =
                    layout::keep_visible(self.offset, self.cursor, rows_on_screen, self.rows.len());
                changed
            }
            None => false,
        };
        (changed, self.more(rows_on_screen))
    }

    /// The next page, when the selection is near the end and none is on its way.
    pub fn more(&mut self, rows_on_screen: usize) -> Option<Command> {
        let near_end = self.cursor + PAGE_AHEAD.max(rows_on_screen) >= self.rows.len();
        if !near_end || !self.has_more() || self.waiting.is_some() || self.failure.is_some() {
            return None;
        }
        self.request()
    }

    fn follow_selection(&mut self) {
        let found = self
            .selected
            .as_deref()
            .and_then(|id| self.rows.iter().position(|r| r.id == id));
        match found {
            Some(position) => self.cursor = position,
            None if self.rows.is_empty() => self.cursor = 0,
            None => {
                self.cursor = self.cursor.min(self.rows.len() - 1);
                self.selected = Some(self.rows[self.cursor].id.clone());
            }
        }
    }

    pub fn rows(&self) -> &[TicketEntry] {
        &self.rows
    }

    pub fn selected(&self) -> Option<&TicketEntry> {
        self.rows.get(self.cursor).filter(|_| !self.rows.is_empty())
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn offset(&self, rows_on_screen: usize) -> usize {
        layout::keep_visible(self.offset, self.cursor, rows_on_screen, self.rows.len())
    }

    /// What the list's first page said it holds: a hint.
    pub fn total(&self) -> Option<usize> {
        self.pager
            .total_hint()
            .map(|t| usize::try_from(t).unwrap_or(usize::MAX))
    }

    pub fn loading(&self) -> bool {
        self.waiting.is_some()
    }

    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    pub fn filter_text(&self) -> &str {
        &self.text
    }

    pub fn invalid_filter(&self) -> Option<&str> {
        self.invalid.as_deref()
    }

    pub fn editing(&self) -> bool {
        self.editing
    }

    /// Enter on the filter line: the words become the query and the view reloads, or
    /// the line stays open with the reason it was refused.
    fn apply_filter(&mut self) -> Option<Command> {
        match TicketQuery::parse_words(&self.text) {
            Ok(query) => {
                self.query = query;
                self.editing = false;
                self.invalid = None;
                Some(self.reload())
            }
            Err(why) => {
                self.invalid = Some(why);
                None
            }
        }
    }

    /// Esc on the filter line: the filter in force stays.
    fn cancel_editing(&mut self) {
        self.editing = false;
        self.invalid = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: std::ops::Range<usize>, total: i64) -> Result<Page<Ticket>, ApiError> {
        let data = ids
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "execution_id": format!("EX{i:04}"),
                    "status": if i % 2 == 0 { "Running" } else { "Failed" },
                }))
                .unwrap()
            })
            .collect();
        let json = serde_json::json!({"data": [], "total": total});
        let mut page: Page<Ticket> = serde_json::from_value(json).unwrap();
        page.data = data;
        Ok(page)
    }

    fn at(offset: u32) -> PageAt {
        PageAt {
            cursor: crate::watch::Cursor::Offset(offset),
            limit: 100,
        }
    }

    fn asked(command: Option<Command>) -> (u64, u32) {
        match command {
            Some(Command::Browse {
                generation, page, ..
            }) => (generation, page.offset()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pages_come_on_demand_and_stale_ones_are_dropped() {
        let now = SystemTime::now();
        let mut browse = Browse::default();
        let (generation, offset) = asked(Some(browse.open()));
        assert_eq!(offset, 0);
        assert!(!browse.on_page(generation + 7, at(0), page(0..100, 250), now));
        assert!(browse.on_page(generation, at(0), page(0..100, 250), now));
        assert_eq!(browse.rows().len(), 100);
        assert_eq!(browse.select(10, 20).1, None, "far from the end");
        let (changed, more) = browse.select(85, 20);
        assert!(changed);
        assert_eq!(asked(more), (generation, 100));
        assert_eq!(browse.select(86, 20).1, None, "one page at a time");
        // A ticket pushed onto the next page by a new one is kept once.
        browse.on_page(generation, at(100), page(99..199, 251), now);
        assert_eq!(browse.rows().len(), 199);
        assert_eq!(browse.selected().unwrap().id, "EX0086", "held by ID");
        assert!(browse.has_more());
    }

    fn key(browse: &mut Browse, intent: Intent) -> Browsed {
        browse.on_intent(intent, None, 20)
    }

    fn type_line(browse: &mut Browse, text: &str) {
        for c in text.chars() {
            browse.on_intent(Intent::Type, Some(c), 20);
        }
    }

    /// Enter on the filter line: the page it asks for, if any.
    fn enter(browse: &mut Browse) -> Option<Command> {
        match key(browse, Intent::Accept) {
            Browsed::Done(mut reaction) => reaction.actions.pop().map(|action| match action {
                crate::app::Action::Engine(command) => command,
                other => panic!("{other:?}"),
            }),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_filter_line_reloads_and_keeps_the_selection_by_id() {
        let now = SystemTime::now();
        let mut browse = Browse::default();
        let (generation, _) = asked(Some(browse.open()));
        browse.on_page(generation, at(0), page(0..10, 10), now);
        browse.select(4, 20);
        key(&mut browse, Intent::Filter);
        type_line(&mut browse, "status=Runing");
        assert_eq!(enter(&mut browse), None);
        assert!(browse.invalid_filter().unwrap().contains("Running"));
        for _ in 0..3 {
            key(&mut browse, Intent::Erase);
        }
        type_line(&mut browse, "ning");
        let (again, offset) = asked(enter(&mut browse));
        assert_eq!((again, offset), (generation + 1, 0));
        browse.on_page(again, at(0), page(0..10, 10), now);
        let ids: Vec<&str> = browse.rows().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["EX0000", "EX0002", "EX0004", "EX0006", "EX0008"]);
        assert_eq!(browse.selected().unwrap().id, "EX0004", "held by ID");
    }

    #[test]
    fn a_failed_page_is_shown_and_asked_again_only_on_reload() {
        let now = SystemTime::now();
        let mut browse = Browse::default();
        let (generation, _) = asked(Some(browse.open()));
        let error = ApiError::Network {
            detail: "reset".into(),
        };
        assert!(browse.on_page(generation, at(0), Err(error), now));
        assert!(browse.failure().is_some() && !browse.loading());
        assert_eq!(browse.select(0, 20).1, None);
        assert_eq!(asked(Some(browse.reload())), (generation + 1, 0));
    }

    #[test]
    fn a_filter_over_an_endless_list_stops_reading_and_says_so() {
        let now = SystemTime::now();
        let mut browse = Browse::default();
        key(&mut browse, Intent::Filter);
        type_line(&mut browse, "status=Succeed");
        let (mut generation, mut offset) = asked(enter(&mut browse));
        let mut pages = 0;
        loop {
            // Distinct tickets, none of them Succeed, under a total without end.
            let first = offset as usize;
            assert!(browse.on_page(
                generation,
                at(offset),
                page(first..first + 100, i64::MAX),
                now
            ));
            pages += 1;
            match browse.more(20) {
                Some(command) => (generation, offset) = asked(Some(command)),
                None => break,
            }
            assert!(pages < 1000, "still reading");
        }
        assert_eq!(pages, LIMITS.max_pages);
        assert!(browse.rows().is_empty());
        assert_eq!(browse.stopped().as_deref(), Some("stopped at 10000 items"));
    }
}
