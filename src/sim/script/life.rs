//! The lifecycle of a script ticket, computed from the clock: batches run one after the
//! other, a batch's hosts side by side; after a batch the ticket goes on, pauses (the
//! batch's rotation strategy is PAUSE, or someone paused it) until CONTINUE_ORDER, or
//! ends ABNORMAL when fewer of its hosts succeeded than the success rate asks (hosts
//! someone canceled do not count). Operations are kept as the times they arrived and
//! every state is derived from them, so an idle simulator does no work.
//!
//! All times are epoch milliseconds; durations are already scaled by the sim's speed.

use crate::coc::{ScriptOperation, ScriptStatus};

/// How a host's run ends if nobody intervenes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostOutcome {
    Finished,
    Abnormal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPlan {
    /// From the start of its batch.
    pub offset: i64,
    pub duration: i64,
    pub outcome: HostOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPlan {
    pub hosts: Vec<HostPlan>,
    /// Rotation strategy PAUSE: the ticket waits for CONTINUE_ORDER after this batch.
    pub pause_after: bool,
}

/// What happened at a batch boundary: a PAUSE_ORDER during the batch, a CONTINUE_ORDER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gate {
    pub paused: Option<i64>,
    pub continued: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScriptLife {
    pub created: i64,
    /// When the first batch starts (READY before).
    pub start: i64,
    pub batches: Vec<BatchPlan>,
    /// Percent of a batch's hosts that must succeed.
    pub success_rate: f64,
    /// An ABNORMAL end is rolled back: the ticket and its successful hosts end
    /// ROLLBACKED.
    pub rollback: bool,
    /// CANCEL_ORDER.
    pub canceled: Option<i64>,
    /// One per batch: what happened after it.
    pub gates: Vec<Gate>,
    /// One per batch: SKIP_BATCH.
    pub skipped: Vec<Option<i64>>,
    /// One per batch, one per host: CANCEL_INSTANCE.
    pub host_canceled: Vec<Vec<Option<i64>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostState {
    pub status: ScriptStatus,
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// How much of its planned run the host has done, 0 to 1 (for its output).
    pub progress: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BatchState {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub hosts: Vec<HostState>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScriptSnapshot {
    pub status: ScriptStatus,
    pub finished: Option<i64>,
    /// 1-based: the batch running, paused after, or last reached.
    pub current_batch: usize,
    pub batches: Vec<BatchState>,
}

/// Why an operation was refused, for the service's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The ticket's status does not take the operation.
    Status(ScriptStatus),
    NoSuchBatch,
    BatchOver,
    NoSuchHost,
    HostOver(ScriptStatus),
}

/// Where a host is in its batch: batch index and host index, both from 0.
pub type HostAt = (usize, usize);

impl ScriptLife {
    /// A plan with no operations applied yet.
    pub fn new(
        created: i64,
        start: i64,
        batches: Vec<BatchPlan>,
        success_rate: f64,
        rollback: bool,
    ) -> ScriptLife {
        let n = batches.len();
        ScriptLife {
            created,
            start,
            host_canceled: batches.iter().map(|b| vec![None; b.hosts.len()]).collect(),
            batches,
            success_rate,
            rollback,
            canceled: None,
            gates: vec![Gate::default(); n],
            skipped: vec![None; n],
        }
    }

    pub fn snapshot(&self, now: i64) -> ScriptSnapshot {
        let canceled = self.canceled.filter(|&c| c <= now);
        let mut batches: Vec<BatchState> = Vec::with_capacity(self.batches.len());
        let mut cursor = Some(self.start);
        let mut ended: Option<(ScriptStatus, i64)> = None;
        let mut paused = false;
        let mut current = 1;
        for k in 0..self.batches.len() {
            // Nothing starts after the end, nor at or after a CANCEL_ORDER.
            let start =
                cursor.filter(|&s| s <= now && ended.is_none() && canceled.is_none_or(|c| s < c));
            let Some(start) = start else {
                batches.push(self.unstarted(k, now));
                continue;
            };
            current = k + 1;
            let batch = self.run_batch(k, start, now);
            let end = batch.end;
            let failed = end.is_some() && self.below_success_rate(&batch);
            batches.push(batch);
            let Some(end) = end else {
                cursor = None;
                paused = self.paused_at(k, None, now);
                continue;
            };
            if failed {
                ended = Some((ScriptStatus::Abnormal, end));
                cursor = None;
                continue;
            }
            if k + 1 == self.batches.len() {
                ended = Some((ScriptStatus::Finished, end));
                continue;
            }
            cursor = self.next_start(k, end);
            if cursor.is_none_or(|next| next > now) {
                paused = self.paused_at(k, Some(end), now);
            }
        }
        let (status, finished) = match (canceled, ended) {
            (Some(at), None) => (ScriptStatus::Canceled, Some(at)),
            (Some(at), Some((_, end))) if at <= end => (ScriptStatus::Canceled, Some(at)),
            (_, Some((ScriptStatus::Abnormal, end))) if self.rollback => {
                (ScriptStatus::Rollbacked, Some(end))
            }
            (_, Some((status, end))) => (status, Some(end)),
            (None, None) if now < self.start => (ScriptStatus::Ready, None),
            (None, None) if paused => (ScriptStatus::Paused, None),
            (None, None) => (ScriptStatus::Processing, None),
        };
        if status == ScriptStatus::Rollbacked {
            for host in batches.iter_mut().flat_map(|b| b.hosts.iter_mut()) {
                if host.status == ScriptStatus::Finished {
                    host.status = ScriptStatus::Rollbacked;
                }
            }
        }
        ScriptSnapshot {
            status,
            finished,
            current_batch: current,
            batches,
        }
    }

    /// The state of batch `k` whose hosts never started.
    fn unstarted(&self, k: usize, now: i64) -> BatchState {
        let hosts = (0..self.batches[k].hosts.len())
            .map(|j| {
                let cut = self.cut(k, j).filter(|&c| c <= now);
                HostState {
                    status: if cut.is_some() {
                        ScriptStatus::Canceled
                    } else {
                        ScriptStatus::Ready
                    },
                    start: None,
                    end: None,
                    progress: 0.0,
                }
            })
            .collect();
        BatchState {
            start: None,
            end: None,
            hosts,
        }
    }

    /// Batch `k` started at `start`: each host's state at `now`, and when the batch
    /// ended if it has.
    fn run_batch(&self, k: usize, start: i64, now: i64) -> BatchState {
        let mut batch_end = start;
        let hosts = self.batches[k]
            .hosts
            .iter()
            .enumerate()
            .map(|(j, plan)| {
                let host_start = start + plan.offset;
                let planned_end = host_start + plan.duration;
                let cut = self.cut(k, j).filter(|&c| c < planned_end);
                let end = cut.unwrap_or(planned_end).max(start);
                batch_end = batch_end.max(end);
                let progress = |at: i64| {
                    ((at - host_start) as f64 / plan.duration.max(1) as f64).clamp(0.0, 1.0)
                };
                match cut {
                    Some(at) if at <= host_start => HostState {
                        status: ScriptStatus::Canceled,
                        start: None,
                        end: None,
                        progress: 0.0,
                    },
                    _ if now < host_start => HostState {
                        status: ScriptStatus::Ready,
                        start: None,
                        end: None,
                        progress: 0.0,
                    },
                    Some(at) if at <= now => HostState {
                        status: ScriptStatus::Canceled,
                        start: Some(host_start),
                        end: Some(at),
                        progress: progress(at),
                    },
                    _ if planned_end <= now => HostState {
                        status: match plan.outcome {
                            HostOutcome::Finished => ScriptStatus::Finished,
                            HostOutcome::Abnormal => ScriptStatus::Abnormal,
                        },
                        start: Some(host_start),
                        end: Some(planned_end),
                        progress: 1.0,
                    },
                    _ => HostState {
                        status: ScriptStatus::Processing,
                        start: Some(host_start),
                        end: None,
                        progress: progress(now),
                    },
                }
            })
            .collect();
        BatchState {
            start: Some(start),
            end: (batch_end <= now).then_some(batch_end),
            hosts,
        }
    }

    /// When host `j` of batch `k` was cut short, if it was: the earliest of a
    /// CANCEL_ORDER, a SKIP_BATCH of its batch and a CANCEL_INSTANCE of it.
    fn cut(&self, k: usize, j: usize) -> Option<i64> {
        [self.canceled, self.skipped[k], self.host_canceled[k][j]]
            .into_iter()
            .flatten()
            .min()
    }

    fn below_success_rate(&self, batch: &BatchState) -> bool {
        let counted: Vec<_> = batch
            .hosts
            .iter()
            .filter(|h| h.status != ScriptStatus::Canceled)
            .collect();
        if counted.is_empty() {
            return false;
        }
        let succeeded = counted
            .iter()
            .filter(|h| h.status == ScriptStatus::Finished)
            .count();
        (succeeded as f64) * 100.0 < self.success_rate * counted.len() as f64
    }

    /// The pauses that hold the ticket after batch `k` (which ended at `end`, if it
    /// has): each with the CONTINUE_ORDER that released it, if any.
    fn holds(&self, k: usize, end: Option<i64>) -> impl Iterator<Item = (i64, Option<i64>)> {
        let gate = self.gates[k];
        let automatic = end.filter(|_| self.batches[k].pause_after);
        [gate.paused, automatic]
            .into_iter()
            .flatten()
            .map(move |from| (from, gate.continued.filter(|&c| c >= from)))
    }

    /// When batch `k + 1` starts after batch `k` ended at `end`; `None` while a pause
    /// holds it.
    fn next_start(&self, k: usize, end: i64) -> Option<i64> {
        self.holds(k, Some(end))
            .try_fold(end, |next, (_, released)| released.map(|at| next.max(at)))
    }

    fn paused_at(&self, k: usize, end: Option<i64>, now: i64) -> bool {
        self.holds(k, end)
            .any(|(from, released)| from <= now && released.is_none_or(|at| at > now))
    }

    /// Applies `operation` at `now`, or says why the ticket refuses it. `host` is where
    /// a CANCEL_INSTANCE's host is, when the ticket has it.
    pub fn operate(
        &mut self,
        operation: ScriptOperation,
        host: Option<HostAt>,
        now: i64,
    ) -> Result<(), Refusal> {
        let snapshot = self.snapshot(now);
        if !operation.allowed_for(&snapshot.status) {
            return Err(Refusal::Status(snapshot.status));
        }
        let current = snapshot.current_batch - 1;
        match operation {
            ScriptOperation::PauseOrder => {
                self.gates[current] = Gate {
                    paused: Some(now),
                    continued: None,
                };
            }
            ScriptOperation::ContinueOrder => self.gates[current].continued = Some(now),
            ScriptOperation::CancelOrder => self.canceled = Some(now),
            ScriptOperation::SkipBatch { batch_index } => {
                let k = (batch_index as usize)
                    .checked_sub(1)
                    .filter(|&k| k < self.batches.len())
                    .ok_or(Refusal::NoSuchBatch)?;
                let batch = &snapshot.batches[k];
                let over = batch.end.is_some()
                    || self.skipped[k].is_some()
                    || batch.hosts.iter().all(|h| h.status.is_terminal());
                if over {
                    return Err(Refusal::BatchOver);
                }
                self.skipped[k] = Some(now);
            }
            ScriptOperation::CancelInstance { .. } => {
                let (k, j) = host.ok_or(Refusal::NoSuchHost)?;
                let state = &snapshot.batches[k].hosts[j].status;
                if state.is_terminal() {
                    return Err(Refusal::HostOver(state.clone()));
                }
                self.host_canceled[k][j] = Some(now);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScriptStatus::*;

    fn host(offset: i64, duration: i64, outcome: HostOutcome) -> HostPlan {
        HostPlan {
            offset,
            duration,
            outcome,
        }
    }

    fn ok(duration: i64) -> HostPlan {
        host(0, duration, HostOutcome::Finished)
    }

    /// Created at 0, starts at 100; batches of hosts as given.
    fn life(batches: Vec<(Vec<HostPlan>, bool)>) -> ScriptLife {
        let batches = batches
            .into_iter()
            .map(|(hosts, pause_after)| BatchPlan { hosts, pause_after })
            .collect();
        ScriptLife::new(0, 100, batches, 100.0, false)
    }

    fn statuses(s: &ScriptSnapshot) -> Vec<Vec<ScriptStatus>> {
        s.batches
            .iter()
            .map(|b| b.hosts.iter().map(|h| h.status.clone()).collect())
            .collect()
    }

    #[test]
    fn batches_run_one_after_another_to_the_end() {
        let l = life(vec![
            (vec![ok(50), host(5, 20, HostOutcome::Finished)], false),
            (vec![ok(30)], false),
        ]);
        assert_eq!(l.snapshot(50).status, Ready);
        let early = l.snapshot(110);
        assert_eq!(early.status, Processing);
        assert_eq!(
            statuses(&early),
            [vec![Processing, Processing], vec![Ready]]
        );
        assert_eq!(statuses(&l.snapshot(103))[0], [Processing, Ready]);
        let second = l.snapshot(160);
        assert_eq!(second.current_batch, 2);
        assert_eq!(second.batches[0].end, Some(150));
        assert_eq!(
            statuses(&second),
            [vec![Finished, Finished], vec![Processing]]
        );
        assert!((second.batches[1].hosts[0].progress - 10.0 / 30.0).abs() < 1e-9);
        let done = l.snapshot(1_000);
        assert_eq!((done.status, done.finished), (Finished, Some(180)));
    }

    #[test]
    fn a_failed_host_below_the_success_rate_ends_the_ticket_abnormal() {
        let mut l = life(vec![
            (vec![ok(10), host(0, 20, HostOutcome::Abnormal)], false),
            (vec![ok(10)], false),
        ]);
        let done = l.snapshot(1_000);
        assert_eq!((done.status.clone(), done.finished), (Abnormal, Some(120)));
        assert_eq!(statuses(&done), [vec![Finished, Abnormal], vec![Ready]]);
        l.success_rate = 50.0;
        assert_eq!(l.snapshot(1_000).status, Finished, "half is enough");
        l.success_rate = 100.0;
        l.rollback = true;
        let rolled = l.snapshot(1_000);
        assert_eq!(rolled.status, Rollbacked);
        assert_eq!(statuses(&rolled)[0], [Rollbacked, Abnormal]);
    }

    #[test]
    fn a_pause_strategy_waits_for_continue_and_only_continue_releases_it() {
        let mut l = life(vec![(vec![ok(50)], true), (vec![ok(50)], false)]);
        assert_eq!(l.snapshot(120).status, Processing);
        let waiting = l.snapshot(10_000);
        assert_eq!(waiting.status, Paused);
        assert_eq!(statuses(&waiting)[1], [Ready]);
        assert_eq!(
            l.operate(ScriptOperation::PauseOrder, None, 10_000),
            Err(Refusal::Status(Paused))
        );
        l.operate(ScriptOperation::ContinueOrder, None, 10_000)
            .unwrap();
        assert_eq!(l.snapshot(10_010).status, Processing);
        assert_eq!(l.snapshot(10_010).batches[1].start, Some(10_000));
        assert_eq!(l.snapshot(20_000).finished, Some(10_050));
    }

    #[test]
    fn a_pause_during_a_batch_lets_its_hosts_finish_and_holds_the_next() {
        let mut l = life(vec![(vec![ok(50)], false), (vec![ok(50)], false)]);
        l.operate(ScriptOperation::PauseOrder, None, 120).unwrap();
        let paused = l.snapshot(130);
        assert_eq!(paused.status, Paused);
        assert_eq!(statuses(&paused)[0], [Processing], "running hosts go on");
        assert_eq!(statuses(&l.snapshot(5_000)), [vec![Finished], vec![Ready]]);
        // Continued before the batch ended: the next batch starts when it ends.
        let mut early = life(vec![(vec![ok(50)], true), (vec![ok(50)], false)]);
        early
            .operate(ScriptOperation::PauseOrder, None, 120)
            .unwrap();
        early
            .operate(ScriptOperation::ContinueOrder, None, 130)
            .unwrap();
        assert_eq!(early.snapshot(140).status, Processing);
        assert_eq!(
            early.snapshot(5_000).status,
            Paused,
            "the batch's own PAUSE strategy still holds after it"
        );
    }

    #[test]
    fn cancel_order_cuts_running_hosts_and_ends_the_ticket() {
        let mut l = life(vec![(vec![ok(50), ok(10)], false), (vec![ok(50)], false)]);
        l.operate(ScriptOperation::CancelOrder, None, 130).unwrap();
        let canceled = l.snapshot(5_000);
        assert_eq!(
            (canceled.status.clone(), canceled.finished),
            (Canceled, Some(130))
        );
        assert_eq!(
            statuses(&canceled),
            [vec![Canceled, Finished], vec![Canceled]]
        );
        assert_eq!(canceled.batches[0].hosts[0].end, Some(130));
        assert_eq!(
            l.operate(ScriptOperation::CancelOrder, None, 5_000),
            Err(Refusal::Status(Canceled))
        );
        let mut ready = life(vec![(vec![ok(50)], false)]);
        ready
            .operate(ScriptOperation::CancelOrder, None, 50)
            .unwrap();
        assert_eq!(ready.snapshot(60).status, Canceled);
    }

    #[test]
    fn skip_batch_cancels_the_running_batch_and_skips_a_later_one_whole() {
        let mut l = life(vec![
            (vec![ok(50)], false),
            (vec![ok(50)], false),
            (vec![ok(50)], false),
        ]);
        l.operate(ScriptOperation::SkipBatch { batch_index: 3 }, None, 110)
            .unwrap();
        l.operate(ScriptOperation::SkipBatch { batch_index: 1 }, None, 120)
            .unwrap();
        let after = l.snapshot(130);
        assert_eq!(after.batches[0].end, Some(120));
        assert_eq!(
            statuses(&after),
            [vec![Canceled], vec![Processing], vec![Canceled]]
        );
        let done = l.snapshot(1_000);
        assert_eq!((done.status.clone(), done.finished), (Finished, Some(170)));
        assert_eq!(
            l.operate(ScriptOperation::SkipBatch { batch_index: 1 }, None, 130),
            Err(Refusal::BatchOver)
        );
        assert_eq!(
            l.operate(ScriptOperation::SkipBatch { batch_index: 9 }, None, 130),
            Err(Refusal::NoSuchBatch)
        );
    }

    #[test]
    fn cancel_instance_cancels_one_unfinished_host_which_then_does_not_count() {
        let mut l = life(vec![(
            vec![ok(10), host(0, 50, HostOutcome::Abnormal)],
            false,
        )]);
        assert_eq!(
            l.operate(
                ScriptOperation::CancelInstance { instance_id: 1 },
                Some((0, 0)),
                120
            ),
            Err(Refusal::HostOver(Finished))
        );
        assert_eq!(
            l.operate(
                ScriptOperation::CancelInstance { instance_id: 1 },
                None,
                120
            ),
            Err(Refusal::NoSuchHost)
        );
        l.operate(
            ScriptOperation::CancelInstance { instance_id: 2 },
            Some((0, 1)),
            120,
        )
        .unwrap();
        let done = l.snapshot(1_000);
        assert_eq!(statuses(&done), [vec![Finished, Canceled]]);
        assert_eq!(
            done.status, Finished,
            "the canceled host's failure never came"
        );
    }
}
