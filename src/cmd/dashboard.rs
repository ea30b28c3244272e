//! The dashboard (`coctop`, `coctop --demo`): engine and terminal wired together.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{Globals, load_config, read_only_reason, report, resolve_client, usage_error};
use crate::app::{App, AppInit, UiSettings, check_command_keys};
use crate::cache;
use crate::coc::{Auth, Client, ClientConfig, Endpoint, RetryPolicy, TicketRef};
use crate::config::edit::LastRead;
use crate::config::{self, QueryEntry, WatchEntry};
use crate::effects;
use crate::exit::Exit;
use crate::i18n::Lang;
use crate::notify::{NotifyOn, Teller};
use crate::query::{TicketQuery, TimeBound};
use crate::sim::{self, SimOptions};
use crate::tui;
use crate::watch::{self, Command, EngineConfig};

/// The dashboard on the config's tickets.
pub fn run(globals: &Globals) -> Exit {
    let config = match load_config(globals) {
        Ok(config) => config,
        Err(e) => return usage_error(&e),
    };
    if let Err(e) = check_command_keys(&config) {
        return usage_error(&e.to_string());
    }
    let client_config = match resolve_client(globals, &config) {
        Ok(c) => c,
        Err(e) => {
            report(&e);
            if config.path.is_none() {
                report(
                    "no config file yet: `coctop config init` writes one; \
                     `coctop --demo` tries the dashboard on a built-in simulator",
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
        theme: config.ui.theme,
        colors: config.ui.colors.clone(),
        accent: None,
        views: config.views.clone(),
        columns: config.ui.columns.clone(),
        commands: config.commands.iter().map(|c| c.command.clone()).collect(),
        region: client_config.endpoint.region.clone(),
    };
    // Edits go to the file the config came from, or would have.
    let config_path = config::locate(globals.config.as_ref()).map(|location| location.path);
    let effects = effects::Effects {
        teller: Some(Teller::new(&config.notify, &endpoint_name)),
        last_read: Arc::new(
            config_path
                .as_deref()
                .map(LastRead::of_file)
                .unwrap_or_default(),
        ),
        config_path,
        cache: None,
    };
    let cache_key = cache::Key::of(&client_config);
    let cache = config::cache_dir().map(|dir| effects::CacheTarget {
        path: cache::path_for(&dir, &cache_key),
        key: cache_key,
    });
    runtime.block_on(run_engine_and_ui(Session {
        client_config,
        lang: Lang::chosen(config.ui.language),
        endpoint: endpoint_name,
        poll: config.poll,
        watch: config.watch,
        queries: config.queries,
        settings,
        notify_on: config.notify.on,
        effects,
        cache,
    }))
}

/// The dashboard against an embedded simulator on a free loopback port.
pub fn demo(globals: &Globals) -> Exit {
    if let Err(exit) = need_terminal() {
        return exit;
    }
    let settings = UiSettings {
        read_only: read_only_reason(globals, None),
        ..UiSettings::default()
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
        // Its executions and its script tickets: both kinds in one list.
        let executions = sim
            .execution_ids()
            .into_iter()
            .map(|id| TicketRef::execution(&id));
        let scripts = sim
            .script_ticket_ids()
            .into_iter()
            .map(|id| TicketRef::script(&id));
        let watch = executions
            .chain(scripts)
            .filter_map(Result::ok)
            .map(WatchEntry::unlabelled)
            .collect();
        let poll = EngineConfig {
            interval: Duration::from_secs(2),
            concurrency: 8,
            max_rps: 50.0,
        };
        let name = format!("demo simulator {}", sim.base_url());
        // Tickets users start while the demo runs, found by the list API.
        let started_lately = QueryEntry {
            name: "new".into(),
            query: TicketQuery {
                since: Some(TimeBound::Ago(Duration::from_secs(60))),
                ..TicketQuery::default()
            },
        };
        let exit = run_engine_and_ui(Session {
            client_config,
            lang: Lang::chosen(None),
            endpoint: name,
            poll,
            watch,
            queries: vec![started_lately],
            settings,
            // The demo's tickets fail all the time: counted in the header, never rung.
            notify_on: NotifyOn::default(),
            effects: effects::Effects::default(),
            // Its simulator is new each time: nothing to remember.
            cache: None,
        })
        .await;
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
    super::threaded_runtime().map_err(|e| fail(format!("cannot start the async runtime: {e}")))
}

fn fail(message: String) -> Exit {
    report(&message);
    Exit::Fetch
}

/// Everything a dashboard run is made of.
struct Session {
    client_config: ClientConfig,
    /// The language of the screen, and of the API's messages.
    lang: Lang,
    /// Region id or endpoint URL, for the header, the hook and the cache's name.
    endpoint: String,
    poll: EngineConfig,
    watch: Vec<WatchEntry>,
    /// `[[query]]`: followed by their list pages.
    queries: Vec<QueryEntry>,
    settings: UiSettings,
    notify_on: NotifyOn,
    effects: effects::Effects,
    /// The cache file to start from and to write on the way out.
    cache: Option<effects::CacheTarget>,
}

async fn run_engine_and_ui(session: Session) -> Exit {
    let Session {
        mut client_config,
        lang,
        endpoint,
        poll,
        watch,
        queries,
        settings,
        notify_on,
        mut effects,
        cache,
    } = session;
    // The engine schedules its own retries within the rate limit.
    client_config.retry = RetryPolicy::none();
    client_config.language = lang.api();
    // Read-only is enforced where requests leave, not only at the prompt.
    client_config.read_only = settings.read_only.is_some();
    let client = match Client::new(client_config) {
        Ok(c) => c,
        Err(e) => return fail(e.to_string()),
    };
    let _log_guard = super::init_logging();
    // With a cache, the watched tickets wait for it (`Message::Remembered`), read once
    // the first frame is drawn; without one they are polled at once.
    let polled_at_once = match &cache {
        Some(_) => Vec::new(),
        None => watch.iter().map(|w| w.id.clone()).collect(),
    };
    let cycle = poll.interval;
    let engine = watch::spawn(Arc::new(client), poll, polled_at_once);
    for QueryEntry { name, query } in queries {
        let _ = engine.commands.send(Command::AddQuery { name, query });
    }
    let init = AppInit {
        lang,
        endpoint: endpoint.clone(),
        watch,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        now: SystemTime::now(),
    };
    effects.cache = cache;
    let app = App::new(init)
        .with_settings(settings)
        .with_notifications(notify_on, cycle);
    let result = tui::event_loop_with(engine, app, effects).await;
    match result {
        Ok(tui::Ended::Quit) => Exit::Success,
        Ok(tui::Ended::Signal(number)) => Exit::Signal(number),
        Err(e) => {
            tracing::error!("dashboard stopped: {e}");
            report(&format!("dashboard stopped: {e}"));
            Exit::Usage
        }
    }
}
