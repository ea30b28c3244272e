//! The ticket in the detail pane: which one (held by its reference), its tab and
//! scroll, the hosts of one of its steps or batches and the output of one host, and
//! what each tab shows (`TabRows`), the one source for drawing a tab and for scrolling
//! it.

use crate::coc::script::ScriptParam;
use crate::coc::{
    JobTicket, KeyValue, RawJson, ScriptBatch, ScriptStatistics, Status, Step, Target, Targets,
    Ticket, TicketKind, TicketRef,
};
use crate::i18n::{Lang, Msg};

use super::hosts::HostsView;
use super::keys::Intent;
use super::output::{OutputKey, OutputView, SaveResult, Viewport};
use super::reaction::{Action, Reaction};
use super::tickets::{Failure, Fetched, OperationRecord, TicketEntry, Transition};
use super::view::Tab;

#[derive(Debug, Clone)]
pub struct Detail {
    /// The ticket opened with Enter (zoomed): it stays open whatever happens to the list.
    open: Option<TicketRef>,
    /// The tab chosen; a ticket without it shows its like (`Tab::for_kind`).
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
    pub fn open_id(&self) -> Option<&TicketRef> {
        self.open.as_ref()
    }

    /// The tab shown for a ticket of `kind`.
    pub fn tab(&self, kind: TicketKind) -> Tab {
        self.tab.for_kind(kind)
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// The hosts view, shown while its ticket is open.
    pub fn hosts(&self) -> Option<&HostsView> {
        self.hosts
            .as_ref()
            .filter(|h| self.open.as_ref() == Some(h.id()))
    }

    pub fn hosts_mut(&mut self) -> Option<&mut HostsView> {
        let open = self.open.as_ref();
        self.hosts.as_mut().filter(|h| open == Some(h.id()))
    }

    /// The output pager, shown over its hosts view.
    pub fn output(&self) -> Option<&OutputView> {
        self.output.as_ref().filter(|_| self.hosts().is_some())
    }

    pub fn open(&mut self, id: TicketRef) {
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

    /// Scrolls to `to`, clamped to the rows `entry`'s tab holds in a pane `width`
    /// columns wide. Says whether it moved.
    pub fn scroll_to(&mut self, entry: Option<&TicketEntry>, to: usize, width: usize) -> bool {
        let last = entry.map_or(0, |e| {
            TabRows::of(e, self.tab(e.kind()), width)
                .len()
                .saturating_sub(1)
        });
        let before = self.scroll;
        self.scroll = to.min(last);
        self.scroll != before
    }

    /// The pane's keys: scrolling its tab or its hosts, the tabs, a step's hosts, and
    /// in the hosts view `r` and `Esc`. `entry` is the ticket shown, `pane` the size of
    /// its tab on screen, `lang` the dashboard's (a host's output is told in it).
    /// `None`: not a key of the pane.
    pub fn on_intent(
        &mut self,
        intent: Intent,
        entry: Option<&TicketEntry>,
        pane: Pane,
        lang: Lang,
    ) -> Option<Reaction> {
        let rows = pane.rows;
        let kind = entry.map_or(TicketKind::Execution, TicketEntry::kind);
        let tab = self.tab(kind);
        let reaction = match (intent, self.hosts_mut()) {
            (Intent::NextTab, _) => Reaction::redraw(self.set_tab(tab.next_in(kind))),
            (Intent::PrevTab, _) => Reaction::redraw(self.set_tab(tab.prev_in(kind))),
            (Intent::ToTab(n), _) => Reaction::redraw(self.set_tab(Tab::nth(kind, n))),
            (Intent::Move(motion), Some(hosts)) => {
                let moved = hosts.scroll_to(motion.from(hosts.scroll()));
                let fetch = hosts.fetch(rows);
                Reaction::redraw(moved || fetch.is_some()).ask(fetch)
            }
            (Intent::Move(motion), None) => {
                Reaction::redraw(self.scroll_to(entry, motion.from(self.scroll), pane.width))
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
                self.output = Some(hosts.selected_output(lang)?);
                Reaction::redraw(true)
            }
            (Intent::Open, None) => self.open_hosts(entry?, pane)?,
            _ => return None,
        };
        Some(reaction)
    }

    /// Enter on the Steps tab of the open execution: the hosts of the step at the
    /// cursor (on any of its rows); on the Batches tab of the open script ticket: the
    /// hosts of the batch.
    fn open_hosts(&mut self, entry: &TicketEntry, pane: Pane) -> Option<Reaction> {
        if self.open.as_ref() != Some(&entry.id) {
            return None;
        }
        let view = match self.tab(entry.kind()) {
            Tab::Steps => {
                let at = TabRows::of(entry, Tab::Steps, pane.width).step_at(self.scroll)?;
                let step = entry.steps.loaded()?.get(at)?;
                let step_id = step.execution_step_id.clone()?;
                let name = step.name.clone().unwrap_or_else(|| step_id.clone());
                HostsView::of_step(entry.id.clone(), step_id, name)
            }
            Tab::Batches => {
                let batch = entry.progress.loaded()?.batches.get(self.scroll)?;
                HostsView::of_batch(entry.id.clone(), batch.batch_index?)
            }
            _ => return None,
        };
        let hosts = self.hosts.insert(view);
        Some(Reaction::redraw(true).ask(hosts.fetch(pane.rows)))
    }
}

/// The size of the pane a tab is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pane {
    /// Rows on screen: a page.
    pub rows: usize,
    /// Columns: where a failed step's message wraps.
    pub width: usize,
}

/// Under a step, its inputs, outputs and message start this far in.
pub const STEP_DETAIL_INDENT: usize = 4;
/// A failed step's message is shown up to this size; the rest is said to be cut.
pub const MAX_STEP_MESSAGE: usize = 64 * 1024;

/// Whether a step's message is shown whole under it (a failed or timed-out step's),
/// rather than at the end of its line.
pub fn message_below(step: &Step) -> bool {
    matches!(step.status, Some(Status::Failed | Status::Timeout))
        && step
            .message
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty())
}

/// A failed step's message as shown under it: each line sanitised and wrapped to fit
/// `width` columns after the indent, up to `MAX_STEP_MESSAGE` bytes; the bytes left out.
pub fn step_message_rows(step: &Step, width: usize) -> (Vec<String>, usize) {
    let message = step.message.as_deref().unwrap_or_default();
    let end = message.len() - message_cut(step);
    let wrap = width.saturating_sub(STEP_DETAIL_INDENT).max(8);
    let mut rows = Vec::new();
    for line in crate::text::lines(message[..end].trim_end()) {
        let starts = super::output::row_starts(&line, wrap);
        for (i, &start) in starts.iter().enumerate() {
            let stop = starts.get(i + 1).copied().unwrap_or(line.len());
            rows.push(line[start..stop].to_string());
        }
    }
    (rows, message.len() - end)
}

/// Bytes of a step's message past `MAX_STEP_MESSAGE` (cut at a character boundary).
fn message_cut(step: &Step) -> usize {
    let message = step.message.as_deref().unwrap_or_default();
    let mut end = message.len().min(MAX_STEP_MESSAGE);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    message.len() - end
}

/// Rows one step takes: its line, its inputs and outputs, its message when below.
fn step_rows(step: &Step, width: usize) -> usize {
    let message = if message_below(step) {
        let (rows, cut) = step_message_rows(step, width);
        rows.len() + usize::from(cut > 0)
    } else {
        0
    };
    1 + step.inputs.len() + step.outputs.len() + message
}

/// One row of a tab, borrowed from the ticket; `ui::detail` decides how it looks.
#[derive(Debug, Clone, PartialEq)]
pub enum Row<'a> {
    /// "no parameters" and the like.
    Empty(Msg<'static>),
    /// A heading inside the tab ("Tags", "System tags").
    Section(Msg<'static>),
    /// `key  value`, the key padded to `key_width` columns.
    Pair {
        pair: &'a KeyValue,
        key_width: usize,
    },
    /// A target kind and how many values it has.
    TargetKind(&'a Target),
    TargetValue(&'a RawJson),
    Step(&'a Step),
    /// An input (`output` false) or an output of the step, under it.
    StepValue {
        step: &'a Step,
        output: bool,
        pair: &'a KeyValue,
    },
    /// Row `row` of `step_message_rows`.
    StepMessage {
        step: &'a Step,
        row: usize,
    },
    /// The note that a step's message was cut, and by how many bytes.
    StepMessageCut(usize),
    /// A script's argument, its name padded to `key_width` columns.
    ScriptParam {
        param: &'a ScriptParam,
        key_width: usize,
    },
    /// A batch of a script ticket, the ticket's statistics (which tell the statuses
    /// the batch's hosts are in), and whether the ticket is at it now.
    Batch {
        batch: &'a ScriptBatch,
        statistics: &'a ScriptStatistics,
        current: bool,
    },
    Transition(&'a Transition),
    /// An operation sent from here, and what became of it.
    Operation(&'a OperationRecord),
    /// Loading the steps (or batches) failed: the error, then what to do.
    StepsFailed(&'a Failure),
    Hint(Msg<'static>),
}

/// What one tab of a ticket shows, row by row, computed from the ticket on demand: no
/// copy of a 50,000-parameter list is made to draw the twenty rows on screen.
pub struct TabRows<'a> {
    entry: &'a TicketEntry,
    tab: Tab,
    len: usize,
    /// Targets: the first row of each target kind; Steps: of each step.
    starts: Vec<usize>,
    /// The Targets tab's targets, decoded while it is drawn (held compressed).
    targets: Vec<Target>,
}

impl<'a> TabRows<'a> {
    /// The rows of `tab` (one of the tabs of `entry`'s kind) in a pane `width` columns
    /// wide.
    pub fn of(entry: &'a TicketEntry, tab: Tab, width: usize) -> TabRows<'a> {
        let ticket = entry.ticket.as_deref();
        let mut starts = Vec::new();
        let targets = match tab {
            Tab::Targets => decoded_targets(execution(ticket)),
            _ => Vec::new(),
        };
        let len = match tab {
            Tab::Parameters => match ticket {
                Some(JobTicket::Script(t)) => t.script_params().len().max(1),
                _ => execution(ticket).map_or(0, |t| t.parameters.len()).max(1),
            },
            Tab::Tags => match execution(ticket) {
                Some(t) => 2 + t.tags.len().max(1) + t.sys_tags.len().max(1),
                None => 1,
            },
            Tab::Targets => {
                let mut rows = 0;
                for target in &targets {
                    starts.push(rows);
                    rows += 1 + target.values.len();
                }
                rows.max(1)
            }
            Tab::Steps => match &entry.steps {
                Fetched::Loaded { data: steps, .. } => {
                    let mut rows = 0;
                    for step in steps.iter() {
                        starts.push(rows);
                        rows += step_rows(step, width);
                    }
                    rows.max(1)
                }
                other => fetched_len(other, Vec::len),
            },
            Tab::Batches => fetched_len(&entry.progress, |p| p.batches.len()),
            Tab::History => (entry.history.len() + entry.operations.len()).max(1),
        };
        TabRows {
            entry,
            tab,
            len,
            starts,
            targets,
        }
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// The step (its index) that row `i` of the Steps tab belongs to.
    pub fn step_at(&self, i: usize) -> Option<usize> {
        if self.tab != Tab::Steps || i >= self.len {
            return None;
        }
        self.starts
            .partition_point(|&start| start <= i)
            .checked_sub(1)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The steps and batches tables have a heading that does not scroll.
    pub fn has_heading(&self) -> bool {
        match self.tab {
            Tab::Steps => self.entry.steps.loaded().is_some_and(|s| !s.is_empty()),
            Tab::Batches => self
                .entry
                .progress
                .loaded()
                .is_some_and(|p| !p.batches.is_empty()),
            _ => false,
        }
    }

    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        if i >= self.len {
            return None;
        }
        let entry = self.entry;
        let ticket = entry.ticket.as_deref();
        Some(match self.tab {
            Tab::Parameters => match ticket {
                Some(JobTicket::Script(t)) => match t.script_params().get(i) {
                    Some(param) => Row::ScriptParam {
                        param,
                        key_width: entry.key_widths.parameters,
                    },
                    None => Row::Empty(Msg::NoParameters),
                },
                _ => match execution(ticket).map(|t| &t.parameters[..]) {
                    Some(pairs) if !pairs.is_empty() => Row::Pair {
                        pair: &pairs[i],
                        key_width: entry.key_widths.parameters,
                    },
                    _ => Row::Empty(Msg::NoParameters),
                },
            },
            Tab::Tags => match execution(ticket) {
                Some(t) => tags_row(t, entry, i),
                None => Row::Empty(Msg::NoTags),
            },
            Tab::Targets => {
                let kind = self.starts.partition_point(|&start| start <= i);
                match kind.checked_sub(1) {
                    None => Row::Empty(Msg::NoTargets),
                    Some(k) => {
                        let target = &self.targets[k];
                        match i - self.starts[k] {
                            0 => Row::TargetKind(target),
                            n => Row::TargetValue(&target.values[n - 1]),
                        }
                    }
                }
            }
            Tab::Steps => match &entry.steps {
                Fetched::NotRequested => Row::Hint(Msg::StepsNotLoaded),
                Fetched::Loading => Row::Hint(Msg::LoadingSteps),
                Fetched::Failed(failure) if i == 0 => Row::StepsFailed(failure),
                Fetched::Failed(_) => Row::Hint(Msg::RRetries),
                Fetched::Loaded { data: steps, .. } if steps.is_empty() => Row::Empty(Msg::NoSteps),
                Fetched::Loaded { data: steps, .. } => {
                    let at = self.step_at(i)?;
                    let start = self.starts[at];
                    let end = self.starts.get(at + 1).copied().unwrap_or(self.len);
                    step_row(&steps[at], i - start, end - start)
                }
            },
            Tab::Batches => match &entry.progress {
                Fetched::NotRequested => Row::Hint(Msg::BatchesNotLoaded),
                Fetched::Loading => Row::Hint(Msg::LoadingBatches),
                Fetched::Failed(failure) if i == 0 => Row::StepsFailed(failure),
                Fetched::Failed(_) => Row::Hint(Msg::RRetries),
                Fetched::Loaded { data, .. } if data.batches.is_empty() => {
                    Row::Empty(Msg::NoBatches)
                }
                Fetched::Loaded { data, .. } => {
                    let batch = &data.batches[i];
                    let index = batch.batch_index;
                    let current = index.is_some()
                        && index
                            == ticket
                                .and_then(JobTicket::as_script)
                                .and_then(|t| t.properties.current_execute_batch_index);
                    Row::Batch {
                        batch,
                        statistics: &data.statistics,
                        current,
                    }
                }
            },
            Tab::History => history_row(entry, i),
        })
    }

    /// The rows from `first`, at most `count` of them.
    pub fn rows(&self, first: usize, count: usize) -> impl Iterator<Item = Row<'_>> + '_ {
        (first..self.len.min(first.saturating_add(count))).filter_map(|i| self.row(i))
    }
}

/// Row `k` of the `total` rows of a step: its line, then its inputs, its outputs, its
/// message (and the note that it was cut, last).
fn step_row(step: &Step, k: usize, total: usize) -> Row<'_> {
    let inputs = step.inputs.len();
    let outputs = step.outputs.len();
    match k {
        0 => Row::Step(step),
        k if k <= inputs => Row::StepValue {
            step,
            output: false,
            pair: &step.inputs[k - 1],
        },
        k if k <= inputs + outputs => Row::StepValue {
            step,
            output: true,
            pair: &step.outputs[k - 1 - inputs],
        },
        k => match message_cut(step) {
            cut if cut > 0 && k + 1 == total => Row::StepMessageCut(cut),
            _ => Row::StepMessage {
                step,
                row: k - 1 - inputs - outputs,
            },
        },
    }
}

/// Rows of a tab fetched on demand: its items, or one or two lines saying where it is.
fn fetched_len<T>(state: &Fetched<T>, items: impl Fn(&T) -> usize) -> usize {
    match state {
        Fetched::Loaded { data, .. } => items(data).max(1),
        Fetched::Failed(_) => 2,
        Fetched::NotRequested | Fetched::Loading => 1,
    }
}

fn execution(ticket: Option<&JobTicket>) -> Option<&Ticket> {
    ticket.and_then(JobTicket::as_execution)
}

/// How many items a tab holds, for the tab bar; `None` while unknown.
pub fn tab_count(entry: &TicketEntry, tab: Tab) -> Option<usize> {
    let ticket = entry.ticket.as_deref();
    match tab {
        Tab::Parameters => Some(match ticket {
            Some(JobTicket::Script(t)) => t.script_params().len(),
            _ => execution(ticket).map_or(0, |t| t.parameters.len()),
        }),
        Tab::Tags => execution(ticket).map(|t| t.tags.len() + t.sys_tags.len()),
        Tab::Targets => execution(ticket)
            .and_then(|t| t.targets.as_ref())
            .map(Targets::len),
        Tab::Steps => entry.steps.loaded().map(Vec::len),
        Tab::Batches => entry.progress.loaded().map(|p| p.batches.len()),
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
            (None, None) => return Row::Empty(Msg::NoStatusChange),
            (Some(t), Some(op)) => t.at <= op.sent,
            (change, _) => change.is_some(),
        };
        if c + o == i {
            return match (take_change, change, operation) {
                (true, Some(t), _) => Row::Transition(t),
                (_, _, Some(op)) => Row::Operation(op),
                _ => Row::Empty(Msg::NoStatusChange),
            };
        }
        if take_change {
            c += 1;
        } else {
            o += 1;
        }
    }
}

fn decoded_targets(ticket: Option<&Ticket>) -> Vec<Target> {
    ticket
        .and_then(|t| t.targets.as_ref())
        .map(Targets::list)
        .unwrap_or_default()
}

/// "Tags", the tags (or "no tags"), "System tags", the system tags (or "no system tags").
fn tags_row<'a>(t: &'a Ticket, entry: &TicketEntry, i: usize) -> Row<'a> {
    let tags_rows = t.tags.len().max(1);
    let pair_or = |pairs: &'a [KeyValue], i: usize, key_width: usize, none: Msg<'static>| {
        pairs
            .get(i)
            .map_or(Row::Empty(none), |pair| Row::Pair { pair, key_width })
    };
    match i {
        0 => Row::Section(Msg::SectionTags),
        i if i <= tags_rows => pair_or(&t.tags, i - 1, entry.key_widths.tags, Msg::NoTags),
        i if i == tags_rows + 1 => Row::Section(Msg::SectionSystemTags),
        i => pair_or(
            &t.sys_tags,
            i - tags_rows - 2,
            entry.key_widths.sys_tags,
            Msg::NoSystemTags,
        ),
    }
}
