//! How the dashboard looks, as `[ui]` says: `theme`, and `[ui.colors]` overrides by role.

use ratatui::style::Color;

/// `[ui] theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

impl ThemeName {
    pub const NAMES: [&'static str; 3] = ["dark", "light", "high-contrast"];

    pub fn parse(name: &str) -> Option<ThemeName> {
        match name {
            "dark" => Some(ThemeName::Dark),
            "light" => Some(ThemeName::Light),
            "high-contrast" => Some(ThemeName::HighContrast),
            _ => None,
        }
    }
}

/// What a colour is for: the keys of `[ui.colors]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Failed,
    Timeout,
    Running,
    Pending,
    Canceled,
    Succeeded,
    /// Errors in text (a poll that failed, a refusal).
    Error,
    Warning,
    /// Impossible to miss: authentication failed, new failures.
    Alarm,
    /// The title, the keys in the footer and the help; a profile's colour.
    Accent,
    /// The selected row.
    Selection,
    Border,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Failed,
        Role::Timeout,
        Role::Running,
        Role::Pending,
        Role::Canceled,
        Role::Succeeded,
        Role::Error,
        Role::Warning,
        Role::Alarm,
        Role::Accent,
        Role::Selection,
        Role::Border,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Failed => "failed",
            Role::Timeout => "timeout",
            Role::Running => "running",
            Role::Pending => "pending",
            Role::Canceled => "canceled",
            Role::Succeeded => "succeeded",
            Role::Error => "error",
            Role::Warning => "warning",
            Role::Alarm => "alarm",
            Role::Accent => "accent",
            Role::Selection => "selection",
            Role::Border => "border",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        Role::ALL.iter().map(|role| role.name()).collect()
    }
}

/// A colour as the config writes it: a name (`red`, `light-blue`, `gray`), `#rrggbb`,
/// or a 256-colour index (`"208"`).
pub fn parse_color(text: &str) -> Result<Color, String> {
    let named = match text.to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
        "black" => Some(Color::Black),
        "red" => Some(Color::Red),
        "green" => Some(Color::Green),
        "yellow" => Some(Color::Yellow),
        "blue" => Some(Color::Blue),
        "magenta" => Some(Color::Magenta),
        "cyan" => Some(Color::Cyan),
        "gray" | "grey" => Some(Color::Gray),
        "dark-gray" | "dark-grey" => Some(Color::DarkGray),
        "light-red" => Some(Color::LightRed),
        "light-green" => Some(Color::LightGreen),
        "light-yellow" => Some(Color::LightYellow),
        "light-blue" => Some(Color::LightBlue),
        "light-magenta" => Some(Color::LightMagenta),
        "light-cyan" => Some(Color::LightCyan),
        "white" => Some(Color::White),
        _ => None,
    };
    if let Some(color) = named {
        return Ok(color);
    }
    if let Some(hex) = text.strip_prefix('#')
        && hex.len() == 6
        && let Ok(rgb) = u32::from_str_radix(hex, 16)
    {
        let [_, r, g, b] = rgb.to_be_bytes();
        return Ok(Color::Rgb(r, g, b));
    }
    if let Ok(index) = text.parse::<u8>() {
        return Ok(Color::Indexed(index));
    }
    Err(format!(
        "unknown colour {text:?}: expected a name (red, light-blue, gray, …), \"#rrggbb\" \
         or a number from 0 to 255"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_by_name_hex_and_index() {
        assert_eq!(parse_color("red"), Ok(Color::Red));
        assert_eq!(parse_color("Light_Blue"), Ok(Color::LightBlue));
        assert_eq!(parse_color("#ff8000"), Ok(Color::Rgb(255, 128, 0)));
        assert_eq!(parse_color("208"), Ok(Color::Indexed(208)));
        assert!(parse_color("#ff80").is_err());
        assert!(parse_color("256").is_err());
        assert!(parse_color("redd").unwrap_err().contains("redd"));
    }
}
