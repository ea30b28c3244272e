//! How the list is ordered and filtered, and the small enums of what is shown.

use std::cmp::{Ordering, Reverse};

use crate::coc::{TicketKind, TicketRef};
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

/// The tabs of the detail pane. An execution has Parameters, Tags, Targets, Steps and
/// History; a script ticket Parameters, Batches and History. Keys `1` to `5` choose by
/// position among the shown ticket's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Parameters,
    Tags,
    Targets,
    Steps,
    Batches,
    History,
}

impl Tab {
    pub const EXECUTION: [Tab; 5] = [
        Tab::Parameters,
        Tab::Tags,
        Tab::Targets,
        Tab::Steps,
        Tab::History,
    ];
    pub const SCRIPT: [Tab; 3] = [Tab::Parameters, Tab::Batches, Tab::History];

    /// The tabs of a ticket of `kind`, in order.
    pub fn of(kind: TicketKind) -> &'static [Tab] {
        match kind {
            TicketKind::Execution => &Tab::EXECUTION,
            TicketKind::Script => &Tab::SCRIPT,
        }
    }

    pub fn title(self) -> Msg<'static> {
        match self {
            Tab::Parameters => Msg::TabParameters,
            Tab::Tags => Msg::TabTags,
            Tab::Targets => Msg::TabTargets,
            Tab::Steps => Msg::TabSteps,
            Tab::Batches => Msg::TabBatches,
            Tab::History => Msg::TabHistory,
        }
    }

    /// This tab as a ticket of `kind` has it: a script ticket's Batches stand for an
    /// execution's Steps (and back); Tags and Targets, which a script ticket lacks, for
    /// its Parameters.
    pub fn for_kind(self, kind: TicketKind) -> Tab {
        match (kind, self) {
            (TicketKind::Script, Tab::Steps) => Tab::Batches,
            (TicketKind::Script, Tab::Tags | Tab::Targets) => Tab::Parameters,
            (TicketKind::Execution, Tab::Batches) => Tab::Steps,
            (_, tab) => tab,
        }
    }

    /// Its position among the tabs of `kind` (from 0).
    pub fn index_in(self, kind: TicketKind) -> usize {
        let tabs = Tab::of(kind);
        let tab = self.for_kind(kind);
        tabs.iter().position(|&t| t == tab).unwrap_or(0)
    }

    /// The `n`-th tab (from 0) of `kind`, the last when there are fewer.
    pub fn nth(kind: TicketKind, n: usize) -> Tab {
        let tabs = Tab::of(kind);
        tabs[n.min(tabs.len() - 1)]
    }

    pub fn next_in(self, kind: TicketKind) -> Tab {
        let tabs = Tab::of(kind);
        tabs[(self.index_in(kind) + 1) % tabs.len()]
    }

    pub fn prev_in(self, kind: TicketKind) -> Tab {
        let tabs = Tab::of(kind);
        tabs[(self.index_in(kind) + tabs.len() - 1) % tabs.len()]
    }

    /// The tab of details fetched on demand: an execution's steps, a script ticket's
    /// batches.
    pub fn is_details(self) -> bool {
        matches!(self, Tab::Steps | Tab::Batches)
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
    status: Option<String>,
    newest_first: Reverse<Option<i64>>,
    name: &'a str,
    id: &'a TicketRef,
}

impl<'a> Place<'a> {
    fn of(t: &'a TicketEntry, key: SortKey) -> Place<'a> {
        let start = t.ticket.as_ref().and_then(|t| t.start_time());
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
                rank: urgency(t.status().as_ref()),
                newest_first: Reverse(start),
                ..unused
            },
            SortKey::Started => Place {
                rank: u8::from(start.is_none()),
                newest_first: Reverse(start),
                ..unused
            },
            SortKey::Name => Place {
                name: t.sort_name(),
                ..unused
            },
            SortKey::Status => Place {
                rank: u8::from(t.status().is_none()),
                status: t.status().map(|s| s.as_str().to_string()),
                name: t.sort_name(),
                ..unused
            },
        }
    }
}
