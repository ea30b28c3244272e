//! What an operation on a ticket means to the person sending it: which operations a
//! ticket's status (and type) allow, how a confirmation names one, and how it is
//! logged. The same for the operation commands (`coctop retry|terminate|resume|
//! skip-batch` on executions, `coctop pause|continue|cancel|skip-batch|cancel-host` on
//! script tickets) and the dashboard.

use crate::coc::{
    ApiError, ErrorKind, ExecutionType, HeldBack, JobOperation, JobTicket, Operation,
    ScriptOperation, ScriptStatus, Status, TicketKind, TicketRef,
};
use crate::text;

/// The operations on an execution, in menu order.
pub const ALL: [Operation; 4] = [
    Operation::Retry,
    Operation::Terminate,
    Operation::Resume,
    Operation::SkipBatch,
];

/// Whether `operation` makes sense for an execution in `status` of `kind`, from the raw
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

/// The operations a ticket allows now, in menu order. A script ticket's SKIP_BATCH
/// names the batch it is at; canceling one host is offered on the host, not here.
pub fn offered(ticket: &JobTicket) -> Vec<JobOperation> {
    match ticket {
        JobTicket::Execution(ticket) => {
            let Some(status) = &ticket.status else {
                return Vec::new();
            };
            ALL.into_iter()
                .filter(|&op| applies(op, status, ticket.execution_type.as_ref()))
                .map(JobOperation::Execution)
                .collect()
        }
        JobTicket::Script(ticket) => {
            let Some(status) = &ticket.status else {
                return Vec::new();
            };
            let current_batch = ticket.properties.current_execute_batch_index;
            [
                Some(ScriptOperation::PauseOrder),
                Some(ScriptOperation::ContinueOrder),
                Some(ScriptOperation::CancelOrder),
                current_batch.map(|batch_index| ScriptOperation::SkipBatch { batch_index }),
            ]
            .into_iter()
            .flatten()
            .filter(|op| op.allowed_for(status))
            .map(JobOperation::Script)
            .collect()
        }
    }
}

/// Whether canceling host `status` of a script ticket in `ticket_status` makes sense:
/// the ticket takes it and the host has not finished.
pub fn host_cancelable(ticket_status: &ScriptStatus, host_status: Option<&ScriptStatus>) -> bool {
    ScriptOperation::CancelInstance { instance_id: 0 }.allowed_for(ticket_status)
        && !host_status.is_some_and(ScriptStatus::is_terminal)
}

/// The word an operation that cannot be undone is confirmed with (typed out, not a
/// key): TERMINATE's and CANCEL_ORDER's. `None`: `y` confirms it.
pub fn typed_word(operation: JobOperation) -> Option<&'static str> {
    match operation {
        JobOperation::Execution(Operation::Terminate) => Some(TERMINATE_WORD),
        JobOperation::Script(ScriptOperation::CancelOrder) => Some(CANCEL_WORD),
        _ => None,
    }
}

/// The word TERMINATE's confirmation asks for.
pub const TERMINATE_WORD: &str = "terminate";
/// The word CANCEL_ORDER's confirmation asks for.
pub const CANCEL_WORD: &str = "cancel";

/// What counts as a yes: `y` alone; for an operation with a typed word, the word or the
/// ticket's ID typed out (as written, `script/UUID`, or bare).
pub fn confirmed(operation: JobOperation, id: &TicketRef, answer: &str) -> bool {
    match typed_word(operation) {
        Some(word) => answer == word || *id == *answer || answer == id.id(),
        None => answer == "y",
    }
}

/// A job or script name in a confirmation is cut here (terminal columns), so that the
/// action, the ID and the question always show.
pub const JOB_WIDTH: usize = 60;
/// A ticket's ID in a confirmation or a log line is cut here; a valid one is shorter.
pub const ID_WIDTH: usize = 128;

/// Where an operation goes, when the config has profiles to tell apart: named in the
/// confirmation and the log line as `profile prod (cn-north-4, account 0123…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub profile: String,
    /// The region, or the endpoint's URL.
    pub endpoint: String,
    /// The account ID sent as `X-Domain-Id`, when one is.
    pub account: Option<String>,
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cut = |text: &str| text::cell(text, ID_WIDTH).trim_end().to_string();
        write!(f, "profile {} ({}", cut(&self.profile), cut(&self.endpoint))?;
        if let Some(account) = &self.account {
            write!(f, ", account {}", cut(account))?;
        }
        f.write_str(")")
    }
}

/// What a confirmation shows: the action, the ticket's reference, its job or script
/// (cut), its current status, and where it goes when there are profiles. Server text
/// is sanitised here, for display.
pub fn describe(operation: JobOperation, ticket: &JobTicket, to: Option<&Destination>) -> String {
    let what = match ticket {
        JobTicket::Execution(_) => "job",
        JobTicket::Script(_) => "script",
    };
    let status = ticket
        .status()
        .map_or_else(|| "unknown".into(), |s| s.label().into_owned());
    let id = TicketRef::listed(ticket.kind(), ticket.id()).to_string();
    let mut text = format!(
        "{} {}  {what} {}  status {status}",
        operation.described(),
        text::cell(&id, ID_WIDTH),
        text::cell(ticket.name().unwrap_or("-"), JOB_WIDTH),
    );
    if let Some(to) = to {
        text.push_str(&format!("  {to}"));
    }
    text
}

/// What an operation command was asked to do, before the ticket (fetched first) says
/// which operation that is: `skip-batch` on a script ticket skips the batch given, else
/// the one it is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Retry,
    Terminate,
    Resume,
    SkipBatch { batch: Option<u32> },
    Pause,
    Continue,
    Cancel,
    CancelHost { host: i64 },
}

impl Verb {
    /// The operation's name as sent (`SKIP_BATCH` for both kinds), for messages and
    /// the log before the ticket is known.
    pub fn operation_name(self) -> &'static str {
        match self {
            Verb::Retry => "RETRY",
            Verb::Terminate => "TERMINATE",
            Verb::Resume => "RESUME",
            Verb::SkipBatch { .. } => "SKIP_BATCH",
            Verb::Pause => "PAUSE_ORDER",
            Verb::Continue => "CONTINUE_ORDER",
            Verb::Cancel => "CANCEL_ORDER",
            Verb::CancelHost { .. } => "CANCEL_INSTANCE",
        }
    }

    /// Whether a ticket of `kind` takes it at all; why not, naming what it takes.
    pub fn takes(self, kind: TicketKind) -> Result<(), String> {
        use Verb::*;
        match (self, kind) {
            (Pause | Continue | Cancel | CancelHost { .. }, TicketKind::Execution) => Err(format!(
                "{} is for script tickets (script/UUID); an execution takes retry, \
                     terminate, resume, skip-batch",
                self.operation_name()
            )),
            (Retry | Terminate | Resume, TicketKind::Script) => Err(format!(
                "{} is for executions; a script ticket takes pause, continue, cancel, \
                 skip-batch, cancel-host",
                self.operation_name()
            )),
            (SkipBatch { batch: Some(_) }, TicketKind::Execution) => {
                Err("--batch is for script tickets: an execution skips its running batch".into())
            }
            _ => Ok(()),
        }
    }

    /// The operation it is on `ticket`, as the ticket is now; why there is none (a
    /// script ticket at no batch, with no `--batch` given).
    pub fn operation(self, ticket: &JobTicket) -> Result<JobOperation, String> {
        self.takes(ticket.kind())?;
        Ok(match (self, ticket) {
            (Verb::Retry, _) => Operation::Retry.into(),
            (Verb::Terminate, _) => Operation::Terminate.into(),
            (Verb::Resume, _) => Operation::Resume.into(),
            (Verb::SkipBatch { .. }, JobTicket::Execution(_)) => Operation::SkipBatch.into(),
            (Verb::SkipBatch { batch }, JobTicket::Script(t)) => {
                let at = t.properties.current_execute_batch_index;
                let batch_index = batch
                    .or(at)
                    .ok_or("the ticket is at no batch: give the batch to skip with --batch N")?;
                ScriptOperation::SkipBatch { batch_index }.into()
            }
            (Verb::Pause, _) => ScriptOperation::PauseOrder.into(),
            (Verb::Continue, _) => ScriptOperation::ContinueOrder.into(),
            (Verb::Cancel, _) => ScriptOperation::CancelOrder.into(),
            (Verb::CancelHost { host }, _) => {
                ScriptOperation::CancelInstance { instance_id: host }.into()
            }
        })
    }
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
    /// Never sent: held back.
    NotSent(HeldBack),
}

impl OperationOutcome {
    /// The outcome of an operation that was sent and answered with `result`.
    pub fn of(result: &Result<(), ApiError>) -> OperationOutcome {
        match result {
            Ok(()) => OperationOutcome::Accepted,
            // Stopped where requests leave: never sent.
            Err(ApiError::ReadOnly) => OperationOutcome::ReadOnly,
            Err(ApiError::NotSent(why)) => OperationOutcome::NotSent(why.clone()),
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
            OperationOutcome::NotSent(why) => format!("not sent: {why}"),
        }
    }
}

/// A failure after which nobody knows whether the server acted: a time-out, a
/// connection lost, a server or gateway error.
pub fn outcome_unknown(error: &ApiError) -> bool {
    matches!(error.kind(), ErrorKind::Server | ErrorKind::Network)
}

/// The title of the dashboard's notice about a failed operation.
pub fn failure_title(operation: JobOperation, error: &ApiError) -> String {
    let op = operation.as_str();
    if outcome_unknown(error) {
        format!("{op}: outcome unknown")
    } else {
        format!("{op} refused")
    }
}

/// One line in the log file per operation attempt, whatever became of it; `op` names
/// it as `action` does (or a command's `Verb` before the ticket told which batch).
/// Server text is escaped so that it can neither forge a line nor reach a terminal
/// that shows the log raw.
pub fn log(op: &str, id: &TicketRef, to: Option<&Destination>, outcome: &OperationOutcome) {
    let line = log_line(op, id, to, outcome);
    match outcome {
        OperationOutcome::Accepted => tracing::info!(target: "coctop::operate", "{line}"),
        _ => tracing::warn!(target: "coctop::operate", "{line}"),
    }
}

/// One operation attempt as the log file records it: the operation (as `log` names
/// it), the ticket, where it goes when the config names profiles, and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub op: String,
    pub id: TicketRef,
    pub to: Option<Destination>,
    pub outcome: OperationOutcome,
}

impl Attempt {
    /// Its line in the log file.
    pub fn log(&self) {
        log(&self.op, &self.id, self.to.as_ref(), &self.outcome);
    }
}

/// `RETRY EX… (profile prod (cn-north-4)): accepted`, every control or invisible
/// character written out.
fn log_line(
    op: &str,
    id: &TicketRef,
    to: Option<&Destination>,
    outcome: &OperationOutcome,
) -> String {
    let to = to.map(|to| format!(" ({to})")).unwrap_or_default();
    format!(
        "{} {}{}: {}",
        text::reveal(op),
        text::fit(&text::reveal(&id.to_string()), ID_WIDTH),
        text::reveal(&to),
        text::reveal(&outcome.as_text())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::{ScriptTicket, Ticket};

    fn ticket(status: &str, kind: &str) -> JobTicket {
        let mut t = Ticket::empty("EX1");
        t.status = Some(Status::parse(status));
        t.execution_type = Some(ExecutionType::parse(kind));
        JobTicket::from(t)
    }

    fn script(status: &str, batch: Option<u32>) -> JobTicket {
        let mut t: ScriptTicket = serde_json::from_value(serde_json::json!({
            "execute_uuid": "JS1", "status": status
        }))
        .unwrap();
        t.properties.current_execute_batch_index = batch;
        JobTicket::from(t)
    }

    fn id(text: &str) -> TicketRef {
        TicketRef::parse(text).unwrap()
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
            let want: Vec<JobOperation> = want.iter().map(|&op| op.into()).collect();
            assert_eq!(offered(&ticket(status, kind)), want, "{status} {kind}");
        }
        assert!(offered(&JobTicket::from(Ticket::empty("EX2"))).is_empty());
    }

    #[test]
    fn a_script_ticket_is_offered_what_its_status_allows_and_skips_its_current_batch() {
        use ScriptOperation::*;
        let names = |t: &JobTicket| -> Vec<String> {
            offered(t)
                .into_iter()
                .map(JobOperation::described)
                .collect()
        };
        assert_eq!(
            names(&script("PROCESSING", Some(2))),
            ["PAUSE_ORDER", "CANCEL_ORDER", "SKIP_BATCH (batch 2)"]
        );
        assert_eq!(
            names(&script("PAUSED", None)),
            ["CONTINUE_ORDER", "CANCEL_ORDER"]
        );
        assert_eq!(names(&script("READY", Some(1))), ["CANCEL_ORDER"]);
        for done in ["FINISHED", "ABNORMAL", "CANCELED", "ROLLBACKED", "WHATEVER"] {
            assert!(offered(&script(done, Some(1))).is_empty(), "{done}");
        }
        assert!(host_cancelable(
            &ScriptStatus::Paused,
            Some(&ScriptStatus::Processing)
        ));
        assert!(!host_cancelable(
            &ScriptStatus::Paused,
            Some(&ScriptStatus::Finished)
        ));
        assert!(!host_cancelable(&ScriptStatus::Finished, None));
        assert_eq!(typed_word(CancelOrder.into()), Some("cancel"));
        assert_eq!(typed_word(PauseOrder.into()), None);
    }

    #[test]
    fn a_command_s_verb_becomes_the_operation_its_ticket_takes() {
        let skip = Verb::SkipBatch { batch: None };
        assert_eq!(
            skip.operation(&script("PROCESSING", Some(2))),
            Ok(ScriptOperation::SkipBatch { batch_index: 2 }.into())
        );
        assert_eq!(
            Verb::SkipBatch { batch: Some(5) }.operation(&script("PAUSED", Some(2))),
            Ok(ScriptOperation::SkipBatch { batch_index: 5 }.into())
        );
        assert!(
            skip.operation(&script("PAUSED", None))
                .unwrap_err()
                .contains("--batch")
        );
        assert_eq!(
            skip.operation(&ticket("Running", "BATCH")),
            Ok(Operation::SkipBatch.into())
        );
        assert!(
            Verb::SkipBatch { batch: Some(1) }
                .takes(TicketKind::Execution)
                .is_err()
        );
        assert!(
            Verb::Pause
                .takes(TicketKind::Execution)
                .unwrap_err()
                .contains("script/UUID")
        );
        assert!(
            Verb::Retry
                .takes(TicketKind::Script)
                .unwrap_err()
                .contains("pause")
        );
        assert_eq!(
            Verb::CancelHost { host: 9 }.operation(&script("PAUSED", Some(1))),
            Ok(ScriptOperation::CancelInstance { instance_id: 9 }.into())
        );
    }

    #[test]
    fn only_y_or_the_typed_word_confirms() {
        let ex = id("EX1");
        assert!(confirmed(Operation::Retry.into(), &ex, "y"));
        for no in ["", "Y", "yes", "n", " y", "terminate"] {
            assert!(!confirmed(Operation::Retry.into(), &ex, no), "{no:?}");
        }
        let terminate = Operation::Terminate.into();
        assert!(confirmed(terminate, &ex, "terminate"));
        assert!(confirmed(terminate, &ex, "EX1"));
        for no in ["y", "Terminate", "EX", "EX1 "] {
            assert!(!confirmed(terminate, &ex, no), "{no:?}");
        }
        let js = id("script/JS1");
        let cancel = ScriptOperation::CancelOrder.into();
        for yes in ["cancel", "script/JS1", "JS1"] {
            assert!(confirmed(cancel, &js, yes), "{yes:?}");
        }
        for no in ["y", "terminate", "script/JS"] {
            assert!(!confirmed(cancel, &js, no), "{no:?}");
        }
        assert!(confirmed(ScriptOperation::PauseOrder.into(), &js, "y"));
    }

    #[test]
    fn a_log_line_is_one_line_whatever_the_server_sent() {
        let forged =
            "EX1\n2025-07-01T00:00:00Z  INFO coctop::operate: RETRY EX2: accepted\u{1b}[2J";
        let forged = TicketRef::listed(TicketKind::Execution, forged);
        let refused = OperationOutcome::Refused(ApiError::Http {
            status: 400,
            error_code: Some("C\r\nX".into()),
            error_msg: Some("no\u{1b}]0;title\u{7}".into()),
            request_id: None,
            excerpt: None,
            retry_after: None,
        });
        for outcome in [OperationOutcome::Accepted, refused] {
            let line = log_line("RETRY", &forged, None, &outcome);
            assert!(!line.chars().any(char::is_control), "{line:?}");
            assert!(line.starts_with("RETRY EX1\\u{a}2025"), "{line}");
        }
    }

    #[test]
    fn the_confirmation_and_the_log_line_name_the_profile_account_and_region() {
        let to = Destination {
            profile: "prod".into(),
            endpoint: "cn-north-4".into(),
            account: Some("0123abcd".into()),
        };
        let text = describe(
            Operation::Retry.into(),
            &ticket("Failed", "NORMAL"),
            Some(&to),
        );
        assert!(
            text.ends_with("status Failed  profile prod (cn-north-4, account 0123abcd)"),
            "{text}"
        );
        let line = log_line(
            "RETRY",
            &TicketRef::listed(TicketKind::Execution, "EX1"),
            Some(&to),
            &OperationOutcome::Accepted,
        );
        assert_eq!(
            line,
            "RETRY EX1 (profile prod (cn-north-4, account 0123abcd)): accepted"
        );
    }

    #[test]
    fn a_long_job_name_is_cut_so_action_id_and_status_show() {
        let JobTicket::Execution(mut t) = ticket("Failed", "NORMAL") else {
            unreachable!()
        };
        t.document_name = Some("x".repeat(10_000));
        let text = describe(Operation::Retry.into(), &t.into(), None);
        assert!(text.starts_with("RETRY EX1  job xxx"), "{text}");
        assert!(text.ends_with("status Failed"), "{text}");
        assert!(text.chars().count() < 120, "{}", text.chars().count());
    }

    #[test]
    fn time_outs_dropped_connections_and_5xx_leave_the_outcome_unknown() {
        let http = ApiError::bare_http;
        let timeout = ApiError::Timeout {
            after: std::time::Duration::from_secs(15),
        };
        let dropped = ApiError::Network {
            detail: "connection reset".into(),
        };
        let retry = Operation::Retry.into();
        for error in [timeout, dropped, http(502), http(500)] {
            let outcome = OperationOutcome::of(&Err(error.clone()));
            assert!(matches!(outcome, OperationOutcome::Unknown(_)), "{error}");
            assert!(outcome.as_text().contains("may have happened"));
            assert!(failure_title(retry, &error).contains("unknown"));
        }
        assert!(matches!(
            OperationOutcome::of(&Err(http(400))),
            OperationOutcome::Refused(_)
        ));
        assert_eq!(failure_title(retry, &http(400)), "RETRY refused");
        let pause = ScriptOperation::PauseOrder.into();
        assert_eq!(failure_title(pause, &http(400)), "PAUSE_ORDER refused");
    }

    #[test]
    fn a_description_names_action_id_job_and_status_sanitised() {
        let JobTicket::Execution(mut t) = ticket("Failed", "NORMAL") else {
            unreachable!()
        };
        t.document_name = Some("Patch\u{1b}[2J kernel".into());
        assert_eq!(
            describe(Operation::Retry.into(), &t.into(), None),
            "RETRY EX1  job Patch kernel  status Failed"
        );
        let skip = ScriptOperation::SkipBatch { batch_index: 3 }.into();
        assert_eq!(
            describe(skip, &script("PAUSED", Some(3)), None),
            "SKIP_BATCH (batch 3) script/JS1  script -  status PAUSED"
        );
    }
}
