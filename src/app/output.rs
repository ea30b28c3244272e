//! A host's whole output in a pager (Enter on a host): scrolled by lines and pages,
//! wrapped or scrolled sideways, searched (`/`, `n`, `N`) and saved to a file (`w`).
//!
//! The output is kept as the server sent it: that is what `w` saves. What is drawn is
//! a display copy made once when the pager opens (tabs expanded, every line
//! sanitised), so that a key press only ever walks the lines on screen, whatever the
//! size of the output. Any view can open one: it takes a title and a raw string.

use std::path::PathBuf;
use std::sync::Arc;

use unicode_width::UnicodeWidthChar;

use super::keys::{Intent, Motion};
use crate::i18n::{Lang, Msg};
use crate::text;

/// A tab stop every this many columns.
const TAB_WIDTH: usize = 8;
/// Matches remembered at most; `n` goes round them.
pub const MAX_MATCHES: usize = 100_000;

/// Where the screen starts: a line of the output, and a row inside it when wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: usize,
    pub row: usize,
}

/// The text area the pager draws in (`app::layout::output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub width: usize,
    pub height: usize,
}

/// The display copy: every line sanitised, joined by `\n`, and where each starts.
#[derive(Debug, Clone)]
struct Display {
    text: String,
    starts: Vec<usize>,
    /// `text` in ASCII lower case (byte offsets unchanged), made for the first search
    /// that ignores case.
    folded: Option<String>,
}

impl Display {
    fn of(raw: &str) -> Display {
        let mut text = String::with_capacity(raw.len() + raw.len() / 16);
        let mut starts = Vec::new();
        // A final line break ends the last line; it does not start another.
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        for line in body.split('\n') {
            starts.push(text.len());
            push_display_line(&mut text, line.strip_suffix('\r').unwrap_or(line));
            text.push('\n');
        }
        Display {
            text,
            starts,
            folded: None,
        }
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    fn line(&self, i: usize) -> &str {
        let start = self.starts[i];
        let end = self.starts.get(i + 1).map_or(self.text.len(), |&next| next) - 1;
        &self.text[start..end]
    }

    /// The line holding byte `offset` of the display text.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
    }

    /// The text a search runs on, and the query as it must appear there: smart case,
    /// as in vim and less (a query with a capital letter is matched exactly).
    fn haystack(&mut self, query: &str) -> (&str, String) {
        if query.chars().any(char::is_uppercase) {
            return (&self.text, query.to_string());
        }
        let folded = self
            .folded
            .get_or_insert_with(|| self.text.to_ascii_lowercase());
        (folded, query.to_ascii_lowercase())
    }
}

/// One output line as shown: tabs to the next tab stop, then sanitised piece by piece
/// (escape sequences, controls and invisible characters gone).
fn push_display_line(out: &mut String, line: &str) {
    let mut column = 0;
    for (i, piece) in line.split('\t').enumerate() {
        if i > 0 {
            let fill = TAB_WIDTH - column % TAB_WIDTH;
            out.extend(std::iter::repeat_n(' ', fill));
            column += fill;
        }
        let clean = text::sanitize(piece);
        column += unicode_width::UnicodeWidthStr::width(clean.as_ref());
        out.push_str(&clean);
    }
}

/// Where each row of `line` starts (byte offsets) when it is wrapped at `width`
/// columns; a wide character that does not fit goes to the next row whole.
pub fn row_starts(line: &str, width: usize) -> Vec<usize> {
    let width = width.max(2);
    let mut starts = vec![0];
    let mut used = 0;
    for (i, c) in line.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            starts.push(i);
            used = 0;
        }
        used += w;
    }
    starts
}

/// The byte offset where column `column` of `line` starts (its end when shorter); a
/// wide character cut by it is skipped.
pub fn skip_columns(line: &str, column: usize) -> usize {
    let mut used = 0;
    for (i, c) in line.char_indices() {
        if used >= column {
            return i;
        }
        used += c.width().unwrap_or(0);
    }
    line.len()
}

#[derive(Debug, Clone)]
struct Search {
    query: String,
    /// Byte offsets of the matches in the display text, in order.
    matches: Vec<usize>,
    /// More matched than `MAX_MATCHES`.
    capped: bool,
    current: Option<usize>,
}

/// A line at the bottom of the pager that has the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputLine {
    Search(String),
    SavePath(String),
    /// The file exists: `y` overwrites it.
    Overwrite(PathBuf),
}

/// A line about the last search or save, until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputNote {
    pub text: String,
    pub is_error: bool,
}

/// How saving went (the event loop's answer to `OutputKey::Save`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveResult {
    Saved,
    /// Nothing written: a file is there, and it was not to be overwritten.
    Exists,
    Failed(String),
}

/// What a key in the pager asks of whoever holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputKey {
    Nothing,
    Redraw,
    /// Esc: back to what opened it.
    Close,
    /// Write the raw output to `path`; over a file already there only when `overwrite`.
    Save {
        path: PathBuf,
        text: Arc<str>,
        overwrite: bool,
    },
}

#[derive(Debug, Clone)]
pub struct OutputView {
    title: String,
    /// As the server sent it.
    raw: Arc<str>,
    display: Display,
    wrap: bool,
    top: Position,
    /// Columns scrolled sideways (not wrapped).
    left: usize,
    search: Option<Search>,
    line: Option<OutputLine>,
    note: Option<OutputNote>,
    /// The file name `w` offers.
    suggested_name: String,
    /// What it was opened from (a host's key), for the way back.
    origin: Option<String>,
    /// The language its lines and notes are told in.
    lang: Lang,
}

impl OutputView {
    /// A pager on `raw` (server text, drawn only sanitised) titled `title`, told in
    /// `lang`; `w` offers to save it as `suggested_name` (made safe for a file name
    /// here).
    pub fn new(title: String, raw: Arc<str>, suggested_name: &str, lang: Lang) -> OutputView {
        OutputView {
            lang,
            title,
            display: Display::of(&raw),
            raw,
            wrap: false,
            top: Position::default(),
            left: 0,
            search: None,
            line: None,
            note: None,
            suggested_name: file_name_of(suggested_name),
            origin: None,
        }
    }

    /// Remembers what opened it.
    pub fn from_origin(mut self, origin: Option<String>) -> OutputView {
        self.origin = origin;
        self
    }

    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    pub fn line_count(&self) -> usize {
        self.display.len()
    }

    /// Display line `i` (sanitised).
    pub fn display_line(&self, i: usize) -> &str {
        self.display.line(i)
    }

    pub fn wrapped(&self) -> bool {
        self.wrap
    }

    pub fn top(&self) -> Position {
        self.top
    }

    pub fn left(&self) -> usize {
        self.left
    }

    /// The line being typed or the question asked, if any.
    pub fn input(&self) -> Option<&OutputLine> {
        self.line.as_ref()
    }

    pub fn note(&self) -> Option<&OutputNote> {
        self.note.as_ref()
    }

    /// The query of the last search, and its matches in display line `i` as byte ranges
    /// of that line, with whether each is the current one.
    pub fn matches_in(&self, i: usize) -> Vec<(std::ops::Range<usize>, bool)> {
        let Some(search) = &self.search else {
            return Vec::new();
        };
        let start = self.display.starts[i];
        let end = start + self.display.line(i).len();
        let first = search.matches.partition_point(|&m| m < start);
        let len = search.query.len();
        search.matches[first..]
            .iter()
            .take_while(|&&m| m < end)
            .enumerate()
            .map(|(k, &m)| {
                let current = search.current == Some(first + k);
                (m - start..(m + len).min(end) - start, current)
            })
            .collect()
    }

    /// `match 3 of 12`, `not found`, or nothing before a search.
    pub fn search_status(&self) -> Option<String> {
        let search = self.search.as_ref()?;
        let query = text::sanitize(&search.query);
        let status = match (search.current, search.matches.len()) {
            (_, 0) => self.lang.t(Msg::NotFound(&query)),
            (current, total) => self.lang.t(Msg::MatchOf {
                query: &query,
                at: current.map_or(0, |c| c + 1),
                total,
                capped: search.capped,
            }),
        };
        Some(status.into_owned())
    }

    /// A key routed to the pager (`typed`: the character of `Intent::Type`), with the
    /// text area it draws in.
    pub fn on_intent(&mut self, intent: Intent, typed: Option<char>, view: Viewport) -> OutputKey {
        self.note = None;
        if self.line.is_some() {
            return self.on_line(intent, typed, view);
        }
        let moved = match intent {
            Intent::Move(motion) => self.scroll(motion, view),
            Intent::PanLeft => self.pan(false, view),
            Intent::PanRight => self.pan(true, view),
            Intent::Wrap => {
                self.wrap = !self.wrap;
                self.top.row = 0;
                self.left = 0;
                self.top = self.clamp(self.top, view);
                true
            }
            Intent::Search => {
                self.line = Some(OutputLine::Search(String::new()));
                true
            }
            Intent::NextMatch => self.next_match(true, view),
            Intent::PrevMatch => self.next_match(false, view),
            Intent::Save => {
                self.line = Some(OutputLine::SavePath(self.suggested_name.clone()));
                true
            }
            Intent::Back => return OutputKey::Close,
            _ => return OutputKey::Nothing,
        };
        if moved {
            OutputKey::Redraw
        } else {
            OutputKey::Nothing
        }
    }

    /// A key on the search or file name line, or at the overwrite question.
    fn on_line(&mut self, intent: Intent, typed: Option<char>, view: Viewport) -> OutputKey {
        match (&mut self.line, intent) {
            (Some(OutputLine::Search(text) | OutputLine::SavePath(text)), Intent::Type) => {
                text.extend(typed);
            }
            (Some(OutputLine::Search(text) | OutputLine::SavePath(text)), Intent::Erase) => {
                text.pop();
            }
            (_, Intent::Accept) => match self.line.take() {
                Some(OutputLine::Search(query)) => self.run_search(query, view),
                Some(OutputLine::SavePath(path)) if path.trim().is_empty() => {
                    self.say(self.lang.t(Msg::NoFileName).into_owned(), true);
                }
                Some(OutputLine::SavePath(path)) => return self.save(PathBuf::from(path), false),
                Some(OutputLine::Overwrite(path)) => return self.save(path, true),
                None => return OutputKey::Nothing,
            },
            // At the overwrite question every other key keeps the file.
            (Some(OutputLine::Overwrite(_)), _) | (_, Intent::Close) => self.line = None,
            _ => return OutputKey::Nothing,
        }
        OutputKey::Redraw
    }

    fn save(&self, path: PathBuf, overwrite: bool) -> OutputKey {
        OutputKey::Save {
            path,
            text: self.raw.clone(),
            overwrite,
        }
    }

    fn say(&mut self, text: String, is_error: bool) {
        self.note = Some(OutputNote { text, is_error });
    }

    /// The event loop's answer about saving to `path`: a note, or the question whether
    /// to overwrite the file that is there.
    pub fn saved(&mut self, path: PathBuf, result: SaveResult) {
        let shown = text::sanitize(&path.display().to_string()).into_owned();
        match result {
            SaveResult::Saved => {
                let saved = self.lang.t(Msg::SavedTo(&shown)).into_owned();
                self.say(saved, false);
            }
            SaveResult::Exists => self.line = Some(OutputLine::Overwrite(path)),
            SaveResult::Failed(why) => {
                let why = text::sanitize(&why);
                let failed = self.lang.t(Msg::OutputNotSaved {
                    path: &shown,
                    why: &why,
                });
                self.say(failed.into_owned(), true);
            }
        }
    }

    /// Rows line `i` takes on screen.
    fn rows_of(&self, i: usize, view: Viewport) -> usize {
        if self.wrap {
            row_starts(self.display.line(i), view.width).len()
        } else {
            1
        }
    }

    /// `n` rows further down (at most the last row).
    fn down(&self, mut at: Position, mut n: usize, view: Viewport) -> Position {
        let last = self.display.len() - 1;
        while n > 0 {
            let rows = self.rows_of(at.line, view);
            let left_in_line = rows - 1 - at.row.min(rows - 1);
            if n <= left_in_line {
                at.row += n;
                return at;
            }
            if at.line == last {
                at.row = rows - 1;
                return at;
            }
            n -= left_in_line + 1;
            at = Position {
                line: at.line + 1,
                row: 0,
            };
        }
        at
    }

    /// `n` rows further up (at most the first row).
    fn up(&self, mut at: Position, mut n: usize, view: Viewport) -> Position {
        while n > 0 {
            if n <= at.row {
                at.row -= n;
                return at;
            }
            if at.line == 0 {
                return Position::default();
            }
            n -= at.row + 1;
            at.line -= 1;
            at.row = self.rows_of(at.line, view) - 1;
        }
        at
    }

    /// The top that shows the last row at the bottom of the screen.
    fn last_top(&self, view: Viewport) -> Position {
        let mut remaining = view.height.max(1);
        for line in (0..self.display.len()).rev() {
            let rows = self.rows_of(line, view);
            if rows >= remaining {
                return Position {
                    line,
                    row: rows - remaining,
                };
            }
            remaining -= rows;
        }
        Position::default()
    }

    fn clamp(&self, at: Position, view: Viewport) -> Position {
        at.min(self.last_top(view))
    }

    /// Scrolls; says whether the screen moved.
    fn scroll(&mut self, motion: Motion, view: Viewport) -> bool {
        let to = match motion.paged(view.height.max(1)) {
            Motion::Down(n) => self.down(self.top, n, view),
            Motion::Up(n) => self.up(self.top, n, view),
            Motion::Top => Position::default(),
            Motion::Bottom => self.last_top(view),
            Motion::PageUp | Motion::PageDown => self.top,
        };
        let to = self.clamp(to, view);
        let moved = to != self.top;
        self.top = to;
        moved
    }

    /// Sideways by half a screen, never past the widest line on screen.
    fn pan(&mut self, right: bool, view: Viewport) -> bool {
        if self.wrap {
            return false;
        }
        let step = (view.width / 2).max(1);
        let widest = (self.top.line..self.display.len().min(self.top.line + view.height))
            .map(|i| unicode_width::UnicodeWidthStr::width(self.display.line(i)))
            .max()
            .unwrap_or(0);
        let to = if right {
            // Never back to the left on `l` (a search may have gone further).
            (self.left + step)
                .min(widest.saturating_sub(1))
                .max(self.left)
        } else {
            self.left.saturating_sub(step)
        };
        let moved = to != self.left;
        self.left = to;
        moved
    }

    /// Finds every match of `query` (up to `MAX_MATCHES`) and goes to the first one at
    /// or after the top of the screen.
    fn run_search(&mut self, query: String, view: Viewport) {
        if query.is_empty() {
            self.search = None;
            return;
        }
        let (haystack, needle) = self.display.haystack(&query);
        let mut found = haystack.match_indices(needle.as_str()).map(|(at, _)| at);
        let matches: Vec<usize> = found.by_ref().take(MAX_MATCHES).collect();
        let capped = found.next().is_some();
        let from = self.display.starts[self.top.line];
        let current = match matches.partition_point(|&m| m < from) {
            i if i < matches.len() => Some(i),
            _ if matches.is_empty() => None,
            _ => Some(0),
        };
        self.search = Some(Search {
            query,
            matches,
            capped,
            current,
        });
        if let Some(i) = current {
            self.reveal(i, view);
        }
    }

    /// `n` / `N`: the next or previous match, round the end.
    fn next_match(&mut self, forward: bool, view: Viewport) -> bool {
        let Some(search) = &mut self.search else {
            return false;
        };
        let total = search.matches.len();
        if total == 0 {
            return true;
        }
        let next = match (search.current, forward) {
            (None, _) => 0,
            (Some(i), true) => (i + 1) % total,
            (Some(i), false) => (i + total - 1) % total,
        };
        search.current = Some(next);
        self.reveal(next, view);
        true
    }

    /// Scrolls so that match `i` is on screen, a third of the way down, when it is not.
    fn reveal(&mut self, i: usize, view: Viewport) {
        let Some(search) = &self.search else {
            return;
        };
        let offset = search.matches[i];
        let len = search.query.len();
        let line = self.display.line_of(offset);
        let in_line = offset - self.display.starts[line];
        let text = self.display.line(line);
        let target = if self.wrap {
            let starts = row_starts(text, view.width);
            let row = starts.partition_point(|&s| s <= in_line) - 1;
            Position { line, row }
        } else {
            let column = unicode_width::UnicodeWidthStr::width(&text[..in_line]);
            let end =
                unicode_width::UnicodeWidthStr::width(&text[..(in_line + len).min(text.len())]);
            if column < self.left || end > self.left + view.width {
                self.left = column.saturating_sub(view.width / 3);
            }
            Position { line, row: 0 }
        };
        let bottom = self.down(self.top, view.height.saturating_sub(1), view);
        if target < self.top || target > bottom {
            self.top = self.clamp(self.up(target, view.height / 3, view), view);
        }
    }
}

/// A name safe to offer as a file name: letters, digits, `.`, `_` and `-` kept, the
/// rest `_`, no leading dot.
fn file_name_of(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '_',
        })
        .take(120)
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        "output.log".into()
    } else {
        safe.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: Viewport = Viewport {
        width: 20,
        height: 5,
    };

    fn view_of(raw: &str) -> OutputView {
        OutputView::new("web-01".into(), raw.into(), "EX1-web-01.log", Lang::En)
    }

    fn numbered(lines: usize) -> String {
        (1..=lines).map(|n| format!("line {n}\n")).collect()
    }

    fn key(view: &mut OutputView, intent: Intent) -> OutputKey {
        view.on_intent(intent, None, VIEW)
    }

    fn typed(view: &mut OutputView, text: &str) {
        for c in text.chars() {
            view.on_intent(Intent::Type, Some(c), VIEW);
        }
    }

    #[test]
    fn the_display_is_sanitised_and_the_raw_output_kept_whole() {
        let raw = "\u{1b}[31mred\u{1b}[0m\tcol\r\n\u{1b}]0;title\u{7}x\u{202e}y\nprogress 1%\rprogress 100%\n";
        let view = view_of(raw);
        assert_eq!(view.raw(), raw);
        assert_eq!(view.line_count(), 3);
        assert_eq!(view.display_line(0), "red     col");
        assert_eq!(view.display_line(1), "xy");
        assert_eq!(view.display_line(2), "progress 1% progress 100%");
        for i in 0..view.line_count() {
            assert!(!view.display_line(i).chars().any(char::is_control));
        }
        assert_eq!(view_of("").line_count(), 1);
        assert!(view_of("").is_empty());
        assert_eq!(view_of("no newline").display_line(0), "no newline");
    }

    #[test]
    fn scrolling_stops_with_the_last_line_at_the_bottom() {
        let mut view = view_of(&numbered(12));
        assert_eq!(
            key(&mut view, Intent::Move(Motion::Bottom)),
            OutputKey::Redraw
        );
        assert_eq!(view.top(), Position { line: 7, row: 0 });
        assert_eq!(
            key(&mut view, Intent::Move(Motion::Down(1))),
            OutputKey::Nothing
        );
        key(&mut view, Intent::Move(Motion::PageUp));
        assert_eq!(view.top().line, 2);
        key(&mut view, Intent::Move(Motion::Top));
        assert_eq!(view.top(), Position::default());
        // Shorter than the screen: nowhere to go.
        let mut short = view_of(&numbered(3));
        assert_eq!(
            key(&mut short, Intent::Move(Motion::PageDown)),
            OutputKey::Nothing
        );
    }

    #[test]
    fn wrapped_lines_scroll_row_by_row_and_sideways_is_off() {
        // 45 columns: three rows of 20 columns.
        let long = "x".repeat(45);
        let mut view = view_of(&format!("{long}\nshort\n{long}\n"));
        key(&mut view, Intent::Wrap);
        assert!(view.wrapped());
        key(&mut view, Intent::Move(Motion::Down(1)));
        assert_eq!(view.top(), Position { line: 0, row: 1 });
        key(&mut view, Intent::Move(Motion::Bottom));
        // 7 rows in all, 5 on screen: the top is the third row of the first line.
        assert_eq!(view.top(), Position { line: 0, row: 2 });
        assert_eq!(key(&mut view, Intent::PanRight), OutputKey::Nothing);
        key(&mut view, Intent::Wrap);
        assert_eq!(view.top(), Position { line: 0, row: 0 });
        key(&mut view, Intent::PanRight);
        assert_eq!(view.left(), 10);
        for _ in 0..4 {
            key(&mut view, Intent::PanRight);
        }
        assert_eq!(view.left(), 44, "never past the widest line on screen");
        key(&mut view, Intent::PanLeft);
        assert_eq!(view.left(), 34);
    }

    #[test]
    fn wide_characters_wrap_whole() {
        assert_eq!(row_starts("数据库切换", 4), [0, 6, 12]);
        assert_eq!(row_starts("ab数", 3), [0, 2]);
        assert_eq!(skip_columns("数据库", 2), 3);
        assert_eq!(skip_columns("数据库", 3), 6);
        assert_eq!(skip_columns("ab", 9), 2);
    }

    #[test]
    fn search_is_smart_case_and_n_goes_round_the_matches() {
        let mut raw = numbered(30);
        raw.push_str("ERROR: disk full\nerror again\n");
        let mut view = view_of(&raw);
        key(&mut view, Intent::Search);
        assert_eq!(view.input(), Some(&OutputLine::Search(String::new())));
        typed(&mut view, "error");
        key(&mut view, Intent::Accept);
        assert_eq!(view.input(), None);
        assert_eq!(view.search_status().unwrap(), "\"error\" match 1 of 2");
        // The match is on screen: line 31 (index 30).
        let top = view.top().line;
        assert!((top..top + VIEW.height).contains(&30), "{top}");
        assert_eq!(view.matches_in(30), [(0..5, true)]);
        key(&mut view, Intent::NextMatch);
        assert_eq!(view.matches_in(31), [(0..5, true)]);
        key(&mut view, Intent::NextMatch);
        assert_eq!(view.search_status().unwrap(), "\"error\" match 1 of 2");
        key(&mut view, Intent::PrevMatch);
        assert_eq!(view.search_status().unwrap(), "\"error\" match 2 of 2");
        // A capital letter: exact case.
        key(&mut view, Intent::Search);
        typed(&mut view, "ERROR");
        key(&mut view, Intent::Accept);
        assert_eq!(view.search_status().unwrap(), "\"ERROR\" match 1 of 1");
        key(&mut view, Intent::Search);
        typed(&mut view, "nowhere");
        key(&mut view, Intent::Accept);
        assert_eq!(view.search_status().unwrap(), "\"nowhere\" not found");
        // Esc leaves the line and keeps the last search.
        key(&mut view, Intent::Search);
        typed(&mut view, "x");
        key(&mut view, Intent::Close);
        assert_eq!(view.input(), None);
        assert!(view.search_status().unwrap().contains("nowhere"));
    }

    #[test]
    fn a_match_far_to_the_right_scrolls_sideways_to_it() {
        let mut view = view_of(&format!("{}needle\n", "-".repeat(100)));
        key(&mut view, Intent::Search);
        typed(&mut view, "needle");
        key(&mut view, Intent::Accept);
        assert!(
            view.left() <= 100 && view.left() + VIEW.width >= 106,
            "{}",
            view.left()
        );
    }

    #[test]
    fn saving_asks_for_a_name_and_before_overwriting() {
        let mut view = view_of("out\u{1b}[1m\n");
        key(&mut view, Intent::Save);
        assert_eq!(
            view.input(),
            Some(&OutputLine::SavePath("EX1-web-01.log".into()))
        );
        for _ in 0.."EX1-web-01.log".len() {
            key(&mut view, Intent::Erase);
        }
        assert_eq!(key(&mut view, Intent::Accept), OutputKey::Redraw);
        assert!(view.note().unwrap().is_error, "an empty name saves nothing");
        key(&mut view, Intent::Save);
        typed(&mut view, "2");
        let OutputKey::Save {
            path,
            text,
            overwrite: false,
        } = key(&mut view, Intent::Accept)
        else {
            panic!("Enter saves")
        };
        assert_eq!(path, PathBuf::from("EX1-web-01.log2"));
        assert_eq!(&*text, "out\u{1b}[1m\n", "the raw output is what is saved");
        view.saved(path.clone(), SaveResult::Exists);
        assert_eq!(view.input(), Some(&OutputLine::Overwrite(path.clone())));
        // Anything but y keeps the file.
        key(&mut view, Intent::Type);
        assert_eq!(view.input(), None);
        view.saved(path.clone(), SaveResult::Exists);
        let OutputKey::Save {
            overwrite: true, ..
        } = key(&mut view, Intent::Accept)
        else {
            panic!("y overwrites")
        };
        view.saved(path.clone(), SaveResult::Saved);
        assert!(!view.note().unwrap().is_error);
        view.saved(path, SaveResult::Failed("Permission denied".into()));
        assert!(view.note().unwrap().text.contains("Permission denied"));
    }

    #[test]
    fn suggested_file_names_are_safe() {
        assert_eq!(file_name_of("EX1-web 01/../x.log"), "EX1-web_01_.._x.log");
        assert_eq!(file_name_of("../../etc"), "_.._etc");
        assert_eq!(file_name_of(".hidden"), "hidden");
        assert_eq!(file_name_of("数据"), "__");
        assert_eq!(file_name_of(""), "output.log");
    }

    #[test]
    fn ten_megabytes_and_a_search_for_everything_stay_bounded() {
        let raw = "abcdefghij".repeat(1_000_000);
        let mut view = view_of(&raw);
        assert_eq!(view.line_count(), 1);
        key(&mut view, Intent::Search);
        typed(&mut view, "a");
        key(&mut view, Intent::Accept);
        let status = view.search_status().unwrap();
        assert!(
            status.contains(&format!("of {MAX_MATCHES} (the first ones)")),
            "{status}"
        );
        key(&mut view, Intent::Wrap);
        key(&mut view, Intent::Move(Motion::Bottom));
        assert_eq!(view.top().line, 0);
        assert!(view.top().row > 400_000);
        key(&mut view, Intent::PrevMatch);
        assert_eq!(
            view.search_status().unwrap(),
            format!("\"a\" match {MAX_MATCHES} of {MAX_MATCHES} (the first ones)")
        );
    }
}
