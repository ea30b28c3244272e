//! Reading a whole ticket for `logs` and `diff`: the ticket, then each step with every
//! host that ran it (executions), or each batch with its hosts (script tickets). Every
//! list goes through the one bounded pager, every request through the pacer, and each
//! host is handed on as its page arrives, so output streams and memory stays flat.
//!
//! A page too large to send (hosts print up to megabytes each) is asked for again in
//! halves; a single host that never fits is said to be unread and passed over where the
//! paging allows it. Hosts that cannot be read end the reading of their step or batch,
//! not of the ticket: the others are still read.

use crate::coc::script::MAX_SCRIPT_HOST_LIMIT;
use std::borrow::Cow;

use crate::coc::pager::{Cursor, Limits, Pager, marker_after};
use crate::coc::{ApiError, Client, ScriptHost, ScriptHostQuery, Step, TicketKind, TicketRef};
use crate::hosts;
use crate::runs::diff::RunFacts;
use crate::runs::{HostRun, Place, PlaceFacts, TicketFacts, step_place};
use crate::watch::pager::no_marker;
use crate::watch::{Pacer, read_all};

/// What the reading found, in order: the ticket first, each step (or batch) before its
/// hosts.
#[derive(Debug, Clone)]
pub enum Walked {
    Ticket(TicketFacts),
    Place(PlaceFacts),
    Host(HostRun),
    /// Some or all hosts of `place` could not be read: `error` when a request failed,
    /// else a cap or a server that repeats itself stopped the reading.
    Unread {
        place: Place,
        why: String,
        error: Option<ApiError>,
    },
}

/// Why the reading stopped before the end.
#[derive(Debug)]
pub enum WalkError<E> {
    /// The ticket, its steps or its batches could not be read (or authentication
    /// failed: nothing more is sent).
    Fetch(ApiError),
    /// Whoever took what was found said stop (its output is gone).
    Stopped(E),
}

/// The hosts of one batch of a script ticket at most: 400 pages of 50.
const BATCH_HOSTS: Limits = Limits {
    page_size: MAX_SCRIPT_HOST_LIMIT,
    max_pages: 400,
    max_items: 20_000,
};
/// Batches of a script ticket taken at most (the service numbers them 1 to 20).
const MAX_BATCHES: usize = 100;

/// Reads `reference` and hands each thing found to `take`; the hosts of a step or
/// batch only when `wants` it (the others cost no request).
pub async fn walk<E>(
    client: &Client,
    pacer: &Pacer,
    reference: &TicketRef,
    wants: impl Fn(&Place) -> bool,
    mut take: impl FnMut(Walked) -> Result<(), E>,
) -> Result<(), WalkError<E>> {
    let mut take = |found| take(found).map_err(WalkError::Stopped);
    let id = reference.id();
    pacer.turn().await;
    match reference.kind() {
        TicketKind::Execution => {
            let ticket = client.get_execution(id).await.map_err(WalkError::Fetch)?;
            take(Walked::Ticket(TicketFacts::of_execution(
                reference.clone(),
                &ticket,
            )))?;
            let steps = read_all(
                pacer,
                Pager::offsets(Limits::STEPS),
                step_key,
                no_marker,
                |page| client.list_steps(id, page.limit, page.offset()),
            )
            .await
            .map_err(WalkError::Fetch)?;
            for (i, step) in steps.iter().enumerate() {
                take(Walked::Place(PlaceFacts::of_step(i + 1, step)))?;
                let place = step_place(i + 1, step);
                if wants(&place) {
                    step_hosts(client, pacer, &place, step, &mut take).await?;
                }
            }
        }
        TicketKind::Script => {
            let ticket = client
                .get_script_ticket(id)
                .await
                .map_err(WalkError::Fetch)?;
            take(Walked::Ticket(TicketFacts::of_script(
                reference.clone(),
                &ticket,
            )))?;
            pacer.turn().await;
            let batches = client
                .list_script_batches(id)
                .await
                .map_err(WalkError::Fetch)?;
            for batch in batches.iter().take(MAX_BATCHES) {
                let Some(index) = batch.batch_index else {
                    continue;
                };
                take(Walked::Place(PlaceFacts::of_batch(batch)))?;
                let place = Place::Batch(index);
                if wants(&place) {
                    batch_hosts(client, pacer, id, &place, &mut take).await?;
                }
            }
        }
    }
    Ok(())
}

fn step_key(step: &Step) -> Option<Cow<'_, str>> {
    step.execution_step_id.as_deref().map(Into::into)
}

/// A failed request: authentication ends everything (the gateway locks an AK after a
/// few failures), anything else only the hosts of this place.
fn unread<E>(place: &Place, error: ApiError) -> Result<Walked, WalkError<E>> {
    if error.is_auth() {
        return Err(WalkError::Fetch(error));
    }
    Ok(Walked::Unread {
        place: place.clone(),
        why: error.to_string(),
        error: Some(error),
    })
}

/// Why a pager stopped short, as an `Unread`, when it did.
fn cut_short(place: &Place, pager: &Pager) -> Option<Walked> {
    let why = pager
        .end()
        .filter(|end| end.left_more())?
        .reason(pager.limits())?;
    Some(Walked::Unread {
        place: place.clone(),
        why: format!("the hosts were not all read: {why}"),
        error: None,
    })
}

/// Every host of one step, page by page; a step that ran on no host is one run itself.
async fn step_hosts<E>(
    client: &Client,
    pacer: &Pacer,
    place: &Place,
    step: &Step,
    take: &mut impl FnMut(Walked) -> Result<(), WalkError<E>>,
) -> Result<(), WalkError<E>> {
    let Some(step_id) = step.execution_step_id.as_deref() else {
        return take(Walked::Host(HostRun::of_step(place, step)));
    };
    let mut pager = Pager::offsets(Limits::INSTANCES);
    let mut hosts_seen = false;
    while let Some(page) = pager.next_page() {
        pacer.turn().await;
        match client
            .list_instances(step_id, page.limit, page.offset())
            .await
        {
            Ok(listed) => {
                let fresh = pager.take(&page, listed.data, listed.total, None, |i| {
                    hosts::key(i).map(Into::into)
                });
                for instance in fresh {
                    hosts_seen = true;
                    take(Walked::Host(HostRun::of_instance(place, &instance)))?;
                }
            }
            Err(error) => {
                let too_large = matches!(error, ApiError::BodyTooLarge { .. });
                if too_large && page.limit > 1 && pager.too_large(page.clone()) {
                    continue;
                }
                // One host that never fits is passed over; any other failure ends the
                // step's hosts.
                if !(too_large && pager.skip(&page)) {
                    pager.fail();
                }
                hosts_seen = true;
                let mut found = unread(place, error)?;
                if let (true, Walked::Unread { why, .. }) = (too_large, &mut found) {
                    *why = format!("the host at offset {}: {why}", page.offset());
                }
                take(found)?;
            }
        }
    }
    if let Some(found) = cut_short(place, &pager) {
        take(found)?;
    }
    if !hosts_seen {
        take(Walked::Host(HostRun::of_step(place, step)))?;
    }
    Ok(())
}

/// Every host of one batch, page after page by marker (the `id` of the last host).
async fn batch_hosts<E>(
    client: &Client,
    pacer: &Pacer,
    execute_uuid: &str,
    place: &Place,
    take: &mut impl FnMut(Walked) -> Result<(), WalkError<E>>,
) -> Result<(), WalkError<E>> {
    let Place::Batch(index) = *place else {
        return Ok(());
    };
    let mut pager = Pager::markers(BATCH_HOSTS);
    while let Some(page) = pager.next_page() {
        let query = ScriptHostQuery {
            status: None,
            limit: page.limit,
            marker: match &page.cursor {
                Cursor::Marker(Some(marker)) => marker.parse().ok(),
                _ => None,
            },
        };
        pacer.turn().await;
        match client.list_script_hosts(execute_uuid, index, &query).await {
            Ok(listed) => {
                let next = marker_after(&page, &listed.data, ScriptHost::marker);
                for host in pager.take(&page, listed.data, listed.total, next, ScriptHost::key) {
                    take(Walked::Host(HostRun::of_script_host(index, &host)))?;
                }
            }
            Err(error) => {
                if matches!(error, ApiError::BodyTooLarge { .. }) && pager.too_large(page.clone()) {
                    continue;
                }
                pager.fail();
                take(unread(place, error)?)?;
            }
        }
    }
    if let Some(found) = cut_short(place, &pager) {
        take(found)?;
    }
    Ok(())
}

/// A whole run for `diff`: the ticket, its steps or batches, its failed hosts; and what
/// could not be read (the comparison leaves it out).
pub async fn run_facts(
    client: &Client,
    pacer: &Pacer,
    reference: &TicketRef,
) -> Result<(RunFacts, Vec<Walked>), ApiError> {
    let mut facts: Option<RunFacts> = None;
    let mut unread = Vec::new();
    let walked = walk(
        client,
        pacer,
        reference,
        |_| true,
        |found| {
            match (&mut facts, found) {
                (_, Walked::Ticket(ticket)) => facts = Some(RunFacts::new(ticket)),
                (Some(run), Walked::Place(place)) => run.add_place(place),
                (Some(run), Walked::Host(host)) => run.add_host(&host),
                (_, found @ Walked::Unread { .. }) => unread.push(found),
                (None, _) => {}
            }
            Ok::<(), std::convert::Infallible>(())
        },
    )
    .await;
    match walked {
        Ok(()) => {}
        Err(WalkError::Fetch(error)) => return Err(error),
        Err(WalkError::Stopped(never)) => match never {},
    }
    let facts = facts.expect("a walk that ends well has read its ticket first");
    Ok((facts, unread))
}
