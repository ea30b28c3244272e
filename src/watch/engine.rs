//! The polling task: one tokio task for all tickets, driven by a due-time queue. Every
//! request, whatever its kind, is launched one way and passes the `Gate` (pacer, cap
//! on requests in flight, throttling, authentication).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::gate::{Gate, Verdict};
use super::request::{Answer, Completion, ProgressPart, ProgressPiece, Request};
use super::schedule::later;
use super::sweeps::{SweepOf, Sweeps};
use super::tracked::Tracker;
use super::{Command, EngineConfig, Fetcher, Reply, ScriptProgress, TicketUpdate, Update};
use crate::backoff::Backoff;
use crate::coc::pager::{Cursor, Limits, PageAt, Pager};
use crate::coc::{
    ApiError, HeldBack, Interner, JobOperation, JobTicket, Page, ScriptBatch, ScriptStatistics,
    Step, TicketKind, TicketRef,
};
use crate::{launch, operate};

/// After an accepted operation a ticket is polled this many times even while it still
/// shows a finished status: the service may take a moment to act on it.
const POLLS_AFTER_OPERATION: u32 = 3;

/// The running engine: send it commands, receive its updates.
pub struct EngineHandle {
    pub commands: UnboundedSender<Command>,
    pub updates: UnboundedReceiver<Update>,
    /// Ends on `Shutdown`, when every command sender is dropped, or when `updates`
    /// is dropped.
    pub task: JoinHandle<()>,
}

impl EngineHandle {
    /// Stops the engine and waits until its task has ended.
    pub async fn shutdown(self) {
        let _ = self.commands.send(Command::Shutdown);
        let _ = self.task.await;
    }
}

/// Starts polling `ids` (duplicates ignored) on the current tokio runtime. The tickets
/// it keeps are packed (shared text, deflated targets): a dashboard or `serve` holds
/// thousands of them for hours.
pub fn spawn<F: Fetcher>(
    fetcher: Arc<F>,
    config: EngineConfig,
    ids: Vec<TicketRef>,
) -> EngineHandle {
    start(fetcher, config, ids, None, Some(Interner::new()))
}

/// `spawn` for a short follow of a few tickets (`wait`): what it keeps stays as
/// decoded. Packing each new copy, then unpacking it to compare with the next answer,
/// would cost CPU every poll to save memory that does not matter there.
pub fn spawn_as_decoded<F: Fetcher>(
    fetcher: Arc<F>,
    config: EngineConfig,
    ids: Vec<TicketRef>,
) -> EngineHandle {
    start(fetcher, config, ids, None, None)
}

/// `spawn` for one profile's tickets: the log lines of its operations name where they
/// went (`to`), as the operation commands' do.
pub fn spawn_for<F: Fetcher>(
    fetcher: Arc<F>,
    config: EngineConfig,
    ids: Vec<TicketRef>,
    to: Option<operate::Destination>,
) -> EngineHandle {
    start(fetcher, config, ids, to, Some(Interner::new()))
}

/// `texts`: where the tickets kept share their text; `None`: kept as decoded.
fn start<F: Fetcher>(
    fetcher: Arc<F>,
    config: EngineConfig,
    ids: Vec<TicketRef>,
    to: Option<operate::Destination>,
    texts: Option<Interner>,
) -> EngineHandle {
    let (commands, command_rx) = unbounded_channel();
    let (update_tx, updates) = unbounded_channel();
    let mut engine = Engine::new(fetcher, &config, update_tx);
    engine.destination = to;
    engine.texts = texts;
    for id in ids {
        engine.add(id);
    }
    EngineHandle {
        commands,
        updates,
        task: tokio::spawn(engine.run(command_rx)),
    }
}

type InFlight = Pin<Box<dyn Future<Output = Completion> + Send>>;

/// An engine that ends (shut down, or its runtime gone with the dashboard) still logs
/// each write it was given: one sent and not answered may have happened; one still
/// waiting for its turn never left.
impl<F> Drop for Engine<F> {
    fn drop(&mut self) {
        let to = self.destination.as_ref();
        let ended = ApiError::Network {
            detail: "coctop ended before the answer came".into(),
        };
        for write in &self.unanswered {
            write.log(to, ended.clone());
        }
        for write in self.operations.iter().filter_map(Write::of) {
            write.log(to, ApiError::NotSent(HeldBack::Ended));
        }
    }
}

/// A write (an operation or a job's start) as its log line names it.
#[derive(Debug)]
enum Write {
    Operation(TicketRef, JobOperation),
    Run(Arc<launch::JobRun>),
}

impl Write {
    fn of(request: &Request) -> Option<Write> {
        match request {
            Request::Operate { id, operation } => Some(Write::Operation(id.clone(), *operation)),
            Request::Start { run, .. } => Some(Write::Run(run.clone())),
            _ => None,
        }
    }

    /// Whether `answer` answers this write.
    fn answered_by(&self, answer: &Answer) -> bool {
        match (self, answer) {
            (
                Write::Operation(id, op),
                Answer::Operated {
                    id: a, operation, ..
                },
            ) => id == a && op == operation,
            (Write::Run(run), Answer::Started { run: a, .. }) => Arc::ptr_eq(run, a),
            _ => false,
        }
    }

    /// Its line in the log file, for a write that ended with `error`.
    fn log(&self, to: Option<&operate::Destination>, error: ApiError) {
        match self {
            Write::Operation(id, operation) => {
                let outcome = operate::OperationOutcome::of(&Err(error));
                operate::log(&operation.described(), id, to, &outcome);
            }
            Write::Run(run) => launch::log(&run.what(), to, &launch::RunOutcome::of(Err(error))),
        }
    }
}

/// A ticket's steps being read, page after page.
struct StepsRead {
    read: u64,
    pager: Pager,
    steps: Vec<Step>,
}

/// A script ticket's progress being read: its two parts, as they come.
struct ProgressRead {
    read: u64,
    statistics: Option<ScriptStatistics>,
    batches: Option<Vec<ScriptBatch>>,
}

enum Event {
    Command(Option<Command>),
    Done(Completion),
    Wake,
}

struct Engine<F> {
    fetcher: Arc<F>,
    interval: Duration,
    gate: Gate,
    tracker: Tracker,
    sweeps: Sweeps,
    /// Requests waiting for the gate, before any page or poll: operations, then pages
    /// of hosts (of a step or of a batch) and parts of a script ticket's progress, then
    /// pages of steps.
    operations: VecDeque<Request>,
    asked: VecDeque<Request>,
    steps_ready: VecDeque<TicketRef>,
    steps: HashMap<TicketRef, StepsRead>,
    progress: HashMap<TicketRef, ProgressRead>,
    next_read: u64,
    /// The ticket whose details follow its polls (the open ticket).
    followed: Option<TicketRef>,
    in_flight: FuturesUnordered<InFlight>,
    rng: ChaCha8Rng,
    updates: UnboundedSender<Update>,
    /// Where its operations go, for their log lines.
    destination: Option<operate::Destination>,
    /// Writes sent and not answered yet: logged as unknown if the engine ends first.
    unanswered: Vec<Write>,
    /// The text the tickets it keeps repeat, held once; `None`: kept as decoded.
    texts: Option<Interner>,
}

impl<F: Fetcher> Engine<F> {
    fn new(fetcher: Arc<F>, config: &EngineConfig, updates: UnboundedSender<Update>) -> Self {
        let now = Instant::now();
        Engine {
            interval: config.interval,
            gate: Gate::new(config),
            tracker: Tracker::new(now),
            sweeps: Sweeps::new(fetcher.lists(), config.interval, now),
            fetcher,
            operations: VecDeque::new(),
            asked: VecDeque::new(),
            steps_ready: VecDeque::new(),
            steps: HashMap::new(),
            progress: HashMap::new(),
            next_read: 0,
            followed: None,
            in_flight: FuturesUnordered::new(),
            rng: ChaCha8Rng::seed_from_u64(rand::random()),
            updates,
            destination: None,
            unanswered: Vec::new(),
            texts: None,
        }
    }

    async fn run(mut self, mut commands: UnboundedReceiver<Command>) {
        loop {
            let now = Instant::now();
            self.sweeps.plan(now, &mut self.tracker);
            self.dispatch(now);
            let wake = self.next_wake(now);
            let event = tokio::select! {
                biased;
                command = commands.recv() => Event::Command(command),
                Some(done) = self.in_flight.next(), if !self.in_flight.is_empty() => Event::Done(done),
                () = crate::timer::sleep_until(wake) => Event::Wake,
            };
            match event {
                Event::Command(None | Some(Command::Shutdown)) => break,
                Event::Command(Some(command)) => self.handle(command),
                Event::Done(done) => self.complete(done),
                Event::Wake => {}
            }
            if self.updates.is_closed() {
                break;
            }
            // Instant answers keep a branch always ready; yield now and then so the
            // consumer (maybe on the same thread) runs and updates cannot pile up.
            tokio::task::consume_budget().await;
        }
    }

    fn handle(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Refresh(id) => {
                if self.tracker.contains(&id) {
                    self.gate.allow_retry(now);
                    // The user asked for this one: it goes first (and is the auth probe).
                    if self.tracker.is_idle(&id) {
                        self.tracker.schedule.set_first(id);
                    }
                }
            }
            Command::RefreshAll => {
                self.gate.allow_retry(now);
                self.sweeps.refresh_all(now, &mut self.tracker);
                let mut keys: Vec<_> = self
                    .tracker
                    .tickets
                    .iter()
                    .filter(|(_, t)| !t.is_covered() && !t.in_flight)
                    .map(|(k, t)| (t.order, k.clone()))
                    .collect();
                keys.sort_unstable_by_key(|(order, _)| *order);
                for (_, key) in keys {
                    self.tracker.schedule.set_urgent(key);
                }
            }
            Command::Add(id) => self.add(id),
            Command::AddKnown(id, ticket) => self.add_known(id, ticket),
            Command::Remove(id) => {
                self.tracker.remove(&id);
                self.steps.remove(&id);
                self.progress.remove(&id);
                if self.followed.as_ref() == Some(&id) {
                    self.followed = None;
                }
            }
            Command::FetchDetails(id) => self.request_details(&id),
            Command::AddQuery { name, query } => self.sweeps.add_query(name, *query, now),
            Command::Browse {
                generation,
                kind,
                query,
                page,
            } => self.sweeps.browse(generation, kind, &query, page),
            Command::Follow(id) => {
                self.followed = id.filter(|id| self.tracker.contains(id));
                if let Some(id) = self.followed.clone() {
                    self.request_details(&id);
                    self.want_script_detail(&id);
                }
            }
            Command::Operate { id, operation } => {
                self.request_write(Request::Operate { id, operation })
            }
            Command::Start { from, run } => self.request_write(Request::Start { from, run }),
            Command::FetchInstances { id, step_id, page } => {
                self.ask(Request::Instances { id, step_id, page })
            }
            Command::FetchBatchHosts {
                id,
                batch_index,
                page,
            } => self.ask(Request::BatchHosts {
                id,
                batch_index,
                page,
            }),
            Command::Belongs { .. } | Command::Shutdown => {}
        }
    }

    /// A request the user's view asked for: queued, unless the credentials are refused
    /// (sending would risk locking the key): then answered with the reason.
    fn ask(&mut self, request: Request) {
        match self.gate.blocked().cloned() {
            Some(error) => self.answered(request, error),
            None => self.asked.push_back(request),
        }
    }

    fn add(&mut self, id: TicketRef) {
        if let Some(tracked) = self.tracker.tickets.get_mut(&id) {
            tracked.explicit = true;
            return;
        }
        let key = self.tracker.insert(id, true);
        self.tracker.schedule.set_urgent(key);
    }

    fn add_known(&mut self, id: TicketRef, ticket: Arc<JobTicket>) {
        if self.tracker.contains(&id) {
            return;
        }
        self.add(id.clone());
        if let Some(tracked) = self.tracker.tickets.get_mut(&id) {
            tracked.last_status = ticket.status();
            tracked.last_good = Some(ticket.clone());
        }
        if ticket.is_terminal() {
            self.tracker.schedule.remove(&id);
        }
    }

    /// The open ticket is a script ticket known only from list rows: its GET brings
    /// the script and its parameters.
    fn want_script_detail(&mut self, id: &TicketRef) {
        let known_only_from_rows = self
            .tracker
            .tickets
            .get(id)
            .and_then(|t| t.last_good.as_deref())
            .and_then(JobTicket::as_script)
            .is_some_and(|t| !t.has_detail());
        if known_only_from_rows && self.tracker.is_idle(id) {
            self.tracker.schedule.set_first(id.clone());
        }
    }

    /// Reads an execution's steps, or a script ticket's progress.
    fn request_details(&mut self, id: &TicketRef) {
        match id.kind() {
            TicketKind::Execution => self.request_steps(id),
            TicketKind::Script => self.request_progress(id),
        }
    }

    /// Reads every step of a tracked ticket (unless a read is under way).
    fn request_steps(&mut self, id: &TicketRef) {
        if !self.tracker.contains(id) {
            return;
        }
        if let Some(error) = self.gate.blocked().cloned() {
            self.emit(Update::Reply(Reply::Steps {
                id: id.clone(),
                result: Err(error),
                at: SystemTime::now(),
            }));
            return;
        }
        if self.steps.contains_key(id) {
            return;
        }
        self.next_read += 1;
        self.steps.insert(
            id.clone(),
            StepsRead {
                read: self.next_read,
                pager: Pager::offsets(Limits::STEPS),
                steps: Vec::new(),
            },
        );
        self.steps_ready.push_back(id.clone());
    }

    /// Reads a tracked script ticket's statistics and batches (unless a read is under
    /// way): two requests.
    fn request_progress(&mut self, id: &TicketRef) {
        if !self.tracker.contains(id) || self.progress.contains_key(id) {
            return;
        }
        if let Some(error) = self.gate.blocked().cloned() {
            self.emit(Update::Reply(Reply::Progress {
                id: id.clone(),
                result: Err(error),
                at: SystemTime::now(),
            }));
            return;
        }
        self.next_read += 1;
        let read = self.next_read;
        self.progress.insert(
            id.clone(),
            ProgressRead {
                read,
                statistics: None,
                batches: None,
            },
        );
        for part in [ProgressPart::Statistics, ProgressPart::Batches] {
            self.asked.push_back(Request::Progress {
                id: id.clone(),
                read,
                part,
            });
        }
    }

    /// An operation (or a job's start) goes out once, unless writes are refused here
    /// (read-only) or the credentials are: then it is answered at once, nothing launched.
    fn request_write(&mut self, request: Request) {
        if self.fetcher.read_only() {
            return self.answered(request, ApiError::ReadOnly);
        }
        match self.gate.blocked().cloned() {
            // Never send with credentials the gateway refused: it locks the key.
            Some(error) => {
                let held = HeldBack::CredentialsRefused(Box::new(error));
                self.answered(request, ApiError::NotSent(held))
            }
            None => self.operations.push_back(request),
        }
    }

    /// A request answered with `error` without being sent.
    fn answered(&mut self, request: Request, error: ApiError) {
        let answer = match request {
            Request::Operate { id, operation } => Answer::Operated {
                id,
                operation,
                result: Err(error),
            },
            Request::Start { from, run } => Answer::Started {
                from,
                run,
                result: Err(error),
            },
            Request::Instances { id, step_id, page } => Answer::Instances {
                id,
                step_id,
                page,
                result: Err(error),
            },
            Request::BatchHosts {
                id,
                batch_index,
                page,
            } => Answer::BatchHosts {
                id,
                batch_index,
                page,
                result: Err(error),
            },
            other => {
                unreachable!("only writes and pages of hosts are answered unsent: {other:?}")
            }
        };
        self.take_answer(answer, None, Instant::now());
    }

    /// The next request the gate should let through.
    fn next_request(&mut self, now: Instant) -> Option<Request> {
        if let Some(request) = self.operations.pop_front() {
            return Some(request);
        }
        if let Some(request) = self.asked.pop_front() {
            return Some(request);
        }
        while let Some(id) = self.steps_ready.pop_front() {
            let Some(read) = self.steps.get_mut(&id) else {
                continue;
            };
            let Some(page) = read.pager.next_page() else {
                continue;
            };
            if read.pager.has_ready_page() {
                self.steps_ready.push_back(id.clone());
            }
            let read = read.read;
            return Some(Request::Steps { id, read, page });
        }
        if let Some(request) = self.sweeps.next_request() {
            return Some(request);
        }
        let id = self.tracker.schedule.pop_due(now)?;
        let tracked = self.tracker.tickets.get_mut(&id)?;
        tracked.in_flight = true;
        Some(Request::Poll {
            incarnation: tracked.incarnation,
            id,
        })
    }

    /// Starts every request that is due, as far as the gate allows.
    fn dispatch(&mut self, now: Instant) {
        while self.gate.may_start(self.in_flight.len(), now) {
            let Some(request) = self.next_request(now) else {
                break;
            };
            self.launch(request, now);
        }
    }

    /// The one way a request leaves: through the gate, onto the set in flight.
    fn launch(&mut self, request: Request, now: Instant) {
        self.unanswered.extend(Write::of(&request));
        let pass = self.gate.start(now);
        let scope = request.scope();
        let fetcher = self.fetcher.clone();
        self.in_flight.push(Box::pin(async move {
            Completion {
                pass,
                scope,
                started: now,
                answer: request.send(&*fetcher).await,
            }
        }));
    }

    /// When the loop must next look for work, `None` if only a command or an answer
    /// can create any.
    fn next_wake(&self, now: Instant) -> Option<Instant> {
        if self.in_flight.len() >= self.gate.capacity() {
            return None;
        }
        let queued =
            !(self.operations.is_empty() && self.asked.is_empty() && self.steps_ready.is_empty());
        let work_at = if queued || self.sweeps.has_ready() {
            now
        } else {
            [self.tracker.schedule.next_due(), self.sweeps.next_due()]
                .into_iter()
                .flatten()
                .min()?
        };
        Some(work_at.max(self.gate.ready_at(now)))
    }

    fn complete(&mut self, done: Completion) {
        let Completion {
            pass,
            scope,
            started,
            answer,
        } = done;
        let now = Instant::now();
        // Only a write that was sent is waiting for this answer: one held back and
        // answered at once (`answered`) must not take the place of the same one in flight.
        if let Some(i) = self.unanswered.iter().position(|w| w.answered_by(&answer)) {
            self.unanswered.swap_remove(i);
        }
        let (verdict, report) = self.gate.on_answer(pass, answer.error(), scope, now);
        if let Some(report) = report {
            self.emit(Update::Health(report));
        }
        self.take_answer(answer, verdict, started);
    }

    /// What each kind of request does with its answer, once the gate has taken it.
    fn take_answer(&mut self, answer: Answer, verdict: Option<Verdict>, started: Instant) {
        let at = SystemTime::now();
        match answer {
            Answer::Poll {
                id,
                incarnation,
                result,
            } => self.complete_poll(id, incarnation, started, verdict, result),
            Answer::Steps {
                id,
                read,
                page,
                result,
            } => self.complete_steps(id, read, page, verdict, result),
            Answer::Progress { id, read, result } => self.complete_progress(id, read, result),
            Answer::Instances {
                id,
                step_id,
                page,
                result,
            } => self.emit(Update::Reply(Reply::Instances {
                id,
                step_id,
                page,
                result,
                at,
            })),
            Answer::BatchHosts {
                id,
                batch_index,
                page,
                result,
            } => self.emit(Update::Reply(Reply::BatchHosts {
                id,
                batch_index,
                page,
                result,
                at,
            })),
            Answer::Operated {
                id,
                operation,
                result,
            } => self.operated(id, operation, result),
            Answer::Started { from, run, result } => {
                let outcome = launch::RunOutcome::of(result.clone());
                launch::log(&run.what(), self.destination.as_ref(), &outcome);
                self.emit(Update::Reply(Reply::Started {
                    from,
                    run,
                    result,
                    at: SystemTime::now(),
                }));
            }
            Answer::List {
                of: SweepOf::Browse,
                pass,
                page,
                result,
            } => {
                let kind = match &result {
                    Ok(listed) => listed.rows.first().map(JobTicket::kind),
                    Err(_) => None,
                };
                let kind = kind.or(page_kind(&page)).unwrap_or(TicketKind::Execution);
                self.emit(Update::Reply(Reply::BrowsePage {
                    generation: pass,
                    kind,
                    page,
                    result,
                    at,
                }))
            }
            Answer::List {
                of,
                pass,
                page,
                result,
            } => {
                let mut out = Vec::new();
                let taken = self.sweeps.on_page(
                    of,
                    pass,
                    page,
                    result,
                    verdict,
                    &mut self.tracker,
                    &mut out,
                );
                for update in out {
                    self.emit(update);
                }
                for (key, ticket) in taken.listed {
                    if self.tracker.is_idle(&key) {
                        self.accept(key, ticket, started);
                    }
                }
                for key in taken.fall_back {
                    self.tracker.schedule.set_urgent(key);
                }
            }
        }
    }

    /// Reports an operation's answer (and logs it); an accepted one puts its ticket
    /// back on the schedule at once.
    fn operated(&mut self, id: TicketRef, operation: JobOperation, result: Result<(), ApiError>) {
        let outcome = operate::OperationOutcome::of(&result);
        operate::log(
            &operation.described(),
            &id,
            self.destination.as_ref(),
            &outcome,
        );
        if result.is_ok()
            && let Some(tracked) = self.tracker.tickets.get_mut(&id)
        {
            tracked.polls_after_operation = POLLS_AFTER_OPERATION;
            if tracked.in_flight {
                tracked.poll_again = true;
            } else {
                self.tracker.schedule.set_first(id.clone());
            }
        }
        self.emit(Update::Reply(Reply::Operated {
            id,
            operation,
            result,
            at: SystemTime::now(),
        }));
    }

    fn complete_poll(
        &mut self,
        id: TicketRef,
        incarnation: u64,
        started: Instant,
        verdict: Option<Verdict>,
        result: Result<Box<JobTicket>, ApiError>,
    ) {
        let now = Instant::now();
        let Some(tracked) = self.tracker.tickets.get_mut(&id) else {
            return; // removed while in flight
        };
        if tracked.incarnation != incarnation {
            return; // removed and added again; the new one has its own schedule
        }
        tracked.in_flight = false;
        let error = match result {
            Ok(ticket) => return self.accept(id, *ticket, started),
            Err(error) => error,
        };
        match verdict {
            Some(Verdict::Throttled) => self.tracker.schedule.set_urgent(id),
            Some(Verdict::AuthFailed) => self.tracker.schedule.set(id, later(now, self.interval)),
            _ => {
                tracked.failures = tracked.failures.saturating_add(1);
                let delay =
                    Backoff::for_polls(self.interval).delay(tracked.failures, self.rng.r#gen());
                let last_good = tracked.last_good.clone();
                self.tracker.schedule.set(id.clone(), later(now, delay));
                self.emit(Update::Ticket(TicketUpdate::Error {
                    id,
                    error,
                    last_good,
                    at: SystemTime::now(),
                }));
            }
        }
    }

    /// A fresh copy of a tracked ticket, from its GET or a list page. A script ticket
    /// keeps what the other source told: a list row has no script, a detail no name.
    fn accept(&mut self, id: TicketRef, ticket: JobTicket, started: Instant) {
        let Some(tracked) = self.tracker.tickets.get_mut(&id) else {
            return;
        };
        let fresh = match ticket {
            JobTicket::Script(fresh) => {
                let known = tracked.last_good.as_deref().and_then(JobTicket::as_script);
                JobTicket::Script(fresh.keeping(known))
            }
            execution => execution,
        };
        // An unchanged ticket keeps the copy the dashboard and the cache already share:
        // 10,000 tickets refreshed every cycle would otherwise be copied anew each time,
        // and the heap left fragmented by the copies going out. Only a copy kept is
        // packed.
        let ticket = match (&tracked.last_good, &mut self.texts) {
            (Some(known), _) if **known == fresh => known.clone(),
            (_, Some(texts)) => Arc::new(fresh.packed(texts)),
            (_, None) => Arc::new(fresh),
        };
        tracked.failures = 0;
        tracked.last_good = Some(ticket.clone());
        let after_operation = tracked.polls_after_operation > 0;
        tracked.polls_after_operation = tracked.polls_after_operation.saturating_sub(1);
        let poll_again = std::mem::take(&mut tracked.poll_again);
        let transition = match ticket.status() {
            Some(to) if tracked.last_status.as_ref() != Some(&to) => {
                Some((tracked.last_status.replace(to.clone()), to))
            }
            _ => None,
        };
        let covered = tracked.is_covered();
        if poll_again {
            self.tracker.schedule.set_first(id.clone());
        } else if (!ticket.is_terminal() && !covered) || after_operation {
            self.tracker
                .schedule
                .set(id.clone(), later(started, self.interval));
        }
        // The open ticket's details follow its polls while it runs, and once more when
        // it finishes.
        let finished_now = ticket.is_terminal() && transition.is_some();
        if self.followed.as_ref() == Some(&id) && (!ticket.is_terminal() || finished_now) {
            self.request_details(&id);
        }
        let at = SystemTime::now();
        self.emit(Update::Ticket(TicketUpdate::Snapshot {
            id: id.clone(),
            ticket,
            at,
        }));
        if let Some((from, to)) = transition {
            self.emit(Update::Ticket(TicketUpdate::Transition {
                id,
                from,
                to,
                at,
            }));
        }
    }

    /// A page of steps: the read goes on, or ends with every step (or the error).
    fn complete_steps(
        &mut self,
        id: TicketRef,
        read: u64,
        page: PageAt,
        verdict: Option<Verdict>,
        result: Result<Page<Step>, ApiError>,
    ) {
        let Some(current) = self.steps.get_mut(&id).filter(|r| r.read == read) else {
            return;
        };
        let result = match result {
            Ok(listed) => {
                let fresh = current
                    .pager
                    .take(&page, listed.data, listed.total, None, |s| {
                        s.execution_step_id.as_deref().map(Into::into)
                    });
                current.steps.extend(fresh);
                if !current.pager.is_done() {
                    if current.pager.has_ready_page() && !self.steps_ready.contains(&id) {
                        self.steps_ready.push_back(id);
                    }
                    return;
                }
                if let Some(why) = current.pager.end().and_then(|e| e.reason(Limits::STEPS)) {
                    tracing::warn!("steps of {id}: {why}");
                }
                Ok(std::mem::take(&mut current.steps))
            }
            Err(ApiError::BodyTooLarge { .. }) if current.pager.too_large(page.clone()) => {
                self.steps_ready.push_front(id);
                return;
            }
            Err(_) if verdict == Some(Verdict::Throttled) => {
                current.pager.retry(page);
                self.steps_ready.push_front(id);
                return;
            }
            Err(error) => Err(error),
        };
        self.steps.remove(&id);
        if !self.tracker.contains(&id) {
            return;
        }
        self.emit(Update::Reply(Reply::Steps {
            id,
            result,
            at: SystemTime::now(),
        }));
    }

    /// A part of a script ticket's progress: the read ends when both are in, or at the
    /// first error.
    fn complete_progress(
        &mut self,
        id: TicketRef,
        read: u64,
        result: Result<ProgressPiece, ApiError>,
    ) {
        let Some(current) = self.progress.get_mut(&id).filter(|r| r.read == read) else {
            return;
        };
        let result = match result {
            Ok(ProgressPiece::Statistics(statistics)) => {
                current.statistics = Some(statistics);
                None
            }
            Ok(ProgressPiece::Batches(batches)) => {
                current.batches = Some(batches);
                None
            }
            Err(error) => Some(Err(error)),
        };
        let result = match result {
            Some(failed) => failed,
            None => match (current.statistics.take(), current.batches.take()) {
                (Some(statistics), Some(batches)) => Ok(ScriptProgress {
                    statistics,
                    batches,
                }),
                (statistics, batches) => {
                    current.statistics = statistics;
                    current.batches = batches;
                    return;
                }
            },
        };
        self.progress.remove(&id);
        if self.tracker.contains(&id) {
            self.emit(Update::Reply(Reply::Progress {
                id,
                result,
                at: SystemTime::now(),
            }));
        }
    }

    fn emit(&self, update: Update) {
        // A closed channel ends the run loop; nothing to do here.
        let _ = self.updates.send(update);
    }
}

/// The kind of list a browse page that brought nothing was of: marker pages are script
/// tickets'.
fn page_kind(page: &PageAt) -> Option<TicketKind> {
    match page.cursor {
        Cursor::Marker(_) => Some(TicketKind::Script),
        Cursor::Offset(_) => Some(TicketKind::Execution),
    }
}
