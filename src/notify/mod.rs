//! Notifications on status changes: which changes matter (`[notify] on`), how the
//! changes of one poll cycle become one notification, and how it is told (terminal
//! bell, desktop notification through the terminal, a hook command).
//!
//! `Notifier` decides and holds no I/O; `terminal` builds the escape sequences and
//! `hook` runs the command, so the dashboard and `wait` tell the same things.

pub mod hook;
pub mod terminal;

use std::io::Write;
use std::time::{Duration, SystemTime};

use tokio::task::JoinHandle;

use crate::coc::{JobStatus, TicketRef};
use crate::text::sanitize;
use hook::{Hook, HookOutcome};

/// `[notify]` of the config.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyConfig {
    pub on: NotifyOn,
    /// Ring the terminal bell.
    pub bell: bool,
    /// OSC 777 / OSC 9 desktop notification through the terminal.
    pub desktop: bool,
    /// A program and its arguments, run without a shell.
    pub command: Option<Vec<String>>,
    /// The hook is killed when it runs longer than this.
    pub timeout: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            on: NotifyOn::default(),
            bell: true,
            desktop: false,
            command: None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Which changes notify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyOn {
    /// A change to one of these statuses (of either kind of ticket).
    Statuses(Vec<JobStatus>),
    /// Every change.
    Any,
}

impl Default for NotifyOn {
    /// Every failure: `Failed`, `Timeout`, `ABNORMAL`, `ROLLBACKED`.
    fn default() -> Self {
        NotifyOn::Statuses(JobStatus::known().filter(JobStatus::is_failure).collect())
    }
}

impl NotifyOn {
    /// The rule: a change notifies when the ticket was seen before in another status
    /// (the first sight of a ticket, finished or not, is where it stood already, not a
    /// change) and the new status is one the user asked for.
    pub fn is_notable(&self, from: Option<&JobStatus>, to: &JobStatus) -> bool {
        let Some(from) = from else {
            return false;
        };
        from != to
            && match self {
                NotifyOn::Any => true,
                NotifyOn::Statuses(statuses) => statuses.contains(to),
            }
    }
}

/// One status change, as the engine reported it (raw server values).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: TicketRef,
    /// The label, else the job or script name; may be empty.
    pub name: String,
    pub from: Option<JobStatus>,
    pub to: JobStatus,
    pub at: SystemTime,
}

/// The notable changes of one cycle, told at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// In the order they were seen; never empty.
    pub changes: Vec<Change>,
}

impl Notification {
    /// A short title, sanitised: "coctop: Failed: DB drill" or "coctop: 20 tickets changed".
    pub fn title(&self) -> String {
        match self.changes.as_slice() {
            [one] => {
                let id = one.id.to_string();
                let name = if one.name.is_empty() { &id } else { &one.name };
                format!("coctop: {}: {}", sanitize(one.to.as_str()), sanitize(name))
            }
            many => format!("coctop: {} tickets changed", many.len()),
        }
    }

    /// One line, sanitised: the ID and change of a single ticket, or the count per new
    /// status of a burst ("18 Failed, 2 Timeout").
    pub fn body(&self) -> String {
        match self.changes.as_slice() {
            [one] => format!(
                "{} {} -> {}",
                one.id,
                sanitize(one.from.as_ref().map_or("-", JobStatus::as_str)),
                sanitize(one.to.as_str())
            ),
            many => {
                let mut counts: Vec<(&JobStatus, usize)> = Vec::new();
                for change in many {
                    match counts.iter_mut().find(|(status, _)| *status == &change.to) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((&change.to, 1)),
                    }
                }
                counts
                    .iter()
                    .map(|(status, n)| format!("{n} {}", sanitize(status.as_str())))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
    }
}

/// Gathers notable changes: the first one opens a window of one poll cycle, and every
/// notable change seen before it closes joins the same notification, so twenty tickets
/// failing in one cycle are one notification, not twenty.
#[derive(Debug, Clone)]
pub struct Notifier {
    on: NotifyOn,
    window: Duration,
    pending: Vec<Change>,
}

impl Notifier {
    pub fn new(on: NotifyOn, window: Duration) -> Notifier {
        Notifier {
            on,
            window,
            pending: Vec::new(),
        }
    }

    /// New rules (a reloaded config); changes already gathered are still told.
    pub fn set_rules(&mut self, on: NotifyOn) {
        self.on = on;
    }

    /// Takes a change in; says whether it is notable (and so will be told).
    pub fn observe(&mut self, change: Change) -> bool {
        let notable = self.on.is_notable(change.from.as_ref(), &change.to);
        if notable {
            self.pending.push(change);
        }
        notable
    }

    /// When the gathered changes are due to be told.
    pub fn due_at(&self) -> Option<SystemTime> {
        let first = self.pending.iter().map(|c| c.at).min()?;
        Some(first + self.window)
    }

    /// The notification, once its window has closed at `now`.
    pub fn take_due(&mut self, now: SystemTime) -> Option<Notification> {
        if self.due_at()? > now {
            return None;
        }
        self.take_all()
    }

    /// Whatever is gathered, now (the end of a `wait`).
    pub fn take_all(&mut self) -> Option<Notification> {
        if self.pending.is_empty() {
            return None;
        }
        Some(Notification {
            changes: std::mem::take(&mut self.pending),
        })
    }
}

/// Carries notifications out: the bell and desktop sequences to a terminal, the hook
/// in the background.
#[derive(Debug, Clone)]
pub struct Teller {
    config: NotifyConfig,
    hook: Option<Hook>,
    endpoint: String,
}

impl Teller {
    /// `endpoint` is passed to the hook as `COCTOP_ENDPOINT`.
    pub fn new(config: &NotifyConfig, endpoint: &str) -> Teller {
        let hook = config
            .command
            .as_deref()
            .and_then(|command| Hook::new(command, config.timeout, endpoint));
        Teller {
            config: config.clone(),
            hook,
            endpoint: endpoint.to_string(),
        }
    }

    /// The same endpoint with new rules (a reloaded config).
    pub fn with_config(&self, config: &NotifyConfig) -> Teller {
        Teller::new(config, &self.endpoint)
    }

    /// Writes the sequences to `terminal` (when there is one) and starts the hook (on
    /// the current tokio runtime); the handle says how the hook ended.
    pub fn tell(
        &self,
        notification: &Notification,
        terminal: Option<&mut dyn Write>,
    ) -> Option<JoinHandle<HookOutcome>> {
        if let Some(out) = terminal {
            let sequences = terminal::sequences(&self.config, notification);
            if !sequences.is_empty() {
                let _ = out.write_all(sequences.as_bytes());
                let _ = out.flush();
            }
        }
        self.hook.as_ref().map(|hook| hook.spawn(notification))
    }

    pub fn hook(&self) -> Option<&Hook> {
        self.hook.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::coc::{ScriptStatus, Status};

    fn change(id: &str, from: Option<Status>, to: Status, at: SystemTime) -> Change {
        Change {
            id: TicketRef::parse(id).unwrap(),
            name: format!("job {id}"),
            from: from.map(JobStatus::from),
            to: to.into(),
            at,
        }
    }

    #[test]
    fn only_changes_to_the_chosen_statuses_notify_and_never_a_first_sight() {
        let on = NotifyOn::default();
        let script = |s| JobStatus::Script(s);
        assert!(on.is_notable(
            Some(&script(ScriptStatus::Processing)),
            &script(ScriptStatus::Abnormal)
        ));
        assert!(!on.is_notable(
            Some(&script(ScriptStatus::Processing)),
            &script(ScriptStatus::Finished)
        ));
        let on = |from: Option<&Status>, to: &Status| {
            NotifyOn::default()
                .is_notable(from.cloned().map(Into::into).as_ref(), &to.clone().into())
        };
        let any = |from: Option<&Status>, to: &Status| {
            NotifyOn::Any.is_notable(from.cloned().map(Into::into).as_ref(), &to.clone().into())
        };
        use Status::*;
        assert!(on(Some(&Running), &Failed));
        assert!(on(Some(&Running), &Timeout));
        assert!(!on(Some(&Running), &Succeed));
        assert!(!on(Some(&Pending), &Running));
        // Already finished when first seen: where it stood, not news.
        assert!(!on(None, &Failed));
        assert!(!on(Some(&Failed), &Failed));
        assert!(any(Some(&Pending), &Running));
        assert!(any(Some(&Running), &Unknown("Paused".into())));
        assert!(!any(None, &Running));
    }

    #[test]
    fn a_burst_in_one_cycle_is_one_notification() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let cycle = Duration::from_secs(5);
        let mut notifier = Notifier::new(NotifyOn::default(), cycle);
        for i in 0..18 {
            let at = t0 + Duration::from_millis(100 * i);
            let id = format!("EX{i:02}");
            assert!(notifier.observe(change(&id, Some(Status::Running), Status::Failed, at)));
        }
        for i in 18..20 {
            let at = t0 + Duration::from_millis(100 * i);
            let id = format!("EX{i:02}");
            notifier.observe(change(&id, Some(Status::Running), Status::Timeout, at));
        }
        // Not notable: ignored, not gathered.
        assert!(!notifier.observe(change("EX99", None, Status::Failed, t0)));
        assert_eq!(notifier.due_at(), Some(t0 + cycle));
        assert_eq!(notifier.take_due(t0 + Duration::from_secs(4)), None);
        let told = notifier.take_due(t0 + cycle).expect("one notification");
        assert_eq!(told.changes.len(), 20);
        assert_eq!(told.title(), "coctop: 20 tickets changed");
        assert_eq!(told.body(), "18 Failed, 2 Timeout");
        assert_eq!(notifier.take_due(t0 + cycle * 10), None, "told once");
    }

    #[test]
    fn a_single_change_names_the_ticket_and_server_text_is_sanitised() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut notifier = Notifier::new(NotifyOn::Any, Duration::ZERO);
        let mut c = change("EX1", Some(Status::Running), Status::Failed, t0);
        c.name = "evil\u{1b}]0;title\u{7}\u{202e}name".into();
        notifier.observe(c);
        let told = notifier.take_all().unwrap();
        assert_eq!(told.title(), "coctop: Failed: evilname");
        assert_eq!(told.body(), "EX1 Running -> Failed");
    }
}
