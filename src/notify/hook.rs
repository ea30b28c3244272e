//! The notification hook: the user's command, run as `process` runs programs (no
//! shell, no credential variable, a time limit) with the change in its environment, at
//! most `MAX_RUNNING` at once; a hook that fails, hangs or cannot start is logged, never
//! fatal, never waited on by the dashboard or the engine.

use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::Notification;
use crate::coc::JobStatus;
use crate::process;
use crate::text::sanitize;

/// Hooks running at once at most; a notification beyond that is dropped (and logged)
/// rather than queued behind hooks that may be hanging.
pub const MAX_RUNNING: usize = 3;
/// How much of a failing hook's stderr goes to the log.
const STDERR_EXCERPT: usize = 500;

/// How one run of the hook ended.
#[derive(Debug)]
pub enum HookOutcome {
    Exited {
        status: ExitStatus,
        /// The start of its stderr, sanitised.
        stderr: String,
    },
    /// Still running at the time limit: killed with its process group.
    Killed,
    CannotStart(std::io::Error),
    /// `MAX_RUNNING` hooks were already running.
    Skipped,
}

impl HookOutcome {
    /// What to log, `None` for a clean exit.
    pub fn problem(&self, program: &str, limit: Duration) -> Option<String> {
        match self {
            HookOutcome::Exited { status, .. } if status.success() => None,
            HookOutcome::Exited { status, stderr } if stderr.is_empty() => {
                Some(format!("notification hook {program:?} failed: {status}"))
            }
            HookOutcome::Exited { status, stderr } => Some(format!(
                "notification hook {program:?} failed: {status}: {stderr}"
            )),
            HookOutcome::Killed => Some(format!(
                "notification hook {program:?} still ran after {}s: killed",
                limit.as_secs_f64()
            )),
            HookOutcome::CannotStart(e) => {
                Some(format!("notification hook {program:?} cannot start: {e}"))
            }
            HookOutcome::Skipped => Some(format!(
                "notification hook {program:?}: {MAX_RUNNING} still running, this notification is not passed to it"
            )),
        }
    }
}

/// Runs the configured hook; cheap to clone (the clones share the running count).
#[derive(Debug, Clone)]
pub struct Hook {
    command: Arc<[String]>,
    limit: Duration,
    endpoint: String,
    slots: Arc<Semaphore>,
}

impl Hook {
    /// `None` when `command` is empty. `endpoint` is passed as `COCTOP_ENDPOINT`.
    pub fn new(command: &[String], limit: Duration, endpoint: &str) -> Option<Hook> {
        command.first()?;
        Some(Hook {
            command: command.into(),
            limit,
            endpoint: endpoint.to_string(),
            slots: Arc::new(Semaphore::new(MAX_RUNNING)),
        })
    }

    pub fn program(&self) -> &str {
        &self.command[0]
    }

    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// The environment the hook gets for `notification`: the first change in the
    /// singular variables, every ID of a burst in `COCTOP_EXECUTION_IDS` (a script
    /// ticket's as written, `script/UUID`). Sanitised: server text is never passed raw
    /// to another program.
    pub fn environment(&self, notification: &Notification) -> Vec<(&'static str, String)> {
        let first = &notification.changes[0];
        let ids: Vec<String> = notification
            .changes
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        vec![
            ("COCTOP_EXECUTION_ID", ids[0].clone()),
            ("COCTOP_NAME", sanitize(&first.name).into_owned()),
            (
                "COCTOP_FROM",
                first
                    .from
                    .as_ref()
                    .map_or(String::new(), |s| sanitize(s.as_str()).into_owned()),
            ),
            (
                "COCTOP_TO",
                sanitize(JobStatus::as_str(&first.to)).into_owned(),
            ),
            ("COCTOP_ENDPOINT", sanitize(&self.endpoint).into_owned()),
            ("COCTOP_COUNT", notification.changes.len().to_string()),
            ("COCTOP_EXECUTION_IDS", ids.join(" ")),
            ("COCTOP_TITLE", notification.title()),
            ("COCTOP_BODY", notification.body()),
        ]
    }

    /// Starts the hook in the background (on the current tokio runtime); the handle
    /// tells how it ended, which is also logged. Never blocks.
    pub fn spawn(&self, notification: &Notification) -> JoinHandle<HookOutcome> {
        let env = self.environment(notification);
        let permit = self.slots.clone().try_acquire_owned();
        let hook = self.clone();
        tokio::spawn(async move {
            let outcome = match permit {
                Ok(_permit) => hook.run(env).await,
                Err(_) => HookOutcome::Skipped,
            };
            if let Some(problem) = outcome.problem(hook.program(), hook.limit) {
                tracing::warn!("{problem}");
            }
            outcome
        })
    }

    async fn run(&self, env: Vec<(&'static str, String)>) -> HookOutcome {
        let keep = process::Keep::Stderr(STDERR_EXCERPT);
        match process::run(&self.command, &env, self.limit, keep).await {
            process::Ended::Exited { status, output } => HookOutcome::Exited {
                status,
                stderr: output,
            },
            process::Ended::Killed { .. } => HookOutcome::Killed,
            process::Ended::CannotStart(e) => HookOutcome::CannotStart(e),
        }
    }
}
