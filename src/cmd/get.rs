//! `coctop get`: print tickets once, as a table or JSON; with `--steps` their steps,
//! with `--instances` the per-host results of every step.
//!
//! Requests go through the engine's pacer (`poll.max_rps`) with at most
//! `poll.concurrency` in flight, and an ID given twice is asked once. Tickets are
//! printed in the order asked as soon as each is known, so memory stays flat however
//! many IDs are given; steps and hosts are printed once all are in (their tables align
//! on every row).

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use futures::StreamExt;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::output::{self, OutputFormat, TicketPrinter, age, error_json, status_text, took};
use super::{Globals, Prepared, prepare_with_runtime, report, signals, usage_error};
use crate::coc::{ApiError, Client, Instance, Step, TicketRef};
use crate::config::WatchEntry;
use crate::exit::Exit;
use crate::hosts;
use crate::text::sanitize;
use crate::watch::{Limits, Pacer, Pager, no_marker, read_all};

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

/// Every step of an execution (a script ticket has none: an error says so).
async fn all_steps(
    client: Client,
    pacer: Arc<Pacer>,
    id: TicketRef,
) -> Result<Vec<Step>, ApiError> {
    if id.is_script() {
        return Err(ApiError::InvalidId {
            id: id.to_string(),
            reason: "a script ticket has no steps (the dashboard shows its batches and hosts)",
        });
    }
    read_all(
        &pacer,
        Pager::offsets(Limits::STEPS),
        step_key,
        no_marker,
        |page| client.list_steps(id.id(), page.limit, page.offset()),
    )
    .await
}

fn step_key(step: &Step) -> Option<Cow<'_, str>> {
    step.execution_step_id.as_deref().map(Into::into)
}

/// Every host of every step, each with the step it belongs to, failed first per step.
async fn every_host(
    client: Client,
    pacer: Arc<Pacer>,
    id: TicketRef,
) -> Result<Vec<(Step, Instance)>, ApiError> {
    let mut rows = Vec::new();
    for step in all_steps(client.clone(), pacer.clone(), id).await? {
        let Some(step_id) = step.execution_step_id.clone() else {
            continue;
        };
        let mut instances = read_all(
            &pacer,
            Pager::offsets(Limits::INSTANCES),
            |i| hosts::key(i).map(Into::into),
            no_marker,
            |page| client.list_instances(&step_id, page.limit, page.offset()),
        )
        .await?;
        hosts::failed_first(&mut instances);
        rows.extend(instances.into_iter().map(|i| (step.clone(), i)));
    }
    Ok(rows)
}

type FetchResult<T> = (TicketRef, Result<T, ApiError>);

/// Fetches with `fetch` for every target, then prints what `render` makes of all of it
/// (steps and hosts: their tables align on every row).
async fn print_all<T, F, Fut>(
    prepared: Prepared,
    fetch: F,
    render: impl FnOnce(&[FetchResult<T>]) -> String,
) -> Result<Exit, Exit>
where
    F: Fn(Client, Arc<Pacer>, TicketRef) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let targets = &prepared.targets;
    let mut results = Vec::new();
    let not_asked = fetch_each(&prepared, targets, fetch, |target, result| {
        results.push((target.id, result));
        Ok(())
    })
    .await?;
    results.extend(
        not_asked
            .iter()
            .map(|t| (t.id.clone(), Err(Unanswered::error()))),
    );
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
async fn fetch_and_print(prepared: Prepared, format: OutputFormat) -> Result<Exit, Exit> {
    let targets = &prepared.targets;
    let mut printer = TicketPrinter::start(format, targets)?;
    let get = |client: Client, pacer: Arc<Pacer>, id: TicketRef| async move {
        pacer.turn().await;
        client.get_job_ticket(&id).await
    };
    let not_asked = fetch_each(&prepared, targets, get, |target, result| {
        printer.row(target, result)
    })
    .await?;
    for target in not_asked {
        printer.unasked(target, Unanswered::error())?;
    }
    printer.finish()
}

/// Fetches with `fetch` for every target and hands each result to `take` in their
/// order. Every request waits for its turn of the pacer (`poll.max_rps`; `fetch` takes
/// the turns, one per page of a list), `poll.concurrency` targets at once. The first
/// request goes alone: if it fails authentication, nothing more is sent (the gateway
/// locks an AK after 5 failures) and every other target gets that error. Once
/// `GIVE_UP_AFTER` tickets in a row found the server silent, nothing more is sent
/// either: the targets never asked for are returned (and said once on stderr).
async fn fetch_each<'t, T, F, Fut>(
    prepared: &Prepared,
    targets: &'t [WatchEntry],
    fetch: F,
    mut take: impl FnMut(WatchEntry, Result<T, ApiError>) -> Result<(), Exit>,
) -> Result<&'t [WatchEntry], Exit>
where
    F: Fn(Client, Arc<Pacer>, TicketRef) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let client =
        Client::new(prepared.client_config.clone()).map_err(|e| usage_error(&e.to_string()))?;
    let pacer = Arc::new(Pacer::new(prepared.config.poll.max_rps));
    let Some((first, rest)) = targets.split_first() else {
        return Ok(&[]);
    };
    let first_result = fetch(client.clone(), pacer.clone(), first.id.clone()).await;
    let auth_failure = first_result.as_ref().err().filter(|e| e.is_auth()).cloned();
    let mut unanswered = Unanswered::default();
    unanswered.observe(&first_result);
    take(first.clone(), first_result)?;
    if let Some(error) = auth_failure {
        for target in rest {
            take(target.clone(), Err(error.clone()))?;
        }
        return Ok(&[]);
    }
    let mut fetched = futures::stream::iter(rest)
        .map(|target| {
            let (client, pacer, fetch) = (client.clone(), pacer.clone(), &fetch);
            async move {
                (
                    target.clone(),
                    fetch(client, pacer, target.id.clone()).await,
                )
            }
        })
        .buffered(prepared.config.poll.concurrency.max(1));
    let mut taken = 0;
    while !unanswered.gave_up() {
        let Some((target, result)) = fetched.next().await else {
            break;
        };
        unanswered.observe(&result);
        take(target, result)?;
        taken += 1;
    }
    // Requests in flight are dropped with the stream; the rest are never sent.
    drop(fetched);
    let not_asked = &rest[taken..];
    unanswered.report(not_asked.len());
    Ok(not_asked)
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

/// One object per requested ID: `{"kind", "execution_id", KEY: [...]}`, or the error
/// as `get` shows it.
fn nested_json<T: serde::Serialize>(results: &[FetchResult<Vec<T>>], key: &str) -> String {
    let items: Vec<serde_json::Value> = results
        .iter()
        .map(|(id, result)| {
            let kind = id.kind().as_str();
            match result {
                Ok(items) => json!({"kind": kind, "execution_id": id.id(), key: items}),
                Err(e) => json!({"kind": kind, "execution_id": id.id(), "error": error_json(e)}),
            }
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
    row: impl Fn(&TicketRef, &T) -> Vec<String>,
) -> Vec<Vec<String>> {
    results
        .iter()
        .flat_map(|(id, result)| match result {
            Ok(items) => items.iter().map(|item| row(id, item)).collect(),
            Err(e) => vec![error_row(id, e)],
        })
        .collect()
}

fn error_row(id: &TicketRef, error: &ApiError) -> Vec<String> {
    let mut row = vec![id.to_string(), "ERROR".into()];
    row.push(sanitize(&error.to_string()).into_owned());
    row
}

fn text(s: Option<&str>) -> String {
    sanitize(s.unwrap_or("-")).into_owned()
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
            id.to_string(),
            text(step.execution_step_id.as_deref()),
            status_text(step.status.clone().map(Into::into).as_ref()),
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
            id.to_string(),
            text(step.name.as_deref().or(step.execution_step_id.as_deref())),
            hosts::batch(host).map_or_else(|| "-".into(), |b| b.to_string()),
            sanitize(&hosts::host(host)).into_owned(),
            text(hosts::ip(host)),
            status_text(host.status.clone().map(Into::into).as_ref()),
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
