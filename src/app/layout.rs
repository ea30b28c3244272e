//! Where each part of the screen goes, as a pure function of the terminal size.
//!
//! The UI draws into these regions and `update` hit-tests mouse clicks against them, so
//! a click always lands on the row that was drawn under the pointer.

use ratatui::layout::Rect;

/// At least this wide, the detail pane goes beside the list instead of below it.
const SIDE_BY_SIDE_WIDTH: u16 = 140;
/// At least this many body lines, the detail pane goes below the list.
const STACKED_HEIGHT: u16 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Screen {
    pub header: Rect,
    /// The column titles of the list (empty when zoomed or tiny).
    pub list_header: Rect,
    /// One line per ticket.
    pub rows: Rect,
    /// The selected ticket's detail (empty when there is no room for it).
    pub detail: Rect,
    pub footer: Rect,
}

impl Screen {
    /// The detail pane is to the right of the list rather than below it.
    pub fn detail_beside_list(&self) -> bool {
        !self.detail.is_empty() && !self.rows.is_empty() && self.detail.x > self.rows.x
    }

    /// The width of the detail's tabs: the pane, but for its left border beside the list.
    pub fn tab_width(&self) -> u16 {
        self.detail
            .width
            .saturating_sub(u16::from(self.detail_beside_list()))
    }

    /// The list row under the terminal cell `(x, y)`, counted from the first shown row.
    pub fn row_at(&self, x: u16, y: u16) -> Option<usize> {
        self.rows
            .contains((x, y).into())
            .then(|| usize::from(y - self.rows.y))
    }
}

/// Splits `area`; `zoomed` gives the whole body to the selected ticket's detail.
pub fn screen(area: Rect, zoomed: bool) -> Screen {
    let mut rest = area;
    let header_height = match area.height {
        12.. => 2,
        4.. => 1,
        _ => 0,
    };
    let header = take_top(&mut rest, header_height);
    let footer = take_bottom(&mut rest, if area.height >= 2 { 1 } else { 0 });
    let body = rest;

    if zoomed {
        return Screen {
            header,
            detail: body,
            footer,
            ..Screen::default()
        };
    }

    let (mut list, detail) = if body.width >= SIDE_BY_SIDE_WIDTH && body.height >= 8 {
        let list_width = body.width * 11 / 20;
        let list = Rect {
            width: list_width,
            ..body
        };
        let detail = Rect {
            x: body.x + list_width,
            width: body.width - list_width,
            ..body
        };
        (list, detail)
    } else if body.height >= STACKED_HEIGHT {
        let mut list = body;
        let list_height = (body.height * 2 / 5).max(5);
        let detail = Rect {
            y: body.y + list_height,
            height: body.height - list_height,
            ..body
        };
        list.height = list_height;
        (list, detail)
    } else {
        (body, Rect::default())
    };
    let title_height = if list.height >= 2 { 1 } else { 0 };
    let list_header = take_top(&mut list, title_height);
    Screen {
        header,
        list_header,
        rows: list,
        detail,
        footer,
    }
}

/// Where the output pager draws the text inside `detail`: below its title line,
/// above its status line.
pub fn output_text(detail: Rect) -> Rect {
    let mut text = detail;
    take_top(&mut text, 1);
    take_bottom(&mut text, 1);
    text
}

/// The first row to show so that `cursor` is visible, moving `offset` as little as
/// possible and never leaving empty rows below the last ticket.
pub fn keep_visible(offset: usize, cursor: usize, rows: usize, total: usize) -> usize {
    if rows == 0 {
        return cursor.min(total.saturating_sub(1));
    }
    let offset = if cursor < offset {
        cursor
    } else if cursor >= offset + rows {
        cursor + 1 - rows
    } else {
        offset
    };
    offset.min(total.saturating_sub(rows))
}

fn take_top(area: &mut Rect, height: u16) -> Rect {
    let height = height.min(area.height);
    let top = Rect { height, ..*area };
    area.y += height;
    area.height -= height;
    top
}

fn take_bottom(area: &mut Rect, height: u16) -> Rect {
    let height = height.min(area.height);
    area.height -= height;
    Rect {
        y: area.y + area.height,
        height,
        ..*area
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_tile_the_screen_without_overlap() {
        for width in 0..=200 {
            for height in 0..=60 {
                let area = Rect::new(0, 0, width, height);
                for zoomed in [false, true] {
                    let s = screen(area, zoomed);
                    let parts = [s.header, s.list_header, s.rows, s.detail, s.footer];
                    let cells: u32 = parts.iter().map(|r| r.area()).sum();
                    assert_eq!(cells, area.area(), "{width}x{height}");
                    for (i, a) in parts.iter().enumerate() {
                        assert!(a.is_empty() || area.intersection(*a) == *a);
                        for b in &parts[i + 1..] {
                            assert!(!a.intersects(*b), "{width}x{height}: {a:?} {b:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn detail_pane_follows_the_space() {
        assert!(screen(Rect::new(0, 0, 80, 24), false).detail.height > 8);
        let wide = screen(Rect::new(0, 0, 200, 50), false);
        assert_eq!(wide.detail.y, wide.rows.y - 1, "beside the list");
        assert!(screen(Rect::new(0, 0, 40, 12), false).detail.is_empty());
        let zoomed = screen(Rect::new(0, 0, 40, 12), true);
        assert!(zoomed.rows.is_empty() && zoomed.detail.height == 9);
    }

    #[test]
    fn rows_are_hit_tested_from_the_first_shown() {
        let s = screen(Rect::new(0, 0, 80, 24), false);
        assert_eq!(s.row_at(5, s.rows.y), Some(0));
        assert_eq!(s.row_at(5, s.rows.y + 2), Some(2));
        assert_eq!(s.row_at(5, s.list_header.y), None);
        assert_eq!(s.row_at(5, s.detail.y), None);
    }

    #[test]
    fn offset_moves_only_to_keep_the_cursor_visible() {
        assert_eq!(keep_visible(0, 3, 10, 100), 0);
        assert_eq!(keep_visible(0, 10, 10, 100), 1);
        assert_eq!(keep_visible(50, 20, 10, 100), 20);
        assert_eq!(
            keep_visible(95, 99, 10, 100),
            90,
            "no empty rows at the end"
        );
        assert_eq!(keep_visible(5, 2, 10, 3), 0);
        assert_eq!(keep_visible(0, 0, 0, 0), 0);
    }
}
