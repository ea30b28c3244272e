//! Pictures of the dashboard for the README, drawn by the real UI code.
//!
//! `cargo run --example screenshots` starts the simulator on loopback, fetches its
//! tickets and a ticket's steps over HTTP like the dashboard does, feeds them to the
//! dashboard's state through `update`, draws each screen into ratatui's `TestBackend`
//! and writes the cells, with their colours, as SVG files in `assets/`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use coctop::app::{self, App, AppInit, Message, UiSettings};
use coctop::coc::{
    Auth, Client, ClientConfig, Endpoint, JobStatus, JobTicket, ListQuery, Status, TicketRef,
};
use coctop::config::WatchEntry;
use coctop::config::look::ThemeName;
use coctop::i18n::Lang;
use coctop::sim::{self, SimOptions};
use coctop::watch::{Reply, TicketUpdate, Update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 34;
const CELL_W: f64 = 8.4;
const CELL_H: f64 = 18.0;
const FONT_SIZE: f64 = 14.0;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = sim::start(([127, 0, 0, 1], 0).into(), SimOptions::default()).await?;
    let client = Client::new(ClientConfig::new(
        Endpoint::from_url(&sim.base_url())?,
        Auth::None,
    ))?;
    let query = ListQuery {
        limit: Some(40),
        ..ListQuery::default()
    };
    let tickets = client.list_executions(&query).await?.data;
    let now = SystemTime::now();
    let mut app = App::new(AppInit {
        lang: Lang::En,
        endpoint: "cn-north-4".into(),
        watch: tickets
            .iter()
            .filter_map(|t| TicketRef::execution(&t.execution_id).ok())
            .map(WatchEntry::unlabelled)
            .collect(),
        color: true,
        now,
    });
    resize(&mut app);
    for ticket in &tickets {
        let Ok(id) = TicketRef::execution(&ticket.execution_id) else {
            continue;
        };
        if let Some(status) = &ticket.status {
            app::update(
                &mut app,
                Message::Engine(Update::Ticket(TicketUpdate::Transition {
                    id: id.clone(),
                    from: None,
                    to: JobStatus::Execution(status.clone()),
                    at: now - Duration::from_secs(95),
                })),
            );
        }
        app::update(
            &mut app,
            Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
                id,
                ticket: Arc::new(JobTicket::from(ticket.clone())),
                at: now - Duration::from_secs(2),
            })),
        );
    }
    std::fs::create_dir_all("assets")?;
    app = write(app, "dashboard-list")?;

    // The first failed ticket, opened on its Steps tab.
    while app.selected().and_then(|t| t.status()) != Some(JobStatus::Execution(Status::Failed)) {
        let before = app.cursor();
        key(&mut app, KeyCode::Char('j'));
        if app.cursor() == before {
            break;
        }
    }
    let Some(id) = app.selected().map(|t| t.id.clone()) else {
        return Err("the simulator has no tickets".into());
    };
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('4'));
    let steps = client
        .list_steps(id.id(), 100, 0)
        .await
        .map(|page| page.data);
    app::update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Steps {
            id,
            result: steps,
            at: now,
        })),
    );
    app = write(app, "dashboard-steps")?;

    key(&mut app, KeyCode::Char('?'));
    write(app, "dashboard-help")?;
    sim.shutdown();
    println!("wrote assets/dashboard-{{list,steps,help}}{{,-light}}.svg");
    Ok(())
}

fn resize(app: &mut App) {
    app::update(
        app,
        Message::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
}

fn key(app: &mut App, code: KeyCode) {
    app::update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// A terminal's own colours, behind a theme's.
struct Backdrop {
    background: &'static str,
    foreground: &'static str,
}

const DARK: Backdrop = Backdrop {
    background: "#1e1e2e",
    foreground: "#d9dce6",
};

const LIGHT: Backdrop = Backdrop {
    background: "#fafafa",
    foreground: "#24292f",
};

/// `assets/NAME.svg` in the dark theme, `assets/NAME-light.svg` in the light one.
fn write(mut app: App, name: &str) -> Result<App, Box<dyn std::error::Error>> {
    for (theme, backdrop, suffix) in [
        (ThemeName::Dark, DARK, ""),
        (ThemeName::Light, LIGHT, "-light"),
    ] {
        let settings = UiSettings {
            theme,
            ..app.settings().clone()
        };
        app = app.with_settings(settings);
        let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
        terminal.draw(|frame| coctop::ui::draw(frame, &app))?;
        let path = format!("assets/{name}{suffix}.svg");
        std::fs::write(path, svg(terminal.backend().buffer(), &backdrop))?;
    }
    let settings = UiSettings {
        theme: ThemeName::Dark,
        ..app.settings().clone()
    };
    Ok(app.with_settings(settings))
}

/// The buffer as SVG: a rectangle per background run, a text element per run of cells
/// of one style, stretched to its cells so wide (CJK) characters keep the grid.
fn svg(buffer: &Buffer, backdrop: &Backdrop) -> String {
    let (background, foreground) = (backdrop.background, backdrop.foreground);
    let area = buffer.area;
    let (width, height) = (
        f64::from(area.width) * CELL_W,
        f64::from(area.height) * CELL_H,
    );
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" \
         font-size=\"{FONT_SIZE}\">\n<rect width=\"100%\" height=\"100%\" fill=\"{background}\"/>\n"
    );
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let cell = &buffer[(x, y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < area.width {
                let next = &buffer[(x, y)];
                if (next.fg, next.bg, next.modifier) != style {
                    break;
                }
                text.push_str(next.symbol());
                x += 1;
            }
            let cells = f64::from(x - start);
            let (left, top) = (f64::from(start) * CELL_W, f64::from(y) * CELL_H);
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let (mut fg, mut bg) = (hex(cell.fg, foreground), hex(cell.bg, background));
            if reversed {
                std::mem::swap(&mut fg, &mut bg);
            }
            if bg != background {
                let _ = writeln!(
                    out,
                    "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{CELL_H}\" fill=\"{bg}\"/>",
                    cells * CELL_W
                );
            }
            let trimmed = text.trim_end();
            if trimmed.trim_start().is_empty() {
                continue;
            }
            let weight = if cell.modifier.contains(Modifier::BOLD) {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<text x=\"{left:.1}\" y=\"{:.1}\" fill=\"{fg}\"{weight} textLength=\"{:.1}\" \
                 lengthAdjust=\"spacingAndGlyphs\" xml:space=\"preserve\">{}</text>",
                top + CELL_H * 0.75,
                cells * CELL_W,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A terminal colour as the xterm default palette shows it.
fn hex(color: Color, default: &str) -> String {
    let named = |i: u8| {
        const PALETTE: [&str; 16] = [
            "#1e1e2e", "#e5534b", "#57ab5a", "#c69026", "#539bf5", "#b083f0", "#39c5cf", "#d9dce6",
            "#636e7b", "#ff938a", "#6bc46d", "#daaa3f", "#6cb6ff", "#dcbdfb", "#56d4dd", "#ffffff",
        ];
        PALETTE[usize::from(i)].to_string()
    };
    match color {
        Color::Reset => default.to_string(),
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) if i < 16 => named(i),
        Color::Indexed(i) if i >= 232 => {
            let level = 8 + 10 * (i - 232);
            format!("#{level:02x}{level:02x}{level:02x}")
        }
        Color::Indexed(i) => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            format!(
                "#{:02x}{:02x}{:02x}",
                level(i / 36),
                level((i / 6) % 6),
                level(i % 6)
            )
        }
    }
}
