//! The selected ticket: its fields, then its tabs (an execution's Parameters, Tags,
//! Targets, Steps, History; a script ticket's Parameters, Batches, History), or the hosts
//! of one step or batch (a host's output is the pager, `super::output`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};
use unicode_width::UnicodeWidthStr;

use crate::app::HostsOf;
use crate::app::{
    self, App, Failure, HostRows, HostsView, OperationRecord, Row, Tab, TabRows, TicketEntry,
    Transition, View, tab_count,
};
use crate::coc::script::ScriptParam;
use crate::coc::{
    ApiError, Instance, JobStatus, JobTicket, KeyValue, ScriptBatch, ScriptHost, ScriptStatistics,
    ScriptTicket, Step, Ticket,
};
use crate::i18n::{Lang, Msg};
use crate::operate::OperationOutcome;
use crate::{format, hosts, text};

use super::theme::Palette;
use super::{pad, status_label, status_text};

/// Tab content keeps at least this many lines; fields give way first.
const MIN_CONTENT: u16 = 4;
const LABEL_WIDTH: usize = 10;

/// `beside_list`: the pane is to the right of the list (and gets a left border).
pub fn draw(buf: &mut Buffer, area: Rect, beside_list: bool, app: &App, theme: Palette) {
    if area.is_empty() {
        return;
    }
    if let Some(output) = app.output() {
        return super::output::draw(buf, area, output, theme);
    }
    let Some(entry) = app.shown() else {
        return;
    };
    let lang = app.lang();
    let (glyph, status) = status_label(lang, entry);
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(
            format!("{glyph} {status}"),
            theme.status(entry.status().as_ref()),
        ),
        Span::raw(" "),
        Span::styled(text::sanitize(entry.name()), theme.bold()),
        Span::raw(format!(" {} ", entry.id)),
    ]);
    let borders = if beside_list {
        Borders::TOP | Borders::LEFT
    } else {
        Borders::TOP
    };
    let block = Block::new()
        .borders(borders)
        .border_style(theme.border())
        .title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }

    let fields = field_lines(entry, app, theme, usize::from(inner.width));
    let content_min = MIN_CONTENT.max(inner.height / 3);
    let fields_height = (fields.len() as u16).min(inner.height.saturating_sub(1 + content_min));
    for (i, line) in fields.iter().take(usize::from(fields_height)).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, line, inner.width);
    }
    let tabs_y = inner.y + fields_height;
    if tabs_y >= inner.bottom() {
        return;
    }
    buf.set_line(
        inner.x,
        tabs_y,
        &tab_bar(lang, entry, app.tab(), inner.width, theme),
        inner.width,
    );
    let content = Rect {
        y: tabs_y + 1,
        height: inner.bottom() - tabs_y - 1,
        ..inner
    };
    match app.hosts() {
        Some(view) if *view.id() == entry.id => draw_hosts(buf, content, view, app, theme),
        _ => draw_tab(buf, content, entry, app, theme),
    }
}

/// The hosts of one step or batch: a summary line, a heading, then the rows from the
/// scroll (a batch's with the host keys act on highlighted).
fn draw_hosts(buf: &mut Buffer, area: Rect, view: &HostsView, app: &App, theme: Palette) {
    if area.is_empty() {
        return;
    }
    let lang = app.lang();
    let loaded = view.len();
    let state = match (view.error(), view.is_loading()) {
        (Some(failure), _) => format!(
            "  {}  {}",
            text::sanitize(&failure.error.to_string()),
            lang.t(Msg::RRetries)
        ),
        (None, true) => format!("  {}…", lang.t(Msg::Loading)),
        (None, false) if loaded < view.total() => lang
            .t(Msg::LoadedOf {
                loaded,
                total: view.total(),
            })
            .into_owned(),
        _ => String::new(),
    };
    let counts = match view.rows() {
        HostRows::Instances(rows) => hosts::status_counts(rows),
        HostRows::Script(rows) => hosts::script_status_counts(rows),
    };
    let counts = counts
        .into_iter()
        .map(|(status, count)| {
            lang.t(Msg::HostCount {
                count,
                status: status.as_ref(),
            })
            .into_owned()
        })
        .collect::<Vec<_>>()
        .join(", ");
    let summary = Line::from(vec![
        Span::styled(hosts_title(lang, view.of()), theme.bold()),
        Span::raw(format!("  {counts}")),
        Span::styled(state, theme.dim()),
        Span::styled(lang.t(Msg::EscBack), theme.dim()),
    ]);
    buf.set_line(area.x, area.y, &summary, area.width);
    if area.height < 2 {
        return;
    }
    let heading = match view.rows() {
        HostRows::Instances(_) => heading(
            lang,
            &[
                (Msg::ColumnStatus, 12),
                (Msg::ColumnBatch, 5),
                (Msg::ColumnHost, 20),
                (Msg::ColumnIp, 15),
                (Msg::ColumnTook, 6),
                (Msg::ColumnMessage, 0),
            ],
        ),
        HostRows::Script(_) => heading(
            lang,
            &[
                (Msg::ColumnStatus, 12),
                (Msg::ColumnHost, 20),
                (Msg::ColumnIp, 15),
                (Msg::ColumnTook, 6),
                (Msg::ColumnOutput, 0),
            ],
        ),
    };
    buf.set_line(
        area.x,
        area.y + 1,
        &Line::styled(heading, theme.column_header()),
        area.width,
    );
    let body_y = area.y + 2;
    if loaded == 0 && !view.is_loading() && view.error().is_none() && body_y < area.bottom() {
        let none = match view.rows() {
            HostRows::Instances(_) => lang.t(Msg::NoHosts),
            HostRows::Script(_) => lang.t(Msg::NoHostsInBatch),
        };
        buf.set_line(area.x, body_y, &Line::styled(none, theme.dim()), area.width);
    }
    let visible = usize::from(area.bottom().saturating_sub(body_y));
    let scroll = view.scroll().min(loaded.saturating_sub(visible));
    let lines: Vec<Line> = match view.rows() {
        HostRows::Instances(rows) => rows
            .iter()
            .enumerate()
            .skip(scroll)
            .take(visible)
            .map(|(i, host)| (i, host_line(host, app, theme)))
            .collect::<Vec<_>>(),
        HostRows::Script(rows) => rows
            .iter()
            .enumerate()
            .skip(scroll)
            .take(visible)
            .map(|(i, host)| (i, script_host_line(host, app, theme)))
            .collect(),
    }
    .into_iter()
    // Enter opens the output of the host at the cursor.
    .map(|(i, line)| match i == view.scroll() {
        true => line.patch_style(theme.selected()),
        false => line,
    })
    .collect();
    for (row, line) in lines.iter().enumerate() {
        buf.set_line(area.x, body_y + row as u16, line, area.width);
    }
}

fn host_line<'a>(host: &'a Instance, app: &App, theme: Palette) -> Line<'a> {
    let status = host.status.clone().map(JobStatus::Execution);
    let batch = hosts::batch(host).map_or_else(|| "-".into(), |b| b.to_string());
    let host_name = hosts::host(host);
    let took = format::run_time(host.start_time, host.end_time, app.now);
    Line::from(vec![
        status_cell(app.lang(), status.as_ref(), theme),
        Span::raw(format!(" {batch:<5} ")),
        Span::raw(pad(&text::cell(&host_name, 20), 20)),
        Span::raw(" "),
        Span::raw(pad(&text::cell(hosts::ip(host).unwrap_or("-"), 15), 15)),
        Span::raw(format!(" {:<6} ", took.as_deref().unwrap_or("-"))),
        message_span(host.message.as_deref(), status.as_ref(), theme),
    ])
}

/// A batch's host: its status, name, IP, time, and the first line of its output.
fn script_host_line<'a>(host: &'a ScriptHost, app: &App, theme: Palette) -> Line<'a> {
    let status = host.status.clone().map(JobStatus::Script);
    let took = format::run_time(host.gmt_created, host.gmt_finished, app.now);
    let output = hosts::first_output_line(host.message.as_deref());
    Line::from(vec![
        status_cell(app.lang(), status.as_ref(), theme),
        Span::raw(" "),
        Span::raw(pad(&text::cell(host.name().unwrap_or("-"), 20), 20)),
        Span::raw(" "),
        Span::raw(pad(&text::cell(host.ip().unwrap_or("-"), 15), 15)),
        Span::raw(format!(" {:<6} ", took.as_deref().unwrap_or("-"))),
        message_span(Some(output), status.as_ref(), theme),
    ])
}

/// A status in a 12-column cell, in its colour.
fn status_cell(lang: Lang, status: Option<&JobStatus>, theme: Palette) -> Span<'static> {
    let text = status.map_or("-".into(), |s| status_text(lang, s));
    Span::styled(pad(&text::fit(&text, 12), 12), theme.status(status))
}

/// A step's or host's message, in the error colour when it failed.
fn message_span<'a>(
    message: Option<&'a str>,
    status: Option<&JobStatus>,
    theme: Palette,
) -> Span<'a> {
    let text = text::sanitize(message.unwrap_or(""));
    if status.is_some_and(JobStatus::is_failure) {
        Span::styled(text, theme.error())
    } else {
        Span::raw(text)
    }
}

/// A field's line: its label (in the dashboard's language), then its value.
fn labelled<'a>(
    lang: Lang,
    label: Option<Msg<'_>>,
    value: Vec<Span<'a>>,
    theme: Palette,
) -> Line<'a> {
    let label = label.map(|l| lang.t(l)).unwrap_or_default();
    let mut spans = vec![Span::styled(
        format!("{} ", pad(&label, LABEL_WIDTH)),
        theme.dim(),
    )];
    spans.extend(value);
    Line::from(spans)
}

/// `2025-07-01 21:01:45 (12m ago)`.
fn when(ms: i64, app: &App) -> String {
    format!(
        "{} ({})",
        format::local_time(ms, app.zone),
        app.lang().age_of_millis(app.now, ms)
    )
}

/// Every field of the ticket, most important first (the pane may cut the tail).
/// `width`: the pane's, where a long field is broken into rows.
fn field_lines<'a>(
    entry: &'a TicketEntry,
    app: &App,
    theme: Palette,
    width: usize,
) -> Vec<Line<'a>> {
    let lang = app.lang();
    let mut lines = Vec::with_capacity(16);
    let ticket = entry.ticket.as_deref();
    let (glyph, status) = status_label(lang, entry);
    let mut status_line = vec![Span::styled(
        format!("{glyph} {status}"),
        theme.status(entry.status().as_ref()),
    )];
    if let Some(t) = ticket {
        if let Some(kind) = t.type_label() {
            let kind = text::sanitize(kind);
            status_line.push(Span::raw(lang.t(Msg::TypeIs(&kind)).into_owned()));
        }
        if let Some(creator) = t.creator() {
            let creator = text::sanitize(creator);
            status_line.push(Span::raw(lang.t(Msg::By(&creator)).into_owned()));
        }
    }
    lines.push(labelled(lang, Some(Msg::FieldStatus), status_line, theme));
    if let Some(failure) = &entry.error {
        error_lines(&mut lines, Msg::FieldError, failure, app, theme);
    }
    match ticket {
        Some(JobTicket::Execution(t)) => lines.extend(ticket_lines(t, entry, app, theme)),
        Some(JobTicket::Script(t)) => {
            lines.extend(script_lines(t, entry, app, theme, width));
        }
        None => {}
    }
    lines
}

/// When it started and ended, and how long it ran (or runs).
fn time_lines<'a>(
    (started_label, start): (Msg<'static>, Option<i64>),
    end: Option<i64>,
    app: &App,
    theme: Palette,
) -> [Line<'a>; 2] {
    let lang = app.lang();
    let started = start.map_or("-".into(), |ms| when(ms, app));
    let run_time = format::run_time(start, end, app.now);
    let ended = match (end, run_time) {
        (Some(ms), Some(took)) => lang
            .t(Msg::EndedTook {
                ended: &when(ms, app),
                took: &took,
            })
            .into_owned(),
        (Some(ms), None) => when(ms, app),
        (None, Some(took)) => lang.t(Msg::RunningFor(&took)).into_owned(),
        (None, None) => "-".to_string(),
    };
    [
        labelled(lang, Some(started_label), vec![Span::raw(started)], theme),
        labelled(lang, Some(Msg::FieldEnded), vec![Span::raw(ended)], theme),
    ]
}

/// When the dashboard last polled it.
fn polled_line<'a>(entry: &TicketEntry, app: &App, theme: Palette) -> Line<'a> {
    let lang = app.lang();
    let polled = entry.last_ok.map_or_else(
        || lang.t(Msg::Never).into_owned(),
        |at| {
            format!(
                "{} ({})",
                format::clock_time(at, app.zone),
                lang.age(app.now, at)
            )
        },
    );
    labelled(lang, Some(Msg::FieldPolled), vec![Span::raw(polled)], theme)
}

/// A script ticket's fields: the script and its version, the batch it is at, the hosts
/// per status, how it runs, times.
fn script_lines<'a>(
    t: &'a ScriptTicket,
    entry: &TicketEntry,
    app: &App,
    theme: Palette,
    width: usize,
) -> Vec<Line<'a>> {
    let lang = app.lang();
    let opt = |v: &'a Option<String>| text::sanitize(v.as_deref().unwrap_or("-"));
    let properties = &t.properties;
    let mut lines = Vec::with_capacity(10);
    let version = lang
        .t(Msg::ScriptVersion {
            version: &opt(&properties.script_version_name),
            script_id: &opt(&properties.script_uuid),
        })
        .into_owned();
    lines.push(labelled(
        lang,
        Some(Msg::FieldScript),
        vec![
            Span::styled(opt(&properties.script_name), theme.bold()),
            Span::raw(version),
        ],
        theme,
    ));
    if let Some(name) = &t.order_name {
        lines.push(labelled(
            lang,
            Some(Msg::FieldTicket),
            vec![Span::raw(text::sanitize(name))],
            theme,
        ));
    }
    let batch = properties
        .current_execute_batch_index
        .map_or("-".into(), |b| b.to_string());
    let mut at_batch = vec![Span::raw(batch)];
    if let Some(progress) = entry.progress.loaded() {
        at_batch.push(Span::raw(
            lang.t(Msg::BatchOf(progress.batches.len())).into_owned(),
        ));
    }
    lines.push(labelled(lang, Some(Msg::FieldBatch), at_batch, theme));
    if let Some(progress) = entry.progress.loaded() {
        let room = width.saturating_sub(LABEL_WIDTH + 1);
        let rows = host_count_rows(lang, &progress.statistics, room);
        for (i, row) in rows.into_iter().enumerate() {
            let label = (i == 0).then_some(Msg::FieldHosts);
            lines.push(labelled(lang, label, vec![Span::raw(row)], theme));
        }
    }
    if let Some(param) = &properties.execute_param {
        let mut how = Vec::new();
        if let Some(timeout) = param.timeout {
            how.push(
                lang.t(Msg::TimeoutSeconds(timeout.to_string()))
                    .into_owned(),
            );
        }
        if let Some(rate) = param.success_rate {
            how.push(lang.t(Msg::SuccessRate(rate.to_string())).into_owned());
        }
        if let Some(user) = &param.execute_user {
            how.push(lang.t(Msg::AsUser(&text::sanitize(user))).into_owned());
        }
        if !how.is_empty() {
            let how = vec![Span::raw(how.join("  "))];
            lines.push(labelled(lang, Some(Msg::FieldRuns), how, theme));
        }
    }
    lines.extend(time_lines(
        (Msg::FieldCreated, t.gmt_created),
        t.gmt_finished,
        app,
        theme,
    ));
    lines.push(polled_line(entry, app, theme));
    lines
}

/// "3 FINISHED, 1 ABNORMAL (4 in all)", in the dashboard's language, in rows of at most
/// `room` columns (broken after a comma) so that nothing is cut.
fn host_count_rows(lang: Lang, statistics: &ScriptStatistics, room: usize) -> Vec<String> {
    let mut counts: Vec<String> = statistics
        .execute_statistics
        .iter()
        .map(|c| {
            let status = c.instance_status.clone().map(JobStatus::Script);
            lang.t(Msg::HostCount {
                count: c.instance_count.unwrap_or(0) as usize,
                status: status.as_ref(),
            })
            .into_owned()
        })
        .collect();
    if let Some(total) = statistics.total_instance {
        let total = lang.t(Msg::InAll(total.to_string()));
        match counts.last_mut() {
            Some(last) => last.push_str(&total),
            None => counts.push(total.trim_start().to_string()),
        }
    }
    let last = counts.len().saturating_sub(1);
    let mut rows: Vec<String> = Vec::new();
    for (i, count) in counts.into_iter().enumerate() {
        let piece = if i < last { format!("{count},") } else { count };
        match rows.last_mut() {
            Some(row) if row.width() + 1 + piece.width() <= room => {
                row.push(' ');
                row.push_str(&piece);
            }
            _ => rows.push(piece),
        }
    }
    rows
}

/// "Hosts of deploy", "Hosts of batch 2".
fn hosts_title(lang: Lang, of: &HostsOf) -> String {
    match of {
        HostsOf::Step { name, .. } => lang.t(Msg::HostsOf(&text::sanitize(name))).into_owned(),
        HostsOf::Batch { index } => lang.t(Msg::HostsOfBatch(*index)).into_owned(),
    }
}

fn ticket_lines<'a>(
    t: &'a Ticket,
    entry: &TicketEntry,
    app: &App,
    theme: Palette,
) -> Vec<Line<'a>> {
    let lang = app.lang();
    let field =
        |label: Msg<'_>, value: String| labelled(lang, Some(label), vec![Span::raw(value)], theme);
    let mut lines = Vec::with_capacity(12);
    let opt = |v: &'a Option<String>| text::sanitize(v.as_deref().unwrap_or("-"));
    let job = lang
        .t(Msg::JobVersion {
            version: &opt(&t.document_version),
            job_id: &opt(&t.document_id),
        })
        .into_owned();
    lines.push(labelled(
        lang,
        Some(Msg::FieldJob),
        vec![
            Span::styled(opt(&t.document_name), theme.bold()),
            Span::raw(job),
        ],
        theme,
    ));
    lines.extend(time_lines(
        (Msg::FieldStarted, t.start_time),
        t.end_time,
        app,
        theme,
    ));
    let updated = t.update_time.map_or("-".into(), |ms| when(ms, app));
    lines.push(field(Msg::FieldUpdated, updated));
    if let Some(description) = &t.description {
        for (i, line) in text::lines(description).enumerate().take(3) {
            let label = (i == 0).then_some(Msg::FieldAbout);
            lines.push(labelled(lang, label, vec![Span::raw(line)], theme));
        }
    }
    lines.push(polled_line(entry, app, theme));
    let version_id = lang
        .t(Msg::VersionId {
            version_id: &opt(&t.document_version_id),
            id: &opt(&t.id),
        })
        .into_owned();
    lines.push(labelled(
        lang,
        Some(Msg::FieldVersionId),
        vec![Span::raw(version_id)],
        theme,
    ));
    if let Some(name) = &t.target_parameter_name {
        lines.push(field(Msg::FieldTargetBy, text::sanitize(name).into_owned()));
    }
    lines
}

/// An API error as support needs it: code and status, message, request ID, age.
fn error_lines<'a>(
    lines: &mut Vec<Line<'a>>,
    label: Msg<'static>,
    failure: &'a Failure,
    app: &App,
    theme: Palette,
) {
    let lang = app.lang();
    let error = &failure.error;
    let age = lang.age(app.now, failure.at);
    let headline = match (error.error_code(), error.http_status()) {
        (Some(code), Some(status)) => format!("{} (HTTP {status})", text::sanitize(code)),
        (None, Some(status)) => format!("HTTP {status}"),
        _ => super::error_text(lang, error),
    };
    lines.push(labelled(
        lang,
        Some(label),
        vec![
            Span::styled(headline, theme.error()),
            Span::styled(format!("  {age}"), theme.dim()),
        ],
        theme,
    ));
    if let Some(message) = http_message(error) {
        lines.push(labelled(
            lang,
            Some(Msg::FieldMessage),
            vec![Span::raw(text::sanitize(message))],
            theme,
        ));
    }
    if let Some(id) = error.request_id() {
        lines.push(labelled(
            lang,
            Some(Msg::FieldRequest),
            vec![Span::raw(text::sanitize(id))],
            theme,
        ));
    }
}

/// The server's message (or body excerpt) of an HTTP error; other errors say it all in
/// their headline.
fn http_message(error: &ApiError) -> Option<&str> {
    match error {
        ApiError::Http {
            error_msg, excerpt, ..
        } => error_msg.as_deref().or(excerpt.as_deref()),
        _ => None,
    }
}

fn tab_bar(
    lang: Lang,
    entry: &TicketEntry,
    active: Tab,
    width: u16,
    theme: Palette,
) -> Line<'static> {
    let tabs = Tab::of(entry.kind());
    let label = |tab: Tab, short: bool| {
        let n = tab.index_in(entry.kind()) + 1;
        let title = lang.t(tab.title());
        match (short, tab_count(entry, tab)) {
            (true, _) => format!(" {n} {} ", clip(&title, 4)),
            (false, Some(c)) => format!(" {n} {title} ({c}) "),
            (false, None) => format!(" {n} {title} "),
        }
    };
    let full: usize = tabs.iter().map(|&t| label(t, false).width()).sum();
    let short = full > usize::from(width);
    Line::from(
        tabs.iter()
            .map(|&tab| {
                let style = if tab == active {
                    theme.active_tab()
                } else {
                    theme.dim()
                };
                Span::styled(label(tab, short), style)
            })
            .collect::<Vec<_>>(),
    )
}

/// The head of `text` that fits in `width` columns, cut without a mark (`Para`).
fn clip(text: &str, width: usize) -> &str {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > width {
            return &text[..i];
        }
    }
    text
}

/// The open tab: a fixed heading when it has one, then only the rows that fit, from
/// the scroll position on.
fn draw_tab(buf: &mut Buffer, area: Rect, entry: &TicketEntry, app: &App, theme: Palette) {
    if area.is_empty() {
        return;
    }
    let rows = TabRows::of(entry, app.tab(), usize::from(area.width));
    let mut body = area;
    if rows.has_heading() {
        let heading = tab_heading(app.lang(), rows.tab(), theme);
        buf.set_line(area.x, area.y, &heading, area.width);
        body.y += 1;
        body.height -= 1;
    }
    let visible = usize::from(body.height);
    let scroll = app.detail_scroll().min(rows.len().saturating_sub(visible));
    // In an open ticket the Steps and Batches tabs have a cursor: Enter opens the
    // hosts of that step or batch.
    let cursor = (app.view() == View::Ticket && rows.has_heading()).then(|| app.detail_scroll());
    let mut y = body.y;
    let mut message = MessageRows::default();
    for (i, row) in (scroll..).zip(rows.rows(scroll, visible)) {
        for line in row_lines(row, app, &mut message, usize::from(area.width), theme) {
            if y >= body.bottom() {
                return;
            }
            let line = if cursor == Some(i) {
                line.patch_style(theme.selected())
            } else {
                line
            };
            buf.set_line(body.x, y, &line, body.width);
            y += 1;
        }
    }
}

/// The rows of the failed step's message drawn last: worked out once per frame, not
/// once per row.
#[derive(Default)]
struct MessageRows {
    step: Option<*const Step>,
    rows: Vec<String>,
}

impl MessageRows {
    fn row(&mut self, step: &Step, row: usize, width: usize) -> String {
        if self.step != Some(step as *const Step) {
            self.rows = app::step_message_rows(step, width).0;
            self.step = Some(step as *const Step);
        }
        self.rows.get(row).cloned().unwrap_or_default()
    }
}

/// How one row of a tab looks (a failed steps load takes a few lines).
fn row_lines<'a>(
    row: Row<'a>,
    app: &App,
    message: &mut MessageRows,
    width: usize,
    theme: Palette,
) -> Vec<Line<'a>> {
    let indent = " ".repeat(app::STEP_DETAIL_INDENT);
    let line = match row {
        Row::Empty(what) => Line::styled(app.t(what), theme.dim()),
        Row::Hint(text) => Line::styled(app.t(text), theme.dim()),
        Row::Section(title) => Line::styled(app.t(title), theme.bold()),
        Row::Pair { pair, key_width } => key_value(pair, key_width, theme),
        Row::TargetKind(target) => Line::styled(
            format!("{} ({})", text::sanitize(&target.key), target.values.len()),
            theme.bold(),
        ),
        Row::TargetValue(value) => Line::raw(format!("  {}", readable_json(&value.parse()))),
        Row::Step(step) => step_line(step, app, theme),
        Row::StepValue { step, output, pair } => step_value(step, output, pair, theme),
        Row::StepMessage { step, row } => Line::styled(
            format!("{indent}{}", message.row(step, row, width)),
            theme.error(),
        ),
        Row::StepMessageCut(bytes) => Line::styled(
            format!(
                "{indent}… {bytes} bytes more: `coctop get --steps {}` prints it whole",
                text::sanitize(&app.shown().map_or(String::new(), |e| e.id.to_string()))
            ),
            theme.dim(),
        ),
        Row::ScriptParam { param, key_width } => script_param(param, key_width, theme),
        Row::Batch {
            batch,
            statistics,
            current,
        } => batch_line(app.lang(), batch, statistics, current, theme),
        Row::Transition(t) => transition_line(t, app, theme),
        Row::Operation(record) => operation_line(record, app, theme),
        Row::StepsFailed(failure) => {
            let mut lines = Vec::new();
            error_lines(&mut lines, Msg::FieldSteps, failure, app, theme);
            return lines;
        }
    };
    vec![line]
}

fn transition_line<'a>(t: &Transition, app: &App, theme: Palette) -> Line<'a> {
    let lang = app.lang();
    let from = t.from.as_ref().map_or_else(
        || lang.t(Msg::FirstSeen).into_owned(),
        |s| status_text(lang, s),
    );
    Line::from(vec![
        Span::styled(
            format!(
                "{:<21}",
                format!(
                    "{} ({})",
                    format::clock_time(t.at, app.zone),
                    lang.age(app.now, t.at)
                )
            ),
            theme.dim(),
        ),
        Span::raw(format!("{from} → ")),
        Span::styled(status_text(lang, &t.to), theme.status(Some(&t.to))),
    ])
}

/// "RETRY sent at 14:03:12, accepted".
fn operation_line<'a>(record: &OperationRecord, app: &App, theme: Palette) -> Line<'a> {
    let lang = app.lang();
    let sent = format::clock_time(record.sent, app.zone);
    let op = lang.t(Msg::from(record.operation));
    let (outcome, style) = match &record.result {
        None => (lang.t(Msg::WaitingForAnswer), theme.dim()),
        Some(Ok(())) => (lang.t(Msg::Accepted), Style::new()),
        Some(Err(error)) => (
            outcome_text(lang, &OperationOutcome::of(&Err(error.clone()))).into(),
            theme.error(),
        ),
    };
    let said = lang.t(Msg::OperationSent {
        op: &op,
        sent: &sent,
        outcome: &outcome,
    });
    Line::from(vec![
        Span::styled(
            format!(
                "{:<21}",
                format!("{sent} ({})", lang.age(app.now, record.sent))
            ),
            theme.dim(),
        ),
        Span::styled(said.into_owned(), style),
    ])
}

/// What became of an operation, in the dashboard's language (server text sanitised).
fn outcome_text(lang: Lang, outcome: &OperationOutcome) -> String {
    let error = |e: &ApiError| text::sanitize(&e.to_string()).into_owned();
    match outcome {
        OperationOutcome::Accepted => lang.t(Msg::Accepted).into_owned(),
        OperationOutcome::Refused(e) => lang.t(Msg::Refused(&error(e))).into_owned(),
        OperationOutcome::Unknown(e) => lang.t(Msg::OutcomeUnknown(&error(e))).into_owned(),
        OperationOutcome::Declined => lang.t(Msg::NotSentDeclined).into_owned(),
        OperationOutcome::ReadOnly => lang.t(Msg::NotSentReadOnly).into_owned(),
        OperationOutcome::NotSent(why) => {
            let why = text::sanitize(&why.to_string()).into_owned();
            lang.t(Msg::NotSentBecause(&why)).into_owned()
        }
    }
}

/// The column heading of the steps or the batches table.
fn tab_heading(lang: Lang, tab: Tab, theme: Palette) -> Line<'static> {
    let text = match tab {
        Tab::Batches => format!(
            "  {}",
            heading(
                lang,
                &[
                    (Msg::ColumnBatch, 7),
                    (Msg::ColumnHosts, 7),
                    (Msg::ColumnThen, 9),
                    (Msg::ColumnHostsAre, 0),
                ],
            )
        ),
        _ => heading(
            lang,
            &[
                (Msg::ColumnStatus, 12),
                (Msg::ColumnName, 24),
                (Msg::ColumnAction, 16),
                (Msg::ColumnTook, 6),
                (Msg::ColumnMessage, 0),
            ],
        ),
    };
    Line::styled(text, theme.column_header())
}

/// `    in   dir   /tmp` under a step: an input or an output, the keys of the step's
/// values lined up.
fn step_value<'a>(step: &Step, output: bool, pair: &'a KeyValue, theme: Palette) -> Line<'a> {
    use unicode_width::UnicodeWidthStr;
    let key_width = step
        .inputs
        .iter()
        .chain(&step.outputs)
        .map(|kv| text::cell(&kv.key, 24).width())
        .max()
        .unwrap_or(0);
    let label = if output { "out" } else { "in" };
    Line::from(vec![
        Span::styled(
            format!("{}{label:<4} ", " ".repeat(app::STEP_DETAIL_INDENT)),
            theme.dim(),
        ),
        Span::styled(
            format!("{}  ", pad(&text::cell(&pair.key, 24), key_width)),
            theme.dim(),
        ),
        Span::raw(text::sanitize(&pair.value)),
    ])
}

/// Column titles, each padded to its column's width and a space (the last one's
/// width is 0: it takes the rest).
fn heading(lang: Lang, columns: &[(Msg<'static>, usize)]) -> String {
    columns
        .iter()
        .map(|(title, width)| pad(&lang.t(title.clone()), *width))
        .collect::<Vec<_>>()
        .join(" ")
}

fn step_line<'a>(step: &'a Step, app: &App, theme: Palette) -> Line<'a> {
    let status = step.status.clone().map(JobStatus::Execution);
    let took = format::run_time(step.start_time, step.end_time, app.now);
    let name = text::cell(step.name.as_deref().unwrap_or("-"), 24);
    let action = text::cell(step.action.as_deref().unwrap_or("-"), 16);
    Line::from(vec![
        status_cell(app.lang(), status.as_ref(), theme),
        Span::raw(" "),
        Span::raw(pad(&name, 24)),
        Span::raw(" "),
        Span::raw(pad(&action, 16)),
        Span::raw(format!(" {:<6} ", took.as_deref().unwrap_or("-"))),
        // A failed step's message is shown whole under it.
        match app::message_below(step) {
            true => Span::raw(""),
            false => message_span(step.message.as_deref(), status.as_ref(), theme),
        },
    ])
}

/// `▸ 2       10      PAUSE     ▶ PROCESSING  ✔ FINISHED`: the batch the ticket is at
/// marked, how many hosts, what comes after it, and the statuses its hosts are in.
fn batch_line<'a>(
    lang: Lang,
    batch: &ScriptBatch,
    statistics: &ScriptStatistics,
    current: bool,
    theme: Palette,
) -> Line<'a> {
    let index = batch.batch_index.map_or("-".into(), |i| i.to_string());
    let hosts = batch.total_instances.map_or("-".into(), |n| n.to_string());
    let then = match &batch.rotation_strategy {
        Some(strategy) => lang
            .t(Msg::Rotation(&text::sanitize(strategy)))
            .into_owned(),
        None => "-".into(),
    };
    let then = text::fit(&then, 9);
    let marker = if current { "▸ " } else { "  " };
    let mut spans = vec![Span::raw(format!(
        "{marker}{index:<7} {hosts:<7} {} ",
        pad(&then, 9)
    ))];
    for status in batch
        .batch_index
        .into_iter()
        .flat_map(|i| statistics.statuses_in(i))
    {
        let status = JobStatus::Script(status.clone());
        spans.push(Span::styled(
            status_text(lang, &status),
            theme.status(Some(&status)),
        ));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

/// A script's argument: `name  value`, the name padded to the list's key width.
fn script_param<'a>(param: &'a ScriptParam, key_width: usize, theme: Palette) -> Line<'a> {
    let key = text::cell(&param.param_name, key_width);
    Line::from(vec![
        Span::styled(format!("  {}  ", pad(&key, key_width)), theme.dim()),
        Span::styled(text::sanitize(&param.param_value), Style::new()),
    ])
}

/// `key  value`, the key padded to the list's key width (measured once per data change).
fn key_value<'a>(kv: &'a KeyValue, key_width: usize, theme: Palette) -> Line<'a> {
    let key = text::cell(&kv.key, key_width);
    Line::from(vec![
        Span::styled(format!("  {}  ", pad(&key, key_width)), theme.dim()),
        Span::styled(text::sanitize(&kv.value), Style::new()),
    ])
}

/// A target value on one line: objects as `key: value` pairs, scalars as themselves.
fn readable_json(value: &serde_json::Value) -> String {
    use serde_json::Value;
    let scalar = |v: &Value| match v {
        Value::String(s) => text::sanitize(s).into_owned(),
        Value::Null => "-".to_string(),
        other => text::sanitize(&other.to_string()).into_owned(),
    };
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", text::sanitize(k), scalar(v)))
            .collect::<Vec<_>>()
            .join("  "),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => scalar(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_counts_are_broken_into_rows_after_a_comma_never_cut() {
        let statuses = [
            "READY",
            "PROCESSING",
            "PAUSED",
            "ABNORMAL",
            "CANCELED",
            "FINISHED",
            "ROLLBACKED",
        ];
        let counts: Vec<serde_json::Value> = statuses
            .iter()
            .enumerate()
            .map(|(n, status)| serde_json::json!({"instance_status": status, "instance_count": n + 1}))
            .collect();
        let statistics: ScriptStatistics = serde_json::from_value(
            serde_json::json!({"total_instance": 28, "execute_statistics": counts}),
        )
        .unwrap();
        let rows = host_count_rows(Lang::En, &statistics, 30);
        assert_eq!(
            rows,
            [
                "1 READY, 2 PROCESSING,",
                "3 PAUSED, 4 ABNORMAL,",
                "5 CANCELED, 6 FINISHED,",
                "7 ROLLBACKED (28 in all)",
            ]
        );
        let one_row = host_count_rows(Lang::En, &statistics, 200);
        assert_eq!(one_row, [rows.join(" ")]);
    }
}
