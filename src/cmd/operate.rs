//! `coctop retry|terminate|resume|skip-batch ID... [--yes]`: one operation on each
//! ticket, in order. Each ticket is fetched first so that the question names its job and
//! status; on a terminal nothing is sent before the user confirms; without one, only
//! with `--yes`. Operations are never retried, never sent in read-only mode, and each
//! one is a line in the log file.

use std::io::{BufRead, IsTerminal};

use super::{
    Globals, ask, init_logging, output, prepare_with_runtime, read_only_reason, report, usage_error,
};
use crate::coc::{ApiError, Client, Operation, Ticket};
use crate::exit::Exit;
use crate::operate::{self, OperationOutcome, TERMINATE_WORD};

pub fn run(globals: &Globals, ids: &[String], operation: Operation, yes: bool) -> Exit {
    let (prepared, rt) = match prepare_with_runtime(globals, ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let _log_guard = init_logging();
    let op = operation.as_str();
    if let Some(why) = read_only_reason(globals, Some(&prepared.config)) {
        for target in &prepared.targets {
            operate::log(operation, &target.id, &OperationOutcome::ReadOnly);
        }
        return usage_error(&format!("read-only ({why}): {op} not sent"));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !interactive && !yes {
        return usage_error(&format!(
            "no terminal to confirm {op} on: nothing sent; add --yes to send it without asking"
        ));
    }
    let client = match Client::new(prepared.client_config) {
        Ok(client) => client,
        Err(e) => return usage_error(&e.to_string()),
    };
    let mut errors: Vec<ApiError> = Vec::new();
    let mut declined = false;
    let mut stdin = std::io::stdin().lock();
    for target in &prepared.targets {
        let id = target.id.as_str();
        let ticket = match rt.block_on(client.get_execution(id)) {
            Ok(ticket) => ticket,
            Err(e) => {
                report(&format!(
                    "{id}: {op} not sent: cannot fetch the ticket: {e}"
                ));
                let stop = e.is_auth();
                errors.push(e);
                if stop {
                    break;
                }
                continue;
            }
        };
        if !yes && !confirm(operation, &ticket, &mut stdin) {
            operate::log(operation, id, &OperationOutcome::Declined);
            report(&format!("{op} {id}: not sent"));
            declined = true;
            continue;
        }
        let outcome = OperationOutcome::of(&rt.block_on(client.operate_execution(id, operation)));
        operate::log(operation, id, &outcome);
        match &outcome {
            OperationOutcome::Refused(e) | OperationOutcome::Unknown(e) => {
                report(&format!("{id}: {op} {}", outcome.as_text()));
                let stop = e.is_auth();
                errors.push(e.clone());
                if stop {
                    break;
                }
            }
            _ => {
                // A reader gone or a full disk ends the command: nothing more is sent
                // (the log file has the line).
                if let Err(exit) = output::print(&format!("{op} {id}: accepted\n")) {
                    return exit;
                }
            }
        }
    }
    match Exit::of_errors(&errors) {
        Exit::Success if declined => Exit::Usage,
        exit => exit,
    }
}

/// Asks on the terminal; only `y` (for TERMINATE: the word or the execution ID) says yes.
fn confirm(operation: Operation, ticket: &Ticket, input: &mut impl BufRead) -> bool {
    let op = operation.as_str();
    let question = if operate::needs_typed_confirmation(operation) {
        format!("Type {TERMINATE_WORD} or the execution ID to send {op}: ")
    } else {
        format!("Send {op}? [y/N] ")
    };
    let Some(answer) = ask(
        &format!("{}\n{question}", operate::describe(operation, ticket)),
        input,
    ) else {
        return false;
    };
    operate::confirmed(operation, &ticket.execution_id, &answer)
}
