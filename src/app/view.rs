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
    // Each ticket's place is worked out once, not at every comparison.
    order.sort_by_cached_key(|&i| Place::of(&tickets[i], key));
}

pub(super) fn compare(a: &TicketEntry, b: &TicketEntry, key: SortKey) -> Ordering {
    Place::of(a, key).cmp(&Place::of(b, key))
}

/// Where a ticket goes in the list under a sort key, compared field by field; the
/// fields a key does not use are equal for every ticket.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Place<'a> {
    rank: u8,
    status: Option<&'a str>,
    newest_first: Reverse<Option<i64>>,
    name: &'a str,
    id: &'a str,
}

impl<'a> Place<'a> {
    fn of(t: &'a TicketEntry, key: SortKey) -> Place<'a> {
        let start = t.ticket.as_ref().and_then(|t| t.start_time);
        let unused = Place {
            rank: 0,
            status: None,
            newest_first: Reverse(None),
            name: "",
            id: &t.id,
        };
        // Tickets without a start (or a status) go last, whatever the direction.
        match key {
            SortKey::Urgency => Place {
                rank: urgency(t.status()),
                newest_first: Reverse(start),
                ..unused
            },
            SortKey::Started => Place {
                rank: u8::from(start.is_none()),
                newest_first: Reverse(start),
                ..unused
            },
            SortKey::Name => Place {
                name: &t.sort_name,
                ..unused
            },
            SortKey::Status => Place {
                rank: u8::from(t.status().is_none()),
                status: t.status().map(Status::as_str),
                name: &t.sort_name,
                ..unused
            },
        }
    }
}
