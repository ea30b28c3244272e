//! How the app reacts to a message (`update`'s answer): whether to draw a frame, and
//! what the event loop must do.

use std::path::PathBuf;
use std::sync::Arc;

use super::commands::Run;
use crate::coc::TicketRef;
use crate::config::{ViewEntry, WatchEntry};
use crate::launch::{self, RunOutcome};
use crate::notify::{Notification, NotifyConfig};
use crate::operate::{Attempt, Destination};
use crate::watch::Command;

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Engine(Command),
    Quit,
    /// Ctrl-Z: restore the terminal, stop, and come back.
    Suspend,
    /// Put this text on the clipboard (OSC 52 through the terminal).
    Copy(String),
    /// Open this URL in the browser; if that cannot be done, tell the app
    /// (`App::open_failed`).
    Open(String),
    /// Tell the user: bell, desktop notification, hook (as `[notify]` says).
    Notify(Notification),
    /// Save a watch-list change to the config file (answered with `Message::Added` or
    /// `Message::Saved`).
    SaveWatch(WatchChange),
    /// Save a `[[view]]` to the config file (answered with `Message::Saved`).
    SaveView(ViewEntry),
    /// Tell notifications by these rules from now on (a reloaded config).
    Renotify(NotifyConfig),
    /// Write an output to a file, over one already there only when `overwrite`
    /// (answered with `Message::OutputSaved`).
    SaveOutput {
        path: PathBuf,
        text: Arc<str>,
        overwrite: bool,
    },
    /// Run a custom command (answered with `Message::CommandEnded`).
    Run(Run),
    /// An attempt's line in the log file, for one never sent.
    Log(Box<LogLine>),
}

/// The line of an operation or a run (again) that was never sent: declined, or
/// read-only; in the format of the commands' lines.
#[derive(Debug, Clone, PartialEq)]
pub enum LogLine {
    Operation(Attempt),
    /// `what` as `JobRun::what` names it.
    Run {
        what: String,
        to: Option<Destination>,
        outcome: RunOutcome,
    },
}

impl LogLine {
    pub fn write(&self) {
        match self {
            LogLine::Operation(attempt) => attempt.log(),
            LogLine::Run { what, to, outcome } => launch::log(what, to.as_ref(), outcome),
        }
    }
}

/// A change of the watch list the user made in the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchChange {
    Add(Vec<WatchEntry>),
    Remove(TicketRef),
}

/// `update`'s answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reaction {
    /// State visible on screen changed: draw a frame.
    pub redraw: bool,
    pub actions: Vec<Action>,
}

impl Reaction {
    pub fn redraw(redraw: bool) -> Reaction {
        Reaction {
            redraw,
            actions: Vec::new(),
        }
    }

    pub fn action(action: Action) -> Reaction {
        Reaction {
            redraw: false,
            actions: vec![action],
        }
    }

    /// A command for the engine after a change on screen.
    pub fn redraw_and(command: Command) -> Reaction {
        Reaction::redraw(true).ask(Some(command))
    }

    /// With this action too.
    pub fn and(mut self, action: Action) -> Reaction {
        self.actions.push(action);
        self
    }

    /// With a command for the engine, when there is one.
    pub fn ask(mut self, command: Option<Command>) -> Reaction {
        self.actions.extend(command.map(Action::Engine));
        self
    }
}
