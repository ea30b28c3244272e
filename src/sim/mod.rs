//! `coctop sim`: a faithful COC server on loopback (axum).
//!
//! It speaks COC's wire format (envelope, error codes, `X-Request-Id`), checks AK/SK
//! signatures like the API gateway when given credentials, and serves seeded tickets
//! whose state follows the wall clock (scaled by `speed`), computed on demand.
//!
//! Conventions of the simulator beyond the published API: child executions carry the
//! sys tag `_sys_parent_execution_id`; step IDs are numbers; a ticket that appears on
//! its own while the sim runs does so every 30–90 s of ticket time (at most 5,000).

mod catalog;
mod documents;
mod gate;
mod generate;
mod lang;
mod lifecycle;
mod routes;
mod script;
mod serve;
mod store;
mod wire;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::sync::oneshot;

use crate::coc::Secret;
use store::Store;

pub use gate::verify_signature;
pub use serve::Limits;

#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    pub seed: u64,
    /// Time scale of ticket lifecycles: 2.0 runs twice as fast.
    pub speed: f64,
    /// Fraction of requests answered with a 5xx (500 JSON, 502 HTML, 503 empty).
    pub fail_rate: f64,
    /// Fraction of requests answered 429 with `Retry-After`.
    pub throttle_rate: f64,
    /// Added to every request.
    pub latency: Duration,
    /// `(ak, sk)`: when set, every request must be signed with them.
    pub credentials: Option<(String, Secret)>,
    /// Seeded tickets at start (default 48).
    pub tickets: usize,
    /// Seeded script tickets at start (default 24).
    pub script_tickets: usize,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            seed: 1,
            speed: 1.0,
            fail_rate: 0.0,
            throttle_rate: 0.0,
            latency: Duration::ZERO,
            credentials: None,
            tickets: 48,
            script_tickets: 24,
        }
    }
}

impl SimOptions {
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("--fail-rate", self.fail_rate),
            ("--throttle-rate", self.throttle_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, not {rate}"));
            }
        }
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err(format!(
                "--speed must be a number above 0, not {}",
                self.speed
            ));
        }
        Ok(())
    }

    /// One line for people: tickets, seed, auth, faults.
    pub fn summary(&self) -> String {
        let auth = match &self.credentials {
            Some((ak, _)) => format!("auth on (AK {ak})"),
            None => "auth off".into(),
        };
        let mut faults = Vec::new();
        if self.fail_rate > 0.0 {
            faults.push(format!("fail {}%", self.fail_rate * 100.0));
        }
        if self.throttle_rate > 0.0 {
            faults.push(format!("throttle {}%", self.throttle_rate * 100.0));
        }
        if !self.latency.is_zero() {
            faults.push(format!(
                "latency {}",
                crate::format::as_setting(self.latency)
            ));
        }
        let faults = if faults.is_empty() {
            "none".into()
        } else {
            faults.join(", ")
        };
        format!(
            "{} tickets, {} script tickets, seed {}, speed {}x, {auth}, faults: {faults}",
            self.tickets, self.script_tickets, self.seed, self.speed
        )
    }
}

/// State shared by every request.
struct Shared {
    options: SimOptions,
    store: Mutex<Store>,
    scripts: Mutex<script::ScriptStore>,
    faults: Mutex<ChaCha8Rng>,
    /// Numbers the requests (for their IDs); starts at 1.
    requests: AtomicU64,
    /// Writes received (`POST` and `PUT`), answered or not.
    writes: AtomicU64,
    clock: SimClock,
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Binds, spawns the server on the current tokio runtime, returns at once.
pub async fn start(listen: SocketAddr, options: SimOptions) -> std::io::Result<SimHandle> {
    options
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = serve::bind(listen)?;
    let addr = listener.local_addr()?;
    let mut faults = ChaCha8Rng::seed_from_u64(options.seed);
    faults.set_stream(u64::MAX - 1);
    let clock = SimClock::default();
    let shared = Arc::new(Shared {
        store: Mutex::new(Store::new(
            options.seed,
            options.speed,
            options.tickets,
            clock.now_ms(),
        )),
        scripts: Mutex::new(script::ScriptStore::new(
            options.seed,
            options.speed,
            options.script_tickets,
            clock.now_ms(),
        )),
        clock,
        faults: Mutex::new(faults),
        requests: AtomicU64::new(1),
        writes: AtomicU64::new(0),
        options,
    });
    let app = routes::router(shared.clone())
        .layer(from_fn_with_state(shared.clone(), gate::faults))
        .layer(from_fn_with_state(shared.clone(), gate::authenticate))
        .layer(from_fn_with_state(shared.clone(), gate::latency))
        .layer(from_fn_with_state(shared.clone(), gate::request_id));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        serve::serve(listener, app, serve::Limits::DEFAULT, shutdown).await;
    });
    Ok(SimHandle {
        addr,
        shared,
        stop: Some(stop),
        task: Some(task),
    })
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The seeded tickets, in a stable order (not the ones that appear later on).
    pub fn execution_ids(&self) -> Vec<String> {
        self.lock().seeded_ids()
    }

    /// Adds `n` more seeded tickets (for scale tests) and returns their IDs.
    pub fn add_tickets(&self, n: usize) -> Vec<String> {
        self.lock().add_seeded(n, self.shared.clock.now_ms())
    }

    /// Every ticket the sim holds now: seeded ones and those that appeared since.
    pub fn ticket_count(&self) -> usize {
        let mut store = self.lock();
        store.catch_up(self.shared.clock.now_ms());
        store.len()
    }

    /// Requests answered so far, every route and error included.
    pub fn requests_served(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed) - 1
    }

    /// Operations (`POST` and `PUT` requests) received so far, accepted, refused or
    /// failed.
    pub fn operations_received(&self) -> u64 {
        self.shared.writes.load(Ordering::Relaxed)
    }

    /// The seeded script tickets' `execute_uuid`s, oldest first.
    pub fn script_ticket_ids(&self) -> Vec<String> {
        self.lock_scripts().seeded_ids()
    }

    /// Every script ticket the sim holds now: seeded ones and those started since.
    pub fn script_ticket_count(&self) -> usize {
        self.lock_scripts().len()
    }

    /// The scripts that `POST /v1/job/scripts/{script_uuid}` runs.
    pub fn script_uuids(&self) -> Vec<String> {
        self.lock_scripts().script_uuids()
    }

    /// The documents (jobs) the sim holds, in a stable order.
    pub fn document_ids(&self) -> Vec<String> {
        self.lock().document_ids()
    }

    pub fn options(&self) -> &SimOptions {
        &self.shared.options
    }

    /// Moves the simulator's clock forward: tickets live through `by` at once.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.shared.clock.ahead_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Stops accepting connections and lets requests in flight finish.
    pub fn shutdown(mut self) {
        self.signal_stop();
    }

    /// Like `shutdown`, and waits until the server has stopped.
    pub async fn stop(mut self) {
        self.signal_stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.shared.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_scripts(&self) -> std::sync::MutexGuard<'_, script::ScriptStore> {
        self.shared
            .scripts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// The simulator's time: the wall clock, moved forward by `SimHandle::advance` so that
/// tests can let hours of ticket time pass at once.
#[derive(Debug, Default)]
struct SimClock {
    ahead_ms: AtomicI64,
}

impl SimClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.ahead_ms.load(Ordering::Relaxed))
    }

    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }
}
