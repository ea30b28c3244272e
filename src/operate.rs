//! What an operation on a ticket means to the person sending it: which operations a
//! ticket's status and type allow, how a confirmation names it, and how it is logged.
//! The same for `coctop retry|terminate|resume|skip-batch` and the dashboard.

use crate::coc::{ApiError, ExecutionType, Operation, Status, Ticket};
use crate::text::sanitize;

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

/// What a confirmation shows: the action, the execution ID, the job and the current
/// status. Server text is sanitised here, for display.
pub fn describe(operation: Operation, ticket: &Ticket) -> String {
    let job = ticket.document_name.as_deref().unwrap_or("-");
    let status = ticket.status.as_ref().map_or("unknown", Status::as_str);
    format!(
        "{} {}  job {}  status {}",
        operation.as_str(),
        sanitize(&ticket.execution_id),
        sanitize(job),
        sanitize(status)
    )
}

/// How one operation ended, for the log file and the History tab.
#[derive(Debug, Clone, PartialEq)]
pub enum OperationOutcome {
    Accepted,
    /// Sent, and answered with an error.
    Refused(ApiError),
    /// Never sent: the user said no.
    Declined,
    /// Never sent: read-only.
    ReadOnly,
}

impl OperationOutcome {
    pub fn as_text(&self) -> String {
        match self {
            OperationOutcome::Accepted => "accepted".into(),
            OperationOutcome::Refused(e) => format!("refused: {e}"),
            OperationOutcome::Declined => "not sent: declined".into(),
            OperationOutcome::ReadOnly => "not sent: read-only".into(),
        }
    }
}

/// One line in the log file per operation, whatever became of it.
pub fn log(operation: Operation, execution_id: &str, outcome: &OperationOutcome) {
    let op = operation.as_str();
    let what = outcome.as_text();
    match outcome {
        OperationOutcome::Accepted => {
            tracing::info!(target: "coctop::operate", "{op} {execution_id}: {what}")
        }
        _ => tracing::warn!(target: "coctop::operate", "{op} {execution_id}: {what}"),
    }
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
    fn a_description_names_action_id_job_and_status_sanitised() {
        let mut t = ticket("Failed", "NORMAL");
        t.document_name = Some("Patch\u{1b}[2J kernel".into());
        assert_eq!(
            describe(Operation::Retry, &t),
            "RETRY EX1  job Patch kernel  status Failed"
        );
    }
}
