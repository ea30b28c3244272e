//! Sweeps: reading list pages for the engine. A cover per kind refreshes the explicitly
//! tracked tickets of that kind by its list's pages (executions by offset, script
//! tickets by marker) when that is cheaper than their GETs; each `[[query]]` is
//! followed by its pages every interval; the browse view's pages pass through. Every
//! pass reads through one bounded `Pager`.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::gate::Verdict;
use super::pages::{self, Choice, WindowMemory};
use super::request::{ListOf, Request};
use super::schedule::{FAR_FUTURE, later};
use super::tracked::Tracker;
use super::{Listed, TicketUpdate, Update};
use crate::coc::pager::{Limits, PageAt, Pager};
use crate::coc::{ApiError, JobTicket, ListQuery, ScriptOrderQuery, TicketKind, TicketRef};
use crate::query::TicketQuery;

/// Whose list pages a request reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SweepOf {
    /// The window over the explicitly tracked tickets of one kind.
    Cover(TicketKind),
    /// `queries[i]`.
    Query(usize),
    /// A page the browse view asked for; its pass is the view's generation.
    Browse,
}

/// One pass through a list: its query and its pager.
struct Pass {
    number: u64,
    query: ListOf,
    pager: Pager,
}

impl Pass {
    /// The first pass of `query`: offset pages for executions, marker pages for
    /// script tickets.
    fn new(number: u64, query: ListOf) -> Pass {
        let pager = match query.kind() {
            TicketKind::Execution => Pager::offsets(Limits::TICKETS),
            TicketKind::Script => Pager::markers(Limits::TICKETS),
        };
        Pass {
            number,
            query,
            pager,
        }
    }
}

impl Pass {
    fn next_request(&mut self, of: SweepOf) -> Option<Request> {
        let page = self.pager.next_page()?;
        Some(Request::List {
            of,
            pass: self.number,
            query: self.query.clone(),
            page,
        })
    }
}

/// After a cover pass that found fewer than half its tickets, pages are not tried for
/// this many cycles (doubling each time, up to `MAX_COVER_REST`): a list that does not
/// hold the tickets costs pages and GETs both.
const MAX_COVER_REST: u32 = 64;

/// Refreshing the explicitly tracked tickets by list pages when that is cheaper.
#[derive(Default)]
struct Cover {
    /// When the next cycle is planned; `None` when pages are not used (the fetcher
    /// cannot list, or listing was refused).
    due: Option<Instant>,
    pass: Option<Pass>,
    passes: u64,
    /// The window's `start_time` filter and the tickets the pass stands in for.
    window: Option<i64>,
    covered: Vec<TicketRef>,
    /// Those of `covered` no page has held yet.
    unseen: HashSet<TicketRef>,
    memory: WindowMemory,
    /// Passes in a row that missed most of their tickets, and cycles left to rest.
    misses: u32,
    rest: u32,
}

/// A `[[query]]` the engine follows by its pages: one per kind it reads.
struct QueryFollow {
    name: String,
    kind: TicketKind,
    query: TicketQuery,
    due: Instant,
    pass: Option<Pass>,
    passes: u64,
    /// The tickets it found that are still in its window.
    members: HashSet<TicketRef>,
}

impl QueryFollow {
    /// This query's list filters at `at`.
    fn list(&self, at: SystemTime) -> ListOf {
        ListOf::of(&self.query, self.kind, at)
    }
}

/// What a page gave the engine to do: tickets to accept, tickets to GET at once.
#[derive(Default)]
pub(super) struct PageTaken {
    pub listed: Vec<(TicketRef, JobTicket)>,
    pub fall_back: Vec<TicketRef>,
}

/// The kinds, each with its cover (its index in `Sweeps::covers`).
const KINDS: [TicketKind; 2] = [TicketKind::Execution, TicketKind::Script];

fn cover_index(kind: TicketKind) -> usize {
    match kind {
        TicketKind::Execution => 0,
        TicketKind::Script => 1,
    }
}

pub(super) struct Sweeps {
    interval: Duration,
    covers: [Cover; 2],
    queries: Vec<QueryFollow>,
    /// Pages the browse view asked for (only the newest generation's).
    browse: VecDeque<Request>,
}

impl Sweeps {
    pub fn new(lists: bool, interval: Duration, now: Instant) -> Sweeps {
        let cover = || Cover {
            due: lists.then_some(now),
            ..Cover::default()
        };
        Sweeps {
            interval,
            covers: [cover(), cover()],
            queries: Vec::new(),
            browse: VecDeque::new(),
        }
    }

    /// Follows `query` by the pages of each kind it reads.
    pub fn add_query(&mut self, name: String, query: TicketQuery, now: Instant) {
        if self.queries.iter().any(|q| q.name == name) {
            return;
        }
        for &kind in query.kind.kinds() {
            self.queries.push(QueryFollow {
                name: name.clone(),
                kind,
                query: query.clone(),
                due: now,
                pass: None,
                passes: 0,
                members: HashSet::new(),
            });
        }
    }

    /// A page for the browse view; only the newest view matters.
    pub fn browse(&mut self, generation: u64, kind: TicketKind, query: &TicketQuery, page: PageAt) {
        self.browse
            .retain(|r| matches!(r, Request::List { pass, .. } if *pass == generation));
        let query = ListOf::of(query, kind, SystemTime::now());
        self.browse.push_back(Request::List {
            of: SweepOf::Browse,
            pass: generation,
            query,
            page,
        });
    }

    /// The next page any sweep may send: the browse view's first.
    pub fn next_request(&mut self) -> Option<Request> {
        if let Some(request) = self.browse.pop_front() {
            return Some(request);
        }
        for kind in KINDS {
            let cover = &mut self.covers[cover_index(kind)];
            if let Some(request) = cover
                .pass
                .as_mut()
                .and_then(|p| p.next_request(SweepOf::Cover(kind)))
            {
                return Some(request);
            }
        }
        self.queries
            .iter_mut()
            .enumerate()
            .find_map(|(i, q)| q.pass.as_mut()?.next_request(SweepOf::Query(i)))
    }

    /// Whether a page may be sent now.
    pub fn has_ready(&self) -> bool {
        !self.browse.is_empty() || self.passes().any(|p| p.pager.has_ready_page())
    }

    fn passes(&self) -> impl Iterator<Item = &Pass> {
        let covers = self.covers.iter().filter_map(|c| c.pass.as_ref());
        covers.chain(self.queries.iter().filter_map(|q| q.pass.as_ref()))
    }

    /// When the next pass of a cover or of a query is due.
    pub fn next_due(&self) -> Option<Instant> {
        let covers = self
            .covers
            .iter()
            .filter(|c| c.pass.is_none())
            .filter_map(|c| c.due);
        let queries = self
            .queries
            .iter()
            .filter(|q| q.pass.is_none())
            .map(|q| q.due);
        covers.chain(queries).min()
    }

    /// Starts the passes that are due: each cover's, if pages are cheaper this cycle,
    /// and every query's.
    pub fn plan(&mut self, now: Instant, tracker: &mut Tracker) {
        for kind in KINDS {
            let cover = &mut self.covers[cover_index(kind)];
            if cover.pass.is_none() && cover.due.is_some_and(|due| due <= now) {
                cover.due = Some(later(now, self.interval));
                if cover.rest > 0 {
                    cover.rest -= 1;
                    schedule_uncovered(tracker, kind, now);
                } else {
                    self.plan_cover(kind, now, false, tracker);
                }
            }
        }
        let at = SystemTime::now();
        for query in &mut self.queries {
            if query.pass.is_none() && query.due <= now {
                query.due = later(now, self.interval);
                query.passes += 1;
                query.pass = Some(Pass::new(query.passes, query.list(at)));
            }
        }
    }

    /// `R`: every explicit ticket, finished ones too, by pages if that is cheaper;
    /// every query's pages at once.
    pub fn refresh_all(&mut self, now: Instant, tracker: &mut Tracker) {
        for kind in KINDS {
            let cover = &mut self.covers[cover_index(kind)];
            if cover.due.is_none() || cover.pass.is_some() {
                continue;
            }
            cover.rest = 0;
            self.plan_cover(kind, now, true, tracker);
        }
        for query in &mut self.queries {
            query.due = now;
        }
    }

    /// Decides how this cycle refreshes the explicit tickets of `kind` that are idle
    /// (and active, unless `everything`) and not already refreshed by a query's pages;
    /// for pages, takes them off the GET schedule.
    fn plan_cover(
        &mut self,
        kind: TicketKind,
        now: Instant,
        everything: bool,
        tracker: &mut Tracker,
    ) {
        let wanted: Vec<(TicketRef, Option<i64>)> = tracker
            .of_kind(kind)
            .filter(|(_, t)| t.explicit && t.in_queries == 0 && !t.in_flight)
            .filter(|(_, t)| everything || t.is_active())
            .map(|(k, t)| (k.clone(), t.last_good.as_ref().and_then(|t| t.start_time())))
            .collect();
        let cover = &mut self.covers[cover_index(kind)];
        let window = pages::window_start(wanted.iter().map(|(_, start)| *start));
        let choice = pages::choose(wanted.len(), cover.memory.estimate(window));
        if choice == Choice::PerTicket {
            // Tickets a page refreshed last cycle have no GET queued yet.
            for (key, _) in wanted {
                if !tracker.schedule.contains(&key) {
                    tracker.schedule.set(key, now);
                }
            }
            return;
        }
        for (key, _) in &wanted {
            tracker.schedule.remove(key);
            if let Some(tracked) = tracker.tickets.get_mut(key) {
                tracked.in_cover = true;
            }
        }
        cover.passes += 1;
        let query = match kind {
            TicketKind::Execution => ListOf::Executions(ListQuery {
                start_time: window,
                ..ListQuery::default()
            }),
            TicketKind::Script => ListOf::Scripts(ScriptOrderQuery {
                start_time: window,
                ..ScriptOrderQuery::default()
            }),
        };
        cover.pass = Some(Pass::new(cover.passes, query));
        cover.window = window;
        cover.unseen = wanted.iter().map(|(key, _)| key.clone()).collect();
        cover.covered = wanted.into_iter().map(|(key, _)| key).collect();
    }

    /// A list page came back (the gate has taken its error, if any). Browse pages are
    /// the caller's to report.
    #[allow(clippy::too_many_arguments)]
    pub fn on_page(
        &mut self,
        of: SweepOf,
        number: u64,
        page: PageAt,
        result: Result<Listed, ApiError>,
        verdict: Option<Verdict>,
        tracker: &mut Tracker,
        out: &mut Vec<Update>,
    ) -> PageTaken {
        let mut taken = PageTaken::default();
        let Some(pass) = self.pass_mut(of).filter(|p| p.number == number) else {
            return taken;
        };
        let listed = match result {
            Ok(listed) => listed,
            Err(ApiError::BodyTooLarge { .. }) if pass.pager.too_large(page.clone()) => {
                return taken;
            }
            Err(error) => {
                match verdict {
                    Some(Verdict::Throttled) => pass.pager.retry(page),
                    Some(Verdict::ListingRefused) => {
                        tracing::warn!(%error, "listing tickets is refused: no more pages");
                        pass.pager.fail();
                        self.stop_pages(of);
                    }
                    _ => {
                        tracing::debug!(%error, "list page at offset {} failed", page.offset());
                        pass.pager.fail();
                    }
                }
                taken.fall_back = self.end_pass_if_done(of, tracker, out);
                return taken;
            }
        };
        let rows = pass
            .pager
            .take(&page, listed.rows, listed.total, listed.next_marker, |t| {
                Some(t.id().into())
            });
        for ticket in rows {
            if let Some(key) = self.take_listed(of, &ticket, tracker, out) {
                if let SweepOf::Cover(kind) = of {
                    self.covers[cover_index(kind)].unseen.remove(&key);
                }
                taken.listed.push((key, ticket));
            }
        }
        if let SweepOf::Cover(kind) = of {
            self.after_cover_page(kind, listed.total);
        }
        taken.fall_back = self.end_pass_if_done(of, tracker, out);
        taken
    }

    fn pass_mut(&mut self, of: SweepOf) -> Option<&mut Pass> {
        match of {
            SweepOf::Cover(kind) => self.covers[cover_index(kind)].pass.as_mut(),
            SweepOf::Query(i) => self.queries.get_mut(i)?.pass.as_mut(),
            SweepOf::Browse => None,
        }
    }

    /// The cover's pass stops reading as soon as every ticket it stands for was seen;
    /// its first page tells the window's size (remembered for the next cycles), and the
    /// pass goes on only if the pages left cost no more than the GETs left.
    fn after_cover_page(&mut self, kind: TicketKind, total: Option<i64>) {
        let cover = &mut self.covers[cover_index(kind)];
        let Some(pass) = cover.pass.as_mut() else {
            return;
        };
        if pass.pager.pages() == 1 {
            let total = pass
                .pager
                .total_hint()
                .unwrap_or(pass.pager.items() as u64)
                .max(total.unwrap_or(0).max(0) as u64);
            cover.memory.remember(cover.window, total);
            if !pages::worth_going_on(cover.unseen.len(), total) {
                pass.pager.cut_short();
            }
        }
        if cover.unseen.is_empty() {
            pass.pager.cut_short();
        }
    }

    /// A ticket on a list page: returns its key when it is tracked (now), joining it to
    /// the query whose page it is when the query's filters keep it. A ticket whose ID
    /// breaks the one ID rule is never tracked: it could not be fetched.
    fn take_listed(
        &mut self,
        of: SweepOf,
        ticket: &JobTicket,
        tracker: &mut Tracker,
        out: &mut Vec<Update>,
    ) -> Option<TicketRef> {
        let reference = ticket.reference();
        let mut key = reference
            .as_ref()
            .ok()
            .filter(|r| tracker.contains(r))
            .cloned();
        if let SweepOf::Query(i) = of {
            let query = &mut self.queries[i];
            let member = key.as_ref().is_some_and(|k| query.members.contains(k));
            if !member && query.query.keeps(ticket) {
                let reference = match reference {
                    Ok(reference) => reference,
                    Err(reason) => {
                        tracing::warn!(
                            "query {:?}: a listed ticket's ID is not used: {reason}",
                            query.name
                        );
                        return None;
                    }
                };
                let joined = match key.clone() {
                    Some(existing) => existing,
                    None => tracker.insert(reference, false),
                };
                tracker.schedule.remove(&joined);
                if let Some(tracked) = tracker.tickets.get_mut(&joined) {
                    tracked.in_queries += 1;
                }
                query.members.insert(joined.clone());
                out.push(Update::Ticket(TicketUpdate::Joined {
                    id: joined.clone(),
                    query: query.name.clone(),
                    at: SystemTime::now(),
                }));
                key = Some(joined);
            }
        }
        key
    }

    /// When a pass has no page left in flight or to send: the tickets it should have
    /// held but did not fall back to their GETs (returned), and a query lets go of the
    /// finished tickets that left its window.
    fn end_pass_if_done(
        &mut self,
        of: SweepOf,
        tracker: &mut Tracker,
        out: &mut Vec<Update>,
    ) -> Vec<TicketRef> {
        let slot = match of {
            SweepOf::Cover(kind) => &mut self.covers[cover_index(kind)].pass,
            SweepOf::Query(i) => &mut self.queries[i].pass,
            SweepOf::Browse => return Vec::new(),
        };
        if !slot.as_ref().is_some_and(|p| p.pager.is_done()) {
            return Vec::new();
        }
        let Some(pass) = slot.take() else {
            return Vec::new();
        };
        let unseen: Vec<TicketRef> = match of {
            SweepOf::Cover(kind) => self.end_cover_pass(kind, tracker),
            SweepOf::Browse => Vec::new(),
            SweepOf::Query(i) => {
                let query = &self.queries[i];
                let unseen: Vec<TicketRef> = query
                    .members
                    .iter()
                    .filter(|key| !pass.pager.has_seen(key.id()))
                    .cloned()
                    .collect();
                if pass.pager.is_complete() {
                    self.release_finished(i, &unseen, tracker, out);
                }
                unseen
            }
        };
        unseen
            .into_iter()
            .filter(|key| {
                tracker.tickets.get(key).is_some_and(|t| {
                    !t.in_flight && (matches!(of, SweepOf::Cover(_)) || t.is_active())
                })
            })
            .collect()
    }

    /// The cover's tickets go back to their GETs; a pass that missed most of them
    /// makes the next cycles rest from pages.
    fn end_cover_pass(&mut self, kind: TicketKind, tracker: &mut Tracker) -> Vec<TicketRef> {
        let cover = &mut self.covers[cover_index(kind)];
        let covered = std::mem::take(&mut cover.covered);
        for key in &covered {
            if let Some(tracked) = tracker.tickets.get_mut(key) {
                tracked.in_cover = false;
            }
        }
        let unseen: Vec<TicketRef> = std::mem::take(&mut cover.unseen).into_iter().collect();
        if unseen.len() * 2 > covered.len() {
            cover.misses = cover.misses.saturating_add(1);
            cover.rest = 2u32.saturating_pow(cover.misses).min(MAX_COVER_REST);
            tracing::info!(
                missed = unseen.len(),
                of = covered.len(),
                kind = kind.as_str(),
                "list pages missed most watched tickets: GETs for the next {} cycles",
                cover.rest
            );
        } else {
            cover.misses = 0;
        }
        unseen
    }

    /// Finished members of `queries[i]` its whole pass did not see have left its
    /// window: the query lets go of them, and the engine too unless someone else
    /// tracks them.
    fn release_finished(
        &mut self,
        i: usize,
        unseen: &[TicketRef],
        tracker: &mut Tracker,
        out: &mut Vec<Update>,
    ) {
        let query = &mut self.queries[i];
        for key in unseen {
            let Some(tracked) = tracker.tickets.get_mut(key) else {
                query.members.remove(key);
                continue;
            };
            if tracked.is_active() {
                continue;
            }
            query.members.remove(key);
            tracked.in_queries = tracked.in_queries.saturating_sub(1);
            let dropped = tracked.in_queries == 0 && !tracked.explicit;
            if dropped {
                tracker.remove(key);
            }
            out.push(Update::Ticket(TicketUpdate::Left {
                id: key.clone(),
                query: query.name.clone(),
                dropped,
                at: SystemTime::now(),
            }));
        }
    }

    /// No more passes for `of` (listing is refused): the cover leaves its tickets to
    /// their GETs; the query finds nothing more.
    fn stop_pages(&mut self, of: SweepOf) {
        match of {
            SweepOf::Cover(kind) => self.covers[cover_index(kind)].due = None,
            SweepOf::Query(i) => self.queries[i].due = later(Instant::now(), FAR_FUTURE),
            SweepOf::Browse => {}
        }
    }
}

/// Active explicit tickets of `kind` not on the GET schedule get their GET (a cycle
/// without pages).
fn schedule_uncovered(tracker: &mut Tracker, kind: TicketKind, now: Instant) {
    let wanted: Vec<TicketRef> = tracker
        .of_kind(kind)
        .filter(|(_, t)| t.explicit && t.in_queries == 0 && !t.in_flight && t.is_active())
        .map(|(k, _)| k.clone())
        .collect();
    for key in wanted {
        if !tracker.schedule.contains(&key) {
            tracker.schedule.set(key, now);
        }
    }
}
