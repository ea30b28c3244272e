//! A ticket's lifecycle as a plan on the wall clock. State is computed from the plan and
//! the time of the question, so nothing runs in the background: a sim nobody asks stays
//! idle. Operations (TERMINATE, RETRY, ...) rewrite the plan from "now" on.
//!
//! A paused ticket is one waiting for a RESUME (`Start::Manual(None)`). The published
//! status list has no separate value for it: `Pending` is documented as "suspended", so
//! a paused ticket shows `Pending`, like one that is merely queued.
//!
//! All times are epoch milliseconds; durations are already scaled by the sim's speed.

use crate::coc::{Operation, Status};

/// How the current run of a ticket ends if nobody intervenes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Succeed,
    /// The step with this index fails.
    Fail(usize),
    /// The step with this index times out.
    Timeout(usize),
}

/// When a queued run starts executing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    At(i64),
    /// Waits for a RESUME; `Some` once resumed.
    Manual(Option<i64>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancel {
    pub at: i64,
    /// How long `Canceling` lasts.
    pub takes: i64,
}

/// One attempt at the steps from `first_step` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub queued: i64,
    pub start: Start,
    pub first_step: usize,
    /// Duration of each step from `first_step` on.
    pub durations: Vec<i64>,
    pub ending: Ending,
    pub cancel: Option<Cancel>,
    /// A SKIP_BATCH ended this step at this time, before its planned end.
    pub cut: Option<(usize, i64)>,
}

/// A step that succeeded in an earlier run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub created: i64,
    /// Steps `0..history.len()` succeeded before the current run.
    pub history: Vec<Done>,
    pub run: Run,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepState {
    pub status: Status,
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// The step's planned duration (for spreading instances over it).
    pub planned: i64,
    /// Where a cancel request froze the step's progress.
    pub halted: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub status: Status,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub update_time: i64,
    pub steps: Vec<StepState>,
}

/// Why an operation was refused (answered 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl Lifecycle {
    pub fn snapshot(&self, now: i64) -> Snapshot {
        let run = &self.run;
        let mut events = vec![self.created, run.queued.min(now)];
        let mut steps: Vec<StepState> = self
            .history
            .iter()
            .map(|done| {
                events.extend([done.start, done.end]);
                StepState {
                    status: Status::Succeed,
                    start: Some(done.start),
                    end: Some(done.end),
                    planned: done.end - done.start,
                    halted: None,
                }
            })
            .collect();

        let cancel = run.cancel.filter(|c| c.at <= now);
        // Progress stops where a cancel request arrived.
        let horizon = cancel.map_or(now, |c| c.at);
        let started = match run.start {
            Start::At(at) if at <= horizon => Some(at),
            Start::Manual(Some(at)) if at <= horizon => Some(at),
            _ => None,
        };

        let mut ticket_status = Status::Pending;
        let mut end_time = None;
        if let Some(mut cursor) = started {
            events.push(cursor);
            ticket_status = Status::Running;
            for (offset, &planned) in run.durations.iter().enumerate() {
                let index = run.first_step + offset;
                let end = match run.cut {
                    Some((step, at)) if step == index => at.min(cursor + planned),
                    _ => cursor + planned,
                };
                let failure = match run.ending {
                    Ending::Fail(at) if at == index => Some(Status::Failed),
                    Ending::Timeout(at) if at == index => Some(Status::Timeout),
                    _ => None,
                };
                events.push(cursor);
                if end > horizon {
                    steps.push(StepState {
                        status: Status::Running,
                        start: Some(cursor),
                        end: None,
                        planned,
                        halted: None,
                    });
                    break;
                }
                events.push(end);
                let status = failure.clone().unwrap_or(Status::Succeed);
                steps.push(StepState {
                    status: status.clone(),
                    start: Some(cursor),
                    end: Some(end),
                    planned,
                    halted: None,
                });
                cursor = end;
                if failure.is_some() {
                    ticket_status = status;
                    end_time = Some(end);
                    break;
                }
            }
            if ticket_status == Status::Running
                && steps.len() == run.first_step + run.durations.len()
                && steps.last().is_none_or(|s| s.end.is_some())
            {
                ticket_status = Status::Succeed;
                end_time = Some(cursor);
            }
        }

        if let Some(c) = cancel
            && !ticket_status.is_terminal()
        {
            let done_at = c.at + c.takes;
            let finished = done_at <= now;
            events.push(c.at);
            ticket_status = if finished {
                events.push(done_at);
                end_time = Some(done_at);
                Status::Canceled
            } else {
                Status::Canceling
            };
            if let Some(step) = steps.last_mut().filter(|s| s.status == Status::Running) {
                step.status = ticket_status.clone();
                step.end = end_time;
                step.halted = Some(c.at);
            }
        }

        let total_steps = run.first_step + run.durations.len();
        while steps.len() < total_steps {
            let planned = run.durations[steps.len() - run.first_step];
            steps.push(StepState {
                status: Status::Pending,
                start: None,
                end: None,
                planned,
                halted: None,
            });
        }

        Snapshot {
            status: ticket_status,
            start_time: self.created,
            end_time,
            update_time: events
                .into_iter()
                .filter(|&e| e <= now)
                .max()
                .unwrap_or(now),
            steps,
        }
    }

    /// Waiting for a RESUME (it shows `Pending`).
    pub fn is_paused(&self) -> bool {
        self.run.start == Start::Manual(None) && self.run.cancel.is_none()
    }

    /// Applies `op` at `now`. `retry` is the plan for a RETRY: durations for every step
    /// of the job and its ending, used from the first unfinished step on.
    pub fn operate(
        &mut self,
        op: Operation,
        now: i64,
        cancel_takes: i64,
        retry: impl FnOnce() -> (Vec<i64>, Ending),
        has_batch_step: impl Fn(usize) -> bool,
    ) -> Result<(), Refused> {
        let snapshot = self.snapshot(now);
        let refuse = || {
            Refused(format!(
                "The execution in status {} does not support operation {}",
                snapshot.status,
                op.as_str()
            ))
        };
        match op {
            Operation::Terminate => {
                if !matches!(snapshot.status, Status::Pending | Status::Running) {
                    return Err(refuse());
                }
                self.run.cancel = Some(Cancel {
                    at: now,
                    takes: cancel_takes,
                });
            }
            Operation::Resume => {
                if snapshot.status != Status::Pending {
                    return Err(refuse());
                }
                if !self.is_paused() {
                    return Err(Refused(
                        "The execution is queued, not paused: it starts on its own".into(),
                    ));
                }
                self.run.start = Start::Manual(Some(now));
            }
            Operation::Retry => {
                if !matches!(snapshot.status, Status::Failed | Status::Timeout) {
                    return Err(refuse());
                }
                let first_step = snapshot
                    .steps
                    .iter()
                    .position(|s| s.status != Status::Succeed)
                    .unwrap_or(snapshot.steps.len());
                let history = snapshot.steps[..first_step]
                    .iter()
                    .filter_map(|s| {
                        Some(Done {
                            start: s.start?,
                            end: s.end?,
                        })
                    })
                    .collect();
                let (all_durations, ending) = retry();
                self.history = history;
                self.run = Run {
                    queued: now,
                    start: Start::At(now),
                    first_step,
                    durations: all_durations.into_iter().skip(first_step).collect(),
                    ending,
                    cancel: None,
                    cut: None,
                };
            }
            Operation::SkipBatch => {
                let running = snapshot
                    .steps
                    .iter()
                    .position(|s| s.status == Status::Running);
                let Some(index) = running.filter(|&i| has_batch_step(i)) else {
                    return Err(refuse());
                };
                self.run.cut = Some((index, now));
                if matches!(self.run.ending, Ending::Fail(i) | Ending::Timeout(i) if i == index) {
                    self.run.ending = Ending::Succeed;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn life(ending: Ending) -> Lifecycle {
        Lifecycle {
            created: 1_000,
            history: Vec::new(),
            run: Run {
                queued: 1_000,
                start: Start::At(2_000),
                first_step: 0,
                durations: vec![100, 200, 300],
                ending,
                cancel: None,
                cut: None,
            },
        }
    }

    #[test]
    fn runs_through_steps_to_success() {
        let l = life(Ending::Succeed);
        assert_eq!(l.snapshot(1_500).status, Status::Pending);
        let mid = l.snapshot(2_150);
        assert_eq!(mid.status, Status::Running);
        assert_eq!(mid.update_time, 2_100);
        let statuses: Vec<_> = mid.steps.iter().map(|s| s.status.clone()).collect();
        assert_eq!(
            statuses,
            [Status::Succeed, Status::Running, Status::Pending]
        );
        let done = l.snapshot(9_000);
        assert_eq!(done.status, Status::Succeed);
        assert_eq!(done.end_time, Some(2_600));
        assert_eq!(done.update_time, 2_600);
    }

    #[test]
    fn failure_stops_at_its_step() {
        let done = life(Ending::Fail(1)).snapshot(9_000);
        assert_eq!(done.status, Status::Failed);
        assert_eq!(done.end_time, Some(2_300));
        assert_eq!(done.steps[2].status, Status::Pending);
    }

    fn apply(l: &mut Lifecycle, op: Operation, now: i64) -> Result<(), Refused> {
        l.operate(
            op,
            now,
            50,
            || (vec![10, 20, 30], Ending::Succeed),
            |_| false,
        )
    }

    #[test]
    fn terminate_goes_through_canceling_and_a_canceled_ticket_takes_no_more() {
        let mut l = life(Ending::Succeed);
        apply(&mut l, Operation::Terminate, 2_150).unwrap();
        assert_eq!(l.snapshot(2_160).status, Status::Canceling);
        assert!(apply(&mut l, Operation::Terminate, 2_160).is_err());
        let canceled = l.snapshot(2_300);
        assert_eq!(canceled.status, Status::Canceled);
        assert_eq!(canceled.end_time, Some(2_200));
        assert_eq!(canceled.steps[1].status, Status::Canceled);
        for op in [Operation::Terminate, Operation::Retry, Operation::Resume] {
            assert!(apply(&mut l, op, 2_300).is_err(), "{op:?}");
        }
    }

    #[test]
    fn retry_runs_a_failed_ticket_again_from_the_failed_step() {
        let mut l = life(Ending::Fail(1));
        assert!(
            apply(&mut l, Operation::Retry, 2_150).is_err(),
            "still running"
        );
        assert_eq!(l.snapshot(3_000).status, Status::Failed);
        apply(&mut l, Operation::Retry, 3_000).unwrap();
        let again = l.snapshot(3_010);
        assert_eq!(again.status, Status::Running);
        assert_eq!(again.end_time, None);
        assert_eq!(again.steps[0].end, Some(2_100), "earlier success is kept");
        assert_eq!(again.steps[1].status, Status::Running);
        assert_eq!(l.snapshot(3_100).status, Status::Succeed);
        assert!(apply(&mut l, Operation::Retry, 3_100).is_err(), "succeeded");
    }

    #[test]
    fn resume_starts_a_paused_ticket_and_only_a_paused_one() {
        let mut queued = life(Ending::Succeed);
        assert!(!queued.is_paused());
        assert_eq!(queued.snapshot(1_500).status, Status::Pending);
        assert!(apply(&mut queued, Operation::Resume, 1_500).is_err());

        let mut paused = life(Ending::Succeed);
        paused.run.start = Start::Manual(None);
        assert!(paused.is_paused());
        assert_eq!(paused.snapshot(50_000).status, Status::Pending, "waits");
        apply(&mut paused, Operation::Resume, 50_000).unwrap();
        assert!(!paused.is_paused());
        assert_eq!(paused.snapshot(50_050).status, Status::Running);
        assert!(apply(&mut paused, Operation::Resume, 50_050).is_err());
        assert_eq!(paused.snapshot(60_000).status, Status::Succeed);
    }

    #[test]
    fn skip_batch_ends_the_running_batch_step_now() {
        let mut l = life(Ending::Fail(1));
        let is_batch = |i: usize| i == 1;
        assert!(
            l.operate(Operation::SkipBatch, 2_050, 50, || unreachable!(), is_batch)
                .is_err(),
            "step 0 is not a batch step"
        );
        l.operate(Operation::SkipBatch, 2_150, 50, || unreachable!(), is_batch)
            .unwrap();
        let after = l.snapshot(2_160);
        assert_eq!(after.steps[1].status, Status::Succeed);
        assert_eq!(after.steps[1].end, Some(2_150));
        assert_eq!(
            after.steps[1].planned, 200,
            "hosts keep their planned slices"
        );
        assert_eq!(after.steps[2].status, Status::Running);
        assert_eq!(
            l.snapshot(9_000).status,
            Status::Succeed,
            "the failure was skipped"
        );
    }
}
