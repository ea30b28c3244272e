//! The footer (the keys that matter now, the filter being typed) and the full help.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::app::{App, View};
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
    if app.help_open() {
        spans.push(Span::styled("any key closes the help", theme.dim()));
    } else if let Some(input) = edit.input() {
        spans.push(Span::styled("add ", theme.key()));
        spans.push(Span::raw(text::sanitize(input)));
        spans.push(Span::styled("▏", theme.key()));
        push_keys(&mut spans, &[("Enter", "add"), ("Esc", "cancel")], theme);
        spans.push(Span::styled(
            "  IDs by space, comma or line; # label",
            theme.dim(),
        ));
    } else if let Some(id) = edit.removing() {
        let name = app
            .ticket(id)
            .map(|t| text::sanitize(t.name()).into_owned());
        let named = match name.filter(|n| !n.is_empty()) {
            Some(name) => format!("{} ({name})", text::sanitize(id)),
            None => text::sanitize(id).into_owned(),
        };
        spans.push(Span::styled(
            format!("Stop watching {named} and remove it from the config?"),
            theme.warning(),
        ));
        push_keys(
            &mut spans,
            &[("y", "remove"), ("any other key", "keep")],
            theme,
        );
    } else if app.view() == View::Browse && app.browse().editing() {
        let browse = app.browse();
        spans.push(Span::styled("browse /", theme.key()));
        spans.push(Span::raw(text::sanitize(browse.filter_text())));
        spans.push(Span::styled("▏", theme.key()));
        match browse.invalid_filter() {
            Some(why) => spans.push(Span::styled(
                format!(" {}", text::sanitize(why)),
                theme.error(),
            )),
            None => push_keys(
                &mut spans,
                &[
                    ("Enter", "apply"),
                    ("Esc", "cancel"),
                    ("key=value", "creator job job_id tags since until status"),
                ],
                theme,
            ),
        }
    } else if app.view() == View::Browse {
        spans.push(Span::styled(browse_summary(app), theme.bold()));
        push_keys(
            &mut spans,
            &[
                ("j/k", "move"),
                ("Enter", "open"),
                ("p", "pin"),
                ("/", "filter"),
                ("r", "reload"),
                ("Esc", "back"),
            ],
            theme,
        );
    } else if app.editing_filter() {
        spans.push(Span::styled("/", theme.key()));
        spans.push(Span::raw(text::sanitize(app.filter())));
        spans.push(Span::styled("▏", theme.key()));
        push_keys(
            &mut spans,
            &[("Enter", "keep"), ("Esc", "clear"), ("⌫", "edit")],
            theme,
        );
    } else {
        if !app.filter().is_empty() {
            spans.push(Span::styled(
                format!("filter \"{}\" ", text::sanitize(app.filter())),
                theme.bold(),
            ));
        }
        let sort = format!("sort:{}", app.sort().label());
        let keys: &[(&str, &str)] = match app.view() {
            View::List if app.filter().is_empty() => &[
                ("j/k", "move"),
                ("Enter", "open"),
                ("/", "filter"),
                ("s", &sort),
                ("r", "refresh"),
                ("R", "all"),
                ("?", "help"),
                ("q", "quit"),
            ],
            View::List => &[
                ("Esc", "clear"),
                ("j/k", "move"),
                ("Enter", "open"),
                ("/", "edit"),
                ("s", &sort),
                ("?", "help"),
                ("q", "quit"),
            ],
            View::Browse => &[],
            View::Ticket => &[
                ("Esc", "back"),
                ("Tab/1-5", "tabs"),
                ("j/k", "scroll"),
                ("x", "actions"),
                ("r", "refresh"),
                ("?", "help"),
                ("q", "quit"),
            ],
        };
        push_keys(&mut spans, keys, theme);
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
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

fn push_keys<'a>(spans: &mut Vec<Span<'a>>, keys: &[(&'a str, &str)], theme: Theme) {
    for (key, what) in keys {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
}

/// Every key, and what the glyphs and markers mean.
const HELP: &[(&str, &str)] = &[
    ("j k ↓ ↑", "move the selection (scroll in a ticket)"),
    ("g G Home End", "first / last"),
    ("PgUp PgDn", "one page up / down"),
    ("Enter", "open the selected ticket; on a step, its hosts"),
    ("Esc", "back to the list; in the list, clear the filter"),
    ("Tab Shift-Tab", "next / previous tab"),
    ("1 2 3 4 5", "Parameters Tags Targets Steps History"),
    ("/", "filter by ID, name, status, creator as you type"),
    ("s", "sort: urgency, started, name, status"),
    ("r R", "refresh the selected (and its steps) / all"),
    ("x", "operate: retry, terminate, resume, skip batch"),
    ("y Y o", "copy the ID / a summary; open in the console"),
    ("a d", "add IDs / remove the selected (asks); saved"),
    ("n", "mark the new failures in the header seen"),
    ("b p", "browse all tickets (/ key=value) / pin one"),
    ("?", "this help; any key closes it"),
    ("q ^C / ^Z", "quit / suspend (fg resumes)"),
    ("mouse", "click selects, wheel scrolls"),
    ("✖ ⏱ ▶ ◌ …", "Failed Timeout Running Canceling Pending"),
    ("⊘ ✔ ? ·", "Canceled Succeed unknown loading"),
    ("! ~ ≈", "poll failed / stale / cached, not polled yet"),
];

pub fn draw_help(buf: &mut Buffer, area: Rect, theme: Theme) {
    let key_width = 14;
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$}"), theme.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    let width = Constraint::Length(64);
    let height = Constraint::Length(HELP.len() as u16 + 2);
    let popup = area.centered(width, height).intersection(area);
    if popup.is_empty() {
        return;
    }
    Clear.render(popup, buf);
    let block = Block::bordered().title(Line::styled(" keys: any key closes ", theme.title()));
    Paragraph::new(lines).block(block).render(popup, buf);
}
