//! Requests and time to refresh watched tickets: one GET per ticket against list pages,
//! with the engine and a `coctop sim --tickets 10000` on loopback.
//!
//! Run: `cargo bench --bench refresh_pages` (optional: `-- --tickets N --rps R`, where
//! R replaces the high rate; `max_rps` 10 is always measured).
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
use coctop::coc::{Step, Ticket};
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
    let mut config = ClientConfig::new(Endpoint::from_url(url).unwrap(), Auth::None);
    config.retry = RetryPolicy::none();
    let api = Arc::new(Counted {
        client: Client::new(config).unwrap(),
        pages,
        requests: AtomicUsize::new(0),
    });
    let poll = EngineConfig {
        interval: Duration::from_secs(5),
        concurrency: 8,
        max_rps: rate,
    };
    let refs = ids
        .iter()
        .map(|id| coctop::coc::TicketRef::parse(id).unwrap())
        .collect();
    let mut engine = watch::spawn(api.clone(), poll, refs);
    let everyone: HashSet<String> = ids.iter().cloned().collect();
    let (_, active) = until_seen(&mut engine, &everyone).await;

    let before = api.requests.load(Ordering::Relaxed);
    until_seen(&mut engine, &active).await;
    let cycle_requests = api.requests.load(Ordering::Relaxed) - before;

    let before = api.requests.load(Ordering::Relaxed);
    engine.commands.send(Command::RefreshAll).unwrap();
    let (refresh, _) = until_seen(&mut engine, &everyone).await;
    let refresh_requests = api.requests.load(Ordering::Relaxed) - before;
    engine.shutdown().await;
    Figures {
        active: active.len(),
        cycle_requests,
        refresh,
        refresh_requests,
    }
}

fn main() {
    if support::listing() {
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
