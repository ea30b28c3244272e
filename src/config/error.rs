//! Config errors. Every problem is shown as `FILE:LINE:COLUMN: MESSAGE`, or `FILE: MESSAGE`
//! when it has no place in the text (a missing or unreadable file).

use std::fmt;
use std::path::PathBuf;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text, snapped to a char).
    pub fn at(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// One thing wrong with a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub position: Option<Position>,
    pub message: String,
}

/// Why a config file was refused: its problems in file order (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

impl ConfigError {
    /// A problem with the file as a whole (missing, unreadable).
    pub fn file(path: PathBuf, message: String) -> ConfigError {
        ConfigError {
            path,
            problems: vec![Problem {
                position: None,
                message,
            }],
        }
    }

    /// Each problem as one line, `FILE:LINE:COLUMN: MESSAGE`.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.problems.iter().map(|problem| {
            let path = self.path.display();
            match problem.position {
                Some(Position { line, column }) => {
                    format!("{path}:{line}:{column}: {}", problem.message)
                }
                None => format!("{path}: {}", problem.message),
            }
        })
    }
}

/// The first problem; the others are counted (`coctop config check` lists them all).
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.lines().next().unwrap_or_default();
        f.write_str(&first)?;
        match self.problems.len() {
            0 | 1 => Ok(()),
            2 => write!(f, " (and 1 more problem: run `coctop config check`)"),
            n => write!(
                f,
                " (and {} more problems: run `coctop config check`)",
                n - 1
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\n[poll]\nnäme = 2\n";
        assert_eq!(Position::at(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::at(text, 6), Position { line: 2, column: 1 });
        let e = text.find("= 2").unwrap();
        assert_eq!(Position::at(text, e), Position { line: 3, column: 6 });
        // Past the end and inside a multi-byte character: clamped, no panic.
        assert_eq!(Position::at(text, 999).line, 4);
        assert_eq!(Position::at(text, 15), Position { line: 3, column: 2 });
    }

    #[test]
    fn display_shows_the_first_problem_and_counts_the_rest() {
        let error = ConfigError {
            path: PathBuf::from("/c.toml"),
            problems: vec![
                Problem {
                    position: Some(Position { line: 2, column: 1 }),
                    message: "one".into(),
                },
                Problem {
                    position: Some(Position { line: 5, column: 3 }),
                    message: "two".into(),
                },
            ],
        };
        assert_eq!(
            error.to_string(),
            "/c.toml:2:1: one (and 1 more problem: run `coctop config check`)"
        );
        assert_eq!(
            error.lines().collect::<Vec<_>>(),
            ["/c.toml:2:1: one", "/c.toml:5:3: two"]
        );
    }
}
