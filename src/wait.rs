//! Following tickets to their end for `coctop wait`: which tickets are finished, and
//! when the wait is over with which exit code.
//!
//! `Waiter` turns the engine's updates into `WaitEvent`s and a verdict; `follow` drives
//! it with the engine, a time-out and the give-up time. Nothing here prints: `cmd::wait`
//! says what they decided.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use crate::coc::{ApiError, ErrorKind, JobStatus, JobTicket, TicketRef};
use crate::config::WatchEntry;
use crate::exit::Exit;
use crate::format;
use crate::query::TicketQuery;
use crate::timer::sleep_until;
use crate::watch::{HealthUpdate, TicketUpdate, Update};

/// `--give-up` when not given.
pub const DEFAULT_GIVE_UP: Duration = Duration::from_secs(600);

/// What happened during a wait, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitEvent {
    /// A status change, the first sight included (`from` is `None` then).
    Changed {
        id: TicketRef,
        name: String,
        from: Option<JobStatus>,
        to: JobStatus,
        at: SystemTime,
    },
    /// A ticket seen before could not be fetched this time; the engine backs off and
    /// the wait goes on (until the give-up time).
    Failed {
        id: TicketRef,
        error: ApiError,
        at: SystemTime,
    },
    /// The endpoint answered 429: nothing is sent before `until`.
    Throttled {
        until: SystemTime,
        error: ApiError,
        at: SystemTime,
    },
    /// The wait is over; `message` says why when it did not end with every ticket seen
    /// to its end.
    Finished { exit: Exit, message: Option<String> },
}

/// Applies the engine's updates to `waiter` until it reaches a verdict, the updates
/// end, `timeout` passes or a ticket has failed for the give-up time; every event goes
/// to `emit` as it happens, and the wait stops (with the verdict so far, which the
/// caller replaces) when `emit` says it could not pass an event on.
pub async fn follow(
    updates: &mut UnboundedReceiver<Update>,
    waiter: &mut Waiter,
    timeout: Option<Duration>,
    mut emit: impl FnMut(&WaitEvent) -> bool,
) -> Exit {
    // A deadline past the clock's range is no deadline at all.
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    loop {
        let events = tokio::select! {
            update = updates.recv() => match update {
                Some(update) => waiter.apply(update),
                None => vec![WaitEvent::Finished {
                    exit: Exit::Fetch,
                    message: Some("the polling engine stopped".into()),
                }],
            },
            _ = sleep_until(deadline) => vec![waiter.timed_out()],
            _ = sleep_until(waiter.give_up_at()) => waiter.gave_up().into_iter().collect(),
        };
        for event in &events {
            if !emit(event) {
                return Exit::Output;
            }
            if let WaitEvent::Finished { exit, .. } = event {
                return *exit;
            }
        }
    }
}

/// Follows the engine's updates for `wait`: which tickets are finished, and when the
/// wait is over with which exit code.
pub struct Waiter {
    names: HashMap<TicketRef, String>,
    status: HashMap<TicketRef, Option<JobStatus>>,
    /// `--follow`: tickets the query keeps that started at or after this (epoch ms)
    /// join the wait.
    following: Option<(TicketQuery, i64)>,
    /// Tickets failing now: since when (without a success between), and the last error.
    failing: HashMap<TicketRef, (Instant, ApiError)>,
    give_up: Duration,
}

impl Waiter {
    pub fn new(targets: &[WatchEntry], give_up: Duration) -> Waiter {
        Waiter {
            failing: HashMap::new(),
            give_up,
            names: targets
                .iter()
                .filter_map(|t| Some((t.id.clone(), t.label.clone()?)))
                .collect(),
            status: targets.iter().map(|t| (t.id.clone(), None)).collect(),
            following: None,
        }
    }

    /// Also waits for the tickets `query` keeps that start at `since_ms` or later; the
    /// wait is not over before it has seen at least one ticket.
    pub fn follow(&mut self, query: TicketQuery, since_ms: i64) {
        self.following = Some((query, since_ms));
    }

    fn joins(&self, ticket: &JobTicket) -> bool {
        self.following.as_ref().is_some_and(|(query, since)| {
            ticket.start_time().is_some_and(|start| start >= *since) && query.keeps(ticket)
        })
    }

    /// The events of one update; the last is `Finished` when the wait is over.
    pub fn apply(&mut self, update: Update) -> Vec<WaitEvent> {
        match update {
            Update::Ticket(TicketUpdate::Snapshot { id, ticket, .. }) => {
                if !self.status.contains_key(&id) {
                    if !self.joins(&ticket) {
                        return Vec::new();
                    }
                    self.status.insert(id.clone(), None);
                }
                self.failing.remove(&id);
                if let Some(job) = ticket.name() {
                    self.names.entry(id).or_insert_with(|| job.to_string());
                }
                Vec::new()
            }
            // Every change, the first sight included, comes as a transition right after
            // its snapshot: the verdict waits for it so the last change is printed.
            Update::Ticket(TicketUpdate::Transition { id, from, to, at }) => {
                if !self.status.contains_key(&id) {
                    return Vec::new();
                }
                let name = self.names.get(&id).cloned().unwrap_or_default();
                self.status.insert(id.clone(), Some(to.clone()));
                let mut events = vec![WaitEvent::Changed {
                    id,
                    name,
                    from,
                    to,
                    at,
                }];
                events.extend(self.verdict());
                events
            }
            Update::Ticket(TicketUpdate::Error {
                id,
                error,
                last_good,
                at,
            }) if self.status.contains_key(&id) => {
                self.on_error(id, error, last_good.is_some(), at)
            }
            Update::Ticket(TicketUpdate::Error { .. }) => Vec::new(),
            Update::Health(HealthUpdate::AuthFailed { error, .. }) => vec![WaitEvent::Finished {
                exit: Exit::from(&error),
                message: Some(format!("authentication failed: {error}")),
            }],
            Update::Health(HealthUpdate::Throttled { until, error }) => {
                vec![WaitEvent::Throttled {
                    until,
                    error,
                    at: SystemTime::now(),
                }]
            }
            Update::Ticket(TicketUpdate::Joined { .. } | TicketUpdate::Left { .. })
            | Update::Health(HealthUpdate::ProfileStopped { .. })
            | Update::Reply(_) => Vec::new(),
        }
    }

    /// A ticket that cannot be fetched at all ends the wait; any other error is told
    /// while the engine backs off.
    fn on_error(
        &mut self,
        id: TicketRef,
        error: ApiError,
        seen_before: bool,
        at: SystemTime,
    ) -> Vec<WaitEvent> {
        let since = self
            .failing
            .get(&id)
            .map_or_else(Instant::now, |(since, _)| *since);
        self.failing.insert(id.clone(), (since, error.clone()));
        let permanent = matches!(
            error.kind(),
            ErrorKind::NotFound | ErrorKind::BadResponse | ErrorKind::Local
        );
        if permanent && !seen_before {
            return vec![WaitEvent::Finished {
                exit: Exit::from(&error),
                message: Some(format!("{id}: {error}")),
            }];
        }
        vec![WaitEvent::Failed { id, error, at }]
    }

    /// When the ticket failing longest reaches the give-up time.
    pub fn give_up_at(&self) -> Option<Instant> {
        let since = self.failing.values().map(|(since, _)| *since).min()?;
        // Past the clock's range: never.
        since.checked_add(self.give_up)
    }

    /// The end of the wait when a ticket has failed for the give-up time: exit 5 with
    /// its last error.
    fn gave_up(&self) -> Option<WaitEvent> {
        let now = Instant::now();
        let (id, (since, error)) = self
            .failing
            .iter()
            .filter(|(_, (since, _))| now.saturating_duration_since(*since) >= self.give_up)
            .min_by_key(|(id, (since, _))| (*since, (*id).clone()))?;
        Some(WaitEvent::Finished {
            exit: Exit::Fetch,
            message: Some(format!(
                "{id}: gave up after {} of failures: {error}",
                format::as_setting(now.saturating_duration_since(*since))
            )),
        })
    }

    fn verdict(&self) -> Option<WaitEvent> {
        if self.status.is_empty() {
            return None;
        }
        let mut any_unsuccessful = false;
        for status in self.status.values() {
            match status {
                Some(s) if s.is_terminal() => any_unsuccessful |= s.is_unsuccessful(),
                _ => return None,
            }
        }
        let exit = if any_unsuccessful {
            Exit::Unsuccessful
        } else {
            Exit::Success
        };
        Some(WaitEvent::Finished {
            exit,
            message: None,
        })
    }

    fn timed_out(&self) -> WaitEvent {
        let mut unfinished: Vec<String> = self
            .status
            .iter()
            .filter(|(_, s)| !s.as_ref().is_some_and(JobStatus::is_terminal))
            .map(|(id, _)| id.to_string())
            .collect();
        unfinished.sort_unstable();
        WaitEvent::Finished {
            exit: Exit::TimedOut,
            message: Some(format!(
                "timed out; still unfinished: {}",
                unfinished.join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::*;
    use crate::coc::{ScriptStatus, ScriptTicket, Status, Ticket};
    use crate::watch::{self, EngineConfig, Fetcher};

    fn id(text: &str) -> TicketRef {
        TicketRef::parse(text).unwrap()
    }

    /// Each ticket answers its statuses in turn, the last one for ever.
    struct Scripted(Mutex<HashMap<String, Vec<Status>>>);

    impl Scripted {
        fn new(scripts: &[(&str, &[Status])]) -> Arc<Scripted> {
            Arc::new(Scripted(Mutex::new(
                scripts
                    .iter()
                    .map(|(id, statuses)| (id.to_string(), statuses.to_vec()))
                    .collect(),
            )))
        }
    }

    impl Fetcher for Scripted {
        fn fetch(
            &self,
            execution_id: &str,
        ) -> impl Future<Output = Result<Ticket, ApiError>> + Send {
            let mut scripts = self.0.lock().unwrap();
            let script = scripts.get_mut(execution_id).expect("a scripted ticket");
            let status = if script.len() > 1 {
                script.remove(0)
            } else {
                script[0].clone()
            };
            let body = json!({"execution_id": execution_id, "status": status.as_str(),
                              "document_name": format!("job of {execution_id}")});
            let ticket: Ticket = serde_json::from_value(body).unwrap();
            async move { Ok(ticket) }
        }
    }

    async fn wait_for(
        scripts: &[(&str, &[Status])],
        timeout: Option<Duration>,
    ) -> (Exit, Vec<WaitEvent>) {
        let targets: Vec<WatchEntry> = scripts
            .iter()
            .map(|(text, _)| WatchEntry::unlabelled(id(text)))
            .collect();
        let config = EngineConfig {
            interval: Duration::from_secs(5),
            ..EngineConfig::default()
        };
        follow_engine(Scripted::new(scripts), config, &targets, timeout).await
    }

    /// Runs the engine on `fetcher` and follows it to the end of the wait.
    async fn follow_engine<F: Fetcher>(
        fetcher: Arc<F>,
        config: EngineConfig,
        targets: &[WatchEntry],
        timeout: Option<Duration>,
    ) -> (Exit, Vec<WaitEvent>) {
        let ids = targets.iter().map(|t| t.id.clone()).collect();
        let mut engine = watch::spawn(fetcher, config, ids);
        let mut waiter = Waiter::new(targets, DEFAULT_GIVE_UP);
        let mut events = Vec::new();
        let exit = follow(&mut engine.updates, &mut waiter, timeout, |e| {
            events.push(e.clone());
            true
        })
        .await;
        engine.shutdown().await;
        (exit, events)
    }

    fn changes(events: &[WaitEvent]) -> Vec<(String, Option<JobStatus>, JobStatus)> {
        events
            .iter()
            .filter_map(|e| match e {
                WaitEvent::Changed { id, from, to, .. } => {
                    Some((id.to_string(), from.clone(), to.clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn every_change_is_an_event_and_a_failure_ends_with_1() {
        use Status::*;
        let (exit, events) = wait_for(
            &[
                ("EX1", &[Pending, Running, Succeed]),
                ("EX2", &[Running, Failed]),
            ],
            None,
        )
        .await;
        assert_eq!(exit, Exit::Unsuccessful);
        let mut seen = changes(&events);
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        let e = JobStatus::Execution;
        assert_eq!(
            seen,
            vec![
                ("EX1".into(), None, e(Pending)),
                ("EX1".into(), Some(e(Pending)), e(Running)),
                ("EX1".into(), Some(e(Running)), e(Succeed)),
                ("EX2".into(), None, e(Running)),
                ("EX2".into(), Some(e(Running)), e(Failed)),
            ]
        );
        assert!(matches!(
            events.last(),
            Some(WaitEvent::Finished {
                exit: Exit::Unsuccessful,
                message: None
            })
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn all_succeeded_is_0_and_names_come_from_the_job() {
        let (exit, events) = wait_for(&[("EX1", &[Status::Succeed])], None).await;
        assert_eq!(exit, Exit::Success);
        assert!(matches!(&events[0], WaitEvent::Changed { name, .. } if name == "job of EX1"));
    }

    #[tokio::test(start_paused = true)]
    async fn the_timeout_ends_with_3_and_names_the_unfinished_in_virtual_time() {
        let started = tokio::time::Instant::now();
        let (exit, events) = wait_for(
            &[("EX1", &[Status::Running]), ("EX2", &[Status::Succeed])],
            Some(Duration::from_secs(3600)),
        )
        .await;
        assert_eq!(exit, Exit::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(3600));
        assert_eq!(
            events.last(),
            Some(&WaitEvent::Finished {
                exit: Exit::TimedOut,
                message: Some("timed out; still unfinished: EX1".into()),
            })
        );
    }

    /// Fails (time-outs) except for one `Running` answer at the first poll at or after
    /// `recovers_at` from the start, when given.
    struct Down {
        started: Instant,
        recovers_at: Option<Duration>,
        recovered: Mutex<bool>,
    }

    impl Fetcher for Down {
        fn fetch(
            &self,
            execution_id: &str,
        ) -> impl Future<Output = Result<Ticket, ApiError>> + Send {
            let mut recovered = self.recovered.lock().unwrap();
            let answer = match self.recovers_at {
                Some(at) if !*recovered && self.started.elapsed() >= at => {
                    *recovered = true;
                    let body = json!({"execution_id": execution_id, "status": "Running"});
                    Ok(serde_json::from_value(body).unwrap())
                }
                _ => Err(ApiError::Timeout {
                    after: Duration::from_secs(15),
                }),
            };
            async move { answer }
        }
    }

    async fn wait_on_down(recovers_at: Option<Duration>) -> (Exit, Vec<WaitEvent>, Duration) {
        let started = Instant::now();
        let fetcher = Arc::new(Down {
            started,
            recovers_at,
            recovered: Mutex::new(false),
        });
        let targets = [WatchEntry::unlabelled(id("EX1"))];
        let (exit, events) = follow_engine(fetcher, EngineConfig::default(), &targets, None).await;
        (exit, events, started.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn a_ticket_failing_for_the_give_up_time_ends_the_wait_with_5_and_its_error() {
        let (exit, events, elapsed) = wait_on_down(None).await;
        assert_eq!(exit, Exit::Fetch);
        assert_eq!(elapsed, DEFAULT_GIVE_UP);
        assert_eq!(
            events.last(),
            Some(&WaitEvent::Finished {
                exit: Exit::Fetch,
                message: Some(
                    "EX1: gave up after 10m of failures: request timed out after 15s".into()
                ),
            })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn every_failed_poll_of_a_waited_ticket_is_an_event_while_the_engine_backs_off() {
        let recovery = Duration::from_secs(200);
        let (_, events, _) = wait_on_down(Some(recovery)).await;
        let failed: Vec<&WaitEvent> = events
            .iter()
            .take_while(|e| !matches!(e, WaitEvent::Changed { .. }))
            .collect();
        assert!(failed.len() >= 3, "{events:?}");
        assert!(failed.iter().all(|e| matches!(
            e,
            WaitEvent::Failed { id, error: ApiError::Timeout { .. }, .. }
                if *id == "EX1"
        )));
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_between_failures_starts_the_give_up_time_again() {
        let recovery = Duration::from_secs(200);
        let (exit, events, elapsed) = wait_on_down(Some(recovery)).await;
        assert_eq!(exit, Exit::Fetch);
        assert!(events.iter().any(|e| matches!(
            e,
            WaitEvent::Changed {
                to: JobStatus::Execution(Status::Running),
                ..
            }
        )));
        assert!(elapsed > recovery + DEFAULT_GIVE_UP, "{elapsed:?}");
    }

    /// Script tickets answer their statuses in turn, the last one for ever.
    struct ScriptedScripts(Mutex<HashMap<String, Vec<ScriptStatus>>>);

    impl Fetcher for ScriptedScripts {
        fn fetch(&self, _: &str) -> impl Future<Output = Result<Ticket, ApiError>> + Send {
            std::future::ready(Err(ApiError::Network {
                detail: "no executions here".into(),
            }))
        }

        fn fetch_script(
            &self,
            execute_uuid: &str,
        ) -> impl Future<Output = Result<ScriptTicket, ApiError>> + Send {
            let mut scripts = self.0.lock().unwrap();
            let script = scripts.get_mut(execute_uuid).expect("a scripted ticket");
            let status = if script.len() > 1 {
                script.remove(0)
            } else {
                script[0].clone()
            };
            let body = json!({"execute_uuid": execute_uuid, "status": status.as_str(),
                              "properties": {"script_name": format!("script of {execute_uuid}")}});
            std::future::ready(Ok(serde_json::from_value(body).unwrap()))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn script_tickets_end_the_wait_finished_0_abnormal_or_canceled_1() {
        use ScriptStatus::*;
        let cases: [(&[ScriptStatus], Exit); 4] = [
            (&[Processing, Finished], Exit::Success),
            (&[Processing, Paused, Abnormal], Exit::Unsuccessful),
            (&[Ready, Canceled], Exit::Unsuccessful),
            (&[Processing, Rollbacked], Exit::Unsuccessful),
        ];
        for (statuses, want) in cases {
            let fetcher = Arc::new(ScriptedScripts(Mutex::new(HashMap::from([(
                "JS1".to_string(),
                statuses.to_vec(),
            )]))));
            let targets = [WatchEntry::unlabelled(id("script/JS1"))];
            let config = EngineConfig::default();
            let (exit, events) = follow_engine(fetcher, config, &targets, None).await;
            assert_eq!(exit, want, "{statuses:?}");
            let WaitEvent::Changed { id, name, .. } = &events[0] else {
                panic!("{events:?}")
            };
            assert_eq!(
                (id.to_string(), name.as_str()),
                ("script/JS1".into(), "script of JS1")
            );
            let last = changes(&events).pop().unwrap();
            assert_eq!(last.2, JobStatus::Script(statuses.last().unwrap().clone()));
        }
    }
}
