//! The header: endpoint, counts per status, polling health.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{App, HealthTexts};
use crate::coc::TicketKind;
use crate::text;

use super::theme::Theme;

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let mut summary = summary_spans(app, theme, true);
    if summary.iter().map(Span::width).sum::<usize>() > usize::from(area.width) {
        // Every count matters more than the words: `✖ 7  ▶ 10` when space is short.
        summary = summary_spans(app, theme, false);
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

fn summary_spans(app: &App, theme: Theme, with_names: bool) -> Vec<Span<'_>> {
    let total = app.tickets().len();
    let mut spans = vec![
        Span::styled("coctop ", theme.title()),
        Span::raw(text::sanitize(&app.init.endpoint)),
        Span::raw(format!(
            " │ {total} ticket{}",
            if total == 1 { "" } else { "s" }
        )),
    ];
    // Per kind once there are script tickets (a list of executions reads as before).
    let scripts = app.kind_count(TicketKind::Script);
    if scripts > 0 {
        let executions = app.kind_count(TicketKind::Execution);
        spans.push(Span::raw(format!(
            " ({executions} execution{}, {scripts} script{})",
            if executions == 1 { "" } else { "s" },
            if scripts == 1 { "" } else { "s" }
        )));
    }
    if app.visible_len() != total {
        spans.push(Span::raw(format!(", {} shown", app.visible_len())));
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
            Some(status) => (super::status_glyph(status), status.label()),
            None => ("·", "loading".into()),
        };
        let label = if with_names {
            format!("{glyph} {} {name}", count.count)
        } else {
            format!("{glyph} {}", count.count)
        };
        spans.push(Span::raw("  "));
        spans.push(Span::styled(label, theme.status(count.status.as_ref())));
    }
    spans
}

fn health_spans(app: &App, theme: Theme) -> Vec<Span<'_>> {
    let health = app.health();
    let texts = HealthTexts::of(health, app.now);
    let mut spans = Vec::new();
    if let (Some(failure), Some(age)) = (&health.auth_failed, &texts.auth_failed) {
        spans.push(Span::styled(
            format!(
                " AUTH FAILED {age}: {} ",
                text::sanitize(&failure.error.to_string())
            ),
            theme.alarm(),
        ));
        spans.push(Span::styled(
            " polling stopped, check credentials",
            theme.error(),
        ));
        return spans;
    }
    if let Some(error) = app.config_error() {
        spans.push(Span::styled(
            format!(" config not reloaded: {} ", text::sanitize(error)),
            theme.alarm(),
        ));
        spans.push(Span::raw(" "));
    }
    let unseen = app.unseen_failures().len();
    if unseen > 0 {
        let noun = if unseen == 1 { "failure" } else { "failures" };
        spans.push(Span::styled(
            format!(" {unseen} new {noun} (n: seen) "),
            theme.alarm(),
        ));
        spans.push(Span::raw(" "));
    }
    match &texts.polled {
        Some(age) => spans.push(Span::raw(format!("polled {age}"))),
        None => spans.push(Span::styled("no successful poll yet", theme.dim())),
    }
    if health.failing > 0 {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(
            format!("! {} failing", health.failing),
            theme.error(),
        ));
    }
    if let (Some((_, error)), Some(left)) = (&health.throttled, &texts.throttled_for) {
        let code = error.error_code().map(text::sanitize).unwrap_or_default();
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(
            format!("throttled, next request in {left} {code}"),
            theme.warning(),
        ));
    }
    spans
}
