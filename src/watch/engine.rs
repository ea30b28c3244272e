//! The polling task: one tokio task for all tickets, driven by a due-time queue, a
//! global pacer and a cap on requests in flight.

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

use super::pages::{self, Choice, Sweep, WindowMemory};
use super::rate::RateLimiter;
use super::schedule::Schedule;
use super::{Command, EngineConfig, Fetcher, Update};
use crate::backoff::Backoff;
use crate::coc::{ApiError, ErrorKind, Instance, ListQuery, Operation, Page, Status, Step, Ticket};
use crate::operate;
use crate::query::TicketQuery;

/// How long the endpoint pauses after a 429 that names no `Retry-After`.
pub const DEFAULT_THROTTLE_PAUSE: Duration = Duration::from_secs(5);
/// A longer `Retry-After` is shortened to this, so a wild header cannot stall the
/// dashboard for days (or overflow the clock).
pub const MAX_THROTTLE_PAUSE: Duration = Duration::from_secs(600);
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

/// Starts polling `ids` (duplicates ignored) on the current tokio runtime.
pub fn spawn<F: Fetcher>(fetcher: Arc<F>, config: EngineConfig, ids: Vec<String>) -> EngineHandle {
    let (commands, command_rx) = unbounded_channel();
    let (update_tx, updates) = unbounded_channel();
    let mut engine = Engine::new(fetcher, &config, update_tx);
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

/// A finished request, tagged so stale answers can be recognised.
struct Completion {
    id: Arc<str>,
    /// The auth epoch the request was sent in.
    auth_epoch: u64,
    outcome: Outcome,
}

enum Outcome {
    Poll {
        incarnation: u64,
        started: Instant,
        result: Result<Arc<Ticket>, ApiError>,
    },
    Steps(Result<Vec<Step>, ApiError>),
    Operated(Operation, Result<(), ApiError>),
    Instances {
        step_id: Arc<str>,
        offset: u32,
        result: Result<Page<Instance>, ApiError>,
    },
    Page {
        sweep: SweepOf,
        /// Which pass of its owner the page belongs to: answers to an older one are
        /// dropped.
        pass: u64,
        offset: u32,
        started: Instant,
        result: Result<Page<Ticket>, ApiError>,
    },
}

/// Whose list pages a sweep reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SweepOf {
    /// The window over the explicitly watched tickets.
    Cover,
    /// `queries[i]`.
    Query(usize),
    /// A page the browse view asked for; its pass is the view's generation.
    Browse,
}

/// Refreshing the explicitly watched tickets by list pages when that is cheaper.
#[derive(Default)]
struct Cover {
    /// When the next cycle is planned; `None` when the fetcher cannot list.
    due: Option<Instant>,
    sweep: Option<Sweep>,
    pass: u64,
    /// The window's `start_time` filter and the tickets the pass stands in for.
    window: Option<i64>,
    covered: Vec<Arc<str>>,
    /// Those of `covered` no page has held yet.
    unseen: std::collections::HashSet<Arc<str>>,
    memory: WindowMemory,
}

/// A `[[query]]` the engine follows by its pages.
struct QueryWatch {
    name: String,
    query: TicketQuery,
    due: Instant,
    sweep: Option<Sweep>,
    pass: u64,
    /// The tickets it found that are still in its window.
    members: std::collections::HashSet<Arc<str>>,
}

/// A page of a step's instances waiting to be sent.
struct InstancesRequest {
    execution_id: Arc<str>,
    step_id: Arc<str>,
    limit: u32,
    offset: u32,
}

/// At most one authentication probe in this long: the gateway locks an AK after five
/// failed signatures in a row, and a user pressing `R` should not get there.
pub const PROBE_SPACING: Duration = Duration::from_secs(30);
/// After this many failed probes nothing more is sent until the engine is started
/// again with (presumably) other credentials or config.
pub const MAX_FAILED_PROBES: u32 = 3;

/// Whether the credentials may be used. After a 401/403 nothing is sent until the
/// user asks for a refresh; then one request probes before the rest follow.
enum AuthState {
    Ok,
    Blocked(ApiError),
    Probing,
}

/// What the engine keeps per ticket (besides its slot in the schedule).
struct Watched {
    /// Distinguishes a re-added ticket from the removed one a late answer was for.
    incarnation: u64,
    /// Position in the watch list, to refresh in the user's order.
    order: u64,
    in_flight: bool,
    failures: u32,
    last_good: Option<Arc<Ticket>>,
    last_status: Option<Status>,
    /// Polls still due after an accepted operation, whatever the status.
    polls_after_operation: u32,
    /// An operation was accepted while a poll was in flight: poll again at once.
    poll_again: bool,
    /// Named by the user (`[[watch]]`, the command line, `Add`), not only found by a
    /// query.
    explicit: bool,
    /// Refreshed by the cover's pass under way, not by its own GET.
    in_cover: bool,
    /// How many queries hold it: their pages refresh it.
    in_queries: u32,
}

impl Watched {
    /// Active, or not seen yet: worth polling.
    fn is_active(&self) -> bool {
        !self.last_status.as_ref().is_some_and(Status::is_terminal)
    }

    /// Refreshed by list pages rather than by its own GETs.
    fn is_covered(&self) -> bool {
        self.in_cover || self.in_queries > 0
    }
}

enum Event {
    Command(Option<Command>),
    Done(Completion),
    Wake,
}

struct Engine<F> {
    fetcher: Arc<F>,
    interval: Duration,
    concurrency: usize,
    limiter: RateLimiter,
    schedule: Schedule<Arc<str>>,
    tickets: HashMap<Arc<str>, Watched>,
    steps_queue: VecDeque<Arc<str>>,
    /// The ticket whose steps follow its polls (the open ticket).
    followed: Option<Arc<str>>,
    operations: VecDeque<(Arc<str>, Operation)>,
    instances_queue: VecDeque<InstancesRequest>,
    in_flight: FuturesUnordered<InFlight>,
    auth: AuthState,
    /// Bumped whenever a blocked engine is allowed to try again.
    auth_epoch: u64,
    /// When the last probe was sent, and how many failed in a row.
    last_probe: Option<Instant>,
    failed_probes: u32,
    throttled_until: Option<Instant>,
    next_incarnation: u64,
    rng: ChaCha8Rng,
    updates: UnboundedSender<Update>,
    cover: Cover,
    queries: Vec<QueryWatch>,
    /// Pages the browse view asked for: `(generation, query)`.
    browse_queue: VecDeque<(u64, ListQuery)>,
}

impl<F: Fetcher> Engine<F> {
    fn new(fetcher: Arc<F>, config: &EngineConfig, updates: UnboundedSender<Update>) -> Self {
        let fetcher_lists = fetcher.lists();
        Engine {
            fetcher,
            interval: config.interval,
            concurrency: config.concurrency.max(1),
            limiter: RateLimiter::new(config.max_rps),
            schedule: Schedule::new(Instant::now()),
            tickets: HashMap::new(),
            steps_queue: VecDeque::new(),
            followed: None,
            operations: VecDeque::new(),
            instances_queue: VecDeque::new(),
            in_flight: FuturesUnordered::new(),
            auth: AuthState::Ok,
            auth_epoch: 0,
            last_probe: None,
            failed_probes: 0,
            throttled_until: None,
            next_incarnation: 0,
            rng: ChaCha8Rng::seed_from_u64(rand::random()),
            cover: Cover {
                due: fetcher_lists.then(Instant::now),
                ..Cover::default()
            },
            queries: Vec::new(),
            browse_queue: VecDeque::new(),
            updates,
        }
    }

    async fn run(mut self, mut commands: UnboundedReceiver<Command>) {
        loop {
            let now = Instant::now();
            self.plan_sweeps(now);
            self.dispatch(now);
            let wake = self.next_wake(now);
            let event = tokio::select! {
                biased;
                command = commands.recv() => Event::Command(command),
                Some(done) = self.in_flight.next(), if !self.in_flight.is_empty() => Event::Done(done),
                () = sleep_until_or_forever(wake) => Event::Wake,
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
        match command {
            Command::Refresh(id) => {
                if let Some((key, _)) = self.tickets.get_key_value(id.as_str()) {
                    let key = key.clone();
                    self.allow_auth_retry();
                    // The user asked for this one: it goes first (and is the auth probe).
                    if self.is_idle(&key) {
                        self.schedule.set_first(key);
                    }
                }
            }
            Command::RefreshAll => {
                self.allow_auth_retry();
                self.refresh_all_by_pages(Instant::now());
                let mut keys: Vec<_> = self
                    .tickets
                    .iter()
                    .filter(|(_, w)| !w.is_covered())
                    .map(|(k, w)| (w.order, k.clone()))
                    .collect();
                keys.sort_unstable_by_key(|(order, _)| *order);
                for (_, key) in keys {
                    if self.is_idle(&key) {
                        self.schedule.set_urgent(key);
                    }
                }
            }
            Command::Add(id) => self.add(id),
            Command::AddKnown(ticket) => self.add_known(ticket),
            Command::Remove(id) => {
                self.tickets.remove(id.as_str());
                self.schedule.remove(id.as_str());
                self.steps_queue.retain(|queued| **queued != *id);
                if self.followed.as_deref() == Some(id.as_str()) {
                    self.followed = None;
                }
            }
            Command::FetchSteps(id) => self.request_steps(&id),
            Command::AddQuery { name, query } => self.add_query(name, query),
            Command::Browse {
                generation,
                query,
                offset,
            } => {
                let page = ListQuery {
                    limit: Some(crate::coc::MAX_LIST_LIMIT),
                    offset: Some(offset),
                    ..query.list_query(SystemTime::now())
                };
                // Only the newest view matters: the user moved on from older ones.
                self.browse_queue.retain(|(g, _)| *g == generation);
                self.browse_queue.push_back((generation, page));
            }
            Command::FollowSteps(id) => {
                self.followed = id
                    .and_then(|id| self.tickets.get_key_value(id.as_str()))
                    .map(|(key, _)| key.clone());
                if let Some(key) = self.followed.clone() {
                    self.request_steps(&key);
                }
            }
            Command::Operate {
                execution_id,
                operation,
            } => self.request_operation(execution_id, operation),
            Command::FetchInstances {
                execution_id,
                step_id,
                limit,
                offset,
            } => {
                let request = InstancesRequest {
                    execution_id: execution_id.into(),
                    step_id: step_id.into(),
                    limit,
                    offset,
                };
                if let AuthState::Blocked(error) = &self.auth {
                    let result = Err(error.clone());
                    self.instances_answered(request.execution_id, request.step_id, offset, result);
                } else {
                    self.instances_queue.push_back(request);
                }
            }
            Command::Shutdown => {}
        }
    }

    fn add(&mut self, id: String) {
        if let Some(watched) = self.tickets.get_mut(id.as_str()) {
            watched.explicit = true;
            return;
        }
        let key = self.insert(id.into(), true);
        self.schedule.set_urgent(key);
    }

    /// A new entry; the caller decides how it is first refreshed.
    fn insert(&mut self, key: Arc<str>, explicit: bool) -> Arc<str> {
        let watched = Watched {
            incarnation: self.next_incarnation,
            order: self.next_incarnation,
            in_flight: false,
            failures: 0,
            last_good: None,
            last_status: None,
            explicit,
            in_cover: false,
            in_queries: 0,
            polls_after_operation: 0,
            poll_again: false,
        };
        self.next_incarnation += 1;
        self.tickets.insert(key.clone(), watched);
        key
    }

    fn add_known(&mut self, ticket: Arc<Ticket>) {
        let id = ticket.execution_id.as_str();
        if self.tickets.contains_key(id) {
            return;
        }
        self.add(id.to_string());
        if let Some(watched) = self.tickets.get_mut(id) {
            watched.last_status = ticket.status.clone();
            watched.last_good = Some(ticket.clone());
        }
        if ticket.is_terminal() {
            self.schedule.remove(id);
        }
    }

    /// Watched and not waiting for an answer (whose handling reschedules it anyway).
    fn is_idle(&self, key: &str) -> bool {
        self.tickets.get(key).is_some_and(|w| !w.in_flight)
    }

    fn request_steps(&mut self, id: &str) {
        let Some((key, _)) = self.tickets.get_key_value(id) else {
            return;
        };
        let key = key.clone();
        if let AuthState::Blocked(error) = &self.auth {
            // Sending would risk locking the key; answer with the reason instead.
            let error = error.clone();
            self.emit(Update::Steps {
                execution_id: key.to_string(),
                result: Err(error),
                at: SystemTime::now(),
            });
        } else if !self.steps_queue.contains(&key) {
            self.steps_queue.push_back(key);
        }
    }

    fn request_operation(&mut self, id: String, operation: Operation) {
        if let AuthState::Blocked(error) = &self.auth {
            // Never send with credentials the gateway refused: it locks the key.
            let result = Err(error.clone());
            self.operated(id.into(), operation, result);
        } else {
            self.operations.push_back((id.into(), operation));
        }
    }

    /// A refresh asked for while blocked becomes a probe, unless one went out less
    /// than `PROBE_SPACING` ago or `MAX_FAILED_PROBES` have failed.
    fn allow_auth_retry(&mut self) {
        if !matches!(self.auth, AuthState::Blocked(_)) {
            return;
        }
        let now = Instant::now();
        let too_soon = self
            .last_probe
            .is_some_and(|at| now.saturating_duration_since(at) < PROBE_SPACING);
        if too_soon || self.failed_probes >= MAX_FAILED_PROBES {
            tracing::info!(
                failed_probes = self.failed_probes,
                "authentication probe held back (at most one per {PROBE_SPACING:?}, none after \
                 {MAX_FAILED_PROBES} failures)"
            );
            return;
        }
        self.auth = AuthState::Probing;
        self.auth_epoch += 1;
        self.last_probe = Some(now);
    }

    fn capacity(&self) -> usize {
        match self.auth {
            AuthState::Ok => self.concurrency,
            AuthState::Probing => 1,
            AuthState::Blocked(_) => 0,
        }
    }

    /// Starts every request that is due, as far as the cap and the pacer allow.
    fn dispatch(&mut self, now: Instant) {
        while self.in_flight.len() < self.capacity() && self.limiter.is_ready(now) {
            if let Some((id, operation)) = self.operations.pop_front() {
                self.start_operation(id, operation, now);
            } else if let Some(request) = self.instances_queue.pop_front() {
                self.start_instances(request, now);
            } else if let Some(id) = self.steps_queue.pop_front() {
                self.start_steps(id, now);
            } else if let Some((generation, query)) = self.browse_queue.pop_front() {
                self.start_page(SweepOf::Browse, generation, query, now);
            } else if let Some((sweep, pass, query)) = self.next_page() {
                self.start_page(sweep, pass, query, now);
            } else if let Some(id) = self.schedule.pop_due(now) {
                self.start_poll(id, now);
            } else {
                break;
            }
        }
    }

    /// When the loop must next look for work, `None` if only a command or an answer
    /// can create any.
    fn next_wake(&self, now: Instant) -> Option<Instant> {
        if self.in_flight.len() >= self.capacity() {
            return None;
        }
        let page_ready = self.sweeps().any(|(_, sweep)| sweep.has_ready_page());
        let queued = !(self.steps_queue.is_empty()
            && self.operations.is_empty()
            && self.instances_queue.is_empty()
            && self.browse_queue.is_empty());
        let work_at = if queued || page_ready {
            now
        } else {
            [self.schedule.next_due(), self.next_sweep_due()]
                .into_iter()
                .flatten()
                .min()?
        };
        Some(work_at.max(self.limiter.ready_at(now)))
    }

    fn start_poll(&mut self, id: Arc<str>, now: Instant) {
        let Some(watched) = self.tickets.get_mut(&id) else {
            return;
        };
        watched.in_flight = true;
        let incarnation = watched.incarnation;
        self.limiter.record_start(now);
        let fetcher = self.fetcher.clone();
        let auth_epoch = self.auth_epoch;
        self.in_flight.push(Box::pin(async move {
            let result = fetcher.fetch(&id).await.map(Arc::new);
            Completion {
                id,
                auth_epoch,
                outcome: Outcome::Poll {
                    incarnation,
                    started: now,
                    result,
                },
            }
        }));
    }

    fn start_steps(&mut self, id: Arc<str>, now: Instant) {
        self.limiter.record_start(now);
        let fetcher = self.fetcher.clone();
        let auth_epoch = self.auth_epoch;
        self.in_flight.push(Box::pin(async move {
            let result = fetcher.fetch_steps(&id).await;
            Completion {
                id,
                auth_epoch,
                outcome: Outcome::Steps(result),
            }
        }));
    }

    fn start_operation(&mut self, id: Arc<str>, operation: Operation, now: Instant) {
        self.limiter.record_start(now);
        let fetcher = self.fetcher.clone();
        let auth_epoch = self.auth_epoch;
        self.in_flight.push(Box::pin(async move {
            let result = fetcher.operate(&id, operation).await;
            Completion {
                id,
                auth_epoch,
                outcome: Outcome::Operated(operation, result),
            }
        }));
    }

    fn start_instances(&mut self, request: InstancesRequest, now: Instant) {
        self.limiter.record_start(now);
        let fetcher = self.fetcher.clone();
        let auth_epoch = self.auth_epoch;
        self.in_flight.push(Box::pin(async move {
            let InstancesRequest {
                execution_id,
                step_id,
                limit,
                offset,
            } = request;
            let result = fetcher.fetch_instances(&step_id, limit, offset).await;
            Completion {
                id: execution_id,
                auth_epoch,
                outcome: Outcome::Instances {
                    step_id,
                    offset,
                    result,
                },
            }
        }));
    }

    fn instances_answered(
        &mut self,
        id: Arc<str>,
        step_id: Arc<str>,
        offset: u32,
        result: Result<Page<Instance>, ApiError>,
    ) {
        self.emit(Update::Instances {
            execution_id: id.to_string(),
            step_id: step_id.to_string(),
            offset,
            result,
            at: SystemTime::now(),
        });
    }

    fn complete(&mut self, done: Completion) {
        let Completion {
            id,
            auth_epoch,
            outcome,
        } = done;
        let auth_error = match &outcome {
            Outcome::Poll { result: Err(e), .. }
            | Outcome::Steps(Err(e))
            | Outcome::Page { result: Err(e), .. }
            | Outcome::Operated(_, Err(e))
            | Outcome::Instances { result: Err(e), .. } => e.is_auth(),
            _ => false,
        };
        if !auth_error && auth_epoch == self.auth_epoch && matches!(self.auth, AuthState::Probing) {
            self.auth = AuthState::Ok;
            self.failed_probes = 0;
        }
        match outcome {
            Outcome::Poll {
                incarnation,
                started,
                result,
            } => self.complete_poll(id, incarnation, started, auth_epoch, result),
            Outcome::Steps(result) => self.complete_steps(id, auth_epoch, result),
            Outcome::Page {
                sweep,
                pass,
                offset,
                started,
                result,
            } => self.complete_page(sweep, pass, offset, started, auth_epoch, result),
            Outcome::Instances {
                step_id,
                offset,
                result,
            } => {
                if let Err(error) = &result {
                    match error.kind() {
                        ErrorKind::Auth => self.auth_failed(auth_epoch, error.clone()),
                        ErrorKind::Throttled => self.throttle(error.clone(), Instant::now()),
                        _ => {}
                    }
                }
                self.instances_answered(id, step_id, offset, result);
            }
            Outcome::Operated(operation, result) => {
                if let Err(error) = &result
                    && error.is_auth()
                {
                    self.auth_failed(auth_epoch, error.clone());
                }
                self.operated(id, operation, result);
            }
        }
    }

    /// Reports an operation's answer (and logs it); an accepted one puts its ticket
    /// back on the schedule at once.
    fn operated(&mut self, id: Arc<str>, operation: Operation, result: Result<(), ApiError>) {
        operate::log(operation, &id, &operate::OperationOutcome::of(&result));
        if result.is_ok()
            && let Some(watched) = self.tickets.get_mut(&id)
        {
            watched.polls_after_operation = POLLS_AFTER_OPERATION;
            if watched.in_flight {
                watched.poll_again = true;
            } else {
                self.schedule.set_first(id.clone());
            }
        }
        self.emit(Update::Operated {
            execution_id: id.to_string(),
            operation,
            result,
            at: SystemTime::now(),
        });
    }

    fn complete_poll(
        &mut self,
        id: Arc<str>,
        incarnation: u64,
        started: Instant,
        auth_epoch: u64,
        result: Result<Arc<Ticket>, ApiError>,
    ) {
        let now = Instant::now();
        let Some(watched) = self.tickets.get_mut(&id) else {
            return; // removed while in flight
        };
        if watched.incarnation != incarnation {
            return; // removed and added again; the new one has its own schedule
        }
        watched.in_flight = false;
        let ticket = match result {
            Ok(ticket) => ticket,
            Err(error) => {
                match error.kind() {
                    ErrorKind::Throttled => {
                        self.schedule.set_urgent(id);
                        self.throttle(error, now);
                    }
                    ErrorKind::Auth => {
                        self.schedule.set(id, later(now, self.interval));
                        self.auth_failed(auth_epoch, error);
                    }
                    _ => {
                        watched.failures = watched.failures.saturating_add(1);
                        let delay = Backoff::for_polls(self.interval)
                            .delay(watched.failures, self.rng.r#gen());
                        let last_good = watched.last_good.clone();
                        self.schedule.set(id.clone(), later(now, delay));
                        self.emit(Update::Error {
                            execution_id: id.to_string(),
                            error,
                            last_good,
                            at: SystemTime::now(),
                        });
                    }
                }
                return;
            }
        };

        self.accept(id, ticket, started);
    }

    /// A fresh copy of a watched ticket, from its GET or a list page.
    fn accept(&mut self, id: Arc<str>, ticket: Arc<Ticket>, started: Instant) {
        let Some(watched) = self.tickets.get_mut(&id) else {
            return;
        };
        watched.failures = 0;
        watched.last_good = Some(ticket.clone());
        let after_operation = watched.polls_after_operation > 0;
        watched.polls_after_operation = watched.polls_after_operation.saturating_sub(1);
        let poll_again = std::mem::take(&mut watched.poll_again);
        let transition = match &ticket.status {
            Some(to) if watched.last_status.as_ref() != Some(to) => {
                Some((watched.last_status.replace(to.clone()), to.clone()))
            }
            _ => None,
        };
        let covered = watched.is_covered();
        if poll_again {
            self.schedule.set_first(id.clone());
        } else if (!ticket.is_terminal() && !covered) || after_operation {
            self.schedule.set(id.clone(), later(started, self.interval));
        }
        // The open ticket's steps follow its polls while it runs, and once more when
        // it finishes.
        let finished_now = ticket.is_terminal() && transition.is_some();
        if self.followed.as_deref() == Some(&*id) && (!ticket.is_terminal() || finished_now) {
            self.request_steps(&id);
        }
        let at = SystemTime::now();
        self.emit(Update::Snapshot {
            execution_id: id.to_string(),
            ticket,
            at,
        });
        if let Some((from, to)) = transition {
            self.emit(Update::Transition {
                execution_id: id.to_string(),
                from,
                to,
                at,
            });
        }
    }

    fn complete_steps(
        &mut self,
        id: Arc<str>,
        auth_epoch: u64,
        result: Result<Vec<Step>, ApiError>,
    ) {
        if !self.tickets.contains_key(&id) {
            return;
        }
        if let Err(error) = &result {
            match error.kind() {
                ErrorKind::Throttled => {
                    self.steps_queue.push_front(id);
                    self.throttle(error.clone(), Instant::now());
                    return;
                }
                ErrorKind::Auth => self.auth_failed(auth_epoch, error.clone()),
                _ => {}
            }
        }
        self.emit(Update::Steps {
            execution_id: id.to_string(),
            result,
            at: SystemTime::now(),
        });
    }

    fn add_query(&mut self, name: String, query: TicketQuery) {
        if self.queries.iter().any(|q| q.name == name) {
            return;
        }
        self.queries.push(QueryWatch {
            name,
            query,
            due: Instant::now(),
            sweep: None,
            pass: 0,
            members: std::collections::HashSet::new(),
        });
    }

    /// Every sweep under way, with whose it is.
    fn sweeps(&self) -> impl Iterator<Item = (SweepOf, &Sweep)> {
        let cover = self.cover.sweep.iter().map(|s| (SweepOf::Cover, s));
        let queries = self
            .queries
            .iter()
            .enumerate()
            .filter_map(|(i, q)| Some((SweepOf::Query(i), q.sweep.as_ref()?)));
        cover.chain(queries)
    }

    /// When the next pass of the cover or of a query is due.
    fn next_sweep_due(&self) -> Option<Instant> {
        let cover = self.cover.due.filter(|_| self.cover.sweep.is_none());
        let queries = self
            .queries
            .iter()
            .filter(|q| q.sweep.is_none())
            .map(|q| q.due);
        cover.into_iter().chain(queries).min()
    }

    /// Starts the passes that are due: the cover's, if pages are cheaper this cycle,
    /// and every query's.
    fn plan_sweeps(&mut self, now: Instant) {
        if self.cover.sweep.is_none() && self.cover.due.is_some_and(|due| due <= now) {
            self.cover.due = Some(later(now, self.interval));
            self.plan_cover(now, false);
        }
        let at = SystemTime::now();
        for query in &mut self.queries {
            if query.sweep.is_none() && query.due <= now {
                query.due = later(now, self.interval);
                query.pass += 1;
                query.sweep = Some(Sweep::new(query.query.list_query(at)));
            }
        }
    }

    /// `R`: every explicit ticket, finished ones too, by pages if that is cheaper;
    /// every query's pages at once.
    fn refresh_all_by_pages(&mut self, now: Instant) {
        if self.cover.due.is_none() {
            return;
        }
        if self.cover.sweep.is_none() {
            self.plan_cover(now, true);
        }
        for query in &mut self.queries {
            query.due = now;
        }
    }

    /// Decides how this cycle refreshes the explicit tickets that are idle (and active,
    /// unless `everything`) and not already refreshed by a query's pages; for pages,
    /// takes them off the GET schedule.
    fn plan_cover(&mut self, now: Instant, everything: bool) {
        let wanted: Vec<(Arc<str>, Option<i64>)> = self
            .tickets
            .iter()
            .filter(|(_, w)| w.explicit && w.in_queries == 0 && !w.in_flight)
            .filter(|(_, w)| everything || w.is_active())
            .map(|(k, w)| (k.clone(), w.last_good.as_ref().and_then(|t| t.start_time)))
            .collect();
        let window = pages::window_start(wanted.iter().map(|(_, start)| *start));
        let choice = pages::choose(wanted.len(), self.cover.memory.estimate(window));
        if choice == Choice::PerTicket {
            // Tickets a page refreshed last cycle have no GET queued yet.
            for (key, _) in wanted {
                if !self.schedule.contains(&key) {
                    self.schedule.set(key, now);
                }
            }
            return;
        }
        for (key, _) in &wanted {
            self.schedule.remove(key);
            if let Some(watched) = self.tickets.get_mut(key) {
                watched.in_cover = true;
            }
        }
        let base = ListQuery {
            start_time: window,
            ..ListQuery::default()
        };
        self.cover.pass += 1;
        self.cover.sweep = Some(Sweep::new(base));
        self.cover.window = window;
        self.cover.unseen = wanted.iter().map(|(key, _)| key.clone()).collect();
        self.cover.covered = wanted.into_iter().map(|(key, _)| key).collect();
    }

    /// The next page any sweep may send.
    fn next_page(&mut self) -> Option<(SweepOf, u64, ListQuery)> {
        if let Some(page) = self.cover.sweep.as_mut().and_then(Sweep::next_page) {
            return Some((SweepOf::Cover, self.cover.pass, page));
        }
        self.queries.iter_mut().enumerate().find_map(|(i, q)| {
            let page = q.sweep.as_mut()?.next_page()?;
            Some((SweepOf::Query(i), q.pass, page))
        })
    }

    fn start_page(&mut self, sweep: SweepOf, pass: u64, query: ListQuery, now: Instant) {
        self.limiter.record_start(now);
        let fetcher = self.fetcher.clone();
        let auth_epoch = self.auth_epoch;
        let label: Arc<str> = match sweep {
            SweepOf::Cover => "watch list".into(),
            SweepOf::Query(i) => self.queries[i].name.as_str().into(),
            SweepOf::Browse => "browse".into(),
        };
        self.in_flight.push(Box::pin(async move {
            let result = fetcher.list(&query).await;
            Completion {
                id: label,
                auth_epoch,
                outcome: Outcome::Page {
                    sweep,
                    pass,
                    offset: query.offset.unwrap_or(0),
                    started: now,
                    result,
                },
            }
        }));
    }

    fn complete_page(
        &mut self,
        of: SweepOf,
        pass: u64,
        offset: u32,
        started: Instant,
        auth_epoch: u64,
        result: Result<Page<Ticket>, ApiError>,
    ) {
        let current = match of {
            SweepOf::Cover => self.cover.pass,
            SweepOf::Query(i) => self.queries[i].pass,
            SweepOf::Browse => return self.complete_browse(pass, offset, auth_epoch, result),
        };
        if pass != current {
            return;
        }
        let page = match result {
            Ok(page) => page,
            Err(error) => {
                let kind = error.kind();
                match kind {
                    ErrorKind::Throttled => self.throttle(error, Instant::now()),
                    // Listing may be forbidden where reading one ticket is not: the
                    // pages stop, the GETs go on.
                    ErrorKind::Auth if error.http_status() == Some(403) => {
                        tracing::warn!(%error, "listing tickets is not allowed: no more pages");
                        self.stop_pages(of);
                    }
                    ErrorKind::Auth => self.auth_failed(auth_epoch, error),
                    _ => tracing::debug!(%error, "list page at offset {offset} failed"),
                }
                let Some(sweep) = self.sweep_mut(of) else {
                    return;
                };
                if kind == ErrorKind::Throttled {
                    sweep.retry(offset);
                } else {
                    sweep.on_failed_page();
                }
                self.end_pass_if_done(of);
                return;
            }
        };
        let received = page.data.len();
        let mut seen = Vec::with_capacity(received);
        for ticket in page.data {
            seen.extend(self.take_listed(of, ticket, started));
        }
        if of == SweepOf::Cover {
            for key in &seen {
                self.cover.unseen.remove(key);
            }
        }
        let Some(sweep) = self.sweep_mut(of) else {
            return;
        };
        sweep.seen.extend(seen);
        let first_total = sweep.on_page(offset, page.total, received);
        if of == SweepOf::Cover {
            self.after_cover_page(first_total);
        }
        self.end_pass_if_done(of);
    }

    /// The cover's pass stops reading as soon as every ticket it stands for was seen;
    /// its first page tells the window's size (remembered for the next cycles), and the
    /// pass goes on only if the pages left cost no more than the GETs left.
    fn after_cover_page(&mut self, first_total: Option<u64>) {
        let cover = &mut self.cover;
        let Some(sweep) = cover.sweep.as_mut() else {
            return;
        };
        if let Some(total) = first_total {
            cover.memory.remember(cover.window, total);
            if !pages::worth_going_on(cover.unseen.len(), total) {
                sweep.cut_short();
            }
        }
        if cover.unseen.is_empty() {
            sweep.cut_short();
        }
    }

    /// A ticket on a list page: refreshes it if it is watched, and joins it to the
    /// query whose page it is when the query's status filter keeps it. Returns its key
    /// when it is (now) watched.
    fn take_listed(&mut self, of: SweepOf, ticket: Ticket, started: Instant) -> Option<Arc<str>> {
        let known = self.tickets.get_key_value(ticket.execution_id.as_str());
        let mut key = known.map(|(key, _)| key.clone());
        if let SweepOf::Query(i) = of {
            let query = &self.queries[i];
            let member = key.as_ref().is_some_and(|k| query.members.contains(k));
            if !member && query.query.keeps(&ticket) {
                let joined = match key.clone() {
                    Some(existing) => existing,
                    None => self.insert(ticket.execution_id.as_str().into(), false),
                };
                self.schedule.remove(&joined);
                if let Some(watched) = self.tickets.get_mut(&joined) {
                    watched.in_queries += 1;
                }
                self.queries[i].members.insert(joined.clone());
                self.emit(Update::Joined {
                    execution_id: joined.to_string(),
                    query: self.queries[i].name.clone(),
                    at: SystemTime::now(),
                });
                key = Some(joined);
            }
        }
        let key = key?;
        if self.tickets.get(&key).is_some_and(|w| !w.in_flight) {
            self.accept(key.clone(), Arc::new(ticket), started);
        }
        Some(key)
    }

    /// When a pass has no page left in flight or to send: the tickets it should have
    /// held but did not fall back to their GETs, and a query lets go of the finished
    /// tickets that left its window.
    fn end_pass_if_done(&mut self, of: SweepOf) {
        let sweep = match of {
            SweepOf::Cover => &mut self.cover.sweep,
            SweepOf::Query(i) => &mut self.queries[i].sweep,
            SweepOf::Browse => return,
        };
        if !sweep.as_ref().is_some_and(Sweep::is_done) {
            return;
        }
        let Some(sweep) = sweep.take() else {
            return;
        };
        let unseen: Vec<Arc<str>> = match of {
            SweepOf::Cover => {
                for key in std::mem::take(&mut self.cover.covered) {
                    if let Some(watched) = self.tickets.get_mut(&key) {
                        watched.in_cover = false;
                    }
                }
                std::mem::take(&mut self.cover.unseen).into_iter().collect()
            }
            SweepOf::Browse => Vec::new(),
            SweepOf::Query(i) => {
                let query = &mut self.queries[i];
                let unseen: Vec<Arc<str>> = query
                    .members
                    .iter()
                    .filter(|key| !sweep.seen.contains(*key))
                    .cloned()
                    .collect();
                if sweep.is_complete() {
                    self.release_finished(i, &unseen);
                }
                unseen
            }
        };
        for key in unseen {
            let idle_and_active = self
                .tickets
                .get(&key)
                .is_some_and(|w| !w.in_flight && (of == SweepOf::Cover || w.is_active()));
            if idle_and_active {
                self.schedule.set_urgent(key);
            }
        }
    }

    /// Finished members of `queries[i]` its whole pass did not see have left its
    /// window: the query lets go of them, and the engine too unless someone else
    /// watches them.
    fn release_finished(&mut self, i: usize, unseen: &[Arc<str>]) {
        for key in unseen {
            let Some(watched) = self.tickets.get_mut(key) else {
                self.queries[i].members.remove(key);
                continue;
            };
            if watched.is_active() {
                continue;
            }
            self.queries[i].members.remove(key);
            watched.in_queries = watched.in_queries.saturating_sub(1);
            let dropped = watched.in_queries == 0 && !watched.explicit;
            if dropped {
                self.tickets.remove(key);
                self.schedule.remove(key);
                self.steps_queue.retain(|queued| queued != key);
            }
            self.emit(Update::Left {
                execution_id: key.to_string(),
                query: self.queries[i].name.clone(),
                dropped,
                at: SystemTime::now(),
            });
        }
    }

    /// No more passes for `of` (listing is forbidden): the cover leaves its tickets to
    /// their GETs; the query finds nothing more.
    fn stop_pages(&mut self, of: SweepOf) {
        match of {
            SweepOf::Cover => self.cover.due = None,
            SweepOf::Query(i) => self.queries[i].due = later(Instant::now(), FAR_FUTURE),
            SweepOf::Browse => {}
        }
    }

    fn sweep_mut(&mut self, of: SweepOf) -> Option<&mut Sweep> {
        match of {
            SweepOf::Cover => self.cover.sweep.as_mut(),
            SweepOf::Query(i) => self.queries[i].sweep.as_mut(),
            SweepOf::Browse => None,
        }
    }

    /// A browse page goes to the view as it came (an error too: the view offers to try
    /// again); throttling and auth failures pause the engine as usual.
    fn complete_browse(
        &mut self,
        generation: u64,
        offset: u32,
        auth_epoch: u64,
        result: Result<Page<Ticket>, ApiError>,
    ) {
        if let Err(error) = &result {
            match error.kind() {
                ErrorKind::Throttled => self.throttle(error.clone(), Instant::now()),
                ErrorKind::Auth => self.auth_failed(auth_epoch, error.clone()),
                _ => {}
            }
        }
        self.emit(Update::BrowsePage {
            generation,
            offset,
            result,
            at: SystemTime::now(),
        });
    }

    /// Pauses every request until the 429's `Retry-After`, reporting once per pause.
    fn throttle(&mut self, error: ApiError, now: Instant) {
        let wait = error
            .retry_after()
            .unwrap_or(DEFAULT_THROTTLE_PAUSE)
            .min(MAX_THROTTLE_PAUSE);
        let until = now + wait;
        let already_paused = self.throttled_until.is_some_and(|t| now < t);
        self.throttled_until = Some(self.throttled_until.map_or(until, |t| t.max(until)));
        self.limiter.pause_until(until);
        if !already_paused {
            self.emit(Update::Throttled {
                until: SystemTime::now() + wait,
                error,
            });
        }
    }

    /// Stops all requests after a 401/403, reporting once. Answers to requests sent
    /// before the block (an older epoch) change nothing.
    fn auth_failed(&mut self, auth_epoch: u64, error: ApiError) {
        if auth_epoch != self.auth_epoch || matches!(self.auth, AuthState::Blocked(_)) {
            return;
        }
        if matches!(self.auth, AuthState::Probing) {
            self.failed_probes += 1;
        }
        self.auth = AuthState::Blocked(error.clone());
        self.emit(Update::AuthFailed {
            error,
            at: SystemTime::now(),
        });
    }

    fn emit(&self, update: Update) {
        // A closed channel ends the run loop; nothing to do here.
        let _ = self.updates.send(update);
    }
}

/// A year: the furthest ahead anything is scheduled.
const FAR_FUTURE: Duration = Duration::from_secs(365 * 86_400);

/// `at + after`, kept within a year so that a huge configured interval (the config
/// and `--interval` accept up to `Duration::MAX`) cannot overflow the clock.
fn later(at: Instant, after: Duration) -> Instant {
    at + after.min(FAR_FUTURE)
}

async fn sleep_until_or_forever(wake: Option<Instant>) {
    match wake {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_interval_schedules_far_ahead_without_overflow() {
        let now = Instant::now();
        assert_eq!(
            later(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        assert_eq!(later(now, Duration::MAX), now + FAR_FUTURE);
    }
}
