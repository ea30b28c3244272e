//! The engine's refresh by list pages, against the simulator over HTTP: requests are
//! counted by a wrapper around the real client.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{Sim, list_all, refs};
use coctop::coc::{ApiError, Auth, Client, ClientConfig, Endpoint, ListQuery, Page, Step, Ticket};
use coctop::query::{TicketQuery, TimeBound};
use coctop::sim::SimOptions;
use coctop::watch::{
    Command, EngineConfig, EngineHandle, Fetcher, HealthUpdate, TicketUpdate, Update, pages, spawn,
};

/// The real client, counting GETs and list pages; tickets in `hidden` are left out of
/// every page (as if the list had missed them).
struct Counting {
    client: Client,
    gets: Mutex<Vec<String>>,
    lists: AtomicUsize,
    hidden: HashSet<String>,
    /// Every page is answered 403, as for a user allowed to read tickets, not list them.
    forbidden: bool,
}

impl Counting {
    fn new(sim: &Sim, hidden: HashSet<String>) -> Arc<Counting> {
        let endpoint = Endpoint::from_url(&sim.url()).unwrap();
        let mut config = ClientConfig::new(endpoint, Auth::None);
        config.retry = coctop::coc::RetryPolicy::none();
        Arc::new(Counting {
            client: Client::new(config).unwrap(),
            gets: Mutex::new(Vec::new()),
            lists: AtomicUsize::new(0),
            hidden,
            forbidden: false,
        })
    }

    fn counts(&self) -> (usize, usize) {
        (
            self.gets.lock().unwrap().len(),
            self.lists.load(Ordering::SeqCst),
        )
    }
}

impl Fetcher for Counting {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.gets.lock().unwrap().push(execution_id.to_string());
        self.client.get_execution(execution_id).await
    }

    async fn steps_page(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Step>, ApiError> {
        self.client.list_steps(execution_id, limit, offset).await
    }

    fn lists(&self) -> bool {
        true
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Ticket>, ApiError> {
        self.lists.fetch_add(1, Ordering::SeqCst);
        if self.forbidden {
            return Err(ApiError::Http {
                status: 403,
                error_code: Some("COC.00040301".into()),
                error_msg: Some("no permission to list executions".into()),
                request_id: None,
                excerpt: None,
                retry_after: None,
            });
        }
        let mut page = self.client.list_executions(query).await?;
        page.data.retain(|t| !self.hidden.contains(&t.execution_id));
        Ok(page)
    }
}

fn config(interval: Duration) -> EngineConfig {
    EngineConfig {
        interval,
        concurrency: 8,
        max_rps: 1000.0,
    }
}

/// Updates until `done` says the last one was enough, or `within` passes.
fn collect(
    sim: &Sim,
    engine: &mut EngineHandle,
    within: Duration,
    mut done: impl FnMut(&Update) -> bool,
) -> Vec<Update> {
    sim.block_on(async {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + within;
        while let Ok(Some(update)) = tokio::time::timeout_at(deadline, engine.updates.recv()).await
        {
            let enough = done(&update);
            seen.push(update);
            if enough {
                break;
            }
        }
        seen
    })
}

/// A `done` for `collect`: true once every one of `n` tickets had a snapshot.
fn every_ticket_seen(n: usize) -> impl FnMut(&Update) -> bool {
    let mut seen = HashSet::new();
    move |update| {
        if let Update::Ticket(TicketUpdate::Snapshot { id, .. }) = update {
            seen.insert(id.clone());
        }
        seen.len() == n
    }
}

fn snapshots(updates: &[Update]) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for update in updates {
        if let Update::Ticket(TicketUpdate::Snapshot { id, .. }) = update {
            *count.entry(id.to_string()).or_default() += 1;
        }
    }
    count
}

#[test]
fn watched_tickets_are_refreshed_by_pages_with_fewer_requests_than_gets() {
    let sim = Sim::start(SimOptions {
        tickets: 1000,
        ..SimOptions::default()
    });
    let ids = sim.ids();
    let active = list_all(&sim, &ListQuery::default())
        .iter()
        .filter(|t| !t.is_terminal())
        .count();
    assert!(active > 40, "{active} active tickets");
    let api = Counting::new(&sim, HashSet::new());
    let interval = Duration::from_secs(1);
    let mut engine = sim.block_on(async { spawn(api.clone(), config(interval), refs(&ids)) });

    // First sight of all 1,000 through the account's 10 pages, no GET.
    let first = collect(
        &sim,
        &mut engine,
        Duration::from_secs(60),
        every_ticket_seen(ids.len()),
    );
    assert_eq!(snapshots(&first).len(), ids.len());
    let (gets, lists) = api.counts();
    assert_eq!(gets, 0);
    assert!((10..=12).contains(&lists), "{lists} pages");

    // Then every cycle costs the window's pages, far fewer than one GET per active
    // ticket, and every active ticket is refreshed each cycle.
    let cycles = 3;
    let later = collect(&sim, &mut engine, interval * cycles, |_| false);
    let (gets_after, lists_after) = api.counts();
    let sent = (gets_after - gets) + (lists_after - lists);
    assert!(
        sent <= (cycles as usize + 1) * pages::pages_for(1000) as usize,
        "{sent} requests"
    );
    assert!(
        sent < active * cycles as usize,
        "{sent} >= {active} x {cycles}"
    );
    let refreshed = snapshots(&later);
    let still_active: Vec<&String> = ids
        .iter()
        .filter(|id| {
            later.iter().rev().find_map(|u| match u {
                Update::Ticket(TicketUpdate::Snapshot { id: of, ticket, .. }) if of == *id => {
                    Some(!ticket.is_terminal())
                }
                _ => None,
            }) == Some(true)
        })
        .collect();
    assert!(!still_active.is_empty());
    for id in still_active {
        assert!(refreshed[id] >= 2, "{id} refreshed {} times", refreshed[id]);
    }
    sim.block_on(engine.shutdown());
}

#[test]
fn a_ticket_missing_from_its_page_falls_back_to_its_get() {
    let sim = Sim::start(SimOptions {
        tickets: 300,
        ..SimOptions::default()
    });
    let all = list_all(&sim, &ListQuery::default());
    let running: Vec<String> = all
        .iter()
        .filter(|t| !t.is_terminal())
        .map(|t| t.execution_id.clone())
        .take(20)
        .collect();
    let hidden = running[3].clone();
    let api = Counting::new(&sim, HashSet::from([hidden.clone()]));
    let interval = Duration::from_secs(1);
    let mut engine = sim.block_on(async { spawn(api.clone(), config(interval), refs(&running)) });
    let updates = collect(&sim, &mut engine, interval * 3, |_| false);
    let seen = snapshots(&updates);
    assert!(seen[&hidden] >= 2, "the hidden ticket is still refreshed");
    let gets = api.gets.lock().unwrap().clone();
    assert!(gets.contains(&hidden), "{gets:?}");
    assert!(
        gets.iter().all(|id| *id == hidden),
        "only the missing one is fetched alone: {gets:?}"
    );
    sim.block_on(engine.shutdown());
}

#[test]
fn refresh_all_reads_every_ticket_from_pages() {
    let sim = Sim::start(SimOptions {
        tickets: 1000,
        ..SimOptions::default()
    });
    let ids = sim.ids();
    let api = Counting::new(&sim, HashSet::new());
    // A long interval: only the first sight and `R` send anything.
    let mut engine =
        sim.block_on(async { spawn(api.clone(), config(Duration::from_secs(3600)), refs(&ids)) });
    collect(
        &sim,
        &mut engine,
        Duration::from_secs(60),
        every_ticket_seen(ids.len()),
    );
    let before = api.counts();
    engine.commands.send(Command::RefreshAll).unwrap();
    let again = collect(
        &sim,
        &mut engine,
        Duration::from_secs(60),
        every_ticket_seen(ids.len()),
    );
    assert_eq!(snapshots(&again).len(), ids.len(), "finished ones too");
    let after = api.counts();
    assert_eq!(after.0, before.0, "no GET");
    assert!(after.1 - before.1 <= 11, "{} pages", after.1 - before.1);
    sim.block_on(engine.shutdown());
}

#[test]
fn a_query_finds_new_tickets_and_lets_finished_ones_go_when_they_leave_its_window() {
    // At speed 500 a ticket starts every 60-180 ms and ends within seconds.
    let sim = Sim::start(SimOptions {
        speed: 500.0,
        ..SimOptions::default()
    });
    let api = Counting::new(&sim, HashSet::new());
    let interval = Duration::from_secs(1);
    let started = coctop::format::millis_of(std::time::SystemTime::now());
    let mut engine = sim.block_on(async { spawn(api.clone(), config(interval), Vec::new()) });
    let window = TicketQuery {
        since: Some(TimeBound::Ago(Duration::from_secs(2))),
        ..TicketQuery::default()
    };
    engine
        .commands
        .send(Command::AddQuery {
            name: "lately".into(),
            query: Box::new(window),
        })
        .unwrap();
    let updates = collect(&sim, &mut engine, Duration::from_secs(6), |_| false);

    let mut joined = HashSet::new();
    let mut start_of = HashMap::new();
    for update in &updates {
        match update {
            Update::Ticket(TicketUpdate::Joined {
                id: execution_id,
                query,
                ..
            }) => {
                assert_eq!(query, "lately");
                assert!(joined.insert(execution_id.clone()), "joins once");
            }
            Update::Ticket(TicketUpdate::Snapshot {
                id: execution_id,
                ticket,
                ..
            }) => {
                assert!(joined.contains(execution_id), "joined before its snapshot");
                start_of.insert(execution_id.clone(), ticket.start_time().unwrap());
            }
            Update::Ticket(TicketUpdate::Left {
                id: execution_id,
                dropped,
                ..
            }) => {
                assert!(*dropped, "nobody else watches it");
                let last = updates.iter().rev().find_map(|u| match u {
                    Update::Ticket(TicketUpdate::Snapshot { id, ticket, .. })
                        if id == execution_id =>
                    {
                        Some(ticket.clone())
                    }
                    _ => None,
                });
                assert!(last.unwrap().is_terminal(), "only finished tickets leave");
            }
            _ => {}
        }
    }
    let new_ones = start_of.values().filter(|&&start| start > started).count();
    assert!(
        new_ones >= 5,
        "tickets started during the run are found: {new_ones}"
    );
    let left = updates
        .iter()
        .filter(|u| matches!(u, Update::Ticket(TicketUpdate::Left { .. })))
        .count();
    assert!(left >= 1, "finished tickets leave the 2 s window");
    let (_, lists) = api.counts();
    assert!(lists <= 8, "one page a cycle: {lists}");
    sim.block_on(engine.shutdown());
}

#[test]
fn a_forbidden_list_leaves_the_tickets_to_their_gets() {
    let sim = Sim::start(SimOptions::default());
    let ids = sim.ids();
    let mut api = Counting::new(&sim, HashSet::new());
    Arc::get_mut(&mut api).unwrap().forbidden = true;
    let mut engine =
        sim.block_on(async { spawn(api.clone(), config(Duration::from_secs(1)), refs(&ids)) });
    let updates = collect(
        &sim,
        &mut engine,
        Duration::from_secs(30),
        every_ticket_seen(ids.len()),
    );
    assert_eq!(snapshots(&updates).len(), ids.len());
    assert!(
        !updates
            .iter()
            .any(|u| matches!(u, Update::Health(HealthUpdate::AuthFailed { .. }))),
        "a 403 on listing does not stop the polling"
    );
    engine.commands.send(Command::RefreshAll).unwrap();
    collect(
        &sim,
        &mut engine,
        Duration::from_secs(30),
        every_ticket_seen(ids.len()),
    );
    assert_eq!(api.counts().1, 1, "one page tried, then no more");
    sim.block_on(engine.shutdown());
}

#[test]
fn a_pass_stops_reading_once_every_watched_ticket_was_seen() {
    let sim = Sim::start(SimOptions {
        tickets: 1000,
        ..SimOptions::default()
    });
    // The 50 newest: all on the first page of the whole account, and of their window.
    let newest: Vec<String> = list_all(&sim, &ListQuery::default())
        .into_iter()
        .take(50)
        .map(|t| t.execution_id)
        .collect();
    let api = Counting::new(&sim, HashSet::new());
    let interval = Duration::from_secs(1);
    let mut engine = sim.block_on(async { spawn(api.clone(), config(interval), refs(&newest)) });
    let cycles = 3;
    let updates = collect(&sim, &mut engine, interval * cycles, |_| false);
    assert_eq!(snapshots(&updates).len(), newest.len());
    let (gets, lists) = api.counts();
    assert_eq!(gets, 0);
    assert!(
        lists <= cycles as usize + 1,
        "one page a cycle, not the account's 10: {lists}"
    );
    sim.block_on(engine.shutdown());
}
