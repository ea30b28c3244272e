//! The JSON lines coctop writes for machines, one schema for all: `wait --output jsonl`
//! and `serve`'s `/events`. Each line is one object with `schema` (this version) and
//! `event`: `seen`, `changed`, `error`, `throttled`, `done` (`wait`), or `lagged`
//! (`/events`: a reader that fell behind). Values are the raw ones the server sent,
//! JSON-escaped; times are RFC 3339 in UTC to the millisecond.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Value, json};

use crate::coc::{ApiError, JobStatus, TicketKind};
use crate::format;

/// The version of every object written here; it grows when a field changes meaning
/// or goes away (new fields may appear without it).
pub const SCHEMA: u32 = 1;

/// A ticket's status seen for the first time (`seen`, `from` null) or changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<'a> {
    #[serde(skip)]
    pub at: SystemTime,
    /// The profile, where there are profiles to tell apart (`/events`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<&'a str>,
    #[serde(serialize_with = "kind_name")]
    pub kind: TicketKind,
    pub id: &'a str,
    pub name: &'a str,
    #[serde(serialize_with = "maybe_status_name")]
    pub from: Option<&'a JobStatus>,
    #[serde(serialize_with = "status_name")]
    pub to: &'a JobStatus,
}

/// A change as one line (with its newline).
pub fn change(change: &Change) -> String {
    let event = if change.from.is_none() {
        "seen"
    } else {
        "changed"
    };
    line(event, change.at, change)
}

/// A request for ticket `id` failed (the wait goes on while the engine backs off).
pub fn error(at: SystemTime, kind: TicketKind, id: &str, error: &ApiError) -> String {
    #[derive(Serialize)]
    struct Failed<'a> {
        kind: &'a str,
        id: &'a str,
        error: Value,
    }
    let body = Failed {
        kind: kind.as_str(),
        id,
        error: error_object(error),
    };
    line("error", at, &body)
}

/// The endpoint answered 429: nothing is sent before `until`.
pub fn throttled(at: SystemTime, until: SystemTime, error: &ApiError) -> String {
    #[derive(Serialize)]
    struct Throttled {
        until: String,
        error: Value,
    }
    let body = Throttled {
        until: format::rfc3339_utc(until),
        error: error_object(error),
    };
    line("throttled", at, &body)
}

/// The end: the exit code and its meaning, and why when not every ticket was seen to
/// its end.
pub fn done(at: SystemTime, exit: u8, result: &str, message: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Done<'a> {
        exit: u8,
        result: &'a str,
        message: Option<&'a str>,
    }
    let body = Done {
        exit,
        result,
        message,
    };
    line("done", at, &body)
}

/// A reader of `/events` fell behind and lost `missed` changes.
pub fn lagged(at: SystemTime, missed: u64) -> String {
    #[derive(Serialize)]
    struct Lagged {
        missed: u64,
    }
    line("lagged", at, &Lagged { missed })
}

/// An API error as `get --output json` writes it.
pub fn error_object(error: &ApiError) -> Value {
    json!({
        "message": error.to_string(),
        "kind": format!("{:?}", error.kind()),
        "http_status": error.http_status(),
        "error_code": error.error_code(),
        "request_id": error.request_id(),
    })
}

fn kind_name<S: serde::Serializer>(kind: &TicketKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.as_str())
}

/// A status as the server sent it.
fn status_name<S: serde::Serializer>(status: &&JobStatus, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(status.as_str())
}

fn maybe_status_name<S: serde::Serializer>(
    status: &Option<&JobStatus>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match status {
        Some(status) => s.serialize_str(status.as_str()),
        None => s.serialize_none(),
    }
}

/// `schema`, `event` and `time` first, then the event's own fields; one line.
fn line(event: &str, at: SystemTime, body: &impl Serialize) -> String {
    #[derive(Serialize)]
    struct Line<'a, B> {
        schema: u32,
        event: &'a str,
        time: String,
        #[serde(flatten)]
        body: &'a B,
    }
    let line = Line {
        schema: SCHEMA,
        event,
        time: format::rfc3339_utc(at),
        body,
    };
    // Strings, numbers and a `Value`: nothing here fails to serialise.
    let mut text = serde_json::to_string(&line).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::coc::Status;

    const AT: SystemTime = SystemTime::UNIX_EPOCH;

    fn parsed(line: &str) -> Value {
        assert!(
            line.ends_with('\n') && !line.trim_end().contains('\n'),
            "{line:?}"
        );
        serde_json::from_str(line).unwrap()
    }

    #[test]
    fn a_first_sight_is_seen_and_a_change_changed_with_the_profile_only_when_given() {
        let at = AT + Duration::from_millis(1_751_374_905_123);
        let mut change = Change {
            at,
            profile: None,
            kind: TicketKind::Execution,
            id: "EX1",
            name: "Restart \"app\"",
            from: None,
            to: &JobStatus::Execution(Status::Running),
        };
        assert_eq!(
            parsed(&super::change(&change)),
            json!({"schema": 1, "event": "seen", "time": "2025-07-01T13:01:45.123Z",
                   "kind": "execution", "id": "EX1", "name": "Restart \"app\"",
                   "from": null, "to": "Running"})
        );
        change.profile = Some("prod");
        let (running, failed) = (Status::Running.into(), Status::Failed.into());
        change.from = Some(&running);
        change.to = &failed;
        let value = parsed(&super::change(&change));
        assert_eq!(
            (
                &value["event"],
                &value["profile"],
                &value["from"],
                &value["to"]
            ),
            (
                &json!("changed"),
                &json!("prod"),
                &json!("Running"),
                &json!("Failed")
            )
        );
    }

    #[test]
    fn errors_carry_what_support_needs() {
        let error = ApiError::Http {
            status: 503,
            error_code: Some("APIG.0202".into()),
            error_msg: Some("busy".into()),
            request_id: Some("r-1".into()),
            excerpt: None,
            retry_after: None,
        };
        let value = parsed(&super::error(AT, TicketKind::Execution, "EX1", &error));
        assert_eq!(value["event"], "error");
        assert_eq!(value["error"]["http_status"], 503);
        assert_eq!(value["error"]["error_code"], "APIG.0202");
        assert_eq!(value["error"]["request_id"], "r-1");
    }
}
