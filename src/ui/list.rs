//! The ticket list: only the rows on screen are formatted, whatever the ticket count.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::{App, RowTimes, TicketEntry, View, layout::Screen};
use crate::coc::{JobTicket, KeyValue, TicketKind};
use crate::config::look::{Column, ColumnChoice};
use crate::i18n::Msg;
use crate::text;

use super::status_label;
use super::theme::Palette;

/// The marker before the chosen columns: `!` a failed poll, `~` stale, `≈` cached.
const MARKER_WIDTH: u16 = 1;

/// The status column at its usual width grows to this where script tickets are listed:
/// `▶ PROCESSING` and `↺ ROLLBACKED` are one column wider than any execution status.
const SCRIPT_STATUS_WIDTH: u16 = 12;

/// Columns given up first when the terminal narrows; the status, the profile and the
/// name stay.
const DROP_ORDER: [Column; 7] = [
    Column::Tags,
    Column::Updated,
    Column::Type,
    Column::Creator,
    Column::Started,
    Column::Id,
    Column::Took,
];

/// Where each shown column goes after the marker: `(column, x offset, width)`, in
/// display order (`[ui] columns`, else the usual ones).
struct Columns {
    cells: Vec<(Column, u16, u16)>,
}

impl Columns {
    /// `profiles`: several profiles are shown, so the usual columns have PROFILE;
    /// `scripts`: script tickets are among the rows (a list of executions only is laid
    /// out as it always was).
    fn fit(width: u16, chosen: &[ColumnChoice], profiles: bool, scripts: bool) -> Columns {
        let mut shown: Vec<ColumnChoice> = if chosen.is_empty() {
            ColumnChoice::defaults(profiles)
        } else {
            chosen.to_vec()
        };
        if scripts {
            let usual = |c: &&mut ColumnChoice| {
                c.column == Column::Status && c.width == Column::Status.usual_width()
            };
            for status in shown.iter_mut().filter(usual) {
                status.width = SCRIPT_STATUS_WIDTH;
            }
        }
        // Each column after the marker has one blank before it.
        let needed = |shown: &[ColumnChoice]| -> u16 {
            shown.iter().fold(MARKER_WIDTH, |sum, choice| {
                sum.saturating_add(choice.width).saturating_add(1)
            })
        };
        for drop in DROP_ORDER {
            if needed(&shown) <= width {
                break;
            }
            shown.retain(|choice| choice.column != drop);
        }
        let spare = width.saturating_sub(needed(&shown));
        let mut x = MARKER_WIDTH + 1;
        let cells = shown
            .iter()
            .map(|choice| {
                let w = match choice.column {
                    Column::Name => choice.width.saturating_add(spare),
                    _ => choice.width,
                };
                let cell = (choice.column, x, w);
                x = x.saturating_add(w).saturating_add(1);
                cell
            })
            .collect();
        Columns { cells }
    }

    fn iter(&self) -> impl Iterator<Item = (Column, u16, u16)> + '_ {
        self.cells.iter().copied()
    }
}

/// `scripts`: script tickets are among the rows, so the ID column is a ticket's.
fn title(column: Column, scripts: bool) -> Msg<'static> {
    match column {
        Column::Id if scripts => Msg::ColumnTicketId,
        Column::Status => Msg::ColumnStatus,
        Column::Profile => Msg::ColumnProfile,
        Column::Name => Msg::ColumnName,
        Column::Id => Msg::ColumnId,
        Column::Type => Msg::ColumnType,
        Column::Creator => Msg::ColumnCreator,
        Column::Started => Msg::ColumnStarted,
        Column::Took => Msg::ColumnTook,
        Column::Updated => Msg::ColumnUpdated,
        Column::Tags => Msg::ColumnTags,
    }
}

pub fn draw(buf: &mut Buffer, screen: &Screen, app: &App, theme: Palette) {
    let rows = screen.rows;
    if rows.is_empty() && screen.list_header.is_empty() {
        return;
    }
    if app.view() == View::Browse {
        return draw_browse(buf, screen, app, theme);
    }
    if app.tickets().is_empty() {
        return empty_state(buf, rows, &app.t(Msg::NothingWatched), theme);
    }
    if app.visible_len() == 0 {
        let message = app
            .t(Msg::NoMatch(&text::sanitize(app.filter())))
            .into_owned();
        return empty_state(buf, rows, &message, theme);
    }
    let offset = app.list_offset(usize::from(rows.height));
    let shown = (offset..app.visible_len()).map_while(|position| app.visible(position));
    let scripts = app.kind_count(TicketKind::Script) > 0;
    draw_rows(
        buf,
        screen,
        shown,
        offset,
        (app.cursor(), scripts),
        app,
        theme,
    );
}

/// The column titles and the rows on screen, the first being the `offset`-th; the row
/// at `cursor` selected. `scripts`: script tickets are among the rows (the ID column is
/// then a ticket's, not an execution's).
fn draw_rows<'a>(
    buf: &mut Buffer,
    screen: &Screen,
    entries: impl Iterator<Item = &'a TicketEntry>,
    offset: usize,
    (cursor, scripts): (usize, bool),
    app: &App,
    theme: Palette,
) {
    let rows = screen.rows;
    let width = screen.list_header.width.max(rows.width);
    let columns = Columns::fit(
        width,
        &app.settings().columns,
        app.profiles_shown(),
        scripts,
    );
    draw_titles(buf, screen.list_header, &columns, (app, scripts), theme);
    for (line, entry) in entries.take(usize::from(rows.height)).enumerate() {
        let row = Rect {
            y: rows.y + line as u16,
            height: 1,
            ..rows
        };
        if offset + line == cursor {
            buf.set_style(row, theme.selected());
        }
        draw_row(buf, row, &columns, entry, app, theme);
    }
}

/// The browse view: the pages loaded so far, or why there is nothing to show.
fn draw_browse(buf: &mut Buffer, screen: &Screen, app: &App, theme: Palette) {
    let browse = app.browse();
    if browse.rows().is_empty() {
        let message = match browse.failure() {
            Some(failure) => app
                .t(Msg::CannotList(&super::error_text(
                    app.lang(),
                    &failure.error,
                )))
                .into_owned(),
            None if browse.loading() || browse.has_more() => format!("{}…", app.t(Msg::Loading)),
            None if let Some(why) = browse.stopped() => {
                let why = why.to_string();
                app.t(Msg::NoMatchInWhatWasRead(&why)).into_owned()
            }
            None => app.t(Msg::NoBrowseMatch).into_owned(),
        };
        return empty_state(buf, screen.rows, &message, theme);
    }
    let offset = browse.offset(usize::from(screen.rows.height));
    let shown = browse.rows().iter().skip(offset);
    let scripts = browse.rows().iter().any(|r| r.id.is_script());
    draw_rows(
        buf,
        screen,
        shown,
        offset,
        (browse.cursor(), scripts),
        app,
        theme,
    );
}

fn empty_state(buf: &mut Buffer, area: Rect, message: &str, theme: Palette) {
    Paragraph::new(Line::styled(message, theme.dim()))
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn draw_titles(
    buf: &mut Buffer,
    area: Rect,
    columns: &Columns,
    (app, scripts): (&App, bool),
    theme: Palette,
) {
    if area.is_empty() {
        return;
    }
    buf.set_style(area, theme.column_header());
    for (column, x, width) in columns.iter() {
        put(
            buf,
            area,
            x,
            width,
            &app.t(title(column, scripts)),
            theme.column_header(),
        );
    }
}

fn draw_row(
    buf: &mut Buffer,
    row: Rect,
    columns: &Columns,
    entry: &TicketEntry,
    app: &App,
    theme: Palette,
) {
    let times = RowTimes::of(app.lang(), entry, app.now);
    let ticket = entry.ticket.as_deref();
    let plain = Style::new();
    if entry.error.is_some() {
        put(buf, row, 0, MARKER_WIDTH, "!", theme.error());
    } else if times.stale {
        put(buf, row, 0, MARKER_WIDTH, "~", theme.warning());
    } else if entry.cached {
        put(buf, row, 0, MARKER_WIDTH, "≈", theme.dim());
    }
    for (column, x, width) in columns.iter() {
        let w = usize::from(width);
        match column {
            Column::Status => {
                let (glyph, name) = status_label(app.lang(), entry);
                let label = format!("{glyph} {name}");
                put(
                    buf,
                    row,
                    x,
                    width,
                    &text::fit(&label, w),
                    theme.status(entry.status().as_ref()),
                );
            }
            Column::Name => {
                // The query that found it, as a prefix: `[my team] job name`.
                let marker = entry
                    .queries
                    .first()
                    .map(|q| format!("[{}] ", text::sanitize(q)));
                let marker = text::fit(marker.as_deref().unwrap_or(""), w / 2);
                let used = marker.width() as u16;
                put(buf, row, x, width, &marker, theme.dim());
                put(
                    buf,
                    row,
                    x + used,
                    width.saturating_sub(used),
                    &text::cell(entry.name(), w.saturating_sub(usize::from(used))),
                    theme.bold(),
                );
            }
            Column::Profile => {
                let profile = entry.profile.as_deref().unwrap_or("");
                put(buf, row, x, width, &text::cell(profile, w), theme.dim());
            }
            Column::Id => {
                let id = entry.id.to_string();
                put(buf, row, x, width, &text::cell(&id, w), plain)
            }
            Column::Type => {
                // A script ticket's type is its kind: SCRIPT.
                let kind = ticket.and_then(JobTicket::type_label).unwrap_or("");
                put(buf, row, x, width, &text::cell(kind, w), plain);
            }
            Column::Creator => {
                let creator = ticket.and_then(JobTicket::creator).unwrap_or("");
                put(buf, row, x, width, &text::cell(creator, w), plain);
            }
            Column::Started => put_time(buf, row, x, width, times.started.as_deref()),
            Column::Took => put_time(buf, row, x, width, times.duration.as_deref()),
            Column::Updated => put_time(buf, row, x, width, times.updated.as_deref()),
            Column::Tags => {
                let tags = ticket
                    .and_then(JobTicket::as_execution)
                    .map(|t| tags_text(&t.tags))
                    .unwrap_or_default();
                put(buf, row, x, width, &text::cell(&tags, w), plain);
            }
        }
    }
}

/// `env=prod team=sre`.
fn tags_text(tags: &[KeyValue]) -> String {
    let pairs: Vec<String> = tags
        .iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect();
    pairs.join(" ")
}

fn put_time(buf: &mut Buffer, row: Rect, x: u16, width: u16, value: Option<&str>) {
    let value = value.unwrap_or("-");
    put(
        buf,
        row,
        x,
        width,
        &text::fit(value, usize::from(width)),
        Style::new(),
    );
}

/// Writes `value` at column offset `x` of `row`, clipped to `width` and to the row.
fn put(buf: &mut Buffer, row: Rect, x: u16, width: u16, value: &str, style: Style) {
    let Some(x) = row.x.checked_add(x).filter(|&x| x < row.right()) else {
        return;
    };
    let width = width.min(row.right() - x);
    buf.set_stringn(x, row.y, value, usize::from(width), style);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(width: u16, chosen: &[ColumnChoice]) -> Vec<Column> {
        Columns::fit(width, chosen, false, false)
            .iter()
            .map(|(c, _, _)| c)
            .collect()
    }

    fn chosen(names: &[&str]) -> Vec<ColumnChoice> {
        names
            .iter()
            .map(|n| ColumnChoice::parse(n).unwrap())
            .collect()
    }

    #[test]
    fn columns_drop_in_order_as_the_terminal_narrows() {
        assert!(
            !shown(200, &[]).contains(&Column::Profile),
            "one profile: no column"
        );
        assert_eq!(shown(200, &[]).len(), ColumnChoice::defaults(false).len());
        let profiles = |width| -> Vec<Column> {
            Columns::fit(width, &[], true, false)
                .iter()
                .map(|(c, _, _)| c)
                .collect()
        };
        assert_eq!(profiles(200).len(), ColumnChoice::defaults(true).len());
        assert_eq!(profiles(40)[..2], [Column::Status, Column::Profile]);
        let at_80 = shown(80, &[]);
        assert!(at_80.contains(&Column::Id) && at_80.contains(&Column::Started));
        assert!(!at_80.contains(&Column::Updated) && !at_80.contains(&Column::Type));
        assert_eq!(shown(40, &[]), [Column::Status, Column::Name, Column::Took]);
        assert_eq!(shown(0, &[]), [Column::Status, Column::Name]);
    }

    #[test]
    fn shown_columns_fill_the_width_exactly() {
        let with_tags = chosen(&["tags:30", "name:20", "status", "id"]);
        for columns in [&[][..], &with_tags] {
            for width in 40..=250 {
                let columns = Columns::fit(width, columns, true, true);
                let (_, x, w) = columns.iter().last().unwrap();
                assert_eq!(x + w, width, "width {width}");
            }
        }
    }

    /// As usual the status column fits every known status of the kinds listed, glyph
    /// and name, in each language: none is cut (`▶ PROCESSING` is the widest).
    #[test]
    fn the_usual_status_column_fits_every_known_status_of_the_kinds_listed() {
        use crate::coc::{JobStatus, ScriptStatus, Status};
        use crate::i18n::Lang;
        let executions = Status::KNOWN.map(JobStatus::Execution);
        let scripts = ScriptStatus::KNOWN.map(JobStatus::Script);
        let status_width = |scripts_listed: bool| {
            let columns = Columns::fit(200, &[], false, scripts_listed);
            let (_, _, width) = columns.iter().find(|c| c.0 == Column::Status).unwrap();
            usize::from(width)
        };
        let listed = [
            (false, executions.to_vec()),
            (true, [executions, scripts].concat()),
        ];
        for (scripts_listed, statuses) in listed {
            let width = status_width(scripts_listed);
            for status in &statuses {
                for lang in [Lang::En, Lang::Zh] {
                    let label = crate::ui::status_text(lang, status);
                    assert!(label.width() <= width, "{label:?} in {width} columns");
                }
            }
        }
        assert_eq!(
            status_width(false),
            11,
            "executions only: laid out as before"
        );
    }

    #[test]
    fn configured_columns_keep_their_order_and_widths_and_tags_go_first() {
        let columns = chosen(&["tags:30", "name:20", "status", "id"]);
        let wide = Columns::fit(120, &columns, false, false);
        let cells: Vec<_> = wide.iter().collect();
        assert_eq!(cells[0], (Column::Tags, 2, 30));
        assert_eq!((cells[1].0, cells[1].1), (Column::Name, 33));
        assert_eq!(cells[2].2, 11);
        assert_eq!(
            shown(70, &columns),
            [Column::Name, Column::Status, Column::Id],
            "the tags are the first to go"
        );
    }
}
