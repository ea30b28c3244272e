//! The `/` filter: what the user typed, and which tickets it lets through.

use super::keys::Intent;
use super::tickets::TicketEntry;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    text: String,
    /// `text` lowercased once, for matching.
    needle: String,
    /// The filter line has the keyboard.
    editing: bool,
}

impl Filter {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn editing(&self) -> bool {
        self.editing
    }

    pub fn start_editing(&mut self) {
        self.editing = true;
    }

    /// A key on the filter line (`typed`: the character of `Intent::Type`): Enter
    /// keeps the filter and gives the keys back, Esc clears it. `Some(true)`: the text
    /// changed, the list must follow; `None`: not a key of the line.
    pub fn on_intent(&mut self, intent: Intent, typed: Option<char>) -> Option<bool> {
        match (intent, typed) {
            (Intent::Type, Some(c)) => self.text.push(c),
            (Intent::Erase, _) => {
                self.text.pop();
            }
            (Intent::Accept, _) => {
                self.editing = false;
                return Some(false);
            }
            (Intent::Close, _) => self.clear(),
            _ => return None,
        }
        self.needle = self.text.to_lowercase();
        Some(true)
    }

    /// Esc: no filter, and the keys back to the list.
    pub fn clear(&mut self) {
        self.text.clear();
        self.needle.clear();
        self.editing = false;
    }

    /// Case-insensitive substring of the ticket's ID, label, job, status or creator, as
    /// shown on screen; never a ticket that is not listed (one opened from the browse
    /// view).
    pub fn matches(&self, entry: &TicketEntry) -> bool {
        entry.is_listed() && (self.needle.is_empty() || entry.search.contains(&self.needle))
    }
}
