//! `=`: one ticket marked, and `=` on another compares the two as `coctop diff` does
//! (job and version, status, parameters, tags, targets, steps), once both have their
//! steps. Hosts are not read for it: the comparison says where to see them.

use crate::coc::{JobTicket, TicketKind, TicketRef};
use crate::i18n::{Lang, Msg};
use crate::runs::diff::{self, RunFacts};
use crate::runs::{PlaceFacts, TicketFacts};
use crate::text::sanitize;

use super::tickets::{StepsState, TicketEntry};

/// Lines of a comparison shown at most; the rest is `coctop diff`'s.
const SHOWN_LINES: usize = 40;

/// The marked ticket, and the comparison waiting for steps.
#[derive(Debug, Clone, Default)]
pub struct Compare {
    marked: Option<TicketRef>,
    waiting: Option<(TicketRef, TicketRef)>,
}

/// What `=` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Pressed {
    /// `id` is marked now.
    Marked(TicketRef),
    /// `id` was marked and is no longer.
    Unmarked(TicketRef),
    /// `a` (marked before) is to be compared with `b`.
    Compare { a: TicketRef, b: TicketRef },
}

impl Compare {
    pub fn marked(&self) -> Option<&TicketRef> {
        self.marked.as_ref()
    }

    /// `=` on `id`.
    pub fn press(&mut self, id: &TicketRef) -> Pressed {
        match self.marked.take() {
            None => {
                self.marked = Some(id.clone());
                Pressed::Marked(id.clone())
            }
            Some(marked) if marked == *id => Pressed::Unmarked(marked),
            Some(a) => {
                self.waiting = Some((a.clone(), id.clone()));
                Pressed::Compare { a, b: id.clone() }
            }
        }
    }

    /// The comparison waiting, once `entry` gives each side's steps (or why it has none);
    /// a side no longer watched drops it. Its own words are in `lang`.
    pub fn ready<'t>(
        &mut self,
        lang: Lang,
        entry: impl Fn(&TicketRef) -> Option<&'t TicketEntry>,
    ) -> Option<(String, Vec<String>)> {
        let (a, b) = self.waiting.as_ref()?;
        let (Some(ea), Some(eb)) = (entry(a), entry(b)) else {
            self.waiting = None;
            return None;
        };
        // A script ticket is compared by its own facts: its batches are not waited for.
        let settled = |e: &TicketEntry| {
            e.ticket.is_some()
                && (e.id.kind() == TicketKind::Script
                    || matches!(e.steps, StepsState::Loaded { .. } | StepsState::Failed(_)))
        };
        if !(settled(ea) && settled(eb)) {
            return None;
        }
        let title = format!("diff {a} {b}");
        let shown = lines(lang, ea, eb);
        self.waiting = None;
        Some((title, shown))
    }
}

/// A ticket as `diff` compares it, from what the dashboard has: the ticket and its
/// steps.
fn facts(entry: &TicketEntry) -> Option<RunFacts> {
    let reference = entry.id.clone();
    let mut run = RunFacts::new(match entry.ticket.as_deref()? {
        JobTicket::Execution(ticket) => TicketFacts::of_execution(reference, ticket),
        JobTicket::Script(ticket) => TicketFacts::of_script(reference, ticket),
    });
    if let Some(steps) = entry.steps.loaded() {
        for (i, step) in steps.iter().enumerate() {
            run.add_place(PlaceFacts::of_step(i + 1, step));
        }
    }
    Some(run)
}

/// The comparison's lines: the differences as `coctop diff` writes them, cut after
/// `SHOWN_LINES`, then where to see the rest and the hosts. The differences are in
/// `coctop diff`'s words; what is said around them is in `lang`.
pub fn lines(lang: Lang, a: &TicketEntry, b: &TicketEntry) -> Vec<String> {
    let said = |msg: Msg<'_>| -> String { lang.t(msg).into_owned() };
    let whole = said(Msg::CompareWhole {
        a: &a.id.to_string(),
        b: &b.id.to_string(),
    });
    if a.id.kind() != b.id.kind() {
        return vec![said(Msg::CompareOneKind)];
    }
    let (Some(fa), Some(fb)) = (facts(a), facts(b)) else {
        return vec![said(Msg::CompareNoData), whole];
    };
    let differences = diff::compare(&fa, &fb);
    let mut out: Vec<String> = diff::text_lines(&fa, &fb, &differences)
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    if out.is_empty() {
        out.push(said(Msg::NothingDiffers));
    }
    if out.len() > SHOWN_LINES {
        let more = out.len() - SHOWN_LINES;
        out.truncate(SHOWN_LINES);
        out.push(said(Msg::MoreLines(more)));
    }
    for (side, entry) in [("a", a), ("b", b)] {
        if let StepsState::Failed(failure) = &entry.steps {
            let why = sanitize(&failure.error.to_string()).into_owned();
            out.push(said(Msg::StepsUnreadable { side, why: &why }));
        }
    }
    out.push(whole);
    out
}
