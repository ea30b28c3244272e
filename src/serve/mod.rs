//! `coctop serve`: the polling engine without a terminal, for a team. One process polls
//! every profile's watched and query tickets (one engine per profile: its own pacer,
//! its own authentication gate) and serves what it knows over HTTP: `/metrics`
//! (Prometheus), `/healthz` and `/events` (JSON lines). It only reads: its clients
//! refuse every request but a GET, and nothing it serves carries a credential.

mod board;
mod counted;
mod events;
pub mod metrics;
mod routes;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use board::stall_after;
use board::{Board, ProfileStart};
use counted::Counted;
use events::Events;
use metrics::Metrics;

use crate::coc::{ApiError, Client, ClientConfig, RetryPolicy, TicketKind};
use crate::config::{QueryEntry, WatchEntry};
use crate::server;
use crate::watch::{self, Command, EngineConfig, Update};

/// One account and region to poll.
pub struct Profile {
    pub name: String,
    /// Its endpoint and credentials, or why it has none: that profile reports the
    /// reason on `/healthz`, the others poll.
    pub client: Result<ClientConfig, String>,
    pub poll: EngineConfig,
    pub watch: Vec<WatchEntry>,
    pub queries: Vec<QueryEntry>,
}

/// What the engines' tasks and the HTTP handlers share.
struct Shared {
    names: Vec<String>,
    metrics: Metrics,
    board: Mutex<Board>,
    events: Events,
}

impl Shared {
    fn board(&self) -> MutexGuard<'_, Board> {
        self.board
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// One update of `profile`'s engine: into the metrics, and its change to `/events`.
    fn apply(&self, profile: usize, update: Update) {
        let change = self.board().apply(profile, update, &self.metrics);
        if let Some(change) = change {
            self.events.publish(&change);
        }
    }

    /// One request of `profile` answered, with `error` when it failed.
    fn answered(&self, profile: usize, error: Option<&ApiError>, at: SystemTime) {
        let name = &self.names[profile];
        self.metrics.request(name, error.map(ApiError::kind), 1);
        if error.is_none() {
            self.metrics.succeeded_at(name, at);
        }
        self.board().answered(profile, error, at);
    }
}

/// A running `serve`. Dropping it leaves it running until the runtime ends.
pub struct ServeHandle {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl ServeHandle {
    /// Stops polling and serving; requests in flight get a moment to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }

    /// Resolves when the server has stopped by itself (it never does but on `stop`).
    pub async fn stopped(&mut self) {
        let _ = (&mut self.task).await;
    }
}

/// Starts every profile's engine and serves on `listener`, on the current runtime.
pub fn start(listener: TcpListener, profiles: Vec<Profile>) -> std::io::Result<ServeHandle> {
    let addr = listener.local_addr()?;
    let clients: Vec<Result<Client, String>> = profiles
        .iter()
        .map(|profile| {
            let mut config = profile.client.clone()?;
            // The engine schedules its own retries within the rate limit.
            config.retry = RetryPolicy::none();
            // `serve` only reads: every request but a GET is refused where it leaves.
            config.read_only = true;
            Client::new(config).map_err(|e| e.to_string())
        })
        .collect();
    let starts = profiles
        .iter()
        .zip(&clients)
        .map(|(profile, client)| ProfileStart {
            name: profile.name.clone(),
            watched: profile
                .watch
                .iter()
                .map(|w| (w.id.clone(), w.label.clone()))
                .collect(),
            stall_after: stall_after(profile.poll.interval),
            unusable: client.as_ref().err().cloned(),
        })
        .collect();
    let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
    let shared = Arc::new(Shared {
        metrics: Metrics::new(
            names.iter().map(String::as_str),
            &[TicketKind::Execution, TicketKind::Script],
        ),
        names,
        board: Mutex::new(Board::new(starts)),
        events: Events::default(),
    });
    for profile in &profiles {
        for entry in &profile.queries {
            for &kind in entry.query.kind.kinds() {
                shared
                    .metrics
                    .zero_tickets(&profile.name, kind, &entry.name);
            }
        }
        let mut watched_kinds: Vec<TicketKind> =
            profile.watch.iter().map(|w| w.id.kind()).collect();
        watched_kinds.dedup();
        for kind in watched_kinds {
            shared.metrics.zero_tickets(&profile.name, kind, "");
        }
    }
    let mut engines = Vec::new();
    for (index, (profile, client)) in profiles.into_iter().zip(clients).enumerate() {
        let Ok(client) = client else {
            continue;
        };
        let fetcher = Arc::new(Counted::new(client, shared.clone(), index));
        let ids = profile.watch.into_iter().map(|w| w.id).collect();
        let watch::EngineHandle {
            commands,
            mut updates,
            task,
        } = watch::spawn(fetcher, profile.poll, ids);
        for QueryEntry { name, query, .. } in profile.queries {
            let query = Box::new(query);
            let _ = commands.send(Command::AddQuery { name, query });
        }
        let shared = shared.clone();
        tokio::spawn(async move {
            while let Some(update) = updates.recv().await {
                shared.apply(index, update);
            }
        });
        engines.push((commands, task));
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let app = routes::router(shared.clone());
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
            // Streams of `/events` end, so the server need not wait for them.
            shared.events.close();
        };
        server::serve(listener, app, server::Limits::DEFAULT, shutdown).await;
        for (commands, task) in engines {
            let _ = commands.send(Command::Shutdown);
            let _ = task.await;
        }
    });
    Ok(ServeHandle {
        addr,
        stop: Some(stop),
        task,
    })
}
