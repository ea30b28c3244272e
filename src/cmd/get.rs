//! `coctop get`: print tickets once, as a table or JSON.

use std::collections::HashMap;
use std::io::Write;
use std::time::SystemTime;

use futures::StreamExt;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::{Globals, prepare_with_runtime, report, usage_error};
use crate::coc::{ApiError, Client, ClientConfig, Status, Ticket};
use crate::config::WatchEntry;
use crate::exit::Exit;
use crate::format;
use crate::text::sanitize;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
}

/// Requests in flight at once for `get`.
const GET_CONCURRENCY: usize = 8;

pub fn run(globals: &Globals, ids: &[String], output: OutputFormat) -> Exit {
    let (prepared, rt) = match prepare_with_runtime(globals, ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let results = match rt.block_on(fetch_all(prepared.client_config, &prepared.targets)) {
        Ok(results) => results,
        Err(e) => return usage_error(&e.to_string()),
    };
    if print(&results, &prepared.targets, output).is_err() {
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

pub(super) type FetchResult = (String, Result<Ticket, ApiError>);

/// Prints tickets (and the errors of those that could not be fetched) as `get` does;
/// `targets` give the labels. An error when stdout is closed.
pub(super) fn print(
    results: &[FetchResult],
    targets: &[WatchEntry],
    output: OutputFormat,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match output {
        OutputFormat::Json => writeln!(out, "{}", get_json(results)),
        OutputFormat::Table => write!(out, "{}", get_table(targets, results, SystemTime::now())),
    }
}

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
