//! Requests and time to refresh watched tickets: one GET per ticket against list pages,
//! with the engine and a `coctop sim --tickets 10000` on loopback.
//!
//! Run: `cargo bench --bench refresh_pages` (optional: `-- --tickets N --rps R`, where
//! R replaces the high rate; `max_rps` 10 is always measured).
//! `-- --kind script [--script-tickets 300]`: the simulator's script tickets found by a
//! `[[query]] kind = "script"` (by its list pages) against the same tickets watched one
//! GET each, at `max_rps` 10.
//! For 1, 100, 1,000 and 10,000 watched tickets (the newest of the simulator), prints:
//! - per cycle: the requests that refresh every active one once, per ticket (GETs)
//!   and by page;
//! - the time of a full refresh (`R`: every watched ticket, finished ones included),
//!   by page, and per ticket where it fits in the bench's time (else `n / rate`).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use coctop::coc::{ApiError, Auth, Client, ClientConfig, Endpoint, ListQuery, Page, RetryPolicy};
use coctop::coc::{ScriptOrder, ScriptOrderQuery, ScriptTicket, Step, Ticket, TicketRef};
use coctop::query::{KindFilter, TicketQuery};
use coctop::sim::{self, SimOptions};
use coctop::watch::{self, Command, EngineConfig, EngineHandle, Fetcher, TicketUpdate, Update};

mod support;

/// The real client, counting requests; `pages` says whether the engine may list.
struct Counted {
    client: Client,
    pages: bool,
    requests: AtomicUsize,
}

impl Fetcher for Counted {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
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
        self.pages
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Ticket>, ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.client.list_executions(query).await
    }

    async fn fetch_script(&self, execute_uuid: &str) -> Result<ScriptTicket, ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.client.get_script_ticket(execute_uuid).await
    }

    async fn script_list(&self, query: &ScriptOrderQuery) -> Result<Page<ScriptOrder>, ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.client.list_script_orders(query).await
    }
}

impl Counted {
    fn new(url: &str, pages: bool) -> Arc<Counted> {
        let mut config = ClientConfig::new(Endpoint::from_url(url).unwrap(), Auth::None);
        config.retry = RetryPolicy::none();
        Arc::new(Counted {
            client: Client::new(config).unwrap(),
            pages,
            requests: AtomicUsize::new(0),
        })
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

fn default_poll(rate: f64) -> EngineConfig {
    EngineConfig {
        max_rps: rate,
        ..EngineConfig::default()
    }
}

/// Waits until every ticket in `wanted` had a snapshot; the time it took and those
/// still active in their snapshot (the engine polls them again).
async fn until_seen(
    engine: &mut EngineHandle,
    wanted: &HashSet<String>,
) -> (Duration, HashSet<String>) {
    let started = Instant::now();
    let mut seen = HashSet::new();
    let mut active = HashSet::new();
    while seen.len() < wanted.len() {
        match engine.updates.recv().await {
            Some(Update::Ticket(TicketUpdate::Snapshot { id, ticket, .. }))
                if wanted.contains(id.id()) =>
            {
                let execution_id = id.id().to_string();
                if ticket.is_terminal() {
                    active.remove(&execution_id);
                } else {
                    active.insert(execution_id.clone());
                }
                seen.insert(execution_id);
            }
            Some(_) => {}
            None => break,
        }
    }
    (started.elapsed(), active)
}

struct Figures {
    /// Active after the first sight.
    active: usize,
    cycle_requests: usize,
    refresh: Duration,
    refresh_requests: usize,
}

/// Starts the engine on `ids`, waits for the first sight of all, then measures one
/// cycle over the active ones and one `R`.
async fn measure(url: &str, ids: &[String], rate: f64, pages: bool) -> Figures {
    let api = Counted::new(url, pages);
    let poll = default_poll(rate);
    let refs: Vec<TicketRef> = ids.iter().map(|id| TicketRef::parse(id).unwrap()).collect();
    // Updates name a ticket by its bare ID (a script ticket's without `script/`).
    let everyone: HashSet<String> = refs.iter().map(|r| r.id().to_string()).collect();
    let mut engine = watch::spawn(api.clone(), poll, refs);
    let (_, active) = until_seen(&mut engine, &everyone).await;

    let before = api.requests();
    until_seen(&mut engine, &active).await;
    let cycle_requests = api.requests() - before;

    let before = api.requests();
    engine.commands.send(Command::RefreshAll).unwrap();
    let (refresh, _) = until_seen(&mut engine, &everyone).await;
    let refresh_requests = api.requests() - before;
    engine.shutdown().await;
    Figures {
        active: active.len(),
        cycle_requests,
        refresh,
        refresh_requests,
    }
}

/// Script tickets found by a query, followed by its pages: the references it found
/// (once every one was seen), those active, and the requests of the `cycles` poll
/// intervals after that, per interval.
async fn query_by_pages(url: &str, expected: usize, cycles: u32) -> (Vec<TicketRef>, usize, f64) {
    let api = Counted::new(url, true);
    let poll = default_poll(10.0);
    let mut engine = watch::spawn(api.clone(), poll.clone(), Vec::new());
    let query = TicketQuery {
        kind: KindFilter::Script,
        ..TicketQuery::default()
    };
    engine
        .commands
        .send(Command::AddQuery {
            name: "scripts".into(),
            query: Box::new(query),
        })
        .unwrap();
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut active = HashSet::new();
    while seen.len() < expected {
        match engine.updates.recv().await {
            Some(Update::Ticket(TicketUpdate::Joined { id, .. })) => found.push(id),
            Some(Update::Ticket(TicketUpdate::Snapshot { id, ticket, .. })) => {
                if ticket.is_terminal() {
                    active.remove(id.id());
                } else {
                    active.insert(id.id().to_string());
                }
                seen.insert(id.id().to_string());
            }
            Some(_) => {}
            None => break,
        }
    }
    let before = api.requests();
    let window = poll.interval * cycles;
    let _ = tokio::time::timeout(window, async {
        while engine.updates.recv().await.is_some() {}
    })
    .await;
    let per_cycle = (api.requests() - before) as f64 / f64::from(cycles);
    engine.shutdown().await;
    (found, active.len(), per_cycle)
}

/// 300 (`--script-tickets`) script tickets found by a `[[query]] kind = "script"`, at
/// `max_rps` 10: the query's list pages per cycle against one GET per active ticket.
async fn script_query(script_tickets: usize) {
    let options = SimOptions {
        tickets: 0,
        script_tickets,
        ..SimOptions::default()
    };
    let sim = sim::start(([127, 0, 0, 1], 0).into(), options)
        .await
        .unwrap();
    let url = sim.base_url();
    let (found, active, pages_per_cycle) = query_by_pages(&url, script_tickets, 3).await;
    let ids: Vec<String> = found.iter().map(ToString::to_string).collect();
    let by_get = measure(&url, &ids, 10.0, false).await;
    println!(
        "script tickets found by a query, max_rps 10, interval 5s: {} found, {} active \
         (by pages) / {} (by GETs); requests per cycle: pages {:.1}, GETs {}; ratio {:.0}x",
        found.len(),
        active,
        by_get.active,
        pages_per_cycle,
        by_get.cycle_requests,
        by_get.cycle_requests as f64 / pages_per_cycle.max(1.0),
    );
    sim.stop().await;
}

fn main() {
    if support::listing() {
        return;
    }
    if support::text_arg("--kind").as_deref() == Some("script") {
        let script_tickets = support::arg("--script-tickets", 300) as usize;
        coctop::cmd::runtime()
            .unwrap()
            .block_on(script_query(script_tickets));
        return;
    }
    let tickets = support::arg("--tickets", 10_000) as usize;
    let high = support::arg("--rps", 1_000) as f64;
    // `--low 0` measures the high rate only.
    let low = support::arg("--low", 10) as f64;
    let runtime = coctop::cmd::runtime().unwrap();
    runtime.block_on(async {
        let options = SimOptions {
            tickets,
            ..SimOptions::default()
        };
        let sim = sim::start(([127, 0, 0, 1], 0).into(), options)
            .await
            .unwrap();
        let url = sim.base_url();
        println!(
            "sim: {tickets} tickets; interval 5s; requests per cycle refresh every active \
             watched ticket once; R refreshes every watched ticket"
        );
        println!(
            "{:>6} {:>7} {:>8} | {:>10} {:>10} {:>6} | {:>12} {:>9} | {:>12}",
            "rps",
            "watched",
            "active",
            "GETs/cycle",
            "pages/cycle",
            "ratio",
            "R by page",
            "requests",
            "R per ticket"
        );
        for rate in [low, high].into_iter().filter(|&r| r > 0.0) {
            for n in [1usize, 100, 1_000, 10_000]
                .into_iter()
                .filter(|&n| n <= tickets)
            {
                let newest = support::pick_tickets(&sim, n, |_| true).await;
                let by_page = measure(&url, &newest, rate, true).await;
                // Per ticket costs one GET per active ticket by construction; it is
                // measured where it takes under a minute at this rate.
                let per_ticket_fits = (n as f64) / rate <= 60.0;
                let per_ticket = if per_ticket_fits {
                    Some(measure(&url, &newest, rate, false).await)
                } else {
                    None
                };
                let gets = per_ticket
                    .as_ref()
                    .map_or(by_page.active, |f| f.cycle_requests);
                let ratio = if by_page.cycle_requests == 0 {
                    "-".to_string()
                } else {
                    format!("{:.1}x", gets as f64 / by_page.cycle_requests as f64)
                };
                let per_ticket_refresh = match &per_ticket {
                    Some(f) => format!("{:.2}s", f.refresh.as_secs_f64()),
                    None => format!("~{:.0}s (n/rate)", n as f64 / rate),
                };
                println!(
                    "{:>6} {:>7} {:>8} | {:>10} {:>10} {:>6} | {:>11.2}s {:>9} | {:>12}",
                    rate,
                    n,
                    by_page.active,
                    gets,
                    by_page.cycle_requests,
                    ratio,
                    by_page.refresh.as_secs_f64(),
                    by_page.refresh_requests,
                    per_ticket_refresh,
                );
            }
        }
        sim.stop().await;
    });
}
