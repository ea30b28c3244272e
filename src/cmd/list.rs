//! `coctop list`: tickets from the list API, newest first, printed as `get` prints them,
//! page by page as they arrive.

use std::time::SystemTime;

use super::output::{OutputFormat, TicketPrinter};
use super::{Globals, command_runtime, connect, report, usage_error};
use crate::coc::{ApiError, Client, Ticket};
use crate::exit::Exit;
use crate::query::{DEFAULT_LIMIT, TicketQuery};
use crate::watch::{End, Limits, Pacer, Pager};

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
    let mut printer: Option<TicketPrinter> = None;
    let mut printed: Result<(), Exit> = Ok(());
    let found = rt.block_on(find(
        &client,
        query,
        limit,
        &pacer,
        SystemTime::now(),
        |tickets| {
            printed = match &mut printer {
                Some(printer) => printer.listed(tickets),
                None => TicketPrinter::for_listed(output, &tickets)
                    .and_then(|started| printer.insert(started).listed(tickets)),
            };
            printed.is_ok()
        },
    ));
    if let Err(exit) = printed {
        return exit;
    }
    let finished = match printer {
        Some(printer) => printer.finish(),
        None => TicketPrinter::for_listed(output, &[]).and_then(TicketPrinter::finish),
    };
    let exit = match finished {
        Ok(exit) => exit,
        Err(exit) => return exit,
    };
    if let Some(why) = found.end.and_then(|end| end.reason(Limits::TICKETS)) {
        report(&format!("listing tickets: {why}: the list may hold more"));
    }
    match found.error {
        Some(error) => {
            report(&format!("listing tickets: {error}"));
            Exit::from(&error)
        }
        None => exit,
    }
}

/// How a listing ended: the error that cut it short, if one did, and why the pager
/// stopped.
#[derive(Debug)]
pub struct Found {
    pub error: Option<ApiError>,
    pub end: Option<End>,
}

/// Tickets matching `query` at `now`, newest first, handed to `take` a page at a time:
/// pages of up to 100 through the one bounded pager, each after the pacer's turn, until
/// `limit` tickets passed the status filter, the list ends, a page brings no new ticket,
/// or the pager's caps (`Limits::TICKETS`) are reached. `take` returns false to stop.
pub async fn find(
    client: &Client,
    query: &TicketQuery,
    limit: usize,
    pacer: &Pacer,
    now: SystemTime,
    mut take: impl FnMut(Vec<Ticket>) -> bool,
) -> Found {
    let base = query.list_query(now);
    let mut pager = Pager::offsets(Limits::TICKETS);
    let mut kept = 0;
    while kept < limit {
        let Some(mut page) = pager.next_page() else {
            break;
        };
        // Without a status filter every ticket counts: ask for no more than needed.
        if query.status.is_empty() {
            page.limit = page
                .limit
                .min(u32::try_from(limit - kept).unwrap_or(u32::MAX));
        }
        let list = crate::coc::ListQuery {
            limit: Some(page.limit),
            offset: Some(page.offset()),
            ..base.clone()
        };
        pacer.turn().await;
        let listed = match client.list_executions(&list).await {
            Ok(listed) => listed,
            Err(error) => {
                return Found {
                    error: Some(error),
                    end: pager.end(),
                };
            }
        };
        let fresh = pager.take(&page, listed.data, listed.total, None, |t| {
            Some(t.execution_id.as_str())
        });
        let wanted: Vec<Ticket> = fresh
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
        error: None,
        end: pager.end().filter(|_| kept < limit),
    }
}
