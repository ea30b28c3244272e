//! What differs between two runs (`coctop diff`, and `=` in the dashboard): the job and
//! its version, the status, parameters, tags and targets; the steps (or batches)
//! matched by name with their status, duration and message; the hosts that failed in
//! only one of them. Raw values are compared; what is printed is written out so that
//! two values that differ never look the same.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde_json::{Value, json};

use super::{HostRun, Place, PlaceFacts, TicketFacts};
use crate::{format, text};

/// A run as `diff` holds it: the ticket, its steps or batches, and its failed hosts
/// (outputs are not kept).
#[derive(Debug, Clone)]
pub struct RunFacts {
    pub ticket: TicketFacts,
    places: Vec<(String, PlaceFacts)>,
    failed_hosts: BTreeSet<(String, String)>,
    /// Hosts seen (a script ticket's targets).
    hosts: BTreeSet<String>,
}

impl RunFacts {
    pub fn new(ticket: TicketFacts) -> RunFacts {
        RunFacts {
            ticket,
            places: Vec::new(),
            failed_hosts: BTreeSet::new(),
            hosts: BTreeSet::new(),
        }
    }

    /// A step or batch, in the ticket's order. Steps are matched by name: the second
    /// step of one name is `name #2`.
    pub fn add_place(&mut self, facts: PlaceFacts) {
        let key = self.key_of(&facts.place);
        self.places.push((key, facts));
    }

    fn key_of(&self, place: &Place) -> String {
        match place {
            Place::Batch(index) => format!("batch {index}"),
            Place::Step { name, .. } => {
                let earlier = self
                    .places
                    .iter()
                    .filter(|(_, p)| p.place.name() == Some(name.as_str()))
                    .count();
                match earlier {
                    0 => name.clone(),
                    n => format!("{name} #{}", n + 1),
                }
            }
        }
    }

    /// A host's result (its output is not kept). A step that ran on no host is
    /// compared as a step.
    pub fn add_host(&mut self, run: &HostRun) {
        if run.host == super::NO_HOST {
            return;
        }
        let place = self
            .places
            .iter()
            .find(|(_, p)| p.place == run.place)
            .map_or_else(|| self.key_of(&run.place), |(key, _)| key.clone());
        if run.verdict.is_failure() {
            self.failed_hosts.insert((place, run.host.clone()));
        }
        if matches!(run.place, Place::Batch(_)) {
            self.hosts.insert(run.host.clone());
        }
    }

    /// The targets: the ticket's own, else (a script ticket) the hosts it ran on.
    fn targets(&self) -> Vec<String> {
        if self.ticket.targets.is_empty() {
            self.hosts.iter().cloned().collect()
        } else {
            self.ticket.targets.clone()
        }
    }
}

/// Which of the two runs something is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::A => "a",
            Side::B => "b",
        }
    }

    fn mark(self) -> char {
        match self {
            Side::A => '-',
            Side::B => '+',
        }
    }
}

/// A step or batch as one run has it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSide {
    pub status: Option<String>,
    pub duration_ms: Option<i64>,
    pub message: Option<String>,
}

/// One thing that differs.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// `job`, `job_id`, `version` or `status`.
    Field {
        what: &'static str,
        a: Option<String>,
        b: Option<String>,
    },
    /// A parameter (`tag` false) or a tag given in one or both, with another value.
    Pair {
        tag: bool,
        key: String,
        a: Option<String>,
        b: Option<String>,
    },
    Target {
        name: String,
        only_in: Side,
    },
    /// A step (or batch) in only one run, or in both with another status, message, or
    /// a duration notably longer (`changed` says which).
    Step {
        name: String,
        a: Option<StepSide>,
        b: Option<StepSide>,
        changed: Vec<&'static str>,
    },
    FailedHost {
        place: String,
        host: String,
        only_in: Side,
    },
}

/// A duration differs when the longer is at least this many times the shorter...
const NOTABLE_FACTOR: i64 = 2;
/// ...and longer by at least this much: runs of one job never take exactly as long.
const NOTABLE_MS: i64 = 10_000;

fn notably_different(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let (short, long) = (a.min(b), a.max(b));
            long - short >= NOTABLE_MS && long >= short.saturating_mul(NOTABLE_FACTOR)
        }
        _ => false,
    }
}

/// Everything that differs from `a` to `b`, in the order printed.
pub fn compare(a: &RunFacts, b: &RunFacts) -> Vec<Difference> {
    let mut out = Vec::new();
    let (ta, tb) = (&a.ticket, &b.ticket);
    for (what, va, vb) in [
        ("job", &ta.job, &tb.job),
        ("job_id", &ta.job_id, &tb.job_id),
        ("version", &ta.version, &tb.version),
        ("status", &ta.status, &tb.status),
    ] {
        if va != vb {
            out.push(Difference::Field {
                what,
                a: va.clone(),
                b: vb.clone(),
            });
        }
    }
    for (tag, pa, pb) in [
        (false, &ta.parameters, &tb.parameters),
        (true, &ta.tags, &tb.tags),
    ] {
        let first = |pairs: &[(String, String)], key: &str| {
            pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        };
        let mut keys: Vec<&String> = Vec::new();
        for (key, _) in pa.iter().chain(pb) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for key in keys {
            let (va, vb) = (first(pa, key), first(pb, key));
            if va != vb {
                out.push(Difference::Pair {
                    tag,
                    key: key.clone(),
                    a: va,
                    b: vb,
                });
            }
        }
    }
    let (targets_a, targets_b) = (a.targets(), b.targets());
    for (side, mine, theirs) in [
        (Side::A, &targets_a, &targets_b),
        (Side::B, &targets_b, &targets_a),
    ] {
        for name in only_in(mine, theirs) {
            out.push(Difference::Target {
                name,
                only_in: side,
            });
        }
    }
    out.extend(compare_places(a, b));
    for (side, mine, theirs) in [
        (Side::A, &a.failed_hosts, &b.failed_hosts),
        (Side::B, &b.failed_hosts, &a.failed_hosts),
    ] {
        for (place, host) in mine.difference(theirs) {
            out.push(Difference::FailedHost {
                place: place.clone(),
                host: host.clone(),
                only_in: side,
            });
        }
    }
    out
}

/// The items of `mine` that `theirs` does not have as often.
fn only_in(mine: &[String], theirs: &[String]) -> Vec<String> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for name in theirs {
        *left.entry(name).or_default() += 1;
    }
    let mut out = Vec::new();
    for name in mine {
        match left.get_mut(name.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(name.clone()),
        }
    }
    out
}

fn side_of(facts: &PlaceFacts) -> StepSide {
    StepSide {
        status: facts.status.clone(),
        duration_ms: facts.duration_ms,
        message: facts.message.clone(),
    }
}

/// Steps (batches) matched by name: those in one run only, and those whose status,
/// message or duration differ; in `a`'s order, then `b`'s new ones.
fn compare_places(a: &RunFacts, b: &RunFacts) -> Vec<Difference> {
    let find = |run: &RunFacts, key: &str| {
        run.places
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, p)| side_of(p))
    };
    let mut keys: Vec<&String> = Vec::new();
    for (key, _) in a.places.iter().chain(&b.places) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut out = Vec::new();
    for key in keys {
        let (sa, sb) = (find(a, key), find(b, key));
        let changed: Vec<&'static str> = match (&sa, &sb) {
            (Some(x), Some(y)) => [
                ("status", x.status != y.status),
                ("duration", notably_different(x.duration_ms, y.duration_ms)),
                ("message", x.message != y.message),
            ]
            .into_iter()
            .filter_map(|(what, differs)| differs.then_some(what))
            .collect(),
            _ => Vec::new(),
        };
        if sa.is_none() || sb.is_none() || !changed.is_empty() {
            out.push(Difference::Step {
                name: key.clone(),
                a: sa,
                b: sb,
                changed,
            });
        }
    }
    out
}

/// A value as printed: every invisible or control character written out, cut.
fn shown(value: Option<&str>) -> String {
    match value {
        None => "(none)".into(),
        Some(v) => format!("\"{}\"", text::fit(&text::reveal(v), 120)),
    }
}

fn took(ms: Option<i64>) -> String {
    ms.and_then(|ms| u64::try_from(ms).ok()).map_or_else(
        || "-".into(),
        |ms| format::duration(Duration::from_millis(ms)),
    )
}

/// How a line of the text is marked: in `a` only, in `b` only, or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Header,
    Removed,
    Added,
    Changed,
}

/// The differences for people, line by line with how each is marked (the command
/// colours them on a terminal). Nothing when nothing differs.
pub fn text_lines(a: &RunFacts, b: &RunFacts, differences: &[Difference]) -> Vec<(Mark, String)> {
    if differences.is_empty() {
        return Vec::new();
    }
    let head = |marks: &str, run: &RunFacts| {
        let t = &run.ticket;
        format!(
            "{marks} {}  {} {}  {}",
            t.reference,
            text::cell(t.job.as_deref().unwrap_or("-"), 60),
            text::cell(t.version.as_deref().unwrap_or("-"), 20),
            text::reveal(t.status.as_deref().unwrap_or("-")),
        )
    };
    let mut lines = vec![
        (Mark::Header, head("---", a)),
        (Mark::Header, head("+++", b)),
    ];
    for difference in differences {
        lines.push(match difference {
            Difference::Field { what, a, b } => (
                Mark::Changed,
                format!(
                    "~ {what}: {} → {}",
                    shown(a.as_deref()),
                    shown(b.as_deref())
                ),
            ),
            Difference::Pair { tag, key, a, b } => {
                let noun = if *tag { "tag" } else { "parameter" };
                let key = text::fit(&text::reveal(key), 60).into_owned();
                match (a, b) {
                    (Some(a), None) => (
                        Mark::Removed,
                        format!("- {noun} {key} = {}", shown(Some(a))),
                    ),
                    (None, Some(b)) => {
                        (Mark::Added, format!("+ {noun} {key} = {}", shown(Some(b))))
                    }
                    (a, b) => (
                        Mark::Changed,
                        format!(
                            "~ {noun} {key}: {} → {}",
                            shown(a.as_deref()),
                            shown(b.as_deref())
                        ),
                    ),
                }
            }
            Difference::Target { name, only_in } => (
                mark(*only_in),
                format!("{} target {}", only_in.mark(), shown(Some(name))),
            ),
            Difference::Step {
                name,
                a,
                b,
                changed,
            } => step_line(name, a.as_ref(), b.as_ref(), changed),
            Difference::FailedHost {
                place,
                host,
                only_in,
            } => (
                mark(*only_in),
                format!(
                    "{} failed host {} in {}",
                    only_in.mark(),
                    shown(Some(host)),
                    shown(Some(place))
                ),
            ),
        });
    }
    lines
}

fn mark(side: Side) -> Mark {
    match side {
        Side::A => Mark::Removed,
        Side::B => Mark::Added,
    }
}

fn step_line(
    name: &str,
    a: Option<&StepSide>,
    b: Option<&StepSide>,
    changed: &[&'static str],
) -> (Mark, String) {
    let name = shown(Some(name));
    let brief = |side: &StepSide| {
        format!(
            "{}, took {}",
            text::reveal(side.status.as_deref().unwrap_or("-")),
            took(side.duration_ms)
        )
    };
    match (a, b) {
        (Some(a), None) => (Mark::Removed, format!("- step {name} ({})", brief(a))),
        (None, Some(b)) => (Mark::Added, format!("+ step {name} ({})", brief(b))),
        (Some(a), Some(b)) => {
            let parts: Vec<String> = changed
                .iter()
                .map(|what| match *what {
                    "status" => format!(
                        "status {} → {}",
                        shown(a.status.as_deref()),
                        shown(b.status.as_deref())
                    ),
                    "duration" => format!("took {} → {}", took(a.duration_ms), took(b.duration_ms)),
                    _ => format!(
                        "message {} → {}",
                        shown(a.message.as_deref()),
                        shown(b.message.as_deref())
                    ),
                })
                .collect();
            (
                Mark::Changed,
                format!("~ step {name}: {}", parts.join("; ")),
            )
        }
        (None, None) => (Mark::Changed, format!("~ step {name}")),
    }
}

/// The `schema` of `diff --output json`.
pub const SCHEMA: u32 = 1;

/// The differences for scripts: one object, raw values.
pub fn json(a: &RunFacts, b: &RunFacts, differences: &[Difference]) -> Value {
    let side = |s: &Option<StepSide>| {
        s.as_ref().map(
            |s| json!({"status": s.status, "duration_ms": s.duration_ms, "message": s.message}),
        )
    };
    let items: Vec<Value> = differences
        .iter()
        .map(|d| match d {
            Difference::Field { what, a, b } => json!({"what": what, "a": a, "b": b}),
            Difference::Pair { tag, key, a, b } => json!({
                "what": if *tag { "tag" } else { "parameter" }, "key": key, "a": a, "b": b
            }),
            Difference::Target { name, only_in } => {
                json!({"what": "target", "name": name, "only_in": only_in.as_str()})
            }
            Difference::Step {
                name,
                a,
                b,
                changed,
            } => json!({
                "what": "step", "name": name, "a": side(a), "b": side(b), "changed": changed
            }),
            Difference::FailedHost {
                place,
                host,
                only_in,
            } => json!({
                "what": "failed_host", "place": place, "host": host, "only_in": only_in.as_str()
            }),
        })
        .collect();
    json!({
        "schema": SCHEMA,
        "kind": "diff",
        "a": a.ticket.reference.to_string(),
        "b": b.ticket.reference.to_string(),
        "same": differences.is_empty(),
        "differences": items,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Verdict;
    use super::*;
    use crate::coc::TicketRef;

    fn facts(id: &str, status: &str, parameters: &[(&str, &str)]) -> RunFacts {
        RunFacts::new(TicketFacts {
            reference: TicketRef::parse(id).unwrap(),
            job: Some("Restart app".into()),
            job_id: Some("DM1".into()),
            version: Some("v1".into()),
            status: Some(status.into()),
            verdict: Verdict::Unknown,
            parameters: parameters
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            tags: vec![("env".into(), "prod".into())],
            targets: vec!["web-01".into(), "web-02".into()],
        })
    }

    fn step(number: usize, name: &str, status: &str, ms: i64, message: &str) -> PlaceFacts {
        PlaceFacts {
            place: Place::Step {
                number,
                name: name.into(),
            },
            status: Some(status.into()),
            verdict: Verdict::Unknown,
            duration_ms: Some(ms),
            message: (!message.is_empty()).then(|| message.into()),
        }
    }

    fn failed_host(place: Place, host: &str) -> HostRun {
        HostRun {
            place,
            host: host.into(),
            ip: None,
            status: Some("Failed".into()),
            verdict: Verdict::Failed,
            duration_ms: None,
            output: String::new(),
        }
    }

    #[test]
    fn a_run_against_itself_has_no_difference() {
        let mut a = facts("EX1", "Failed", &[("dir", "/tmp")]);
        a.add_place(step(1, "prepare", "Succeed", 1000, ""));
        a.add_place(step(2, "clean up", "Failed", 60_000, "exit code 1"));
        let place = a.places[1].1.place.clone();
        a.add_host(&failed_host(place, "web-03"));
        assert!(compare(&a, &a.clone()).is_empty());
        assert!(text_lines(&a, &a, &[]).is_empty());
        assert_eq!(json(&a, &a, &[])["same"], true);
    }

    #[test]
    fn every_kind_of_difference_is_found_and_shown_apart() {
        let mut a = facts(
            "EX1",
            "Failed",
            &[("dir", "/tmp"), ("only_a", "1"), ("nl", "a\nb")],
        );
        let mut b = facts("EX2", "Succeed", &[("dir", "/var"), ("nl", "a b")]);
        b.ticket.version = Some("v2".into());
        b.ticket.targets = vec!["web-01".into(), "web-03".into()];
        a.add_place(step(1, "prepare", "Succeed", 1_000, ""));
        a.add_place(step(2, "clean up", "Failed", 60_000, "exit code 1"));
        a.add_place(step(3, "rollback", "Succeed", 5_000, ""));
        b.add_place(step(1, "prepare", "Succeed", 9_000, ""));
        b.add_place(step(2, "clean up", "Succeed", 12_000, ""));
        a.add_host(&failed_host(
            Place::Step {
                number: 2,
                name: "clean up".into(),
            },
            "web-03",
        ));
        let found = compare(&a, &b);
        let whats: Vec<String> = found
            .iter()
            .map(|d| match d {
                Difference::Field { what, .. } => what.to_string(),
                Difference::Pair { key, .. } => format!("parameter {key}"),
                Difference::Target { name, only_in } => format!("target {name} {only_in:?}"),
                Difference::Step { name, changed, .. } => format!("step {name} {changed:?}"),
                Difference::FailedHost { host, .. } => format!("failed {host}"),
            })
            .collect();
        assert_eq!(
            whats,
            [
                "version",
                "status",
                "parameter dir",
                "parameter only_a",
                "parameter nl",
                "target web-02 A",
                "target web-03 B",
                "step clean up [\"status\", \"duration\", \"message\"]",
                "step rollback []",
                "failed web-03",
            ]
        );
        let lines = text_lines(&a, &b, &found);
        let text: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
        assert!(
            text[0].starts_with("--- EX1  Restart app v1  Failed"),
            "{text:?}"
        );
        assert!(
            text.contains(&"~ parameter nl: \"a\\u{a}b\" → \"a b\""),
            "{text:?}"
        );
        assert!(text.contains(&"- parameter only_a = \"1\""), "{text:?}");
        assert!(
            text.contains(&"~ step \"clean up\": status \"Failed\" → \"Succeed\"; took 1m00s → 12s; message \"exit code 1\" → (none)"),
            "{text:?}"
        );
        assert!(
            text.contains(&"- step \"rollback\" (Succeed, took 5s)"),
            "{text:?}"
        );
        assert!(
            text.contains(&"- failed host \"web-03\" in \"clean up\""),
            "{text:?}"
        );
        let value = json(&a, &b, &found);
        assert_eq!(value["same"], false);
        assert_eq!(value["differences"][4]["a"], "a\nb", "raw in JSON");
    }

    #[test]
    fn steps_of_one_name_match_in_order_and_short_steps_need_no_duration_line() {
        let mut a = facts("EX1", "Succeed", &[]);
        let mut b = facts("EX2", "Succeed", &[]);
        for run in [&mut a, &mut b] {
            run.add_place(step(1, "check", "Succeed", 1_000, ""));
            run.add_place(step(2, "check", "Succeed", 2_000, ""));
        }
        b.places[1].1.status = Some("Failed".into());
        let found = compare(&a, &b);
        assert!(
            matches!(&found[..], [Difference::Step { name, .. }] if name == "check #2"),
            "{found:?}"
        );
        assert!(
            !notably_different(Some(1_000), Some(9_000)),
            "under 10 s apart"
        );
        assert!(
            !notably_different(Some(60_000), Some(100_000)),
            "under twice"
        );
        assert!(notably_different(Some(60_000), Some(120_000)));
    }
}
