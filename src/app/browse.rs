//! The browse view (`b`): the account's tickets straight from the list APIs, of both
//! kinds unless `kind=` says otherwise, newest first, a page at a time as the user
//! scrolls, filtered with `key=value` words.
//!
//! Each kind is its own stream of pages (executions by offset, script tickets by
//! marker), read through the one pager; the rows of both are kept newest first, and the
//! stream that is furthest behind in time is read on. Pages arrive from the engine
//! tagged with the view's generation; a page of an older generation (the filter changed
//! since) is dropped. The selection is a ticket reference, as in the ticket list.

use std::cmp::Reverse;
use std::time::SystemTime;

use crate::coc::{ApiError, TicketKind, TicketRef};
use crate::query::{KindFilter, TicketQuery};
use crate::watch::{Command, Limits, Listed, PageAt, Pager};

use super::keys::Intent;
use super::layout;
use super::reaction::Reaction;
use super::tickets::{Failure, TicketEntry};

/// The next page is asked for when the selection comes this close to the last row.
const PAGE_AHEAD: usize = 20;
/// The view reads at most this far into each list (a status filter that matches
/// nothing would otherwise read an endless list forever).
const LIMITS: Limits = Limits::TICKETS.at_most(10_000);

/// One kind's list being read.
#[derive(Debug, Clone)]
struct Stream {
    kind: TicketKind,
    pager: Pager,
    /// The start of the oldest row read so far: how far back in time it has come.
    reached: Option<i64>,
}

impl Stream {
    fn new(kind: TicketKind) -> Stream {
        let pager = match kind {
            TicketKind::Execution => Pager::offsets(LIMITS),
            TicketKind::Script => Pager::markers(LIMITS),
        };
        Stream {
            kind,
            pager,
            reached: None,
        }
    }

    /// How far back it has read; a stream not read yet is at now.
    fn behind(&self) -> i64 {
        match self.pager.pages() {
            0 => i64::MAX,
            _ => self.reached.unwrap_or(i64::MAX),
        }
    }
}

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
    streams: Vec<Stream>,
    /// The page asked for (of which kind) and not yet answered.
    waiting: Option<(TicketKind, PageAt)>,
    failure: Option<Failure>,
    selected: Option<TicketRef>,
    cursor: usize,
    offset: usize,
}

/// Both kinds, unless the filter says `kind=`.
fn base_query() -> TicketQuery {
    TicketQuery {
        kind: KindFilter::All,
        ..TicketQuery::default()
    }
}

impl Default for Browse {
    fn default() -> Browse {
        Browse {
            open: false,
            query: base_query(),
            text: String::new(),
            editing: false,
            invalid: None,
            generation: 0,
            rows: Vec::new(),
            streams: Vec::new(),
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

    /// From the first pages again (the filter changed, or `r`); the selection is kept
    /// if its ticket comes back. The first kind's first page is asked for now, the
    /// other's as soon as it is in (`more`).
    pub fn reload(&mut self) -> Command {
        self.generation += 1;
        self.rows.clear();
        self.streams = self
            .query
            .kind
            .kinds()
            .iter()
            .map(|&k| Stream::new(k))
            .collect();
        self.failure = None;
        self.waiting = None;
        self.request(0)
            .expect("a new pager always has a first page")
    }

    /// The next page of `streams[i]`, marked asked for.
    fn request(&mut self, i: usize) -> Option<Command> {
        let stream = self.streams.get_mut(i)?;
        let page = stream.pager.next_page()?;
        self.waiting = Some((stream.kind, page.clone()));
        Some(Command::Browse {
            generation: self.generation,
            kind: stream.kind,
            query: Box::new(self.query.clone()),
            page,
        })
    }

    /// A page from the engine; says whether the view changed.
    pub fn on_page(
        &mut self,
        generation: u64,
        kind: TicketKind,
        page: PageAt,
        result: Result<Listed, ApiError>,
        at: SystemTime,
    ) -> bool {
        let expected = self.waiting.as_ref() == Some(&(kind, page.clone()));
        if generation != self.generation || !expected {
            return false;
        }
        self.waiting = None;
        let Some(stream) = self.streams.iter_mut().find(|s| s.kind == kind) else {
            return false;
        };
        let listed = match result {
            Ok(listed) => listed,
            Err(ApiError::BodyTooLarge { .. }) if stream.pager.too_large(page) => return true,
            Err(error) => {
                stream.pager.fail();
                self.failure = Some(Failure { error, at });
                return true;
            }
        };
        self.failure = None;
        // A ticket pushed onto this page by a newer one was on the last page too: the
        // pager takes each once.
        let fresh = stream
            .pager
            .take(&page, listed.rows, listed.total, listed.next_marker, |t| {
                Some(t.id().into())
            });
        for ticket in fresh {
            if let Some(start) = ticket.start_time() {
                stream.reached = Some(stream.reached.map_or(start, |r| r.min(start)));
            }
            if self.query.keeps(&ticket) {
                let mut row = TicketEntry::listed_from(ticket, at);
                row.profile = self.query.profile.as_deref().map(Into::into);
                self.rows.push(row);
            }
        }
        if self.streams.len() > 1 {
            // Newest first across both kinds (each list is newest first already).
            let start = |e: &TicketEntry| e.ticket.as_ref().and_then(|t| t.start_time());
            self.rows.sort_by_key(|e| (Reverse(start(e)), e.id.clone()));
        }
        self.follow_selection();
        true
    }

    /// Whether more pages may exist beyond the loaded ones.
    pub fn has_more(&self) -> bool {
        self.streams.iter().any(|s| s.pager.end().is_none())
    }

    /// Why the view stopped reading a list that may hold more (a cap, a server
    /// repeating itself).
    pub fn stopped(&self) -> Option<String> {
        self.streams.iter().find_map(|s| {
            s.pager
                .end()
                .filter(|end| end.left_more())
                .and_then(|end| end.reason(LIMITS))
        })
    }

    /// The user moves to `position` (clamped); the next page is asked for when the
    /// selection nears the end of what is loaded (with a status filter the rows kept
    /// may be few, so it is asked for whenever the view is short).
    pub fn select(&mut self, position: usize, rows_on_screen: usize) -> (bool, Option<Command>) {
        let changed = match self.rows.len().checked_sub(1) {
            Some(last) => {
                let position = position.min(last);
                let id = &self.rows[position].id;
                let changed = self.selected.as_ref() != Some(id);
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

    /// The next page, when none is on its way: a kind not read at all yet, else, when
    /// the selection is near the end, the kind furthest behind in time.
    pub fn more(&mut self, rows_on_screen: usize) -> Option<Command> {
        if self.waiting.is_some() || self.failure.is_some() {
            return None;
        }
        let readable = |s: &Stream| s.pager.end().is_none();
        if let Some(i) = self
            .streams
            .iter()
            .position(|s| readable(s) && s.pager.pages() == 0)
        {
            return self.request(i);
        }
        let near_end = self.cursor + PAGE_AHEAD.max(rows_on_screen) >= self.rows.len();
        if !near_end {
            return None;
        }
        let behind = (0..self.streams.len())
            .filter(|&i| readable(&self.streams[i]))
            .max_by_key(|&i| self.streams[i].behind())?;
        self.request(behind)
    }

    fn follow_selection(&mut self) {
        let found = self
            .selected
            .as_ref()
            .and_then(|id| self.rows.iter().position(|r| r.id == *id));
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

    /// What the lists' first pages said they hold: a hint.
    pub fn total(&self) -> Option<usize> {
        let hints: Vec<u64> = self
            .streams
            .iter()
            .filter_map(|s| s.pager.total_hint())
            .collect();
        (!hints.is_empty()).then(|| {
            let sum = hints.iter().fold(0u64, |a, b| a.saturating_add(*b));
            usize::try_from(sum).unwrap_or(usize::MAX)
        })
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
        match TicketQuery::parse_words_over(base_query(), &self.text) {
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
    use crate::coc::{JobTicket, ScriptTicket, Ticket};

    const E: TicketKind = TicketKind::Execution;

    fn page(ids: std::ops::Range<usize>, total: i64) -> Result<Listed, ApiError> {
        let rows = ids
            .map(|i| {
                let ticket: Ticket = serde_json::from_value(serde_json::json!({
                    "execution_id": format!("EX{i:04}"),
                    "status": if i % 2 == 0 { "Running" } else { "Failed" },
                }))
                .unwrap();
                JobTicket::from(ticket)
            })
            .collect();
        Ok(Listed {
            rows,
            total: Some(total),
            next_marker: None,
        })
    }

    /// A browse view of executions only (most of these tests read one list).
    fn executions_only() -> Browse {
        let mut browse = Browse::default();
        browse.query.kind = KindFilter::Execution;
        browse
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
        let mut browse = executions_only();
        let (generation, offset) = asked(Some(browse.open()));
        assert_eq!(offset, 0);
        assert!(!browse.on_page(generation + 7, E, at(0), page(0..100, 250), now));
        assert!(browse.on_page(generation, E, at(0), page(0..100, 250), now));
        assert_eq!(browse.rows().len(), 100);
        assert_eq!(browse.select(10, 20).1, None, "far from the end");
        let (changed, more) = browse.select(85, 20);
        assert!(changed);
        assert_eq!(asked(more), (generation, 100));
        assert_eq!(browse.select(86, 20).1, None, "one page at a time");
        // A ticket pushed onto the next page by a new one is kept once.
        browse.on_page(generation, E, at(100), page(99..199, 251), now);
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
        let mut browse = executions_only();
        let (generation, _) = asked(Some(browse.open()));
        browse.on_page(generation, E, at(0), page(0..10, 10), now);
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
        browse.on_page(again, E, at(0), page(0..10, 10), now);
        let ids: Vec<String> = browse.rows().iter().map(|r| r.id.to_string()).collect();
        assert_eq!(ids, ["EX0000", "EX0002", "EX0004", "EX0006", "EX0008"]);
        assert_eq!(browse.selected().unwrap().id, "EX0004", "held by ID");
    }

    #[test]
    fn a_failed_page_is_shown_and_asked_again_only_on_reload() {
        let now = SystemTime::now();
        let mut browse = executions_only();
        let (generation, _) = asked(Some(browse.open()));
        let error = ApiError::Network {
            detail: "reset".into(),
        };
        assert!(browse.on_page(generation, E, at(0), Err(error), now));
        assert!(browse.failure().is_some() && !browse.loading());
        assert_eq!(browse.select(0, 20).1, None);
        assert_eq!(asked(Some(browse.reload())), (generation + 1, 0));
    }

    #[test]
    fn a_filter_over_an_endless_list_stops_reading_and_says_so() {
        let now = SystemTime::now();
        let mut browse = executions_only();
        key(&mut browse, Intent::Filter);
        type_line(&mut browse, "kind=execution status=Succeed");
        let (mut generation, mut offset) = asked(enter(&mut browse));
        let mut pages = 0;
        loop {
            // Distinct tickets, none of them Succeed, under a total without end.
            let first = offset as usize;
            assert!(browse.on_page(
                generation,
                E,
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

    fn scripts(rows: &[(&str, i64)], marker: Option<&str>) -> Result<Listed, ApiError> {
        let rows = rows
            .iter()
            .map(|(uuid, created)| {
                let ticket: ScriptTicket = serde_json::from_value(serde_json::json!({
                    "execute_uuid": uuid, "status": "PROCESSING", "gmt_created": created,
                }))
                .unwrap();
                JobTicket::from(ticket)
            })
            .collect();
        Ok(Listed {
            rows,
            total: None,
            next_marker: marker.map(str::to_string),
        })
    }

    fn executions(rows: &[(&str, i64)]) -> Result<Listed, ApiError> {
        let rows = rows
            .iter()
            .map(|(id, started)| {
                let ticket: Ticket = serde_json::from_value(serde_json::json!({
                    "execution_id": id, "status": "Running", "start_time": started,
                }))
                .unwrap();
                JobTicket::from(ticket)
            })
            .collect();
        Ok(Listed {
            rows,
            total: Some(2),
            next_marker: None,
        })
    }

    fn browse_asked(command: Option<Command>) -> (u64, TicketKind, PageAt) {
        match command {
            Some(Command::Browse {
                generation,
                kind,
                page,
                ..
            }) => (generation, kind, page),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn both_kinds_are_read_by_their_own_paging_and_shown_newest_first() {
        let now = SystemTime::now();
        let mut browse = Browse::default();
        let (generation, kind, first) = browse_asked(Some(browse.open()));
        assert_eq!(
            (kind, first.cursor.clone()),
            (E, crate::watch::Cursor::Offset(0))
        );
        assert_eq!(browse.more(20), None, "one page at a time");
        assert!(browse.on_page(
            generation,
            kind,
            first,
            executions(&[("EX2", 300), ("EX1", 100)]),
            now
        ));
        // The script tickets' list is read from its first page, by marker.
        let (_, kind, page) = browse_asked(browse.more(20));
        assert_eq!(kind, TicketKind::Script);
        assert_eq!(page.cursor, crate::watch::Cursor::Marker(None));
        let rows = scripts(&[("JS3", 400), ("JS2", 200)], Some("7"));
        assert!(browse.on_page(generation, kind, page, rows, now));
        let ids: Vec<String> = browse.rows().iter().map(|r| r.id.to_string()).collect();
        assert_eq!(ids, ["script/JS3", "EX2", "script/JS2", "EX1"]);
        // The executions' list has ended; the next page is the scripts' after marker 7.
        let (_, kind, page) = browse_asked(browse.more(20));
        assert_eq!(kind, TicketKind::Script);
        assert_eq!(page.cursor, crate::watch::Cursor::Marker(Some("7".into())));
        // A page of another kind than the one waited for is dropped.
        assert!(!browse.on_page(generation, E, page.clone(), executions(&[]), now));
        let rows = scripts(&[("JS1", 50)], None);
        assert!(browse.on_page(generation, kind, page, rows, now));
        assert!(!browse.has_more());
        assert_eq!(browse.rows().len(), 5);
        // A filter word chooses one kind.
        browse.text = "kind=script".into();
        let (_, kind, _) = browse_asked(browse.apply_filter());
        assert_eq!(kind, TicketKind::Script);
    }

    #[test]
    fn a_listed_id_that_breaks_the_rule_is_shown_escaped_never_valid() {
        let now = SystemTime::now();
        let mut browse = Browse::default();
        let (generation, kind, page) = browse_asked(Some(browse.open()));
        browse.on_page(
            generation,
            kind,
            page,
            executions(&[("EX\u{1b}[2J", 1)]),
            now,
        );
        let row = &browse.rows()[0];
        assert!(!row.id.is_valid());
        assert_eq!(row.id.to_string(), "EX\\u{1b}[2J");
    }
}
