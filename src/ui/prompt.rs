//! The box over the screen that takes the keys: the actions menu, the confirmation of
//! an operation, the review and confirmation of a run again, a notice. Its text was
//! sanitised when the prompt was made; a run's is written out as `JobRun::describe`
//! writes it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::app::{App, Focus, Prompt};
use crate::i18n::Msg;
use crate::operate;

use super::footer::key_hints;
use super::theme::Palette;

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, prompt: &Prompt, theme: Palette) {
    let lang = app.lang();
    // The keys it takes, as the key table names them.
    let keys = |focus: Focus| {
        let mut spans = Vec::new();
        for hint in key_hints(app, focus, theme) {
            if !spans.is_empty() {
                spans.push(Span::raw("  "));
            }
            spans.extend(hint);
        }
        Line::from(spans)
    };
    let (title, lines) = match prompt {
        Prompt::Menu {
            id,
            to,
            choices,
            cursor,
        } => {
            let mut lines = vec![Line::raw(
                lang.t(Msg::OperateOn(&id.to_string())).into_owned(),
            )];
            lines.extend(to.iter().map(|to| Line::styled(to.clone(), theme.bold())));
            lines.push(Line::raw(""));
            for (i, choice) in choices.iter().enumerate() {
                let marker = if i == *cursor { "›" } else { " " };
                let line = Line::raw(format!(" {marker} {}", choice.label(lang)));
                lines.push(if i == *cursor {
                    line.patch_style(theme.selected())
                } else {
                    line
                });
            }
            lines.push(Line::raw(""));
            lines.push(keys(Focus::Menu));
            (lang.t(Msg::ActionsTitle).into_owned(), lines)
        }
        Prompt::Confirm {
            id,
            operation,
            description,
            typed,
        } => {
            let op = lang.t(Msg::from(*operation));
            let mut lines = vec![
                Line::styled(description.clone(), theme.bold()),
                Line::raw(""),
            ];
            if let Some(word) = operate::typed_word(*operation) {
                lines.push(Line::raw(
                    lang.t(Msg::TypeToConfirm {
                        word,
                        kind: id.kind(),
                        op: &op,
                    })
                    .into_owned(),
                ));
                lines.push(Line::from(vec![
                    Span::styled(format!("> {typed}"), theme.key()),
                    Span::styled("▏", theme.key()),
                ]));
                lines.push(keys(Focus::Confirm));
            } else {
                let mut line = keys(Focus::Confirm);
                line.spans
                    .insert(0, Span::raw(lang.t(Msg::SendQuestion(&op)).into_owned()));
                lines.push(line);
            }
            (lang.t(Msg::ConfirmTitle(&op)).into_owned(), lines)
        }
        Prompt::RunConfirm(run) => {
            let mut question = keys(Focus::Confirm);
            let ask = lang.t(Msg::RunQuestion(&run.name)).into_owned();
            question.spans.insert(0, Span::raw(ask));
            let lines = vec![
                Line::styled(command_line(&run.argv), theme.bold()),
                Line::raw(""),
                question,
            ];
            (lang.t(Msg::ConfirmTitle(&run.name)).into_owned(), lines)
        }
        Prompt::Review { from, run, cursor } => {
            let parameters = 1..=run.request.parameters.len();
            let mut lines: Vec<Line> = run
                .describe()
                .into_iter()
                .enumerate()
                .map(|(i, text)| match i {
                    i if parameters.contains(&i) && i - 1 == *cursor => Line::from(vec![
                        Span::raw(format!("›{}", text.get(1..).unwrap_or_default())),
                        Span::styled("▏", theme.key()),
                    ])
                    .patch_style(theme.selected()),
                    _ => Line::raw(text),
                })
                .collect();
            lines.push(Line::raw(""));
            lines.push(Line::styled(lang.t(Msg::ReviewKeys), theme.dim()));
            (
                format!(" {} ", lang.t(Msg::RunAgainOf(&from.to_string()))),
                lines,
            )
        }
        Prompt::ConfirmRunAgain { from, run } => {
            let mut lines: Vec<Line> = run.describe().into_iter().map(Line::raw).collect();
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::raw(lang.t(Msg::StartIt)),
                Span::styled("y", theme.key()),
                Span::raw(lang.t(Msg::StartsOtherCancels)),
            ]));
            let title = lang
                .t(Msg::ConfirmRunAgainTitle(&from.to_string()))
                .into_owned();
            (title, lines)
        }
        Prompt::Notice { title, lines } => {
            let mut body: Vec<Line> = lines.iter().map(|l| Line::raw(l.clone())).collect();
            body.push(Line::raw(""));
            body.push(keys(Focus::Notice));
            (format!(" {title} "), body)
        }
    };
    let width = area.width.clamp(20, 76);
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let (width, height) = (Constraint::Length(width), Constraint::Length(height));
    let Some((popup, block)) = super::popup(buf, area, (width, height), title, theme) else {
        return;
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(popup, buf);
}

/// The arguments as one line, each with spaces or quotes in it between quotes.
fn command_line(argv: &[String]) -> String {
    let shown: Vec<String> = argv
        .iter()
        .map(
            |arg| match arg.contains([' ', '"', '\'']) || arg.is_empty() {
                true => format!("{arg:?}"),
                false => arg.clone(),
            },
        )
        .collect();
    shown.join(" ")
}

/// Rows the lines take when wrapped at `width` columns; a wrapped line gets one row
/// more, since wrapping at word boundaries can need it.
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines
        .iter()
        .map(|line| match line.width() {
            w if w <= width => 1,
            w => w.div_ceil(width) + 1,
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}
