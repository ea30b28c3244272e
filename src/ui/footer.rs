//! The footer (the keys that matter now, the filter being typed) and the full help.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use unicode_width::UnicodeWidthStr;

use crate::app::{App, Focus, Intent};
use crate::text;

use super::theme::Theme;

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let mut spans = Vec::new();
    let edit = app.watch_edit();
    if let Some(note) = edit.note() {
        let style = if note.is_error {
            theme.error()
        } else {
            theme.bold()
        };
        spans.push(Span::styled(
            format!("{} ", text::sanitize(&note.text)),
            style,
        ));
    }
    let focus = app.focus();
    let mut after_keys = None;
    match focus {
        Focus::AddLine => {
            spans.push(Span::styled("add ", theme.key()));
            spans.push(Span::raw(text::sanitize(edit.input().unwrap_or(""))));
            spans.push(Span::styled("▏", theme.key()));
            after_keys = Some("  IDs by space, comma or line; # label");
        }
        Focus::Remove => spans.push(Span::styled(removal_question(app), theme.warning())),
        Focus::BrowseFilterLine => {
            let browse = app.browse();
            spans.push(Span::styled("browse /", theme.key()));
            spans.push(Span::raw(text::sanitize(browse.filter_text())));
            spans.push(Span::styled("▏", theme.key()));
            if let Some(why) = browse.invalid_filter() {
                spans.push(Span::styled(
                    format!(" {}", text::sanitize(why)),
                    theme.error(),
                ));
                buf.set_line(area.x, area.y, &Line::from(spans), area.width);
                return;
            }
            after_keys = Some("  key=value: creator job job_id tags since until status");
        }
        Focus::Browse => spans.push(Span::styled(browse_summary(app), theme.bold())),
        Focus::FilterLine => {
            spans.push(Span::styled("/", theme.key()));
            spans.push(Span::raw(text::sanitize(app.filter())));
            spans.push(Span::styled("▏", theme.key()));
        }
        Focus::List if !app.filter().is_empty() => spans.push(Span::styled(
            format!("filter \"{}\" ", text::sanitize(app.filter())),
            theme.bold(),
        )),
        _ => {}
    }
    let hints: Vec<(String, String)> = app
        .keymap()
        .footer(focus, |only| app.holds(only))
        .into_iter()
        .map(|(keys, binding)| {
            let hint = binding.footer.as_ref().map_or("", |h| &h.text);
            let what = match binding.intent {
                Intent::Sort => format!("{hint}:{}", app.sort().label()),
                _ => hint.to_string(),
            };
            (keys, what)
        })
        .collect();
    let room = usize::from(area.width).saturating_sub(Line::from(spans.clone()).width());
    for (keys, what) in fitting(hints, room) {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(keys, theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    spans.extend(after_keys.map(|hint| Span::styled(hint, theme.dim())));
    let waiting = app.notices_waiting();
    if waiting > 0 && !focus.is_view() {
        let noun = if waiting == 1 { "notice" } else { "notices" };
        spans.push(Span::styled(
            format!("  {waiting} {noun} waiting"),
            theme.warning(),
        ));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// The hints that fit in `room` columns: whole ones, the last two (help and quit)
/// kept before those in the middle.
fn fitting(mut hints: Vec<(String, String)>, room: usize) -> Vec<(String, String)> {
    let width = |hints: &[(String, String)]| -> usize {
        hints
            .iter()
            .map(|(k, w)| 1 + k.width() + 1 + w.width())
            .sum()
    };
    while width(&hints) > room && hints.len() > 2 {
        hints.remove(hints.len() - 3);
    }
    hints
}

/// `Stop watching EX… (job) and remove it from the config?`
fn removal_question(app: &App) -> String {
    let id = app.watch_edit().removing().unwrap_or("");
    let name = app
        .ticket(id)
        .map(|t| text::sanitize(t.name()).into_owned());
    let named = match name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{} ({name})", text::sanitize(id)),
        None => text::sanitize(id).into_owned(),
    };
    format!("Stop watching {named} and remove it from the config?")
}

/// `browse: creator=zhang · 120 of 3400`.
fn browse_summary(app: &App) -> String {
    let browse = app.browse();
    let filter = match browse.filter_text().trim() {
        "" => "all".into(),
        text => text::sanitize(text).into_owned(),
    };
    let loaded = browse.rows().len();
    let of = browse
        .total()
        .map_or_else(String::new, |total| format!(" of {total}"));
    let stopped = browse
        .stopped()
        .map_or_else(String::new, |why| format!(" · {why} (r reads again)"));
    format!("browse: {filter} · {loaded}{of}{stopped} ")
}

/// What the help says besides the keys of the table.
const LEGEND: &[(&str, &str)] = &[
    ("mouse", "click selects, wheel scrolls"),
    ("✖ ⏱ ▶ ◌ …", "Failed Timeout Running Canceling Pending"),
    ("⊘ ✔ ? ·", "Canceled Succeed unknown loading"),
    ("! ~ ≈", "poll failed / stale / cached, not polled yet"),
];

/// Every key of the table, a line per help text, then the legend.
pub fn draw_help(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    let keys = app.keymap().help_lines();
    let rows: Vec<(&str, &str)> = keys
        .iter()
        .map(|(keys, what)| (keys.as_str(), *what))
        .chain(LEGEND.iter().copied())
        .collect();
    let key_width = rows.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let text_width = rows.iter().map(|(_, t)| t.width()).max().unwrap_or(0);
    let lines: Vec<Line> = rows
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$} "), theme.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    let width = Constraint::Length((key_width + text_width + 4) as u16);
    let height = Constraint::Length(rows.len() as u16 + 2);
    let popup = area.centered(width, height).intersection(area);
    if popup.is_empty() {
        return;
    }
    Clear.render(popup, buf);
    let block = Block::bordered().title(Line::styled(" keys: any key closes ", theme.title()));
    Paragraph::new(lines).block(block).render(popup, buf);
}
