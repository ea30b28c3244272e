//! The dashboard (`coctop`, `coctop --demo`): engine and terminal wired together.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{Globals, read_only_reason, usage_error};
use crate::app::{App, AppInit, UiSettings};
use crate::coc::{Auth, Client, ClientConfig, Endpoint, RetryPolicy};
use crate::config::{self, WatchEntry};
use crate::exit::Exit;
use crate::sim::{self, SimOptions};
use crate::tui;
use crate::watch::{self, EngineConfig};

/// The dashboard on the config's tickets.
pub fn run(globals: &Globals) -> Exit {
    let config = match config::load_for_dashboard(globals.config.as_ref()) {
        Ok(config) => config,
        Err(e) => return usage_error(&e),
    };
    let client_config = match config::client_config(
        &config,
        globals.endpoint.as_deref(),
        globals.region.as_deref(),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("coctop: {e}");
            if config.path.is_none() {
                eprintln!(
                    "coctop: no config file yet: `coctop config init` writes one; \
                     `coctop --demo` tries the dashboard on a built-in simulator"
                );
            }
            return Exit::Usage;
        }
    };
    if let Err(exit) = need_terminal() {
        return exit;
    }
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let endpoint_name = client_config.endpoint.display_name();
    let settings = UiSettings {
        read_only: read_only_reason(globals, Some(&config)),
        console_url: config.ui.console_url.clone(),
    };
    runtime.block_on(run_engine_and_ui(
        client_config,
        endpoint_name,
        config.poll,
        config.watch,
        settings,
    ))
}

/// The dashboard against an embedded simulator on a free loopback port.
pub fn demo(globals: &Globals) -> Exit {
    if let Err(exit) = need_terminal() {
        return exit;
    }
    let settings = UiSettings {
        read_only: read_only_reason(globals, None),
        console_url: None,
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    runtime.block_on(async {
        let options = SimOptions {
            speed: 4.0,
            ..SimOptions::default()
        };
        let sim = match sim::start(([127, 0, 0, 1], 0).into(), options).await {
            Ok(handle) => handle,
            Err(e) => return fail(format!("cannot start the simulator: {e}")),
        };
        let endpoint = match Endpoint::from_url(&sim.base_url()) {
            Ok(e) => e,
            Err(e) => return fail(e),
        };
        let client_config = ClientConfig::new(endpoint, Auth::None);
        let watch = sim
            .execution_ids()
            .into_iter()
            .map(|id| WatchEntry { id, label: None })
            .collect();
        let poll = EngineConfig {
            interval: Duration::from_secs(2),
            concurrency: 8,
            max_rps: 50.0,
        };
        let name = format!("demo simulator {}", sim.base_url());
        let exit = run_engine_and_ui(client_config, name, poll, watch, settings).await;
        sim.shutdown();
        exit
    })
}

/// The dashboard draws on stdout and reads keys from stdin: both must be a terminal.
fn need_terminal() -> Result<(), Exit> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(usage_error(
        "the dashboard needs a terminal (stdin and stdout); in scripts use \
         `coctop get` or `coctop wait`",
    ))
}

fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    super::runtime().map_err(|e| fail(format!("cannot start the async runtime: {e}")))
}

fn fail(message: String) -> Exit {
    eprintln!("coctop: {message}");
    Exit::Fetch
}

async fn run_engine_and_ui(
    mut client_config: ClientConfig,
    endpoint: String,
    poll: EngineConfig,
    watch: Vec<WatchEntry>,
    settings: UiSettings,
) -> Exit {
    // The engine schedules its own retries within the rate limit.
    client_config.retry = RetryPolicy::none();
    let client = match Client::new(client_config) {
        Ok(c) => c,
        Err(e) => return fail(e.to_string()),
    };
    let _log_guard = super::init_logging();
    let ids = watch.iter().map(|w| w.id.clone()).collect();
    let engine = watch::spawn(Arc::new(client), poll, ids);
    let init = AppInit {
        endpoint,
        watch,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        now: SystemTime::now(),
    };
    let result = tui::event_loop(engine, App::new(init).with_settings(settings)).await;
    match result {
        Ok(()) => Exit::Success,
        Err(e) => {
            tracing::error!("dashboard stopped: {e}");
            eprintln!("coctop: dashboard stopped: {e}");
            Exit::Usage
        }
    }
}
