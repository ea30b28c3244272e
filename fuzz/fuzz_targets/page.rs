//! Any list page body, with any row limit: the page decoder never panics, never keeps
//! more rows than asked for, and the pager takes what it keeps without panicking or
//! going past its caps.
#![no_main]

use coctop::coc::{Instance, Step, Ticket, decode_page};
use coctop::watch::{Limits, Pager};
use libfuzzer_sys::fuzz_target;

fn read<T: serde::de::DeserializeOwned>(
    body: &[u8],
    limit: u32,
    key: impl Fn(&T) -> Option<&str>,
) {
    let Ok(page) = decode_page::<T>(body, limit as usize) else {
        return;
    };
    assert!(page.data.len() <= limit as usize);
    let limits = Limits {
        page_size: limit.max(1),
        max_pages: 3,
        max_items: 150,
    };
    let mut pager = Pager::offsets(limits);
    while let Some(at) = pager.next_page() {
        // The same page again and again: the pager must end it.
        let rows = decode_page::<T>(body, at.limit as usize).map(|p| p.data).unwrap_or_default();
        pager.take(&at, rows, page.total, None, |row| key(row).map(Into::into));
        assert!(pager.items() <= limits.max_items);
        assert!(pager.pages() <= limits.max_pages);
    }
    assert!(pager.end().is_some());
}

fuzz_target!(|input: &[u8]| {
    let Some((&first, body)) = input.split_first() else {
        return;
    };
    let limit = u32::from(first);
    read::<Ticket>(body, limit, |t| Some(t.execution_id.as_str()));
    read::<Step>(body, limit, |s| s.execution_step_id.as_deref());
    read::<Instance>(body, limit, coctop::hosts::key);
    read::<serde_json::Value>(body, limit, |_| None);
});
