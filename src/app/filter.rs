//! The `/` filter: what the user typed, and which tickets it lets through.

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

    /// Enter: keep the filter, give the keys back to the list.
    pub fn finish_editing(&mut self) {
        self.editing = false;
    }

    pub fn push(&mut self, c: char) {
        self.text.push(c);
        self.needle = self.text.to_lowercase();
    }

    pub fn pop(&mut self) {
        self.text.pop();
        self.needle = self.text.to_lowercase();
    }

    /// Esc: no filter, and the keys back to the list.
    pub fn clear(&mut self) {
        self.text.clear();
        self.needle.clear();
        self.editing = false;
    }

    /// Case-insensitive substring of the ticket's ID, label, job, status or creator, as
    /// shown on screen.
    pub fn matches(&self, entry: &TicketEntry) -> bool {
        self.needle.is_empty() || entry.search.contains(&self.needle)
    }
}
