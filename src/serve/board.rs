//! What `coctop serve` knows of each profile: where its tickets stand (the ticket
//! gauges, the change events) and whether it polls (`/healthz`, `profile_up`).

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, SystemTime};

use super::metrics::{Metrics, TicketLabels, status_label};
use crate::coc::{ApiError, JobStatus, TicketKind, TicketRef};
use crate::format;
use crate::text::{fit, sanitize};
use crate::watch::{HealthUpdate, TicketUpdate, Update};

/// The columns of a job's name as the board holds it and `/events` tells it: a
/// server's name may be megabytes, and every change line (up to `events::BACKLOG` of
/// them waiting for a slow reader) carries it.
pub const MAX_NAME: usize = 256;

/// A status change, as `/events` tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub at: SystemTime,
    pub profile: String,
    /// Its kind (`/events`' `kind`) and ID.
    pub id: TicketRef,
    pub name: String,
    /// `None` on the first sight.
    pub from: Option<JobStatus>,
    pub to: JobStatus,
}

/// Every profile's tickets and health.
pub struct Board {
    profiles: Vec<ProfileBoard>,
}

struct ProfileBoard {
    name: String,
    tickets: HashMap<TicketRef, Held>,
    /// Tickets per (kind, query, status label): what the gauge shows.
    cells: HashMap<(TicketKind, String, &'static str), i64>,
    health: Health,
}

/// One ticket the profile's engine tracks.
#[derive(Default)]
struct Held {
    /// The `[[watch]]` label, else the job's name.
    label: Option<String>,
    job: Option<String>,
    status: Option<JobStatus>,
    /// Named by a `[[watch]]` entry.
    watched: bool,
    /// The `[[query]]`s that hold it.
    queries: BTreeSet<String>,
}

impl Held {
    /// The gauge cells this ticket counts in: one per query that holds it, and the
    /// empty query when it is watched. A ticket not yet seen counts nowhere.
    fn cells(&self, kind: TicketKind) -> Vec<(TicketKind, String, &'static str)> {
        let Some(status) = &self.status else {
            return Vec::new();
        };
        let status = status_label(Some(status));
        let watched = self.watched.then(String::new);
        self.queries
            .iter()
            .cloned()
            .chain(watched)
            .map(|query| (kind, query, status))
            .collect()
    }

    fn name(&self) -> String {
        self.label
            .clone()
            .or_else(|| self.job.clone())
            .unwrap_or_default()
    }
}

/// Whether a profile polls, as far as its answers tell.
struct Health {
    /// It never could (its credentials are missing, say): why.
    unusable: Option<String>,
    /// A 401/403 stopped it, for good: `serve` sends no probe (the gateway locks a
    /// key after five failed signatures in a row).
    auth: Option<ApiError>,
    last_success: Option<SystemTime>,
    /// Since when every answer failed (no success since), and the last error.
    failing: Option<(SystemTime, String)>,
    /// Failing for this long makes the profile unhealthy.
    stall_after: Duration,
}

/// What a profile starts with: its name, its `[[watch]]` tickets and their labels, how
/// long its requests may fail before it counts as stalled, and why it cannot poll at
/// all, if so.
pub struct ProfileStart {
    pub name: String,
    pub watched: Vec<(TicketRef, Option<String>)>,
    pub stall_after: Duration,
    pub unusable: Option<String>,
}

/// How long every request of a profile may fail before `/healthz` says so: three poll
/// intervals, and at least a minute (a 429's pause is usually shorter).
pub fn stall_after(interval: Duration) -> Duration {
    (interval * 3).max(Duration::from_secs(60))
}

impl Board {
    pub fn new(profiles: Vec<ProfileStart>) -> Board {
        let profiles = profiles
            .into_iter()
            .map(|start| ProfileBoard {
                name: start.name,
                tickets: start
                    .watched
                    .into_iter()
                    .map(|(id, label)| {
                        let held = Held {
                            label,
                            watched: true,
                            ..Held::default()
                        };
                        (id, held)
                    })
                    .collect(),
                cells: HashMap::new(),
                health: Health {
                    unusable: start.unusable,
                    auth: None,
                    last_success: None,
                    failing: None,
                    stall_after: start.stall_after,
                },
            })
            .collect();
        Board { profiles }
    }

    /// Takes one update of `profile`'s engine into the gauges and counters; the change
    /// it tells, if any.
    pub fn apply(&mut self, profile: usize, update: Update, metrics: &Metrics) -> Option<Change> {
        let board = &mut self.profiles[profile];
        match update {
            Update::Ticket(TicketUpdate::Snapshot { id, ticket, .. }) => {
                if let Some(held) = board.tickets.get_mut(&id) {
                    held.job = ticket.name().map(|name| fit(name, MAX_NAME).into_owned());
                }
                None
            }
            Update::Ticket(TicketUpdate::Transition { id, from, to, at }) => {
                let to_now = to.clone();
                let name = board.regroup(&id, metrics, |held| {
                    held.status = Some(to_now);
                })?;
                metrics.transition(&board.name, id.kind(), from.as_ref(), &to);
                Some(Change {
                    at,
                    profile: board.name.clone(),
                    id,
                    name,
                    from,
                    to,
                })
            }
            Update::Ticket(TicketUpdate::Joined { id, query, .. }) => {
                board.tickets.entry(id.clone()).or_default();
                board.regroup(&id, metrics, |held| {
                    held.queries.insert(query);
                });
                None
            }
            Update::Ticket(TicketUpdate::Left {
                id, query, dropped, ..
            }) => {
                board.regroup(&id, metrics, |held| {
                    held.queries.remove(&query);
                });
                if dropped {
                    board.tickets.remove(&id);
                }
                None
            }
            Update::Health(HealthUpdate::AuthFailed { error, .. }) => {
                metrics.auth_failed(&board.name);
                board.health.auth = Some(error);
                None
            }
            Update::Health(HealthUpdate::Throttled { .. }) => {
                metrics.throttled(&board.name);
                None
            }
            // Each profile has its own engine here: its own AuthFailed says it.
            Update::Ticket(TicketUpdate::Error { .. })
            | Update::Health(HealthUpdate::ProfileStopped { .. })
            | Update::Reply(_) => None,
        }
    }

    /// One answered request of `profile`: `error` when it failed.
    pub fn answered(&mut self, profile: usize, error: Option<&ApiError>, at: SystemTime) {
        let health = &mut self.profiles[profile].health;
        match error {
            None => {
                health.last_success = Some(at);
                health.failing = None;
            }
            Some(error) => {
                let since = health.failing.as_ref().map_or(at, |(since, _)| *since);
                health.failing = Some((since, error.to_string()));
            }
        }
    }

    /// Why each profile that does not poll does not, as of `now`; empty when all do.
    /// Sets `profile_up` to match.
    pub fn problems(&self, now: SystemTime, metrics: &Metrics) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        for board in &self.profiles {
            let problem = board.health.problem(now);
            metrics.set_up(&board.name, problem.is_none());
            if let Some(problem) = problem {
                problems.push((board.name.clone(), sanitize(&problem).into_owned()));
            }
        }
        problems
    }

    /// One line per profile: polling (and when it last succeeded) or what is wrong.
    pub fn summary(&self, now: SystemTime) -> Vec<String> {
        self.profiles
            .iter()
            .map(|board| {
                let state = match board.health.problem(now) {
                    Some(problem) => problem,
                    None => match board.health.last_success {
                        Some(at) => format!("polling; last success {}", format::age(now, at)),
                        None => "polling; no answer yet".to_string(),
                    },
                };
                format!("{}: {}", board.name, sanitize(&state))
            })
            .collect()
    }
}

impl ProfileBoard {
    /// Changes a held ticket with `change` and moves its counts from its old cells to
    /// its new ones; the ticket's name, `None` when it is not held.
    fn regroup(
        &mut self,
        id: &TicketRef,
        metrics: &Metrics,
        change: impl FnOnce(&mut Held),
    ) -> Option<String> {
        let kind = id.kind();
        let held = self.tickets.get_mut(id)?;
        let before = held.cells(kind);
        change(held);
        let after = held.cells(kind);
        let name = held.name();
        for (cell, delta) in before
            .into_iter()
            .map(|c| (c, -1))
            .chain(after.into_iter().map(|c| (c, 1)))
        {
            let count = self.cells.entry(cell.clone()).or_default();
            *count += delta;
            let (kind, query, status) = cell;
            metrics.set_tickets(
                &TicketLabels {
                    profile: self.name.clone(),
                    kind: kind.as_str(),
                    query,
                    status,
                },
                *count,
            );
        }
        Some(name)
    }
}

impl Health {
    fn problem(&self, now: SystemTime) -> Option<String> {
        if let Some(why) = &self.unusable {
            return Some(why.clone());
        }
        if let Some(error) = &self.auth {
            return Some(format!(
                "authentication failed, polling stopped (restart with working \
                 credentials): {error}"
            ));
        }
        let (since, error) = self.failing.as_ref()?;
        let failing_for = now.duration_since(*since).unwrap_or_default();
        (failing_for >= self.stall_after).then(|| {
            format!(
                "every request failed for {}: {error}",
                format::as_setting(failing_for)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::coc::Status;

    fn board() -> (Board, Metrics) {
        let start = ProfileStart {
            name: "prod".into(),
            watched: vec![(ex1(), Some("drill".into()))],
            stall_after: Duration::from_secs(60),
            unusable: None,
        };
        (
            Board::new(vec![start]),
            Metrics::new(["prod"], &[TicketKind::Execution, TicketKind::Script]),
        )
    }

    fn ex1() -> TicketRef {
        TicketRef::parse("EX1").unwrap()
    }

    fn transition(id: TicketRef, from: Option<Status>, to: Status) -> Update {
        Update::Ticket(TicketUpdate::Transition {
            id,
            from: from.map(JobStatus::from),
            to: to.into(),
            at: SystemTime::UNIX_EPOCH,
        })
    }

    fn gauge(metrics: &Metrics, query: &str, status: &str) -> Option<String> {
        let needle = format!(
            "coctop_tickets{{profile=\"prod\",kind=\"execution\",query=\"{query}\",status=\"{status}\"}} "
        );
        let text = metrics.encode();
        let line = text.lines().find(|l| l.starts_with(&needle))?;
        Some(line[needle.len()..].to_string())
    }

    #[test]
    fn a_ticket_moves_between_cells_and_counts_once_per_query_and_once_as_watched() {
        let (mut board, metrics) = board();
        let joined = Update::Ticket(TicketUpdate::Joined {
            id: ex1(),
            query: "team".into(),
            at: SystemTime::UNIX_EPOCH,
        });
        board.apply(0, joined, &metrics);
        let change = board
            .apply(0, transition(ex1(), None, Status::Running), &metrics)
            .expect("a change");
        assert_eq!((change.name.as_str(), change.from), ("drill", None));
        assert_eq!(gauge(&metrics, "", "Running").as_deref(), Some("1"));
        assert_eq!(gauge(&metrics, "team", "Running").as_deref(), Some("1"));
        board.apply(
            0,
            transition(ex1(), Some(Status::Running), Status::Failed),
            &metrics,
        );
        assert_eq!(gauge(&metrics, "", "Running").as_deref(), Some("0"));
        assert_eq!(gauge(&metrics, "team", "Failed").as_deref(), Some("1"));
        let left = Update::Ticket(TicketUpdate::Left {
            id: ex1(),
            query: "team".into(),
            dropped: false,
            at: SystemTime::UNIX_EPOCH,
        });
        board.apply(0, left, &metrics);
        assert_eq!(gauge(&metrics, "team", "Failed").as_deref(), Some("0"));
        assert_eq!(gauge(&metrics, "", "Failed").as_deref(), Some("1"));
    }

    #[test]
    fn a_servers_huge_job_name_is_cut_before_it_is_held_or_told() {
        let (mut board, metrics) = board();
        let unlabelled = TicketRef::parse("EX2").unwrap();
        let joined = Update::Ticket(TicketUpdate::Joined {
            id: unlabelled.clone(),
            query: "team".into(),
            at: SystemTime::UNIX_EPOCH,
        });
        board.apply(0, joined, &metrics);
        let mut ticket = crate::coc::Ticket::empty("EX2");
        ticket.document_name = Some("A".repeat(1_000_000).into());
        let snapshot = Update::Ticket(TicketUpdate::Snapshot {
            id: unlabelled.clone(),
            ticket: Arc::new(ticket.into()),
            at: SystemTime::UNIX_EPOCH,
        });
        board.apply(0, snapshot, &metrics);
        let change = board
            .apply(0, transition(unlabelled, None, Status::Failed), &metrics)
            .expect("a change");
        assert_eq!(
            change.name.chars().count(),
            MAX_NAME,
            "{}",
            change.name.len()
        );
        assert!(change.name.ends_with('…'));
    }

    #[test]
    fn an_invented_status_is_unknown_in_the_labels_never_a_new_series() {
        let (mut board, metrics) = board();
        let odd = Status::Unknown("Succeed\u{1b}[31m".into());
        board.apply(0, transition(ex1(), None, odd), &metrics);
        assert_eq!(gauge(&metrics, "", "unknown").as_deref(), Some("1"));
        assert!(!metrics.encode().contains("\u{1b}"));
    }

    #[test]
    fn a_profile_is_unhealthy_once_every_request_failed_for_the_stall_time() {
        let (mut board, metrics) = board();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let down = ApiError::Network {
            detail: "refused".into(),
        };
        board.answered(0, Some(&down), t0);
        assert!(
            board
                .problems(t0 + Duration::from_secs(59), &metrics)
                .is_empty()
        );
        let problems = board.problems(t0 + Duration::from_secs(60), &metrics);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].1.contains("every request failed for 1m"),
            "{problems:?}"
        );
        assert!(
            metrics
                .encode()
                .contains("coctop_profile_up{profile=\"prod\"} 0")
        );
        board.answered(0, None, t0 + Duration::from_secs(61));
        assert!(
            board
                .problems(t0 + Duration::from_secs(62), &metrics)
                .is_empty()
        );
    }
}
