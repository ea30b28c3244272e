//! One file per command: thin layers that run what the library computes and print it.

pub mod config;
pub mod dashboard;
pub mod diff;
pub mod get;
pub mod list;
pub mod logs;
pub mod operate;
pub mod output;
pub mod run;
pub mod serve;
pub mod shell;
pub mod signals;
pub mod sim;
pub mod wait;

use std::collections::{HashMap, HashSet};
use std::io::Write;

use tracing::Level;

use crate::coc::{Client, ClientConfig, TicketRef};
use crate::config::{self as settings, Config, ConfigLocation, WatchEntry};
use crate::exit::Exit;
use crate::text::sanitize;

/// The shared flags, as plain values (clap stays at the edge: `cli::globals` reads them).
#[derive(Debug, Clone, Default)]
pub struct Globals {
    /// `--config` or `COCTOP_CONFIG`, and which of the two gave it.
    pub config: Option<ConfigLocation>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// `--profile`: which `[[profile]]` (the first when not given).
    pub profile: Option<String>,
    /// `--read-only`: no operation is ever sent.
    pub read_only: bool,
}

/// How every headless command builds its async runtime: one thread. A command mostly
/// waits; hand-offs between worker threads cost a poll more than the work itself.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// A worker per core, for the simulator and `serve` (many clients at once) and the dashboard: on one
/// thread the terminal's resize events stopped reaching it (the resize pty test).
pub fn threaded_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// The runtime of a server command (`serve`, `sim`), or the usage error that says why
/// `command` has none.
fn server_runtime(command: &str) -> Result<tokio::runtime::Runtime, Exit> {
    threaded_runtime()
        .map_err(|e| usage_error(&format!("{command}: cannot start the runtime: {e}")))
}

/// A listening server command's run: says it listens (`banner`), then serves until a
/// signal asks it to stop, its normal end. Signals are listened for before the banner
/// is out: whoever reads it may stop the server at once.
async fn serve_until_signal(banner: &str) -> Exit {
    let stop = signals::listen();
    match output::print(banner) {
        Ok(()) => match stop.recv().await {
            Exit::Signal(_) => Exit::Success,
            other => other,
        },
        Err(exit) => exit,
    }
}

/// What every headless command needs before it sends a request.
pub(crate) struct Prepared {
    pub client_config: ClientConfig,
    pub config: Config,
    pub targets: Vec<WatchEntry>,
}

/// Loads the config (optional), takes the view of the profile `--profile` names (the
/// first when none), and resolves its endpoint and credentials.
fn connect(globals: &Globals) -> Result<(Config, ClientConfig), String> {
    let config = load_config(globals)?.profile(globals.profile.as_deref())?;
    let client_config =
        resolve_client(globals, &config).map_err(|e| match config.profile_entry() {
            Some(profile) => format!("profile {:?}: {e}", profile.name),
            None => e,
        })?;
    Ok((config, client_config))
}

/// The config file `--config` or `COCTOP_CONFIG` names (it must exist), else the default
/// one, else the defaults; a secret others can read is warned about.
fn load_config(globals: &Globals) -> Result<Config, String> {
    let config = settings::load_or_defaults(globals.config.as_ref())?;
    if let Some(warning) = settings::secret_warning(&config) {
        report(&warning);
    }
    Ok(config)
}

/// Endpoint and credentials from the flags and `config`; credentials that go out in
/// clear (the user opted in) are warned about.
fn resolve_client(globals: &Globals, config: &Config) -> Result<ClientConfig, String> {
    let mut client_config = settings::client_config(
        config,
        globals.endpoint.as_deref(),
        globals.region.as_deref(),
    )?;
    // Read-only is enforced where requests leave; the commands' own checks only give
    // the nicer message first.
    client_config.read_only = read_only_reason(globals, Some(config)).is_some();
    if let Some(warning) = settings::transport_warning(&client_config) {
        report(&warning);
    }
    Ok(client_config)
}

/// `connect`, and the tickets named by `ids` (the config's when none), validated: a
/// plain ID is an execution, `script/UUID` a script ticket.
fn prepare(globals: &Globals, ids: &[String]) -> Result<Prepared, String> {
    let (config, client_config) = connect(globals)?;
    let targets = if ids.is_empty() {
        config.watch.clone()
    } else {
        let labels: HashMap<&TicketRef, &Option<String>> =
            config.watch.iter().map(|w| (&w.id, &w.label)).collect();
        let mut targets = Vec::with_capacity(ids.len());
        for text in ids {
            let id = TicketRef::parse(text).map_err(|invalid| invalid.to_string())?;
            let label = labels.get(&id).and_then(|l| (*l).clone());
            targets.push(WatchEntry {
                id,
                label,
                profile: config.profile.clone(),
            });
        }
        targets
    };
    let targets = each_once(targets);
    if targets.is_empty() {
        return Err(
            "no ticket IDs: give some on the command line (an execution ID, or \
             script/UUID for a script ticket) or add [[watch]] entries to the config \
             (see `coctop config path`)"
                .into(),
        );
    }
    Ok(Prepared {
        client_config,
        config,
        targets,
    })
}

/// The targets in their first order, each ID once: fetched once, operated on once.
fn each_once(targets: Vec<WatchEntry>) -> Vec<WatchEntry> {
    let mut seen = HashSet::new();
    targets
        .into_iter()
        .filter(|t| seen.insert(t.id.clone()))
        .collect()
}

/// `prepare` and a runtime to run the requests on; a usage error, already reported,
/// when either fails.
fn prepare_with_runtime(
    globals: &Globals,
    ids: &[String],
) -> Result<(Prepared, tokio::runtime::Runtime), Exit> {
    let prepared = prepare(globals, ids).map_err(|e| usage_error(&e))?;
    Ok((prepared, command_runtime()?))
}

/// `runtime()`, or a usage error (already reported).
fn command_runtime() -> Result<tokio::runtime::Runtime, Exit> {
    runtime().map_err(|e| usage_error(&format!("cannot start the async runtime: {e}")))
}

/// What a command that reads one or two tickets needs: the config, a client, and a
/// runtime; a usage error, already reported, when one cannot be had.
fn session(globals: &Globals) -> Result<(Config, Client, tokio::runtime::Runtime), Exit> {
    let (config, client_config) = connect(globals).map_err(|e| usage_error(&e))?;
    let rt = command_runtime()?;
    let client = Client::new(client_config).map_err(|e| usage_error(&e.to_string()))?;
    Ok((config, client, rt))
}

/// `text` as a ticket reference (`EX…` or `script/UUID`), or a usage error.
fn reference(text: &str) -> Result<TicketRef, Exit> {
    TicketRef::parse(text).map_err(|e| usage_error(&e.to_string()))
}

/// Why operations are off, if they are: the flag, the config's `[ui] read_only`, or
/// `read_only` of the profile `config` is a view of.
pub(crate) fn read_only_reason(globals: &Globals, config: Option<&Config>) -> Option<String> {
    if globals.read_only {
        return Some("--read-only".into());
    }
    let config = config?;
    let table = if config.ui.read_only {
        "[ui]".to_string()
    } else if config.profile_read_only() {
        format!(
            "[[profile]] {:?}",
            config.profile.as_deref().unwrap_or_default()
        )
    } else {
        return None;
    };
    Some(match &config.path {
        Some(path) => format!("read_only = true in {table} of {}", path.display()),
        None => format!("read_only = true in {table}"),
    })
}

/// Asks `question` on the terminal (stderr) and reads the answer, without its line
/// break; `None` when nothing could be read.
pub(crate) fn ask(question: &str, input: &mut impl std::io::BufRead) -> Option<String> {
    // Only what is typed after the question answers it: keys typed ahead (while the
    // ticket was fetched, or for a question not shown yet) are thrown away before it is
    // shown, so that an answer typed the moment it appears is kept.
    discard_typed_ahead();
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    input.read_line(&mut answer).ok()?;
    Some(answer.trim_end_matches(['\r', '\n']).to_string())
}

/// Throws away input the terminal holds that nobody has read yet.
fn discard_typed_ahead() {
    // SAFETY: tcflush on the standard input descriptor; harmless when it is no terminal.
    unsafe {
        libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH);
    }
}

/// Prints a message to stderr. Error messages can quote a server's body, so they pass
/// the same sanitising gate as everything else the server says.
pub(crate) fn report(message: &str) {
    // Nowhere left to say it when stderr itself fails.
    let _ = writeln!(std::io::stderr(), "{}", error_line(message));
}

fn error_line(message: &str) -> String {
    format!("coctop: {}", sanitize(message))
}

/// Log to the file `coctop config path` shows, never to the screen.
pub(crate) fn init_logging() -> Option<()> {
    let path = settings::log_file_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    // Private: it names tickets, endpoints, errors and the operations sent.
    let file = crate::files::open_append(&path, 0o600).ok()?;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let log = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file));
    tracing_subscriber::registry()
        .with(log)
        .with(log_filter(std::env::var("COCTOP_LOG").ok().as_deref()))
        .try_init()
        .ok()
}

/// `COCTOP_LOG`: a level (`debug`), or targets with levels (`info,coctop::watch=trace`);
/// `info` when unset or unreadable.
fn log_filter(setting: Option<&str>) -> tracing_subscriber::filter::Targets {
    setting
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| tracing_subscriber::filter::Targets::new().with_default(Level::INFO))
}

pub(crate) fn usage_error(message: &str) -> Exit {
    report(message);
    Exit::Usage
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::coc::ApiError;

    #[test]
    fn a_repeated_id_is_kept_once_in_its_first_place() {
        let targets = ["B", "script/B", "A", "B", "script/B", "C"]
            .map(|id| WatchEntry::unlabelled(TicketRef::parse(id).unwrap()))
            .to_vec();
        let ids: Vec<String> = each_once(targets)
            .into_iter()
            .map(|t| t.id.to_string())
            .collect();
        assert_eq!(ids, ["B", "script/B", "A", "C"]);
    }

    #[test]
    fn error_lines_quote_server_text_only_after_sanitising() {
        let error = ApiError::Http {
            status: 400,
            error_code: Some("COC.0001".into()),
            error_msg: Some("bad\u{202e}txt.exe \u{1b}]0;owned\u{7}id".into()),
            request_id: None,
            excerpt: None,
            retry_after: None,
        };
        let line = error_line(&format!("EX1: {error}"));
        assert_eq!(line, "coctop: EX1: HTTP 400 COC.0001: badtxt.exe id");
    }

    #[test]
    fn the_log_level_comes_from_coctop_log_else_info() {
        let unset = log_filter(None);
        assert!(unset.would_enable("coctop::watch", &Level::INFO));
        assert!(!unset.would_enable("coctop::watch", &Level::DEBUG));

        let debug = log_filter(Some("debug"));
        assert!(debug.would_enable("hyper", &Level::DEBUG));

        let per_target = log_filter(Some("warn,coctop::watch=trace"));
        assert!(per_target.would_enable("coctop::watch::engine", &Level::TRACE));
        assert!(!per_target.would_enable("coctop::tui", &Level::INFO));
        assert!(per_target.would_enable("coctop::tui", &Level::WARN));

        let unreadable = log_filter(Some("coctop=loud"));
        assert!(unreadable.would_enable("coctop", &Level::INFO));
        assert!(!unreadable.would_enable("coctop", &Level::DEBUG));
    }
}
