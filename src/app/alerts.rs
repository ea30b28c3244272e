//! What the dashboard tells the user: notifications (gathered per poll cycle by the
//! shared `Notifier`) and the failures they have not looked at yet.

use std::time::{Duration, SystemTime};

use crate::coc::TicketRef;
use crate::notify::{Change, Notification, Notifier, NotifyOn};

#[derive(Debug, Clone)]
pub struct Alerts {
    notifier: Notifier,
    /// Tickets that failed (or timed out, or went ABNORMAL) since the user last pressed
    /// `n`, each once.
    unseen: Vec<TicketRef>,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts::new(NotifyOn::default(), Duration::from_secs(5))
    }
}

impl Alerts {
    pub fn new(on: NotifyOn, cycle: Duration) -> Alerts {
        Alerts {
            notifier: Notifier::new(on, cycle),
            unseen: Vec::new(),
        }
    }

    /// A status change from the engine; says whether the unseen count changed.
    pub fn observe(&mut self, change: Change) -> bool {
        // A failure already there at the first sight is not news, as for notifications.
        let failed = change.from.is_some() && change.to.is_failure();
        let newly_unseen = failed && !self.unseen.contains(&change.id);
        if newly_unseen {
            self.unseen.push(change.id.clone());
        }
        self.notifier.observe(change);
        newly_unseen
    }

    /// New rules from a reloaded config.
    pub fn set_rules(&mut self, on: NotifyOn) {
        self.notifier.set_rules(on);
    }

    /// The notification whose cycle has closed at `now`.
    pub fn take_due(&mut self, now: SystemTime) -> Option<Notification> {
        self.notifier.take_due(now)
    }

    pub fn unseen(&self) -> &[TicketRef] {
        &self.unseen
    }

    /// `n`: the user has looked. Says whether anything was unseen.
    pub fn mark_seen(&mut self) -> bool {
        let had = !self.unseen.is_empty();
        self.unseen.clear();
        had
    }

    /// A ticket no longer watched is no longer unseen.
    pub fn forget(&mut self, id: &TicketRef) {
        self.unseen.retain(|unseen| unseen != id);
    }
}
