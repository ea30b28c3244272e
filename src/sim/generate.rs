//! Seeded tickets. Every ticket draws from its own ChaCha stream (`seed`, stream
//! index), so ticket N is the same whatever the number of tickets around it.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{self, Job};
use super::lifecycle::{Cancel, Ending, Lifecycle, Run, Start};
use crate::coc::{ExecutionType, Status};

/// Stream indexes from here on are used by tickets that appear while the sim runs.
pub const SPAWN_STREAM: u64 = 1 << 40;
/// Stream indexes from here on are used by tickets started through the API.
const STARTED_STREAM: u64 = 1 << 41;
const CATALOG_STREAM: u64 = u64::MAX;
/// IDs of seeded tickets carry dates counted back from here, so that they do not depend
/// on when the sim started (2025-07-01T00:00:00+08:00).
pub(super) const ID_ANCHOR_MS: i64 = 1_751_299_200_000;
pub(super) const SECOND: i64 = 1_000;
pub(super) const MINUTE: i64 = 60 * SECOND;

/// A job as it exists in this sim: the catalog entry plus seeded IDs and versions.
pub struct Document {
    pub job: &'static Job,
    pub document_id: String,
    /// (version, version_id), oldest first.
    pub versions: Vec<(String, String)>,
    /// When the first version was made; each later one came 3 days after the one
    /// before.
    pub created: i64,
}

impl Document {
    /// When version `v` (from 0) was made.
    pub fn version_created(&self, v: usize) -> i64 {
        self.created + v as i64 * 3 * 24 * 60 * MINUTE
    }
}

pub fn documents(seed: u64) -> Vec<Document> {
    let mut rng = stream(seed, CATALOG_STREAM);
    catalog::JOBS
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let date = ID_ANCHOR_MS
                - (i as i64 + 1) * 9 * 24 * 60 * MINUTE
                - rng.gen_range(0..24 * 60 * MINUTE);
            let count = rng.gen_range(1..=4);
            Document {
                job,
                created: date,
                document_id: shaped_id("DM", date, &mut rng),
                versions: (1..=count)
                    .map(|v| (format!("v{v}"), uuid(&mut rng)))
                    .collect(),
            }
        })
        .collect()
}

/// The hosts a ticket targets, generated on demand rather than stored.
#[derive(Debug, Clone, Copy)]
pub struct Hosts {
    pub prefix: &'static str,
    pub first: u16,
    pub count: u8,
    pub batches: u8,
    pub region: &'static str,
    pub salt: u32,
}

impl Hosts {
    /// No hosts: for tickets whose targets were given (see `GivenRun`).
    const NONE: Hosts = Hosts {
        prefix: "",
        first: 0,
        count: 0,
        batches: 1,
        region: "",
        salt: 0,
    };

    pub fn resource(&self, j: usize) -> serde_json::Value {
        let n = self.first as usize + j;
        let mix = (self.salt as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n as u64) << 7;
        serde_json::json!({
            "resource_id": format!("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                (mix >> 32) as u32, (mix >> 16) as u16, n % 0x1000, (mix % 0x1000) as u16,
                mix & 0xffff_ffff_ffff),
            "name": format!("{}-{:02}", self.prefix, n),
            "provider": "ecs",
            "type": "cloudservers",
            "region_id": self.region,
            "agent_state": "ONLINE",
            "properties": {
                "host_name": format!("{}-{:02}", self.prefix, n),
                "fixed_ip": format!("192.168.{}.{}", n / 250, n % 250 + 2),
                "os_type": "Linux",
            },
        })
    }

    /// Which batch host `j` belongs to (1-based), hosts spread evenly.
    pub fn batch_of(&self, j: usize) -> usize {
        let per = (self.count as usize).div_ceil(self.batches.max(1) as usize);
        j / per.max(1) + 1
    }
}

/// Everything about a ticket that never changes.
pub struct Spec {
    pub execution_id: String,
    pub numeric_id: u64,
    pub kind: ExecutionType,
    pub document: usize,
    pub version: usize,
    pub creator: &'static str,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(&'static str, &'static str)>,
    pub enterprise_project: &'static str,
    pub parent: Option<String>,
    pub hosts: Hosts,
    /// What a run started through the API asked for; its targets replace `hosts`.
    pub given: Option<Box<GivenRun>>,
    /// Seeds later random choices (retry plans).
    pub stream: u64,
}

impl Spec {
    /// How many hosts the ticket targets.
    pub fn host_count(&self) -> usize {
        match &self.given {
            Some(given) => given.resources.len(),
            None => self.hosts.count as usize,
        }
    }

    /// Host `j`'s resource, and its batch (from 1).
    pub fn host(&self, j: usize) -> (serde_json::Value, usize) {
        match &self.given {
            Some(given) => given.resources[j].clone(),
            None => (self.hosts.resource(j), self.hosts.batch_of(j)),
        }
    }
}

/// What `POST /v1/documents/{document_id}` asked for, shown back as it was given.
#[derive(Debug, Default)]
pub struct GivenRun {
    pub description: Option<String>,
    pub target_parameter_name: Option<String>,
    pub targets: Option<Vec<crate::coc::Target>>,
    pub sys_tags: Vec<(String, String)>,
    /// Every target resource, with its batch (from 1).
    pub resources: Vec<(serde_json::Value, usize)>,
}

/// A run of a document started through the API.
pub struct RunRequest {
    pub document: usize,
    pub version: usize,
    pub kind: ExecutionType,
    pub parameters: Vec<(String, String)>,
    pub given: GivenRun,
}

pub struct Generated {
    pub spec: Spec,
    pub life: Lifecycle,
}

/// Speed-scaled time: `nominal` milliseconds of ticket time at `speed`.
pub fn scaled(nominal: i64, speed: f64) -> i64 {
    ((nominal as f64 / speed).round() as i64).max(1)
}

pub struct Generator<'a> {
    pub seed: u64,
    pub speed: f64,
    pub documents: &'a [Document],
}

impl Generator<'_> {
    /// Seeded ticket number `index` as it stands at `now`. The first 21 cover every
    /// status and type, so that every operation can be tried: the `Pending` BATCH and
    /// RATE_CONTROL ones are paused (RESUME), the `Running` BATCH one is inside a batch step
    /// (SKIP_BATCH). `parent_pool` are earlier IDs a child ticket may belong to.
    pub fn seeded(&self, index: u64, now: i64, parent_pool: &[String]) -> Generated {
        let mut rng = stream(self.seed, index);
        let (status, kind) = if index < 21 {
            (
                Status::KNOWN[index as usize % 7].clone(),
                KINDS[index as usize / 7].clone(),
            )
        } else {
            (pick_status(&mut rng), pick_kind(&mut rng))
        };
        let mut spec = self.spec(&mut rng, kind, index);
        if index >= 21 && !parent_pool.is_empty() && rng.gen_bool(0.1) {
            spec.parent = parent_pool.choose(&mut rng).cloned();
        }
        let durations = self.nominal_durations(&mut rng, &spec);
        let shape = Shape {
            batch_steps: self.batch_steps(&spec),
            paused: index < 21 && spec.kind != ExecutionType::Normal,
        };
        let life = self.initial_life(&mut rng, status, durations, &shape, now);
        let id_time = ID_ANCHOR_MS - (now - life.created);
        spec.execution_id = shaped_id("EX", id_time, &mut rng);
        Generated { spec, life }
    }

    /// A ticket that a user starts while the sim runs, queued at `at`.
    pub fn spawned(&self, k: u64, at: i64) -> Generated {
        let mut rng = stream(self.seed, SPAWN_STREAM + k);
        let kind = pick_kind(&mut rng);
        let mut spec = self.spec(&mut rng, kind, SPAWN_STREAM + k);
        spec.execution_id = shaped_id("EX", at, &mut rng);
        let life = self.fresh_life(&mut rng, &spec, at, true);
        Generated { spec, life }
    }

    /// The `k`-th ticket started through the API, queued at `at`.
    pub fn started(&self, k: u64, at: i64, run: RunRequest) -> Generated {
        let mut rng = stream(self.seed, STARTED_STREAM + k);
        let spec = Spec {
            execution_id: shaped_id("EX", at, &mut rng),
            numeric_id: 0,
            kind: run.kind,
            document: run.document,
            version: run.version,
            creator: catalog::API_CREATOR,
            parameters: run.parameters,
            tags: Vec::new(),
            enterprise_project: catalog::ENTERPRISE_PROJECTS[0],
            parent: None,
            hosts: Hosts::NONE,
            given: Some(Box::new(run.given)),
            stream: STARTED_STREAM + k,
        };
        let life = self.fresh_life(&mut rng, &spec, at, false);
        Generated { spec, life }
    }

    /// The life of a ticket queued at `at`: it starts a few seconds later, or (when
    /// `may_wait`, one time in ten) waits for a RESUME.
    fn fresh_life(&self, rng: &mut ChaCha8Rng, spec: &Spec, at: i64, may_wait: bool) -> Lifecycle {
        let durations: Vec<i64> = self
            .nominal_durations(rng, spec)
            .into_iter()
            .map(|d| scaled(d, self.speed))
            .collect();
        let start = if may_wait && rng.gen_bool(0.1) {
            Start::Manual(None)
        } else {
            Start::At(at + scaled(rng.gen_range(2..10) * SECOND, self.speed))
        };
        let ending = pick_ending(rng, 0, durations.len());
        Lifecycle {
            created: at,
            history: Vec::new(),
            run: Run {
                queued: at,
                start,
                first_step: 0,
                durations,
                ending,
                cancel: None,
                cut: None,
            },
        }
    }

    /// The plan of a RETRY: fresh durations for every step and a (mostly good) ending.
    pub fn retry_plan(&self, spec: &Spec, attempt: u64, from_step: usize) -> (Vec<i64>, Ending) {
        let mut rng = stream(self.seed, spec.stream);
        // Far past the words the ticket's own generation used.
        rng.set_word_pos(u128::from(attempt + 1) << 32);
        let durations: Vec<i64> = self
            .nominal_durations(&mut rng, spec)
            .into_iter()
            .map(|d| scaled(d, self.speed))
            .collect();
        let ending = if rng.gen_bool(0.8) {
            Ending::Succeed
        } else {
            pick_ending(&mut rng, from_step, durations.len())
        };
        (durations, ending)
    }

    /// How long `Canceling` lasts after a TERMINATE.
    pub fn cancel_takes(&self, spec: &Spec) -> i64 {
        scaled((3 + (spec.numeric_id % 8) as i64) * SECOND, self.speed)
    }

    fn spec(&self, rng: &mut ChaCha8Rng, kind: ExecutionType, stream: u64) -> Spec {
        let drawn = rng.gen_range(0..self.documents.len());
        // A BATCH ticket runs a job with a step that runs in batches.
        let document = (drawn..self.documents.len())
            .chain(0..drawn)
            .find(|&d| kind != ExecutionType::Batch || has_batch_step(self.documents[d].job))
            .unwrap_or(drawn);
        let doc = &self.documents[document];
        let parameters = doc
            .job
            .parameters
            .iter()
            .map(|(key, values)| (key.to_string(), pick(rng, values).to_string()))
            .collect();
        let mut tags: Vec<(&'static str, &'static str)> = Vec::new();
        for (key, values) in catalog::TAGS {
            if rng.gen_bool(0.6) {
                tags.push((key, pick(rng, values)));
            }
        }
        if tags.is_empty() {
            tags.push(("env", "prod"));
        }
        let batches = if kind == ExecutionType::Batch {
            rng.gen_range(2..=3)
        } else {
            1
        };
        Spec {
            execution_id: String::new(),
            numeric_id: 0,
            kind,
            document,
            version: rng.gen_range(0..doc.versions.len()),
            creator: pick(rng, catalog::CREATORS),
            parameters,
            tags,
            enterprise_project: pick(rng, catalog::ENTERPRISE_PROJECTS),
            parent: None,
            hosts: Hosts {
                prefix: pick(rng, catalog::HOST_PREFIXES),
                first: rng.gen_range(1..60),
                count: rng.gen_range(batches * 2..=8),
                batches,
                region: pick(rng, catalog::REGIONS),
                salt: rng.r#gen(),
            },
            given: None,
            stream,
        }
    }

    /// The steps of a BATCH ticket that run in batches; none for other types.
    fn batch_steps(&self, spec: &Spec) -> Vec<usize> {
        if spec.kind != ExecutionType::Batch {
            return Vec::new();
        }
        let job = self.documents[spec.document].job;
        (0..job.steps.len())
            .filter(|&i| job.steps[i].on_targets)
            .collect()
    }

    fn nominal_durations(&self, rng: &mut ChaCha8Rng, spec: &Spec) -> Vec<i64> {
        self.documents[spec.document]
            .job
            .steps
            .iter()
            .map(|s| {
                let base = if s.on_targets { 60 } else { 20 };
                rng.gen_range(base..base * 3) * SECOND
            })
            .collect()
    }

    /// A lifecycle whose state at `now` is `status`. Finished tickets lie in the past
    /// at real speed; live ones run at the sim's speed and stay in `status` for at
    /// least 20 s of ticket time.
    fn initial_life(
        &self,
        rng: &mut ChaCha8Rng,
        status: Status,
        mut nominal: Vec<i64>,
        shape: &Shape,
        now: i64,
    ) -> Lifecycle {
        let steps = nominal.len();
        let speed = self.speed;
        let plan = |queued: i64, start: Start, durations: Vec<i64>, ending, cancel| Lifecycle {
            created: queued,
            history: Vec::new(),
            run: Run {
                queued,
                start,
                first_step: 0,
                durations,
                ending,
                cancel,
                cut: None,
            },
        };
        match status {
            Status::Succeed | Status::Failed | Status::Timeout | Status::Canceled => {
                let total: i64 = nominal.iter().sum();
                let ago = rng.gen_range(10 * MINUTE..7 * 24 * 60 * MINUTE) + total;
                let queued = now - ago;
                let start = queued + rng.gen_range(1..5) * SECOND;
                let fail_at = rng.gen_range(0..steps);
                let (ending, cancel) = match status {
                    Status::Failed => (Ending::Fail(fail_at), None),
                    Status::Timeout => (Ending::Timeout(fail_at), None),
                    Status::Canceled => {
                        let at = start + rng.gen_range(1..total.max(2));
                        let takes = rng.gen_range(3..10) * SECOND;
                        (Ending::Succeed, Some(Cancel { at, takes }))
                    }
                    _ => (Ending::Succeed, None),
                };
                plan(queued, Start::At(start), nominal, ending, cancel)
            }
            Status::Pending => {
                if rng.gen_bool(0.5) || shape.paused {
                    let queued = now - rng.gen_range(2..90) * MINUTE;
                    let durations = nominal.iter().map(|&d| scaled(d, speed)).collect();
                    plan(
                        queued,
                        Start::Manual(None),
                        durations,
                        Ending::Succeed,
                        None,
                    )
                } else {
                    let waited = scaled(rng.gen_range(0..20) * SECOND, speed);
                    let remaining = scaled(rng.gen_range(20..90) * SECOND, speed);
                    let durations = nominal.iter().map(|&d| scaled(d, speed)).collect();
                    let ending = pick_ending(rng, 0, steps);
                    plan(
                        now - waited,
                        Start::At(now + remaining),
                        durations,
                        ending,
                        None,
                    )
                }
            }
            Status::Running | Status::Canceling => {
                // `now` falls inside step `current`, at least 30 s before its end; for a
                // BATCH ticket a step that runs in batches.
                let drawn = rng.gen_range(0..steps);
                let current = (shape.batch_steps.iter().copied())
                    .find(|&i| i >= drawn)
                    .or(shape.batch_steps.first().copied())
                    .unwrap_or(drawn);
                nominal[current] = nominal[current].max(40 * SECOND);
                let into_current = rng.gen_range(SECOND..nominal[current] - 30 * SECOND);
                let elapsed: i64 = nominal[..current].iter().sum::<i64>() + into_current;
                let waited = rng.gen_range(1..10) * SECOND;
                let start = now - scaled(elapsed, speed);
                let queued = start - scaled(waited, speed);
                let durations = nominal.iter().map(|&d| scaled(d, speed)).collect();
                if status == Status::Running {
                    let ending = pick_ending(rng, current, steps);
                    plan(queued, Start::At(start), durations, ending, None)
                } else {
                    let cancel = Cancel {
                        at: now - scaled(rng.gen_range(0..3) * SECOND, speed),
                        takes: scaled(rng.gen_range(25..60) * SECOND, speed),
                    };
                    plan(
                        queued,
                        Start::At(start),
                        durations,
                        Ending::Succeed,
                        Some(cancel),
                    )
                }
            }
            Status::Unknown(_) => plan(now, Start::Manual(None), nominal, Ending::Succeed, None),
        }
    }
}

/// Choices a seeded ticket's lifecycle must respect.
struct Shape {
    /// Steps that run in batches (BATCH tickets only).
    batch_steps: Vec<usize>,
    /// A `Pending` ticket is paused rather than queued.
    paused: bool,
}

fn has_batch_step(job: &Job) -> bool {
    job.steps.iter().any(|s| s.on_targets)
}

const KINDS: [ExecutionType; 3] = [
    ExecutionType::Normal,
    ExecutionType::Batch,
    ExecutionType::RateControl,
];

pub(super) fn stream(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, from: &[T]) -> T {
    from[rng.gen_range(0..from.len())]
}

fn pick_status(rng: &mut ChaCha8Rng) -> Status {
    const WEIGHTS: [u32; 7] = [8, 18, 36, 3, 9, 14, 5];
    let mut roll = rng.gen_range(0..WEIGHTS.iter().sum::<u32>());
    for (status, weight) in Status::KNOWN.into_iter().zip(WEIGHTS) {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    Status::Succeed
}

fn pick_kind(rng: &mut ChaCha8Rng) -> ExecutionType {
    match rng.gen_range(0..10) {
        0..5 => ExecutionType::Normal,
        5..8 => ExecutionType::Batch,
        _ => ExecutionType::RateControl,
    }
}

/// Mostly success; a failure or time-out at a step from `from_step` on otherwise.
fn pick_ending(rng: &mut ChaCha8Rng, from_step: usize, steps: usize) -> Ending {
    let at = rng.gen_range(from_step.min(steps.saturating_sub(1))..steps.max(1));
    match rng.gen_range(0..20) {
        0..3 => Ending::Fail(at),
        3 => Ending::Timeout(at),
        _ => Ending::Succeed,
    }
}

/// `EX2025070121014501abc123`: prefix, date and time (UTC+8) to the centisecond, six
/// seeded characters. 24 characters for a two-letter prefix.
pub(super) fn shaped_id(prefix: &str, at_ms: i64, rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let time = chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&offset);
    let suffix: String = (0..6)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "{prefix}{}{:02}{suffix}",
        time.format("%Y%m%d%H%M%S"),
        at_ms.rem_euclid(1000) / 10
    )
}

pub(super) fn uuid(rng: &mut ChaCha8Rng) -> String {
    let a: u128 = rng.r#gen();
    let hex = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
