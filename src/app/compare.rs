//! `=`: one ticket marked, and `=` on another compares the two as `coctop diff` does
//! (job and version, status, parameters, tags, targets, steps), once both have their
//! steps. Hosts are not read for it: the comparison says where to see them.

use crate::coc::TicketRef;
use crate::runs::diff::{self, RunFacts};
use crate::runs::{PlaceFacts, TicketFacts};
use crate::text::sanitize;

use super::tickets::{StepsState, TicketEntry};

/// Lines of a comparison shown at most; the rest is `coctop diff`'s.
const SHOWN_LINES: usize = 40;

/// The marked ticket, and the comparison waiting for steps.
#[derive(Debug, Clone, Default)]
pub struct Compare {
    marked: Option<String>,
    waiting: Option<(String, String)>,
}

/// What `=` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Pressed {
    /// `id` is marked now.
    Marked(String),
    /// `id` was marked and is no longer.
    Unmarked(String),
    /// `a` (marked before) is to be compared with `b`.
    Compare { a: String, b: String },
}

impl Compare {
    pub fn marked(&self) -> Option<&str> {
        self.marked.as_deref()
    }

    /// `=` on `id`.
    pub fn press(&mut self, id: &str) -> Pressed {
        match self.marked.take() {
            None => {
                self.marked = Some(id.to_string());
                Pressed::Marked(id.to_string())
            }
            Some(marked) if marked == id => Pressed::Unmarked(marked),
            Some(a) => {
                self.waiting = Some((a.clone(), id.to_string()));
                Pressed::Compare {
                    a,
                    b: id.to_string(),
                }
            }
        }
    }

    /// The comparison waiting, once `entry` gives each side's steps (or why it has none);
    /// a side no longer watched drops it.
    pub fn ready<'t>(
        &mut self,
        entry: impl Fn(&str) -> Option<&'t TicketEntry>,
    ) -> Option<(String, Vec<String>)> {
        let (a, b) = self.waiting.as_ref()?;
        let (Some(ea), Some(eb)) = (entry(a), entry(b)) else {
            self.waiting = None;
            return None;
        };
        let settled = |e: &TicketEntry| {
            e.ticket.is_some()
                && matches!(e.steps, StepsState::Loaded { .. } | StepsState::Failed(_))
        };
        if !(settled(ea) && settled(eb)) {
            return None;
        }
        let title = format!("diff {} {}", sanitize(a), sanitize(b));
        let shown = lines(ea, eb);
        self.waiting = None;
        Some((title, shown))
    }
}

/// A ticket as `diff` compares it, from what the dashboard has: the ticket and its
/// steps.
fn facts(entry: &TicketEntry) -> Option<RunFacts> {
    let ticket = entry.ticket.as_deref()?;
    let reference = TicketRef::execution(&entry.id).ok()?;
    let mut run = RunFacts::new(TicketFacts::of_execution(reference, ticket));
    if let StepsState::Loaded { steps, .. } = &entry.steps {
        for (i, step) in steps.iter().enumerate() {
            run.add_place(PlaceFacts::of_step(i + 1, step));
        }
    }
    Some(run)
}

/// The comparison's lines: the differences as `coctop diff` writes them, cut after
/// `SHOWN_LINES`, then where to see the rest and the hosts.
pub fn lines(a: &TicketEntry, b: &TicketEntry) -> Vec<String> {
    let whole = format!(
        "All of it, failed hosts too: coctop diff {} {}",
        sanitize(&a.id),
        sanitize(&b.id)
    );
    let (Some(fa), Some(fb)) = (facts(a), facts(b)) else {
        return vec!["Not an execution ID: nothing to compare.".into(), whole];
    };
    let differences = diff::compare(&fa, &fb);
    let mut out: Vec<String> = diff::text_lines(&fa, &fb, &differences)
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    if out.is_empty() {
        out.push(
            "Nothing differs: job, version, status, parameters, tags, targets and steps alike."
                .into(),
        );
    }
    if out.len() > SHOWN_LINES {
        let more = out.len() - SHOWN_LINES;
        out.truncate(SHOWN_LINES);
        out.push(format!("… and {more} more lines"));
    }
    for (side, entry) in [("a", a), ("b", b)] {
        if let StepsState::Failed(failure) = &entry.steps {
            out.push(format!(
                "The steps of {side} could not be read: {}",
                sanitize(&failure.error.to_string())
            ));
        }
    }
    out.push(whole);
    out
}
