//! Which profile each ticket belongs to, when the dashboard shows several: for the
//! PROFILE column, the header's counts per profile and the filter's `profile=name`.
//! A watched ticket is its `[[watch]]`'s profile's (also one added with `a` or by a
//! reload of the config), a query's ticket its query's, a ticket started again its
//! original's, any other (browsed) the first profile's: where the engines send them.
//! Each profile's tickets are remembered in its own cache.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::style::Color;

use crate::coc::TicketRef;
use crate::config::{QueryEntry, WatchEntry};
use crate::operate::Destination;

/// What the dashboard draws and fills in from a profile's config besides its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileLook {
    /// `[[profile]] accent`: the palette's accent while one of its tickets is shown.
    pub accent: Option<Color>,
    /// Its region, for a custom command's `{region}`.
    pub region: Option<String>,
    /// Why its operations are off (`read_only = true` on it, or for all), if they are.
    pub read_only: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Profiles {
    /// In the config's order; fewer than two: nothing to tell apart.
    names: Vec<Arc<str>>,
    /// Where each one's operations go, by name.
    destinations: Vec<Destination>,
    /// In the same order.
    looks: Vec<ProfileLook>,
    of_watch: HashMap<TicketRef, usize>,
    of_query: HashMap<String, usize>,
    /// The config file's first profile, whose `[[watch]]` entries name none; `None`:
    /// the first shown.
    first_in_config: Option<Arc<str>>,
    /// The config names its profiles (`[[profile]]`): log lines name them too.
    logged: bool,
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
            // With one profile every ticket is its own: no map of 10,000 tickets to it.
            of_watch: match destinations.len() {
                0 | 1 => HashMap::new(),
                _ => watch
                    .iter()
                    .map(|w| (w.id.clone(), index(&w.profile)))
                    .collect(),
            },
            of_query: queries
                .iter()
                .map(|q| (q.name.clone(), index(&q.profile)))
                .collect(),
            looks: vec![ProfileLook::default(); destinations.len()],
            destinations,
            first_in_config: None,
            logged: true,
        }
    }

    /// The dashboard shows one profile of a config file whose first profile is
    /// `name` (`--profile NAME`).
    pub fn with_first_in_config(mut self, name: &str) -> Profiles {
        self.first_in_config = Some(Arc::from(name));
        self
    }

    /// Whether the log lines name the profile: not for the one implicit profile of a
    /// config without `[[profile]]`, as the operation commands' lines do not.
    pub fn named_in_log(mut self, logged: bool) -> Profiles {
        self.logged = logged;
        self
    }

    /// Each profile's accent and region, in the config's order.
    pub fn with_looks(mut self, looks: Vec<ProfileLook>) -> Profiles {
        self.looks = looks;
        self
    }

    /// The accent and region of profile `name`.
    pub fn look(&self, name: &str) -> Option<&ProfileLook> {
        let index = self.names.iter().position(|n| &**n == name)?;
        self.looks.get(index)
    }

    /// Where the operations on the tickets of profile `name` go.
    pub fn destination(&self, name: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.profile == name)
    }

    /// Where operations on profile `name`'s tickets go, for the menu and the
    /// confirmation: named when there are several profiles to tell apart.
    pub fn shown_destination(&self, name: Option<&str>) -> Option<&Destination> {
        name.filter(|_| self.shown())
            .and_then(|name| self.destination(name))
    }

    /// Where operations on profile `name`'s tickets go, for the log line: named
    /// whenever the config names profiles, as the operation commands' lines are.
    pub fn logged_destination(&self, name: Option<&str>) -> Option<&Destination> {
        name.filter(|_| self.logged)
            .and_then(|name| self.destination(name))
    }

    /// Why operations on profile `name`'s tickets are off, when they are.
    pub fn read_only(&self, name: &str) -> Option<&str> {
        self.look(name)?.read_only.as_deref()
    }

    /// Whether profile `name` has an engine in this dashboard (any does before the
    /// dashboard names its profiles).
    pub fn runs(&self, name: &str) -> bool {
        self.names.is_empty() || self.names.iter().any(|n| &**n == name)
    }

    /// More than one profile: their names are shown.
    pub fn shown(&self) -> bool {
        self.names.len() > 1
    }

    pub fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    /// The profile called `name`, else (no name, an unknown one) the first.
    pub fn named(&self, name: Option<&str>) -> Option<Arc<str>> {
        name.and_then(|name| self.names.iter().find(|n| &***n == name))
            .or(self.names.first())
            .cloned()
    }

    /// Whether a ticket of profile `of` (`None`: unnamed, the first's) is `name`'s.
    pub fn holds(&self, name: &str, of: Option<&str>) -> bool {
        of.or(self.names.first().map(|n| &**n)) == Some(name)
    }

    /// Profile `name` as a `[[watch]]` of the config file names it: not at all for
    /// the file's first profile, so a file without profiles stays as it is.
    pub fn written(&self, name: &str) -> Option<String> {
        let first = self.first_in_config.as_ref().or(self.names.first());
        (first.is_some_and(|first| &**first != name)).then(|| name.to_string())
    }

    /// The profile of a ticket the config watches, or of one found by `query`; `None`
    /// before the dashboard names its profiles.
    pub(super) fn of(&self, id: &TicketRef, query: Option<&str>) -> Option<Arc<str>> {
        let index = query
            .and_then(|q| self.of_query.get(q))
            .or_else(|| self.of_watch.get(id))
            .copied()
            .unwrap_or(0);
        self.names.get(index).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(names: &[&str]) -> Profiles {
        let destinations = names
            .iter()
            .map(|name| Destination {
                profile: name.to_string(),
                endpoint: format!("https://{name}.example.com"),
                account: None,
            })
            .collect();
        Profiles::new(destinations, &[], &[])
    }

    #[test]
    fn a_watch_names_its_profile_in_the_file_unless_it_is_the_files_first() {
        let two = shown(&["prod", "staging"]);
        assert_eq!(two.written("prod"), None);
        assert_eq!(two.written("staging").as_deref(), Some("staging"));
        assert_eq!(shown(&["default"]).written("default"), None, "no profiles");
        // `--profile staging`: the one shown is not the file's first.
        let one_of_two = shown(&["staging"]).with_first_in_config("prod");
        assert_eq!(one_of_two.written("staging").as_deref(), Some("staging"));
        assert_eq!(two.named(Some("nope")).as_deref(), Some("prod"));
        assert!(two.holds("prod", None) && !two.holds("staging", None));
    }
}
