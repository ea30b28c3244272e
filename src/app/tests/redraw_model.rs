//! A render oracle: after every message of a random session the screen is drawn and
//! compared with the last frame `update` asked for; what ui draws must never change
//! without `update` asking for a frame.

use crate::watch::HealthUpdate;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::app::*;
use crate::coc::{
    ApiError, Instance, JobTicket, KeyValue, Operation, Page, RawJson, Status, Step, Target,
    Targets, Ticket, TicketRef,
};

fn id(n: usize) -> TicketRef {
    TicketRef::execution(&format!("EX{n:04}")).unwrap()
}

pub(super) fn render(app: &App) -> Buffer {
    let (w, h) = (app.size.width, app.size.height);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| crate::ui::draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

pub(super) fn text(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

pub(super) fn diff(a: &Buffer, b: &Buffer) -> String {
    let (ta, tb) = (text(a), text(b));
    let mut out = String::new();
    for (i, (x, y)) in ta.iter().zip(tb.iter()).enumerate() {
        if x != y {
            out += &format!("  line {i}\n   was: {x}\n   now: {y}\n");
        }
    }
    if out.is_empty() {
        out = "  (style only)\n".into();
    }
    out
}

/// What a message did (`out`) to `app`, drawn as `drawn` before it, came with a frame
/// or left the screen as drawn; `what` says what would have gone unseen.
pub(super) fn assert_framed(app: &App, drawn: &Buffer, out: &Reaction, what: &str) {
    let now = render(app);
    assert!(
        out.redraw || now == *drawn,
        "{what}:\n{}",
        diff(drawn, &now)
    );
}

pub(super) fn new_app(n: usize, w: u16, h: u16) -> App {
    let mut app = super::sized_app(n, w, h);
    // Times drawn in one zone whatever the machine's.
    app.zone = Zone::UTC;
    app
}

const STATUSES: [Status; 6] = [
    Status::Pending,
    Status::Running,
    Status::Failed,
    Status::Succeed,
    Status::Canceled,
    Status::Timeout,
];

fn rand_ticket(rng: &mut ChaCha8Rng, n: usize, now: SystemTime) -> Ticket {
    let now_s = now.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let mut t = Ticket::empty(id(n).id());
    let status = STATUSES[rng.gen_range(0..STATUSES.len())].clone();
    t.document_name = Some(["alpha", "beta", "gamma"][rng.gen_range(0..3)].into());
    t.creator = Some(format!("user{}", rng.gen_range(0..3)).into());
    if rng.gen_bool(0.8) {
        let ago = [5, 50, 200, 4000, 90_000][rng.gen_range(0..5)] + rng.gen_range(0..30);
        t.start_time = Some((now_s - ago) * 1000 + rng.gen_range(0..1000));
        if status.is_terminal() {
            t.end_time = Some(t.start_time.unwrap() + rng.gen_range(0..ago) * 1000);
        }
    }
    if rng.gen_bool(0.7) {
        t.update_time = Some((now_s - rng.gen_range(0..5000)) * 1000 + rng.gen_range(0..1000));
    }
    t.status = Some(status);
    let kv = |k: usize| KeyValue {
        key: format!("k{k}").into(),
        value: format!("v{k}").into(),
    };
    t.parameters = (0..rng.gen_range(0..40)).map(kv).collect();
    t.tags = (0..rng.gen_range(0..3)).map(kv).collect();
    t.sys_tags = (0..rng.gen_range(0..3)).map(kv).collect();
    t.targets = match rng.gen_range(0..3) {
        0 => None,
        1 => Some(Targets::new(&[])),
        _ => Some(Targets::new(
            &(0..rng.gen_range(1..3))
                .map(|k| Target {
                    key: format!("T{k}"),
                    values: (0..rng.gen_range(0..3))
                        .map(|v| RawJson::from_value(&serde_json::json!({ "v": v })))
                        .collect(),
                })
                .collect::<Vec<_>>(),
        )),
    };
    t
}

fn rand_error(rng: &mut ChaCha8Rng) -> ApiError {
    ApiError::Http {
        status: [500, 503][rng.gen_range(0..2)],
        error_code: Some("COC.1".into()),
        error_msg: Some("boom".into()),
        request_id: None,
        excerpt: None,
        retry_after: None,
    }
}

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

struct Fuzz {
    rng: ChaCha8Rng,
    app: App,
    last: HashMapT,
    n: usize,
    clock: SystemTime,
}
type HashMapT = std::collections::HashMap<usize, Arc<JobTicket>>;

impl Fuzz {
    fn message(&mut self, mode: u8) -> (Message, bool) {
        // A quarter of the time, a user drilling in; else anything at random.
        if self.rng.gen_bool(0.25) {
            return self.drill(self.app.now);
        }
        let r = self.rng.gen_range(0..120);
        let rng = &mut self.rng;
        let now = self.app.now;
        let at = match mode {
            2 => now + Duration::from_millis(rng.gen_range(0..1500)),
            1 => now - Duration::from_millis(rng.gen_range(0..1500)),
            _ => now,
        };
        let n = rng.gen_range(0..self.n + 2); // +2: tickets the config did not list
        let user = |m| (m, true);
        match r {
            0..=24 => {
                let keys = [
                    KeyCode::Char('j'),
                    KeyCode::Char('k'),
                    KeyCode::Char('g'),
                    KeyCode::Char('G'),
                    KeyCode::PageDown,
                    KeyCode::Enter,
                    KeyCode::Esc,
                    KeyCode::Tab,
                    KeyCode::Char('4'),
                    KeyCode::Char('5'),
                    KeyCode::Char('2'),
                    KeyCode::Char('/'),
                    KeyCode::Char('s'),
                    KeyCode::Char('r'),
                    KeyCode::Char('p'),
                    KeyCode::Char('u'),
                    KeyCode::Char('n'),
                    KeyCode::Char('a'),
                    KeyCode::Backspace,
                    KeyCode::Char('?'),
                    // Operations: the menu, its first choice, `y` to send it.
                    KeyCode::Char('x'),
                    KeyCode::Enter,
                    KeyCode::Char('y'),
                ];
                user(key(keys[rng.gen_range(0..keys.len())]))
            }
            25..=29 => {
                let kind = [
                    MouseEventKind::Down(MouseButton::Left),
                    MouseEventKind::ScrollDown,
                    MouseEventKind::ScrollUp,
                ][rng.gen_range(0..3)];
                user(Message::Mouse(MouseEvent {
                    kind,
                    column: rng.gen_range(0..self.app.size.width.max(1)),
                    row: rng.gen_range(0..self.app.size.height.max(1)),
                    modifiers: KeyModifiers::NONE,
                }))
            }
            30..=31 => {
                let (w, h) =
                    [(80, 24), (200, 50), (40, 12), (100, 30), (150, 20)][rng.gen_range(0..5)];
                user(Message::Resize {
                    width: w,
                    height: h,
                })
            }
            32..=49 => {
                let step = if rng.gen_bool(0.1) {
                    Duration::from_secs(rng.gen_range(30..200))
                } else {
                    Duration::from_millis(rng.gen_range(200..2500))
                };
                self.clock = self.clock.max(now) + step;
                (Message::Tick(self.clock), false)
            }
            50..=74 => {
                // Same data again half of the time.
                let t = match self.last.get(&n) {
                    Some(t) if rng.gen_bool(0.5) => t.clone(),
                    _ => Arc::new(rand_ticket(rng, n, now).into()),
                };
                self.last.insert(n, t.clone());
                (
                    Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
                        id: id(n),
                        ticket: t,
                        at,
                    })),
                    false,
                )
            }
            75..=84 => {
                let error = rand_error(rng);
                let last_good = self.last.get(&n).cloned().filter(|_| rng.gen_bool(0.5));
                (
                    Message::Engine(Update::Ticket(TicketUpdate::Error {
                        id: id(n),
                        error,
                        last_good,
                        at,
                    })),
                    false,
                )
            }
            85..=90 => (
                Message::Engine(Update::Ticket(TicketUpdate::Transition {
                    id: id(n),
                    from: None,
                    to: STATUSES[rng.gen_range(0..STATUSES.len())].clone().into(),
                    at,
                })),
                false,
            ),
            91..=96 => (self.steps(id(n), at), false),
            97..=98 | 100..=104 => (
                Message::Engine(Update::Health(HealthUpdate::Throttled {
                    until: now + Duration::from_millis(rng.gen_range(0..8000)),
                    error: rand_error(rng),
                })),
                false,
            ),
            99 => (
                Message::Engine(Update::Health(HealthUpdate::AuthFailed {
                    error: rand_error(rng),
                    at,
                })),
                false,
            ),
            105..=111 => {
                // The answer to an operation, sent from here or not, mostly about the
                // ticket on screen.
                let shown = self.app.shown().map(|e| e.id.clone());
                let target = shown.filter(|_| rng.gen_bool(0.6)).unwrap_or(id(n));
                let result = match rng.gen_bool(0.5) {
                    true => Ok(()),
                    false => Err(rand_error(rng)),
                };
                (
                    Message::Engine(Update::Reply(Reply::Operated {
                        id: target,
                        operation: [Operation::Retry, Operation::Resume][rng.gen_range(0..2)]
                            .into(),
                        result,
                        at,
                    })),
                    false,
                )
            }
            _ => (self.hosts_page(id(n), at), false),
        }
    }
}

impl Fuzz {
    /// What a user drilling into a failure does next, and the engine's answers on the
    /// way: open a ticket, its Steps tab, a step's hosts, or operate on it and read its
    /// History.
    fn drill(&mut self, at: SystemTime) -> (Message, bool) {
        let app = &self.app;
        let shown = app
            .shown()
            .map(|e| (e.id.clone(), matches!(e.steps, StepsState::Loaded { .. })));
        let code = match (app.focus(), shown) {
            // A choice confirmed with `y` (TERMINATE wants a word typed).
            (Focus::Menu, _) => match app.prompt() {
                Some(Prompt::Menu {
                    choices, cursor, ..
                }) if choices[*cursor] == Choice::Operate(Operation::Terminate.into()) => {
                    match choices.len() {
                        1 => KeyCode::Esc,
                        _ => KeyCode::Char('j'),
                    }
                }
                _ => KeyCode::Enter,
            },
            (Focus::Confirm, _) => match app.prompt() {
                Some(Prompt::Confirm { operation, .. })
                    if crate::operate::typed_word(*operation).is_some() =>
                {
                    KeyCode::Esc
                }
                _ => KeyCode::Char('y'),
            },
            (Focus::List, _) if self.rng.gen_bool(0.3) => KeyCode::Char('x'),
            (Focus::List, _) => KeyCode::Enter,
            (Focus::Ticket, Some((id, loaded))) if app.tab() == Tab::Steps => match loaded {
                false => return (self.steps(id, at), false),
                true if self.rng.gen_bool(0.3) => KeyCode::Char('j'),
                true => KeyCode::Enter,
            },
            (Focus::Ticket, _) => match self.rng.gen_range(0..3) {
                0 => KeyCode::Char('x'),
                1 => KeyCode::Char('4'),
                _ => KeyCode::Char('5'),
            },
            (Focus::Hosts, Some((id, _))) => match self.rng.gen_bool(0.7) {
                true => return (self.hosts_page(id, at), false),
                false => KeyCode::Char('j'),
            },
            _ => KeyCode::Esc,
        };
        (key(code), true)
    }

    /// Steps of a ticket (a failure at times).
    fn steps(&mut self, id: TicketRef, at: SystemTime) -> Message {
        let rng = &mut self.rng;
        let now_ms = (self.app.now.duration_since(UNIX_EPOCH).unwrap().as_millis()) as i64;
        let result = if rng.gen_bool(0.7) {
            Ok((0..rng.gen_range(0..5))
                .map(|k| Step {
                    execution_step_id: Some(format!("{k}")),
                    name: Some(format!("s{k}")),
                    status: Some(STATUSES[rng.gen_range(0..STATUSES.len())].clone()),
                    start_time: Some(now_ms - rng.gen_range(0..100_000)),
                    end_time: None,
                    ..Step::default()
                })
                .collect())
        } else {
            Err(rand_error(rng))
        };
        Message::Engine(Update::Reply(Reply::Steps { id, result, at }))
    }

    /// A page of the hosts view open now, mostly; else of another step (dropped).
    fn hosts_page(&mut self, other: TicketRef, at: SystemTime) -> Message {
        let rng = &mut self.rng;
        let (id, step_id, offset) = match self.app.hosts() {
            Some(h) if rng.gen_bool(0.8) => (
                h.id().clone(),
                h.step_id().unwrap_or("0").to_string(),
                h.instances().len() as u32,
            ),
            _ => (other, "0".to_string(), 0),
        };
        let result = if rng.gen_bool(0.85) {
            let now_ms = (self.app.now.duration_since(UNIX_EPOCH).unwrap().as_millis()) as i64;
            let data: Vec<Instance> = (0..rng.gen_range(0..6))
                .map(|k| Instance {
                    id: Some(format!("{}", offset as usize + k)),
                    status: Some(STATUSES[rng.gen_range(0..STATUSES.len())].clone()),
                    start_time: Some(now_ms - rng.gen_range(0..100_000)),
                    end_time: rng.gen_bool(0.3).then(|| now_ms - rng.gen_range(0..1_000)),
                    ..Instance::default()
                })
                .collect();
            let total = offset as i64 + data.len() as i64 + rng.gen_range(0..3);
            Ok(Page {
                data,
                total: Some(total),
            })
        } else {
            Err(rand_error(rng))
        };
        Message::Engine(Update::Reply(Reply::Instances {
            id,
            step_id,
            page: crate::watch::PageAt {
                cursor: crate::watch::Cursor::Offset(offset),
                limit: 100,
            },
            result,
            at,
        }))
    }
}

/// Runs `steps` random messages; returns the first missed redraw or selection jump.
fn fuzz(seed: u64, steps: usize, mode: u8) -> Result<(), String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.gen_range(0..40);
    let (w, h) = [(80, 24), (200, 50), (100, 30)][rng.gen_range(0..3)];
    let app = new_app(n, w, h);
    let mut f = Fuzz {
        rng,
        last: HashMapT::new(),
        n,
        clock: app.now,
        app,
    };
    let mut screen = render(&f.app);
    let mut log: Vec<String> = Vec::new();
    let mut chosen = false;
    for step in 0..steps {
        let (msg, by_user) = f.message(mode);
        log.push(format!("{msg:?}").chars().take(160).collect());
        let shown_before = f.app.shown().map(|e| e.id.clone());
        let view_before = f.app.view();
        let selected_before = f.app.selected().map(|e| e.id.clone());
        if let Message::Key(k) = &msg
            && f.app.view() == View::List
            && !f.app.editing_filter()
            && !f.app.help_open()
            && matches!(
                k.code,
                KeyCode::Char('j' | 'k' | 'g' | 'G') | KeyCode::PageDown | KeyCode::Enter
            )
        {
            chosen = true;
        }
        let out = update(&mut f.app, msg);
        // TabRows agree with themselves for every tab.
        if let Some(entry) = f.app.shown() {
            for &tab in Tab::of(entry.kind()) {
                let rows = TabRows::of(entry, tab, 60);
                for i in 0..rows.len() {
                    if rows.row(i).is_none() {
                        return Err(format!("seed {seed} step {step}: {tab:?} row {i} none"));
                    }
                }
            }
        }
        let now = render(&f.app);
        if out.redraw {
            screen = now;
        } else if mode == 2 && !matches!(log.last(), Some(m) if m.starts_with("Tick")) {
            // now moved: ages are the clock's business, checked at the next tick
        } else if now != screen {
            let tail = log[log.len().saturating_sub(4)..].join("\n    ");
            return Err(format!(
                "seed {seed} step {step}: MISSED REDRAW after\n    {tail}\n{}",
                diff(&screen, &now)
            ));
        }
        if !by_user {
            let shown_after = f.app.shown().map(|e| e.id.clone());
            if view_before == View::Ticket && shown_before != shown_after {
                return Err(format!("seed {seed} step {step}: open ticket changed"));
            }
            let selected_after = f.app.selected().map(|e| e.id.clone());
            if chosen && selected_before.is_some() && selected_before != selected_after {
                let tail = log[log.len().saturating_sub(4)..].join("\n    ");
                return Err(format!(
                    "seed {seed} step {step}: selection {selected_before:?} -> {selected_after:?} without the user\n    {tail}"
                ));
            }
        }
    }
    Ok(())
}

/// Seeds per timing mode: a few seconds in all in a debug build (more seeds found
/// nothing more while the fixes were checked).
const SEEDS: u64 = 6;
const STEPS: usize = 150;

/// Every seed of one mode; fails with the first few failing seeds' screens.
fn every_seed(mode: u8) {
    let failures: Vec<_> = (0..SEEDS)
        .filter_map(|seed| fuzz(seed, STEPS, mode).err())
        .collect();
    for f in failures.iter().take(4) {
        eprintln!("{f}");
    }
    assert!(failures.is_empty(), "{} failing seeds", failures.len());
}

#[test]
fn nothing_on_screen_changes_without_a_redraw_engine_at_now() {
    every_seed(0);
}

#[test]
fn nothing_on_screen_changes_without_a_redraw_engine_behind() {
    every_seed(1);
}

#[test]
fn nothing_on_screen_changes_without_a_redraw_engine_ahead() {
    every_seed(2);
}
