//! Styles. Without colour (`NO_COLOR`) only modifiers remain, and glyphs carry meaning.

use ratatui::style::{Color, Modifier, Style};

use crate::coc::{JobStatus, ScriptStatus, Status};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// `None` is a ticket not fetched yet. A script ticket's status has the colour of
    /// its like among executions'.
    pub fn status(self, status: Option<&JobStatus>) -> Style {
        use JobStatus::{Execution as E, Script as S};
        match status {
            Some(E(Status::Failed) | S(ScriptStatus::Abnormal)) => {
                self.fg(Color::Red).add_modifier(Modifier::BOLD)
            }
            Some(E(Status::Timeout) | S(ScriptStatus::Rollbacked)) => {
                self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
            }
            Some(E(Status::Running) | S(ScriptStatus::Processing)) => self.fg(Color::Cyan),
            Some(
                E(Status::Pending | Status::Canceling)
                | S(ScriptStatus::Ready | ScriptStatus::Paused),
            ) => self.fg(Color::Yellow),
            Some(E(Status::Canceled) | S(ScriptStatus::Canceled)) => self.fg(Color::DarkGray),
            Some(E(Status::Succeed) | S(ScriptStatus::Finished)) => self.fg(Color::Green),
            Some(E(Status::Unknown(_)) | S(ScriptStatus::Unknown(_))) => {
                Style::new().add_modifier(Modifier::ITALIC)
            }
            None => self.dim(),
        }
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Something is badly wrong (authentication): impossible to miss, even in mono.
    pub fn alarm(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    pub fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn column_header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn active_tab(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}
