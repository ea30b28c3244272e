//! The output of one batch host (Enter on it in a batch's hosts): the whole `message`,
//! sanitised for display once when opened, scrolled line by line. A line longer than
//! `PIECE_CHARS` is split into pieces, each wrapped on screen, so that a frame never
//! lays out more than a screenful of pieces whatever the output holds.

use crate::coc::ScriptHost;
use crate::text;

/// The most characters of one scrolled row (a piece of a long line).
pub const PIECE_CHARS: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct HostOutput {
    /// The host's name or IP, sanitised.
    host: String,
    /// The output's lines, sanitised, long ones in pieces.
    rows: Vec<String>,
    /// The first row shown.
    scroll: usize,
}

impl HostOutput {
    pub fn of(host: &ScriptHost) -> HostOutput {
        let name = host.name().or(host.ip()).unwrap_or("-");
        let rows = host
            .message
            .as_deref()
            .unwrap_or("")
            .lines()
            .flat_map(pieces)
            .map(|piece| text::sanitize(piece).into_owned())
            .collect();
        HostOutput {
            host: text::sanitize(name).into_owned(),
            rows,
            scroll: 0,
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn rows(&self) -> &[String] {
        &self.rows
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Scrolls to `to`, clamped to the last row. Says whether it moved.
    pub fn scroll_to(&mut self, to: usize) -> bool {
        let before = self.scroll;
        self.scroll = to.min(self.rows.len().saturating_sub(1));
        self.scroll != before
    }
}

/// `line` in pieces of at most `PIECE_CHARS` characters (an empty line stays one row).
fn pieces(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while let Some((at, _)) = rest.char_indices().nth(PIECE_CHARS) {
        let (piece, after) = rest.split_at(at);
        pieces.push(piece);
        rest = after;
    }
    pieces.push(rest);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(message: &str) -> ScriptHost {
        serde_json::from_value(serde_json::json!({
            "id": 1, "status": "FAILED", "message": message,
            "target_instance": {"resource_id": "web-1\u{1b}[31m"}
        }))
        .unwrap()
    }

    #[test]
    fn every_line_is_kept_sanitised_and_long_ones_in_pieces() {
        let long = "数".repeat(2 * PIECE_CHARS + 5);
        let output = HostOutput::of(&host(&format!("one\n\u{1b}[2Jtwo\r\n\n{long}\nend")));
        let rows = output.rows();
        assert_eq!(rows.len(), 7, "{rows:?}");
        assert_eq!(rows[0], "one");
        assert!(
            !rows[1].contains('\u{1b}') && rows[1].ends_with("two"),
            "{rows:?}"
        );
        assert_eq!(rows[2], "");
        assert_eq!(rows[3].chars().count(), PIECE_CHARS);
        assert_eq!(rows[5].chars().count(), 5);
        assert_eq!(rows[6], "end");
        assert_eq!(rows[3..6].concat(), long, "nothing cut");
        assert!(!output.host().contains('\u{1b}'), "{}", output.host());
    }

    #[test]
    fn a_megabyte_of_control_characters_opens_and_scrolls_to_its_end() {
        let noise = "\u{7}\u{1b}]0;title\u{7}\u{8}\r".repeat(100_000);
        let mut output = HostOutput::of(&host(&noise));
        assert!(
            output
                .rows()
                .iter()
                .all(|r| !r.chars().any(char::is_control))
        );
        assert!(output.scroll_to(usize::MAX));
        assert_eq!(output.scroll(), output.rows().len() - 1);
        assert!(!output.scroll_to(usize::MAX));
    }
}
