//! Drawing only: reads `&App`, never changes it.

use ratatui::Frame;

use crate::app::App;

pub fn draw(frame: &mut Frame, app: &App) {
    let _ = (frame, app);
    todo!("ui helper")
}
