//! The footer (the keys that matter now, the filter being typed) and the full help.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use unicode_width::UnicodeWidthStr;

use crate::app::{App, Focus, Intent};
use crate::coc::{JobStatus, ScriptStatus, Status};
use crate::i18n::{Lang, Msg};
use crate::text;

use super::theme::Palette;
use super::{pad, popup};

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, theme: Palette) {
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
            spans.push(Span::styled(app.t(Msg::AddPrompt), theme.key()));
            spans.push(Span::raw(text::sanitize(edit.input().unwrap_or(""))));
            spans.push(Span::styled("▏", theme.key()));
            after_keys = Some(app.t(Msg::AddHint));
        }
        Focus::Remove => spans.push(Span::styled(removal_question(app), theme.warning())),
        Focus::BrowseFilterLine => {
            let browse = app.browse();
            spans.push(Span::styled(app.t(Msg::BrowsePrompt), theme.key()));
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
            after_keys = Some(app.t(Msg::BrowseFilterHint));
        }
        Focus::Browse => spans.push(Span::styled(browse_summary(app), theme.bold())),
        Focus::FilterLine => {
            spans.push(Span::styled("/", theme.key()));
            spans.push(Span::raw(text::sanitize(app.filter())));
            spans.push(Span::styled("▏", theme.key()));
            if let Some(why) = app.filter_invalid() {
                spans.push(Span::styled(
                    format!(" {}", text::sanitize(why)),
                    theme.error(),
                ));
            }
        }
        Focus::List if !app.filter().is_empty() => spans.push(Span::styled(
            app.t(Msg::FilterSet(&text::sanitize(app.filter())))
                .into_owned(),
            theme.bold(),
        )),
        _ => {}
    }
    let room = usize::from(area.width).saturating_sub(Line::from(spans.clone()).width());
    let hints = key_hints(app, focus, theme);
    let gap = usize::from(!spans.is_empty());
    for hint in fitting(hints, room.saturating_sub(gap)) {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.extend(hint);
    }
    spans.extend(after_keys.map(|hint| Span::styled(hint, theme.dim())));
    let waiting = app.notices_waiting();
    if waiting > 0 && !focus.is_view() {
        spans.push(Span::styled(
            app.t(Msg::NoticesWaiting(waiting)),
            theme.warning(),
        ));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// The key table's hints for `focus`, each as its keys and what they do (`j/k move`):
/// the footer's, and the prompts' own.
pub fn key_hints(app: &App, focus: Focus, theme: Palette) -> Vec<[Span<'static>; 2]> {
    let lang = app.lang();
    app.keymap()
        .footer(lang, focus, |only| app.holds(only))
        .into_iter()
        .map(|(keys, binding)| {
            let hint = binding
                .footer
                .as_ref()
                .map_or_else(String::new, |h| lang.t(h.text.clone()).into_owned());
            let what = match binding.intent {
                Intent::Sort => format!("{hint}:{}", lang.t(app.sort().label())),
                _ => hint,
            };
            [
                Span::styled(keys, theme.key()),
                Span::raw(format!(" {what}")),
            ]
        })
        .collect()
}

/// The hints that fit in `room` columns (a space between two): whole ones, the last
/// two (help and quit) kept before those in the middle.
fn fitting(mut hints: Vec<[Span<'static>; 2]>, room: usize) -> Vec<[Span<'static>; 2]> {
    let width = |hints: &[[Span; 2]]| -> usize {
        hints
            .iter()
            .map(|[keys, what]| 1 + keys.width() + what.width())
            .sum::<usize>()
            .saturating_sub(1)
    };
    while width(&hints) > room && hints.len() > 2 {
        hints.remove(hints.len() - 3);
    }
    hints
}

/// `Stop watching EX… (job) and remove it from the config?`
fn removal_question(app: &App) -> String {
    let Some(id) = app.watch_edit().removing() else {
        return String::new();
    };
    let name = app
        .ticket(id)
        .map(|t| text::sanitize(t.name()).into_owned());
    let named = match name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{id} ({name})"),
        None => id.to_string(),
    };
    app.t(Msg::RemoveQuestion(&named)).into_owned()
}

/// `browse: creator=zhang · 120 of 3400`.
fn browse_summary(app: &App) -> String {
    let browse = app.browse();
    let filter = match browse.filter_text().trim() {
        "" => app.t(Msg::AllTickets),
        text => text::sanitize(text),
    };
    let stopped = browse.stopped().map(|why| why.to_string());
    app.t(Msg::BrowseSummary {
        filter: &filter,
        loaded: browse.rows().len(),
        total: browse.total(),
        stopped: stopped.as_deref(),
    })
    .into_owned()
}

/// What the help says besides the keys of the table: the mouse, what the glyphs mean
/// (a script ticket's status shares its like's glyph, `PAUSED` and `ROLLBACKED` have their own).
fn legend(lang: Lang) -> Vec<(String, String)> {
    let statuses = |statuses: &[JobStatus]| -> (String, String) {
        let glyphs = statuses.iter().map(super::status_glyph).collect::<Vec<_>>();
        let names = statuses
            .iter()
            .map(|s| lang.t(Msg::from(s)).into_owned())
            .collect::<Vec<_>>();
        (glyphs.join(" "), names.join(" "))
    };
    let (known_glyphs, known) = statuses(&[Status::Canceled.into(), Status::Succeed.into()]);
    let (rolled_back_glyph, rolled_back) = statuses(&[ScriptStatus::Rollbacked.into()]);
    vec![
        (
            lang.t(Msg::LegendMouse).into(),
            lang.t(Msg::LegendMouseText).into(),
        ),
        statuses(&[
            Status::Failed.into(),
            Status::Timeout.into(),
            Status::Running.into(),
            Status::Canceling.into(),
            Status::Pending.into(),
            ScriptStatus::Paused.into(),
        ]),
        (
            format!("{known_glyphs} ? · {rolled_back_glyph}"),
            format!(
                "{known} {} {} {rolled_back}",
                lang.t(Msg::UnknownStatus),
                lang.t(Msg::Loading)
            ),
        ),
        ("! ~ ≈".into(), lang.t(Msg::LegendMarkers).into()),
    ]
}

/// Every key of the table, a line per help text, then the legend.
pub fn draw_help(buf: &mut Buffer, area: Rect, app: &App, theme: Palette) {
    let lang = app.lang();
    let keys = app.keymap().help_lines(lang);
    let rows: Vec<(String, String)> = keys
        .into_iter()
        .map(|(keys, what)| (keys, lang.t(what.clone()).into_owned()))
        .chain(legend(lang))
        .collect();
    let key_width = rows.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let text_width = rows.iter().map(|(_, t)| t.width()).max().unwrap_or(0);
    let lines: Vec<Line> = rows
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {} ", pad(key, key_width)), theme.key()),
                Span::raw(what.as_str()),
            ])
        })
        .collect();
    let width = Constraint::Length((key_width + text_width + 4) as u16);
    let height = Constraint::Length(rows.len() as u16 + 2);
    let title = app.t(Msg::HelpTitle);
    let Some((popup, block)) = popup(buf, area, (width, height), title, theme) else {
        return;
    };
    Paragraph::new(lines).block(block).render(popup, buf);
}
