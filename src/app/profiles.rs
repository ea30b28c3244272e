//! Which profile each ticket belongs to, when the dashboard shows several: for the
//! PROFILE column, the header's counts per profile and the filter's `profile=name`.
//! A watched ticket is its `[[watch]]`'s profile's, a query's ticket its query's, any
//! other (added by hand, browsed) the first profile's: where the engines send them.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{QueryEntry, WatchEntry};
use crate::operate::Destination;

#[derive(Debug, Clone, Default)]
pub struct Profiles {
    /// In the config's order; fewer than two: nothing to tell apart.
    names: Vec<Arc<str>>,
    /// Where each one's operations go, by name.
    destinations: Vec<Destination>,
    of_watch: HashMap<String, usize>,
    of_query: HashMap<String, usize>,
}

impl Profiles {
    /// Every profile in the config's order; entries without `profile` are the first's.
    pub fn new(
        destinations: Vec<Destination>,
        watch: &[WatchEntry],
        queries: &[QueryEntry],
    ) -> Profiles {
        let index = |profile: &Option<String>| {
            profile
                .as_deref()
                .and_then(|p| destinations.iter().position(|d| d.profile == p))
                .unwrap_or(0)
        };
        Profiles {
            names: destinations
                .iter()
                .map(|d| Arc::from(d.profile.as_str()))
                .collect(),
            of_watch: watch
                .iter()
                .map(|w| (w.id.clone(), index(&w.profile)))
                .collect(),
            of_query: queries
                .iter()
                .map(|q| (q.name.clone(), index(&q.profile)))
                .collect(),
            destinations,
        }
    }

    /// Where the operations on the tickets of profile `name` go.
    pub fn destination(&self, name: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.profile == name)
    }

    /// More than one profile: their names are shown.
    pub fn shown(&self) -> bool {
        self.names.len() > 1
    }

    pub fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    /// The profile of a ticket the config watches, or of one found by `query`.
    pub(super) fn of(&self, id: &str, query: Option<&str>) -> Option<Arc<str>> {
        if !self.shown() {
            return None;
        }
        let index = query
            .and_then(|q| self.of_query.get(q))
            .or_else(|| self.of_watch.get(id))
            .copied()
            .unwrap_or(0);
        self.names.get(index).cloned()
    }
}
