//! Terminal lifecycle (init, restore, panic hook, suspend) and the event loop.
//!
//! The loop turns keys, mouse, resizes, engine updates and a 1 Hz clock into
//! `app::Message`s, applies them with `app::update`, carries out the resulting actions
//! and draws only when the update says something visible changed.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::AbortHandle;

use crate::app::{self, Action, App, Message, Run, RunEnded};
use crate::effects::{self, CACHE_INTERVAL, Effects};
use crate::process;
use crate::timer;
use crate::watch::{Command, EngineHandle};

/// At most one frame this often (~30 a second) for what the engine and the clock change,
/// however fast their messages come; the user's own input is drawn at once.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);
/// Messages applied before a frame may be drawn, so a flood of engine updates cannot
/// keep keys waiting.
const BATCH_LIMIT: usize = 4096;

/// Whether the loop goes on after an action.
enum Flow {
    Continue,
    /// Go on, with the whole screen to paint again.
    Redraw,
    Quit,
    /// Give the terminal to this custom command until it ends.
    HandOver(Run),
}

/// Where the loop's own tasks send their answers.
struct Context<'a> {
    engine: &'a EngineHandle,
    effects: &'a Effects,
    replies: &'a UnboundedSender<Message>,
}

fn carry_out(
    action: Action,
    context: &Context,
    term: &mut TerminalGuard,
    app: &mut App,
) -> io::Result<Flow> {
    let engine = context.engine;
    Ok(match action {
        Action::Engine(command) => {
            // A closed engine only means no more updates: the screen stays.
            let _ = engine.commands.send(command);
            Flow::Continue
        }
        Action::Quit => {
            let _ = engine.commands.send(Command::Shutdown);
            Flow::Quit
        }
        Action::Suspend => {
            term.suspend()?;
            Flow::Redraw
        }
        Action::Copy(text) => {
            let out = term.terminal.backend_mut();
            out.write_all(osc52(&text).as_bytes())?;
            out.flush()?;
            Flow::Continue
        }
        Action::Open(url) => match open_in_browser(&url) {
            Ok(()) => Flow::Continue,
            Err(why) => {
                app.open_failed(&url, &why);
                Flow::Redraw
            }
        },
        Action::Notify(notification) => {
            context.effects.tell(&notification);
            Flow::Continue
        }
        // Applied by the loop itself, which owns the effects.
        Action::Renotify(_) => Flow::Continue,
        Action::SaveWatch(change) => {
            context.effects.save_watch(change, context.replies);
            Flow::Continue
        }
        Action::SaveOutput {
            path,
            text,
            overwrite,
        } => {
            context
                .effects
                .save_output(path, text, overwrite, context.replies);
            Flow::Continue
        }
        Action::SaveView(view) => {
            context.effects.save_view(view, context.replies);
            Flow::Continue
        }
        Action::Run(run) if !app.may_start(&run) => {
            tracing::warn!("custom command {:?}: not started: read-only", run.name);
            Flow::Redraw
        }
        Action::Run(run) if run.interactive => Flow::HandOver(run),
        Action::Run(run) => {
            context.effects.run_command(run, context.replies);
            Flow::Continue
        }
        Action::Log(line) => {
            line.write();
            Flow::Continue
        }
    })
}

/// The OSC 52 sequence that puts `text` on the system clipboard: it travels through
/// SSH, and through tmux with `set-clipboard on`.
fn osc52(text: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Starts the desktop's opener (`open` on macOS, `xdg-open` elsewhere) without waiting
/// for it; says why when it cannot be started or there is no display to open on.
fn open_in_browser(url: &str) -> Result<(), String> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let headless = std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
        && !cfg!(target_os = "macos");
    if headless {
        return Err("no display".into());
    }
    let child = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{opener}: {e}"))?;
    // Reaped on its own thread so that no zombie is left behind.
    std::thread::spawn(move || {
        let mut child = child;
        let _ = child.wait();
    });
    Ok(())
}

/// When the next frame is drawn: a frame owed to the user's input (a key, the mouse, a
/// paste, a resize) at once, any other at least `FRAME_INTERVAL` after the last one.
#[derive(Debug)]
struct FramePacer {
    last_frame: Instant,
    owed: Option<Owed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Owed {
    Paced,
    AtOnce,
}

impl FramePacer {
    fn drawn_at(now: Instant) -> FramePacer {
        FramePacer {
            last_frame: now,
            owed: None,
        }
    }

    fn owe(&mut self, owed: Owed) {
        self.owed = self.owed.max(Some(owed));
    }

    /// When a frame is owed, the instant it may be drawn.
    fn next_frame(&self) -> Option<Instant> {
        self.owed.map(|owed| match owed {
            Owed::AtOnce => self.last_frame,
            Owed::Paced => self.last_frame + FRAME_INTERVAL,
        })
    }

    fn due(&self, now: Instant) -> bool {
        self.next_frame().is_some_and(|at| at <= now)
    }

    fn drawn(&mut self, now: Instant) {
        *self = FramePacer::drawn_at(now);
    }
}

/// The terminal's events, as crossterm's reader thread finds them. The stream is driven
/// by a task of its own, woken only when that thread has an event: polled from the
/// loop's `select!` on every other wake-up instead, each poll would spin on the reader's
/// lock (`sched_yield`) while the thread holds it waiting for input.
///
/// Made before the terminal's size is first read: crossterm listens for SIGWINCH from
/// the moment the stream exists, and a resize before that would be lost for good (the
/// size is never asked again).
fn terminal_events() -> (UnboundedReceiver<io::Result<Event>>, StopOnDrop) {
    let (sender, receiver) = unbounded_channel();
    let mut events = EventStream::new();
    let task = tokio::spawn(async move {
        while let Some(event) = events.next().await {
            if sender.send(event).is_err() {
                break;
            }
        }
    });
    (receiver, StopOnDrop(task.abort_handle()))
}

/// Ends a task when dropped.
struct StopOnDrop(AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs the dashboard on this terminal until the user quits or a signal ends it.
///
/// Each turn takes one message, then every message that is already waiting, and draws
/// once for all of them: at once when the turn began with the user's input, else when
/// the last frame is at least `FRAME_INTERVAL` old (a frame owed sooner waits for that).
pub async fn event_loop(engine: EngineHandle, app: App) -> io::Result<Ended> {
    event_loop_with(engine, app, Effects::default()).await
}

/// `event_loop`, telling notifications, saving watch-list changes and remembering the
/// tickets as `effects` says.
pub async fn event_loop_with(
    mut engine: EngineHandle,
    mut app: App,
    mut effects: Effects,
) -> io::Result<Ended> {
    let (replies, mut reply_rx) = unbounded_channel();
    let _config_follower = effects.follow_config(&replies);
    let (mut events, mut stop_events) = terminal_events();
    let mut term = TerminalGuard::enter()?;
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    let mut cache_clock =
        tokio::time::interval_at(tokio::time::Instant::now() + CACHE_INTERVAL, CACHE_INTERVAL);
    let mut remembered_revision = app.revision();
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigquit = signal(SignalKind::quit())?;

    let size = term.size();
    app::update(
        &mut app,
        Message::Resize {
            width: size.width,
            height: size.height,
        },
    );
    term.draw(&app)?;
    effects.recall(&app, &replies);
    let started = Instant::now();
    let mut frames: u64 = 1;
    let mut pacer = FramePacer::drawn_at(Instant::now());

    let ended = loop {
        let next_frame = pacer.next_frame();
        let message = tokio::select! {
            event = events.recv() => match event {
                Some(Ok(event)) => {
                    if let Event::Resize(width, height) = event {
                        term.resize(width, height)?;
                    }
                    to_message(event)
                }
                Some(Err(e)) => return Err(e),
                None => break Ended::Quit,
            },
            update = engine.updates.recv() => match update {
                Some(update) => Some(Message::Engine(update)),
                // The engine ends only on `Shutdown` or a panic (whose hook has already
                // restored the terminal); a closed channel would otherwise be ready
                // forever and spin this loop.
                None => return Err(io::Error::other("the polling engine stopped")),
            },
            _ = clock.tick() => Some(Message::Tick(SystemTime::now())),
            _ = cache_clock.tick(), if !effects.caches.is_empty() => {
                if app.revision() != remembered_revision {
                    remembered_revision = app.revision();
                    effects.remember_in_background(&app);
                }
                None
            }
            reply = reply_rx.recv() => reply,
            () = timer::sleep_until(next_frame) => None,
            _ = sigterm.recv() => break Ended::Signal(libc::SIGTERM),
            _ = sighup.recv() => break Ended::Signal(libc::SIGHUP),
            _ = sigint.recv() => break Ended::Signal(libc::SIGINT),
            _ = sigquit.recv() => break Ended::Signal(libc::SIGQUIT),
        };
        let owed = if message.as_ref().is_some_and(is_input) {
            Owed::AtOnce
        } else {
            Owed::Paced
        };
        // The message that woke the loop, then the engine updates already waiting.
        let ready = std::iter::from_fn(|| engine.updates.try_recv().ok().map(Message::Engine));
        let batch: Vec<Message> = message.into_iter().chain(ready).take(BATCH_LIMIT).collect();
        for message in batch {
            let recalled = matches!(message, Message::Remembered(_));
            let outcome = app::update(&mut app, message);
            if outcome.redraw {
                pacer.owe(owed);
            }
            for action in outcome.actions {
                if let Action::Renotify(config) = &action {
                    effects.renotify(config);
                }
                let context = Context {
                    engine: &engine,
                    effects: &effects,
                    replies: &replies,
                };
                match carry_out(action, &context, &mut term, &mut app)? {
                    Flow::Continue => {}
                    Flow::Redraw => pacer.owe(owed),
                    Flow::HandOver(run) => {
                        // The reader stops before and starts again after: the command
                        // has the terminal's input to itself.
                        stop_events.0.abort();
                        let ended = term.hand_over(&run)?;
                        (events, stop_events) = terminal_events();
                        if let Some(ended) = ended {
                            let name = run.name;
                            let _ = replies.send(Message::CommandEnded { name, ended });
                        }
                        pacer.owe(Owed::AtOnce);
                    }
                    Flow::Quit => {
                        log_frames(frames, started);
                        effects.remember(&app);
                        return Ok(Ended::Quit);
                    }
                }
            }
            if recalled {
                effects.recalled();
            }
        }
        if pacer.due(Instant::now()) {
            term.draw(&app)?;
            frames += 1;
            pacer.drawn(Instant::now());
        }
    };
    // Ended by a signal: a question left unanswered was declined.
    if let Some(declined) = app.leave() {
        declined.write();
    }
    log_frames(frames, started);
    effects.remember(&app);
    let _ = engine.commands.send(Command::Shutdown);
    Ok(ended)
}

/// How the dashboard ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit (`q`, Ctrl-C as a key).
    Quit,
    /// This signal ended it (its exit code is 128 + n).
    Signal(i32),
}

fn log_frames(frames: u64, since: Instant) {
    let seconds = since.elapsed().as_secs_f64();
    tracing::info!(
        frames,
        seconds,
        per_second = frames as f64 / seconds.max(1e-9),
        "dashboard closed"
    );
}
/// Whether a message is the user's own doing, drawn without waiting for the frame interval.
fn is_input(message: &Message) -> bool {
    matches!(
        message,
        Message::Key(_) | Message::Mouse(_) | Message::Paste(_) | Message::Resize { .. }
    )
}

/// The messages a terminal event stands for (releases and focus changes stand for none).
fn to_message(event: Event) -> Option<Message> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Message::Key(key)),
        Event::Mouse(mouse) => Some(Message::Mouse(mouse)),
        Event::Resize(width, height) => Some(Message::Resize { width, height }),
        Event::Paste(text) => Some(Message::Paste(text)),
        _ => None,
    }
}

/// Whether the terminal is in raw mode on the alternate screen, so the panic hook
/// restores it only when needed.
static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);

/// Owns the terminal while the dashboard runs; dropping it restores the terminal,
/// also when the loop returns an error.
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        activate()?;
        match new_terminal() {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// The size known from the start or the last resize event: asking the terminal
    /// (open, ioctl, close of `/dev/tty`) for every frame would tell nothing new.
    fn size(&mut self) -> ratatui::layout::Size {
        self.terminal.get_frame().area().as_size()
    }

    fn resize(&mut self, width: u16, height: u16) -> io::Result<()> {
        self.terminal.resize(Rect::new(0, 0, width, height))
    }

    fn draw(&mut self, app: &App) -> io::Result<()> {
        self.terminal.draw(|frame| crate::ui::draw(frame, app))?;
        Ok(())
    }

    /// An interactive custom command gets the terminal (and its foreground) until it
    /// ends; then the screen is painted again. How it ended when it did not succeed.
    fn hand_over(&mut self, run: &Run) -> io::Result<Option<RunEnded>> {
        restore();
        tracing::info!(
            "custom command {:?} with the terminal: {:?}",
            run.name,
            run.argv
        );
        let ended = process::run_in_foreground(&run.argv, &[]);
        activate()?;
        self.terminal = new_terminal()?;
        Ok(match ended {
            Ok(status) if status.success() => None,
            Ok(status) => Some(RunEnded::Exited {
                code: effects::exit_code(status),
                output: String::new(),
            }),
            Err(e) => Some(RunEnded::CannotStart(e.to_string())),
        })
    }

    /// Ctrl-Z: give the shell its terminal back, stop, and take it again on `fg`.
    fn suspend(&mut self) -> io::Result<()> {
        restore();
        // SAFETY: raising a signal on our own process has no memory-safety preconditions.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        activate()?;
        // Fresh buffers: the next draw paints the whole (cleared) screen.
        self.terminal = new_terminal()?;
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// `Terminal::clear` would ask the terminal for the cursor position and wait for the
/// answer; a fresh terminal on a screen cleared here needs no round trip. Its viewport
/// is fixed at the size the terminal has now, and follows resize events from then on.
fn new_terminal() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    let (width, height) = ratatui::crossterm::terminal::size()?;
    let viewport = Viewport::Fixed(Rect::new(0, 0, width, height));
    Terminal::with_options(
        CrosstermBackend::new(io::stdout()),
        TerminalOptions { viewport },
    )
}

fn activate() -> io::Result<()> {
    enable_raw_mode()?;
    TERMINAL_ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        ratatui::crossterm::cursor::Hide,
        Clear(ClearType::All)
    )
}

/// Best effort on every way out: each step is tried even if an earlier one fails.
fn restore() {
    if !TERMINAL_ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("panic: {info}");
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::TicketRef;

    #[test]
    fn input_is_drawn_at_once_even_right_after_a_frame() {
        let start = Instant::now();
        let mut pacer = FramePacer::drawn_at(start);
        let just_after = start + Duration::from_millis(1);
        pacer.owe(Owed::AtOnce);
        assert!(pacer.due(just_after));
        pacer.drawn(just_after);
        assert_eq!(pacer.next_frame(), None, "nothing owed after drawing");
    }

    #[test]
    fn engine_updates_wait_out_the_frame_interval() {
        let start = Instant::now();
        let mut pacer = FramePacer::drawn_at(start);
        assert!(
            !pacer.due(start + FRAME_INTERVAL),
            "nothing owed, nothing due"
        );
        pacer.owe(Owed::Paced);
        assert!(!pacer.due(start + Duration::from_millis(1)));
        assert_eq!(pacer.next_frame(), Some(start + FRAME_INTERVAL));
        assert!(pacer.due(start + FRAME_INTERVAL));
    }

    #[test]
    fn input_after_paced_updates_brings_their_frame_forward() {
        let start = Instant::now();
        let mut pacer = FramePacer::drawn_at(start);
        pacer.owe(Owed::Paced);
        pacer.owe(Owed::AtOnce);
        pacer.owe(Owed::Paced);
        assert!(pacer.due(start + Duration::from_millis(1)));
    }

    #[test]
    fn the_users_own_messages_are_input_and_the_engines_are_not() {
        use crate::watch::{TicketUpdate, Update};
        let key = ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char('j'),
        );
        assert!(is_input(&Message::Key(key)));
        assert!(is_input(&Message::Resize {
            width: 80,
            height: 24
        }));
        assert!(is_input(&Message::Paste("x".into())));
        assert!(!is_input(&Message::Tick(SystemTime::now())));
        let joined = Update::Ticket(TicketUpdate::Joined {
            id: TicketRef::parse("EX1").unwrap(),
            query: "mine".into(),
            at: SystemTime::now(),
        });
        assert!(!is_input(&Message::Engine(joined)));
    }
}
