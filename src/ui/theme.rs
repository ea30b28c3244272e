//! Styles. Without colour (`NO_COLOR`) only modifiers remain, and glyphs carry meaning.

use ratatui::style::{Color, Modifier, Style};

use crate::coc::Status;

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

    /// `None` is a ticket not fetched yet.
    pub fn status(self, status: Option<&Status>) -> Style {
        match status {
            Some(Status::Failed) => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Some(Status::Timeout) => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            Some(Status::Running) => self.fg(Color::Cyan),
            Some(Status::Pending | Status::Canceling) => self.fg(Color::Yellow),
            Some(Status::Canceled) => self.fg(Color::DarkGray),
            Some(Status::Succeed) => self.fg(Color::Green),
            Some(Status::Unknown(_)) => Style::new().add_modifier(Modifier::ITALIC),
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

    /// A search match in the output pager; the current one stands out more.
    pub fn search_match(self) -> Style {
        Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }

    pub fn current_match(self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn active_tab(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}
