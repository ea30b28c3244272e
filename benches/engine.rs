//! Engine CPU overhead per poll: 10,000 tickets, a fetcher that answers at once, no
//! rate limit, real clock. What remains is scheduling, bookkeeping and updates.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coctop::coc::{ApiError, Status, Ticket};
use coctop::watch::{EngineConfig, Fetcher, TicketUpdate, Update, spawn};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TICKETS: usize = 10_000;

struct InstantApi {
    status: Status,
}

impl Fetcher for InstantApi {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        let mut ticket = Ticket::empty(execution_id);
        ticket.status = Some(self.status.clone());
        Ok(ticket)
    }
}

fn unlimited(interval: Duration) -> EngineConfig {
    EngineConfig {
        interval,
        concurrency: 64,
        max_rps: f64::INFINITY,
    }
}

/// Runs an engine until it has delivered `polls` snapshots; returns the time taken.
fn run(
    runtime: &tokio::runtime::Runtime,
    status: Status,
    config: EngineConfig,
    polls: usize,
) -> Duration {
    let ids: Vec<String> = (0..TICKETS).map(|i| format!("exec-{i:08}")).collect();
    runtime.block_on(async move {
        let started = Instant::now();
        let refs = ids
            .iter()
            .map(|id| coctop::coc::TicketRef::parse(id).unwrap())
            .collect();
        let mut engine = spawn(Arc::new(InstantApi { status }), config, refs);
        let mut snapshots = 0;
        while snapshots < polls {
            match engine.updates.recv().await {
                Some(update @ Update::Ticket(TicketUpdate::Snapshot { .. })) => {
                    black_box(update);
                    snapshots += 1;
                }
                Some(other) => {
                    black_box(other);
                }
                None => break,
            }
        }
        let elapsed = started.elapsed();
        engine.shutdown().await;
        elapsed
    })
}

fn engine_overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut group = c.benchmark_group("engine_10k");
    group.sample_size(20);
    group.throughput(Throughput::Elements(TICKETS as u64));

    // Every ticket polled once and found finished: add, schedule, dispatch, park.
    group.bench_function("first_poll_each", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    run(
                        &runtime,
                        Status::Succeed,
                        unlimited(Duration::from_secs(5)),
                        TICKETS,
                    )
                })
                .sum()
        })
    });
    // Active tickets due again at once: the steady rescheduling path, 3 rounds.
    group.throughput(Throughput::Elements(3 * TICKETS as u64));
    group.bench_function("active_three_rounds", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    run(
                        &runtime,
                        Status::Running,
                        unlimited(Duration::ZERO),
                        3 * TICKETS,
                    )
                })
                .sum()
        })
    });
    group.finish();
}

criterion_group!(benches, engine_overhead);
criterion_main!(benches);
