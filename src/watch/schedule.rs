//! The due-time queue: which ticket is polled next. O(log n) per operation, so the
//! engine never scans all tickets to find work.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::time::Duration;

use tokio::time::Instant;

/// Keys ordered by due time, first in first out among equal times (unless put first).
/// Each key is queued at most once; setting it again moves it.
#[derive(Debug)]
pub struct Schedule<K> {
    /// Urgent keys are due here, before any time computed later.
    origin: Instant,
    queue: BTreeMap<(Instant, i64), K>,
    slots: HashMap<K, (Instant, i64)>,
    /// Counts up for entries queued behind their equals, down for those put first.
    next_seq: i64,
    next_first_seq: i64,
}

impl<K: Clone + Eq + Hash> Schedule<K> {
    /// `origin` must not be later than any due time given to `set`.
    pub fn new(origin: Instant) -> Schedule<K> {
        Schedule {
            origin,
            queue: BTreeMap::new(),
            slots: HashMap::new(),
            next_seq: 0,
            next_first_seq: -1,
        }
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.slots.contains_key(key)
    }

    /// Queues `key` at `due`, replacing any entry it had.
    pub fn set(&mut self, key: K, due: Instant) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.insert(key, (due, seq));
    }

    /// Queues `key` ahead of every timed entry, behind earlier urgent ones.
    pub fn set_urgent(&mut self, key: K) {
        self.set(key, self.origin);
    }

    /// Queues `key` ahead of everything, urgent entries included.
    pub fn set_first(&mut self, key: K) {
        let seq = self.next_first_seq;
        self.next_first_seq -= 1;
        self.insert(key, (self.origin, seq));
    }

    fn insert(&mut self, key: K, slot: (Instant, i64)) {
        self.remove(&key);
        self.queue.insert(slot, key.clone());
        self.slots.insert(key, slot);
    }

    pub fn remove<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.slots.remove(key) {
            Some(slot) => self.queue.remove(&slot).is_some(),
            None => false,
        }
    }

    /// When the earliest entry is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.queue.first_key_value().map(|(&(due, _), _)| due)
    }

    /// Takes the earliest entry out if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<K> {
        let entry = self.queue.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        let key = entry.remove();
        self.slots.remove(&key);
        Some(key)
    }
}

/// A year: the furthest ahead anything is scheduled.
pub const FAR_FUTURE: Duration = Duration::from_secs(365 * 86_400);

/// `at + after`, kept within a year so that a huge configured interval (the config
/// and `--interval` accept up to `Duration::MAX`) cannot overflow the clock.
pub fn later(at: Instant, after: Duration) -> Instant {
    at + after.min(FAR_FUTURE)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn pops_in_due_order_and_only_when_due() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        s.set("late", t0 + secs(10));
        s.set("early", t0 + secs(1));
        s.set("mid", t0 + secs(5));
        assert_eq!(s.next_due(), Some(t0 + secs(1)));
        assert_eq!(s.pop_due(t0), None);
        assert_eq!(s.pop_due(t0 + secs(6)), Some("early"));
        assert_eq!(s.pop_due(t0 + secs(6)), Some("mid"));
        assert_eq!(s.pop_due(t0 + secs(6)), None);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn equal_due_times_are_first_in_first_out() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        for key in ["a", "b", "c"] {
            s.set(key, t0 + secs(1));
        }
        let order: Vec<_> = std::iter::from_fn(|| s.pop_due(t0 + secs(1))).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn setting_again_moves_the_single_entry() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        s.set("a", t0 + secs(1));
        s.set("a", t0 + secs(9));
        assert_eq!(s.len(), 1);
        assert_eq!(s.next_due(), Some(t0 + secs(9)));
    }

    #[test]
    fn urgent_keys_jump_ahead_of_overdue_ones_in_arrival_order() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        s.set("overdue", t0 + secs(1));
        s.set_urgent("first");
        s.set_urgent("second");
        let now = t0 + secs(100);
        assert_eq!(s.pop_due(now), Some("first"));
        assert_eq!(s.pop_due(now), Some("second"));
        assert_eq!(s.pop_due(now), Some("overdue"));
    }

    #[test]
    fn set_first_beats_urgent_entries_latest_first() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        s.set_urgent("urgent");
        s.set_first("first");
        s.set_first("newest");
        let order: Vec<_> = std::iter::from_fn(|| s.pop_due(t0)).collect();
        assert_eq!(order, ["newest", "first", "urgent"]);
    }

    #[test]
    fn removed_keys_never_come_back() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        s.set("a".to_string(), t0);
        s.set("b".to_string(), t0);
        assert!(s.remove("a"));
        assert!(!s.remove("a"));
        assert!(!s.contains("a"));
        assert_eq!(s.pop_due(t0), Some("b".to_string()));
        assert!(s.is_empty());
    }
}
