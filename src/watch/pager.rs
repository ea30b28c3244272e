//! Reading a whole list for a command through the one bounded pager (`coc::pager`),
//! each page after the pacer's turn.

use std::borrow::Cow;
use std::future::Future;

use super::Pacer;
use crate::coc::pager::{Limits, PageAt, Pager, marker_after};
use crate::coc::{ApiError, Page};

/// Reads a whole list, page after page, each after the pacer's turn: offset pages
/// with `Pager::offsets`, marker pages with `Pager::markers` (`marker` names the marker
/// a row stands for; offset lists give `no_marker`). `key` names an item for the pager.
/// A page over the body cap is asked again with half the rows; the first other error
/// stops the read.
pub async fn read_all<T, Fut>(
    pacer: &Pacer,
    mut pager: Pager,
    key: impl Fn(&T) -> Option<Cow<'_, str>>,
    marker: impl Fn(&T) -> Option<String>,
    mut fetch: impl FnMut(PageAt) -> Fut,
) -> Result<Vec<T>, ApiError>
where
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let limits: Limits = pager.limits();
    let mut items = Vec::new();
    while let Some(page) = pager.next_page() {
        pacer.turn().await;
        let listed = match fetch(page.clone()).await {
            Ok(listed) => listed,
            Err(ApiError::BodyTooLarge { .. }) if pager.too_large(page.clone()) => continue,
            Err(error) => return Err(error),
        };
        let next = marker_after(&page, &listed.data, &marker);
        items.extend(pager.take(&page, listed.data, listed.total, next, &key));
    }
    if let Some(why) = pager.end().and_then(|end| end.reason(limits)) {
        tracing::warn!("reading a list: {why}");
    }
    Ok(items)
}

/// The marker of a row of an offset-paged list: none.
pub fn no_marker<T>(_: &T) -> Option<String> {
    None
}
