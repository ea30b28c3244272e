//! The operation commands: `coctop retry|terminate|resume|skip-batch ID...` on
//! executions and `coctop pause|continue|cancel|skip-batch script/UUID... [--batch N]`,
//! `cancel-host script/UUID --host ID` on script tickets; one operation on each ticket,
//! in order. Each ticket is fetched first so that the question names its job or script
//! and status (and `skip-batch` the batch it is at); on a terminal nothing is sent
//! before the user confirms; without one, only with `--yes`. Operations are never
//! retried, never sent in read-only mode, and each one is a line in the log file.

use std::io::{BufRead, IsTerminal};

use super::{
    Globals, ask, init_logging, output, prepare_with_runtime, read_only_reason, report, usage_error,
};
use crate::coc::{ApiError, Client, ClientConfig, JobOperation, JobTicket, TicketKind, TicketRef};
use crate::config::Config;
use crate::exit::Exit;
use crate::operate::{self, Destination, OperationOutcome, Verb};

pub fn run(globals: &Globals, ids: &[String], verb: Verb, yes: bool) -> Exit {
    let (prepared, rt) = match prepare_with_runtime(globals, ids) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let _log_guard = init_logging();
    let op = verb.operation_name();
    let to = destination(&prepared.config, &prepared.client_config);
    let to = to.as_ref();
    // A ticket of a kind the verb does not fit is a usage error: nothing is sent.
    for target in &prepared.targets {
        if let Err(why) = verb.takes(target.id.kind()) {
            return usage_error(&format!("{}: {why}", target.id));
        }
    }
    if let Some(why) = read_only_reason(globals, Some(&prepared.config)) {
        for target in &prepared.targets {
            operate::log(op, &target.id, to, &OperationOutcome::ReadOnly);
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
        let id = &target.id;
        let ticket = match rt.block_on(client.get_job_ticket(id)) {
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
        let operation = match verb.operation(&ticket) {
            Ok(operation) => operation,
            Err(why) => {
                report(&format!("{id}: {op} not sent: {why}"));
                declined = true;
                continue;
            }
        };
        let action = operation.described();
        if !yes && !confirm(operation, id, &ticket, to, &mut stdin) {
            operate::log(&action, id, to, &OperationOutcome::Declined);
            report(&format!("{action} {id}: not sent"));
            declined = true;
            continue;
        }
        let outcome = OperationOutcome::of(&rt.block_on(client.operate_job_ticket(id, operation)));
        operate::log(&action, id, to, &outcome);
        match &outcome {
            OperationOutcome::Refused(e) | OperationOutcome::Unknown(e) => {
                report(&format!("{id}: {action} {}", outcome.as_text()));
                let stop = e.is_auth();
                errors.push(e.clone());
                if stop {
                    break;
                }
            }
            _ => {
                // A reader gone or a full disk ends the command: nothing more is sent
                // (the log file has the line).
                if let Err(exit) = output::print(&format!("{action} {id}: accepted\n")) {
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

/// Where the operations go, when the config has profiles to tell apart.
pub(super) fn destination(config: &Config, client: &ClientConfig) -> Option<Destination> {
    config.profile_entry()?;
    Some(Destination {
        profile: config.profile.clone().unwrap_or_default(),
        endpoint: client.endpoint.display_name(),
        account: client.domain_id.clone(),
    })
}

/// Asks on the terminal; only `y` (for TERMINATE and CANCEL_ORDER: their word or the
/// ticket's ID) says yes.
fn confirm(
    operation: JobOperation,
    id: &TicketRef,
    ticket: &JobTicket,
    to: Option<&Destination>,
    input: &mut impl BufRead,
) -> bool {
    let action = operation.described();
    let question = match operate::typed_word(operation) {
        Some(word) => {
            let noun = match id.kind() {
                TicketKind::Execution => "the execution ID",
                TicketKind::Script => "the ticket's ID",
            };
            format!("Type {word} or {noun} to send {action}: ")
        }
        None => format!("Send {action}? [y/N] "),
    };
    let Some(answer) = ask(
        &format!("{}\n{question}", operate::describe(operation, ticket, to)),
        input,
    ) else {
        return false;
    };
    operate::confirmed(operation, id, &answer)
}
