//! The polling engine against a scripted fake API on tokio's paused clock.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use coctop::coc::{
    ApiError, JobStatus, JobTicket, Page, RawJson, Status, Step, Target, Targets, Ticket, TicketRef,
};
use coctop::watch::{
    Command, DEFAULT_THROTTLE_PAUSE, EngineConfig, EngineHandle, Fetcher, HealthUpdate,
    MAX_FAILED_PROBES, PROBE_SPACING, Reply, TicketUpdate, Update, spawn,
};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support::r;
use tokio::time::{Instant, sleep};

#[derive(Debug, Clone)]
enum Answer {
    Status(Status),
    Fail(ApiError),
}

#[derive(Debug, Clone)]
struct Call {
    id: String,
    at: Duration,
    steps: bool,
}

/// Answers each ticket from its script (the last reply repeats; `Running` when none),
/// after `delay`, and records every call with its start time.
struct FakeApi {
    start: Instant,
    delay: Duration,
    scripts: Mutex<HashMap<String, VecDeque<Answer>>>,
    calls: Mutex<Vec<Call>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl FakeApi {
    fn new(delay: Duration) -> FakeApi {
        FakeApi {
            start: Instant::now(),
            delay,
            scripts: Mutex::new(HashMap::new()),
            calls: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    fn script(self, id: &str, replies: impl IntoIterator<Item = Answer>) -> FakeApi {
        self.scripts
            .lock()
            .unwrap()
            .insert(id.to_string(), replies.into_iter().collect());
        self
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn poll_times(&self, id: &str) -> Vec<Duration> {
        self.calls()
            .into_iter()
            .filter(|c| c.id == id && !c.steps)
            .map(|c| c.at)
            .collect()
    }

    fn next_reply(&self, id: &str) -> Answer {
        let mut scripts = self.scripts.lock().unwrap();
        match scripts.get_mut(id) {
            Some(script) if script.len() > 1 => script.pop_front().unwrap(),
            Some(script) if !script.is_empty() => script[0].clone(),
            _ => Answer::Status(Status::Running),
        }
    }

    async fn call(&self, id: &str, steps: bool) -> Answer {
        self.calls.lock().unwrap().push(Call {
            id: id.to_string(),
            at: self.start.elapsed(),
            steps,
        });
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        sleep(self.delay).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.next_reply(id)
    }
}

impl Fetcher for FakeApi {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        match self.call(execution_id, false).await {
            Answer::Status(status) => {
                let mut ticket = Ticket::empty(execution_id);
                ticket.status = Some(status);
                ticket.targets = Some(targets_of(execution_id));
                // As decoded: a copy of its own of each text.
                ticket.document_name = Some(String::from(JOB).into());
                ticket.creator = Some(String::from("li.wei").into());
                Ok(ticket)
            }
            Answer::Fail(error) => Err(error),
        }
    }

    async fn steps_page(
        &self,
        execution_id: &str,
        _limit: u32,
        _offset: u32,
    ) -> Result<Page<Step>, ApiError> {
        match self.call(execution_id, true).await {
            Answer::Fail(error) => Err(error),
            Answer::Status(_) => Ok(Page {
                data: vec![Step {
                    name: Some(format!("{execution_id}-step")),
                    ..Step::default()
                }],
                total: Some(1),
            }),
        }
    }
}

fn http(status: u16, retry_after: Option<Duration>) -> Answer {
    Answer::Fail(ApiError::Http {
        status,
        error_code: None,
        error_msg: None,
        request_id: None,
        excerpt: None,
        retry_after,
    })
}

/// The job every ticket is a run of.
const JOB: &str = "rolling restart";

/// The targets a ticket is answered with, as a decoded answer holds them.
fn targets_of(execution_id: &str) -> Targets {
    let instance = serde_json::json!({"resource_id": format!("{execution_id}-host"), "region_id": "cn-north-4"});
    Targets::new(&[Target {
        key: "InstanceValues".into(),
        values: vec![RawJson::from_value(&instance)],
    }])
}

fn status(s: Status) -> Answer {
    Answer::Status(s)
}

fn config(interval_secs: u64, concurrency: usize, max_rps: f64) -> EngineConfig {
    EngineConfig {
        interval: Duration::from_secs(interval_secs),
        concurrency,
        max_rps,
    }
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("t{i:05}")).collect()
}

fn refs(n: usize) -> Vec<TicketRef> {
    ids(n).iter().map(|id| r(id)).collect()
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn drain(updates: &mut UnboundedReceiver<Update>) -> Vec<Update> {
    std::iter::from_fn(|| updates.try_recv().ok()).collect()
}

fn start(api: &Arc<FakeApi>, config: EngineConfig, ids: Vec<String>) -> EngineHandle {
    spawn(api.clone(), config, ids.iter().map(|id| r(id)).collect())
}

fn snapshots_of<'a>(updates: &'a [Update], id: &str) -> Vec<&'a Arc<JobTicket>> {
    updates
        .iter()
        .filter_map(|u| match u {
            Update::Ticket(TicketUpdate::Snapshot { id: of, ticket, .. }) if of == id => {
                Some(ticket)
            }
            _ => None,
        })
        .collect()
}

fn count(updates: &[Update], pred: impl Fn(&Update) -> bool) -> usize {
    updates.iter().filter(|u| pred(u)).count()
}

/// Lets the engine act on commands just sent, without moving the clock meaningfully.
async fn settle() {
    sleep(Duration::from_millis(1)).await;
}

#[tokio::test(start_paused = true)]
async fn active_tickets_are_polled_every_interval() {
    let api = Arc::new(FakeApi::new(Duration::ZERO).script("b", [status(Status::Pending)]));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into(), "b".into()]);
    sleep(secs(61.0)).await;

    for (id, first) in [("a", 0.0), ("b", 0.1)] {
        let expected: Vec<_> = (0..13).map(|k| secs(first + 5.0 * k as f64)).collect();
        assert_eq!(api.poll_times(id), expected, "ticket {id}");
    }
    assert_eq!(snapshots_of(&drain(&mut engine.updates), "a").len(), 13);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn first_polls_are_spread_by_the_rate_limit() {
    let api = Arc::new(FakeApi::new(Duration::ZERO));
    let engine = start(&api, config(60, 8, 4.0), ids(20));
    sleep(secs(10.0)).await;

    let calls = api.calls();
    assert_eq!(calls.len(), 20, "each ticket once, interval not yet over");
    for (i, call) in calls.iter().enumerate() {
        assert_eq!(call.id, ids(20)[i], "first polls follow the watch order");
        assert_eq!(call.at, Duration::from_millis(250) * i as u32);
    }
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn requests_in_flight_never_exceed_the_concurrency() {
    let api = Arc::new(FakeApi::new(secs(2.0)));
    let engine = start(&api, config(1, 3, 1000.0), ids(40));
    sleep(secs(30.0)).await;

    assert_eq!(api.max_in_flight.load(Ordering::SeqCst), 3);
    // Three at a time for 2 s each: the cap, not the rate, is what limits.
    let calls = api.calls().len();
    assert!((45..=48).contains(&calls), "{calls} calls in 30 s");
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn no_second_ever_holds_more_than_max_rps_starts() {
    let api = Arc::new(FakeApi::new(Duration::from_millis(30)));
    let engine = start(&api, config(2, 8, 10.0), ids(200));
    sleep(secs(120.0)).await;

    let times: Vec<_> = api.calls().iter().map(|c| c.at).collect();
    for (i, &t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .take_while(|&&u| u < t + secs(1.0))
            .count();
        assert!(
            in_window <= 10,
            "{in_window} starts in the second after {t:?}"
        );
    }
    // The budget is used, not wasted, and shared fairly by every ticket.
    assert!(times.len() >= 1190, "{} calls in 120 s", times.len());
    for id in ids(200) {
        assert!(api.poll_times(&id).len() >= 5, "{id} starved");
    }
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn failures_back_off_exponentially_and_success_resets() {
    let e500 = || http(500, None);
    let running = || status(Status::Running);
    let api = Arc::new(FakeApi::new(Duration::ZERO).script(
        "a",
        [
            e500(),
            e500(),
            e500(),
            e500(),
            running(),
            running(),
            e500(),
            running(),
        ],
    ));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into()]);
    sleep(secs(400.0)).await;

    let t = api.poll_times("a");
    assert!(t.len() >= 8, "{t:?}");
    let gap = |i: usize| t[i] - t[i - 1];
    for (i, (low, high)) in [(5.0, 10.0), (10.0, 20.0), (20.0, 40.0), (40.0, 80.0)]
        .into_iter()
        .enumerate()
    {
        let g = gap(i + 1);
        assert!(g >= secs(low) && g <= secs(high), "gap {} = {g:?}", i + 1);
    }
    assert_eq!(gap(5), secs(5.0), "a success polls at the normal interval");
    assert_eq!(gap(6), secs(5.0));
    assert!(
        gap(7) >= secs(5.0) && gap(7) <= secs(10.0),
        "backoff restarted"
    );

    let errors: Vec<_> = drain(&mut engine.updates)
        .into_iter()
        .filter_map(|u| match u {
            Update::Ticket(TicketUpdate::Error { last_good, .. }) => Some(last_good),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 5);
    assert!(errors[..4].iter().all(Option::is_none));
    let kept = errors[4].as_ref().expect("last good snapshot kept");
    assert_eq!(kept.status(), Some(Status::Running.into()));
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_request_until_retry_after() {
    let api = Arc::new(FakeApi::new(Duration::ZERO).script(
        "t00000",
        [http(429, Some(secs(30.0))), status(Status::Running)],
    ));
    let mut engine = start(&api, config(60, 8, 10.0), ids(5));
    sleep(secs(35.0)).await;

    let calls = api.calls();
    assert_eq!(calls[0].at, Duration::ZERO);
    assert!(calls[1..].iter().all(|c| c.at >= secs(30.0)), "{calls:?}");
    assert_eq!(calls[1].at, secs(30.0));
    assert_eq!(calls.len(), 6, "every ticket polled once the pause ended");
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::Throttled { .. })
        )),
        1
    );
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Ticket(TicketUpdate::Error { .. })
        )),
        0
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn overlapping_429s_make_one_pause_and_one_report() {
    let api = Arc::new(
        FakeApi::new(secs(1.0))
            .script(
                "t00000",
                [http(429, Some(secs(20.0))), status(Status::Running)],
            )
            .script(
                "t00001",
                [http(429, Some(secs(20.0))), status(Status::Running)],
            )
            .script("t00002", [http(429, None), status(Status::Running)]),
    );
    let mut engine = start(&api, config(60, 8, 10.0), ids(3));
    sleep(secs(40.0)).await;

    // All three were sent before the first 429 came back (at 1.0 s); after it,
    // nothing until the longest Retry-After (t00001's, answered at 1.1 s) passed.
    let later: Vec<_> = api.calls().into_iter().skip(3).collect();
    assert_eq!(later.len(), 3);
    assert!(later.iter().all(|c| c.at >= secs(21.1)), "{later:?}");
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::Throttled { .. })
        )),
        1
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_429_without_retry_after_pauses_for_the_default() {
    let api = Arc::new(
        FakeApi::new(Duration::ZERO).script("a", [http(429, None), status(Status::Running)]),
    );
    let engine = start(&api, config(60, 8, 10.0), vec!["a".into()]);
    sleep(secs(30.0)).await;
    assert_eq!(
        api.poll_times("a"),
        [Duration::ZERO, DEFAULT_THROTTLE_PAUSE]
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn finished_tickets_are_not_polled_again() {
    let finishing = [
        status(Status::Pending),
        status(Status::Running),
        status(Status::Running),
        status(Status::Failed),
    ];
    let mut api = FakeApi::new(Duration::from_millis(50));
    let terminal = [
        Status::Succeed,
        Status::Failed,
        Status::Canceled,
        Status::Timeout,
        Status::Succeed,
    ];
    for (i, s) in terminal.into_iter().enumerate() {
        api = api.script(&format!("t{i:05}"), [status(s)]);
    }
    for i in 5..10 {
        api = api.script(&format!("t{i:05}"), finishing.clone());
    }
    let api = Arc::new(api);
    let mut engine = start(&api, config(5, 8, 10.0), ids(10));
    sleep(secs(600.0)).await;

    for (i, id) in ids(10).iter().enumerate() {
        let expected = if i < 5 { 1 } else { 4 };
        assert_eq!(api.poll_times(id).len(), expected, "{id}");
    }
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Ticket(TicketUpdate::Snapshot { .. })
        )),
        25
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn refresh_polls_a_finished_ticket_once_more() {
    let api = Arc::new(FakeApi::new(Duration::ZERO).script("done", [status(Status::Succeed)]));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["done".into(), "busy".into()]);
    sleep(secs(60.0)).await;
    assert_eq!(api.poll_times("done").len(), 1);
    drain(&mut engine.updates);

    engine.commands.send(Command::Refresh(r("done"))).unwrap();
    settle().await;
    let times = api.poll_times("done");
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - secs(60.0) < secs(0.1),
        "refresh is prompt: {times:?}"
    );
    let updates = drain(&mut engine.updates);
    assert_eq!(snapshots_of(&updates, "done").len(), 1);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Ticket(TicketUpdate::Transition { .. })
        )),
        0,
        "same status, no transition"
    );

    sleep(secs(60.0)).await;
    assert_eq!(api.poll_times("done").len(), 2, "finished again: parked");
    engine.commands.send(Command::RefreshAll).unwrap();
    sleep(secs(0.5)).await;
    assert_eq!(api.poll_times("done").len(), 3);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn auth_failure_stops_polling_until_a_refresh_succeeds() {
    let api = Arc::new(
        FakeApi::new(Duration::ZERO).script("a", [http(401, None), status(Status::Running)]),
    );
    let mut engine = start(
        &api,
        config(5, 8, 10.0),
        vec!["a".into(), "b".into(), "c".into()],
    );
    sleep(secs(600.0)).await;

    assert_eq!(api.calls().len(), 1, "nothing sent after the 401");
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::AuthFailed { .. })
        )),
        1
    );

    engine.commands.send(Command::Refresh(r("a"))).unwrap();
    sleep(secs(1.0)).await;
    let calls: Vec<_> = api.calls().into_iter().map(|c| c.id).collect();
    assert_eq!(
        calls,
        ["a", "a", "b", "c"],
        "the probe first, then the rest"
    );
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::AuthFailed { .. })
        )),
        0
    );
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Ticket(TicketUpdate::Snapshot { .. })
        )),
        3
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_failed_probe_sends_exactly_one_request() {
    let api = Arc::new(
        FakeApi::new(secs(1.0))
            .script("a", [http(403, None)])
            .script("b", [http(401, None)])
            .script("c", [http(401, None)]),
    );
    let mut engine = start(
        &api,
        config(5, 8, 10.0),
        vec!["a".into(), "b".into(), "c".into()],
    );
    sleep(secs(600.0)).await;
    // Three were in flight when the first 403 arrived; their 401s are not reported.
    assert_eq!(api.calls().len(), 3);
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::AuthFailed { .. })
        )),
        1
    );

    // Steps are answered with the auth error, without a request.
    engine.commands.send(Command::FetchDetails(r("a"))).unwrap();
    settle().await;
    let updates = drain(&mut engine.updates);
    assert!(
        matches!(&updates[..], [Update::Reply(Reply::Steps { result: Err(e), .. })] if e.is_auth()),
        "{updates:?}"
    );

    engine.commands.send(Command::RefreshAll).unwrap();
    sleep(secs(600.0)).await;
    assert_eq!(api.calls().len(), 4, "one probe, then stopped again");
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::AuthFailed { .. })
        )),
        1
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn auth_probes_at_most_one_per_30s_and_none_after_three_failures() {
    let api = Arc::new(FakeApi::new(Duration::ZERO).script("a", [http(401, None)]));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into()]);
    settle().await;
    assert_eq!(api.calls().len(), 1, "the first poll fails");

    // Six impatient presses of `R` within a few seconds: one probe.
    for _ in 0..6 {
        engine.commands.send(Command::RefreshAll).unwrap();
        sleep(secs(1.0)).await;
    }
    assert_eq!(api.calls().len(), 2, "one probe in 30 s");

    // One more probe after each 30 s, until three have failed; then none at all.
    for _ in 0..5 {
        sleep(PROBE_SPACING).await;
        engine.commands.send(Command::Refresh(r("a"))).unwrap();
        settle().await;
    }
    assert_eq!(api.calls().len(), 1 + MAX_FAILED_PROBES as usize);
    sleep(secs(3600.0)).await;
    engine.commands.send(Command::RefreshAll).unwrap();
    sleep(secs(60.0)).await;
    assert_eq!(api.calls().len(), 1 + MAX_FAILED_PROBES as usize);
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::AuthFailed { .. })
        )),
        1 + MAX_FAILED_PROBES as usize,
        "each failed request is reported, nothing more"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_successful_probe_restores_the_probe_budget() {
    let api = Arc::new(FakeApi::new(Duration::ZERO).script(
        "a",
        [
            http(401, None),
            http(401, None),
            http(401, None),
            status(Status::Running),
            http(401, None),
        ],
    ));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into()]);
    settle().await;
    for _ in 0..3 {
        engine.commands.send(Command::RefreshAll).unwrap();
        sleep(PROBE_SPACING).await;
    }
    // Two failed probes, the third succeeded; polling went on until the next 401.
    let polls = api.calls().len();
    assert_eq!(polls, 5, "{:?}", api.calls());
    for _ in 0..MAX_FAILED_PROBES {
        engine.commands.send(Command::RefreshAll).unwrap();
        sleep(PROBE_SPACING).await;
    }
    assert_eq!(api.calls().len(), polls + MAX_FAILED_PROBES as usize);
    drain(&mut engine.updates);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn tickets_can_be_added_and_removed_while_running() {
    let api = Arc::new(FakeApi::new(secs(2.0)));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into()]);
    sleep(secs(0.5)).await;
    engine.commands.send(Command::Add(r("b"))).unwrap();
    engine.commands.send(Command::Add(r("a"))).unwrap();
    sleep(secs(0.5)).await;
    // `a` is in flight (0 s to 2 s): its answer must be dropped.
    engine.commands.send(Command::Remove(r("a"))).unwrap();
    sleep(secs(60.0)).await;

    assert_eq!(api.poll_times("a"), [Duration::ZERO], "never polled again");
    assert_eq!(
        api.poll_times("b")[0],
        secs(0.5),
        "added ticket polled promptly"
    );
    let updates = drain(&mut engine.updates);
    assert!(
        snapshots_of(&updates, "a").is_empty(),
        "no update after Remove"
    );
    assert!(snapshots_of(&updates, "b").len() >= 10);

    engine.commands.send(Command::Add(r("a"))).unwrap();
    sleep(secs(10.0)).await;
    let a = api.poll_times("a");
    assert_eq!(a.len(), 3, "re-added ticket polled again: {a:?}");
    assert!(a[1] - secs(61.0) < secs(0.2), "{a:?}");
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_answer_for_a_removed_ticket_is_dropped_even_after_re_adding_it() {
    let api = Arc::new(FakeApi::new(secs(2.0)));
    let mut engine = start(&api, config(60, 8, 10.0), vec!["a".into()]);
    sleep(secs(0.5)).await;
    engine.commands.send(Command::Remove(r("a"))).unwrap();
    engine.commands.send(Command::Add(r("a"))).unwrap();
    sleep(secs(2.5)).await; // old answer at 2.0 s, new one at 2.5 s

    assert_eq!(api.poll_times("a"), [Duration::ZERO, secs(0.5)]);
    let updates = drain(&mut engine.updates);
    assert_eq!(
        snapshots_of(&updates, "a").len(),
        1,
        "only the new request's answer"
    );
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Ticket(TicketUpdate::Transition { .. })
        )),
        1
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn transitions_follow_their_snapshots_in_order() {
    let api = Arc::new(FakeApi::new(Duration::ZERO).script(
        "a",
        [
            status(Status::Pending),
            status(Status::Running),
            status(Status::Running),
            status(Status::Succeed),
        ],
    ));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into()]);
    sleep(secs(60.0)).await;

    let seen: Vec<String> = drain(&mut engine.updates)
        .iter()
        .map(|u| match u {
            Update::Ticket(TicketUpdate::Snapshot { ticket, .. }) => {
                format!("snap {:?}", ticket.status().map(|s| s.to_string()))
            }
            Update::Ticket(TicketUpdate::Transition { from, to, .. }) => {
                format!("{:?} -> {to}", from.as_ref().map(|s| s.to_string()))
            }
            other => format!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        seen,
        [
            "snap Some(\"Pending\")",
            "None -> Pending",
            "snap Some(\"Running\")",
            "Some(\"Pending\") -> Running",
            "snap Some(\"Running\")",
            "snap Some(\"Succeed\")",
            "Some(\"Running\") -> Succeed",
        ]
    );
    engine.shutdown().await;
}

/// Runs of one job held by the engine share its name and creator: 10,000 tickets of a
/// few runbooks hold each text once, not 10,000 times.
#[tokio::test(start_paused = true)]
async fn tickets_held_share_the_text_their_runs_repeat() {
    let api = FakeApi::new(Duration::ZERO)
        .script("a", [status(Status::Running), status(Status::Succeed)])
        .script("b", [status(Status::Succeed)]);
    let api = Arc::new(api);
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into(), "b".into()]);
    sleep(secs(7.0)).await;

    let updates = drain(&mut engine.updates);
    let held: Vec<&Ticket> = ["a", "a", "b"]
        .iter()
        .zip([0, 1, 0])
        .map(|(id, n)| snapshots_of(&updates, id)[n].as_execution().unwrap())
        .collect();
    for other in &held[1..] {
        let same = |x: &Option<Arc<str>>, y: &Option<Arc<str>>| {
            Arc::ptr_eq(x.as_ref().unwrap(), y.as_ref().unwrap())
        };
        assert!(same(&held[0].document_name, &other.document_name));
        assert!(same(&held[0].creator, &other.creator));
    }
    assert_eq!(held[2].document_name.as_deref(), Some(JOB));
    engine.shutdown().await;
}

/// 10,000 tickets refreshed every cycle are held once, by the engine, the dashboard
/// and the cache together: an answer that changes nothing is sent as the copy already
/// held, not as a second one. The copy held has its targets deflated; the answer, as
/// decoded, has them as text, and equals it.
#[tokio::test(start_paused = true)]
async fn an_unchanged_answer_is_sent_as_the_copy_already_held() {
    let api = Arc::new(FakeApi::new(Duration::ZERO).script(
        "a",
        [
            status(Status::Running),
            status(Status::Running),
            status(Status::Succeed),
        ],
    ));
    let mut engine = start(&api, config(5, 8, 10.0), vec!["a".into()]);
    sleep(secs(12.0)).await;

    let updates = drain(&mut engine.updates);
    let [first, again, finished] = snapshots_of(&updates, "a")[..] else {
        panic!("three polls: {updates:?}");
    };
    assert!(Arc::ptr_eq(first, again), "the same ticket copied anew");
    assert!(!Arc::ptr_eq(again, finished));
    assert_eq!(finished.status(), Some(Status::Succeed.into()));
    for held in [first, finished] {
        let targets = held.as_execution().unwrap().targets.as_ref().unwrap();
        assert!(
            targets.is_packed(),
            "{held:?} held with its targets as text"
        );
        assert_eq!(targets.list(), targets_of("a").list());
    }
    engine.shutdown().await;
}

/// `wait`'s engine keeps what it decoded as it is: nothing packed to be unpacked again
/// at the next poll's compare, and an unchanged answer is still the copy already held.
#[tokio::test(start_paused = true)]
async fn an_engine_for_wait_keeps_tickets_as_decoded() {
    let api = Arc::new(
        FakeApi::new(Duration::ZERO)
            .script("a", [status(Status::Running), status(Status::Running)]),
    );
    let ids = vec![r("a")];
    let mut engine = coctop::watch::spawn_as_decoded(api.clone(), config(5, 8, 10.0), ids);
    sleep(secs(7.0)).await;

    let updates = drain(&mut engine.updates);
    let [first, again] = snapshots_of(&updates, "a")[..] else {
        panic!("two polls: {updates:?}");
    };
    assert!(Arc::ptr_eq(first, again), "the same ticket copied anew");
    let targets = first.as_execution().unwrap().targets.as_ref().unwrap();
    assert!(!targets.is_packed(), "{first:?} held packed");
    assert_eq!(targets.list(), targets_of("a").list());
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn steps_go_through_the_same_rate_limit() {
    let api = Arc::new(FakeApi::new(Duration::ZERO));
    let mut engine = start(&api, config(5, 8, 10.0), ids(30));
    settle().await;
    engine
        .commands
        .send(Command::FetchDetails(r("t00020")))
        .unwrap();
    engine
        .commands
        .send(Command::FetchDetails(r("unwatched")))
        .unwrap();
    sleep(secs(5.0)).await;

    let calls = api.calls();
    let steps: Vec<_> = calls.iter().filter(|c| c.steps).collect();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert!(steps[0].at <= secs(0.2), "served ahead of the poll backlog");
    for pair in calls.windows(2) {
        assert!(pair[1].at - pair[0].at >= secs(0.1), "{pair:?}");
    }
    let updates = drain(&mut engine.updates);
    let answered: Vec<_> = updates
        .iter()
        .filter_map(|u| match u {
            Update::Reply(Reply::Steps {
                id,
                result: Ok(steps),
                ..
            }) => Some((id.to_string(), steps.len())),
            _ => None,
        })
        .collect();
    assert_eq!(answered, [("t00020".to_string(), 1)]);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_finished_tickets_are_each_polled_once() {
    let mut api = FakeApi::new(Duration::from_millis(20));
    api.scripts = Mutex::new(
        ids(10_000)
            .into_iter()
            .map(|id| (id, VecDeque::from([status(Status::Succeed)])))
            .collect(),
    );
    let api = Arc::new(api);
    let mut engine = start(&api, config(5, 16, 1000.0), ids(10_000));
    sleep(secs(15.0)).await;

    assert_eq!(api.calls().len(), 10_000);
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Ticket(TicketUpdate::Snapshot { .. })
        )),
        10_000
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_the_task_promptly() {
    let api = Arc::new(FakeApi::new(secs(3.0)));
    let engine = start(&api, config(5, 8, 10.0), ids(50));
    sleep(secs(1.0)).await;
    let before = api.calls().len();
    engine.commands.send(Command::Shutdown).unwrap();
    tokio::time::timeout(secs(0.01), engine.task)
        .await
        .expect("ended within 10 ms")
        .expect("no panic");
    sleep(secs(60.0)).await;
    assert_eq!(api.calls().len(), before);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_command_sender_ends_the_task() {
    let api = Arc::new(FakeApi::new(Duration::ZERO));
    let EngineHandle {
        commands,
        updates: _updates,
        task,
    } = start(&api, config(5, 8, 10.0), ids(3));
    drop(commands);
    tokio::time::timeout(secs(0.01), task)
        .await
        .expect("ended within 10 ms")
        .expect("no panic");
}

/// Answers at once; with no rate limit the engine always has work ready.
struct InstantApi;

impl Fetcher for InstantApi {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        let mut ticket = Ticket::empty(execution_id);
        ticket.status = Some(Status::Running);
        Ok(ticket)
    }
}

#[tokio::test]
async fn a_busy_engine_still_lets_its_consumer_run() {
    let unlimited = EngineConfig {
        interval: Duration::ZERO,
        concurrency: 8,
        max_rps: f64::INFINITY,
    };
    let mut engine = spawn(Arc::new(InstantApi), unlimited, refs(10));
    // On this single-threaded runtime, an engine that never yielded would hang here.
    let mut seen = 0;
    while seen < 1000 {
        engine.updates.recv().await.expect("engine alive");
        seen += 1;
    }
    let engine_ahead_by = engine.updates.len();
    assert!(engine_ahead_by < 10_000, "{engine_ahead_by} updates queued");
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn tickets_known_from_the_cache_start_from_their_status_and_finished_ones_park() {
    let api = Arc::new(
        FakeApi::new(Duration::ZERO)
            .script("busy", [status(Status::Running), status(Status::Failed)]),
    );
    let mut engine = start(&api, config(5, 8, 10.0), Vec::new());
    let known = |id: &str, status: Status| {
        let mut ticket = Ticket::empty(id);
        ticket.status = Some(status);
        Arc::new(JobTicket::from(ticket))
    };
    for (id, ticket) in [
        ("done", known("done", Status::Succeed)),
        ("busy", known("busy", Status::Running)),
    ] {
        engine
            .commands
            .send(Command::AddKnown(r(id), ticket))
            .unwrap();
    }
    sleep(secs(600.0)).await;
    assert!(
        api.poll_times("done").is_empty(),
        "finished in the cache: parked"
    );
    assert_eq!(api.poll_times("busy").len(), 2);
    let transitions: Vec<(Option<JobStatus>, JobStatus)> = drain(&mut engine.updates)
        .into_iter()
        .filter_map(|u| match u {
            Update::Ticket(TicketUpdate::Transition { from, to, .. }) => Some((from, to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        transitions,
        [(Some(Status::Running.into()), Status::Failed.into())],
        "the cached status counts as seen"
    );
    engine.commands.send(Command::Refresh(r("done"))).unwrap();
    settle().await;
    assert_eq!(api.poll_times("done").len(), 1, "r still polls it");
    engine.shutdown().await;
}

/// Polls answer a running ticket; every operation is answered 429.
struct ThrottledOperations {
    start: Instant,
    polls: Mutex<Vec<Duration>>,
}

impl Fetcher for ThrottledOperations {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        self.polls.lock().unwrap().push(self.start.elapsed());
        let mut ticket = Ticket::empty(execution_id);
        ticket.status = Some(Status::Running);
        Ok(ticket)
    }

    async fn operate(
        &self,
        _execution_id: &str,
        _operation: coctop::coc::Operation,
    ) -> Result<(), ApiError> {
        match http(429, Some(Duration::from_secs(10))) {
            Answer::Fail(error) => Err(error),
            Answer::Status(_) => unreachable!(),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_operations_429_pauses_every_request_like_a_polls() {
    let api = Arc::new(ThrottledOperations {
        start: Instant::now(),
        polls: Mutex::new(Vec::new()),
    });
    let mut engine = spawn(api.clone(), config(1, 4, 10.0), refs(1));
    sleep(secs(2.5)).await;
    engine
        .commands
        .send(Command::Operate {
            id: refs(1)[0].clone(),
            operation: coctop::coc::Operation::Terminate.into(),
        })
        .unwrap();
    sleep(secs(10.0)).await;
    let updates = drain(&mut engine.updates);
    assert_eq!(
        count(&updates, |u| matches!(
            u,
            Update::Health(HealthUpdate::Throttled { .. })
        )),
        1
    );
    let polls = api.polls.lock().unwrap().clone();
    let paused: Vec<&Duration> = polls
        .iter()
        .filter(|at| **at > secs(2.6) && **at < secs(12.4))
        .collect();
    assert!(paused.is_empty(), "polled during the pause: {paused:?}");
    engine.shutdown().await;
}

/// Answers a ticket's first GET with Running and every later one with a 401; an
/// operation is answered after `operation_takes`.
struct RefusedAfterOneOperation {
    polls: AtomicUsize,
    operation_takes: Duration,
}

impl Fetcher for RefusedAfterOneOperation {
    async fn fetch(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        if self.polls.fetch_add(1, Ordering::SeqCst) > 0 {
            let Answer::Fail(refused) = http(401, None) else {
                unreachable!()
            };
            return Err(refused);
        }
        let mut ticket = Ticket::empty(execution_id);
        ticket.status = Some(Status::Running);
        Ok(ticket)
    }

    async fn steps_page(&self, _: &str, _: u32, _: u32) -> Result<Page<Step>, ApiError> {
        Ok(Page {
            data: Vec::new(),
            total: Some(0),
        })
    }

    async fn operate(&self, _: &str, _: coctop::coc::Operation) -> Result<(), ApiError> {
        sleep(self.operation_takes).await;
        Ok(())
    }
}

/// The log lines written on this thread, for the paused-clock tests (one thread).
#[derive(Clone, Default)]
struct Logged(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logged {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A second RETRY asked for after the key was refused is answered unsent at once; the
/// first, sent before and still unanswered when the engine ends, keeps its own line:
/// its outcome is unknown.
#[tokio::test(start_paused = true)]
async fn a_write_held_back_does_not_take_the_place_of_the_same_one_in_flight() {
    let logged = Logged::default();
    let writer = logged.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _on_this_thread = tracing::subscriber::set_default(subscriber);
    let api = Arc::new(RefusedAfterOneOperation {
        polls: AtomicUsize::new(0),
        operation_takes: secs(60.0),
    });
    let engine = spawn(api, config(5, 8, 10.0), vec![r("a")]);
    sleep(secs(1.0)).await;
    let retry = || Command::Operate {
        id: r("a"),
        operation: coctop::coc::Operation::Retry.into(),
    };
    engine.commands.send(retry()).unwrap();
    // The next poll is refused: nothing more is sent with this key.
    sleep(secs(6.0)).await;
    engine.commands.send(retry()).unwrap();
    sleep(secs(1.0)).await;
    engine.shutdown().await;

    let text = String::from_utf8(logged.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("RETRY a")).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("not sent: the credentials were refused earlier"),
        "{text}"
    );
    assert!(
        lines[1].contains("outcome unknown") && lines[1].contains("coctop ended before"),
        "{text}"
    );
}
