//! `coctop list`: tickets from the list APIs (`--kind execution|script|all`), newest
//! first, printed as `get` prints them; one kind page by page as they arrive, both
//! kinds merged newest first once both are read.

use std::cmp::Reverse;
use std::time::SystemTime;

use super::output::{OutputFormat, TicketPrinter};
use super::{Globals, command_runtime, connect, report, usage_error};
use crate::coc::{ApiError, Client, JobTicket, TicketKind};
use crate::exit::Exit;
use crate::query::{DEFAULT_LIMIT, TicketQuery};
use crate::watch::{End, Limits, ListOf, Pacer, Pager, list_page};

pub fn run(globals: &Globals, query: &TicketQuery, output: OutputFormat) -> Exit {
    let (config, client_config) = match connect(globals) {
        Ok(ready) => ready,
        Err(e) => return usage_error(&e),
    };
    let rt = match command_runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let client = match Client::new(client_config) {
        Ok(client) => client,
        Err(e) => return usage_error(&e.to_string()),
    };
    let pacer = Pacer::new(config.poll.max_rps);
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let kinds = query.kind.kinds();
    let mut printer: Option<TicketPrinter> = None;
    let mut printed: Result<(), Exit> = Ok(());
    let mut print = |tickets: Vec<JobTicket>| {
        printed = match &mut printer {
            Some(printer) => printer.listed(tickets),
            None => TicketPrinter::for_listed(output, kinds, &tickets)
                .and_then(|started| printer.insert(started).listed(tickets)),
        };
        printed.is_ok()
    };
    let now = SystemTime::now();
    let mut founds = Vec::new();
    if let [kind] = kinds {
        founds.push(rt.block_on(find(&client, query, *kind, limit, &pacer, now, &mut print)));
    } else {
        // Both kinds: each read whole (up to the limit), then merged newest first.
        let mut all = Vec::new();
        for &kind in kinds {
            let keep = |tickets: Vec<JobTicket>| {
                all.extend(tickets);
                true
            };
            founds.push(rt.block_on(find(&client, query, kind, limit, &pacer, now, keep)));
        }
        all.sort_by_key(|t| Reverse(t.start_time()));
        all.truncate(limit);
        print(all);
    }
    if let Err(exit) = printed {
        return exit;
    }
    let finished = match printer {
        Some(printer) => printer.finish(),
        None => TicketPrinter::for_listed(output, kinds, &[]).and_then(TicketPrinter::finish),
    };
    let mut exit = match finished {
        Ok(exit) => exit,
        Err(exit) => return exit,
    };
    for found in founds {
        let what = match found.kind {
            TicketKind::Execution => "listing tickets",
            TicketKind::Script => "listing script tickets",
        };
        if let Some(why) = found.end.and_then(|end| end.reason(Limits::TICKETS)) {
            report(&format!("{what}: {why}: the list may hold more"));
        }
        if let Some(error) = found.error {
            report(&format!("{what}: {error}"));
            exit = Exit::from(&error);
        }
    }
    exit
}

/// How a listing of one kind ended: the error that cut it short, if one did, and why
/// the pager stopped.
#[derive(Debug)]
pub struct Found {
    pub kind: TicketKind,
    pub error: Option<ApiError>,
    pub end: Option<End>,
}

/// Tickets of `kind` matching `query` at `now`, newest first, handed to `take` a page at
/// a time: pages of up to 100 through the one bounded pager (executions by offset,
/// script tickets by marker), each after the pacer's turn, until `limit` tickets passed
/// the filters applied here, the list ends, a page brings no new ticket, or the pager's
/// caps (`Limits::TICKETS`) are reached. A page over the body cap is asked again with
/// half the rows. `take` returns false to stop.
pub async fn find(
    client: &Client,
    query: &TicketQuery,
    kind: TicketKind,
    limit: usize,
    pacer: &Pacer,
    now: SystemTime,
    mut take: impl FnMut(Vec<JobTicket>) -> bool,
) -> Found {
    let mut pager = match kind {
        TicketKind::Execution => Pager::offsets(Limits::TICKETS),
        TicketKind::Script => Pager::markers(Limits::TICKETS),
    };
    let every_row_counts = query.status.is_empty() && kind == TicketKind::Execution;
    let mut kept = 0;
    while kept < limit {
        let Some(mut page) = pager.next_page() else {
            break;
        };
        // When every ticket counts, ask for no more than needed.
        if every_row_counts {
            page.limit = page
                .limit
                .min(u32::try_from(limit - kept).unwrap_or(u32::MAX));
        }
        pacer.turn().await;
        let listed = match list_page(client, ListOf::of(query, kind, now), &page).await {
            Ok(listed) => listed,
            Err(ApiError::BodyTooLarge { .. }) if pager.too_large(page.clone()) => continue,
            Err(error) => {
                return Found {
                    kind,
                    error: Some(error),
                    end: pager.end(),
                };
            }
        };
        let fresh = pager.take(&page, listed.rows, listed.total, listed.next_marker, |t| {
            Some(t.id().into())
        });
        let wanted: Vec<JobTicket> = fresh
            .into_iter()
            .filter(|t| query.keeps(t))
            .take(limit - kept)
            .collect();
        kept += wanted.len();
        if !wanted.is_empty() && !take(wanted) {
            break;
        }
    }
    Found {
        kind,
        error: None,
        end: pager.end().filter(|_| kept < limit),
    }
}
