//! `coctop get`: print tickets once, as a table or JSON.
//!
//! Requests go through the engine's pacer (`poll.max_rps`) with at most
//! `poll.concurrency` in flight; rows are printed in the order asked as soon as each is
//! known, so memory stays flat however many IDs are given; a repeated ID is fetched
//! and printed once.

use std::collections::HashSet;
use std::time::SystemTime;

use futures::StreamExt;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::{Globals, Prepared, output, prepare_with_runtime, report, signals, usage_error};
use crate::coc::{ApiError, Client, Ticket};
use crate::config::WatchEntry;
use crate::exit::Exit;
use crate::format;
use crate::text::{cell, sanitize};
use crate::watch::Pacer;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
}

pub fn run(globals: &Globals, ids: &[String], output: OutputFormat) -> Exit {
    let (prepared, rt) = match prepare_with_runtime(globals, ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    rt.block_on(async {
        tokio::select! {
            exit = fetch_and_print(prepared, output) => exit.unwrap_or_else(|stopped| stopped),
            exit = signals::ending_signal() => exit,
        }
    })
}

type FetchResult = (WatchEntry, Result<Ticket, ApiError>);

/// Fetches every ticket and prints each as soon as it and those before it are known.
/// The first request goes alone: if it fails authentication, nothing more is sent
/// (the gateway locks an AK after 5 failures).
async fn fetch_and_print(prepared: Prepared, output: OutputFormat) -> Result<Exit, Exit> {
    let client = Client::new(prepared.client_config).map_err(|e| usage_error(&e.to_string()))?;
    let targets = unique(prepared.targets);
    let pacer = Pacer::new(prepared.config.poll.max_rps);
    let concurrency = prepared.config.poll.concurrency.max(1);
    let mut printer = Printer::start(output, &targets)?;

    let (first, rest) = targets
        .split_first()
        .expect("prepare refuses an empty list");
    pacer.turn().await;
    let first_result = client.get_execution(&first.id).await;
    let auth_failure = first_result.as_ref().err().filter(|e| e.is_auth()).cloned();
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
    while let Some(result) = fetched.next().await {
        printer.row(result)?;
    }
    printer.finish()
}

/// The targets in their first order, each ID once.
fn unique(targets: Vec<WatchEntry>) -> Vec<WatchEntry> {
    let mut seen = HashSet::new();
    targets
        .into_iter()
        .filter(|t| seen.insert(t.id.clone()))
        .collect()
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

    fn row(&mut self, (target, result): FetchResult) -> Result<(), Exit> {
        let text = match self.format {
            OutputFormat::Table => self.table_line(&table_row(&target, &result, SystemTime::now())),
            OutputFormat::Json => {
                let separator = if self.rows == 0 { "\n" } else { ",\n" };
                format!("{separator}{}", indented(&json_row(&target, &result)))
            }
        };
        output::print(&text)?;
        self.rows += 1;
        if let Err(error) = &result {
            self.failed = true;
            self.auth_failed |= error.is_auth();
            report(&format!("{}: {error}", target.id));
        }
        Ok(())
    }

    fn finish(self) -> Result<Exit, Exit> {
        if self.format == OutputFormat::Json {
            output::print("\n]\n")?;
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
    let age = |ms: Option<i64>| ms.map_or_else(|| "-".into(), |ms| format::age_of_millis(now, ms));
    let name = target
        .label
        .as_deref()
        .or(ticket.document_name.as_deref())
        .unwrap_or("-");
    vec![
        ticket.execution_id.clone(),
        ticket
            .status
            .as_ref()
            .map_or_else(|| "-".into(), |s| s.label().into_owned()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> WatchEntry {
        WatchEntry {
            id: id.into(),
            label: None,
        }
    }

    #[test]
    fn a_repeated_id_is_kept_once_in_its_first_place() {
        let ids: Vec<String> = unique(vec![entry("B"), entry("A"), entry("B"), entry("C")])
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, ["B", "A", "C"]);
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
