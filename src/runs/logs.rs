//! What `coctop logs` prints: which hosts (`Selection`), then for each a header line
//! and its output, as text for people (control characters written out) or as one JSON
//! object a line with the output raw.

use std::time::Duration;

use serde_json::json;

use super::{HostRun, Place, TicketFacts};
use crate::coc::{ApiError, TicketRef};
use crate::exit::Exit;
use crate::{format, text};

/// The `schema` of the JSON lines `logs` prints.
pub const SCHEMA: u32 = 1;

/// Which step (or batch): `--step NAME|N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepChoice {
    /// The step numbered so from 1, or the batch with this index.
    Number(u64),
    /// The step named exactly so.
    Name(String),
}

impl StepChoice {
    /// A whole number is a step's number (a batch's index), anything else a name.
    pub fn parse(text: &str) -> StepChoice {
        match text.parse::<u64>() {
            Ok(n) if !text.starts_with('+') => StepChoice::Number(n),
            _ => StepChoice::Name(text.to_string()),
        }
    }
}

/// `--step`, `--host`, `--failed`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub step: Option<StepChoice>,
    /// A host's name or IP, exactly.
    pub host: Option<String>,
    /// Only hosts that did not succeed (failed, or a status not exactly a known one).
    pub failed: bool,
}

impl Selection {
    /// Whether the hosts of `place` are wanted at all (their pages are read only then).
    pub fn wants(&self, place: &Place) -> bool {
        match &self.step {
            None => true,
            Some(StepChoice::Number(n)) => place.number() == *n,
            Some(StepChoice::Name(name)) => place.name() == Some(name.as_str()),
        }
    }

    /// Whether `run` is printed.
    pub fn keeps(&self, run: &HostRun) -> bool {
        let host = self
            .host
            .as_deref()
            .is_none_or(|want| run.host == want || run.ip.as_deref() == Some(want));
        self.wants(&run.place) && host && (!self.failed || run.verdict.is_failure())
    }
}

/// What `logs` saw, for its exit code: 5 when something could not be read, 2 when
/// `--step` or `--host` named nothing there, 1 when the ticket or a printed host failed.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    ticket_failed: bool,
    host_failed: bool,
    places: Vec<Place>,
    places_wanted: usize,
    hosts_named: usize,
    unread: Option<Exit>,
}

impl Tally {
    pub fn ticket(&mut self, facts: &TicketFacts) {
        self.ticket_failed = facts.verdict.is_failure();
    }

    pub fn place(&mut self, selection: &Selection, place: &Place) {
        self.places_wanted += usize::from(selection.wants(place));
        if self.places.len() < 50 {
            self.places.push(place.clone());
        }
    }

    /// Whether `run` is to be printed (and counts it).
    pub fn host(&mut self, selection: &Selection, run: &HostRun) -> bool {
        let named = Selection {
            failed: false,
            ..selection.clone()
        };
        self.hosts_named += usize::from(named.keeps(run));
        let kept = selection.keeps(run);
        self.host_failed |= kept && run.verdict.is_failure();
        kept
    }

    /// Hosts that could not be read, with the error that said why (if a request did).
    pub fn unread(&mut self, error: Option<&ApiError>) {
        let exit = error.map_or(Exit::Fetch, Exit::from);
        self.unread = Some(match self.unread {
            Some(Exit::Auth) => Exit::Auth,
            _ => exit,
        });
    }

    /// What `--step` or `--host` named that is not there, for the message of exit 2.
    pub fn nothing_named(&self, selection: &Selection) -> Option<String> {
        if let Some(step) = &selection.step
            && self.places_wanted == 0
        {
            let known: Vec<String> = self.places.iter().map(Place::to_string).collect();
            let wanted = match step {
                StepChoice::Number(n) => n.to_string(),
                StepChoice::Name(name) => format!("\"{}\"", text::cell(name, 60)),
            };
            return Some(format!(
                "no step or batch {wanted} in this ticket; it has: {}",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ));
        }
        let host = selection.host.as_deref()?;
        (self.unread.is_none() && self.hosts_named == 0)
            .then(|| format!("no host named {} or with that IP", text::cell(host, 60)))
    }

    pub fn exit(&self, selection: &Selection) -> Exit {
        match self.unread {
            Some(exit) => exit,
            None if self.nothing_named(selection).is_some() => Exit::Usage,
            None if self.ticket_failed || self.host_failed => Exit::Unsuccessful,
            None => Exit::Success,
        }
    }
}

/// `==> step 2 "clean up" · web-03 · 10.0.0.3 · Failed · 1m00s <==`, server text
/// sanitised, a status that is not exactly a known one written out.
pub fn header(run: &HostRun) -> String {
    let status = run.status.as_deref().map_or_else(
        || "-".into(),
        |s| crate::coc::Status::parse(s).label().into_owned(),
    );
    format!(
        "==> {} · {} · {} · {status} · {} <==",
        run.place,
        text::cell(&run.host, 60),
        text::cell(run.ip.as_deref().unwrap_or("-"), 40),
        took(run.duration_ms),
    )
}

fn took(ms: Option<i64>) -> String {
    ms.and_then(|ms| u64::try_from(ms).ok()).map_or_else(
        || "-".into(),
        |ms| format::duration(Duration::from_millis(ms)),
    )
}

/// The header, then the output line by line, every control character written out
/// (`\u{1b}`); a line break ends the last line.
pub fn text_block(run: &HostRun) -> String {
    let mut out = header(run);
    out.push('\n');
    let output = run.output.strip_suffix('\n').unwrap_or(&run.output);
    if output.is_empty() {
        return out;
    }
    for line in output.split('\n') {
        out.push_str(&text::reveal_output_line(
            line.strip_suffix('\r').unwrap_or(line),
        ));
        out.push('\n');
    }
    out
}

/// One JSON object on one line: the ticket, where and which host, its status and how
/// long it took, and the output exactly as the server sent it.
pub fn json_line(ticket: &TicketRef, run: &HostRun) -> String {
    json!({
        "schema": SCHEMA,
        "kind": "host_output",
        "ticket": ticket.to_string(),
        "ticket_kind": ticket.kind().as_str(),
        "place": run.place.kind(),
        "number": run.place.number(),
        "step": run.place.name(),
        "host": run.host,
        "ip": run.ip,
        "status": run.status,
        "succeeded": run.verdict == super::Verdict::Succeeded,
        "duration_ms": run.duration_ms,
        "output": run.output,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::Verdict;
    use super::*;

    fn run(place: Place, host: &str, status: &str, verdict: Verdict, output: &str) -> HostRun {
        HostRun {
            place,
            host: host.into(),
            ip: Some("10.0.0.3".into()),
            status: Some(status.into()),
            verdict,
            duration_ms: Some(61_000),
            output: output.into(),
        }
    }

    fn step(number: usize, name: &str) -> Place {
        Place::Step {
            number,
            name: name.into(),
        }
    }

    #[test]
    fn a_selection_picks_steps_by_number_or_name_hosts_by_name_or_ip() {
        let failed = run(step(2, "clean up"), "web-03", "Failed", Verdict::Failed, "");
        let fine = run(step(1, "12"), "web-01", "Succeed", Verdict::Succeeded, "");
        let by = |step: Option<&str>, host: Option<&str>, failed_only: bool| Selection {
            step: step.map(StepChoice::parse),
            host: host.map(str::to_string),
            failed: failed_only,
        };
        assert!(by(None, None, false).keeps(&fine));
        assert!(by(Some("2"), None, false).keeps(&failed));
        assert!(!by(Some("2"), None, false).keeps(&fine));
        assert!(by(Some("clean up"), None, false).keeps(&failed));
        assert!(
            !by(Some("Clean up"), None, false).keeps(&failed),
            "names exactly"
        );
        assert_eq!(StepChoice::parse("12"), StepChoice::Number(12));
        assert_eq!(StepChoice::parse("+12"), StepChoice::Name("+12".into()));
        assert!(by(None, Some("10.0.0.3"), false).keeps(&failed));
        assert!(by(None, Some("web-03"), true).keeps(&failed));
        assert!(!by(None, None, true).keeps(&fine));
        let odd = run(step(1, "x"), "h", "Succeed\u{1b}", Verdict::Unknown, "");
        assert!(
            by(None, None, true).keeps(&odd),
            "an unknown status is not a success"
        );
        assert!(by(Some("1"), None, false).wants(&Place::Batch(1)));
    }

    #[test]
    fn text_writes_out_control_characters_and_json_keeps_the_output_raw() {
        let output = "ok\r\n\u{1b}[31mred\u{1b}[0m\tend\n\u{1b}]0;title\u{7}\n";
        let host = run(
            step(2, "clean\u{1b}[2J up"),
            "web-03",
            "Failed",
            Verdict::Failed,
            output,
        );
        let text = text_block(&host);
        assert_eq!(
            text,
            "==> step 2 \"clean up\" · web-03 · 10.0.0.3 · Failed · 1m01s <==\n\
             ok\n\\u{1b}[31mred\\u{1b}[0m\tend\n\\u{1b}]0;title\\u{7}\n"
        );
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
        );
        let reference = TicketRef::parse("EX1").unwrap();
        let line = json_line(&reference, &host);
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["output"], output);
        assert_eq!(value["schema"], 1);
        assert_eq!(value["kind"], "host_output");
        assert_eq!(value["step"], "clean\u{1b}[2J up");
        assert_eq!(value["number"], 2);
        let odd = run(Place::Batch(1), "h", "FINISHED ", Verdict::Unknown, "");
        assert!(header(&odd).contains("\"FINISHED \""), "{}", header(&odd));
        assert!(text_block(&odd).ends_with("<==\n"));
    }
}
