//! The ticket list: only the rows on screen are formatted, whatever the ticket count.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::{App, RowTimes, TicketEntry, View, layout::Screen};
use crate::text;

use super::status_label;
use super::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Marker,
    Status,
    Name,
    Id,
    Type,
    Creator,
    Started,
    Duration,
    Updated,
}

/// Display order, with titles and widths; `Name` takes what is left.
const COLUMNS: [(Column, &str, u16); 9] = [
    (Column::Marker, "", 1),
    (Column::Status, "STATUS", 11),
    (Column::Name, "NAME", 0),
    (Column::Id, "EXECUTION ID", 24),
    (Column::Type, "TYPE", 12),
    (Column::Creator, "CREATOR", 12),
    (Column::Started, "STARTED", 10),
    (Column::Duration, "TOOK", 6),
    (Column::Updated, "UPDATED", 10),
];

/// Columns given up first when the terminal narrows.
const DROP_ORDER: [Column; 6] = [
    Column::Updated,
    Column::Type,
    Column::Creator,
    Column::Started,
    Column::Id,
    Column::Duration,
];

const NAME_MIN: u16 = 12;

/// Where each shown column goes: `(column, x offset, width)`, in display order.
struct Columns {
    cells: [(Column, u16, u16); COLUMNS.len()],
    len: usize,
}

impl Columns {
    fn fit(width: u16) -> Columns {
        let mut shown = [true; COLUMNS.len()];
        let needed = |shown: &[bool; COLUMNS.len()]| -> u16 {
            let (count, fixed) = COLUMNS
                .iter()
                .zip(shown)
                .filter(|(_, on)| **on)
                .fold((0u16, 0u16), |(n, w), ((_, _, cw), _)| (n + 1, w + cw));
            fixed + NAME_MIN + count.saturating_sub(1)
        };
        for drop in DROP_ORDER {
            if needed(&shown) <= width {
                break;
            }
            if let Some(i) = COLUMNS.iter().position(|(c, _, _)| *c == drop) {
                shown[i] = false;
            }
        }
        let spare = width.saturating_sub(needed(&shown));
        let mut cells = [(Column::Marker, 0, 0); COLUMNS.len()];
        let mut len = 0;
        let mut x = 0u16;
        for ((column, _, w), _) in COLUMNS.iter().zip(shown).filter(|(_, on)| *on) {
            let w = if *column == Column::Name {
                NAME_MIN + spare
            } else {
                *w
            };
            cells[len] = (*column, x, w);
            len += 1;
            x = x.saturating_add(w + 1);
        }
        Columns { cells, len }
    }

    fn iter(&self) -> impl Iterator<Item = (Column, u16, u16)> + '_ {
        self.cells[..self.len].iter().copied()
    }
}

pub fn draw(buf: &mut Buffer, screen: &Screen, app: &App, theme: Theme) {
    let rows = screen.rows;
    if rows.is_empty() && screen.list_header.is_empty() {
        return;
    }
    if app.view() == View::Browse {
        return draw_browse(buf, screen, app, theme);
    }
    if app.tickets().is_empty() {
        return empty_state(
            buf,
            rows,
            "no tickets watched: add [[watch]] or [[query]] entries to the config (see \
             `coctop config path`), or press b to browse",
            theme,
        );
    }
    if app.visible_len() == 0 {
        let message = format!(
            "no ticket matches \"{}\" (Esc clears the filter)",
            text::sanitize(app.filter())
        );
        return empty_state(buf, rows, &message, theme);
    }
    let offset = app.list_offset(usize::from(rows.height));
    let shown = (offset..app.visible_len()).map_while(|position| app.visible(position));
    draw_rows(buf, screen, shown, offset, app.cursor(), app, theme);
}

/// The column titles and the rows on screen, the first being the `offset`-th.
fn draw_rows<'a>(
    buf: &mut Buffer,
    screen: &Screen,
    entries: impl Iterator<Item = &'a TicketEntry>,
    offset: usize,
    cursor: usize,
    app: &App,
    theme: Theme,
) {
    let rows = screen.rows;
    let columns = Columns::fit(screen.list_header.width.max(rows.width));
    draw_titles(buf, screen.list_header, &columns, theme);
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
fn draw_browse(buf: &mut Buffer, screen: &Screen, app: &App, theme: Theme) {
    let browse = app.browse();
    if browse.rows().is_empty() {
        let message = match browse.failure() {
            Some(failure) => format!(
                "cannot list tickets: {} (r tries again)",
                text::sanitize(&failure.error.to_string())
            ),
            None if browse.loading() || browse.has_more() => "loading…".to_string(),
            None if let Some(why) = browse.stopped() => {
                format!("no ticket matches in what was read ({why}; r reads again)")
            }
            None => "no ticket matches (/ changes the filter)".to_string(),
        };
        return empty_state(buf, screen.rows, &message, theme);
    }
    let offset = browse.offset(usize::from(screen.rows.height));
    let shown = browse.rows().iter().skip(offset);
    draw_rows(buf, screen, shown, offset, browse.cursor(), app, theme);
}

fn empty_state(buf: &mut Buffer, area: Rect, message: &str, theme: Theme) {
    Paragraph::new(Line::styled(message, theme.dim()))
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn draw_titles(buf: &mut Buffer, area: Rect, columns: &Columns, theme: Theme) {
    if area.is_empty() {
        return;
    }
    buf.set_style(area, theme.column_header());
    for (column, x, width) in columns.iter() {
        let title = COLUMNS
            .iter()
            .find(|(c, _, _)| *c == column)
            .map_or("", |(_, t, _)| *t);
        put(buf, area, x, width, title, theme.column_header());
    }
}

fn draw_row(
    buf: &mut Buffer,
    row: Rect,
    columns: &Columns,
    entry: &TicketEntry,
    app: &App,
    theme: Theme,
) {
    let times = RowTimes::of(entry, app.now);
    let ticket = entry.ticket.as_deref();
    let plain = Style::new();
    for (column, x, width) in columns.iter() {
        let w = usize::from(width);
        match column {
            Column::Marker => {
                if entry.error.is_some() {
                    put(buf, row, x, width, "!", theme.error());
                } else if times.stale {
                    put(buf, row, x, width, "~", theme.warning());
                } else if entry.cached {
                    put(buf, row, x, width, "≈", theme.dim());
                }
            }
            Column::Status => {
                let (glyph, name) = status_label(entry);
                let label = format!("{glyph} {name}");
                put(
                    buf,
                    row,
                    x,
                    width,
                    &text::fit(&label, w),
                    theme.status(entry.status()),
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
            Column::Id => put(buf, row, x, width, &text::cell(&entry.id, w), plain),
            Column::Type => {
                let kind = ticket.and_then(|t| t.execution_type.as_ref());
                let kind = kind.map_or("", |k| k.as_str());
                put(buf, row, x, width, &text::cell(kind, w), plain);
            }
            Column::Creator => {
                let creator = ticket.and_then(|t| t.creator.as_deref()).unwrap_or("");
                put(buf, row, x, width, &text::cell(creator, w), plain);
            }
            Column::Started => put_time(buf, row, x, width, times.started.as_deref()),
            Column::Duration => put_time(buf, row, x, width, times.duration.as_deref()),
            Column::Updated => put_time(buf, row, x, width, times.updated.as_deref()),
        }
    }
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

    fn shown(width: u16) -> Vec<Column> {
        Columns::fit(width).iter().map(|(c, _, _)| c).collect()
    }

    #[test]
    fn columns_drop_in_order_as_the_terminal_narrows() {
        assert_eq!(shown(200).len(), COLUMNS.len());
        let at_80 = shown(80);
        assert!(at_80.contains(&Column::Id) && at_80.contains(&Column::Started));
        assert!(!at_80.contains(&Column::Updated) && !at_80.contains(&Column::Type));
        assert_eq!(
            shown(40),
            [
                Column::Marker,
                Column::Status,
                Column::Name,
                Column::Duration
            ]
        );
        assert_eq!(shown(0), [Column::Marker, Column::Status, Column::Name]);
    }

    #[test]
    fn shown_columns_fill_the_width_exactly() {
        for width in 30..=250 {
            let columns = Columns::fit(width);
            let (_, x, w) = columns.iter().last().unwrap();
            assert_eq!(x + w, width, "width {width}");
        }
    }
}
