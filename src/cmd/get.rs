//! `coctop get`: print tickets once, as a table or JSON; with `--steps` their steps,
//! with `--instances` the per-host results of every step.
//!
//! Requests go through the engine's pacer (`poll.max_rps`) with at most
//! `poll.concurrency` in flight, and an ID given twice is asked once. Tickets are
//! printed in the order asked as soon as each is known, so memory stays flat however
//! many IDs are given; steps and hosts are printed once all are in (their tables align
//! on every row).

use std::future::Future;
use std::time::SystemTime;

use futures::StreamExt;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::{Globals, Prepared, output, prepare_with_runtime, report, signals, usage_error};
use crate::coc::{ApiError, Client, Instance, Status, Step, Ticket};
use crate::config::WatchEntry;
use crate::exit::Exit;
use crate::format;
use crate::hosts;
use crate::text::{cell, sanitize};
use crate::watch::Pacer;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
}

/// What `get` prints for each ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    #[default]
    Ticket,
    /// `--steps`
    Steps,
    /// `--instances`
    Instances,
}

pub fn run(globals: &Globals, ids: &[String], output: OutputFormat, detail: Detail) -> Exit {
    let (prepared, rt) = match prepare_with_runtime(globals, ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let done = async {
        match detail {
            Detail::Ticket => fetch_and_print(prepared, output).await,
            Detail::Steps => {
                print_all(prepared, all_steps, |results| match output {
                    OutputFormat::Json => nested_json(results, "steps"),
                    OutputFormat::Table => steps_table(results, SystemTime::now()),
                })
                .await
            }
            Detail::Instances => {
                print_all(prepared, every_host, |results| match output {
                    OutputFormat::Json => nested_json(&instances_only(results), "instances"),
                    OutputFormat::Table => hosts_table(results, SystemTime::now()),
                })
                .await
            }
        }
    };
    rt.block_on(async {
        tokio::select! {
            exit = done => exit.unwrap_or_else(|stopped| stopped),
            exit = signals::ending_signal() => exit,
        }
    })
}

async fn all_steps(client: Client, id: String) -> Result<Vec<Step>, ApiError> {
    client.all_steps(&id).await
}

/// Every host of every step, each with the step it belongs to, failed first per step.
async fn every_host(client: Client, id: String) -> Result<Vec<(Step, Instance)>, ApiError> {
    let mut rows = Vec::new();
    for step in client.all_steps(&id).await? {
        let Some(step_id) = step.execution_step_id.clone() else {
            continue;
        };
        let mut instances = client.all_instances(&step_id).await?;
        hosts::failed_first(&mut instances);
        rows.extend(instances.into_iter().map(|i| (step.clone(), i)));
    }
    Ok(rows)
}

type FetchResult<T> = (String, Result<T, ApiError>);

/// Fetches with `fetch` for every target (paced, `poll.concurrency` at once), then
/// prints what `render` makes of all of it. The first fetch goes alone: if it fails
/// authentication, nothing more is sent.
async fn print_all<T, F, Fut>(
    prepared: Prepared,
    fetch: F,
    render: impl FnOnce(&[FetchResult<T>]) -> String,
) -> Result<Exit, Exit>
where
    F: Fn(Client, String) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let client = Client::new(prepared.client_config).map_err(|e| usage_error(&e.to_string()))?;
    let targets = prepared.targets;
    let pacer = Pacer::new(prepared.config.poll.max_rps);
    let (first, rest) = targets
        .split_first()
        .expect("prepare refuses an empty list");
    pacer.turn().await;
    let first_result = fetch(client.clone(), first.id.clone()).await;
    let auth_failure = first_result.as_ref().err().filter(|e| e.is_auth()).cloned();
    let mut results = vec![(first.id.clone(), first_result)];
    if let Some(error) = auth_failure {
        results.extend(rest.iter().map(|t| (t.id.clone(), Err(error.clone()))));
    } else {
        let mut unanswered = Unanswered::default();
        unanswered.observe(&results[0].1);
        let mut fetched = futures::stream::iter(rest)
            .map(|t| {
                let (client, pacer, fetch) = (client.clone(), &pacer, &fetch);
                async move {
                    pacer.turn().await;
                    (t.id.clone(), fetch(client, t.id.clone()).await)
                }
            })
            .buffered(prepared.config.poll.concurrency.max(1));
        while !unanswered.gave_up() {
            let Some(result) = fetched.next().await else {
                break;
            };
            unanswered.observe(&result.1);
            results.push(result);
        }
        drop(fetched);
        let not_asked = &targets[results.len()..];
        results.extend(
            not_asked
                .iter()
                .map(|t| (t.id.clone(), Err(Unanswered::error()))),
        );
        unanswered.report(not_asked.len());
    }
    let text = render(&results);
    output::print(&if text.ends_with('\n') {
        text
    } else {
        format!("{text}\n")
    })?;
    for (id, result) in &results {
        match result {
            Err(e) if *e == Unanswered::error() => {}
            Err(e) => report(&format!("{id}: {e}")),
            Ok(_) => {}
        }
    }
    Ok(Exit::of_errors(
        results.iter().filter_map(|(_, r)| r.as_ref().err()),
    ))
}

/// Fetches every ticket and prints each as soon as it and those before it are known.
/// The first request goes alone: if it fails authentication, nothing more is sent
/// (the gateway locks an AK after 5 failures).
async fn fetch_and_print(prepared: Prepared, output: OutputFormat) -> Result<Exit, Exit> {
    let client = Client::new(prepared.client_config).map_err(|e| usage_error(&e.to_string()))?;
    let targets = prepared.targets;
    let pacer = Pacer::new(prepared.config.poll.max_rps);
    let concurrency = prepared.config.poll.concurrency.max(1);
    let mut printer = Printer::start(output, &targets)?;

    let (first, rest) = targets
        .split_first()
        .expect("prepare refuses an empty list");
    pacer.turn().await;
    let first_result = client.get_execution(&first.id).await;
    let auth_failure = first_result.as_ref().err().filter(|e| e.is_auth()).cloned();
    let mut unanswered = Unanswered::default();
    unanswered.observe(&first_result);
    printer.row((first.clone(), first_result))?;
    if let Some(error) = auth_failure {
        for target in rest {
            printer.row((target.clone(), Err(error.clone())))?;
        }
        return printer.finish();
    }
    let mut fetched = futures::stream::iter(rest)
        .map(|target| {
            let (client, pacer) = (&client, &pacer);
            async move {
                pacer.turn().await;
                (target.clone(), client.get_execution(&target.id).await)
            }
        })
        .buffered(concurrency);
    let mut printed = 0;
    while !unanswered.gave_up() {
        let Some(result) = fetched.next().await else {
            break;
        };
        unanswered.observe(&result.1);
        printer.row(result)?;
        printed += 1;
    }
    // Requests in flight are dropped with the stream; the rest are never sent.
    drop(fetched);
    let not_asked = &rest[printed..];
    for target in not_asked {
        printer.unasked(target)?;
    }
    unanswered.report(not_asked.len());
    printer.finish()
}

/// How many tickets in a row found the server silent until their deadline: `get`
/// stops asking after `GIVE_UP_AFTER` (a hung server would otherwise cost every
/// remaining ID its own deadline: hours for 10,000 IDs).
#[derive(Debug, Default)]
struct Unanswered {
    in_a_row: usize,
}

/// Tickets in a row without an answer after which `get` sends nothing more.
pub const GIVE_UP_AFTER: usize = 3;

impl Unanswered {
    fn observe<T>(&mut self, result: &Result<T, ApiError>) {
        let silent = matches!(
            result,
            Err(ApiError::DeadlinePassed { .. } | ApiError::Timeout { .. })
        );
        self.in_a_row = if silent { self.in_a_row + 1 } else { 0 };
    }

    fn gave_up(&self) -> bool {
        self.in_a_row >= GIVE_UP_AFTER
    }

    /// What a ticket that was never asked for shows.
    fn error() -> ApiError {
        ApiError::Network {
            detail: format!(
                "not asked: the server left {GIVE_UP_AFTER} tickets in a row without an \
                 answer"
            ),
        }
    }

    /// One line for all the tickets not asked for (not one per ticket).
    fn report(&self, not_asked: usize) {
        if not_asked > 0 {
            report(&format!(
                "gave up: the server left {GIVE_UP_AFTER} tickets in a row without an answer \
                 within the deadline (api.deadline); {not_asked} more not asked"
            ));
        }
    }
}

/// Tickets already fetched (by `coctop list`), printed as `get` prints them.
pub(super) fn print_tickets(tickets: Vec<Ticket>, output: OutputFormat) -> Result<Exit, Exit> {
    let listed: Vec<WatchEntry> = tickets
        .iter()
        .map(|t| WatchEntry::unlabelled(t.execution_id.clone()))
        .collect();
    let mut printer = Printer::start(output, &listed)?;
    for (target, ticket) in listed.into_iter().zip(tickets) {
        printer.row((target, Ok(ticket)))?;
    }
    printer.finish()
}

/// Prints rows as they come and remembers only what decides the exit code.
struct Printer {
    format: OutputFormat,
    id_width: usize,
    rows: usize,
    failed: bool,
    auth_failed: bool,
}

impl Printer {
    fn start(format: OutputFormat, targets: &[WatchEntry]) -> Result<Printer, Exit> {
        let id_width = targets
            .iter()
            .map(|t| sanitize(&t.id).width())
            .chain([TABLE_HEADER[0].width()])
            .max()
            .unwrap_or_default();
        let printer = Printer {
            format,
            id_width,
            rows: 0,
            failed: false,
            auth_failed: false,
        };
        match format {
            OutputFormat::Table => {
                output::print(&printer.table_line(&TABLE_HEADER.map(String::from)))?
            }
            OutputFormat::Json => output::print("[")?,
        }
        Ok(printer)
    }

    fn row(
        &mut self,
        (target, result): (WatchEntry, Result<Ticket, ApiError>),
    ) -> Result<(), Exit> {
        self.print(&target, &result)?;
        if let Err(error) = &result {
            self.auth_failed |= error.is_auth();
            report(&format!("{}: {error}", target.id));
        }
        Ok(())
    }

    /// A row for a ticket never asked for; its reason is reported once, not per row.
    fn unasked(&mut self, target: &WatchEntry) -> Result<(), Exit> {
        self.print(target, &Err(Unanswered::error()))
    }

    fn print(
        &mut self,
        target: &WatchEntry,
        result: &Result<Ticket, ApiError>,
    ) -> Result<(), Exit> {
        let text = match self.format {
            OutputFormat::Table => self.table_line(&table_row(target, result, SystemTime::now())),
            OutputFormat::Json => {
                let separator = if self.rows == 0 { "\n" } else { ",\n" };
                format!("{separator}{}", indented(&json_row(target, result)))
            }
        };
        output::print(&text)?;
        self.rows += 1;
        self.failed |= result.is_err();
        Ok(())
    }

    fn finish(self) -> Result<Exit, Exit> {
        if self.format == OutputFormat::Json {
            output::print(if self.rows == 0 { "]\n" } else { "\n]\n" })?;
        }
        Ok(match (self.auth_failed, self.failed) {
            (true, _) => Exit::Auth,
            (false, true) => Exit::Fetch,
            (false, false) => Exit::Success,
        })
    }

    /// Left-aligned columns two spaces apart, measured in terminal columns so CJK names
    /// line up. Widths are fixed before the first row (rows stream): each cell is cut
    /// to its column; the last cell of a row is not padded, and in a short row (an
    /// error) it runs on over the remaining columns.
    fn table_line(&self, cells: &[String]) -> String {
        let mut line = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, text) in cells.iter().enumerate() {
            let width = if i == 0 {
                self.id_width
            } else {
                COLUMN_WIDTHS[i]
            };
            if i == last {
                line.push_str(&cell(text, LAST_CELL_WIDTH));
                break;
            }
            let text = cell(text, width);
            line.push_str(&text);
            let pad = width.saturating_sub(text.width()) + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
        line.push('\n');
        line
    }
}

/// A JSON value pretty-printed as an element of a pretty-printed array.
fn indented(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
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

fn json_row(target: &WatchEntry, result: &Result<Ticket, ApiError>) -> serde_json::Value {
    match result {
        Ok(ticket) => serde_json::to_value(ticket).unwrap_or_else(
            |e| json!({"execution_id": target.id, "error": {"message": e.to_string()}}),
        ),
        Err(e) => json!({"execution_id": target.id, "error": error_json(e)}),
    }
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

/// Terminal columns of each column but the first (as wide as the longest ID asked for)
/// and the last (up to `LAST_CELL_WIDTH`): a status, a type, a name, a creator, ages.
const COLUMN_WIDTHS: [usize; 8] = [0, 9, 12, 40, 16, 9, 8, 9];
/// The last cell of a row, an error message included, is cut here.
const LAST_CELL_WIDTH: usize = 300;

fn table_row(
    target: &WatchEntry,
    result: &Result<Ticket, ApiError>,
    now: SystemTime,
) -> Vec<String> {
    let ticket = match result {
        Ok(ticket) => ticket,
        Err(e) => return vec![target.id.clone(), "ERROR".into(), e.to_string()],
    };
    let age = |ms| age(ms, now);
    let name = target
        .label
        .as_deref()
        .or(ticket.document_name.as_deref())
        .unwrap_or("-");
    vec![
        ticket.execution_id.clone(),
        status_text(ticket.status.as_ref()),
        ticket
            .execution_type
            .as_ref()
            .map_or("-", |t| t.as_str())
            .to_string(),
        name.to_string(),
        ticket.creator.clone().unwrap_or_else(|| "-".into()),
        age(ticket.start_time),
        format::run_time(ticket.start_time, ticket.end_time, now).unwrap_or_else(|| "-".into()),
        age(ticket.update_time),
    ]
}

/// One object per requested ID: `{"execution_id", KEY: [...]}`, or the error as `get`
/// shows it.
fn nested_json<T: serde::Serialize>(results: &[FetchResult<Vec<T>>], key: &str) -> String {
    let items: Vec<serde_json::Value> = results
        .iter()
        .map(|(id, result)| match result {
            Ok(items) => json!({"execution_id": id, key: items}),
            Err(e) => json!({"execution_id": id, "error": error_json(e)}),
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
}

/// The instances as the API sends them (each names its `execution_step_id`).
fn instances_only(
    results: &[FetchResult<Vec<(Step, Instance)>>],
) -> Vec<FetchResult<Vec<&Instance>>> {
    results
        .iter()
        .map(|(id, result)| {
            let instances = result.as_ref().map_err(Clone::clone);
            (
                id.clone(),
                instances.map(|rows| rows.iter().map(|(_, i)| i).collect()),
            )
        })
        .collect()
}

/// Flattens results into table rows: `row` for each item, an error row for a failure.
fn rows_of<T>(
    results: &[FetchResult<Vec<T>>],
    row: impl Fn(&str, &T) -> Vec<String>,
) -> Vec<Vec<String>> {
    results
        .iter()
        .flat_map(|(id, result)| match result {
            Ok(items) => items.iter().map(|item| row(id, item)).collect(),
            Err(e) => vec![error_row(id, e)],
        })
        .collect()
}

fn error_row(id: &str, error: &ApiError) -> Vec<String> {
    let mut row = vec![sanitize(id).into_owned(), "ERROR".into()];
    row.push(sanitize(&error.to_string()).into_owned());
    row
}

fn age(ms: Option<i64>, now: SystemTime) -> String {
    ms.map_or_else(|| "-".into(), |ms| format::age_of_millis(now, ms))
}

/// A status as shown: never an unknown one passing for a known one.
fn status_text(status: Option<&Status>) -> String {
    status.map_or_else(|| "-".into(), |s| s.label().into_owned())
}

fn text(s: Option<&str>) -> String {
    sanitize(s.unwrap_or("-")).into_owned()
}

fn took(start: Option<i64>, end: Option<i64>, now: SystemTime) -> String {
    format::run_time(start, end, now).unwrap_or_else(|| "-".into())
}

const STEPS_HEADER: [&str; 8] = [
    "EXECUTION ID",
    "STEP ID",
    "STATUS",
    "NAME",
    "ACTION",
    "STARTED",
    "DURATION",
    "MESSAGE",
];

fn steps_table(results: &[FetchResult<Vec<Step>>], now: SystemTime) -> String {
    let rows = rows_of(results, |id, step| {
        vec![
            sanitize(id).into_owned(),
            text(step.execution_step_id.as_deref()),
            status_text(step.status.as_ref()),
            text(step.name.as_deref()),
            text(step.action.as_deref()),
            age(step.start_time, now),
            took(step.start_time, step.end_time, now),
            text(step.message.as_deref().filter(|m| !m.is_empty())),
        ]
    });
    align_columns(&STEPS_HEADER, &rows)
}

const HOSTS_HEADER: [&str; 9] = [
    "EXECUTION ID",
    "STEP",
    "BATCH",
    "HOST",
    "IP",
    "STATUS",
    "STARTED",
    "DURATION",
    "MESSAGE",
];

fn hosts_table(results: &[FetchResult<Vec<(Step, Instance)>>], now: SystemTime) -> String {
    let rows = rows_of(results, |id, (step, host)| {
        vec![
            sanitize(id).into_owned(),
            text(step.name.as_deref().or(step.execution_step_id.as_deref())),
            hosts::batch(host).map_or_else(|| "-".into(), |b| b.to_string()),
            sanitize(&hosts::host(host)).into_owned(),
            text(hosts::ip(host)),
            status_text(host.status.as_ref()),
            age(host.start_time, now),
            took(host.start_time, host.end_time, now),
            text(host.message.as_deref().filter(|m| !m.is_empty())),
        ]
    });
    align_columns(&HOSTS_HEADER, &rows)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> WatchEntry {
        WatchEntry::unlabelled(id)
    }

    #[test]
    fn rows_line_up_under_a_header_fixed_before_them_and_long_text_is_cut() {
        let printer = Printer {
            format: OutputFormat::Table,
            id_width: 12,
            rows: 0,
            failed: false,
            auth_failed: false,
        };
        let header = printer.table_line(&TABLE_HEADER.map(String::from));
        let mut ticket = Ticket::empty("EX1");
        ticket.document_name = Some("数据库".repeat(100));
        let row = printer.table_line(&table_row(&entry("EX1"), &Ok(ticket), SystemTime::now()));
        let column = |line: &str, n: usize| {
            let mut at = 0;
            for _ in 0..n {
                at = line[at..].find("  ").map(|i| at + i).unwrap();
                at += line[at..].find(|c: char| c != ' ').unwrap();
            }
            line[..at].width()
        };
        for n in 1..8 {
            assert_eq!(
                column(&header, n),
                column(&row, n),
                "column {n}\n{header}{row}"
            );
        }
        let error = ApiError::Network {
            detail: "x".repeat(5000),
        };
        let error_row =
            printer.table_line(&table_row(&entry("EX1"), &Err(error), SystemTime::now()));
        assert!(error_row.width() < 400, "{}", error_row.width());
    }
}
