//! The one palette every widget draws with: a style per role, from the theme (`[ui]
//! theme`), the overrides (`[ui.colors]`) and a profile's accent. Without colour
//! (`NO_COLOR`) only modifiers remain, whatever the config says, and glyphs carry meaning.

use ratatui::style::{Color, Modifier, Style};

use crate::coc::{JobStatus, ScriptStatus, Status};
use crate::config::look::{Role, ThemeName};

#[derive(Debug, Clone, Copy)]
pub struct Palette {
    color: bool,
    colors: [Color; Role::ALL.len()],
    /// High contrast: every coloured text bold too.
    bold: bool,
}

impl Palette {
    pub fn new(theme: ThemeName, color: bool) -> Palette {
        let colors = Role::ALL.map(|role| theme_color(theme, role));
        Palette {
            color,
            colors,
            bold: theme == ThemeName::HighContrast,
        }
    }

    /// `[ui.colors]` over the theme's.
    pub fn with_colors(mut self, overrides: &[(Role, Color)]) -> Palette {
        for &(role, color) in overrides {
            self.colors[role as usize] = color;
        }
        self
    }

    /// A profile's colour (production in red): the title, keys and borders.
    pub fn with_accent(self, accent: Color) -> Palette {
        self.with_colors(&[(Role::Accent, accent), (Role::Border, accent)])
    }

    fn of(self, role: Role) -> Color {
        self.colors[role as usize]
    }

    fn fg(self, role: Role) -> Style {
        if !self.color {
            return Style::new();
        }
        let style = Style::new().fg(self.of(role));
        if self.bold {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// `None` is a ticket not fetched yet. A script ticket's status has the colour of
    /// its like among executions'.
    pub fn status(self, status: Option<&JobStatus>) -> Style {
        use JobStatus::{Execution as E, Script as S};
        match status {
            Some(E(Status::Failed) | S(ScriptStatus::Abnormal)) => {
                self.fg(Role::Failed).add_modifier(Modifier::BOLD)
            }
            Some(E(Status::Timeout) | S(ScriptStatus::Rollbacked)) => {
                self.fg(Role::Timeout).add_modifier(Modifier::BOLD)
            }
            Some(E(Status::Running) | S(ScriptStatus::Processing)) => self.fg(Role::Running),
            Some(
                E(Status::Pending | Status::Canceling)
                | S(ScriptStatus::Ready | ScriptStatus::Paused),
            ) => self.fg(Role::Pending),
            Some(E(Status::Canceled) | S(ScriptStatus::Canceled)) => self.fg(Role::Canceled),
            Some(E(Status::Succeed) | S(ScriptStatus::Finished)) => self.fg(Role::Succeeded),
            Some(E(Status::Unknown(_)) | S(ScriptStatus::Unknown(_))) => {
                Style::new().add_modifier(Modifier::ITALIC)
            }
            None => self.dim(),
        }
    }

    pub fn error(self) -> Style {
        self.fg(Role::Error).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(Role::Warning)
    }

    /// Something is badly wrong (authentication): impossible to miss, even in mono.
    pub fn alarm(self) -> Style {
        if self.color {
            Style::new()
                .fg(contrast(self.of(Role::Alarm)))
                .bg(self.of(Role::Alarm))
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
        self.fg(Role::Accent).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Role::Accent).add_modifier(Modifier::BOLD)
    }

    pub fn border(self) -> Style {
        self.fg(Role::Border)
    }

    pub fn column_header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The selected row: reversed, unless a selection colour is set (its background).
    pub fn selected(self) -> Style {
        match self.of(Role::Selection) {
            Color::Reset => Style::new().add_modifier(Modifier::REVERSED),
            _ if !self.color => Style::new().add_modifier(Modifier::REVERSED),
            color => Style::new().fg(contrast(color)).bg(color),
        }
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
        self.selected().add_modifier(Modifier::BOLD)
    }
}

/// Text that reads on `background`.
fn contrast(background: Color) -> Color {
    match background {
        Color::Yellow
        | Color::LightYellow
        | Color::LightGreen
        | Color::LightCyan
        | Color::White
        | Color::Gray => Color::Black,
        _ => Color::White,
    }
}

/// Each theme's colour of a role; `Reset` is the terminal's own (the selection is
/// reversed then).
fn theme_color(theme: ThemeName, role: Role) -> Color {
    use Role::*;
    match theme {
        ThemeName::Dark => match role {
            Failed | Error | Alarm => Color::Red,
            Timeout => Color::Magenta,
            Running | Accent => Color::Cyan,
            Pending | Warning => Color::Yellow,
            Canceled => Color::DarkGray,
            Succeeded => Color::Green,
            Selection | Border => Color::Reset,
        },
        // Dark inks for a light background: no yellow or cyan text.
        ThemeName::Light => match role {
            Failed | Error | Alarm => Color::Indexed(160),
            Timeout => Color::Indexed(127),
            Running | Accent => Color::Indexed(25),
            Pending | Warning => Color::Indexed(130),
            Canceled => Color::Indexed(244),
            Succeeded => Color::Indexed(28),
            Selection | Border => Color::Reset,
        },
        ThemeName::HighContrast => match role {
            Failed | Error | Alarm => Color::LightRed,
            Timeout => Color::LightMagenta,
            Running | Accent => Color::LightCyan,
            Pending | Warning => Color::LightYellow,
            Canceled => Color::White,
            Succeeded => Color::LightGreen,
            Selection => Color::LightYellow,
            Border => Color::White,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_and_the_accent_win_over_the_theme_and_no_color_over_all() {
        let palette = Palette::new(ThemeName::Dark, true)
            .with_colors(&[(Role::Failed, Color::LightRed)])
            .with_accent(Color::Red);
        assert_eq!(
            palette.status(Some(&Status::Failed.into())).fg,
            Some(Color::LightRed)
        );
        assert_eq!(palette.title().fg, Some(Color::Red));
        assert_eq!(palette.border().fg, Some(Color::Red));
        let mono = Palette::new(ThemeName::HighContrast, false)
            .with_colors(&[(Role::Selection, Color::Blue)])
            .with_accent(Color::Red);
        for style in [mono.title(), mono.border(), mono.selected(), mono.error()] {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
    }

    #[test]
    fn the_light_theme_writes_no_yellow_or_cyan() {
        let light = Palette::new(ThemeName::Light, true);
        for status in JobStatus::known() {
            let fg = light.status(Some(&status)).fg;
            assert!(
                !matches!(fg, Some(Color::Yellow | Color::Cyan | Color::LightYellow)),
                "{status:?}: {fg:?}"
            );
        }
    }
}
