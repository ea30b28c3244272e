//! The dashboard (`coctop`, `coctop --demo`): engine and terminal wired together.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{Globals, load_config, read_only_reason, report, resolve_client, usage_error};
use crate::app::{App, AppInit, ProfileLook, Profiles, UiSettings, check_command_keys};
use crate::cache;
use crate::coc::{Auth, Client, ClientConfig, Endpoint, RetryPolicy, TicketRef};
use crate::config::edit::LastRead;
use crate::config::reload::Scope;
use crate::config::{self, QueryEntry, WatchEntry};
use crate::effects;
use crate::exit::Exit;
use crate::i18n::{Lang, Msg};
use crate::notify::{NotifyOn, Teller};
use crate::operate::Destination;
use crate::query::{TicketQuery, TimeBound};
use crate::sim::{self, SimOptions};
use crate::tui;
use crate::watch::merged::ProfileEngine;
use crate::watch::{self, Command, EngineConfig};

/// The dashboard on the config's tickets.
pub fn run(globals: &Globals) -> Exit {
    let file = match load_config(globals) {
        Ok(file) => file,
        Err(e) => return usage_error(&e),
    };
    if globals.profile.is_none() && file.has_profiles() {
        return run_profiles(globals, &file);
    }
    let config = match file.profile(globals.profile.as_deref()) {
        Ok(config) => config,
        Err(e) => return usage_error(&e),
    };
    // The profile's view and the first profile's name are all the dashboard needs:
    // not a second copy of a long watch list for as long as it runs.
    let first_in_config = file.profile_names()[0].to_string();
    drop(file);
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
    let runtime = match terminal_runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let endpoint_name = client_config.endpoint.display_name();
    let settings = UiSettings {
        read_only: read_only_reason(globals, Some(&config)),
        console_url: config.ui.console_url.clone(),
        theme: config.ui.theme,
        colors: config.ui.colors.clone(),
        accent: profile_look(globals, &config).accent,
        views: config.views.clone(),
        columns: config.ui.columns.clone(),
        commands: config.commands.iter().map(|c| c.command.clone()).collect(),
        region: client_config.endpoint.region.clone(),
    };
    let profile = config.profile.clone().unwrap_or_default();
    let caches = Vec::from_iter(cache_of(&profile, &client_config));
    let effects = effects::Effects {
        scope: Scope::Profile(globals.profile.clone()),
        ..dashboard_effects(globals, &config.notify, &endpoint_name, caches)
    };
    let operations_to = super::operate::destination(&config, &client_config);
    let one = Destination {
        profile,
        endpoint: endpoint_name.clone(),
        account: client_config.domain_id.clone(),
    };
    let profiles = Profiles::new(vec![one], &config.watch, &config.queries)
        .with_looks(vec![profile_look(globals, &config)])
        .with_first_in_config(&first_in_config)
        .named_in_log(operations_to.is_some());
    runtime.block_on(run_engine_and_ui(Session {
        client_config,
        lang: Lang::chosen(config.ui.language),
        endpoint: endpoint_name,
        poll: config.poll,
        watch: config.watch,
        queries: config.queries,
        settings,
        profiles,
        notify_on: config.notify.on,
        effects,
        operations_to,
    }))
}

/// The dashboard over every profile of the config at once: one engine each (its own
/// pace and authentication gate), their tickets on one list. A profile without
/// credentials shows why on its watched tickets; the others poll.
fn run_profiles(globals: &Globals, file: &config::Config) -> Exit {
    if globals.endpoint.is_some() || globals.region.is_some() {
        return usage_error(
            "--endpoint and --region name one endpoint, and the config has several \
             profiles: choose one with --profile",
        );
    }
    if let Err(e) = check_command_keys(file) {
        return usage_error(&e.to_string());
    }
    let views = file.profile_views();
    let clients: Vec<Result<ClientConfig, String>> = views
        .iter()
        .map(|view| resolve_client(globals, view))
        .collect();
    if clients.iter().all(Result::is_err) {
        for (view, client) in views.iter().zip(&clients) {
            if let Err(e) = client {
                report(&format!(
                    "profile {:?}: {e}",
                    view.profile.as_deref().unwrap_or("")
                ));
            }
        }
        return Exit::Usage;
    }
    let runtime = match terminal_runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let names = file.profile_names();
    let lang = Lang::chosen(file.ui.language);
    let title = lang
        .t(Msg::ProfilesTitle {
            count: names.len(),
            names: &names.join(", "),
        })
        .into_owned();
    let settings = UiSettings {
        read_only: read_only_reason(globals, Some(file)),
        console_url: file.ui.console_url.clone(),
        theme: file.ui.theme,
        colors: file.ui.colors.clone(),
        accent: None,
        views: file.views.clone(),
        columns: file.ui.columns.clone(),
        commands: file.commands.iter().map(|c| c.command.clone()).collect(),
        // Each ticket's own, from its profile.
        region: None,
    };
    let caches = views
        .iter()
        .zip(&clients)
        .filter_map(|(view, client)| cache_of(view.profile.as_deref()?, client.as_ref().ok()?))
        .collect();
    let effects = dashboard_effects(globals, &file.notify, &title, caches);
    let destinations = views
        .iter()
        .zip(&clients)
        .map(|(view, client)| {
            let to = client
                .as_ref()
                .ok()
                .and_then(|client| super::operate::destination(view, client));
            // Without credentials nothing is sent; the config still says where to.
            to.unwrap_or_else(|| Destination {
                profile: view.profile.clone().unwrap_or_default(),
                endpoint: view
                    .api
                    .region
                    .clone()
                    .or_else(|| view.api.endpoint.clone())
                    .unwrap_or_default(),
                account: view.api.domain_id.clone(),
            })
        })
        .collect();
    let looks = views
        .iter()
        .map(|view| profile_look(globals, view))
        .collect();
    let profiles = Profiles::new(destinations, &file.watch, &file.queries).with_looks(looks);
    runtime.block_on(async move {
        let _log_guard = super::init_logging();
        let engines = views
            .into_iter()
            .zip(clients)
            .map(|(view, client)| {
                let watched: Vec<TicketRef> = view.watch.iter().map(|w| w.id.clone()).collect();
                let polled = polled_at_once(&watched, &effects);
                let operations_to = client
                    .as_ref()
                    .ok()
                    .and_then(|client| super::operate::destination(&view, client));
                let start = EngineStart {
                    lang,
                    read_only: settings.read_only.is_some(),
                    poll: view.poll.clone(),
                    polled_at_once: polled,
                    queries: view.queries.clone(),
                    operations_to,
                };
                ProfileEngine {
                    name: view.profile.clone().unwrap_or_default(),
                    watched,
                    engine: client.and_then(|client| spawn_engine(client, start)),
                }
            })
            .collect();
        let engine = watch::merged::merge(engines);
        let init = AppInit {
            lang,
            endpoint: title,
            watch: file.watch.clone(),
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            now: SystemTime::now(),
        };
        let app = App::new(init)
            .with_settings(settings)
            .with_notifications(file.notify.on.clone(), file.poll.interval)
            .with_profiles(profiles);
        ended(tui::event_loop_with(engine, app, effects).await)
    })
}

/// The dashboard's effects: notifications, edits saved to the file the config came
/// from (or would have), and each profile's cache.
fn dashboard_effects(
    globals: &Globals,
    notify: &crate::notify::NotifyConfig,
    title: &str,
    caches: Vec<effects::CacheTarget>,
) -> effects::Effects {
    let config_path = config::locate(globals.config.as_ref()).map(|location| location.path);
    effects::Effects {
        teller: Some(Teller::new(notify, title)),
        last_read: Arc::new(
            config_path
                .as_deref()
                .map(LastRead::of_file)
                .unwrap_or_default(),
        ),
        config_path,
        scope: Scope::WholeFile,
        caches,
    }
}

/// The cache file of `profile`, by its endpoint and account; `None` without a cache
/// directory.
fn cache_of(profile: &str, client: &ClientConfig) -> Option<effects::CacheTarget> {
    let key = cache::Key::of(client);
    Some(effects::CacheTarget {
        profile: profile.to_string(),
        path: cache::path_for(&config::cache_dir()?, &key),
        key,
    })
}

/// The watched tickets an engine polls from its start: all of them without a cache;
/// with one they wait for it (`Message::Remembered`, read once the first frame is
/// drawn), so that a finished ticket it remembers costs no request.
fn polled_at_once(watched: &[TicketRef], effects: &effects::Effects) -> Vec<TicketRef> {
    match effects.caches.is_empty() {
        true => watched.to_vec(),
        false => Vec::new(),
    }
}

/// A view's profile: its accent, region, and why its operations are off, if they are.
fn profile_look(globals: &Globals, view: &config::Config) -> ProfileLook {
    ProfileLook {
        read_only: read_only_reason(globals, Some(view)),
        accent: view
            .profile_entry()
            .and_then(|p| p.accent.as_deref())
            .and_then(|accent| accent.parse().ok()),
        region: view.api.region.clone(),
    }
}

/// What one profile's engine starts with besides its client.
struct EngineStart {
    /// The language of the API's messages.
    lang: Lang,
    /// Read-only is enforced where requests leave, not only at the prompt.
    read_only: bool,
    poll: EngineConfig,
    polled_at_once: Vec<TicketRef>,
    /// `[[query]]`: followed by their list pages.
    queries: Vec<QueryEntry>,
    /// Where its operations go, for their log lines, when the config names profiles.
    operations_to: Option<Destination>,
}

/// One profile's engine on its watched tickets and queries.
fn spawn_engine(
    mut client_config: ClientConfig,
    start: EngineStart,
) -> Result<watch::EngineHandle, String> {
    // The engine schedules its own retries within the rate limit.
    client_config.retry = RetryPolicy::none();
    client_config.language = start.lang.api();
    client_config.read_only |= start.read_only;
    let client = Client::new(client_config).map_err(|e| e.to_string())?;
    let engine = watch::spawn_for(
        Arc::new(client),
        start.poll,
        start.polled_at_once,
        start.operations_to,
    );
    for QueryEntry { name, query, .. } in start.queries {
        let query = Box::new(query);
        let _ = engine.commands.send(Command::AddQuery { name, query });
    }
    Ok(engine)
}

/// The dashboard against an embedded simulator on a free loopback port.
pub fn demo(globals: &Globals) -> Exit {
    let settings = UiSettings {
        read_only: read_only_reason(globals, None),
        ..UiSettings::default()
    };
    let runtime = match terminal_runtime() {
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
            profile: None,
        };
        let exit = run_engine_and_ui(Session {
            client_config,
            lang: Lang::chosen(None),
            endpoint: name,
            poll,
            watch,
            queries: vec![started_lately],
            settings,
            profiles: Profiles::default(),
            // The demo's tickets fail all the time: counted in the header, never rung.
            notify_on: NotifyOn::default(),
            // Its simulator is new each time: nothing to remember.
            effects: effects::Effects::default(),
            operations_to: None,
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

/// The heap's arenas the dashboard's threads share: with one per thread, tickets
/// decoded on one thread and freed on another left 3 to 10 MB more resident at 10,000
/// tickets (`benches/watch_10k.rs`), for allocations that hardly ever contend; one
/// arena keeps 2 MB less than two, with the same key latency while 10,000 tickets
/// refresh (`benches/key_latency.rs`) and the same polls a second (`engine_sim`).
const DASHBOARD_ARENAS: i32 = 1;

/// The runtime the dashboard runs on, once there is a terminal to draw on.
fn terminal_runtime() -> Result<tokio::runtime::Runtime, Exit> {
    need_terminal()?;
    crate::heap::limit_arenas(DASHBOARD_ARENAS);
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
    /// The one profile shown, by name (for `profile=` and `{profile}`).
    profiles: Profiles,
    notify_on: NotifyOn,
    /// With the cache file to start from and to write on the way out.
    effects: effects::Effects,
    /// Where operations go, for their log lines, when the config names profiles.
    operations_to: Option<Destination>,
}

async fn run_engine_and_ui(session: Session) -> Exit {
    let Session {
        client_config,
        lang,
        endpoint,
        poll,
        watch,
        queries,
        settings,
        profiles,
        notify_on,
        effects,
        operations_to,
    } = session;
    let _log_guard = super::init_logging();
    let watched: Vec<TicketRef> = watch.iter().map(|w| w.id.clone()).collect();
    let cycle = poll.interval;
    let start = EngineStart {
        lang,
        read_only: settings.read_only.is_some(),
        poll,
        polled_at_once: polled_at_once(&watched, &effects),
        queries,
        operations_to,
    };
    let engine = match spawn_engine(client_config, start) {
        Ok(engine) => engine,
        Err(e) => return fail(e),
    };
    let init = AppInit {
        lang,
        endpoint: endpoint.clone(),
        watch,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        now: SystemTime::now(),
    };
    let app = App::new(init)
        .with_settings(settings)
        .with_notifications(notify_on, cycle)
        .with_profiles(profiles);
    ended(tui::event_loop_with(engine, app, effects).await)
}

/// The exit status of a dashboard that ended with `result`.
fn ended(result: std::io::Result<tui::Ended>) -> Exit {
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
