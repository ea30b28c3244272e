//! The ticket in the detail pane: which one (held by execution ID), its tab and scroll,
//! the hosts of one of its steps and the output of one host, and what each tab shows
//! (`TabRows`), the one source for drawing a tab and for scrolling it.

use crate::coc::{KeyValue, RawJson, Step, Target, Ticket};

use super::hosts::HostsView;
use super::keys::Intent;
use super::output::{OutputKey, OutputView, SaveResult, Viewport};
use super::reaction::{Action, Reaction};
use super::tickets::{Failure, OperationRecord, StepsState, TicketEntry, Transition};
use super::view::Tab;

#[derive(Debug, Clone)]
pub struct Detail {
    /// The ticket opened with Enter (zoomed): it stays open whatever happens to the list.
    open: Option<String>,
    tab: Tab,
    /// Rows scrolled in the tab.
    scroll: usize,
    /// The hosts of one step of the open ticket (Enter on a step).
    hosts: Option<HostsView>,
    /// The output of one of those hosts (Enter on a host).
    output: Option<OutputView>,
}

impl Default for Detail {
    fn default() -> Self {
        Detail {
            open: None,
            tab: Tab::Parameters,
            scroll: 0,
            hosts: None,
            output: None,
        }
    }
}

impl Detail {
    pub fn open_id(&self) -> Option<&str> {
        self.open.as_deref()
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// The hosts view, shown while its ticket is open.
    pub fn hosts(&self) -> Option<&HostsView> {
        self.hosts
            .as_ref()
            .filter(|h| self.open.as_deref() == Some(h.execution_id()))
    }

    pub fn hosts_mut(&mut self) -> Option<&mut HostsView> {
        let open = self.open.as_deref();
        self.hosts
            .as_mut()
            .filter(|h| open == Some(h.execution_id()))
    }

    /// The output pager, shown over its hosts view.
    pub fn output(&self) -> Option<&OutputView> {
        self.output.as_ref().filter(|_| self.hosts().is_some())
    }

    pub fn open(&mut self, id: String) {
        self.open = Some(id);
        self.scroll = 0;
        self.hosts = None;
        self.output = None;
    }

    pub fn close(&mut self) {
        self.open = None;
        self.hosts = None;
        self.output = None;
    }

    /// Says whether the tab changed (or the hosts view closed).
    pub fn set_tab(&mut self, tab: Tab) -> bool {
        let changed = self.tab != tab;
        self.tab = tab;
        if changed {
            self.scroll = 0;
        }
        self.output = None;
        self.hosts.take().is_some() || changed
    }

    /// A key routed to the output pager, which draws its text in `view`.
    pub fn on_output(&mut self, intent: Intent, typed: Option<char>, view: Viewport) -> Reaction {
        let Some(output) = self.output.as_mut() else {
            return Reaction::default();
        };
        match output.on_intent(intent, typed, view) {
            OutputKey::Nothing => Reaction::default(),
            OutputKey::Redraw => Reaction::redraw(true),
            OutputKey::Close => {
                // Back to the host it was opened from, wherever pages that arrived
                // meanwhile have put it.
                let origin = self
                    .output
                    .take()
                    .and_then(|o| o.origin().map(str::to_string));
                if let (Some(hosts), Some(key)) = (self.hosts_mut(), origin) {
                    hosts.select(&key);
                }
                Reaction::redraw(true)
            }
            OutputKey::Save {
                path,
                text,
                overwrite,
            } => Reaction {
                redraw: true,
                actions: vec![Action::SaveOutput {
                    path,
                    text,
                    overwrite,
                }],
            },
        }
    }

    /// The answer to `Action::SaveOutput`, for the pager if it is still open.
    pub fn output_saved(&mut self, path: std::path::PathBuf, result: SaveResult) -> bool {
        match self.output.as_mut() {
            Some(output) => {
                output.saved(path, result);
                true
            }
            None => false,
        }
    }

    /// Another ticket is shown in the pane: its tab starts at the top.
    pub fn reset_scroll(&mut self) {
        self.scroll = 0;
    }

    /// Scrolls to `to`, clamped to the rows `entry`'s tab holds. Says whether it moved.
    pub fn scroll_to(&mut self, entry: Option<&TicketEntry>, to: usize) -> bool {
        let last = entry.map_or(0, |e| TabRows::of(e, self.tab).len().saturating_sub(1));
        let before = self.scroll;
        self.scroll = to.min(last);
        self.scroll != before
    }

    /// The pane's keys: scrolling its tab or its hosts, the tabs, a step's hosts, and
    /// in the hosts view `r` and `Esc`. `entry` is the ticket shown, `rows` the rows on
    /// screen. `None`: not a key of the pane.
    pub fn on_intent(
        &mut self,
        intent: Intent,
        entry: Option<&TicketEntry>,
        rows: usize,
    ) -> Option<Reaction> {
        let reaction = match (intent, self.hosts_mut()) {
            (Intent::NextTab, _) => Reaction::redraw(self.set_tab(self.tab.next())),
            (Intent::PrevTab, _) => Reaction::redraw(self.set_tab(self.tab.prev())),
            (Intent::ToTab(tab), _) => Reaction::redraw(self.set_tab(tab)),
            (Intent::Move(motion), Some(hosts)) => {
                let moved = hosts.scroll_to(motion.from(hosts.scroll()));
                let fetch = hosts.fetch(rows);
                Reaction::redraw(moved || fetch.is_some()).ask(fetch)
            }
            (Intent::Move(motion), None) => {
                Reaction::redraw(self.scroll_to(entry, motion.from(self.scroll)))
            }
            (Intent::Refresh, Some(hosts)) => {
                hosts.retry();
                let fetch = hosts.fetch(rows);
                Reaction::redraw(fetch.is_some()).ask(fetch)
            }
            (Intent::Back, Some(_)) => {
                self.hosts = None;
                Reaction::redraw(true)
            }
            (Intent::Open, Some(hosts)) => {
                self.output = Some(hosts.selected_output()?);
                Reaction::redraw(true)
            }
            (Intent::Open, None) => self.open_hosts(entry?, rows)?,
            _ => return None,
        };
        Some(reaction)
    }

    /// Enter on the Steps tab of the open ticket: the hosts of the step at the cursor.
    fn open_hosts(&mut self, entry: &TicketEntry, rows: usize) -> Option<Reaction> {
        if self.tab != Tab::Steps || self.open.as_deref() != Some(entry.id.as_str()) {
            return None;
        }
        let StepsState::Loaded { steps, .. } = &entry.steps else {
            return None;
        };
        let step = steps.get(self.scroll)?;
        let step_id = step.execution_step_id.clone()?;
        let name = step.name.clone().unwrap_or_else(|| step_id.clone());
        let hosts = self
            .hosts
            .insert(HostsView::new(entry.id.clone(), step_id, name));
        Some(Reaction::redraw(true).ask(hosts.fetch(rows)))
    }
}

/// One row of a tab, borrowed from the ticket; `ui::detail` decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Row<'a> {
    /// "no parameters" and the like.
    Empty(&'static str),
    /// A heading inside the tab ("Tags", "System tags").
    Section(&'static str),
    /// `key  value`, the key padded to `key_width` columns.
    Pair {
        pair: &'a KeyValue,
        key_width: usize,
    },
    /// A target kind and how many values it has.
    TargetKind(&'a Target),
    TargetValue(&'a RawJson),
    Step(&'a Step),
    Transition(&'a Transition),
    /// An operation sent from here, and what became of it.
    Operation(&'a OperationRecord),
    /// Loading the steps failed: the error, then what to do.
    StepsFailed(&'a Failure),
    Hint(&'static str),
}

/// What one tab of a ticket shows, row by row, computed from the ticket on demand: no
/// copy of a 50,000-parameter list is made to draw the twenty rows on screen.
pub struct TabRows<'a> {
    entry: &'a TicketEntry,
    tab: Tab,
    len: usize,
    /// Targets: the first row of each target kind.
    target_starts: Vec<usize>,
}

impl<'a> TabRows<'a> {
    pub fn of(entry: &'a TicketEntry, tab: Tab) -> TabRows<'a> {
        let ticket = entry.ticket.as_deref();
        let mut target_starts = Vec::new();
        let len = match tab {
            Tab::Parameters => ticket.map_or(0, |t| t.parameters.len()).max(1),
            Tab::Tags => match ticket {
                Some(t) => 2 + t.tags.len().max(1) + t.sys_tags.len().max(1),
                None => 1,
            },
            Tab::Targets => {
                let mut rows = 0;
                for target in targets(ticket) {
                    target_starts.push(rows);
                    rows += 1 + target.values.len();
                }
                rows.max(1)
            }
            Tab::Steps => match &entry.steps {
                StepsState::Loaded { steps, .. } => steps.len().max(1),
                StepsState::Failed(_) => 2,
                StepsState::NotRequested | StepsState::Loading => 1,
            },
            Tab::History => (entry.history.len() + entry.operations.len()).max(1),
        };
        TabRows {
            entry,
            tab,
            len,
            target_starts,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The steps table has a column heading that does not scroll.
    pub fn has_heading(&self) -> bool {
        self.tab == Tab::Steps
            && matches!(&self.entry.steps, StepsState::Loaded { steps, .. } if !steps.is_empty())
    }

    pub fn row(&self, i: usize) -> Option<Row<'a>> {
        if i >= self.len {
            return None;
        }
        let entry = self.entry;
        let ticket = entry.ticket.as_deref();
        Some(match self.tab {
            Tab::Parameters => match ticket.map(|t| &t.parameters[..]) {
                Some(pairs) if !pairs.is_empty() => Row::Pair {
                    pair: &pairs[i],
                    key_width: entry.key_widths.parameters,
                },
                _ => Row::Empty("no parameters"),
            },
            Tab::Tags => match ticket {
                Some(t) => tags_row(t, entry, i),
                None => Row::Empty("no tags"),
            },
            Tab::Targets => {
                let kind = self.target_starts.partition_point(|&start| start <= i);
                match kind.checked_sub(1) {
                    None => Row::Empty("no targets"),
                    Some(k) => {
                        let target = &targets(ticket)[k];
                        match i - self.target_starts[k] {
                            0 => Row::TargetKind(target),
                            n => Row::TargetValue(&target.values[n - 1]),
                        }
                    }
                }
            }
            Tab::Steps => match &entry.steps {
                StepsState::NotRequested => Row::Hint("steps not loaded: r loads them"),
                StepsState::Loading => Row::Hint("loading steps…"),
                StepsState::Failed(failure) if i == 0 => Row::StepsFailed(failure),
                StepsState::Failed(_) => Row::Hint("r retries"),
                StepsState::Loaded { steps, .. } if steps.is_empty() => Row::Empty("no steps"),
                StepsState::Loaded { steps, .. } => Row::Step(&steps[i]),
            },
            Tab::History => history_row(entry, i),
        })
    }

    /// The rows from `first`, at most `count` of them.
    pub fn rows(&self, first: usize, count: usize) -> impl Iterator<Item = Row<'a>> + '_ {
        (first..self.len.min(first.saturating_add(count))).filter_map(|i| self.row(i))
    }
}

/// How many items a tab holds, for the tab bar; `None` while unknown.
pub fn tab_count(entry: &TicketEntry, tab: Tab) -> Option<usize> {
    let ticket = entry.ticket.as_deref();
    match tab {
        Tab::Parameters => Some(ticket.map_or(0, |t| t.parameters.len())),
        Tab::Tags => ticket.map(|t| t.tags.len() + t.sys_tags.len()),
        Tab::Targets => ticket.and_then(|t| t.targets.as_ref()).map(Vec::len),
        Tab::Steps => match &entry.steps {
            StepsState::Loaded { steps, .. } => Some(steps.len()),
            _ => None,
        },
        Tab::History => Some(entry.history.len() + entry.operations.len()),
    }
}

/// Row `i` of the History tab: status changes and operations, in the order they
/// happened (both lists are in time order already).
fn history_row(entry: &TicketEntry, i: usize) -> Row<'_> {
    let (changes, operations) = (&entry.history, &entry.operations);
    let (mut c, mut o) = (0, 0);
    loop {
        let change = changes.get(c);
        let operation = operations.get(o);
        let take_change = match (change, operation) {
            (None, None) => return Row::Empty("no status change seen yet"),
            (Some(t), Some(op)) => t.at <= op.sent,
            (change, _) => change.is_some(),
        };
        if c + o == i {
            return match (take_change, change, operation) {
                (true, Some(t), _) => Row::Transition(t),
                (_, _, Some(op)) => Row::Operation(op),
                _ => Row::Empty("no status change seen yet"),
            };
        }
        if take_change {
            c += 1;
        } else {
            o += 1;
        }
    }
}

fn targets(ticket: Option<&Ticket>) -> &[Target] {
    ticket.and_then(|t| t.targets.as_deref()).unwrap_or(&[])
}

/// "Tags", the tags (or "no tags"), "System tags", the system tags (or "no system tags").
fn tags_row<'a>(t: &'a Ticket, entry: &TicketEntry, i: usize) -> Row<'a> {
    let tags_rows = t.tags.len().max(1);
    let pair_or = |pairs: &'a [KeyValue], i: usize, key_width: usize, none: &'static str| {
        pairs
            .get(i)
            .map_or(Row::Empty(none), |pair| Row::Pair { pair, key_width })
    };
    match i {
        0 => Row::Section("Tags"),
        i if i <= tags_rows => pair_or(&t.tags, i - 1, entry.key_widths.tags, "no tags"),
        i if i == tags_rows + 1 => Row::Section("System tags"),
        i => pair_or(
            &t.sys_tags,
            i - tags_rows - 2,
            entry.key_widths.sys_tags,
            "no system tags",
        ),
    }
}
