//! What `/metrics` exposes, in the Prometheus text format (`prometheus-client`).
//!
//! Every label takes its values from a bounded set: profile and query names from the
//! config, the ticket kind (`execution`, `script`), each kind's seven statuses (any
//! other status the server sends is `unknown`), the request outcomes. No ticket ID is
//! ever a label: a team's tickets would make a new series each, without end.

use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::coc::{ErrorKind, JobStatus, ScriptStatus, Status, TicketKind};

/// The content type of what [`Metrics::encode`] writes.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Every metric name starts with this (and `_`).
pub const PREFIX: &str = "coctop";

/// `status` of a ticket whose status is not one of its kind's known ones (or none).
pub const UNKNOWN_STATUS: &str = "unknown";

/// `from` of a ticket's first sight.
pub const FIRST_SIGHT: &str = "none";

/// The label value of a status: its name when known, else `unknown`, so a server
/// inventing statuses cannot grow the series without bound.
pub fn status_label(status: Option<&JobStatus>) -> &'static str {
    match status {
        Some(JobStatus::Execution(Status::Pending)) => "Pending",
        Some(JobStatus::Execution(Status::Running)) => "Running",
        Some(JobStatus::Execution(Status::Succeed)) => "Succeed",
        Some(JobStatus::Execution(Status::Canceling)) => "Canceling",
        Some(JobStatus::Execution(Status::Canceled)) => "Canceled",
        Some(JobStatus::Execution(Status::Failed)) => "Failed",
        Some(JobStatus::Execution(Status::Timeout)) => "Timeout",
        Some(JobStatus::Script(ScriptStatus::Ready)) => "READY",
        Some(JobStatus::Script(ScriptStatus::Processing)) => "PROCESSING",
        Some(JobStatus::Script(ScriptStatus::Abnormal)) => "ABNORMAL",
        Some(JobStatus::Script(ScriptStatus::Paused)) => "PAUSED",
        Some(JobStatus::Script(ScriptStatus::Canceled)) => "CANCELED",
        Some(JobStatus::Script(ScriptStatus::Finished)) => "FINISHED",
        Some(JobStatus::Script(ScriptStatus::Rollbacked)) => "ROLLBACKED",
        Some(JobStatus::Execution(Status::Unknown(_)))
        | Some(JobStatus::Script(ScriptStatus::Unknown(_)))
        | None => UNKNOWN_STATUS,
    }
}

/// The labels of the known statuses of `kind`.
fn known_labels(kind: TicketKind) -> Vec<&'static str> {
    let known: Vec<JobStatus> = match kind {
        TicketKind::Execution => Status::KNOWN.into_iter().map(JobStatus::from).collect(),
        TicketKind::Script => ScriptStatus::KNOWN
            .into_iter()
            .map(JobStatus::from)
            .collect(),
    };
    known.iter().map(|s| status_label(Some(s))).collect()
}

/// The `outcome` of an API request.
pub fn outcome_label(error: Option<ErrorKind>) -> &'static str {
    match error {
        None => "ok",
        Some(ErrorKind::Auth) => "auth",
        Some(ErrorKind::Throttled) => "throttled",
        Some(ErrorKind::NotFound) => "not_found",
        Some(ErrorKind::Server) => "server_error",
        Some(ErrorKind::Network) => "network",
        Some(ErrorKind::BadResponse) => "bad_response",
        Some(ErrorKind::Local) => "local",
    }
}

const OUTCOMES: [Option<ErrorKind>; 8] = [
    None,
    Some(ErrorKind::Auth),
    Some(ErrorKind::Throttled),
    Some(ErrorKind::NotFound),
    Some(ErrorKind::Server),
    Some(ErrorKind::Network),
    Some(ErrorKind::BadResponse),
    Some(ErrorKind::Local),
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TicketLabels {
    pub profile: String,
    pub kind: &'static str,
    /// The `[[query]]` that holds the ticket; empty for a `[[watch]]` ticket.
    pub query: String,
    pub status: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransitionLabels {
    profile: String,
    kind: &'static str,
    from: &'static str,
    to: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    profile: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProfileLabels {
    profile: String,
}

/// The metric families, and the registry that writes them.
pub struct Metrics {
    registry: Registry,
    tickets: Family<TicketLabels, Gauge>,
    transitions: Family<TransitionLabels, Counter>,
    requests: Family<RequestLabels, Counter>,
    throttle_pauses: Family<ProfileLabels, Counter>,
    auth_failures: Family<ProfileLabels, Counter>,
    last_success: Family<ProfileLabels, Gauge<f64, AtomicU64>>,
    up: Family<ProfileLabels, Gauge>,
}

impl Metrics {
    /// The families, with every counter an alert may watch already at 0 for each of
    /// `profiles` (a series that appears at 1 hides its first increase from `increase()`).
    pub fn new<'a>(profiles: impl IntoIterator<Item = &'a str>, kinds: &[TicketKind]) -> Metrics {
        let mut registry = Registry::with_prefix(PREFIX);
        let metrics = Metrics {
            tickets: Family::default(),
            transitions: Family::default(),
            requests: Family::default(),
            throttle_pauses: Family::default(),
            auth_failures: Family::default(),
            last_success: Family::default(),
            up: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "tickets",
            "Tickets watched, by profile, kind, query (empty for [[watch]] tickets) and status",
            metrics.tickets.clone(),
        );
        registry.register(
            "status_transitions",
            "Status changes seen, by profile, kind, from (none: first sight) and to",
            metrics.transitions.clone(),
        );
        registry.register(
            "api_requests",
            "API requests answered, by profile and outcome",
            metrics.requests.clone(),
        );
        registry.register(
            "throttle_pauses",
            "Pauses after a 429 (nothing is sent to the profile until Retry-After)",
            metrics.throttle_pauses.clone(),
        );
        registry.register(
            "auth_failures",
            "Authentication failures (401/403): the profile stops polling",
            metrics.auth_failures.clone(),
        );
        registry.register(
            "last_successful_poll_timestamp_seconds",
            "When the profile's last request succeeded (Unix time)",
            metrics.last_success.clone(),
        );
        registry.register(
            "profile_up",
            "1 while the profile polls, 0 when /healthz names it",
            metrics.up.clone(),
        );
        for profile in profiles {
            let of = ProfileLabels {
                profile: profile.to_string(),
            };
            metrics.throttle_pauses.get_or_create(&of).inc_by(0);
            metrics.auth_failures.get_or_create(&of).inc_by(0);
            metrics.up.get_or_create(&of).set(1);
            for outcome in OUTCOMES {
                metrics.request(profile, outcome, 0);
            }
            for &kind in kinds {
                let known = known_labels(kind);
                for &to in &known {
                    let from_all = known.iter().copied().chain([FIRST_SIGHT]);
                    for from in from_all.filter(|from| *from != to) {
                        let labels = TransitionLabels {
                            profile: profile.to_string(),
                            kind: kind.as_str(),
                            from,
                            to,
                        };
                        metrics.transitions.get_or_create(&labels).inc_by(0);
                    }
                }
            }
        }
        Metrics {
            registry,
            ..metrics
        }
    }

    /// Shows `query`'s tickets of `profile` and `kind` at 0 in every status until some
    /// arrive: an alert on a rise of `Failed` sees the first one too.
    pub fn zero_tickets(&self, profile: &str, kind: TicketKind, query: &str) {
        for status in known_labels(kind).into_iter().chain([UNKNOWN_STATUS]) {
            let cell = TicketLabels {
                profile: profile.to_string(),
                kind: kind.as_str(),
                query: query.to_string(),
                status,
            };
            self.tickets.get_or_create(&cell).set(0);
        }
    }

    /// Sets the number of tickets in one cell.
    pub fn set_tickets(&self, cell: &TicketLabels, count: i64) {
        self.tickets.get_or_create(cell).set(count);
    }

    pub fn transition(
        &self,
        profile: &str,
        kind: TicketKind,
        from: Option<&JobStatus>,
        to: &JobStatus,
    ) {
        let from = from.map_or(FIRST_SIGHT, |from| status_label(Some(from)));
        self.transitions
            .get_or_create(&TransitionLabels {
                profile: profile.to_string(),
                kind: kind.as_str(),
                from,
                to: status_label(Some(to)),
            })
            .inc();
    }

    /// Counts `n` requests of `profile` that ended with `error` (`None`: success).
    pub fn request(&self, profile: &str, error: Option<ErrorKind>, n: u64) {
        self.requests
            .get_or_create(&RequestLabels {
                profile: profile.to_string(),
                outcome: outcome_label(error),
            })
            .inc_by(n);
    }

    pub fn throttled(&self, profile: &str) {
        self.throttle_pauses.get_or_create(&of(profile)).inc();
    }

    pub fn auth_failed(&self, profile: &str) {
        self.auth_failures.get_or_create(&of(profile)).inc();
    }

    pub fn succeeded_at(&self, profile: &str, at: SystemTime) {
        let seconds = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        self.last_success.get_or_create(&of(profile)).set(seconds);
    }

    pub fn set_up(&self, profile: &str, up: bool) {
        self.up.get_or_create(&of(profile)).set(i64::from(up));
    }

    /// Everything, in the Prometheus text format (version 0.0.4).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

fn of(profile: &str) -> ProfileLabels {
    ProfileLabels {
        profile: profile.to_string(),
    }
}
