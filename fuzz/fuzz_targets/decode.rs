//! Any response body: decoding a ticket, a page of tickets, steps or instances, or any
//! script-ticket answer never panics, and a decoded status is shown without control
//! characters.
#![no_main]

use coctop::coc::model::Envelope;
use coctop::coc::{
    Instance, Page, ScriptBatchHosts, ScriptOrder, ScriptStatistics, ScriptStatus, ScriptTicket,
    Status, Step, Ticket,
};
use libfuzzer_sys::fuzz_target;

fn shown_cleanly(status: &Option<Status>) {
    if let Some(status) = status {
        let label = status.label();
        assert!(!label.chars().any(char::is_control), "{label:?}");
    }
}

fuzz_target!(|body: &[u8]| {
    if let Ok(envelope) = serde_json::from_slice::<Envelope<Ticket>>(body) {
        if let Some(ticket) = envelope.data {
            shown_cleanly(&ticket.status);
            let _ = serde_json::to_string(&ticket);
        }
    }
    if let Ok(page) = serde_json::from_slice::<Page<Ticket>>(body) {
        page.data.iter().for_each(|t| shown_cleanly(&t.status));
    }
    if let Ok(page) = serde_json::from_slice::<Page<Step>>(body) {
        page.data.iter().for_each(|s| shown_cleanly(&s.status));
    }
    let _ = serde_json::from_slice::<Page<Instance>>(body);
    let script_status_shown_cleanly = |status: &Option<ScriptStatus>| {
        if let Some(status) = status {
            let label = status.label();
            assert!(!label.chars().any(char::is_control), "{label:?}");
        }
    };
    if let Ok(Envelope {
        data: Some(page), ..
    }) = serde_json::from_slice::<Envelope<Page<ScriptOrder>>>(body)
    {
        page.data
            .iter()
            .for_each(|o| script_status_shown_cleanly(&o.status));
    }
    if let Ok(Envelope {
        data: Some(ticket), ..
    }) = serde_json::from_slice::<Envelope<ScriptTicket>>(body)
    {
        script_status_shown_cleanly(&ticket.status);
    }
    if let Ok(Envelope {
        data: Some(batch), ..
    }) = serde_json::from_slice::<Envelope<ScriptBatchHosts>>(body)
    {
        batch
            .execute_instances
            .iter()
            .for_each(|h| script_status_shown_cleanly(&h.status));
    }
    let _ = serde_json::from_slice::<Envelope<ScriptStatistics>>(body);
});
