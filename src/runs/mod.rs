//! One run of a job, whatever its kind: the ticket (an execution or a script ticket),
//! the places its hosts ran (an execution's steps, a script ticket's batches) and each
//! host's result with its output. `logs` prints these, `diff` compares two of them;
//! `walk` reads them from the API. Raw server values throughout: sanitising is for
//! display only.

pub mod diff;
pub mod logs;

use std::fmt;

use crate::coc::{
    Instance, KeyValue, ScriptBatch, ScriptHost, ScriptStatus, ScriptTicket, Status, Step, Target,
    Targets, Ticket, TicketRef,
};
use crate::hosts;

/// How a status stands, from the raw value the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Succeeded,
    /// Ended otherwise: failed, timed out, canceled, rolled back.
    Failed,
    /// Not ended yet.
    Active,
    /// No status, or one that is not exactly a known one: never taken for a success.
    Unknown,
}

impl Verdict {
    fn of_status(status: Option<&Status>) -> Verdict {
        match status {
            Some(Status::Succeed) => Verdict::Succeeded,
            Some(s) if s.is_unsuccessful() => Verdict::Failed,
            Some(Status::Unknown(_)) | None => Verdict::Unknown,
            Some(_) => Verdict::Active,
        }
    }

    fn of_script(status: Option<&ScriptStatus>) -> Verdict {
        match status {
            Some(ScriptStatus::Finished) => Verdict::Succeeded,
            Some(s) if s.is_unsuccessful() => Verdict::Failed,
            Some(ScriptStatus::Unknown(_)) | None => Verdict::Unknown,
            Some(_) => Verdict::Active,
        }
    }

    /// Did not succeed, and is not still on its way: what `--failed` keeps and what
    /// makes `logs` exit 1.
    pub fn is_failure(self) -> bool {
        matches!(self, Verdict::Failed | Verdict::Unknown)
    }
}

/// Where hosts ran: a step of an execution (numbered from 1 in the ticket's order), or
/// a batch of a script ticket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    Step { number: usize, name: String },
    Batch(u32),
}

impl Place {
    /// `step` or `batch`: the word in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Place::Step { .. } => "step",
            Place::Batch(_) => "batch",
        }
    }

    /// The step's number or the batch's index.
    pub fn number(&self) -> u64 {
        match self {
            Place::Step { number, .. } => *number as u64,
            Place::Batch(index) => u64::from(*index),
        }
    }

    /// The step's name (raw), if it is a step.
    pub fn name(&self) -> Option<&str> {
        match self {
            Place::Step { name, .. } => Some(name),
            Place::Batch(_) => None,
        }
    }
}

/// `step 2 "clean up"` or `batch 1`, server text sanitised.
impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Step { number, name } => {
                write!(f, "step {number} \"{}\"", crate::text::cell(name, 60))
            }
            Place::Batch(index) => write!(f, "batch {index}"),
        }
    }
}

/// The ticket itself, as `diff` compares it and `logs` judges it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFacts {
    pub reference: TicketRef,
    /// The job (execution) or the script (script ticket).
    pub job: Option<String>,
    pub job_id: Option<String>,
    pub version: Option<String>,
    pub status: Option<String>,
    pub verdict: Verdict,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// The targets, each named as people know it (its name, else its resource ID,
    /// else its JSON); a script ticket's come from its hosts.
    pub targets: Vec<String>,
}

fn pairs(values: &[KeyValue]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect()
}

impl TicketFacts {
    /// The execution `reference` names (the client checked that the answer is about it).
    pub fn of_execution(reference: TicketRef, ticket: &Ticket) -> TicketFacts {
        TicketFacts {
            reference,
            job: ticket.document_name.as_deref().map(str::to_string),
            job_id: ticket.document_id.as_deref().map(str::to_string),
            version: ticket.document_version.as_deref().map(str::to_string),
            status: ticket.status.as_ref().map(|s| s.as_str().to_string()),
            verdict: Verdict::of_status(ticket.status.as_ref()),
            parameters: pairs(&ticket.parameters),
            tags: pairs(&ticket.tags),
            targets: target_names(
                &ticket
                    .targets
                    .as_ref()
                    .map(Targets::list)
                    .unwrap_or_default(),
            ),
        }
    }

    pub fn of_script(reference: TicketRef, ticket: &ScriptTicket) -> TicketFacts {
        let properties = &ticket.properties;
        let mut parameters = Vec::new();
        if let Some(param) = &properties.execute_param {
            parameters.extend(
                param
                    .script_params
                    .iter()
                    .map(|p| (p.param_name.clone(), p.param_value.clone())),
            );
            let settings = [
                ("timeout", param.timeout.map(|t| t.to_string())),
                ("success_rate", param.success_rate.map(|r| r.to_string())),
                ("execute_user", param.execute_user.clone()),
            ];
            for (name, value) in settings {
                if let Some(value) = value {
                    parameters.push((format!("execute_param.{name}"), value));
                }
            }
        }
        TicketFacts {
            reference,
            job: properties.script_name.clone(),
            job_id: properties.script_uuid.clone(),
            version: properties.script_version_name.clone(),
            status: ticket.status.as_ref().map(|s| s.as_str().to_string()),
            verdict: Verdict::of_script(ticket.status.as_ref()),
            parameters,
            tags: Vec::new(),
            targets: Vec::new(),
        }
    }
}

/// Each target resource by its name, else its resource ID, else its compact JSON; the
/// hosts of a `BatchValues` batch as `batch N: name`.
fn target_names(targets: &[Target]) -> Vec<String> {
    let name = |value: &serde_json::Value| {
        ["name", "host_name", "resource_id", "id"]
            .iter()
            .find_map(|key| value.get(*key)?.as_str().map(str::to_string))
            .unwrap_or_else(|| match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    };
    let mut names = Vec::new();
    for target in targets {
        for value in &target.values {
            let value = value.parse();
            match value.get("target_instances").and_then(|v| v.as_array()) {
                Some(hosts) => {
                    let batch = value.get("batch_index").map_or_else(String::new, |b| {
                        format!(
                            "batch {}: ",
                            b.as_u64().map_or(b.to_string(), |n| n.to_string())
                        )
                    });
                    names.extend(hosts.iter().map(|h| format!("{batch}{}", name(h))));
                }
                None => names.push(name(&value)),
            }
        }
    }
    names
}

/// A step or a batch, as `diff` compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceFacts {
    pub place: Place,
    pub status: Option<String>,
    pub verdict: Verdict,
    pub duration_ms: Option<i64>,
    pub message: Option<String>,
}

impl PlaceFacts {
    pub fn of_step(number: usize, step: &Step) -> PlaceFacts {
        PlaceFacts {
            place: step_place(number, step),
            status: step.status.as_ref().map(|s| s.as_str().to_string()),
            verdict: Verdict::of_status(step.status.as_ref()),
            duration_ms: duration(step.start_time, step.end_time),
            message: step.message.clone().filter(|m| !m.is_empty()),
        }
    }

    /// A batch: it has no status of its own; its hosts tell.
    pub fn of_batch(batch: &ScriptBatch) -> PlaceFacts {
        PlaceFacts {
            place: Place::Batch(batch.batch_index.unwrap_or(0)),
            status: None,
            verdict: Verdict::Unknown,
            duration_ms: None,
            message: None,
        }
    }
}

/// Step `number` (from 1) and its name (its ID when it has none).
pub fn step_place(number: usize, step: &Step) -> Place {
    let name = step
        .name
        .clone()
        .or_else(|| step.execution_step_id.clone())
        .unwrap_or_default();
    Place::Step { number, name }
}

/// The host of a step that ran once, not on hosts.
pub const NO_HOST: &str = "-";

/// One host in one step or batch, with its whole output.
#[derive(Debug, Clone, PartialEq)]
pub struct HostRun {
    pub place: Place,
    /// Its name, else its IP, else its resource or instance ID; `-` for a step that
    /// ran once, not per host.
    pub host: String,
    pub ip: Option<String>,
    pub status: Option<String>,
    pub verdict: Verdict,
    pub duration_ms: Option<i64>,
    /// As the server sent it.
    pub output: String,
}

impl HostRun {
    pub fn of_instance(place: &Place, instance: &Instance) -> HostRun {
        HostRun {
            place: place.clone(),
            host: hosts::host(instance),
            ip: hosts::ip(instance).map(str::to_string),
            status: instance.status.as_ref().map(|s| s.as_str().to_string()),
            verdict: Verdict::of_status(instance.status.as_ref()),
            duration_ms: duration(instance.start_time, instance.end_time),
            output: instance.message.clone().unwrap_or_default(),
        }
    }

    /// A step that ran once, not on hosts: its own status, and its message as output.
    pub fn of_step(place: &Place, step: &Step) -> HostRun {
        HostRun {
            place: place.clone(),
            host: NO_HOST.into(),
            ip: None,
            status: step.status.as_ref().map(|s| s.as_str().to_string()),
            verdict: Verdict::of_status(step.status.as_ref()),
            duration_ms: duration(step.start_time, step.end_time),
            output: step.message.clone().unwrap_or_default(),
        }
    }

    pub fn of_script_host(batch: u32, host: &ScriptHost) -> HostRun {
        let seconds = host.execute_costs.map(|s| s.saturating_mul(1000));
        HostRun {
            place: Place::Batch(batch),
            host: host.name().or(host.ip()).map_or_else(
                || host.id.map_or("-".into(), |id| id.to_string()),
                str::to_string,
            ),
            ip: host.ip().map(str::to_string),
            status: host.status.as_ref().map(|s| s.as_str().to_string()),
            verdict: Verdict::of_script(host.status.as_ref()),
            duration_ms: seconds.or(duration(host.gmt_created, host.gmt_finished)),
            output: host.message.clone().unwrap_or_default(),
        }
    }
}

/// From `start` to `end` (epoch ms), when both are known and in order.
fn duration(start: Option<i64>, end: Option<i64>) -> Option<i64> {
    let took = end?.checked_sub(start?)?;
    (took >= 0).then_some(took)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_come_from_the_exact_status() {
        let of = |s: &str| Verdict::of_status(Some(&Status::parse(s)));
        assert_eq!(of("Succeed"), Verdict::Succeeded);
        for failed in ["Failed", "Timeout", "Canceled"] {
            assert!(of(failed).is_failure());
        }
        assert_eq!(of("Running"), Verdict::Active);
        assert_eq!(of("Succeed\u{1b}"), Verdict::Unknown);
        assert!(of("Succeed ").is_failure(), "never taken for a success");
        assert!(!Verdict::Active.is_failure());
        let script = |s: &str| Verdict::of_script(Some(&ScriptStatus::parse(s)));
        assert_eq!(script("FINISHED"), Verdict::Succeeded);
        assert_eq!(script("ROLLBACKED"), Verdict::Failed);
        assert_eq!(script("PAUSED"), Verdict::Active);
    }

    #[test]
    fn targets_are_named_as_people_know_them() {
        let target: Vec<Target> = serde_json::from_value(serde_json::json!([
            {"key": "InstanceValues", "values": [{"resource_id": "r1", "name": "web-01"}, {"resource_id": "r2"}, "plain"]},
            {"key": "BatchValues", "values": [{"batch_index": 2, "target_instances": [{"name": "db-01"}]}]}
        ]))
        .unwrap();
        assert_eq!(
            target_names(&target),
            ["web-01", "r2", "plain", "batch 2: db-01"]
        );
    }
}
