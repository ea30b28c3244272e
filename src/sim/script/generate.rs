//! Seeded script tickets, and the ones `POST /v1/job/scripts/{script_uuid}` starts.
//! Every ticket draws from its own ChaCha stream, so ticket N is the same whatever the
//! number of tickets around it.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::catalog::{HOST_PREFIXES, REGIONS, SCRIPT_CREATORS, SCRIPTS};
use super::life::{BatchPlan, HostOutcome, HostPlan, ScriptLife};
use crate::coc::ScriptStatus;
use crate::coc::script::InstanceProperties;
use crate::coc::script::{ExecuteParam, ScriptExecuteRequest, ScriptParam, TargetInstance};
use crate::sim::generate::{ID_ANCHOR_MS, MINUTE, SECOND, pick, scaled, shaped_id, stream, uuid};

const SEEDED_STREAM: u64 = 1 << 42;
const STARTED_STREAM: u64 = 1 << 43;
/// Host outputs: this plus the ticket's own stream, times the hosts a ticket may have.
pub const OUTPUT_STREAM: u64 = 1 << 44;
const CATALOG_STREAM: u64 = u64::MAX - 2;

/// The first seeded tickets are in these statuses, in this order: every status is
/// there whatever the count. The first FINISHED one has a host with about 1 MB of
/// output.
const SEEDED_ORDER: [ScriptStatus; 7] = [
    ScriptStatus::Ready,
    ScriptStatus::Processing,
    ScriptStatus::Paused,
    ScriptStatus::Abnormal,
    ScriptStatus::Canceled,
    ScriptStatus::Finished,
    ScriptStatus::Rollbacked,
];
const HUGE_OUTPUT_TICKET: u64 = 5;

/// A script as this simulator knows it: the catalog entry and its seeded UUID.
pub struct ScriptInfo {
    pub catalog: usize,
    pub script_uuid: String,
}

pub fn scripts(seed: u64) -> Vec<ScriptInfo> {
    let mut rng = stream(seed, CATALOG_STREAM);
    (0..SCRIPTS.len())
        .map(|catalog| ScriptInfo {
            catalog,
            script_uuid: uuid(&mut rng),
        })
        .collect()
}

/// Everything about a script ticket that never changes.
pub struct ScriptSpec {
    pub execute_uuid: String,
    /// Set when the ticket is stored.
    pub order_id: i64,
    /// Set when the ticket is stored: host `k` of the ticket (counted over its
    /// batches) has ID `first_host_id + k`.
    pub first_host_id: i64,
    pub script: usize,
    pub version: usize,
    pub creator: &'static str,
    pub execute_param: ExecuteParam,
    /// One list per batch.
    pub targets: Vec<Vec<TargetInstance>>,
    /// Picks the hosts' output.
    pub stream: u64,
    /// The host (counted over the batches) whose output is about 1 MB.
    pub huge_host: Option<usize>,
}

impl ScriptSpec {
    /// The regions of the hosts, comma-separated.
    pub fn region_ids(&self) -> String {
        let mut regions: Vec<&str> = self
            .targets
            .iter()
            .flatten()
            .filter_map(|t| t.region_id.as_deref())
            .collect();
        regions.sort_unstable();
        regions.dedup();
        regions.join(",")
    }
}

pub struct Generator {
    pub seed: u64,
    pub speed: f64,
}

impl Generator {
    /// Seeded ticket number `index` as it stands at `now`.
    pub fn seeded(&self, index: u64, now: i64) -> (ScriptSpec, ScriptLife) {
        let mut rng = stream(self.seed, SEEDED_STREAM + index);
        let status = match SEEDED_ORDER.get(index as usize) {
            Some(status) => status.clone(),
            None => pick_status(&mut rng),
        };
        let script = rng.gen_range(0..SCRIPTS.len());
        let catalog = &SCRIPTS[script];
        let mut execute_param = ExecuteParam {
            timeout: Some(pick(&mut rng, &[300, 600, 900])),
            success_rate: None,
            execute_user: Some(catalog.execute_user.into()),
            script_params: catalog
                .parameters
                .iter()
                .map(|(name, default)| ScriptParam {
                    param_name: (*name).into(),
                    param_value: (*default).into(),
                    param_refer: None,
                })
                .collect(),
        };
        let batch_count = if status == ScriptStatus::Paused {
            rng.gen_range(2..=4)
        } else {
            rng.gen_range(1..=4)
        };
        let targets = seeded_hosts(&mut rng, batch_count);
        let nominal: Vec<Vec<HostPlan>> = targets
            .iter()
            .map(|batch| batch.iter().map(|_| host_plan(&mut rng, 20..120)).collect())
            .collect();
        let (life, rate) = self.seeded_life(&mut rng, &status, nominal, now);
        execute_param.success_rate = Some(rate);
        let id_time = ID_ANCHOR_MS - (now - life.created);
        let spec = ScriptSpec {
            execute_uuid: shaped_id("JS", id_time, &mut rng),
            order_id: 0,
            first_host_id: 0,
            script,
            version: rng.gen_range(0..catalog.versions.len()),
            creator: pick(&mut rng, SCRIPT_CREATORS),
            execute_param,
            targets,
            stream: SEEDED_STREAM + index,
            huge_host: (index == HUGE_OUTPUT_TICKET).then_some(0),
        };
        (spec, life)
    }

    /// A lifecycle that is in `status` at `now`, and the success rate it needs.
    /// Finished tickets lie in the past at real speed; live ones run at the sim's speed
    /// and stay in `status` for at least 30 s of ticket time.
    fn seeded_life(
        &self,
        rng: &mut ChaCha8Rng,
        status: &ScriptStatus,
        mut plans: Vec<Vec<HostPlan>>,
        now: i64,
    ) -> (ScriptLife, f64) {
        let rate = if rng.gen_bool(0.7) { 100.0 } else { 90.0 };
        let batches = |plans: Vec<Vec<HostPlan>>, pause_at: Option<usize>| -> Vec<BatchPlan> {
            plans
                .into_iter()
                .enumerate()
                .map(|(k, hosts)| BatchPlan {
                    hosts,
                    pause_after: Some(k) == pause_at,
                })
                .collect()
        };
        match status {
            ScriptStatus::Finished
            | ScriptStatus::Abnormal
            | ScriptStatus::Rollbacked
            | ScriptStatus::Canceled => {
                let failing = !matches!(status, ScriptStatus::Finished | ScriptStatus::Canceled);
                all_succeed(&mut plans);
                if failing {
                    let k = rng.gen_range(0..plans.len());
                    let j = rng.gen_range(0..plans[k].len());
                    plans[k][j].outcome = HostOutcome::Abnormal;
                }
                let total: i64 = plans.iter().map(|b| batch_length(b)).sum();
                let created = now - rng.gen_range(10 * MINUTE..7 * 24 * 60 * MINUTE) - total;
                let start = created + rng.gen_range(1..5) * SECOND;
                let rate = if failing { 100.0 } else { rate };
                let mut life = ScriptLife::new(
                    created,
                    start,
                    batches(plans, None),
                    rate,
                    *status == ScriptStatus::Rollbacked,
                );
                if *status == ScriptStatus::Canceled {
                    life.canceled = Some(start + rng.gen_range(SECOND..total.max(2 * SECOND)));
                }
                (life, rate)
            }
            ScriptStatus::Ready => {
                let plans = self.scale(plans);
                let start = now + scaled(rng.gen_range(30..120) * SECOND, self.speed);
                let created = now - scaled(rng.gen_range(0..20) * SECOND, self.speed);
                (
                    ScriptLife::new(created, start, batches(plans, None), rate, false),
                    rate,
                )
            }
            ScriptStatus::Paused => {
                // Batch `k` ran, and its rotation strategy holds the ticket after it.
                let k = rng.gen_range(0..plans.len() - 1);
                all_succeed(&mut plans[..=k]);
                let ran: i64 = plans[..=k].iter().map(|b| batch_length(b)).sum();
                let waited = rng.gen_range(MINUTE..90 * MINUTE);
                let plans = self.scale(plans);
                let start = now - scaled(ran, self.speed) - waited;
                let created = start - scaled(rng.gen_range(1..10) * SECOND, self.speed);
                let life = ScriptLife::new(created, start, batches(plans, Some(k)), 100.0, false);
                (life, 100.0)
            }
            // Processing, and statuses the seeds never ask for.
            _ => {
                // `now` falls inside batch `k`, at least 30 s before its end.
                let k = rng.gen_range(0..plans.len());
                all_succeed(&mut plans[..k]);
                plans[k][0].duration = plans[k][0].duration.max(40 * SECOND);
                let length = batch_length(&plans[k]);
                let into = rng.gen_range(SECOND..length - 30 * SECOND);
                let before: i64 = plans[..k].iter().map(|b| batch_length(b)).sum();
                let later_pause = (k + 1 < plans.len() && rng.gen_bool(0.3)).then_some(k + 1);
                let plans = self.scale(plans);
                let start = now - scaled(before + into, self.speed);
                let created = start - scaled(rng.gen_range(1..10) * SECOND, self.speed);
                let life =
                    ScriptLife::new(created, start, batches(plans, later_pause), rate, false);
                (life, rate)
            }
        }
    }

    /// A ticket `request` starts on `script` at `at`, the `k`-th started this way.
    pub fn started(
        &self,
        k: u64,
        at: i64,
        script: usize,
        request: &ScriptExecuteRequest,
    ) -> (ScriptSpec, ScriptLife) {
        let mut rng = stream(self.seed, STARTED_STREAM + k);
        let catalog = &SCRIPTS[script];
        let mut batches = request.execute_batches.clone();
        batches.sort_by_key(|b| b.batch_index);
        let plans = batches
            .iter()
            .map(|batch| BatchPlan {
                hosts: self.scale_batch(
                    batch
                        .target_instances
                        .iter()
                        .map(|_| host_plan(&mut rng, 10..60))
                        .collect(),
                ),
                pause_after: batch.rotation_strategy.as_deref()
                    == Some(crate::coc::script::ROTATION_PAUSE),
            })
            .collect();
        let param = &request.execute_param;
        let execute_param = ExecuteParam {
            timeout: Some(param.timeout.unwrap_or(300)),
            success_rate: Some(param.success_rate.unwrap_or(100.0)),
            execute_user: Some(
                param
                    .execute_user
                    .clone()
                    .unwrap_or_else(|| catalog.execute_user.into()),
            ),
            script_params: catalog
                .parameters
                .iter()
                .map(|(name, default)| {
                    let given = param.script_params.iter().find(|p| p.param_name == *name);
                    ScriptParam {
                        param_name: (*name).into(),
                        param_value: given.map_or((*default).into(), |p| p.param_value.clone()),
                        param_refer: given.and_then(|p| p.param_refer.clone()),
                    }
                })
                .collect(),
        };
        let start = at + scaled(rng.gen_range(2..5) * SECOND, self.speed);
        let rate = execute_param.success_rate.unwrap_or(100.0);
        let life = ScriptLife::new(at, start, plans, rate, false);
        let spec = ScriptSpec {
            execute_uuid: shaped_id("JS", at, &mut rng),
            order_id: 0,
            first_host_id: 0,
            script,
            version: catalog.versions.len() - 1,
            creator: crate::sim::catalog::API_CREATOR,
            execute_param,
            targets: batches.into_iter().map(|b| b.target_instances).collect(),
            stream: STARTED_STREAM + k,
            huge_host: None,
        };
        (spec, life)
    }

    fn scale(&self, plans: Vec<Vec<HostPlan>>) -> Vec<Vec<HostPlan>> {
        plans.into_iter().map(|b| self.scale_batch(b)).collect()
    }

    fn scale_batch(&self, hosts: Vec<HostPlan>) -> Vec<HostPlan> {
        hosts
            .into_iter()
            .map(|h| HostPlan {
                offset: scaled(h.offset, self.speed),
                duration: scaled(h.duration, self.speed),
                ..h
            })
            .collect()
    }
}

/// Hosts that succeed whatever their plan said: what already happened to a seeded
/// ticket must agree with its status.
fn all_succeed(batches: &mut [Vec<HostPlan>]) {
    for host in batches.iter_mut().flatten() {
        host.outcome = HostOutcome::Finished;
    }
}

/// How long a batch of hosts runs: until its last host ends.
fn batch_length(hosts: &[HostPlan]) -> i64 {
    hosts
        .iter()
        .map(|h| h.offset + h.duration)
        .max()
        .unwrap_or(0)
}

/// A host that starts within 3 s of its batch and runs `seconds`; most succeed.
fn host_plan(rng: &mut ChaCha8Rng, seconds: std::ops::Range<i64>) -> HostPlan {
    HostPlan {
        offset: rng.gen_range(0..3 * SECOND),
        duration: rng.gen_range(seconds) * SECOND,
        outcome: if rng.gen_bool(0.95) {
            HostOutcome::Finished
        } else {
            HostOutcome::Abnormal
        },
    }
}

/// Hosts in `batches` batches: one host in the first (a canary), up to five in others.
fn seeded_hosts(rng: &mut ChaCha8Rng, batches: usize) -> Vec<Vec<TargetInstance>> {
    let prefix = pick(rng, HOST_PREFIXES);
    let region = pick(rng, REGIONS);
    let mut number = rng.gen_range(1..40);
    (0..batches)
        .map(|k| {
            let count = if k == 0 { 1 } else { rng.gen_range(2..=5) };
            (0..count)
                .map(|_| {
                    number += 1;
                    host(rng, prefix, number, region)
                })
                .collect()
        })
        .collect()
}

fn host(rng: &mut ChaCha8Rng, prefix: &str, number: u32, region: &str) -> TargetInstance {
    TargetInstance {
        resource_id: Some(uuid(rng)),
        provider: Some("ECS".into()),
        region_id: Some(region.into()),
        resource_type: Some("CLOUDSERVER".into()),
        custom_attributes: Vec::new(),
        agent_sn: Some(format!("{:032x}", rng.r#gen::<u128>())),
        agent_status: Some("ONLINE".into()),
        properties: Some(InstanceProperties {
            host_name: Some(format!("{prefix}-{number:02}")),
            fixed_ip: Some(format!("192.168.{}.{}", number / 250, number % 250 + 2)),
            floating_ip: None,
            region_id: Some(region.into()),
            zone_id: Some(format!("{region}a")),
            application: None,
            group: None,
            project_id: Some(format!("{:032x}", rng.r#gen::<u128>())),
        }),
    }
}

fn pick_status(rng: &mut ChaCha8Rng) -> ScriptStatus {
    const WEIGHTS: [u32; 7] = [6, 18, 8, 12, 8, 40, 3];
    let mut roll = rng.gen_range(0..WEIGHTS.iter().sum::<u32>());
    for (status, weight) in SEEDED_ORDER.into_iter().zip(WEIGHTS) {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    ScriptStatus::Finished
}
