//! `coctop list`: tickets from the list API, newest first, printed as `get` prints them.

use std::collections::HashSet;
use std::time::SystemTime;

use super::output::{OutputFormat, print_tickets};
use super::{Globals, command_runtime, connect, report, usage_error};
use crate::coc::{ApiError, Client, MAX_LIST_LIMIT, Ticket};
use crate::exit::Exit;
use crate::query::{DEFAULT_LIMIT, TicketQuery};
use crate::watch::RateLimiter;

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
    let mut limiter = RateLimiter::new(config.poll.max_rps);
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let found = rt.block_on(find(&client, query, limit, &mut limiter, SystemTime::now()));
    if let Err(exit) = print_tickets(found.tickets, output) {
        return exit;
    }
    match found.error {
        Some(error) => {
            report(&format!("listing tickets: {error}"));
            Exit::from(&error)
        }
        None => Exit::Success,
    }
}

/// What a listing found: the tickets, and the error that cut it short, if one did.
#[derive(Debug)]
pub struct Found {
    pub tickets: Vec<Ticket>,
    pub error: Option<ApiError>,
}

/// Tickets matching `query` at `now`, newest first: pages of up to 100, each after the
/// pacer's turn, until `limit` tickets passed the status filter or the list ends. A
/// ticket that a new one pushed onto the next page is kept once.
pub async fn find(
    client: &Client,
    query: &TicketQuery,
    limit: usize,
    limiter: &mut RateLimiter,
    now: SystemTime,
) -> Found {
    let mut list = query.list_query(now);
    let mut seen = HashSet::new();
    let mut tickets = Vec::new();
    let mut offset: u32 = 0;
    while tickets.len() < limit {
        // Without a status filter every ticket counts: ask for no more than needed.
        let wanted = if query.status.is_empty() {
            (limit - tickets.len()).min(MAX_LIST_LIMIT as usize) as u32
        } else {
            MAX_LIST_LIMIT
        };
        list.limit = Some(wanted);
        list.offset = Some(offset);
        limiter.take_turn().await;
        let page = match client.list_executions(&list).await {
            Ok(page) => page,
            Err(error) => {
                return Found {
                    tickets,
                    error: Some(error),
                };
            }
        };
        let received = page.data.len() as u32;
        for ticket in page.data {
            if tickets.len() < limit
                && query.keeps(&ticket)
                && seen.insert(ticket.execution_id.clone())
            {
                tickets.push(ticket);
            }
        }
        offset = offset.saturating_add(received);
        let total = page.total.unwrap_or(0).max(0) as u64;
        if received == 0 || u64::from(offset) >= total {
            break;
        }
    }
    Found {
        tickets,
        error: None,
    }
}
