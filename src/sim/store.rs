//! The simulator's tickets: lookup by ID in O(1), the list query's filters and paging,
//! steps and instances, and operations. Pure data: no HTTP here.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::catalog::{ENTERPRISE_SYS_TAG, PARENT_SYS_TAG};
use super::generate::{self, Document, Generated, Generator, RunRequest, Spec};
use super::lifecycle::{Lifecycle, Refused, Snapshot, StepState};
use crate::coc::{
    ExecutionType, Instance, KeyValue, Operation, RawJson, Status, Step, Target, Targets, Ticket,
};

/// At most this many tickets appear on their own while the sim runs.
const MAX_SPAWNED: u64 = 5_000;
/// Child executions belong to one of the first seeded tickets.
const PARENT_POOL: usize = 21;
const SPAWN_EVERY_MS: std::ops::Range<i64> = 30_000..90_000;

struct Entry {
    spec: Spec,
    life: Lifecycle,
    attempts: u64,
}

pub struct Store {
    seed: u64,
    speed: f64,
    documents: Vec<Document>,
    tickets: Vec<Entry>,
    by_id: HashMap<String, usize>,
    /// Positions of the seeded tickets (not the spawned ones), in creation order.
    seeded: Vec<usize>,
    spawned: u64,
    next_spawn_at: i64,
    /// Tickets started through the API so far.
    started: u64,
}

/// Filters of `GET /v1/executions`; `None` means "not given".
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub creator: Option<String>,
    pub start_after: Option<i64>,
    pub end_before: Option<i64>,
    pub document_name: Option<String>,
    pub document_id: Option<String>,
    pub tags: Vec<(String, String)>,
    pub exclude_children: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub enum OperateError {
    NotFound,
    Refused(String),
}

impl Store {
    pub fn new(seed: u64, speed: f64, tickets: usize, now: i64) -> Store {
        let mut store = Store {
            seed,
            speed,
            documents: generate::documents(seed),
            tickets: Vec::new(),
            by_id: HashMap::new(),
            seeded: Vec::new(),
            spawned: 0,
            next_spawn_at: 0,
            started: 0,
        };
        store.next_spawn_at = now + store.spawn_gap(0);
        store.add_seeded(tickets, now);
        store
    }

    fn generator(&self) -> Generator<'_> {
        Generator {
            seed: self.seed,
            speed: self.speed,
            documents: &self.documents,
        }
    }

    /// Adds `n` more seeded tickets and returns their IDs.
    pub fn add_seeded(&mut self, n: usize, now: i64) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        let mut parents: Vec<String> = self
            .seeded
            .iter()
            .take(PARENT_POOL)
            .map(|&i| self.tickets[i].spec.execution_id.clone())
            .collect();
        for _ in 0..n {
            let index = self.seeded.len() as u64;
            let generated = self.generator().seeded(index, now, &parents);
            let position = self.insert(generated);
            self.seeded.push(position);
            let id = self.tickets[position].spec.execution_id.clone();
            if parents.len() < PARENT_POOL {
                parents.push(id.clone());
            }
            ids.push(id);
        }
        ids
    }

    fn insert(&mut self, Generated { mut spec, life }: Generated) -> usize {
        let position = self.tickets.len();
        // Six seeded characters make a clash unlikely, not impossible.
        while self.by_id.contains_key(&spec.execution_id) {
            let bump = spec.execution_id.pop().map_or('0', |c| match c {
                'z' => '0',
                '9' => 'a',
                c => (c as u8 + 1) as char,
            });
            spec.execution_id.push(bump);
        }
        spec.numeric_id = 10_000 + position as u64;
        self.by_id.insert(spec.execution_id.clone(), position);
        self.tickets.push(Entry {
            spec,
            life,
            attempts: 0,
        });
        position
    }

    fn spawn_gap(&self, k: u64) -> i64 {
        let span = (SPAWN_EVERY_MS.end - SPAWN_EVERY_MS.start) as u64;
        let mix =
            (self.seed ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        generate::scaled(
            SPAWN_EVERY_MS.start + ((mix >> 17) % span) as i64,
            self.speed,
        )
    }

    /// Lets the tickets that users started since the last request appear.
    pub fn catch_up(&mut self, now: i64) {
        while self.spawned < MAX_SPAWNED && self.next_spawn_at <= now {
            let generated = self.generator().spawned(self.spawned, self.next_spawn_at);
            self.insert(generated);
            self.spawned += 1;
            self.next_spawn_at += self.spawn_gap(self.spawned);
        }
    }

    pub fn seeded_ids(&self) -> Vec<String> {
        self.seeded
            .iter()
            .map(|&i| self.tickets[i].spec.execution_id.clone())
            .collect()
    }

    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    pub fn document_ids(&self) -> Vec<String> {
        self.documents
            .iter()
            .map(|d| d.document_id.clone())
            .collect()
    }

    /// Starts `run` at `now`; the new ticket's ID.
    pub fn start(&mut self, run: RunRequest, now: i64) -> String {
        let generated = self.generator().started(self.started, now, run);
        self.started += 1;
        let position = self.insert(generated);
        self.tickets[position].spec.execution_id.clone()
    }

    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    pub fn ticket(&self, id: &str, now: i64) -> Option<Ticket> {
        let entry = &self.tickets[*self.by_id.get(id)?];
        Some(self.render_ticket(entry, &entry.life.snapshot(now)))
    }

    pub fn list(&self, filter: &ListFilter, paging: Paging, now: i64) -> (Vec<Ticket>, usize) {
        let mut matches: Vec<(&Entry, Snapshot)> = self
            .tickets
            .iter()
            .filter(|e| self.matches_static(e, filter))
            .map(|e| (e, e.life.snapshot(now)))
            .filter(|(_, s)| filter.start_after.is_none_or(|t| s.start_time > t))
            .filter(|(_, s)| {
                filter
                    .end_before
                    .is_none_or(|t| s.end_time.is_some_and(|end| end < t))
            })
            .collect();
        matches.sort_by(|(a, sa), (b, sb)| {
            sb.start_time
                .cmp(&sa.start_time)
                .then_with(|| a.spec.execution_id.cmp(&b.spec.execution_id))
        });
        let total = matches.len();
        let page = matches
            .iter()
            .skip(paging.offset)
            .take(paging.limit)
            .map(|(e, s)| self.render_ticket(e, s))
            .collect();
        (page, total)
    }

    fn matches_static(&self, entry: &Entry, filter: &ListFilter) -> bool {
        let spec = &entry.spec;
        let doc = &self.documents[spec.document];
        fuzzy(spec.creator, filter.creator.as_deref())
            && fuzzy(doc.job.name, filter.document_name.as_deref())
            && filter
                .document_id
                .as_ref()
                .is_none_or(|d| *d == doc.document_id)
            && filter
                .tags
                .iter()
                .all(|(k, v)| spec.tags.iter().any(|(tk, tv)| tk == k && tv == v))
            && !(filter.exclude_children && spec.parent.is_some())
    }

    /// The steps of a ticket, or `None` when the ticket does not exist.
    pub fn steps(&self, id: &str, wanted: &[String], now: i64) -> Option<Vec<Step>> {
        let position = *self.by_id.get(id)?;
        let entry = &self.tickets[position];
        let snapshot = entry.life.snapshot(now);
        let job = self.documents[entry.spec.document].job;
        let steps = job
            .steps
            .iter()
            .zip(&snapshot.steps)
            .enumerate()
            .map(|(index, (template, state))| {
                let mut properties = BTreeMap::new();
                properties.insert(
                    "on_targets".into(),
                    Value::from(template.on_targets.to_string()),
                );
                properties.insert("timeout".into(), Value::from("600"));
                properties.insert(
                    "retry_times".into(),
                    Value::from(entry.attempts.to_string()),
                );
                Step {
                    execution_step_id: Some(step_id(position, index)),
                    action: Some(template.action.into()),
                    name: Some(template.name.into()),
                    status: Some(state.status.clone()),
                    message: Some(step_message(state)),
                    start_time: state.start,
                    end_time: state.end,
                    inputs: vec![kv(template.input.0, template.input.1)],
                    outputs: step_outputs(state),
                    properties,
                }
            })
            .filter(|s| {
                wanted.is_empty()
                    || s.execution_step_id
                        .as_ref()
                        .is_some_and(|i| wanted.contains(i))
            })
            .collect();
        Some(steps)
    }

    /// The instances of one step: target hosts of a batch step, empty otherwise.
    pub fn instances(&self, step: &str, now: i64) -> Vec<Instance> {
        let Some((position, index)) = parse_step_id(step) else {
            return Vec::new();
        };
        let Some(entry) = self.tickets.get(position) else {
            return Vec::new();
        };
        let job = self.documents[entry.spec.document].job;
        let on_targets = job.steps.get(index).is_some_and(|s| s.on_targets);
        if !on_targets || entry.spec.kind == ExecutionType::Normal {
            return Vec::new();
        }
        let snapshot = entry.life.snapshot(now);
        let state = &snapshot.steps[index];
        let count = entry.spec.host_count();
        (0..count)
            .map(|j| {
                let (status, start, end) = instance_state(state, j, count, now);
                let (resource, batch) = entry.spec.host(j);
                let mut properties = BTreeMap::new();
                for key in ["resource_id", "name", "region_id"] {
                    properties.insert(key.to_string(), resource[key].clone());
                }
                properties.insert(
                    "fixed_ip".into(),
                    resource["properties"]["fixed_ip"].clone(),
                );
                properties.insert("batch_index".into(), Value::from(batch));
                Instance {
                    id: Some((parse_number(step) * 1000 + j as u64).to_string()),
                    execution_instance_id: Some(format!(
                        "{}-{:03}",
                        entry.spec.execution_id,
                        100 * index + j
                    )),
                    execution_step_id: Some(step.to_string()),
                    message: Some(match &status {
                        Status::Failed => format!(
                            "exit code 1 on {}",
                            resource["name"].as_str().unwrap_or("host")
                        ),
                        Status::Timeout => "no result within the step time-out".into(),
                        _ => String::new(),
                    }),
                    status: Some(status),
                    start_time: start,
                    end_time: end,
                    properties,
                }
            })
            .collect()
    }

    pub fn operate(&mut self, id: &str, op: Operation, now: i64) -> Result<(), OperateError> {
        let position = *self.by_id.get(id).ok_or(OperateError::NotFound)?;
        let generator = Generator {
            seed: self.seed,
            speed: self.speed,
            documents: &self.documents,
        };
        let entry = &mut self.tickets[position];
        let job = self.documents[entry.spec.document].job;
        if op == Operation::SkipBatch && entry.spec.kind != ExecutionType::Batch {
            return Err(OperateError::Refused(format!(
                "SKIP_BATCH applies to BATCH executions only, this one is {}",
                entry.spec.kind
            )));
        }
        let from_step = entry
            .life
            .snapshot(now)
            .steps
            .iter()
            .position(|s| s.status != Status::Succeed)
            .unwrap_or(0);
        let attempt = entry.attempts;
        let spec = &entry.spec;
        let result = entry.life.operate(
            op,
            now,
            generator.cancel_takes(spec),
            || generator.retry_plan(spec, attempt, from_step),
            |index| job.steps.get(index).is_some_and(|s| s.on_targets),
        );
        match result {
            Ok(()) => {
                if op == Operation::Retry {
                    entry.attempts += 1;
                }
                Ok(())
            }
            Err(Refused(why)) => Err(OperateError::Refused(why)),
        }
    }

    fn render_ticket(&self, entry: &Entry, snapshot: &Snapshot) -> Ticket {
        let spec = &entry.spec;
        let doc = &self.documents[spec.document];
        let (version, version_id) = &doc.versions[spec.version];
        let hosts = spec.hosts;
        let given = spec.given.as_deref();
        let targets = match spec.kind {
            _ if given.is_some() => given.and_then(|g| g.targets.clone()),
            ExecutionType::Batch => Some(vec![Target {
                key: "BatchValues".into(),
                values: (1..=hosts.batches as usize)
                    .map(|batch| {
                        let members: Vec<Value> = (0..hosts.count as usize)
                            .filter(|&j| hosts.batch_of(j) == batch)
                            .map(|j| hosts.resource(j))
                            .collect();
                        RawJson::from_value(&json!({"batch_index": batch, "rotation_strategy": "CONTINUE", "target_instances": members}))
                    })
                    .collect(),
            }]),
            ExecutionType::RateControl => Some(vec![Target {
                key: "InstanceValues".into(),
                values: (0..hosts.count as usize)
                    .map(|j| RawJson::from_value(&hosts.resource(j)))
                    .collect(),
            }]),
            _ => None,
        };
        let mut sys_tags = vec![kv(ENTERPRISE_SYS_TAG, spec.enterprise_project)];
        if let Some(parent) = &spec.parent {
            sys_tags.push(kv(PARENT_SYS_TAG, parent));
        }
        sys_tags.extend(
            given
                .iter()
                .flat_map(|g| &g.sys_tags)
                .map(|(k, v)| kv(k, v)),
        );
        let target_parameter_name = match given {
            Some(given) => given.target_parameter_name.clone(),
            None => (spec.kind == ExecutionType::RateControl).then(|| "target_instances".into()),
        };
        Ticket {
            id: Some(spec.numeric_id.to_string()),
            execution_id: spec.execution_id.clone(),
            execution_type: Some(spec.kind.clone()),
            document_name: Some(doc.job.name.into()),
            document_id: Some(doc.document_id.as_str().into()),
            document_version_id: Some(version_id.as_str().into()),
            document_version: Some(version.as_str().into()),
            start_time: Some(snapshot.start_time),
            end_time: snapshot.end_time,
            update_time: Some(snapshot.update_time),
            status: Some(snapshot.status.clone()),
            description: given
                .and_then(|g| g.description.as_deref())
                .or(doc.job.description)
                .map(Into::into),
            parameters: spec.parameters.iter().map(|(k, v)| kv(k, v)).collect(),
            target_parameter_name: target_parameter_name.map(Into::into),
            targets: targets.map(|list| Targets::new(&list)),
            creator: Some(spec.creator.into()),
            tags: spec.tags.iter().map(|(k, v)| kv(k, v)).collect(),
            sys_tags,
        }
    }
}

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value.into(),
    }
}

fn fuzzy(haystack: &str, needle: Option<&str>) -> bool {
    needle.is_none_or(|n| haystack.to_lowercase().contains(&n.to_lowercase()))
}

/// Step IDs are numbers that encode the ticket's position and the step's index.
fn step_id(position: usize, index: usize) -> String {
    ((position as u64 + 1) * 100 + index as u64).to_string()
}

fn parse_step_id(id: &str) -> Option<(usize, usize)> {
    let n: u64 = id.parse().ok()?;
    let position = (n / 100).checked_sub(1)?;
    Some((usize::try_from(position).ok()?, (n % 100) as usize))
}

fn parse_number(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

fn step_message(state: &StepState) -> String {
    match state.status {
        Status::Failed => "Command exited with code 1".into(),
        Status::Timeout => format!("Step did not finish within {} s", state.planned / 1000),
        Status::Canceling => "Canceling at the user's request".into(),
        Status::Canceled => "Canceled by the user".into(),
        _ => String::new(),
    }
}

fn step_outputs(state: &StepState) -> Vec<KeyValue> {
    match state.status {
        Status::Succeed => vec![kv("exit_code", "0")],
        Status::Failed => vec![kv("exit_code", "1")],
        _ => Vec::new(),
    }
}

/// Instance `j` of `count` runs in the j-th slice of its step's planned duration; the
/// last one carries a failure or time-out of the step. Instances a cancel or a
/// SKIP_BATCH cut off end `Canceled`.
fn instance_state(
    step: &StepState,
    j: usize,
    count: usize,
    now: i64,
) -> (Status, Option<i64>, Option<i64>) {
    let Some(start) = step.start else {
        return (Status::Pending, None, None);
    };
    let slice = step.planned / count.max(1) as i64;
    let planned_start = start + slice * j as i64;
    let planned_end = if j + 1 == count {
        start + step.planned
    } else {
        planned_start + slice
    };
    let stop = step.end.or(step.halted).unwrap_or(now);
    let step_over = step.end.is_some();
    if planned_start >= stop {
        let status = if step_over {
            Status::Canceled
        } else {
            Status::Pending
        };
        return (status, None, None);
    }
    if planned_end <= stop {
        let failed_here = j + 1 == count && matches!(step.status, Status::Failed | Status::Timeout);
        let status = if failed_here {
            step.status.clone()
        } else {
            Status::Succeed
        };
        return (status, Some(planned_start), Some(planned_end));
    }
    match step.status {
        Status::Running => (Status::Running, Some(planned_start), None),
        Status::Canceling => (Status::Canceling, Some(planned_start), None),
        _ => (Status::Canceled, Some(planned_start), step.end),
    }
}
