//! The output pager: a title line, the text from where it is scrolled (wrapped or cut
//! at the screen's edge, search matches marked), and a line for the search, the file
//! name, the overwrite question or what happened last.

use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{OutputLine, OutputView, layout, row_starts, skip_columns};
use crate::i18n::Msg;
use crate::text;

use super::theme::Palette;

pub fn draw(buf: &mut Buffer, area: Rect, view: &OutputView, theme: Palette) {
    if area.is_empty() {
        return;
    }
    let lang = view.lang();
    let title = Line::from(vec![
        Span::styled(" ", theme.active_tab()),
        Span::styled(text::sanitize(view.title()), theme.active_tab()),
        Span::styled(
            format!("  {} ", lang.t(Msg::OutputLines(view.line_count()))),
            theme.active_tab(),
        ),
    ]);
    buf.set_style(Rect { height: 1, ..area }, theme.active_tab());
    buf.set_line(area.x, area.y, &title, area.width);
    let body = layout::output_text(area);
    if view.is_empty() {
        if !body.is_empty() {
            let none = Line::styled(lang.t(Msg::OutputEmpty), theme.dim());
            buf.set_line(body.x, body.y, &none, body.width);
        }
    } else if view.wrapped() {
        draw_wrapped(buf, body, view, theme);
    } else {
        draw_cut(buf, body, view, theme);
    }
    if area.height >= 2 {
        let status_y = area.bottom() - 1;
        buf.set_line(area.x, status_y, &status_line(view, theme), area.width);
    }
}

/// One screen line per output line, from `left` columns in, cut at the edge.
fn draw_cut(buf: &mut Buffer, body: Rect, view: &OutputView, theme: Palette) {
    let width = usize::from(body.width);
    let first = view.top().line;
    for (y, i) in (body.y..body.bottom()).zip(first..view.line_count()) {
        let line = view.display_line(i);
        let start = skip_columns(line, view.left());
        let end = start + skip_columns(&line[start..], width);
        let spans = marked(line, start..end, &view.matches_in(i), theme);
        buf.set_line(body.x, y, &Line::from(spans), body.width);
    }
}

/// Output lines wrapped at the edge, from the top row.
fn draw_wrapped(buf: &mut Buffer, body: Rect, view: &OutputView, theme: Palette) {
    let width = usize::from(body.width);
    let mut y = body.y;
    let top = view.top();
    for i in top.line..view.line_count() {
        let line = view.display_line(i);
        let starts = row_starts(line, width);
        let matches = view.matches_in(i);
        let skip = if i == top.line { top.row } else { 0 };
        for (r, &start) in starts.iter().enumerate().skip(skip) {
            if y >= body.bottom() {
                return;
            }
            let end = starts.get(r + 1).copied().unwrap_or(line.len());
            buf.set_line(
                body.x,
                y,
                &Line::from(marked(line, start..end, &matches, theme)),
                body.width,
            );
            y += 1;
        }
    }
}

/// `line[shown]` as spans, the parts that are search matches marked.
fn marked<'a>(
    line: &'a str,
    shown: Range<usize>,
    matches: &[(Range<usize>, bool)],
    theme: Palette,
) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let mut at = shown.start;
    for (found, current) in matches {
        let start = found.start.clamp(shown.start, shown.end);
        let end = found.end.clamp(shown.start, shown.end);
        if start >= end || !line.is_char_boundary(start) || !line.is_char_boundary(end) {
            continue;
        }
        if at < start {
            spans.push(Span::raw(&line[at..start]));
        }
        let style = if *current {
            theme.current_match()
        } else {
            theme.search_match()
        };
        spans.push(Span::styled(&line[start..end], style));
        at = end;
    }
    if at < shown.end {
        spans.push(Span::raw(&line[at..shown.end]));
    }
    spans
}

/// The line being typed, the question, or where the view is and what happened last.
fn status_line(view: &OutputView, theme: Palette) -> Line<'static> {
    let lang = view.lang();
    let typed = |prompt: &str, text: &str| {
        Line::from(vec![
            Span::styled(prompt.to_string(), theme.key()),
            Span::raw(text::sanitize(text).into_owned()),
            Span::styled("▏", theme.key()),
        ])
    };
    match view.input() {
        Some(OutputLine::Search(query)) => return typed("/", query),
        Some(OutputLine::SavePath(path)) => return typed(&lang.t(Msg::SaveAs), path),
        Some(OutputLine::Overwrite(path)) => {
            let path = text::sanitize(&path.display().to_string()).into_owned();
            return Line::styled(
                lang.t(Msg::OverwriteQuestion(&path)).into_owned(),
                theme.warning(),
            );
        }
        None => {}
    }
    let mut spans = Vec::new();
    if let Some(note) = view.note() {
        let style = if note.is_error {
            theme.error()
        } else {
            theme.bold()
        };
        spans.push(Span::styled(format!("{}  ", note.text), style));
    }
    if let Some(search) = view.search_status() {
        spans.push(Span::styled(format!("{search}  "), Style::new()));
    }
    let mut place = lang
        .t(Msg::LineOf {
            line: (view.top().line + 1).min(view.line_count()),
            total: view.line_count(),
        })
        .into_owned();
    if view.wrapped() {
        place.push_str(&format!("  {}", lang.t(Msg::Wrapped)));
    } else if view.left() > 0 {
        place.push_str(&format!("  {}", lang.t(Msg::AtColumn(view.left() + 1))));
    }
    spans.push(Span::styled(place, theme.dim()));
    Line::from(spans)
}
