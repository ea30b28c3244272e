//! The ticket list: which tickets are shown, in what order, and which one is selected.
//!
//! The selection is an execution ID, never a row: rows move as tickets change, the
//! selected ticket stays selected. A selected ticket whose new data no longer passes the
//! filter stays in the list until the user moves away from it, so the pane beside the
//! list never switches to another ticket on its own.

use crate::coc::TicketRef;

use super::filter::Filter;
use super::keys::Intent;
use super::layout;
use super::tickets::TicketEntry;
use super::view::{self, SortKey};

/// What a full rebuild keeps in the list besides what the filter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The selection the user holds.
    Held,
    /// Nothing.
    Matches,
}

#[derive(Debug, Clone)]
pub struct ListState {
    /// Indices into the tickets: the shown ones in display order.
    order: Vec<usize>,
    selected: Option<TicketRef>,
    /// Where `selected` stands in `order`, kept in step with it.
    cursor: usize,
    /// The user picked the selection; until then it stays on the top row while tickets
    /// arrive and sort themselves.
    chosen: bool,
    /// First row shown.
    offset: usize,
    sort: SortKey,
}

impl Default for ListState {
    fn default() -> Self {
        ListState {
            order: Vec::new(),
            selected: None,
            cursor: 0,
            chosen: false,
            offset: 0,
            sort: SortKey::Urgency,
        }
    }
}

/// What a key of the list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// Not a key of the list.
    Ignored,
    /// The selection moved: `true` when to another ticket.
    Moved(bool),
    Sorted,
}

impl ListState {
    /// The list's keys: moving the selection, cycling the sort.
    pub fn on_intent(
        &mut self,
        intent: Intent,
        tickets: &[TicketEntry],
        filter: &Filter,
    ) -> Listed {
        match intent {
            Intent::Move(motion) => {
                let last = self.order.len().saturating_sub(1);
                let to = motion.from(self.cursor).min(last);
                Listed::Moved(self.select(tickets, filter, to))
            }
            Intent::Sort => {
                self.set_sort(self.sort.next(), tickets, filter);
                Listed::Sorted
            }
            _ => Listed::Ignored,
        }
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The ticket index shown at `position`.
    pub fn at(&self, position: usize) -> Option<usize> {
        self.order.get(position).copied()
    }

    /// The selected ticket's ID; `None` when nothing is shown (the ID is remembered for
    /// when the filter lets its ticket back in).
    pub fn selected_id(&self) -> Option<&TicketRef> {
        self.selected.as_ref().filter(|_| !self.order.is_empty())
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn sort(&self) -> SortKey {
        self.sort
    }

    /// The first row shown in a list of `rows` rows, moved just enough to keep the
    /// selection in view.
    pub fn offset(&self, rows: usize) -> usize {
        layout::keep_visible(self.offset, self.cursor, rows, self.order.len())
    }

    /// Remembers the scroll position that `offset` computes for `rows` rows.
    pub fn scroll_to_cursor(&mut self, rows: usize) {
        self.offset = self.offset(rows);
    }

    /// Filters and sorts every ticket again. `Keep::Held` keeps in the selection the user
    /// holds although the filter hides it (the sort changed, a reload); `Keep::Matches`
    /// shows only what the filter matches (the user changed the filter).
    pub fn rebuild(&mut self, tickets: &[TicketEntry], filter: &Filter, keep: Keep) {
        let held = match keep {
            Keep::Held => self.held_index(tickets),
            Keep::Matches => None,
        };
        self.order.clear();
        self.order.extend(
            tickets
                .iter()
                .enumerate()
                .filter(|&(i, t)| filter.matches(t) || held == Some(i))
                .map(|(i, _)| i),
        );
        view::sort_order(tickets, self.sort, &mut self.order);
        self.follow_selection(tickets);
    }

    pub fn set_sort(&mut self, sort: SortKey, tickets: &[TicketEntry], filter: &Filter) {
        self.sort = sort;
        self.rebuild(tickets, filter, Keep::Held);
    }

    /// The user's selection, when it is in the list now.
    fn held_index(&self, tickets: &[TicketEntry]) -> Option<usize> {
        let id = self.selected.as_ref().filter(|_| self.chosen)?;
        // After a removal the old order's indices may point past the end, or elsewhere.
        self.order
            .iter()
            .copied()
            .find(|&i| tickets.get(i).is_some_and(|t| t.id == *id))
    }

    /// Ticket `i` changed, or is new: moves it to its place, or out of the list when
    /// the filter no longer lets it through (unless it is the user's selection).
    pub fn reposition(&mut self, tickets: &[TicketEntry], filter: &Filter, i: usize) {
        let listed = self.order.iter().position(|&j| j == i);
        if let Some(position) = listed {
            self.order.remove(position);
        }
        // Only a selection already in the list is held: one the filter hid stays hidden.
        if filter.matches(&tickets[i]) || (listed.is_some() && self.holds(&tickets[i])) {
            let at = self
                .order
                .partition_point(|&j| view::compare(&tickets[j], &tickets[i], self.sort).is_lt());
            self.order.insert(at, i);
        }
        self.follow_selection(tickets);
    }

    /// The user picks the ticket at `position` (clamped). Says whether the selected
    /// ticket changed.
    fn select(&mut self, tickets: &[TicketEntry], filter: &Filter, position: usize) -> bool {
        self.chosen = true;
        let Some(last) = self.order.len().checked_sub(1) else {
            return false;
        };
        let i = self.order[position.min(last)];
        if self.selected.as_ref() == Some(&tickets[i].id) {
            return false;
        }
        let left = self.selected.replace(tickets[i].id.clone());
        // A selection kept in only because it was selected goes now.
        if let Some(left) = left
            && let Some(p) = self.order.iter().position(|&j| tickets[j].id == left)
            && !filter.matches(&tickets[self.order[p]])
        {
            self.order.remove(p);
        }
        self.follow_selection(tickets);
        true
    }

    /// Makes the selection the user's own (opening a ticket does), so that it is no
    /// longer moved to the top row as tickets arrive.
    pub fn keep_selection(&mut self) {
        self.chosen = true;
    }

    /// A ticket that stays in the list although the filter hides it: the one the user
    /// selected.
    fn holds(&self, entry: &TicketEntry) -> bool {
        self.chosen && self.selected.as_ref() == Some(&entry.id)
    }

    /// After the order changed: the cursor goes to the selected ticket; without one (or
    /// before the user chose), to the row at the same position.
    fn follow_selection(&mut self, tickets: &[TicketEntry]) {
        let found = self
            .selected
            .as_ref()
            .filter(|_| self.chosen)
            .and_then(|id| self.order.iter().position(|&i| tickets[i].id == *id));
        match found {
            Some(position) => self.cursor = position,
            None if self.order.is_empty() => self.cursor = 0,
            None => {
                self.cursor = self.cursor.min(self.order.len() - 1);
                self.selected = Some(tickets[self.order[self.cursor]].id.clone());
            }
        }
    }
}
