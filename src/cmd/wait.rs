//! `coctop wait`: follow tickets until every one is finished.
//!
//! The library's `wait::follow` and `Waiter` decide (events and an exit code); `run`
//! prints what they decided, tells notifications, and stops on a signal or a reader gone.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::json;
use tokio::task::JoinHandle;

use super::{
    Globals, Prepared, command_runtime, connect, list, output, prepare_with_runtime, report,
    signals, usage_error,
};
use crate::coc::{Client, JobStatus, RetryPolicy, TicketKind, TicketRef};
use crate::config::{QueryEntry, WatchEntry};
use crate::exit::Exit;
use crate::format;
use crate::jsonl;
use crate::notify::hook::HookOutcome;
use crate::notify::{Change, Notification, Notifier, NotifyConfig, Teller};
use crate::text::cell;
use crate::wait::{WaitEvent, Waiter, follow};
use crate::watch::{self, Command, EngineConfig, Pacer};

/// What `wait` prints on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaitFormat {
    /// One line per change; warnings and the end on stderr.
    #[default]
    Text,
    /// `--json`: one JSON object per change (no schema; kept as it was).
    Json,
    /// `--output jsonl`: every event as a JSON line with a `schema` version.
    Jsonl,
}

/// `coctop wait`'s options, as plain values.
#[derive(Debug, Clone)]
pub struct WaitOptions {
    /// Poll interval (default: the config's `poll.interval`).
    pub interval: Option<Duration>,
    /// Give up (exit 3) after this long.
    pub timeout: Option<Duration>,
    /// What stdout gets: text lines, JSON objects per change, or every event as a JSON
    /// line.
    pub format: WaitFormat,
    /// Wait for the active tickets this `[[query]]` finds instead of IDs.
    pub query: Option<String>,
    /// With `query`: also for matching tickets that start during the wait.
    pub follow: bool,
    /// A ticket failing without a break for this long ends the wait (exit 5).
    pub give_up: Duration,
    /// Tell notable changes as `[notify]` says.
    pub notify: bool,
}

pub fn run(globals: &Globals, ids: &[String], options: &WaitOptions) -> Exit {
    let started_ms = format::millis_of(SystemTime::now());
    let ready = match &options.query {
        Some(name) => prepare_query(globals, name, options),
        None => prepare_with_runtime(globals, ids).map(|(prepared, rt)| (prepared, rt, None)),
    };
    let (prepared, rt, query) = match ready {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let mut client_config = prepared.client_config;
    // The engine schedules retries itself, within the rate limit.
    client_config.retry = RetryPolicy::none();
    let poll = EngineConfig {
        interval: options.interval.unwrap_or(prepared.config.poll.interval),
        ..prepared.config.poll.clone()
    };
    let endpoint = client_config.endpoint.display_name();
    rt.block_on(async {
        let client = match Client::new(client_config) {
            Ok(c) => c,
            Err(e) => return usage_error(&e.to_string()),
        };
        let ids = prepared.targets.iter().map(|t| t.id.clone()).collect();
        let notifications = options
            .notify
            .then(|| Notifications::start(&prepared.config.notify, poll.interval, &endpoint));
        let mut engine = watch::spawn_as_decoded(Arc::new(client), poll, ids);
        let mut waiter = Waiter::new(&prepared.targets, options.give_up);
        if let (Some(entry), true) = (query, options.follow) {
            waiter.follow(entry.query.clone(), started_ms);
            let _ = engine.commands.send(Command::AddQuery {
                name: entry.name,
                query: Box::new(entry.query),
            });
        }
        let mut printer = Printer::new(options.format);
        let mut printed = Ok(());
        let followed = follow(&mut engine.updates, &mut waiter, options.timeout, |event| {
            if printed.is_ok() {
                printed = printer.event(event);
            }
            if let Some(notifications) = &notifications {
                notifications.observe(event);
            }
            printed.is_ok()
        });
        let exit = tokio::select! {
            exit = followed => exit,
            exit = signals::ending_signal() => {
                // The script reading the events learns how the wait ended, as it would
                // from any other end.
                if options.format == WaitFormat::Jsonl {
                    let _ = output::print(&json_line(&WaitEvent::Finished { exit, message: None }));
                }
                exit
            }
            exit = output::reader_gone() => exit,
        };
        let _ = engine.commands.send(Command::Shutdown);
        if let Some(notifications) = notifications {
            notifications.finish().await;
        }
        printed.err().unwrap_or(exit)
    })
}

/// `wait --query NAME`: the client, a runtime, and the tickets the query finds that are
/// active now. With none and no `--follow`, there is nothing to wait for (exit 0).
fn prepare_query(
    globals: &Globals,
    name: &str,
    options: &WaitOptions,
) -> Result<(Prepared, tokio::runtime::Runtime, Option<QueryEntry>), Exit> {
    let (config, client_config) = connect(globals).map_err(|e| usage_error(&e))?;
    let entry = config.query(name).map_err(|e| usage_error(&e))?.clone();
    let rt = command_runtime()?;
    let client = Client::new(client_config.clone()).map_err(|e| usage_error(&e.to_string()))?;
    let pacer = Pacer::new(config.poll.max_rps);
    let limit = entry.query.limit.unwrap_or(usize::MAX);
    let mut listed = Vec::new();
    let now = SystemTime::now();
    for &kind in entry.query.kind.kinds() {
        let keep = |tickets| {
            listed.extend(tickets);
            true
        };
        let found = rt.block_on(list::find(
            &client,
            &entry.query,
            kind,
            limit,
            &pacer,
            now,
            keep,
        ));
        if let Some(error) = found.error {
            let exit = Exit::from(&error);
            return Err(ended_early(
                options.format,
                exit,
                format!("query {name:?}: {error}"),
            ));
        }
    }
    // A listed ID that breaks the rule cannot be fetched: it is not waited for.
    let targets: Vec<WatchEntry> = listed
        .iter()
        .filter(|t| !t.is_terminal())
        .filter_map(|t| t.reference().ok())
        .map(WatchEntry::unlabelled)
        .collect();
    if targets.is_empty() && !options.follow {
        let why =
            format!("query {name:?}: no active ticket to wait for (--follow waits for new ones)");
        return Err(ended_early(options.format, Exit::Success, why));
    }
    let prepared = Prepared {
        client_config,
        config,
        targets,
    };
    Ok((prepared, rt, Some(entry)))
}

/// A wait that ends before it polls (its query's first page): why on stderr and, for
/// `--output jsonl`, in the `done` line a script reads to the end.
fn ended_early(format: WaitFormat, exit: Exit, message: String) -> Exit {
    report(&message);
    if format == WaitFormat::Jsonl {
        let done = WaitEvent::Finished {
            exit,
            message: Some(message),
        };
        let _ = output::print(&json_line(&done));
    }
    exit
}

/// `wait --notify`: the changes go through the same rules as in the dashboard; a
/// ticker tells each cycle's notification when its window closes, and the end of the
/// wait tells what is left and waits for the hooks (each within its time limit).
struct Notifications {
    notifier: Arc<Mutex<Notifier>>,
    teller: Teller,
    hooks: Arc<Mutex<Vec<JoinHandle<HookOutcome>>>>,
    ticker: JoinHandle<()>,
}

impl Notifications {
    fn start(config: &NotifyConfig, cycle: Duration, endpoint: &str) -> Notifications {
        let notifier = Arc::new(Mutex::new(Notifier::new(config.on.clone(), cycle)));
        let teller = Teller::new(config, endpoint);
        let hooks = Arc::new(Mutex::new(Vec::new()));
        let ticker = {
            let (notifier, teller, hooks) = (notifier.clone(), teller.clone(), hooks.clone());
            tokio::spawn(async move {
                let mut clock = tokio::time::interval(Duration::from_millis(500));
                loop {
                    clock.tick().await;
                    let due = lock(&notifier).take_due(SystemTime::now());
                    if let Some(notification) = due {
                        tell(&teller, &notification, &hooks);
                    }
                }
            })
        };
        Notifications {
            notifier,
            teller,
            hooks,
            ticker,
        }
    }

    fn observe(&self, event: &WaitEvent) {
        if let WaitEvent::Changed {
            id,
            name,
            from,
            to,
            at,
        } = event
        {
            lock(&self.notifier).observe(Change {
                id: id.clone(),
                name: name.clone(),
                from: from.clone(),
                to: to.clone(),
                at: *at,
            });
        }
    }

    async fn finish(self) {
        self.ticker.abort();
        let rest = lock(&self.notifier).take_all();
        if let Some(notification) = rest {
            tell(&self.teller, &notification, &self.hooks);
        }
        let hooks = std::mem::take(&mut *lock(&self.hooks));
        let program = self
            .teller
            .hook()
            .map(|h| (h.program().to_string(), h.limit()));
        for handle in hooks {
            if let (Ok(outcome), Some((program, limit))) = (handle.await, &program)
                && let Some(problem) = outcome.problem(program, *limit)
            {
                report(&problem);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The bell and desktop sequences go to stderr when it is a terminal: stdout may be a
/// pipe a script reads.
fn tell(teller: &Teller, notification: &Notification, hooks: &Mutex<Vec<JoinHandle<HookOutcome>>>) {
    let mut stderr = std::io::stderr();
    let terminal: Option<&mut dyn Write> = if stderr.is_terminal() {
        Some(&mut stderr)
    } else {
        None
    };
    if let Some(handle) = teller.tell(notification, terminal) {
        lock(hooks).push(handle);
    }
}

/// The printing layer: in text, changes on stdout and everything else on stderr
/// (a ticket's first error once); in JSON lines, every event on stdout (and the end's
/// message on stderr too). The exit when stdout could not take a line.
struct Printer {
    format: WaitFormat,
    /// Tickets whose errors were said on stderr already (text: once each).
    warned: HashSet<TicketRef>,
}

impl Printer {
    fn new(format: WaitFormat) -> Printer {
        Printer {
            format,
            warned: HashSet::new(),
        }
    }

    fn event(&mut self, event: &WaitEvent) -> Result<(), Exit> {
        if self.format == WaitFormat::Jsonl {
            if let WaitEvent::Finished {
                message: Some(message),
                ..
            } = event
            {
                report(message);
            }
            return output::print(&json_line(event));
        }
        match event {
            WaitEvent::Changed { .. } => {
                return output::print(&format!("{}\n", change_line(event, self.format)));
            }
            WaitEvent::Failed { id, error, .. } => {
                if self.warned.insert(id.clone()) {
                    report(&format!("{id}: {error} (retrying)"));
                }
            }
            WaitEvent::Throttled { until, .. } => {
                let wait = until.duration_since(SystemTime::now()).unwrap_or_default();
                report(&format!(
                    "throttled by the endpoint, pausing for {}",
                    format::as_setting(wait.max(Duration::from_millis(1)))
                ));
            }
            WaitEvent::Finished { message, .. } => {
                if let Some(message) = message {
                    report(message);
                }
            }
        }
        Ok(())
    }
}

/// A change as text or as `--json`'s object.
fn change_line(event: &WaitEvent, format: WaitFormat) -> String {
    let WaitEvent::Changed {
        id,
        name,
        from,
        to,
        at,
    } = event
    else {
        return String::new();
    };
    if format == WaitFormat::Json {
        return change_json(id, name, (from.as_ref(), to), *at).to_string();
    }
    format!(
        "{}  {id}  {}  {} -> {}",
        format::clock_time(*at, format::Zone::Local),
        cell(if name.is_empty() { "-" } else { name }, NAME_WIDTH),
        from.as_ref().map_or_else(|| "-".into(), JobStatus::label),
        to.label(),
    )
}

/// Any event as `--output jsonl`'s line.
fn json_line(event: &WaitEvent) -> String {
    match event {
        WaitEvent::Changed {
            id,
            name,
            from,
            to,
            at,
        } => jsonl::change(&jsonl::Change {
            at: *at,
            profile: None,
            kind: id.kind(),
            id: id.id(),
            name,
            from: from.as_ref(),
            to,
        }),
        WaitEvent::Failed { id, error, at } => jsonl::error(*at, id.kind(), id.id(), error),
        WaitEvent::Throttled { until, error, at } => jsonl::throttled(*at, *until, error),
        WaitEvent::Finished { exit, message } => jsonl::done(
            SystemTime::now(),
            exit.code(),
            exit.word(),
            message.as_deref(),
        ),
    }
}

/// A change as `wait --json` prints it: its `kind`, the ticket's ID under its kind's own
/// name (`execution_id`, `execute_uuid`), the name, and the statuses as sent.
fn change_json(
    id: &TicketRef,
    name: &str,
    (from, to): (Option<&JobStatus>, &JobStatus),
    at: SystemTime,
) -> serde_json::Value {
    let id_field = match id.kind() {
        TicketKind::Execution => "execution_id",
        TicketKind::Script => "execute_uuid",
    };
    json!({
        "time": chrono::DateTime::<chrono::Local>::from(at).to_rfc3339(),
        "kind": id.kind().as_str(),
        id_field: id.id(),
        "name": name,
        "from": from.map(JobStatus::as_str),
        "to": to.as_str(),
    })
}

/// A job name in a change line is cut here (in terminal columns).
const NAME_WIDTH: usize = 80;
