//! A job ticket of either kind, as last fetched: what the engine polls and the
//! dashboard, `get`, `wait` and the cache hold. What both kinds have in common (a
//! status, a name, a creator, start and end) is read the same way here; what only one
//! kind has is read from its own model.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::client::Client;
use super::error::ApiError;
use super::intern::Interner;
use super::model::{Operation, Status, Ticket};
use super::reference::{TicketKind, TicketRef};
use super::script::{ScriptOperation, ScriptStatus, ScriptTicket};

/// An execution or a script ticket. Serialised with a `kind` field (`execution` or
/// `script`) beside the kind's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum JobTicket {
    Execution(Ticket),
    Script(ScriptTicket),
}

impl<'de> Deserialize<'de> for JobTicket {
    /// `kind` first, as coctop writes it, then the kind's own fields read straight on
    /// from the same object: no copy of the ticket's text is made (a cache of 10,000
    /// tickets read that way leaves no holes in the heap). An object whose `kind` comes
    /// later is gathered field by field (each value kept as its raw JSON) and read again
    /// with `kind` first.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<JobTicket, D::Error> {
        d.deserialize_map(KindFirst)
    }
}

struct KindFirst;

impl<'de> Visitor<'de> for KindFirst {
    type Value = JobTicket;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a job ticket with its kind")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JobTicket, A::Error> {
        let Some(first) = map.next_key::<FieldName>()? else {
            return Err(A::Error::missing_field("kind"));
        };
        let FieldName::Other(first) = first else {
            let kind = map.next_value::<KindName>()?.0;
            let rest = MapAccessDeserializer::new(map);
            return match kind {
                TicketKind::Execution => Ticket::deserialize(rest).map(JobTicket::Execution),
                TicketKind::Script => ScriptTicket::deserialize(rest).map(JobTicket::Script),
            };
        };
        let mut fields = vec![(first, map.next_value::<Box<RawValue>>()?)];
        while let Some(field) = map.next_entry::<String, Box<RawValue>>()? {
            fields.push(field);
        }
        let kind = fields
            .iter()
            .position(|(name, _)| name == "kind")
            .ok_or_else(|| A::Error::missing_field("kind"))?;
        fields.swap(0, kind);
        let mut text = String::from("{");
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(name).map_err(A::Error::custom)?);
            text.push(':');
            text.push_str(value.get());
        }
        text.push('}');
        serde_json::from_str(&text).map_err(A::Error::custom)
    }
}

/// An object's field name: `kind`, or another (named only when it has to be kept).
enum FieldName {
    Kind,
    Other(String),
}

impl<'de> Deserialize<'de> for FieldName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FieldName, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = FieldName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<FieldName, E> {
                Ok(match name {
                    "kind" => FieldName::Kind,
                    other => FieldName::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(Name)
    }
}

/// The value of `kind`, read without keeping its text.
struct KindName(TicketKind);

impl<'de> Deserialize<'de> for KindName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<KindName, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = KindName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`execution` or `script`")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<KindName, E> {
                match name {
                    "execution" => Ok(KindName(TicketKind::Execution)),
                    "script" => Ok(KindName(TicketKind::Script)),
                    other => Err(E::unknown_variant(other, &["execution", "script"])),
                }
            }
        }
        d.deserialize_str(Name)
    }
}

impl From<Ticket> for JobTicket {
    fn from(ticket: Ticket) -> JobTicket {
        JobTicket::Execution(ticket)
    }
}

impl From<ScriptTicket> for JobTicket {
    fn from(ticket: ScriptTicket) -> JobTicket {
        JobTicket::Script(ticket)
    }
}

impl JobTicket {
    pub fn kind(&self) -> TicketKind {
        match self {
            JobTicket::Execution(_) => TicketKind::Execution,
            JobTicket::Script(_) => TicketKind::Script,
        }
    }

    /// The bare ID as the server sent it (raw: it may break the ID rule).
    pub fn id(&self) -> &str {
        match self {
            JobTicket::Execution(t) => &t.execution_id,
            JobTicket::Script(t) => &t.execute_uuid,
        }
    }

    /// Its reference, when its ID passes the one ID rule.
    pub fn reference(&self) -> Result<TicketRef, &'static str> {
        TicketRef::new(self.kind(), self.id())
    }

    pub fn status(&self) -> Option<JobStatus> {
        match self {
            JobTicket::Execution(t) => t.status.clone().map(JobStatus::Execution),
            JobTicket::Script(t) => t.status.clone().map(JobStatus::Script),
        }
    }

    /// Finished: never changes again, needs no more polling.
    pub fn is_terminal(&self) -> bool {
        match self {
            JobTicket::Execution(t) => t.is_terminal(),
            JobTicket::Script(t) => t.is_terminal(),
        }
    }

    /// Compacted for a copy held for long, sharing text with the other tickets of
    /// `texts`' holder (see `Ticket::pack`).
    pub fn packed(mut self, texts: &mut Interner) -> JobTicket {
        if let JobTicket::Execution(t) = &mut self {
            t.pack(texts);
        }
        self
    }

    /// The job's name, or the script's (else the ticket's own name from the list).
    pub fn name(&self) -> Option<&str> {
        match self {
            JobTicket::Execution(t) => t.document_name.as_deref(),
            JobTicket::Script(t) => t
                .properties
                .script_name
                .as_deref()
                .or(t.order_name.as_deref()),
        }
    }

    pub fn creator(&self) -> Option<&str> {
        match self {
            JobTicket::Execution(t) => t.creator.as_deref(),
            JobTicket::Script(t) => t.creator.as_deref(),
        }
    }

    /// Epoch milliseconds: when it started (a script ticket: was created).
    pub fn start_time(&self) -> Option<i64> {
        match self {
            JobTicket::Execution(t) => t.start_time,
            JobTicket::Script(t) => t.gmt_created,
        }
    }

    pub fn end_time(&self) -> Option<i64> {
        match self {
            JobTicket::Execution(t) => t.end_time,
            JobTicket::Script(t) => t.gmt_finished,
        }
    }

    /// When it last changed, as far as the server says.
    pub fn update_time(&self) -> Option<i64> {
        match self {
            JobTicket::Execution(t) => t.update_time,
            JobTicket::Script(t) => t.gmt_finished,
        }
    }

    /// The TYPE column: the execution's type, `SCRIPT` for a script ticket.
    pub fn type_label(&self) -> Option<&str> {
        match self {
            JobTicket::Execution(t) => t.execution_type.as_ref().map(|t| t.as_str()),
            JobTicket::Script(_) => Some("SCRIPT"),
        }
    }

    pub fn as_execution(&self) -> Option<&Ticket> {
        match self {
            JobTicket::Execution(t) => Some(t),
            JobTicket::Script(_) => None,
        }
    }

    pub fn as_script(&self) -> Option<&ScriptTicket> {
        match self {
            JobTicket::Script(t) => Some(t),
            JobTicket::Execution(_) => None,
        }
    }

    /// Equal to `other` in everything a view draws: the same data, or a running script
    /// ticket whose cost alone grew.
    pub fn same_on_screen(&self, other: &JobTicket) -> bool {
        match (self, other) {
            (JobTicket::Script(a), JobTicket::Script(b)) => a == b || a.same_but_running_cost(b),
            _ => self == other,
        }
    }
}

/// The status of a job ticket of either kind, the raw value the server sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobStatus {
    Execution(Status),
    Script(ScriptStatus),
}

impl From<Status> for JobStatus {
    fn from(status: Status) -> JobStatus {
        JobStatus::Execution(status)
    }
}

impl From<ScriptStatus> for JobStatus {
    fn from(status: ScriptStatus) -> JobStatus {
        JobStatus::Script(status)
    }
}

impl JobStatus {
    /// Every status a name may stand for: the executions' (`Failed`), then the script
    /// tickets' (`ABNORMAL`). The two sets share no name.
    pub fn known() -> impl Iterator<Item = JobStatus> {
        let executions = Status::KNOWN.into_iter().map(JobStatus::Execution);
        executions.chain(ScriptStatus::KNOWN.into_iter().map(JobStatus::Script))
    }

    /// The status `name` of a ticket of `kind`, known or not.
    pub fn parse(kind: TicketKind, name: &str) -> JobStatus {
        match kind {
            TicketKind::Execution => JobStatus::Execution(Status::parse(name)),
            TicketKind::Script => JobStatus::Script(ScriptStatus::parse(name)),
        }
    }

    /// The known status named exactly `name`, of either kind.
    pub fn parse_known(name: &str) -> Option<JobStatus> {
        JobStatus::known().find(|status| status.as_str() == name)
    }

    pub fn as_str(&self) -> &str {
        match self {
            JobStatus::Execution(s) => s.as_str(),
            JobStatus::Script(s) => s.as_str(),
        }
    }

    /// How it is shown; an unknown status never passes for a known one.
    pub fn label(&self) -> Cow<'_, str> {
        match self {
            JobStatus::Execution(s) => s.label(),
            JobStatus::Script(s) => s.label(),
        }
    }

    pub fn is_terminal(&self) -> bool {
        match self {
            JobStatus::Execution(s) => s.is_terminal(),
            JobStatus::Script(s) => s.is_terminal(),
        }
    }

    /// Ended badly enough to need someone: `Failed`, `Timeout`, `ABNORMAL`,
    /// `ROLLBACKED` (a rollback follows a failure).
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            JobStatus::Execution(Status::Failed | Status::Timeout)
                | JobStatus::Script(ScriptStatus::Abnormal | ScriptStatus::Rollbacked)
        )
    }

    /// Finished other than with success (`wait`'s exit code 1).
    pub fn is_unsuccessful(&self) -> bool {
        match self {
            JobStatus::Execution(s) => s.is_unsuccessful(),
            JobStatus::Script(s) => s.is_unsuccessful(),
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for JobStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Client {
    /// The ticket `id` names, of either kind.
    pub async fn get_job_ticket(&self, id: &TicketRef) -> Result<JobTicket, ApiError> {
        match id.kind() {
            TicketKind::Execution => self.get_execution(id.id()).await.map(JobTicket::from),
            TicketKind::Script => self.get_script_ticket(id.id()).await.map(JobTicket::from),
        }
    }

    /// Sends `operation` on `id`, once, never retried (see `operate_execution` and
    /// `operate_script_ticket`).
    pub async fn operate_job_ticket(
        &self,
        id: &TicketRef,
        operation: JobOperation,
    ) -> Result<(), ApiError> {
        match operation {
            JobOperation::Execution(op) => self.operate_execution(id.id(), op).await,
            JobOperation::Script(op) => self.operate_script_ticket(id.id(), op).await,
        }
    }
}

/// An operation on a job ticket of either kind: `POST /v1/executions` or `PUT
/// …/{execute_uuid}/operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOperation {
    Execution(Operation),
    Script(ScriptOperation),
}

impl From<Operation> for JobOperation {
    fn from(operation: Operation) -> JobOperation {
        JobOperation::Execution(operation)
    }
}

impl From<ScriptOperation> for JobOperation {
    fn from(operation: ScriptOperation) -> JobOperation {
        JobOperation::Script(operation)
    }
}

impl JobOperation {
    /// The name sent (`RETRY`, `PAUSE_ORDER`): what prompts, logs and History show.
    pub fn as_str(self) -> &'static str {
        match self {
            JobOperation::Execution(op) => op.as_str(),
            JobOperation::Script(op) => op.operation_type(),
        }
    }

    /// The name with what it is about, in English (the CLI's words): `SKIP_BATCH`
    /// with its batch, `CANCEL_INSTANCE` with its host.
    pub fn described(self) -> String {
        match self {
            JobOperation::Script(ScriptOperation::SkipBatch { batch_index }) => {
                format!("SKIP_BATCH (batch {batch_index})")
            }
            JobOperation::Script(ScriptOperation::CancelInstance { instance_id }) => {
                format!("CANCEL_INSTANCE (host {instance_id})")
            }
            other => other.as_str().to_string(),
        }
    }

    /// The kind of ticket it is for.
    pub fn kind(self) -> TicketKind {
        match self {
            JobOperation::Execution(_) => TicketKind::Execution,
            JobOperation::Script(_) => TicketKind::Script,
        }
    }
}

impl fmt::Display for JobOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_read_alike_and_serialise_with_their_kind() {
        let mut execution = Ticket::empty("EX1");
        execution.status = Some(Status::Failed);
        execution.document_name = Some("Patch".into());
        execution.start_time = Some(5);
        let execution = JobTicket::from(execution);
        let script: ScriptTicket = serde_json::from_value(serde_json::json!({
            "execute_uuid": "JS1", "status": "ABNORMAL", "gmt_created": 7,
            "properties": {"script_name": "rotate.sh"}
        }))
        .unwrap();
        let script = JobTicket::from(script);
        assert_eq!(
            (execution.name(), execution.start_time()),
            (Some("Patch"), Some(5))
        );
        assert_eq!(
            (script.name(), script.start_time()),
            (Some("rotate.sh"), Some(7))
        );
        assert!(execution.status().unwrap().is_failure() && script.status().unwrap().is_failure());
        assert_eq!(script.reference().unwrap().to_string(), "script/JS1");
        for ticket in [execution, script] {
            let json = serde_json::to_value(&ticket).unwrap();
            assert_eq!(json["kind"], ticket.kind().as_str());
            let back: JobTicket = serde_json::from_value(json).unwrap();
            assert_eq!(back, ticket);
        }
    }

    #[test]
    fn every_fixture_ticket_survives_a_round_trip_with_its_kind() {
        for fixture in [
            "execution-realistic.json",
            "execution-unusual.json",
            "execution-nulls.json",
        ] {
            let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
            let body: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let data = body.get("data").cloned().unwrap_or(body);
            let ticket = JobTicket::from(serde_json::from_value::<Ticket>(data).unwrap());
            let text = serde_json::to_string(&ticket).unwrap();
            let back: JobTicket =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{fixture}: {e}"));
            assert_eq!(back, ticket, "{fixture}");
        }
    }

    #[test]
    fn a_ticket_whose_kind_comes_later_reads_the_same_with_its_raw_values_exact() {
        let first = r#"{"kind":"execution","execution_id":"EX1","targets":[{"key":"InstanceValues","values":[{"z":1.50,"a":"\u00e9"}]}]}"#;
        let later = r#"{"execution_id":"EX1","targets":[{"key":"InstanceValues","values":[{"z":1.50,"a":"\u00e9"}]}],"kind":"execution"}"#;
        let (first, later): (JobTicket, JobTicket) = (
            serde_json::from_str(first).unwrap(),
            serde_json::from_str(later).unwrap(),
        );
        assert_eq!(first, later);
        let targets = later
            .as_execution()
            .unwrap()
            .targets
            .as_ref()
            .unwrap()
            .list();
        assert_eq!(targets[0].values[0].get(), r#"{"z":1.50,"a":"\u00e9"}"#);
        for bad in [
            r#"{"execution_id":"EX1"}"#,
            r#"{"kind":"job","execution_id":"EX1"}"#,
        ] {
            assert!(serde_json::from_str::<JobTicket>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_names_of_the_two_kinds_never_collide() {
        let names: Vec<String> = JobStatus::known().map(|s| s.as_str().to_string()).collect();
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(
            JobStatus::parse_known("ABNORMAL"),
            Some(JobStatus::Script(ScriptStatus::Abnormal))
        );
        assert_eq!(
            JobStatus::parse_known("Canceled"),
            Some(JobStatus::Execution(Status::Canceled))
        );
        assert_eq!(JobStatus::parse_known("abnormal"), None);
    }
}
