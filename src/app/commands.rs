//! Custom commands in the dashboard: a row of the key table for each, what their
//! placeholders stand for at the cursor, the question when `confirm` asks it, the
//! refusal under read-only where each run starts, and the pane with what one printed.

use std::borrow::Cow;
use std::time::Duration;

use super::hosts::HostsOf;
use super::keys::{Binding, Focus, Focuses, Intent, Key, Keymap, Only, VIEWS};
use super::tickets::Fetched;
use super::view::Tab;
use super::{Action, App, Reaction};
use crate::config::{Config, ConfigError, Problem};
use crate::custom::{self, CustomCommand, Scope, Subject};
use crate::hosts;
use crate::i18n::{Lang, Msg};
use crate::text::sanitize;

/// A command to run now, placeholders replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub name: String,
    pub argv: Vec<String>,
    /// With the terminal (`ssh`), not in the background.
    pub interactive: bool,
    pub timeout: Duration,
    /// It changes something: never started while operations are off (`may_start`).
    pub writes: bool,
    /// The profile of the ticket it is about, whose `read_only` it keeps to.
    pub profile: Option<String>,
}

/// How a run ended, as the pane tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnded {
    /// `code`: the exit code, or the signal that ended it.
    Exited {
        code: String,
        output: String,
    },
    Killed {
        after: Duration,
        output: String,
    },
    CannotStart(String),
}

/// The most lines of output the pane shows: the last ones.
const PANE_LINES: usize = 14;

/// The key table with one row per command, in order. `Err`: the first command whose key
/// is taken where its scope works, and a line naming both uses.
pub fn keymap_with(commands: &[CustomCommand]) -> Result<Keymap, (usize, String)> {
    let mut keymap = Keymap::default();
    for (index, command) in commands.iter().enumerate() {
        let (focus, only) = match command.scope {
            Scope::Ticket => (VIEWS, Only::Always),
            Scope::Step => (Focuses::of(&[Focus::Ticket]), Only::DetailsTab),
            Scope::Host => (Focuses::of(&[Focus::Hosts]), Only::Always),
        };
        let row = Binding {
            focus,
            keys: Cow::Owned(vec![Key::Char(command.key)]),
            intent: Intent::Command(index),
            only,
            footer: None,
            help: Msg::Verbatim(Cow::Owned(sanitize(&command.name).into_owned())),
        };
        keymap.add(row).map_err(|conflict| {
            let taken_by = Lang::En.t(conflict.taken_by.help.clone());
            let why = format!(
                "key {:?} of \"{}\" is taken already in the dashboard by \"{taken_by}\"",
                command.key, command.name
            );
            (index, why)
        })?;
    }
    Ok(keymap)
}

/// The config's `[[command]]` keys, checked against the dashboard's own and each other.
pub fn check_command_keys(config: &Config) -> Result<(), ConfigError> {
    let commands: Vec<CustomCommand> = config.commands.iter().map(|c| c.command.clone()).collect();
    keymap_with(&commands)
        .map(drop)
        .map_err(|(index, why)| ConfigError {
            path: config.path.clone().unwrap_or_default(),
            problems: vec![Problem {
                position: Some(config.commands[index].key_at),
                message: format!("`key` in [[command]]: {why}"),
            }],
        })
}

impl App {
    /// A command's key: asked first when it says so, else run (`may_start` has the
    /// last word).
    pub(super) fn on_command(&mut self, index: usize) -> Reaction {
        let Some(command) = self.settings.commands.get(index).cloned() else {
            return Reaction::default();
        };
        let name = sanitize(&command.name).into_owned();
        let Some(subject) = self.subject(command.scope) else {
            let lines = vec![self.t(Msg::NothingAtCursor).into_owned()];
            self.prompt.notice(name, lines);
            return Reaction::redraw(true);
        };
        let argv = match custom::expand(&command.argv, &subject) {
            Ok(argv) => argv,
            Err(placeholder) => {
                let lines = vec![self.t(Msg::NoValueHere(placeholder)).into_owned()];
                self.prompt.notice(name, lines);
                return Reaction::redraw(true);
            }
        };
        let run = Run {
            name,
            argv,
            interactive: command.interactive,
            timeout: command.timeout,
            writes: command.writes,
            profile: self
                .shown()
                .and_then(|e| e.profile.as_deref())
                .map(str::to_string),
        };
        if command.confirm {
            self.prompt.ask_to_run(run);
            return Reaction::redraw(true);
        }
        Reaction::action(Action::Run(run))
    }

    /// Whether `run` may start now: one that writes never does while operations are
    /// off for its ticket's profile, and a notice says why. The event loop asks it of
    /// every run it is about to start, however the run was asked for.
    pub fn may_start(&mut self, run: &Run) -> bool {
        let refused = run
            .writes
            .then(|| self.read_only_for(run.profile.as_deref()));
        let Some(Some(why)) = refused else {
            return true;
        };
        let lines = vec![self.t(Msg::OperationsOff(&why)).into_owned()];
        self.prompt.notice(self.t(Msg::ReadOnlyTitle), lines);
        self.show_waiting_notice();
        false
    }

    /// What the placeholders stand for: the shown ticket, the step at the cursor of its
    /// Steps tab, the host at the cursor of the step's hosts.
    fn subject(&self, scope: Scope) -> Option<Subject> {
        let entry = self.shown()?;
        let mut subject = Subject {
            // As written (`script/UUID`); a listed ID that breaks the rule is never passed.
            execution_id: entry.id.is_valid().then(|| entry.id.to_string())?,
            profile: entry.profile_name().to_string(),
            region: self.region_of(entry),
            status: entry
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            ..Subject::default()
        };
        match (scope, self.hosts()) {
            (Scope::Ticket, _) => {}
            (Scope::Step, _) => {
                let Fetched::Loaded { data: steps, .. } = &entry.steps else {
                    return None;
                };
                let at = (self.tab() == Tab::Steps).then(|| self.detail.scroll())?;
                let step = steps.get(at)?;
                subject.step = step.name.clone().or(step.execution_step_id.clone());
            }
            (Scope::Host, Some(shown)) => {
                let instance = shown.instances().get(shown.scroll())?;
                if let HostsOf::Step { name, .. } = shown.of() {
                    subject.step = Some(name.clone());
                }
                subject.host_ip = hosts::ip(instance).map(str::to_string);
                subject.host_name = Some(hosts::host(instance));
            }
            (Scope::Host, None) => return None,
        }
        Some(subject)
    }

    /// A command run in the background ended: its pane, with the last lines it
    /// printed. One that had the terminal is told of only when it did not succeed.
    pub fn command_ended(&mut self, name: &str, ended: RunEnded) -> Reaction {
        let (title, output) = match &ended {
            RunEnded::Exited { code, output } => (Msg::CommandExited { name, code }, output),
            RunEnded::Killed { after, output } => {
                let seconds = after.as_secs();
                (Msg::CommandKilled { name, seconds }, output)
            }
            RunEnded::CannotStart(why) => (Msg::CommandCannotStart { name, why }, &String::new()),
        };
        let title = self.t(title).into_owned();
        let mut lines: Vec<String> = output.lines().map(str::to_string).collect();
        if lines.len() > PANE_LINES {
            let earlier = lines.len() - PANE_LINES;
            lines.drain(..earlier);
            lines.insert(0, self.t(Msg::EarlierLines(earlier)).into_owned());
        }
        if lines.is_empty() && !matches!(ended, RunEnded::CannotStart(_)) {
            lines.push(self.t(Msg::NoOutput).into_owned());
        }
        self.prompt.notice(title, lines);
        Reaction::redraw(true)
    }
}
