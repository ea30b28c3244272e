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
mod gate;
mod generate;
mod lifecycle;
mod routes;
mod store;
mod wire;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::sync::oneshot;

use crate::cli::SimArgs;
use crate::exit::Exit;
use store::Store;

pub use gate::verify_signature;

#[derive(Clone, PartialEq)]
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
    pub credentials: Option<(String, String)>,
    /// Seeded tickets at start (default 48).
    pub tickets: usize,
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
        }
    }
}

impl std::fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimOptions")
            .field("seed", &self.seed)
            .field("speed", &self.speed)
            .field("fail_rate", &self.fail_rate)
            .field("throttle_rate", &self.throttle_rate)
            .field("latency", &self.latency)
            .field("ak", &self.credentials.as_ref().map(|(ak, _)| ak))
            .field("tickets", &self.tickets)
            .finish()
    }
}

impl From<&SimArgs> for SimOptions {
    fn from(args: &SimArgs) -> SimOptions {
        SimOptions {
            seed: args.seed,
            speed: args.speed,
            fail_rate: args.fail_rate,
            throttle_rate: args.throttle_rate,
            latency: args.latency,
            credentials: args.ak.clone().zip(args.sk.clone()),
            tickets: args.tickets as usize,
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
                crate::coc::error::humanize(self.latency)
            ));
        }
        let faults = if faults.is_empty() {
            "none".into()
        } else {
            faults.join(", ")
        };
        format!(
            "{} tickets, seed {}, speed {}x, {auth}, faults: {faults}",
            self.tickets, self.seed, self.speed
        )
    }
}

/// State shared by every request.
struct Shared {
    options: SimOptions,
    store: Mutex<Store>,
    faults: Mutex<ChaCha8Rng>,
    requests: AtomicU64,
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
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let mut faults = ChaCha8Rng::seed_from_u64(options.seed);
    faults.set_stream(u64::MAX - 1);
    let shared = Arc::new(Shared {
        store: Mutex::new(Store::new(
            options.seed,
            options.speed,
            options.tickets,
            now_ms(),
        )),
        faults: Mutex::new(faults),
        requests: AtomicU64::new(1),
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
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!("simulator stopped: {e}");
        }
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
        self.lock().add_seeded(n, now_ms())
    }

    /// Every ticket the sim holds now: seeded ones and those that appeared since.
    pub fn ticket_count(&self) -> usize {
        let mut store = self.lock();
        store.catch_up(now_ms());
        store.len()
    }

    pub fn options(&self) -> &SimOptions {
        &self.shared.options
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
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `coctop sim`: serve until Ctrl-C or SIGTERM.
pub fn run(args: &SimArgs) -> Exit {
    let options = SimOptions::from(args);
    if let Err(e) = options.validate() {
        eprintln!("coctop sim: {e}");
        return Exit::Usage;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coctop sim: cannot start the runtime: {e}");
            return Exit::Usage;
        }
    };
    runtime.block_on(async {
        let summary = options.summary();
        let handle = match start(args.listen, options).await {
            Ok(handle) => handle,
            Err(e) => {
                eprintln!("coctop sim: cannot listen on {}: {e}", args.listen);
                return Exit::Usage;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "coctop sim listening on {}", handle.base_url());
        let _ = writeln!(out, "{summary}");
        let _ = out.flush();
        drop(out);
        wait_for_signal().await;
        handle.stop().await;
        Exit::Success
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
