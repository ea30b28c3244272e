//! How the dashboard looks, as `[ui]` says: `theme`, `[ui.colors]` overrides by role, and
//! the list's `columns`.

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

/// A column of the ticket list, as `[ui] columns` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Status,
    /// The ticket's profile; among the usual columns only when several are shown.
    Profile,
    /// Takes the room the others leave; its width is its least.
    Name,
    Id,
    Type,
    Creator,
    Started,
    Took,
    Updated,
    /// The ticket's tags, `key=value` each; shown only when `[ui] columns` names it.
    Tags,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Status,
        Column::Profile,
        Column::Name,
        Column::Id,
        Column::Type,
        Column::Creator,
        Column::Started,
        Column::Took,
        Column::Updated,
        Column::Tags,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Status => "status",
            Column::Profile => "profile",
            Column::Name => "name",
            Column::Id => "id",
            Column::Type => "type",
            Column::Creator => "creator",
            Column::Started => "started",
            Column::Took => "took",
            Column::Updated => "updated",
            Column::Tags => "tags",
        }
    }

    /// Its width unless the config gives one.
    pub fn usual_width(self) -> u16 {
        match self {
            Column::Status => 11,
            Column::Name => 12,
            Column::Profile => 10,
            Column::Id => 24,
            Column::Type | Column::Creator => 12,
            Column::Started | Column::Updated => 10,
            Column::Took => 6,
            Column::Tags => 20,
        }
    }
}

/// The widest a column may be made.
pub const COLUMN_WIDTH_MAX: u16 = 200;

/// One column of the list with its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnChoice {
    pub column: Column,
    pub width: u16,
}

impl ColumnChoice {
    /// The list as it is without `[ui] columns`: no tags, the profile only when
    /// `profiles` (several are shown).
    pub fn defaults(profiles: bool) -> Vec<ColumnChoice> {
        Column::ALL
            .into_iter()
            .filter(|c| *c != Column::Tags && (profiles || *c != Column::Profile))
            .map(|column| ColumnChoice {
                column,
                width: column.usual_width(),
            })
            .collect()
    }

    /// `name` or `name:width` (`"tags:30"`); a near miss of a name is suggested.
    pub fn parse(text: &str) -> Result<ColumnChoice, String> {
        let (name, width) = match text.split_once(':') {
            Some((name, width)) => (name, Some(width)),
            None => (text, None),
        };
        let Some(column) = Column::ALL.into_iter().find(|c| c.name() == name) else {
            let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
            let hint = crate::text::nearest(name, &names)
                .map(|near| format!(" (did you mean {near:?}?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown column {name:?}{hint}; known: {}",
                names.join(", ")
            ));
        };
        let width = match width {
            None => column.usual_width(),
            Some(width) => width
                .parse::<u16>()
                .ok()
                .filter(|w| (1..=COLUMN_WIDTH_MAX).contains(w))
                .ok_or_else(|| {
                    format!(
                        "column {text:?}: the width after `:` must be a number from 1 to {COLUMN_WIDTH_MAX}"
                    )
                })?,
        };
        Ok(ColumnChoice { column, width })
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

    #[test]
    fn columns_by_name_with_a_width_and_near_misses_suggested() {
        let tags = ColumnChoice::parse("tags:30").unwrap();
        assert_eq!((tags.column, tags.width), (Column::Tags, 30));
        assert_eq!(ColumnChoice::parse("id").unwrap().width, 24);
        assert!(
            ColumnChoice::parse("tag")
                .unwrap_err()
                .contains("did you mean \"tags\"")
        );
        assert!(ColumnChoice::parse("tags:0").is_err());
        assert!(ColumnChoice::parse("tags:wide").is_err());
        assert!(
            !ColumnChoice::defaults(true)
                .iter()
                .any(|c| c.column == Column::Tags)
        );
        let usual = |profiles| {
            ColumnChoice::defaults(profiles)
                .into_iter()
                .map(|c| c.column)
        };
        assert!(!usual(false).any(|c| c == Column::Profile));
        assert_eq!(
            usual(true).take(2).collect::<Vec<_>>(),
            [Column::Status, Column::Profile]
        );
    }
}
