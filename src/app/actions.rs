//! Operations from the dashboard: the `x` menu (only what the ticket allows, and "run
//! again" of a finished run of a job), the confirmation that names action, ticket, job
//! or script and status, the review of a run again (its parameters edited one by one)
//! and its confirmation, and the notices that explain a refusal or why nothing can be
//! done. The target is the ticket reference captured when the menu opened: never a row,
//! so nothing moving underneath can redirect it.

use std::collections::VecDeque;

use super::commands::Run;
use super::hosts::HostsView;
use super::keys::{Intent, Motion};
use super::tickets::TicketEntry;
use crate::coc::{ApiError, JobOperation, JobTicket, Status, TicketRef};
use crate::config::ViewEntry;
use crate::config::look::{ColumnChoice, Role, ThemeName};
use crate::custom::CustomCommand;
use crate::hosts;
use crate::i18n::{Lang, Msg};
use crate::launch::JobRun;
use crate::operate::{self, Destination};
use crate::text::{fit, reveal, sanitize};
use ratatui::style::Color;

/// Dashboard settings from the command line and `[ui]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UiSettings {
    /// Why operations are off (`--read-only`, `[ui] read_only`); `None`: they are on.
    pub read_only: Option<String>,
    /// `[ui] console_url`, with `{execution_id}`.
    pub console_url: Option<String>,
    /// `[ui] theme`.
    pub theme: ThemeName,
    /// `[ui.colors]`.
    pub colors: Vec<(Role, Color)>,
    /// A profile's colour for the title, keys and borders (production in red).
    pub accent: Option<Color>,
    /// `[[view]]`: saved filters, `v` cycles them.
    pub views: Vec<ViewEntry>,
    /// `[ui] columns`; empty: the usual ones.
    pub columns: Vec<ColumnChoice>,
    /// `[[command]]`, their keys checked (`commands::check_command_keys`).
    pub commands: Vec<CustomCommand>,
    /// The region the dashboard's tickets are in, for `{region}`.
    pub region: Option<String>,
}

/// A choice of the `x` menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Operate(JobOperation),
    /// The same job, version, parameters and targets, started anew.
    RunAgain,
}

impl Choice {
    pub fn label(self, lang: Lang) -> std::borrow::Cow<'static, str> {
        match self {
            Choice::Operate(operation) => lang.t(Msg::from(operation)),
            Choice::RunAgain => lang.t(Msg::RunAgain),
        }
    }

    /// As the log file names it.
    fn logged(self) -> String {
        match self {
            Choice::Operate(operation) => operation.described(),
            Choice::RunAgain => "RUN_AGAIN".into(),
        }
    }
}

/// A box over the screen that takes every key until it closes.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// What fits the ticket now.
    Menu {
        id: TicketRef,
        /// Where its operations go, when there are several profiles (sanitised).
        to: Option<String>,
        choices: Vec<Choice>,
        cursor: usize,
    },
    /// Only `y` sends; TERMINATE and CANCEL_ORDER want their word or the ID typed,
    /// then Enter.
    Confirm {
        id: TicketRef,
        operation: JobOperation,
        /// Action, ID, job and status as they were when it opened (sanitised).
        description: String,
        typed: String,
    },
    /// A run again of `from` before its confirmation: ↑/↓ choose a parameter, what is
    /// typed edits its value, Enter goes on to the confirmation.
    Review {
        from: TicketRef,
        run: JobRun,
        /// The parameter being edited.
        cursor: usize,
    },
    /// Only `y` starts the run as shown.
    ConfirmRunAgain { from: TicketRef, run: JobRun },
    /// Any key closes it.
    Notice { title: String, lines: Vec<String> },
    /// A custom command that asks first: only `y` runs it.
    RunConfirm(Run),
}

/// What a key did to the prompt.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptKey {
    Nothing,
    Changed,
    Closed,
    /// Confirmed: send this.
    Send {
        id: TicketRef,
        operation: JobOperation,
    },
    /// The confirmation of this was answered with anything but yes: nothing is sent.
    Declined {
        id: TicketRef,
        operation: JobOperation,
    },
    /// The confirmation of a run again of `from` was answered with anything but yes:
    /// `what` (as `JobRun::what` names it) is not started.
    RunDeclined {
        from: TicketRef,
        what: String,
    },
    /// Confirmed: start this run (again of `from`).
    Start {
        from: TicketRef,
        run: Box<JobRun>,
    },
    /// Confirmed: run this.
    Run(Run),
}

/// Notices kept waiting behind an open prompt or a line being typed; the oldest go
/// first when more arrive.
const WAITING_LIMIT: usize = 32;

/// The open prompt, if any, and the notices waiting to be shown; their state changes
/// only through these methods.
#[derive(Debug, Clone, Default)]
pub struct Prompts {
    open: Option<Prompt>,
    waiting: VecDeque<Prompt>,
    /// The language of the texts the prompts make.
    lang: Lang,
}

impl Prompts {
    pub fn new(lang: Lang) -> Prompts {
        Prompts {
            lang,
            ..Prompts::default()
        }
    }

    pub fn current(&self) -> Option<&Prompt> {
        self.open.as_ref()
    }

    /// Notices waiting for the prompt or the line that has the keys to close.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// A notice waits until the keys are free (`show_waiting`): it never takes the
    /// place of a question being answered, nor the keys typed for it.
    pub fn notice(&mut self, title: impl Into<String>, lines: Vec<String>) {
        if self.waiting.len() == WAITING_LIMIT {
            self.waiting.pop_front();
        }
        self.waiting.push_back(Prompt::Notice {
            title: title.into(),
            lines,
        });
    }

    /// Shows the oldest waiting notice when no prompt is open (the caller knows that
    /// nothing else has the keys). Says whether one opened.
    pub fn show_waiting(&mut self) -> bool {
        if self.open.is_some() {
            return false;
        }
        self.open = self.waiting.pop_front();
        self.open.is_some()
    }

    /// A key routed to the open prompt (`typed`: the character of `Intent::Type`);
    /// `ticket_now` gives the ticket a chosen operation is about, as it is now, and
    /// where it goes when there are several profiles.
    pub fn on_intent(
        &mut self,
        intent: Intent,
        typed: Option<char>,
        ticket_now: impl FnOnce(&TicketRef) -> (Option<JobTicket>, Option<Destination>),
    ) -> PromptKey {
        match (&self.open, intent) {
            (Some(Prompt::Menu { .. }), Intent::Move(motion)) => {
                let down = matches!(motion, Motion::Down(_));
                match self.move_cursor(down) {
                    true => PromptKey::Changed,
                    false => PromptKey::Nothing,
                }
            }
            (Some(Prompt::Menu { .. }), Intent::Accept) => {
                self.choose(ticket_now);
                PromptKey::Changed
            }
            (Some(Prompt::RunConfirm(_)), _) => match (self.open.take(), intent, typed) {
                (Some(Prompt::RunConfirm(run)), Intent::Type, Some('y')) => PromptKey::Run(run),
                _ => PromptKey::Closed,
            },
            (Some(Prompt::Confirm { .. }), _) => self.confirm_key(match (intent, typed) {
                (Intent::Type, Some(c)) => ConfirmKey::Char(c),
                (Intent::Accept, _) => ConfirmKey::Enter,
                (Intent::Erase, _) => ConfirmKey::Backspace,
                _ => ConfirmKey::Other,
            }),
            (Some(Prompt::Review { .. }), Intent::Close) => {
                self.open = None;
                PromptKey::Closed
            }
            (Some(Prompt::Review { .. }), _) => self.review_key(intent, typed),
            (Some(Prompt::ConfirmRunAgain { .. }), _) => {
                let Some(Prompt::ConfirmRunAgain { from, run }) = self.open.take() else {
                    return PromptKey::Nothing;
                };
                match (intent, typed) {
                    (Intent::Type, Some(c)) if crate::launch::confirmed(&c.to_string()) => {
                        PromptKey::Start {
                            from,
                            run: Box::new(run),
                        }
                    }
                    // Anything but `y` cancels: a stray key can never start a job.
                    _ => PromptKey::RunDeclined {
                        from,
                        what: run.what(),
                    },
                }
            }
            (Some(_), Intent::Close) => {
                self.open = None;
                PromptKey::Closed
            }
            _ => PromptKey::Nothing,
        }
    }

    /// A custom command's question; `y` runs it, any other key cancels.
    pub fn ask_to_run(&mut self, run: Run) {
        self.open = Some(Prompt::RunConfirm(run));
    }

    /// The confirmation open, if one is, closes unanswered (the dashboard ends): what
    /// was declined (`PromptKey::Declined` or `RunDeclined`).
    pub fn take_confirmation(&mut self) -> Option<PromptKey> {
        match self.open.take() {
            Some(Prompt::Confirm { id, operation, .. }) => {
                Some(PromptKey::Declined { id, operation })
            }
            Some(Prompt::ConfirmRunAgain { from, run }) => Some(PromptKey::RunDeclined {
                from,
                what: run.what(),
            }),
            other => {
                self.open = other;
                None
            }
        }
    }

    /// `x` on `ticket` (`id` is what the user is looking at); `host` is an operation
    /// on the host at the cursor of a batch's hosts, offered too when there is one;
    /// `to`: where they go, named when there are several profiles. Under read-only
    /// (`read_only` says why) a notice instead, and the answer names what the menu
    /// would have offered (`RETRY`, `TERMINATE|SKIP_BATCH`), for the log.
    pub fn open_menu(
        &mut self,
        id: &TicketRef,
        ticket: Option<&JobTicket>,
        host: Option<JobOperation>,
        read_only: Option<&str>,
        to: Option<&Destination>,
    ) -> Option<String> {
        let lang = self.lang;
        let mut choices: Vec<Choice> = ticket
            .map(operate::offered)
            .unwrap_or_default()
            .into_iter()
            .chain(host)
            .map(Choice::Operate)
            .collect();
        let again = ticket
            .and_then(JobTicket::as_execution)
            .is_some_and(|t| t.is_terminal() && JobRun::again(t).is_some());
        if again {
            choices.push(Choice::RunAgain);
        }
        if let Some(why) = read_only {
            let lines = vec![lang.t(Msg::OperationsOff(why)).into_owned()];
            self.notice(lang.t(Msg::ReadOnlyTitle), lines);
            let blocked: Vec<String> = choices.into_iter().map(Choice::logged).collect();
            return (!blocked.is_empty()).then(|| blocked.join("|"));
        }
        if choices.is_empty() {
            let status = match ticket.and_then(JobTicket::status) {
                Some(status) => lang
                    .t(Msg::StatusIs(&lang.t(Msg::from(&status))))
                    .into_owned(),
                None => lang.t(Msg::NoDataYet).into_owned(),
            };
            let lines = vec![
                lang.t(Msg::NoOperationFits {
                    id: &id.to_string(),
                    status: &sanitize(&status),
                })
                .into_owned(),
            ];
            self.notice(lang.t(Msg::NothingToDoTitle), lines);
            return None;
        }
        self.open = Some(Prompt::Menu {
            id: id.clone(),
            to: to.map(|to| destination(lang, to)),
            choices,
            cursor: 0,
        });
        None
    }

    /// Moves the menu's cursor.
    fn move_cursor(&mut self, down: bool) -> bool {
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
    /// own reference names the ticket, never the list's selection); run again, its
    /// review.
    fn choose(
        &mut self,
        ticket_now: impl FnOnce(&TicketRef) -> (Option<JobTicket>, Option<Destination>),
    ) {
        let Some(Prompt::Menu {
            id,
            choices,
            cursor,
            ..
        }) = self.open.take()
        else {
            return;
        };
        let (ticket, to) = ticket_now(&id);
        let operation = match choices[cursor] {
            Choice::Operate(operation) => operation,
            Choice::RunAgain => {
                let run = ticket
                    .as_ref()
                    .and_then(JobTicket::as_execution)
                    .and_then(JobRun::again);
                self.open = match run {
                    Some(run) => Some(Prompt::Review {
                        from: id,
                        run,
                        cursor: 0,
                    }),
                    None => Some(Prompt::Notice {
                        title: self.lang.t(Msg::RunAgain).into_owned(),
                        lines: vec![
                            self.lang
                                .t(Msg::NoJobToRunAgain(&id.to_string()))
                                .into_owned(),
                        ],
                    }),
                };
                return;
            }
        };
        let description = describe(self.lang, operation, &id, ticket.as_ref(), to.as_ref());
        self.open = Some(Prompt::Confirm {
            description,
            id,
            operation,
            typed: String::new(),
        });
    }

    /// A key in the review of a run again: the arrows choose a parameter, a character
    /// or Backspace edits its value, Enter goes on to the confirmation.
    fn review_key(&mut self, intent: Intent, typed: Option<char>) -> PromptKey {
        let Some(Prompt::Review { run, cursor, .. }) = &mut self.open else {
            return PromptKey::Nothing;
        };
        let parameters = &mut run.request.parameters;
        match (intent, typed) {
            (Intent::Move(motion), _) => {
                let to = motion.from(*cursor).min(parameters.len().saturating_sub(1));
                let moved = to != *cursor;
                *cursor = to;
                return if moved {
                    PromptKey::Changed
                } else {
                    PromptKey::Nothing
                };
            }
            (Intent::Type, Some(c)) => match parameters.get_mut(*cursor) {
                Some(parameter) => parameter.value = format!("{}{c}", parameter.value).into(),
                None => return PromptKey::Nothing,
            },
            (Intent::Erase, _) => match parameters.get_mut(*cursor) {
                Some(parameter) => {
                    let mut value = parameter.value.to_string();
                    value.pop();
                    parameter.value = value.into();
                }
                None => return PromptKey::Nothing,
            },
            (Intent::Accept, _) => {
                if let Some(Prompt::Review { from, run, .. }) = self.open.take() {
                    self.open = Some(Prompt::ConfirmRunAgain { from, run });
                }
            }
            _ => return PromptKey::Nothing,
        }
        PromptKey::Changed
    }

    /// A character or Enter/Backspace/Esc in a confirmation. Anything but the
    /// confirming answer cancels: a stray key can never send.
    fn confirm_key(&mut self, key: ConfirmKey) -> PromptKey {
        let Some(Prompt::Confirm {
            id,
            operation,
            typed,
            ..
        }) = &mut self.open
        else {
            return PromptKey::Nothing;
        };
        let typed_answer = operate::typed_word(*operation).is_some();
        let send = |id: &TicketRef, operation: JobOperation| PromptKey::Send {
            id: id.clone(),
            operation,
        };
        let declined = PromptKey::Declined {
            id: id.clone(),
            operation: *operation,
        };
        let result = match key {
            ConfirmKey::Char(c) if !typed_answer => {
                if operate::confirmed(*operation, id, &c.to_string()) {
                    send(id, *operation)
                } else {
                    declined
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
            ConfirmKey::Enter if typed_answer && operate::confirmed(*operation, id, typed) => {
                send(id, *operation)
            }
            _ => declined,
        };
        self.open = None;
        result
    }
}

/// The keys a confirmation tells apart; every other key is `Other` and cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfirmKey {
    Char(char),
    Enter,
    Backspace,
    Other,
}

/// What a confirmation says it sends: action, execution ID, job and status, as they
/// are when it opens (sanitised).
fn describe(
    lang: Lang,
    operation: JobOperation,
    id: &TicketRef,
    ticket: Option<&JobTicket>,
    to: Option<&Destination>,
) -> String {
    let status = match ticket.and_then(JobTicket::status) {
        Some(status) => lang.t(Msg::from(&status)).into_owned(),
        None => lang.t(Msg::UnknownStatus).into_owned(),
    };
    // Cut as `operate::describe` cuts them: the question always fits on screen.
    let job = ticket.and_then(JobTicket::name).unwrap_or("-");
    let what = lang
        .t(Msg::Describe {
            op: &lang.t(Msg::from(operation)),
            kind: id.kind(),
            id: &crate::text::cell(&id.to_string(), operate::ID_WIDTH),
            job: &crate::text::cell(job, operate::JOB_WIDTH),
            status: &sanitize(&status),
        })
        .into_owned();
    match to {
        Some(to) => format!("{what}  {}", destination(lang, to)),
        None => what,
    }
}

/// Where an operation goes, when the dashboard shows several profiles: the profile,
/// its region or endpoint and the account (each cut as the ticket's reference is).
fn destination(lang: Lang, to: &Destination) -> String {
    let cut = |text: &str| {
        crate::text::cell(&sanitize(text), operate::ID_WIDTH)
            .trim_end()
            .to_string()
    };
    let account = to.account.as_deref().map(cut);
    lang.t(Msg::Destination {
        profile: &cut(&to.profile),
        endpoint: &cut(&to.endpoint),
        account: account.as_deref(),
    })
    .into_owned()
}

/// The lines of a refusal: which ticket, the HTTP status and the server's
/// `error_code`, its message and the request ID to quote to support.
pub fn refusal_lines(lang: Lang, id: &TicketRef, error: &ApiError) -> Vec<String> {
    let line = |msg: Msg<'_>| lang.t(msg).into_owned();
    let mut lines = vec![line(Msg::RefusalTicket(&id.to_string()))];
    if let Some(status) = error.http_status() {
        let code = sanitize(error.error_code().unwrap_or("-"));
        lines.push(line(Msg::RefusalHttp {
            status,
            code: &code,
        }));
    }
    let message = error
        .error_msg()
        .map_or_else(|| error.to_string(), str::to_string);
    lines.push(line(Msg::RefusalMessage(&sanitize(&message))));
    let request = sanitize(error.request_id().unwrap_or("-"));
    lines.push(line(Msg::RefusalRequest(&request)));
    lines
}

/// The most a copy puts on the clipboard (OSC 52 through the terminal).
pub const COPY_LIMIT: usize = 2048;

/// `y`: the ticket's ID as written (`script/UUID` for a script ticket), only when it is
/// a valid one. An ID from the list API is server text: pasted into a shell, an ESC or
/// a line break in it would run something.
pub fn copy_id(id: &TicketRef) -> Result<String, String> {
    match crate::coc::validate_execution_id(id.id()) {
        Ok(()) => Ok(id.to_string()),
        Err(why) => Err(format!(
            "Not copied: {} is not a valid {} ID ({why}).",
            fit(&reveal(id.id()), 60),
            id.kind()
        )),
    }
}

/// `Y`: one line for the incident channel, from the shown ticket's own data (a browse
/// row's too): ID, job, status, the failed step with its message, and how many of its
/// hosts failed once they have loaded. Valid IDs only, as for `y`; at most
/// `COPY_LIMIT` bytes.
pub fn summary(entry: &TicketEntry, hosts: Option<&HostsView>) -> Result<String, String> {
    let id = copy_id(&entry.id)?;
    let ticket = entry.ticket.as_deref();
    let job = ticket.and_then(JobTicket::name).unwrap_or("-");
    let status = entry.status();
    let status = match &status {
        Some(status) => status.as_str(),
        None if entry.is_loading() => "loading",
        None => "no data",
    };
    let mut parts = vec![
        id,
        sanitize(job).into_owned(),
        sanitize(status).into_owned(),
    ];
    if let Some(progress) = entry.progress.loaded() {
        let counts: Vec<String> = progress
            .statistics
            .execute_statistics
            .iter()
            .filter_map(|c| {
                Some(format!(
                    "{} {}",
                    c.instance_count?,
                    c.instance_status.as_ref()?
                ))
            })
            .collect();
        if !counts.is_empty() {
            parts.push(format!("hosts: {}", sanitize(&counts.join(", "))));
        }
    }
    let failed_step = entry.steps.loaded().and_then(|steps| {
        steps
            .iter()
            .find(|s| matches!(s.status, Some(Status::Failed | Status::Timeout)))
    });
    if let Some(step) = failed_step {
        let name = step.name.as_deref().unwrap_or("-");
        let mut text = format!("failed step: {}", sanitize(name));
        if let Some(message) = step.message.as_deref().filter(|m| !m.is_empty()) {
            text.push_str(&format!(" ({})", sanitize(message)));
        }
        parts.push(text);
        let step_id = step.execution_step_id.as_deref();
        let loaded =
            hosts.filter(|h| h.loaded() && h.step_id().is_some() && h.step_id() == step_id);
        if let Some(shown) = loaded {
            parts.push(format!(
                "{} of {} hosts failed",
                hosts::failed_count(shown.instances()),
                shown.total()
            ));
        }
    }
    let mut line = parts.join(" | ");
    if line.len() > COPY_LIMIT {
        let mut end = COPY_LIMIT - '…'.len_utf8();
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        line.truncate(end);
        line.push('…');
    }
    Ok(line)
}
