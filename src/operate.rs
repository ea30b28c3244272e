//! What an operation on a ticket means to the person sending it: which operations a
//! ticket's status and type allow, how a confirmation names it, and how it is logged.
//! The same for `coctop retry|terminate|resume|skip-batch` and the dashboard.

use crate::coc::{ApiError, ErrorKind, ExecutionType, Operation, Status, Ticket};
use crate::text;

pub const ALL: [Operation; 4] = [
    Operation::Retry,
    Operation::Terminate,
    Operation::Resume,
    Operation::SkipBatch,
];

/// Whether `operation` makes sense for a ticket in `status` of `kind`, from the raw
/// values the server sent. The server has the last word; this only keeps pointless
/// choices off the menu. An unknown status offers nothing.
pub fn applies(operation: Operation, status: &Status, kind: Option<&ExecutionType>) -> bool {
    match operation {
        Operation::Retry => matches!(status, Status::Failed | Status::Timeout),
        Operation::Terminate => matches!(status, Status::Pending | Status::Running),
        // `Pending` is documented as "suspended": a paused ticket shows it.
        Operation::Resume => *status == Status::Pending,
        Operation::SkipBatch => *status == Status::Running && kind == Some(&ExecutionType::Batch),
    }
}

/// The operations a ticket allows now, in menu order.
pub fn offered(ticket: &Ticket) -> Vec<Operation> {
    let Some(status) = &ticket.status else {
        return Vec::new();
    };
    ALL.into_iter()
        .filter(|&op| applies(op, status, ticket.execution_type.as_ref()))
        .collect()
}

/// TERMINATE cannot be undone: it is confirmed by typing a word, not a key.
pub fn needs_typed_confirmation(operation: Operation) -> bool {
    operation == Operation::Terminate
}

/// The word TERMINATE's confirmation asks for.
pub const TERMINATE_WORD: &str = "terminate";

/// What counts as a yes: `y` alone; for TERMINATE the word or the execution ID typed out.
pub fn confirmed(operation: Operation, execution_id: &str, answer: &str) -> bool {
    if needs_typed_confirmation(operation) {
        answer == TERMINATE_WORD || answer == execution_id
    } else {
        answer == "y"
    }
}

/// A job name in a confirmation is cut here (terminal columns), so that the action,
/// the ID and the question always show.
pub const JOB_WIDTH: usize = 60;
/// An execution ID in a confirmation or a log line is cut here; a valid one is shorter.
pub const ID_WIDTH: usize = 128;

/// What a confirmation shows: the action, the execution ID, the job (cut) and the
/// current status. Server text is sanitised here, for display.
pub fn describe(operation: Operation, ticket: &Ticket) -> String {
    let job = ticket.document_name.as_deref().unwrap_or("-");
    let status = ticket
        .status
        .as_ref()
        .map_or_else(|| "unknown".into(), Status::label);
    format!(
        "{} {}  job {}  status {status}",
        operation.as_str(),
        text::cell(&ticket.execution_id, ID_WIDTH),
        text::cell(job, JOB_WIDTH),
    )
}

/// How one operation ended, for the log file and the History tab.
#[derive(Debug, Clone, PartialEq)]
pub enum OperationOutcome {
    Accepted,
    /// Sent, and answered with a clear no.
    Refused(ApiError),
    /// Sent, and no clear answer came (a time-out, a dropped connection, a 5xx): it
    /// may or may not have happened.
    Unknown(ApiError),
    /// Never sent: the user said no.
    Declined,
    /// Never sent: read-only.
    ReadOnly,
}

impl OperationOutcome {
    /// The outcome of an operation that was sent and answered with `result`.
    pub fn of(result: &Result<(), ApiError>) -> OperationOutcome {
        match result {
            Ok(()) => OperationOutcome::Accepted,
            // Stopped where requests leave: never sent.
            Err(ApiError::ReadOnly) => OperationOutcome::ReadOnly,
            Err(e) if outcome_unknown(e) => OperationOutcome::Unknown(e.clone()),
            Err(e) => OperationOutcome::Refused(e.clone()),
        }
    }

    pub fn as_text(&self) -> String {
        match self {
            OperationOutcome::Accepted => "accepted".into(),
            OperationOutcome::Refused(e) => format!("refused: {e}"),
            OperationOutcome::Unknown(e) => format!(
                "outcome unknown: {e}; it may have happened: look at the ticket before \
                 sending it again"
            ),
            OperationOutcome::Declined => "not sent: declined".into(),
            OperationOutcome::ReadOnly => "not sent: read-only".into(),
        }
    }
}

/// A failure after which nobody knows whether the server acted: a time-out, a
/// connection lost, a server or gateway error.
pub fn outcome_unknown(error: &ApiError) -> bool {
    matches!(error.kind(), ErrorKind::Server | ErrorKind::Network)
}

/// The title of the dashboard's notice about a failed operation.
pub fn failure_title(operation: Operation, error: &ApiError) -> String {
    let op = operation.as_str();
    if outcome_unknown(error) {
        format!("{op}: outcome unknown")
    } else {
        format!("{op} refused")
    }
}

/// One line in the log file per operation attempt, whatever became of it. Server text
/// is escaped so that it can neither forge a line nor reach a terminal that shows the
/// log raw.
pub fn log(operation: Operation, execution_id: &str, outcome: &OperationOutcome) {
    let line = log_line(operation, execution_id, outcome);
    match outcome {
        OperationOutcome::Accepted => tracing::info!(target: "coctop::operate", "{line}"),
        _ => tracing::warn!(target: "coctop::operate", "{line}"),
    }
}

/// `RETRY EX…: accepted`, every control or invisible character written out.
fn log_line(operation: Operation, execution_id: &str, outcome: &OperationOutcome) -> String {
    format!(
        "{} {}: {}",
        operation.as_str(),
        text::fit(&text::reveal(execution_id), ID_WIDTH),
        text::reveal(&outcome.as_text())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(status: &str, kind: &str) -> Ticket {
        let mut t = Ticket::empty("EX1");
        t.status = Some(Status::parse(status));
        t.execution_type = Some(ExecutionType::parse(kind));
        t
    }

    #[test]
    fn only_operations_that_fit_the_status_and_type_are_offered() {
        use Operation::*;
        let cases: [(&str, &str, &[Operation]); 9] = [
            ("Failed", "NORMAL", &[Retry]),
            ("Timeout", "BATCH", &[Retry]),
            ("Running", "NORMAL", &[Terminate]),
            ("Running", "RATE_CONTROL", &[Terminate]),
            ("Running", "BATCH", &[Terminate, SkipBatch]),
            ("Pending", "BATCH", &[Terminate, Resume]),
            ("Canceling", "NORMAL", &[]),
            ("Succeed", "BATCH", &[]),
            ("Paused", "NORMAL", &[]),
        ];
        for (status, kind, want) in cases {
            assert_eq!(offered(&ticket(status, kind)), want, "{status} {kind}");
        }
        assert!(offered(&Ticket::empty("EX2")).is_empty(), "not loaded yet");
    }

    #[test]
    fn only_y_or_the_typed_word_confirms() {
        assert!(confirmed(Operation::Retry, "EX1", "y"));
        for no in ["", "Y", "yes", "n", " y", "terminate"] {
            assert!(!confirmed(Operation::Retry, "EX1", no), "{no:?}");
        }
        assert!(confirmed(Operation::Terminate, "EX1", "terminate"));
        assert!(confirmed(Operation::Terminate, "EX1", "EX1"));
        for no in ["y", "Terminate", "EX", "EX1 "] {
            assert!(!confirmed(Operation::Terminate, "EX1", no), "{no:?}");
        }
    }

    #[test]
    fn a_log_line_is_one_line_whatever_the_server_sent() {
        let forged =
            "EX1\n2025-07-01T00:00:00Z  INFO coctop::operate: RETRY EX2: accepted\u{1b}[2J";
        let refused = OperationOutcome::Refused(ApiError::Http {
            status: 400,
            error_code: Some("C\r\nX".into()),
            error_msg: Some("no\u{1b}]0;title\u{7}".into()),
            request_id: None,
            excerpt: None,
            retry_after: None,
        });
        for outcome in [OperationOutcome::Accepted, refused] {
            let line = log_line(Operation::Retry, forged, &outcome);
            assert!(!line.chars().any(char::is_control), "{line:?}");
            assert!(line.starts_with("RETRY EX1\\u{a}2025"), "{line}");
        }
    }

    #[test]
    fn a_long_job_name_is_cut_so_action_id_and_status_show() {
        let mut t = ticket("Failed", "NORMAL");
        t.document_name = Some("x".repeat(10_000));
        let text = describe(Operation::Retry, &t);
        assert!(text.starts_with("RETRY EX1  job xxx"), "{text}");
        assert!(text.ends_with("status Failed"), "{text}");
        assert!(text.chars().count() < 120, "{}", text.chars().count());
    }

    #[test]
    fn time_outs_dropped_connections_and_5xx_leave_the_outcome_unknown() {
        let http = |status| ApiError::Http {
            status,
            error_code: None,
            error_msg: None,
            request_id: None,
            excerpt: None,
            retry_after: None,
        };
        let timeout = ApiError::Timeout {
            after: std::time::Duration::from_secs(15),
        };
        let dropped = ApiError::Network {
            detail: "connection reset".into(),
        };
        for error in [timeout, dropped, http(502), http(500)] {
            let outcome = OperationOutcome::of(&Err(error.clone()));
            assert!(matches!(outcome, OperationOutcome::Unknown(_)), "{error}");
            assert!(outcome.as_text().contains("may have happened"));
            assert!(failure_title(Operation::Retry, &error).contains("unknown"));
        }
        assert!(matches!(
            OperationOutcome::of(&Err(http(400))),
            OperationOutcome::Refused(_)
        ));
        assert_eq!(failure_title(Operation::Retry, &http(400)), "RETRY refused");
    }

    #[test]
    fn a_description_names_action_id_job_and_status_sanitised() {
        let mut t = ticket("Failed", "NORMAL");
        t.document_name = Some("Patch\u{1b}[2J kernel".into());
        assert_eq!(
            describe(Operation::Retry, &t),
            "RETRY EX1  job Patch kernel  status Failed"
        );
    }
}
