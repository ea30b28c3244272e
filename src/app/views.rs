//! Saved views (`[[view]]`): a name, the list's filter words and a sort. `v` cycles
//! them, `V` saves the filter in force as one.

use crate::config::ViewEntry;

use super::view::SortKey;

#[derive(Debug, Clone, Default)]
pub struct SavedViews {
    views: Vec<ViewEntry>,
    /// The view in force; `None` once the filter is changed by hand.
    active: Option<usize>,
}

impl SavedViews {
    pub fn new(views: Vec<ViewEntry>) -> SavedViews {
        SavedViews {
            views,
            active: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.views.is_empty()
    }

    /// The next view after the one in force, then none (the whole list) after the last.
    pub fn next(&mut self) -> Option<&ViewEntry> {
        let next = self.active.map_or(0, |i| i + 1);
        self.active = (next < self.views.len()).then_some(next);
        self.active.map(|i| &self.views[i])
    }

    /// The name of the view in force.
    pub fn active(&self) -> Option<&str> {
        self.active.map(|i| self.views[i].name.as_str())
    }

    /// The filter changed by hand: no view is in force unless it is one's filter.
    pub fn filter_changed(&mut self, text: &str) {
        if self.active.is_some_and(|i| self.views[i].filter != text) {
            self.active = None;
        }
    }

    /// `V`: the filter and sort in force as a view named by its filter (one of that
    /// name takes them); it is in force from now on.
    pub fn save(&mut self, filter: &str, sort: SortKey) -> ViewEntry {
        let view = ViewEntry {
            name: filter.to_string(),
            filter: filter.to_string(),
            sort: Some(sort.name().to_string()),
        };
        let at = match self.views.iter().position(|v| v.name == view.name) {
            Some(at) => {
                self.views[at] = view.clone();
                at
            }
            None => {
                self.views.push(view.clone());
                self.views.len() - 1
            }
        };
        self.active = Some(at);
        view
    }
}
