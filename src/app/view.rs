//! How the list is ordered and filtered, and the small enums of what is shown.

use std::cmp::{Ordering, Reverse};

use crate::coc::Status;
use crate::i18n::Msg;

use super::tickets::{TicketEntry, urgency};

/// The list's order; `s` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Failing and running first, finished successes last.
    Urgency,
    /// Most recently started first.
    Started,
    Name,
    Status,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Urgency => SortKey::Started,
            SortKey::Started => SortKey::Name,
            SortKey::Name => SortKey::Status,
            SortKey::Status => SortKey::Urgency,
        }
    }

    /// How `[[view]] sort` names it.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Urgency => "urgency",
            SortKey::Started => "started",
            SortKey::Name => "name",
            SortKey::Status => "status",
        }
    }

    pub fn from_name(name: &str) -> Option<SortKey> {
        [
            SortKey::Urgency,
            SortKey::Started,
            SortKey::Name,
            SortKey::Status,
        ]
        .into_iter()
        .find(|sort| sort.name() == name)
    }

    pub fn label(self) -> Msg<'static> {
        match self {
            SortKey::Urgency => Msg::SortUrgency,
            SortKey::Started => Msg::SortStarted,
            SortKey::Name => Msg::SortName,
            SortKey::Status => Msg::SortStatus,
        }
    }
}

/// The tabs of the detail pane, keys `1` to `5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Parameters,
    Tags,
    Targets,
    Steps,
    History,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Parameters,
        Tab::Tags,
        Tab::Targets,
        Tab::Steps,
        Tab::History,
    ];

    pub fn title(self) -> Msg<'static> {
        match self {
            Tab::Parameters => Msg::TabParameters,
            Tab::Tags => Msg::TabTags,
            Tab::Targets => Msg::TabTargets,
            Tab::Steps => Msg::TabSteps,
            Tab::History => Msg::TabHistory,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Tab {
        Tab::ALL[(self.index() + 1) % Tab::ALL.len()]
    }

    pub fn prev(self) -> Tab {
        Tab::ALL[(self.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }
}

/// What fills the body: the list (with a detail pane when there is room), or one
/// ticket zoomed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Ticket,
    /// The account's tickets from the list API (`b`).
    Browse,
}

pub(super) fn sort_order(tickets: &[TicketEntry], key: SortKey, order: &mut [usize]) {
    order.sort_by(|&a, &b| compare(&tickets[a], &tickets[b], key));
}

pub(super) fn compare(a: &TicketEntry, b: &TicketEntry, key: SortKey) -> Ordering {
    let start = |t: &TicketEntry| t.ticket.as_ref().and_then(|t| t.start_time);
    let newest_first = |t: &TicketEntry| Reverse(start(t));
    // Tickets without a start (or a status) go last, whatever the direction.
    let no_start = |t: &TicketEntry| start(t).is_none();
    let loading = |t: &TicketEntry| t.status().is_none();
    let by_key = match key {
        SortKey::Urgency => urgency(a.status())
            .cmp(&urgency(b.status()))
            .then_with(|| newest_first(a).cmp(&newest_first(b))),
        SortKey::Started => no_start(a)
            .cmp(&no_start(b))
            .then_with(|| newest_first(a).cmp(&newest_first(b))),
        SortKey::Name => a.sort_name.cmp(&b.sort_name),
        SortKey::Status => loading(a)
            .cmp(&loading(b))
            .then_with(|| {
                a.status()
                    .map(Status::as_str)
                    .cmp(&b.status().map(Status::as_str))
            })
            .then_with(|| a.sort_name.cmp(&b.sort_name)),
    };
    by_key.then_with(|| a.id.cmp(&b.id))
}
