//! The simulator's script tickets: lookup by `execute_uuid`, the list's filters and
//! marker paging, each answer's JSON as the service shapes it, operations, and tickets
//! started through the API. Pure data: no HTTP here.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::catalog::SCRIPTS;
use super::generate::{self, Generator, OUTPUT_STREAM, ScriptInfo, ScriptSpec};
use super::life::{Refusal, ScriptLife, ScriptSnapshot};
use super::output::{self, Flavor};
use crate::coc::{ScriptExecuteRequest, ScriptOperation, ScriptStatus};
use crate::sim::wire;

struct Entry {
    spec: ScriptSpec,
    life: ScriptLife,
}

pub struct ScriptStore {
    seed: u64,
    generator: Generator,
    scripts: Vec<ScriptInfo>,
    tickets: Vec<Entry>,
    by_uuid: HashMap<String, usize>,
    seeded: usize,
    started: u64,
    next_order_id: i64,
    next_host_id: i64,
}

/// Filters of `GET /v1/job/script/orders`; `None` means "not given".
#[derive(Debug, Default, Clone)]
pub struct OrderFilter {
    pub creator: Option<String>,
    pub status: Option<ScriptStatus>,
    /// Created at or after.
    pub start_time: Option<i64>,
    /// Created at or before.
    pub end_time: Option<i64>,
}

/// Why a ticket, or a batch of it, could not be shown.
#[derive(Debug, PartialEq)]
pub enum ScriptError {
    NoTicket,
    NoBatch { batches: usize },
}

/// Why an operation was not carried out.
#[derive(Debug, PartialEq)]
pub enum OperateError {
    NoTicket,
    Refused(Refusal),
}

/// Why a script could not be started.
#[derive(Debug, PartialEq)]
pub enum ExecuteError {
    NoScript,
    /// A parameter the script does not have.
    UnknownParameter(String),
    MissingParameter(&'static str),
    /// The batches or hosts break a rule; the text says which.
    Invalid(String),
}

/// Hosts of one ticket at most, as the service allows.
const MAX_HOSTS: usize = 200;
const MAX_HOSTS_IN_BATCH: usize = 100;

impl ScriptStore {
    pub fn new(seed: u64, speed: f64, tickets: usize, now: i64) -> ScriptStore {
        let mut store = ScriptStore {
            seed,
            generator: Generator { seed, speed },
            scripts: generate::scripts(seed),
            tickets: Vec::with_capacity(tickets),
            by_uuid: HashMap::new(),
            seeded: 0,
            started: 0,
            next_order_id: 1_000,
            next_host_id: 1,
        };
        let mut seeded: Vec<_> = (0..tickets as u64)
            .map(|index| store.generator.seeded(index, now))
            .collect();
        // Order IDs grow with creation, as the service's do.
        seeded.sort_by_key(|(_, life)| life.created);
        for (spec, life) in seeded {
            store.insert(spec, life);
        }
        store.seeded = store.tickets.len();
        store
    }

    fn insert(&mut self, mut spec: ScriptSpec, life: ScriptLife) -> String {
        while self.by_uuid.contains_key(&spec.execute_uuid) {
            spec.execute_uuid.push('x');
        }
        spec.order_id = self.next_order_id;
        self.next_order_id += 1;
        spec.first_host_id = self.next_host_id;
        self.next_host_id += spec.targets.iter().map(Vec::len).sum::<usize>() as i64;
        let uuid = spec.execute_uuid.clone();
        self.by_uuid.insert(uuid.clone(), self.tickets.len());
        self.tickets.push(Entry { spec, life });
        uuid
    }

    /// The seeded tickets' IDs, oldest first.
    pub fn seeded_ids(&self) -> Vec<String> {
        self.tickets[..self.seeded]
            .iter()
            .map(|e| e.spec.execute_uuid.clone())
            .collect()
    }

    /// The scripts' UUIDs, in catalog order.
    pub fn script_uuids(&self) -> Vec<String> {
        self.scripts.iter().map(|s| s.script_uuid.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    fn entry(&self, uuid: &str) -> Result<&Entry, ScriptError> {
        self.by_uuid
            .get(uuid)
            .map(|&i| &self.tickets[i])
            .ok_or(ScriptError::NoTicket)
    }

    /// Rows newest first (by `order_id`), after `marker` (an `order_id`), and how many
    /// match in all.
    pub fn list(
        &self,
        filter: &OrderFilter,
        limit: usize,
        marker: Option<i64>,
        now: i64,
    ) -> (Vec<Value>, usize) {
        let matching: Vec<(&Entry, ScriptSnapshot)> =
            self.tickets
                .iter()
                .filter(|e| {
                    let created = e.life.created;
                    filter.start_time.is_none_or(|t| created >= t)
                        && filter.end_time.is_none_or(|t| created <= t)
                        && filter.creator.as_deref().is_none_or(|c| {
                            e.spec.creator.to_lowercase().contains(&c.to_lowercase())
                        })
                })
                .map(|e| (e, e.life.snapshot(now)))
                .filter(|(_, s)| filter.status.as_ref().is_none_or(|want| s.status == *want))
                .collect();
        let total = matching.len();
        let mut page: Vec<&(&Entry, ScriptSnapshot)> = matching
            .iter()
            .filter(|(e, _)| marker.is_none_or(|m| e.spec.order_id < m))
            .collect();
        page.sort_by_key(|(e, _)| std::cmp::Reverse(e.spec.order_id));
        let rows = page
            .into_iter()
            .take(limit)
            .map(|(e, s)| self.row(e, s, now))
            .collect();
        (rows, total)
    }

    fn row(&self, entry: &Entry, snapshot: &ScriptSnapshot, now: i64) -> Value {
        let spec = &entry.spec;
        let mut fields = run_fields(entry, snapshot, now);
        fields.extend(wire::object([
            ("order_id", json!(spec.order_id)),
            ("order_name", json!(SCRIPTS[spec.script].name)),
            ("properties", json!({"region_ids": spec.region_ids()})),
        ]));
        Value::Object(fields)
    }

    /// `GET /v1/job/script/orders/{execute_uuid}`'s `data`.
    pub fn detail(&self, uuid: &str, now: i64) -> Result<Value, ScriptError> {
        let entry = self.entry(uuid)?;
        let spec = &entry.spec;
        let snapshot = entry.life.snapshot(now);
        let script = &SCRIPTS[spec.script];
        let param = &spec.execute_param;
        let script_params: Vec<Value> = param
            .script_params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                json!({"param_name": p.param_name, "param_value": p.param_value, "param_order": i + 1})
            })
            .collect();
        let mut fields = run_fields(entry, &snapshot, now);
        fields.insert(
            "properties".into(),
            json!({
                "script_uuid": self.scripts[spec.script].script_uuid,
                "script_name": script.name,
                "script_version_uuid": version_number(spec.script, spec.version),
                "script_version_name": script.versions[spec.version],
                "current_execute_batch_index": snapshot.current_batch,
                "execute_param": {
                    "timeout": param.timeout,
                    "success_rate": param.success_rate,
                    "execute_user": param.execute_user,
                    "script_params": script_params,
                },
            }),
        );
        Ok(Value::Object(fields))
    }

    /// `…/statistics`: host counts per status, with the batches that hold them.
    pub fn statistics(&self, uuid: &str, now: i64) -> Result<Value, ScriptError> {
        let entry = self.entry(uuid)?;
        let snapshot = entry.life.snapshot(now);
        let mut by_status: BTreeMap<String, (usize, Vec<usize>)> = BTreeMap::new();
        for (k, batch) in snapshot.batches.iter().enumerate() {
            for host in &batch.hosts {
                let (count, batches) = by_status.entry(host.status.to_string()).or_default();
                *count += 1;
                if batches.last() != Some(&(k + 1)) {
                    batches.push(k + 1);
                }
            }
        }
        let statistics: Vec<Value> = by_status
            .into_iter()
            .map(|(status, (count, batches))| {
                json!({"instance_status": status, "instance_count": count, "batch_indexes": batches})
            })
            .collect();
        Ok(json!({
            "total_instance": entry.spec.targets.iter().map(Vec::len).sum::<usize>(),
            "execute_statistics": statistics,
        }))
    }

    /// `…/batches`: every batch.
    pub fn batches(&self, uuid: &str) -> Result<Value, ScriptError> {
        let entry = self.entry(uuid)?;
        let batches: Vec<Value> = entry
            .spec
            .targets
            .iter()
            .zip(&entry.life.batches)
            .enumerate()
            .map(|(k, (hosts, plan))| {
                json!({
                    "batch_index": k + 1,
                    "total_instances": hosts.len(),
                    "rotation_strategy": if plan.pause_after { "PAUSE" } else { "CONTINUE" },
                    "properties": null,
                })
            })
            .collect();
        Ok(Value::Array(batches))
    }

    /// `…/batches/{batch_index}`: the hosts of a batch with IDs above `marker`, in ID
    /// order, with their output.
    pub fn hosts(
        &self,
        uuid: &str,
        batch_index: usize,
        status: Option<&ScriptStatus>,
        limit: usize,
        marker: Option<i64>,
        now: i64,
    ) -> Result<Value, ScriptError> {
        let entry = self.entry(uuid)?;
        let spec = &entry.spec;
        let batches = spec.targets.len();
        let k = batch_index
            .checked_sub(1)
            .filter(|&k| k < batches)
            .ok_or(ScriptError::NoBatch { batches })?;
        let snapshot = entry.life.snapshot(now);
        let before: usize = spec.targets[..k].iter().map(Vec::len).sum();
        let hosts: Vec<Value> = spec.targets[k]
            .iter()
            .zip(&snapshot.batches[k].hosts)
            .enumerate()
            .map(|(j, (target, state))| (before + j, target, state))
            .filter(|(ordinal, _, state)| {
                marker.is_none_or(|m| spec.first_host_id + *ordinal as i64 > m)
                    && status.is_none_or(|want| state.status == *want)
            })
            .take(limit)
            .map(|(ordinal, target, state)| {
                let flavor = if spec.huge_host == Some(ordinal) {
                    Flavor::Huge
                } else if ordinal == 1 {
                    Flavor::Hostile
                } else {
                    Flavor::Plain
                };
                let key = OUTPUT_STREAM + spec.stream * MAX_HOSTS as u64 + ordinal as u64;
                let message =
                    output::host_output(self.seed, key, &SCRIPTS[spec.script], flavor, state);
                json!({
                    "id": spec.first_host_id + ordinal as i64,
                    "target_instance": target,
                    "gmt_created": state.start,
                    "gmt_finished": state.end,
                    "execute_costs": state.start.map(|start| (state.end.unwrap_or(now) - start) / 1000),
                    "status": state.status.as_str(),
                    "message": message,
                })
            })
            .collect();
        Ok(json!({
            "batch_index": batch_index,
            "total_instances": spec.targets[k].len(),
            "execute_instances": hosts,
        }))
    }

    pub fn operate(
        &mut self,
        uuid: &str,
        operation: ScriptOperation,
        now: i64,
    ) -> Result<(), OperateError> {
        let &position = self.by_uuid.get(uuid).ok_or(OperateError::NoTicket)?;
        let entry = &mut self.tickets[position];
        let host = match operation {
            ScriptOperation::CancelInstance { instance_id } => {
                host_at(&entry.spec, instance_id - entry.spec.first_host_id)
            }
            _ => None,
        };
        entry
            .life
            .operate(operation, host, now)
            .map_err(OperateError::Refused)
    }

    /// Starts `script_uuid` as `request` asks, as the service checks it; the new
    /// ticket's `execute_uuid`.
    pub fn execute(
        &mut self,
        script_uuid: &str,
        request: &ScriptExecuteRequest,
        now: i64,
    ) -> Result<String, ExecuteError> {
        let script = self
            .scripts
            .iter()
            .find(|s| s.script_uuid == script_uuid)
            .ok_or(ExecuteError::NoScript)?
            .catalog;
        check_request(SCRIPTS[script].parameters, request)?;
        let (spec, life) = self.generator.started(self.started, now, script, request);
        self.started += 1;
        Ok(self.insert(spec, life))
    }
}

/// The service's checks of a run: known parameters, the required one given, batches
/// numbered 1 to 20 once each, every batch with hosts, not too many hosts.
fn check_request(
    parameters: &[super::catalog::ScriptParameter],
    request: &ScriptExecuteRequest,
) -> Result<(), ExecuteError> {
    let given = &request.execute_param.script_params;
    if let Some(unknown) = given
        .iter()
        .find(|p| !parameters.iter().any(|(name, _)| *name == p.param_name))
    {
        return Err(ExecuteError::UnknownParameter(unknown.param_name.clone()));
    }
    if let Some((required, _)) = parameters.first()
        && !given
            .iter()
            .any(|p| p.param_name == *required && !p.param_value.trim().is_empty())
    {
        return Err(ExecuteError::MissingParameter(required));
    }
    if let Some(timeout) = request.execute_param.timeout
        && !(5..=1800).contains(&timeout)
    {
        return Err(ExecuteError::Invalid(format!(
            "timeout must be between 5 and 1800 seconds, not {timeout}"
        )));
    }
    if let Some(rate) = request.execute_param.success_rate
        && !(0.0..=100.0).contains(&rate)
    {
        return Err(ExecuteError::Invalid(format!(
            "success_rate must be between 0 and 100, not {rate}"
        )));
    }
    let batches = &request.execute_batches;
    if batches.is_empty() {
        return Err(ExecuteError::Invalid("execute_batches is empty".into()));
    }
    let mut indexes: Vec<u32> = batches.iter().map(|b| b.batch_index).collect();
    indexes.sort_unstable();
    if indexes != (1..=batches.len() as u32).collect::<Vec<_>>()
        || batches.len() > crate::coc::script::MAX_BATCH_INDEX as usize
    {
        return Err(ExecuteError::Invalid(format!(
            "batch_index must number the batches 1 to {} once each, not {indexes:?}",
            batches
                .len()
                .min(crate::coc::script::MAX_BATCH_INDEX as usize)
        )));
    }
    if let Some(empty) = batches.iter().find(|b| b.target_instances.is_empty()) {
        return Err(ExecuteError::Invalid(format!(
            "batch {} has no target_instances",
            empty.batch_index
        )));
    }
    let hosts: usize = batches.iter().map(|b| b.target_instances.len()).sum();
    if hosts > MAX_HOSTS
        || batches
            .iter()
            .any(|b| b.target_instances.len() > MAX_HOSTS_IN_BATCH)
    {
        return Err(ExecuteError::Invalid(format!(
            "at most {MAX_HOSTS} hosts, {MAX_HOSTS_IN_BATCH} in a batch"
        )));
    }
    if let Some(rotation) = batches
        .iter()
        .filter_map(|b| b.rotation_strategy.as_deref())
        .find(|r| !matches!(*r, "CONTINUE" | "PAUSE"))
    {
        return Err(ExecuteError::Invalid(format!(
            "rotation_strategy must be CONTINUE or PAUSE, not {rotation:?}"
        )));
    }
    Ok(())
}

/// The fields a list row and the detail share: the ticket, who ran it, when, how it
/// stands.
fn run_fields(entry: &Entry, snapshot: &ScriptSnapshot, now: i64) -> Map<String, Value> {
    wire::object([
        ("execute_uuid", json!(entry.spec.execute_uuid)),
        ("gmt_created", json!(entry.life.created)),
        ("gmt_finished", json!(snapshot.finished)),
        (
            "execute_costs",
            json!(costs(entry.life.created, snapshot.finished, now)),
        ),
        ("creator", json!(entry.spec.creator)),
        ("status", json!(snapshot.status.as_str())),
    ])
}

/// Where host number `ordinal` of a ticket is: its batch and its place in it.
fn host_at(spec: &ScriptSpec, ordinal: i64) -> Option<(usize, usize)> {
    let mut left = usize::try_from(ordinal).ok()?;
    for (k, batch) in spec.targets.iter().enumerate() {
        if left < batch.len() {
            return Some((k, left));
        }
        left -= batch.len();
    }
    None
}

/// Seconds from creation to the end, or to now while running.
fn costs(created: i64, finished: Option<i64>, now: i64) -> i64 {
    (finished.unwrap_or(now) - created).max(0) / 1000
}

/// A script version's UUID, which the service sends as a number.
fn version_number(script: usize, version: usize) -> u64 {
    10_000 * (script as u64 + 1) + version as u64 + 1
}
