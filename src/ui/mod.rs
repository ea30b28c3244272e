//! Drawing only: reads `&App`, never changes it.
//!
//! The regions come from `app::layout::screen`, the same function `update` uses to
//! hit-test the mouse. Every string that came from the server goes through
//! `text::sanitize` (usually via `text::cell`) before it reaches the buffer.

mod detail;
mod footer;
mod header;
mod list;
mod output;
mod prompt;
mod theme;

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Widget};

use crate::app::{App, TicketEntry, View, layout};
use crate::coc::{ApiError, JobStatus, ScriptStatus, Status};
use crate::i18n::{Lang, Msg};
use crate::text;

use theme::Palette;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.is_empty() {
        return;
    }
    let settings = app.settings();
    let mut theme = Palette::new(settings.theme, app.init.color).with_colors(&settings.colors);
    if let Some(accent) = app.accent() {
        theme = theme.with_accent(accent);
    }
    let screen = layout::screen(area, app.view() == View::Ticket);
    let buf = frame.buffer_mut();
    header::draw(buf, screen.header, app, theme);
    list::draw(buf, &screen, app, theme);
    detail::draw(buf, screen.detail, screen.detail_beside_list(), app, theme);
    footer::draw(buf, screen.footer, app, theme);
    if let Some(open) = app.prompt() {
        prompt::draw(buf, area, app, open, theme);
    }
    if app.help_open() {
        footer::draw_help(buf, area, app, theme);
    }
}

/// The glyph and word for a ticket's status; tickets without data say why.
fn status_label(lang: Lang, entry: &TicketEntry) -> (&'static str, Cow<'static, str>) {
    match entry.status() {
        // An unknown status is server text: shown so it never passes for a known one.
        Some(status) => (
            status_glyph(&status),
            Cow::Owned(lang.t(Msg::from(&status)).into_owned()),
        ),
        None if entry.is_loading() => ("·", lang.t(Msg::Loading)),
        None => ("?", lang.t(Msg::NoData)),
    }
}

/// The glyph that stands beside a status, so colour is never the only signal. A script
/// ticket's status has the glyph of its like among executions' (`ABNORMAL` is
/// `Failed`'s), and its own where there is none (`PAUSED`, `ROLLBACKED`).
pub(super) fn status_glyph(status: &JobStatus) -> &'static str {
    match status {
        JobStatus::Execution(status) => match status {
            Status::Succeed => "✔",
            Status::Failed => "✖",
            Status::Running => "▶",
            Status::Pending => "…",
            Status::Canceled => "⊘",
            Status::Timeout => "⏱",
            Status::Canceling => "◌",
            Status::Unknown(_) => "?",
        },
        JobStatus::Script(status) => match status {
            ScriptStatus::Finished => "✔",
            ScriptStatus::Abnormal => "✖",
            ScriptStatus::Processing => "▶",
            ScriptStatus::Ready => "…",
            ScriptStatus::Canceled => "⊘",
            ScriptStatus::Paused => "⏸",
            ScriptStatus::Rollbacked => "↺",
            ScriptStatus::Unknown(_) => "?",
        },
    }
}

/// Pads to a display width (wide characters count twice).
fn pad(value: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let fill = width.saturating_sub(value.width());
    format!("{value}{}", " ".repeat(fill))
}

/// A `width` × `height` popup in the middle of `area` (cut to it): cleared, its place
/// and its bordered frame titled `title`; none when nothing of it fits.
fn popup<'a>(
    buf: &mut Buffer,
    area: Rect,
    (width, height): (Constraint, Constraint),
    title: impl Into<Cow<'a, str>>,
    theme: Palette,
) -> Option<(Rect, Block<'a>)> {
    let popup = area.centered(width, height).intersection(area);
    if popup.is_empty() {
        return None;
    }
    Clear.render(popup, buf);
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Line::styled(title, theme.title()));
    Some((popup, block))
}

/// A bare status (steps, hosts, history) as glyph and word.
fn status_text(lang: Lang, status: &JobStatus) -> String {
    format!("{} {}", status_glyph(status), lang.t(Msg::from(status)))
}

/// An error as the dashboard says it (sanitised): a profile's in its language, the
/// others as the engine wrote them.
fn error_text(lang: Lang, error: &ApiError) -> String {
    let clean = |text: &str| text::sanitize(text).into_owned();
    match error {
        ApiError::ProfileStopped { profile, cause } => lang
            .t(Msg::ProfileStopped {
                profile: &clean(profile),
                why: &clean(&cause.to_string()),
            })
            .into_owned(),
        ApiError::NoSuchProfile { name, known } => {
            let names: Vec<&str> = known.iter().map(String::as_str).collect();
            lang.t(Msg::NoSuchProfile {
                name: &clean(name),
                near: text::nearest(name, &names).map(clean).as_deref(),
                known: &clean(&names.join(", ")),
            })
            .into_owned()
        }
        _ => clean(&error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_of_a_kind_has_a_distinct_glyph() {
        let executions = Status::KNOWN.into_iter().map(JobStatus::Execution);
        let scripts = ScriptStatus::KNOWN.into_iter().map(JobStatus::Script);
        for (kind, unknown) in [
            (
                executions.collect::<Vec<_>>(),
                JobStatus::Execution(Status::Unknown("Paused".into())),
            ),
            (
                scripts.collect(),
                JobStatus::Script(ScriptStatus::Unknown("PAUSING".into())),
            ),
        ] {
            let mut glyphs: Vec<_> = kind.iter().map(status_glyph).collect();
            glyphs.push(status_glyph(&unknown));
            let count = glyphs.len();
            glyphs.sort();
            glyphs.dedup();
            assert_eq!(glyphs.len(), count, "{kind:?}");
        }
    }

    #[test]
    fn a_profiles_errors_read_in_the_dashboards_language() {
        let unknown = ApiError::NoSuchProfile {
            name: "stagng".into(),
            known: vec!["prod".into(), "staging".into()],
        };
        assert_eq!(
            error_text(Lang::En, &unknown),
            "no profile named \"stagng\" (did you mean \"staging\"?); there are: prod, staging"
        );
        assert_eq!(
            error_text(Lang::Zh, &unknown),
            "没有名为“stagng”的配置（是否要找“staging”？）；已有：prod, staging"
        );
        let stopped = ApiError::ProfileStopped {
            profile: "prod".into(),
            cause: Box::new(ApiError::Credentials("HTTP 401".into())),
        };
        assert_eq!(
            error_text(Lang::Zh, &stopped),
            "配置 prod 已停止轮询：HTTP 401"
        );
    }
}
