//! The selected ticket: its fields, then its tabs (an execution's Parameters, Tags,
//! Targets, Steps, History; a script ticket's Parameters, Batches, History), or the hosts
//! of one step or batch, or the output of a batch's host.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::app::{
    App, Failure, HostOutput, HostRows, HostsView, OperationRecord, Row, Tab, TabRows, TicketEntry,
    Transition, View, tab_count,
};
use crate::coc::script::ScriptParam;
use crate::coc::{
    ApiError, Instance, JobStatus, JobTicket, KeyValue, ScriptBatch, ScriptHost, ScriptStatistics,
    ScriptTicket, Step, Ticket,
};
use crate::{format, hosts, operate, text};

use super::theme::Theme;
use super::{status_label, status_text};

/// Tab content keeps at least this many lines; fields give way first.
const MIN_CONTENT: u16 = 4;
const LABEL_WIDTH: usize = 10;

/// `beside_list`: the pane is to the right of the list (and gets a left border).
pub fn draw(buf: &mut Buffer, area: Rect, beside_list: bool, app: &App, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let Some(entry) = app.shown() else {
        return;
    };
    let (glyph, status) = status_label(entry);
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
    let block = Block::new().borders(borders).title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }

    let fields = field_lines(entry, app, theme);
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
        &tab_bar(entry, app.tab(), inner.width, theme),
        inner.width,
    );
    let content = Rect {
        y: tabs_y + 1,
        height: inner.bottom() - tabs_y - 1,
        ..inner
    };
    match app.hosts() {
        Some(view) if *view.id() == entry.id => match view.output() {
            Some(output) => draw_output(buf, content, output, theme),
            None => draw_hosts(buf, content, view, app, theme),
        },
        _ => draw_tab(buf, content, entry, app, theme),
    }
}

/// A batch host's output: a title line, then its rows from the scroll, each wrapped.
fn draw_output(buf: &mut Buffer, area: Rect, output: &HostOutput, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let total = output.rows().len();
    let position = if total == 0 {
        "  no output".to_string()
    } else {
        format!("  line {} of {total}", output.scroll() + 1)
    };
    let title = Line::from(vec![
        Span::styled(format!("Output of {}", output.host()), theme.bold()),
        Span::styled(position, theme.dim()),
        Span::styled("  Esc back", theme.dim()),
    ]);
    buf.set_line(area.x, area.y, &title, area.width);
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let lines: Vec<Line> = output
        .rows()
        .iter()
        .skip(output.scroll())
        .take(usize::from(body.height))
        .map(|row| Line::raw(row.as_str()))
        .collect();
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(body, buf);
}

/// The hosts of one step or batch: a summary line, a heading, then the rows from the
/// scroll (a batch's with the host keys act on highlighted).
fn draw_hosts(buf: &mut Buffer, area: Rect, view: &HostsView, app: &App, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let loaded = view.len();
    let state = match (view.error(), view.is_loading()) {
        (Some(failure), _) => format!(
            "  {}  r retries",
            text::sanitize(&failure.error.to_string())
        ),
        (None, true) => "  loading…".into(),
        (None, false) if loaded < view.total() => format!("  {loaded} of {} loaded", view.total()),
        _ => String::new(),
    };
    let summary = Line::from(vec![
        Span::styled(text::sanitize(&view.title()).into_owned(), theme.bold()),
        Span::raw(format!("  {}", view.counts_line())),
        Span::styled(state, theme.dim()),
        Span::styled("  Esc back", theme.dim()),
    ]);
    buf.set_line(area.x, area.y, &summary, area.width);
    if area.height < 2 {
        return;
    }
    let heading = match view.rows() {
        HostRows::Instances(_) => format!(
            "{:<12} {:<5} {:<20} {:<15} {:<6} MESSAGE",
            "STATUS", "BATCH", "HOST", "IP", "TOOK"
        ),
        HostRows::Script(_) => format!(
            "{:<12} {:<20} {:<15} {:<6} OUTPUT",
            "STATUS", "HOST", "IP", "TOOK"
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
            HostRows::Instances(_) => "no hosts: this step runs once, not per host",
            HostRows::Script(_) => "no hosts in this batch",
        };
        buf.set_line(area.x, body_y, &Line::styled(none, theme.dim()), area.width);
    }
    let visible = usize::from(area.bottom().saturating_sub(body_y));
    let scroll = view.scroll().min(loaded.saturating_sub(visible));
    let lines: Vec<Line> = match view.rows() {
        HostRows::Instances(rows) => rows
            .iter()
            .skip(scroll)
            .take(visible)
            .map(|host| host_line(host, app, theme))
            .collect(),
        HostRows::Script(rows) => rows
            .iter()
            .enumerate()
            .skip(scroll)
            .take(visible)
            .map(|(i, host)| {
                let line = script_host_line(host, app, theme);
                if i == view.scroll() {
                    line.patch_style(theme.selected())
                } else {
                    line
                }
            })
            .collect(),
    };
    for (row, line) in lines.iter().enumerate() {
        buf.set_line(area.x, body_y + row as u16, line, area.width);
    }
}

fn host_line<'a>(host: &'a Instance, app: &App, theme: Theme) -> Line<'a> {
    let status = host.status.clone().map(JobStatus::Execution);
    let batch = hosts::batch(host).map_or_else(|| "-".into(), |b| b.to_string());
    let host_name = hosts::host(host);
    let took = format::run_time(host.start_time, host.end_time, app.now);
    Line::from(vec![
        status_cell(status.as_ref(), theme),
        Span::raw(format!(" {batch:<5} ")),
        Span::raw(pad(&text::cell(&host_name, 20), 20)),
        Span::raw(" "),
        Span::raw(pad(&text::cell(hosts::ip(host).unwrap_or("-"), 15), 15)),
        Span::raw(format!(" {:<6} ", took.as_deref().unwrap_or("-"))),
        message_span(host.message.as_deref(), status.as_ref(), theme),
    ])
}

/// A batch's host: its status, name, IP, time, and the first line of its output.
fn script_host_line<'a>(host: &'a ScriptHost, app: &App, theme: Theme) -> Line<'a> {
    let status = host.status.clone().map(JobStatus::Script);
    let took = format::run_time(host.gmt_created, host.gmt_finished, app.now);
    let output = hosts::first_output_line(host.message.as_deref());
    Line::from(vec![
        status_cell(status.as_ref(), theme),
        Span::raw(" "),
        Span::raw(pad(&text::cell(host.name().unwrap_or("-"), 20), 20)),
        Span::raw(" "),
        Span::raw(pad(&text::cell(host.ip().unwrap_or("-"), 15), 15)),
        Span::raw(format!(" {:<6} ", took.as_deref().unwrap_or("-"))),
        message_span(Some(output), status.as_ref(), theme),
    ])
}

/// A status in a 12-column cell, in its colour.
fn status_cell(status: Option<&JobStatus>, theme: Theme) -> Span<'static> {
    let text = status.map_or("-".into(), status_text);
    Span::styled(pad(&text::fit(&text, 12), 12), theme.status(status))
}

/// A step's or host's message, in the error colour when it failed.
fn message_span<'a>(
    message: Option<&'a str>,
    status: Option<&JobStatus>,
    theme: Theme,
) -> Span<'a> {
    let text = text::sanitize(message.unwrap_or(""));
    if status.is_some_and(JobStatus::is_failure) {
        Span::styled(text, theme.error())
    } else {
        Span::raw(text)
    }
}

fn labelled<'a>(label: &'a str, value: Vec<Span<'a>>, theme: Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{label:<LABEL_WIDTH$} "), theme.dim())];
    spans.extend(value);
    Line::from(spans)
}

/// `2025-07-01 21:01:45 (12m ago)`.
fn when(ms: i64, app: &App) -> String {
    format!(
        "{} ({})",
        format::local_time(ms, app.zone),
        format::age_of_millis(app.now, ms)
    )
}

/// Every field of the ticket, most important first (the pane may cut the tail).
fn field_lines<'a>(entry: &'a TicketEntry, app: &App, theme: Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::with_capacity(16);
    let ticket = entry.ticket.as_deref();
    let (glyph, status) = status_label(entry);
    let mut status_line = vec![Span::styled(
        format!("{glyph} {status}"),
        theme.status(entry.status().as_ref()),
    )];
    if let Some(t) = ticket {
        if let Some(kind) = t.type_label() {
            status_line.push(Span::raw(format!("  type {}", text::sanitize(kind))));
        }
        if let Some(creator) = t.creator() {
            status_line.push(Span::raw(format!("  by {}", text::sanitize(creator))));
        }
    }
    lines.push(labelled("Status", status_line, theme));
    if let Some(failure) = &entry.error {
        error_lines(&mut lines, "Error", failure, app, theme);
    }
    match ticket {
        Some(JobTicket::Execution(t)) => lines.extend(ticket_lines(t, entry, app, theme)),
        Some(JobTicket::Script(t)) => lines.extend(script_lines(t, entry, app, theme)),
        None => {}
    }
    lines
}

/// When it started and ended, and how long it ran (or runs).
fn time_lines<'a>(
    (started_label, start): (&'a str, Option<i64>),
    end: Option<i64>,
    app: &App,
    theme: Theme,
) -> [Line<'a>; 2] {
    let started = start.map_or("-".into(), |ms| when(ms, app));
    let run_time = format::run_time(start, end, app.now);
    let ended = match (end, run_time) {
        (Some(ms), Some(took)) => format!("{}, took {took}", when(ms, app)),
        (Some(ms), None) => when(ms, app),
        (None, Some(took)) => format!("- (running for {took})"),
        (None, None) => "-".to_string(),
    };
    [
        labelled(started_label, vec![Span::raw(started)], theme),
        labelled("Ended", vec![Span::raw(ended)], theme),
    ]
}

/// When the dashboard last polled it.
fn polled_line<'a>(entry: &TicketEntry, app: &App, theme: Theme) -> Line<'a> {
    let polled = entry.last_ok.map_or("never".into(), |at| {
        format!(
            "{} ({})",
            format::clock_time(at, app.zone),
            format::age(app.now, at)
        )
    });
    labelled("Polled", vec![Span::raw(polled)], theme)
}

/// A script ticket's fields: the script and its version, the batch it is at, the hosts
/// per status, how it runs, times.
fn script_lines<'a>(
    t: &'a ScriptTicket,
    entry: &TicketEntry,
    app: &App,
    theme: Theme,
) -> Vec<Line<'a>> {
    let opt = |v: &'a Option<String>| text::sanitize(v.as_deref().unwrap_or("-"));
    let properties = &t.properties;
    let mut lines = Vec::with_capacity(10);
    lines.push(labelled(
        "Script",
        vec![
            Span::styled(opt(&properties.script_name), theme.bold()),
            Span::raw(format!(
                "  version {}  script ID {}",
                opt(&properties.script_version_name),
                opt(&properties.script_uuid)
            )),
        ],
        theme,
    ));
    if let Some(name) = &t.order_name {
        lines.push(labelled(
            "Ticket",
            vec![Span::raw(text::sanitize(name))],
            theme,
        ));
    }
    let batch = properties
        .current_execute_batch_index
        .map_or("-".into(), |b| b.to_string());
    let mut at_batch = vec![Span::raw(batch)];
    if let Some(progress) = entry.progress.loaded() {
        at_batch.push(Span::raw(format!(" of {}", progress.batches.len())));
        at_batch.push(Span::styled(
            format!("  hosts: {}", statistics_line(&progress.statistics)),
            theme.dim(),
        ));
    }
    lines.push(labelled("Batch", at_batch, theme));
    if let Some(param) = &properties.execute_param {
        let mut how = Vec::new();
        if let Some(timeout) = param.timeout {
            how.push(format!("timeout {timeout}s"));
        }
        if let Some(rate) = param.success_rate {
            how.push(format!("success rate {rate}%"));
        }
        if let Some(user) = &param.execute_user {
            how.push(format!("as {}", text::sanitize(user)));
        }
        if !how.is_empty() {
            lines.push(labelled("Runs", vec![Span::raw(how.join("  "))], theme));
        }
    }
    lines.extend(time_lines(
        ("Created", t.gmt_created),
        t.gmt_finished,
        app,
        theme,
    ));
    lines.push(polled_line(entry, app, theme));
    lines
}

/// "3 FINISHED, 1 ABNORMAL (4 in all)", sanitised.
fn statistics_line(statistics: &ScriptStatistics) -> String {
    let counts: Vec<String> = statistics
        .execute_statistics
        .iter()
        .map(|c| {
            let status = c.instance_status.as_ref().map_or("-".into(), |s| s.label());
            format!("{} {status}", c.instance_count.unwrap_or(0))
        })
        .collect();
    let total = statistics
        .total_instance
        .map(|t| format!(" ({t} in all)"))
        .unwrap_or_default();
    format!("{}{total}", counts.join(", "))
}

fn ticket_lines<'a>(t: &'a Ticket, entry: &TicketEntry, app: &App, theme: Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::with_capacity(12);
    let opt = |v: &'a Option<String>| text::sanitize(v.as_deref().unwrap_or("-"));
    lines.push(labelled(
        "Job",
        vec![
            Span::styled(opt(&t.document_name), theme.bold()),
            Span::raw(format!(
                "  version {}  job ID {}",
                opt(&t.document_version),
                opt(&t.document_id)
            )),
        ],
        theme,
    ));
    lines.extend(time_lines(
        ("Started", t.start_time),
        t.end_time,
        app,
        theme,
    ));
    let updated = t.update_time.map_or("-".into(), |ms| when(ms, app));
    lines.push(labelled("Updated", vec![Span::raw(updated)], theme));
    if let Some(description) = &t.description {
        for (i, line) in text::lines(description).enumerate().take(3) {
            let label = if i == 0 { "About" } else { "" };
            lines.push(labelled(label, vec![Span::raw(line)], theme));
        }
    }
    lines.push(polled_line(entry, app, theme));
    let version_id = format!("{}  id {}", opt(&t.document_version_id), opt(&t.id));
    lines.push(labelled("Version ID", vec![Span::raw(version_id)], theme));
    if let Some(name) = &t.target_parameter_name {
        lines.push(labelled(
            "Target by",
            vec![Span::raw(text::sanitize(name))],
            theme,
        ));
    }
    lines
}

/// An API error as support needs it: code and status, message, request ID, age.
fn error_lines<'a>(
    lines: &mut Vec<Line<'a>>,
    label: &'a str,
    failure: &'a Failure,
    app: &App,
    theme: Theme,
) {
    let error = &failure.error;
    let age = format::age(app.now, failure.at);
    let headline = match (error.error_code(), error.http_status()) {
        (Some(code), Some(status)) => format!("{} (HTTP {status})", text::sanitize(code)),
        (None, Some(status)) => format!("HTTP {status}"),
        _ => text::sanitize(&error.to_string()).into_owned(),
    };
    lines.push(labelled(
        label,
        vec![
            Span::styled(headline, theme.error()),
            Span::styled(format!("  {age}"), theme.dim()),
        ],
        theme,
    ));
    if let Some(message) = http_message(error) {
        lines.push(labelled(
            "Message",
            vec![Span::raw(text::sanitize(message))],
            theme,
        ));
    }
    if let Some(id) = error.request_id() {
        lines.push(labelled(
            "Request",
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

fn tab_bar(entry: &TicketEntry, active: Tab, width: u16, theme: Theme) -> Line<'static> {
    let tabs = Tab::of(entry.kind());
    let label = |tab: Tab, short: bool| {
        let n = tab.index_in(entry.kind()) + 1;
        match (short, tab_count(entry, tab)) {
            (true, _) => format!(" {n} {} ", &tab.title()[..4]),
            (false, Some(c)) => format!(" {n} {} ({c}) ", tab.title()),
            (false, None) => format!(" {n} {} ", tab.title()),
        }
    };
    let full: usize = tabs.iter().map(|&t| label(t, false).len()).sum();
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

/// The open tab: a fixed heading when it has one, then only the rows that fit, from
/// the scroll position on.
fn draw_tab(buf: &mut Buffer, area: Rect, entry: &TicketEntry, app: &App, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let rows = TabRows::of(entry, app.tab());
    let mut body = area;
    if rows.has_heading() {
        buf.set_line(area.x, area.y, &heading(rows.tab(), theme), area.width);
        body.y += 1;
        body.height -= 1;
    }
    let visible = usize::from(body.height);
    let scroll = app.detail_scroll().min(rows.len().saturating_sub(visible));
    // In an open ticket the Steps and Batches tabs have a cursor: Enter opens the
    // hosts of that step or batch.
    let cursor = (app.view() == View::Ticket && rows.has_heading()).then(|| app.detail_scroll());
    let mut y = body.y;
    for (i, row) in (scroll..).zip(rows.rows(scroll, visible)) {
        for line in row_lines(row, app, theme) {
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

/// How one row of a tab looks (a failed steps load takes a few lines).
fn row_lines<'a>(row: Row<'a>, app: &App, theme: Theme) -> Vec<Line<'a>> {
    let line = match row {
        Row::Empty(what) => Line::styled(what, theme.dim()),
        Row::Hint(text) => Line::styled(text, theme.dim()),
        Row::Section(title) => Line::styled(title, theme.bold()),
        Row::Pair { pair, key_width } => key_value(pair, key_width, theme),
        Row::TargetKind(target) => Line::styled(
            format!("{} ({})", text::sanitize(&target.key), target.values.len()),
            theme.bold(),
        ),
        Row::TargetValue(value) => Line::raw(format!("  {}", readable_json(&value.parse()))),
        Row::Step(step) => step_line(step, app, theme),
        Row::ScriptParam { param, key_width } => script_param(param, key_width, theme),
        Row::Batch {
            batch,
            statistics,
            current,
        } => batch_line(batch, statistics, current, theme),
        Row::Transition(t) => transition_line(t, app, theme),
        Row::Operation(record) => operation_line(record, app, theme),
        Row::StepsFailed(failure) => {
            let mut lines = Vec::new();
            error_lines(&mut lines, "Steps", failure, app, theme);
            return lines;
        }
    };
    vec![line]
}

fn transition_line<'a>(t: &Transition, app: &App, theme: Theme) -> Line<'a> {
    let from = t.from.as_ref().map_or("first seen".into(), status_text);
    Line::from(vec![
        Span::styled(
            format!(
                "{:<21}",
                format!(
                    "{} ({})",
                    format::clock_time(t.at, app.zone),
                    format::age(app.now, t.at)
                )
            ),
            theme.dim(),
        ),
        Span::raw(format!("{from} → ")),
        Span::styled(status_text(&t.to), theme.status(Some(&t.to))),
    ])
}

/// "RETRY sent at 14:03:12, accepted".
fn operation_line<'a>(record: &OperationRecord, app: &App, theme: Theme) -> Line<'a> {
    let sent = format::clock_time(record.sent, app.zone);
    let op = operate::action(record.operation);
    let (outcome, style) = match &record.result {
        None => ("waiting for the answer".to_string(), theme.dim()),
        Some(Ok(())) => ("accepted".to_string(), Style::new()),
        Some(Err(error)) => (
            text::sanitize(&crate::operate::OperationOutcome::of(&Err(error.clone())).as_text())
                .into_owned(),
            theme.error(),
        ),
    };
    Line::from(vec![
        Span::styled(
            format!(
                "{:<21}",
                format!("{sent} ({})", format::age(app.now, record.sent))
            ),
            theme.dim(),
        ),
        Span::styled(format!("{op} sent at {sent}, {outcome}"), style),
    ])
}

/// The column heading of the steps or the batches table.
fn heading(tab: Tab, theme: Theme) -> Line<'static> {
    let text = match tab {
        Tab::Batches => format!("  {:<7} {:<7} {:<9} HOSTS ARE", "BATCH", "HOSTS", "THEN"),
        _ => format!(
            "{:<12} {:<24} {:<16} {:<6} MESSAGE",
            "STATUS", "NAME", "ACTION", "TOOK"
        ),
    };
    Line::styled(text, theme.column_header())
}

fn step_line<'a>(step: &'a Step, app: &App, theme: Theme) -> Line<'a> {
    let status = step.status.clone().map(JobStatus::Execution);
    let took = format::run_time(step.start_time, step.end_time, app.now);
    let name = text::cell(step.name.as_deref().unwrap_or("-"), 24);
    let action = text::cell(step.action.as_deref().unwrap_or("-"), 16);
    Line::from(vec![
        status_cell(status.as_ref(), theme),
        Span::raw(" "),
        Span::raw(pad(&name, 24)),
        Span::raw(" "),
        Span::raw(pad(&action, 16)),
        Span::raw(format!(" {:<6} ", took.as_deref().unwrap_or("-"))),
        message_span(step.message.as_deref(), status.as_ref(), theme),
    ])
}

/// `▸ 2       10      PAUSE     ▶ PROCESSING  ✔ FINISHED`: the batch the ticket is at
/// marked, how many hosts, what comes after it, and the statuses its hosts are in.
fn batch_line<'a>(
    batch: &ScriptBatch,
    statistics: &ScriptStatistics,
    current: bool,
    theme: Theme,
) -> Line<'a> {
    let index = batch.batch_index.map_or("-".into(), |i| i.to_string());
    let hosts = batch.total_instances.map_or("-".into(), |n| n.to_string());
    let then = text::cell(batch.rotation_strategy.as_deref().unwrap_or("-"), 9);
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
            status_text(&status),
            theme.status(Some(&status)),
        ));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

/// A script's argument: `name  value`, the name padded to the list's key width.
fn script_param<'a>(param: &'a ScriptParam, key_width: usize, theme: Theme) -> Line<'a> {
    let key = text::cell(&param.param_name, key_width);
    Line::from(vec![
        Span::styled(format!("  {}  ", pad(&key, key_width)), theme.dim()),
        Span::styled(text::sanitize(&param.param_value), Style::new()),
    ])
}

/// `key  value`, the key padded to the list's key width (measured once per data change).
fn key_value<'a>(kv: &'a KeyValue, key_width: usize, theme: Theme) -> Line<'a> {
    let key = text::cell(&kv.key, key_width);
    Line::from(vec![
        Span::styled(format!("  {}  ", pad(&key, key_width)), theme.dim()),
        Span::styled(text::sanitize(&kv.value), Style::new()),
    ])
}

/// Pads to a display width (wide characters count twice).
fn pad(value: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let fill = width.saturating_sub(value.width());
    format!("{value}{}", " ".repeat(fill))
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
