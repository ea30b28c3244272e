//! Text that many tickets repeat, held once: real accounts run a few runbooks many
//! times, so 10,000 tickets carry a few dozen distinct job names, IDs, versions,
//! descriptions, creators, tag keys and values and parameter names.

use std::collections::HashSet;
use std::sync::Arc;

/// The distinct texts of the tickets one holder keeps for long (the watch engine, a
/// cache load), each held once. Owned by that holder, so it goes with it; a text no
/// ticket holds any more is let go once the pool has doubled, in texts or in bytes,
/// since it last looked.
#[derive(Debug, Default)]
pub struct Interner {
    texts: HashSet<Arc<str>>,
    /// The bytes of the texts held.
    bytes: usize,
    /// How many texts the pool holds before it looks for unused ones again.
    sweep_at: usize,
    /// How many bytes, likewise: a server can send a big text new at every poll.
    sweep_at_bytes: usize,
}

/// The pool looks for unused texts only once it holds at least this many.
const FIRST_SWEEP: usize = 4096;
/// Or at least this many bytes.
const FIRST_SWEEP_BYTES: usize = 1 << 20;

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// Makes `text` the pool's copy: an equal text held already replaces it, else it is
    /// held from now on.
    pub fn share(&mut self, text: &mut Arc<str>) {
        if let Some(held) = self.texts.get(&**text) {
            *text = held.clone();
            return;
        }
        self.sweep_when_grown();
        self.bytes += text.len();
        self.texts.insert(text.clone());
    }

    /// How many distinct texts are held.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    fn sweep_when_grown(&mut self) {
        if self.texts.len() < self.sweep_at.max(FIRST_SWEEP)
            && self.bytes < self.sweep_at_bytes.max(FIRST_SWEEP_BYTES)
        {
            return;
        }
        // Only the pool holds a text counted once, and nothing can take a new copy of it
        // but the pool itself.
        self.texts.retain(|text| Arc::strong_count(text) > 1);
        self.bytes = self.texts.iter().map(|text| text.len()).sum();
        self.sweep_at = self.texts.len() * 2;
        self.sweep_at_bytes = self.bytes * 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_become_one_copy() {
        let mut pool = Interner::new();
        let mut a: Arc<str> = Arc::from("重启应用服务");
        let mut b: Arc<str> = Arc::from(String::from("重启应用服务"));
        let mut c: Arc<str> = Arc::from("another");
        for text in [&mut a, &mut b, &mut c] {
            pool.share(text);
        }
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(
            (&*a, &*b, &*c, pool.len()),
            ("重启应用服务", "重启应用服务", "another", 2)
        );
    }

    #[test]
    fn texts_no_ticket_holds_are_let_go_as_the_pool_grows() {
        let mut pool = Interner::new();
        let mut kept: Arc<str> = Arc::from("kept");
        pool.share(&mut kept);
        for n in 0..3 * FIRST_SWEEP {
            let mut gone: Arc<str> = Arc::from(format!("gone-{n}"));
            pool.share(&mut gone);
        }
        assert!(pool.len() < FIRST_SWEEP + 2, "{} texts held", pool.len());
        let mut again: Arc<str> = Arc::from("kept");
        pool.share(&mut again);
        assert!(Arc::ptr_eq(&kept, &again), "a text in use is never let go");
    }

    #[test]
    fn big_texts_no_ticket_holds_are_let_go_before_they_add_up() {
        // A hostile server: one ticket whose 1 MiB description is new at every poll.
        const MIB: usize = 1 << 20;
        let mut pool = Interner::new();
        let mut held: Arc<str> = Arc::from("");
        let mut gone = Vec::new();
        for n in 0..64 {
            let mut fresh: Arc<str> = Arc::from(format!("{n:04}{}", "x".repeat(MIB)));
            pool.share(&mut fresh);
            gone.push(Arc::downgrade(&held));
            held = fresh;
        }
        let kept_alive: usize = gone
            .iter()
            .filter_map(|t| t.upgrade())
            .map(|t| t.len())
            .sum();
        assert!(
            kept_alive <= 4 * MIB,
            "{} MiB of texts no ticket holds kept alive",
            kept_alive / MIB
        );
        assert_eq!(&held[..4], "0063");
    }
}
