//! `coctop get`: print tickets once, as a table or JSON; with `--steps` their steps,
//! with `--instances` the per-host results of every step.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::time::SystemTime;

use futures::StreamExt;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::{Globals, prepare_with_runtime, report, usage_error};
use crate::coc::{ApiError, Client, ClientConfig, Instance, Status, Step, Ticket};
use crate::config::WatchEntry;
use crate::exit::Exit;
use crate::format;
use crate::hosts;
use crate::text::sanitize;

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

/// Requests in flight at once for `get`.
const GET_CONCURRENCY: usize = 8;

pub fn run(globals: &Globals, ids: &[String], output: OutputFormat, detail: Detail) -> Exit {
    match detail {
        Detail::Ticket => print(globals, ids, get_execution, |targets, results| {
            tickets_text(targets, results, output)
        }),
        Detail::Steps => print(globals, ids, all_steps, |_, results| match output {
            OutputFormat::Json => nested_json(results, "steps"),
            OutputFormat::Table => steps_table(results, SystemTime::now()),
        }),
        Detail::Instances => print(globals, ids, every_host, |_, results| match output {
            OutputFormat::Json => nested_json(&instances_only(results), "instances"),
            OutputFormat::Table => hosts_table(results, SystemTime::now()),
        }),
    }
}

async fn get_execution(client: Client, id: String) -> Result<Ticket, ApiError> {
    client.get_execution(&id).await
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

/// Fetches with `fetch` for every target, then prints what `render` makes of it.
fn print<T, F, Fut>(
    globals: &Globals,
    ids: &[String],
    fetch: F,
    render: impl FnOnce(&[WatchEntry], &[FetchResult<T>]) -> String,
) -> Exit
where
    F: Fn(Client, String) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let (prepared, rt) = match prepare_with_runtime(globals, ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let results = match rt.block_on(fetch_all(prepared.client_config, &prepared.targets, fetch)) {
        Ok(results) => results,
        Err(e) => return usage_error(&e.to_string()),
    };
    if write_out(&render(&prepared.targets, &results)).is_err() {
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

pub(super) type FetchResult<T> = (String, Result<T, ApiError>);

/// Tickets (and the errors of those that could not be fetched) as `get` prints them;
/// `targets` give the labels.
pub(super) fn tickets_text(
    targets: &[WatchEntry],
    results: &[FetchResult<Ticket>],
    output: OutputFormat,
) -> String {
    match output {
        OutputFormat::Json => get_json(results),
        OutputFormat::Table => get_table(targets, results, SystemTime::now()),
    }
}

/// Prints `text` on stdout, ending with one newline; an error when stdout is closed.
pub(super) fn write_out(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if text.ends_with('\n') {
        write!(out, "{text}")
    } else {
        writeln!(out, "{text}")
    }
}

/// Fetches every ticket, in order. The first request goes alone: if it fails
/// authentication, nothing more is sent (the gateway locks an AK after 5 failures).
async fn fetch_all<T, F, Fut>(
    client_config: ClientConfig,
    targets: &[WatchEntry],
    fetch: F,
) -> Result<Vec<FetchResult<T>>, ApiError>
where
    F: Fn(Client, String) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let client = Client::new(client_config)?;
    let mut results = Vec::with_capacity(targets.len());
    let (first, rest) = targets
        .split_first()
        .expect("prepare refuses an empty list");
    let first_result = fetch(client.clone(), first.id.clone()).await;
    let auth_failure = first_result.as_ref().err().filter(|e| e.is_auth()).cloned();
    results.push((first.id.clone(), first_result));
    if let Some(error) = auth_failure {
        results.extend(rest.iter().map(|t| (t.id.clone(), Err(error.clone()))));
        return Ok(results);
    }
    let fetched: Vec<FetchResult<T>> = futures::stream::iter(rest)
        .map(|t| {
            let call = fetch(client.clone(), t.id.clone());
            async move { (t.id.clone(), call.await) }
        })
        .buffered(GET_CONCURRENCY)
        .collect()
        .await;
    results.extend(fetched);
    Ok(results)
}

fn get_exit<T>(results: &[FetchResult<T>]) -> Exit {
    Exit::of_errors(results.iter().filter_map(|(_, r)| r.as_ref().err()))
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

fn get_json(results: &[FetchResult<Ticket>]) -> String {
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

fn get_table(targets: &[WatchEntry], results: &[FetchResult<Ticket>], now: SystemTime) -> String {
    let labels: HashMap<&str, &Option<String>> =
        targets.iter().map(|t| (t.id.as_str(), &t.label)).collect();
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|(id, result)| {
            let label = labels.get(id.as_str()).and_then(|l| l.as_deref());
            match result {
                Ok(ticket) => ticket_row(ticket, label, now),
                Err(e) => error_row(id, e),
            }
        })
        .collect();
    align_columns(&TABLE_HEADER, &rows)
}

fn error_row(id: &str, error: &ApiError) -> Vec<String> {
    let mut row = vec![sanitize(id).into_owned(), "ERROR".into()];
    row.push(sanitize(&error.to_string()).into_owned());
    row
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
            text(step.status.as_ref().map(Status::as_str)),
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
            text(host.status.as_ref().map(Status::as_str)),
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

fn age(ms: Option<i64>, now: SystemTime) -> String {
    ms.map_or_else(|| "-".into(), |ms| format::age_of_millis(now, ms))
}

fn ticket_row(ticket: &Ticket, label: Option<&str>, now: SystemTime) -> Vec<String> {
    let name = label.or(ticket.document_name.as_deref()).unwrap_or("-");
    vec![
        sanitize(&ticket.execution_id).into_owned(),
        text(ticket.status.as_ref().map(Status::as_str)),
        text(ticket.execution_type.as_ref().map(|t| t.as_str())),
        sanitize(name).into_owned(),
        text(ticket.creator.as_deref()),
        age(ticket.start_time, now),
        took(ticket.start_time, ticket.end_time, now),
        age(ticket.update_time, now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
