//! Operations from the dashboard: the `x` menu (only what the ticket allows), the
//! confirmation that names action, execution ID, job and status, and the notices that
//! explain a refusal or why nothing can be done. The target is the execution ID
//! captured when the menu opened: never a row, so nothing moving underneath can
//! redirect it.

use super::App;
use super::tickets::StepsState;
use crate::coc::{ApiError, Operation, Status, Ticket};
use crate::hosts;
use crate::operate;
use crate::text::sanitize;

/// Dashboard settings from the command line and `[ui]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UiSettings {
    /// Why operations are off (`--read-only`, `[ui] read_only`); `None`: they are on.
    pub read_only: Option<String>,
    /// `[ui] console_url`, with `{execution_id}`.
    pub console_url: Option<String>,
}

/// A box over the screen that takes every key until it closes.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// The operations that fit the ticket now.
    Menu {
        execution_id: String,
        choices: Vec<Operation>,
        cursor: usize,
    },
    /// Only `y` sends; TERMINATE wants the word or the ID typed, then Enter.
    Confirm {
        execution_id: String,
        operation: Operation,
        /// Action, ID, job and status as they were when it opened (sanitised).
        description: String,
        typed: String,
    },
    /// Any key closes it.
    Notice { title: String, lines: Vec<String> },
}

/// What a key did to the prompt.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptKey {
    Nothing,
    Changed,
    Closed,
    /// Confirmed: send this.
    Send {
        execution_id: String,
        operation: Operation,
    },
}

/// The open prompt, if any; its state changes only through these methods.
#[derive(Debug, Clone, Default)]
pub struct Prompts {
    open: Option<Prompt>,
}

impl Prompts {
    pub fn current(&self) -> Option<&Prompt> {
        self.open.as_ref()
    }

    pub fn close(&mut self) {
        self.open = None;
    }

    pub fn notice(&mut self, title: impl Into<String>, lines: Vec<String>) {
        self.open = Some(Prompt::Notice {
            title: title.into(),
            lines,
        });
    }

    /// `x` on `ticket` (`execution_id` is what the user is looking at).
    pub fn open_menu(
        &mut self,
        execution_id: &str,
        ticket: Option<&Ticket>,
        settings: &UiSettings,
    ) {
        if let Some(why) = &settings.read_only {
            let lines = vec![format!("Operations are off: {why}.")];
            return self.notice("read-only", lines);
        }
        let choices = ticket.map(operate::offered).unwrap_or_default();
        if choices.is_empty() {
            let status = ticket
                .and_then(|t| t.status.as_ref())
                .map_or_else(|| "no data yet".into(), |s| format!("status {s}"));
            let lines = vec![format!(
                "No operation fits {} ({}).",
                sanitize(execution_id),
                sanitize(&status)
            )];
            return self.notice("nothing to do", lines);
        }
        self.open = Some(Prompt::Menu {
            execution_id: execution_id.to_string(),
            choices,
            cursor: 0,
        });
    }

    /// Moves the menu's cursor.
    pub fn move_cursor(&mut self, down: bool) -> bool {
        let Some(Prompt::Menu {
            choices, cursor, ..
        }) = &mut self.open
        else {
            return false;
        };
        let to = if down {
            (*cursor + 1).min(choices.len() - 1)
        } else {
            cursor.saturating_sub(1)
        };
        let moved = to != *cursor;
        *cursor = to;
        moved
    }

    /// The menu's choice becomes a confirmation about `ticket` as it is now (the menu's
    /// own execution ID names the ticket, never the list's selection).
    pub fn choose(&mut self, ticket_now: impl FnOnce(&str) -> Option<Ticket>) {
        let Some(Prompt::Menu {
            execution_id,
            choices,
            cursor,
        }) = self.open.take()
        else {
            return;
        };
        let operation = choices[cursor];
        let ticket = ticket_now(&execution_id).unwrap_or_else(|| Ticket::empty(&execution_id));
        self.open = Some(Prompt::Confirm {
            description: operate::describe(operation, &ticket),
            execution_id,
            operation,
            typed: String::new(),
        });
    }

    /// A character or Enter/Backspace/Esc in a confirmation. Anything but the
    /// confirming answer cancels: a stray key can never send.
    pub fn confirm_key(&mut self, key: ConfirmKey) -> PromptKey {
        let Some(Prompt::Confirm {
            execution_id,
            operation,
            typed,
            ..
        }) = &mut self.open
        else {
            return PromptKey::Nothing;
        };
        let typed_answer = operate::needs_typed_confirmation(*operation);
        let send = |execution_id: &str, operation: Operation| PromptKey::Send {
            execution_id: execution_id.to_string(),
            operation,
        };
        let result = match key {
            ConfirmKey::Char(c) if !typed_answer => {
                if operate::confirmed(*operation, execution_id, &c.to_string()) {
                    send(execution_id, *operation)
                } else {
                    PromptKey::Closed
                }
            }
            ConfirmKey::Char(c) => {
                typed.push(c);
                return PromptKey::Changed;
            }
            ConfirmKey::Backspace if typed_answer => {
                typed.pop();
                return PromptKey::Changed;
            }
            ConfirmKey::Enter
                if typed_answer && operate::confirmed(*operation, execution_id, typed) =>
            {
                send(execution_id, *operation)
            }
            _ => PromptKey::Closed,
        };
        self.open = None;
        result
    }
}

/// The keys a confirmation tells apart; every other key is `Other` and cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmKey {
    Char(char),
    Enter,
    Backspace,
    Other,
}

/// The lines of a refusal: which ticket, the HTTP status and the server's
/// `error_code`, its message and the request ID to quote to support.
pub fn refusal_lines(execution_id: &str, error: &ApiError) -> Vec<String> {
    let mut lines = vec![format!("ticket      {}", sanitize(execution_id))];
    if let Some(status) = error.http_status() {
        let code = error.error_code().unwrap_or("-");
        lines.push(format!("HTTP {status}    error_code {}", sanitize(code)));
    }
    let message = error
        .error_msg()
        .map_or_else(|| error.to_string(), str::to_string);
    lines.push(format!("message     {}", sanitize(&message)));
    lines.push(format!(
        "request ID  {}",
        sanitize(error.request_id().unwrap_or("-"))
    ));
    lines
}

/// `Y`: one line for the incident channel: ID, job, status, the failed step with its
/// message, and how many of its hosts failed when they have been loaded.
pub fn summary(app: &App, execution_id: &str) -> String {
    let entry = app.tickets.get(execution_id);
    let ticket = entry.and_then(|e| e.ticket.as_deref());
    let job = ticket
        .and_then(|t| t.document_name.as_deref())
        .unwrap_or("-");
    let status = ticket
        .and_then(|t| t.status.as_ref())
        .map_or("unknown", Status::as_str);
    let mut parts = vec![
        sanitize(execution_id).into_owned(),
        sanitize(job).into_owned(),
        sanitize(status).into_owned(),
    ];
    let failed_step = entry.and_then(|e| match &e.steps {
        StepsState::Loaded { steps, .. } => steps
            .iter()
            .find(|s| matches!(s.status, Some(Status::Failed | Status::Timeout))),
        _ => None,
    });
    if let Some(step) = failed_step {
        let name = step.name.as_deref().unwrap_or("-");
        let mut text = format!("failed step: {}", sanitize(name));
        if let Some(message) = step.message.as_deref().filter(|m| !m.is_empty()) {
            text.push_str(&format!(" ({})", sanitize(message)));
        }
        parts.push(text);
        let step_id = step.execution_step_id.as_deref();
        if let Some(shown) = app.hosts().filter(|h| Some(h.step_id()) == step_id) {
            parts.push(format!(
                "{} of {} hosts failed",
                hosts::failed_count(shown.instances()),
                shown.total()
            ));
        }
    }
    parts.join(" | ")
}
