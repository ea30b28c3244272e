//! The header: endpoint, counts per status, polling health.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{App, HealthTexts};
use crate::coc::TicketKind;
use crate::i18n::Msg;
use crate::text;

use super::theme::Palette;

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, theme: Palette) {
    if area.is_empty() {
        return;
    }
    // Every count matters more than the words: `✖ 7  ▶ 10` when space is short, and
    // then without the counts per kind.
    let mut summary = Vec::new();
    for words in [Words::All, Words::Kinds, Words::None] {
        summary = summary_spans(app, theme, words);
        if summary.iter().map(Span::width).sum::<usize>() <= usize::from(area.width) {
            break;
        }
    }
    let health = health_spans(app, theme);
    if area.height >= 2 {
        buf.set_line(area.x, area.y, &Line::from(summary), area.width);
        buf.set_line(area.x, area.y + 1, &Line::from(health), area.width);
    } else {
        // One line: trouble first, it is what the reader must not miss.
        let mut line = health;
        line.push(Span::raw(" │ "));
        line.append(&mut summary);
        buf.set_line(area.x, area.y, &Line::from(line), area.width);
    }
}

/// The words the summary says beside its counts, from the most to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Words {
    /// Each status named, the tickets counted per kind.
    All,
    /// The tickets counted per kind.
    Kinds,
    None,
}

fn summary_spans(app: &App, theme: Palette, words: Words) -> Vec<Span<'_>> {
    let total = app.tickets().len();
    let mut spans = vec![
        Span::styled("coctop ", theme.title()),
        Span::raw(text::sanitize(&app.init.endpoint)),
        Span::raw(format!(" │ {}", app.t(Msg::Tickets(total)))),
    ];
    // Per kind once there are script tickets (a list of executions reads as before).
    let scripts = app.kind_count(TicketKind::Script);
    if scripts > 0 && words != Words::None {
        let executions = app.kind_count(TicketKind::Execution);
        spans.push(Span::raw(app.t(Msg::KindCounts {
            executions,
            scripts,
        })));
    }
    if app.visible_len() != total {
        spans.push(Span::raw(app.t(Msg::Shown(app.visible_len()))));
    }
    if let Some(name) = app.saved_view() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            app.t(Msg::ViewActive(&text::sanitize(name))).into_owned(),
            theme.title(),
        ));
    }
    let stopped = &app.health().stopped_profiles;
    for (name, count) in app.profile_counts() {
        spans.push(Span::raw("  "));
        let (msg, style) = match stopped.iter().any(|s| **s == *name) {
            false => (
                Msg::ProfileCount {
                    name: &text::sanitize(&name),
                    count,
                },
                theme.bold(),
            ),
            true => (
                Msg::ProfileStoppedCount {
                    name: &text::sanitize(&name),
                    count,
                },
                theme.alarm(),
            ),
        };
        spans.push(Span::styled(app.t(msg).into_owned(), style));
    }
    for (name, count) in app.query_counts() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!("[{}] {count}", text::sanitize(name)),
            theme.dim(),
        ));
    }
    for count in app.counts() {
        let (glyph, name) = match &count.status {
            Some(status) => (super::status_glyph(status), app.t(Msg::from(status))),
            None => ("·", app.t(Msg::Loading)),
        };
        let label = if words == Words::All {
            format!("{glyph} {} {name}", count.count)
        } else {
            format!("{glyph} {}", count.count)
        };
        spans.push(Span::raw("  "));
        spans.push(Span::styled(label, theme.status(count.status.as_ref())));
    }
    spans
}

fn health_spans(app: &App, theme: Palette) -> Vec<Span<'_>> {
    let health = app.health();
    let texts = HealthTexts::of(app.lang(), health, app.now);
    let mut spans = Vec::new();
    if let (Some(failure), Some(age)) = (&health.auth_failed, &texts.auth_failed) {
        let error = failure.error.to_string();
        let error = text::sanitize(&error);
        spans.push(Span::styled(
            app.t(Msg::AuthFailed { age, error: &error }).into_owned(),
            theme.alarm(),
        ));
        spans.push(Span::styled(app.t(Msg::PollingStopped), theme.error()));
        return spans;
    }
    if let Some(error) = app.config_error() {
        spans.push(Span::styled(
            app.t(Msg::ConfigNotReloaded(&text::sanitize(error)))
                .into_owned(),
            theme.alarm(),
        ));
        spans.push(Span::raw(" "));
    }
    let unseen = app.unseen_failures().len();
    if unseen > 0 {
        spans.push(Span::styled(app.t(Msg::NewFailures(unseen)), theme.alarm()));
        spans.push(Span::raw(" "));
    }
    match &texts.polled {
        Some(age) => spans.push(Span::raw(app.t(Msg::Polled(age)).into_owned())),
        None => spans.push(Span::styled(app.t(Msg::NoPollYet), theme.dim())),
    }
    if health.failing > 0 {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(
            app.t(Msg::Failing(health.failing)),
            theme.error(),
        ));
    }
    if let (Some((_, error)), Some(left)) = (&health.throttled, &texts.throttled_for) {
        let code = error.error_code().map(text::sanitize).unwrap_or_default();
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(
            app.t(Msg::Throttled { left, code: &code }).into_owned(),
            theme.warning(),
        ));
    }
    spans
}
