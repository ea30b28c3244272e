//! `coctop get` and `coctop wait`: output for scripts.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use crate::cli::{GetArgs, OutputFormat, WaitArgs};
use crate::coc::{self, ApiError, Client, ClientConfig, ErrorKind, RetryPolicy, Status, Ticket};
use crate::config::{self, Config, WatchEntry};
use crate::exit::Exit;
use crate::format;
use crate::text::sanitize;
use crate::watch::{self, Command, EngineConfig, Update};

pub struct Globals<'a> {
    pub config: Option<&'a std::path::Path>,
    pub endpoint: Option<&'a str>,
    pub region: Option<&'a str>,
}

/// What every headless command needs before it sends a request.
struct Prepared {
    client_config: ClientConfig,
    config: Config,
    targets: Vec<WatchEntry>,
}

/// Loads the config (optional), resolves endpoint and credentials and validates IDs.
fn prepare(globals: &Globals<'_>, ids: &[String]) -> Result<Prepared, String> {
    let config = config::load_for_dashboard(globals.config)?;
    let targets = if ids.is_empty() {
        config.watch.clone()
    } else {
        let labels: HashMap<&str, &Option<String>> = config
            .watch
            .iter()
            .map(|w| (w.id.as_str(), &w.label))
            .collect();
        ids.iter()
            .map(|id| WatchEntry {
                id: id.clone(),
                label: labels.get(id.as_str()).and_then(|l| (*l).clone()),
            })
            .collect()
    };
    for target in &targets {
        coc::validate_execution_id(&target.id)
            .map_err(|reason| format!("invalid execution ID {:?}: {reason}", target.id))?;
    }
    if targets.is_empty() {
        return Err(
            "no execution IDs: give some on the command line or add [[watch]] entries \
             to the config (see `coctop config path`)"
                .into(),
        );
    }
    let client_config = config::client_config(&config, globals.endpoint, globals.region)?;
    Ok(Prepared {
        client_config,
        config,
        targets,
    })
}

/// `prepare` and a runtime to run the requests on; a usage error, already reported,
/// when either fails.
fn prepare_with_runtime(
    globals: &Globals<'_>,
    ids: &[String],
) -> Result<(Prepared, tokio::runtime::Runtime), Exit> {
    let prepared = prepare(globals, ids).map_err(|e| usage_error(&e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| usage_error(&format!("cannot start the async runtime: {e}")))?;
    Ok((prepared, runtime))
}

/// Prints a message to stderr. Error messages can quote a server's body, so they pass
/// the same sanitising gate as everything else the server says.
fn report(message: &str) {
    eprintln!("{}", error_line(message));
}

fn error_line(message: &str) -> String {
    format!("coctop: {}", sanitize(message))
}

fn usage_error(message: &str) -> Exit {
    report(message);
    Exit::Usage
}

// ---------------------------------------------------------------------------------------
// get

/// Requests in flight at once for `get`.
const GET_CONCURRENCY: usize = 8;

pub fn get(globals: &Globals<'_>, args: &GetArgs) -> Exit {
    let (prepared, rt) = match prepare_with_runtime(globals, &args.ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let results = match rt.block_on(fetch_all(prepared.client_config, &prepared.targets)) {
        Ok(results) => results,
        Err(e) => return usage_error(&e.to_string()),
    };
    let now = SystemTime::now();
    let mut out = std::io::stdout().lock();
    let written = match args.output {
        OutputFormat::Json => writeln!(out, "{}", get_json(&results)),
        OutputFormat::Table => write!(out, "{}", get_table(&prepared.targets, &results, now)),
    };
    if written.is_err() {
        // Output closed early (a pipe to `head`): nothing more to say.
        return Exit::Fetch;
    }
    for (id, result) in &results {
        if let Err(e) = result {
            report(&format!("{id}: {e}"));
        }
    }
    get_exit(&results)
}

type FetchResult = (String, Result<Ticket, ApiError>);

/// Fetches every ticket, in order. The first request goes alone: if it fails
/// authentication, nothing more is sent (the gateway locks an AK after 5 failures).
async fn fetch_all(
    client_config: ClientConfig,
    targets: &[WatchEntry],
) -> Result<Vec<FetchResult>, ApiError> {
    let client = Client::new(client_config)?;
    let mut results = Vec::with_capacity(targets.len());
    let (first, rest) = targets
        .split_first()
        .expect("prepare refuses an empty list");
    let first_result = client.get_execution(&first.id).await;
    let auth_failure = first_result.as_ref().err().filter(|e| e.is_auth()).cloned();
    results.push((first.id.clone(), first_result));
    if let Some(error) = auth_failure {
        results.extend(rest.iter().map(|t| (t.id.clone(), Err(error.clone()))));
        return Ok(results);
    }
    let fetched: Vec<FetchResult> = futures::stream::iter(rest)
        .map(|t| {
            let client = client.clone();
            async move { (t.id.clone(), client.get_execution(&t.id).await) }
        })
        .buffered(GET_CONCURRENCY)
        .collect()
        .await;
    results.extend(fetched);
    Ok(results)
}

fn get_exit(results: &[FetchResult]) -> Exit {
    let errors: Vec<&ApiError> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    if errors.iter().any(|e| e.is_auth()) {
        Exit::Auth
    } else if errors.is_empty() {
        Exit::Success
    } else {
        Exit::Fetch
    }
}

/// The JSON form of an error, for `get --output json` and `wait --json`.
pub fn error_json(error: &ApiError) -> serde_json::Value {
    json!({
        "message": error.to_string(),
        "kind": format!("{:?}", error.kind()),
        "http_status": error.http_status(),
        "error_code": error.error_code(),
        "request_id": error.request_id(),
    })
}

fn get_json(results: &[FetchResult]) -> String {
    let items: Vec<serde_json::Value> = results
        .iter()
        .map(|(id, result)| match result {
            Ok(ticket) => serde_json::to_value(ticket).unwrap_or_else(
                |e| json!({"execution_id": id, "error": {"message": e.to_string()}}),
            ),
            Err(e) => json!({"execution_id": id, "error": error_json(e)}),
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
}

const TABLE_HEADER: [&str; 8] = [
    "EXECUTION ID",
    "STATUS",
    "TYPE",
    "NAME",
    "CREATOR",
    "STARTED",
    "DURATION",
    "UPDATED",
];

fn get_table(targets: &[WatchEntry], results: &[FetchResult], now: SystemTime) -> String {
    let labels: HashMap<&str, &Option<String>> =
        targets.iter().map(|t| (t.id.as_str(), &t.label)).collect();
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|(id, result)| {
            let label = labels.get(id.as_str()).and_then(|l| l.as_deref());
            match result {
                Ok(ticket) => ticket_row(ticket, label, now),
                Err(e) => {
                    let mut row = vec![sanitize(id).into_owned(), "ERROR".into()];
                    row.push(sanitize(&e.to_string()).into_owned());
                    row
                }
            }
        })
        .collect();
    align_columns(&TABLE_HEADER, &rows)
}

/// Left-aligned columns two spaces apart, measured in terminal columns so CJK names
/// line up. The last cell of a row is not padded; in a short row (an error) it runs on
/// over the remaining columns without widening them.
fn align_columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        let sized = if row.len() < widths.len() {
            row.len().saturating_sub(1)
        } else {
            row.len()
        };
        for (max, cell) in widths.iter_mut().zip(&row[..sized]) {
            *max = (*max).max(cell.width());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths.get(i).map_or(0, |w| w.saturating_sub(cell.width())) + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

fn age(ms: Option<i64>, now: SystemTime) -> String {
    ms.map_or_else(|| "-".into(), |ms| format::age_of_millis(now, ms))
}

fn ticket_row(ticket: &Ticket, label: Option<&str>, now: SystemTime) -> Vec<String> {
    let name = label.or(ticket.document_name.as_deref()).unwrap_or("-");
    let text = |s: Option<&str>| sanitize(s.unwrap_or("-")).into_owned();
    vec![
        sanitize(&ticket.execution_id).into_owned(),
        text(ticket.status.as_ref().map(Status::as_str)),
        text(ticket.execution_type.as_ref().map(|t| t.as_str())),
        sanitize(name).into_owned(),
        text(ticket.creator.as_deref()),
        age(ticket.start_time, now),
        format::run_time(ticket.start_time, ticket.end_time, now).unwrap_or_else(|| "-".into()),
        age(ticket.update_time, now),
    ]
}

// ---------------------------------------------------------------------------------------
// wait

pub fn wait(globals: &Globals<'_>, args: &WaitArgs) -> Exit {
    let (prepared, rt) = match prepare_with_runtime(globals, &args.ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let mut client_config = prepared.client_config;
    // The engine schedules retries itself, within the rate limit.
    client_config.retry = RetryPolicy::none();
    let poll = EngineConfig {
        interval: args.interval.unwrap_or(prepared.config.poll.interval),
        ..prepared.config.poll.clone()
    };
    rt.block_on(async {
        let client = match Client::new(client_config) {
            Ok(c) => c,
            Err(e) => return usage_error(&e.to_string()),
        };
        let mut waiter = Waiter::new(&prepared.targets, args.json);
        let ids = prepared.targets.iter().map(|t| t.id.clone()).collect();
        let mut engine = watch::spawn(Arc::new(client), poll, ids);
        // A deadline past the clock's range is no deadline at all.
        let deadline = args
            .timeout
            .and_then(|t| tokio::time::Instant::now().checked_add(t));
        let exit = loop {
            let update = tokio::select! {
                update = engine.updates.recv() => update,
                _ = sleep_until(deadline) => break Exit::TimedOut,
            };
            let Some(update) = update else {
                break Exit::Fetch;
            };
            if let Some(exit) = waiter.apply(update) {
                break exit;
            }
        };
        let _ = engine.commands.send(Command::Shutdown);
        if exit == Exit::TimedOut {
            waiter.report_unfinished();
        }
        exit
    })
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Follows the engine's updates for `wait`: prints every status change and decides
/// when the wait is over and with which exit code.
struct Waiter {
    json: bool,
    names: HashMap<String, String>,
    status: HashMap<String, Option<Status>>,
    /// Tickets whose transient errors were already reported, to say it once.
    warned: std::collections::HashSet<String>,
}

impl Waiter {
    fn new(targets: &[WatchEntry], json: bool) -> Waiter {
        Waiter {
            json,
            names: targets
                .iter()
                .filter_map(|t| Some((t.id.clone(), t.label.clone()?)))
                .collect(),
            status: targets.iter().map(|t| (t.id.clone(), None)).collect(),
            warned: Default::default(),
        }
    }

    fn apply(&mut self, update: Update) -> Option<Exit> {
        match update {
            Update::Snapshot {
                execution_id,
                ticket,
                ..
            } => {
                if let Some(job) = &ticket.document_name {
                    self.names
                        .entry(execution_id)
                        .or_insert_with(|| job.clone());
                }
                None
            }
            // Every change, the first sight included, comes as a transition right after
            // its snapshot: the verdict waits for it so the last change is printed.
            Update::Transition {
                execution_id,
                from,
                to,
                at,
            } => {
                self.print_transition(&execution_id, from.as_ref(), &to, at);
                self.status.insert(execution_id, Some(to));
                self.verdict()
            }
            Update::Error {
                execution_id,
                error,
                last_good,
                ..
            } => self.on_error(&execution_id, &error, last_good.is_some()),
            Update::AuthFailed { error, .. } => {
                report(&format!("authentication failed: {error}"));
                Some(Exit::Auth)
            }
            Update::Throttled { until, .. } => {
                let wait = until.duration_since(SystemTime::now()).unwrap_or_default();
                report(&format!(
                    "throttled by the endpoint, pausing for {}",
                    coc::error::humanize(wait.max(Duration::from_millis(1)))
                ));
                None
            }
            Update::Steps { .. } => None,
        }
    }

    /// A ticket that cannot be fetched at all ends the wait; a transient error on a
    /// ticket seen before only draws a warning while the engine backs off.
    fn on_error(&mut self, id: &str, error: &ApiError, seen_before: bool) -> Option<Exit> {
        let permanent = matches!(
            error.kind(),
            ErrorKind::NotFound | ErrorKind::BadResponse | ErrorKind::Local
        );
        if permanent && !seen_before {
            report(&format!("{id}: {error}"));
            return Some(Exit::Fetch);
        }
        if self.warned.insert(id.to_string()) {
            report(&format!("{id}: {error} (retrying)"));
        }
        None
    }

    fn verdict(&self) -> Option<Exit> {
        let mut any_unsuccessful = false;
        for status in self.status.values() {
            match status {
                Some(s) if s.is_terminal() => any_unsuccessful |= s.is_unsuccessful(),
                _ => return None,
            }
        }
        Some(if any_unsuccessful {
            Exit::Unsuccessful
        } else {
            Exit::Success
        })
    }

    fn print_transition(&self, id: &str, from: Option<&Status>, to: &Status, at: SystemTime) {
        let name = self.names.get(id).map(String::as_str).unwrap_or("");
        let line = if self.json {
            json!({
                "time": chrono::DateTime::<chrono::Local>::from(at).to_rfc3339(),
                "execution_id": id,
                "name": name,
                "from": from.map(Status::as_str),
                "to": to.as_str(),
            })
            .to_string()
        } else {
            let from = from.map(Status::as_str).unwrap_or("-");
            format!(
                "{}  {}  {}  {} -> {}",
                format::clock_time(at, format::Zone::Local),
                sanitize(id),
                sanitize(if name.is_empty() { "-" } else { name }),
                sanitize(from),
                sanitize(to.as_str()),
            )
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn report_unfinished(&self) {
        let mut unfinished: Vec<&str> = self
            .status
            .iter()
            .filter(|(_, s)| !s.as_ref().is_some_and(Status::is_terminal))
            .map(|(id, _)| id.as_str())
            .collect();
        unfinished.sort_unstable();
        report(&format!(
            "timed out; still unfinished: {}",
            unfinished.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_row_wider_than_the_header_does_not_underflow_the_padding() {
        let rows = vec![
            vec!["a".to_string(), "bb".to_string()],
            vec!["ccc".to_string(), "d".to_string(), "extra".to_string()],
        ];
        let table = align_columns(&["X", "Y"], &rows);
        assert_eq!(table, "X    Y\na    bb\nccc  d   extra\n");
    }
}
