//! Dashboard state and its update function. No I/O, no drawing.

use std::time::SystemTime;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use crate::config::WatchEntry;
use crate::watch::{Command, Update};

/// Everything that can change the dashboard's state.
#[derive(Debug, Clone)]
pub enum Message {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// The 1 Hz clock: displayed ages may move.
    Tick(SystemTime),
    Engine(Update),
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Engine(Command),
    Quit,
    /// Ctrl-Z: restore the terminal, stop, and come back.
    Suspend,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// State visible on screen changed: draw a frame.
    pub redraw: bool,
    pub actions: Vec<Action>,
}

/// How the dashboard starts.
#[derive(Debug, Clone)]
pub struct AppInit {
    /// Region id or endpoint URL, for the header.
    pub endpoint: String,
    pub watch: Vec<WatchEntry>,
    /// False when `NO_COLOR` is set.
    pub color: bool,
    pub now: SystemTime,
}

#[derive(Debug)]
pub struct App {
    pub init: AppInit,
}

impl App {
    pub fn new(init: AppInit) -> App {
        App { init }
    }
}

pub fn update(app: &mut App, msg: Message) -> Outcome {
    let _ = (app, msg);
    todo!("app helper")
}
