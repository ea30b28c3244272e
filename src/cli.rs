//! The whole command-line surface.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, Parser, Subcommand, ValueEnum};

use crate::cmd::Globals;
use crate::cmd::config::ConfigAction as Action;
use crate::cmd::diff::DiffFormat;
use crate::cmd::logs::LogsFormat;
use crate::cmd::run::{RunOptions, Start};
use crate::cmd::sim as sim_cmd;
use crate::cmd::wait::{WaitFormat, WaitOptions};
use crate::cmd::{get, output};
use crate::coc::auth::ENV_SIM_SK;
use crate::coc::{JobStatus, Secret};
use crate::config::{CONFIG_ENV, ConfigLocation, ConfigSource};
use crate::launch;
use crate::operate::Verb;
use crate::query::{self, KindFilter, TicketQuery, TimeBound};
use crate::runs::logs::{Selection, StepChoice};
use crate::sim::SimOptions;

#[derive(Debug, Parser)]
#[command(
    name = "coctop",
    version,
    about = "A live terminal dashboard for Huawei Cloud COC job tickets (executions and \
             script tickets)",
    after_help = "Exit codes: 0 success, 1 a ticket ended Failed/Canceled/Timeout or \
                  ABNORMAL/CANCELED/ROLLBACKED (wait), \
                  2 usage or config error, 3 --timeout passed (wait), 4 authentication or \
                  permission failure, 5 a ticket could not be fetched or an operation was refused."
)]
pub struct Cli {
    #[command(flatten)]
    pub connection: Connection,
    #[command(flatten)]
    pub read_only: ReadOnly,
    /// Open the dashboard on an embedded simulator: no config, no credentials.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The config file and the endpoint: the dashboard's options, also taken after each
/// subcommand that talks to COC. Given before a subcommand they apply to it where they
/// can (`coctop --endpoint URL get ID`); given after it, they win.
#[derive(Debug, Clone, Default, Args)]
pub struct Connection {
    #[command(flatten)]
    pub file: ConfigFile,
    /// API endpoint URL; overrides the config and --region.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Region id: cn-north-4, ap-southeast-3 or eu-west-101.
    #[arg(long, value_name = "ID")]
    pub region: Option<String>,
    /// The config's [[profile]] to use (default: the first; the dashboard and serve: all).
    #[arg(long, env = "COCTOP_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ConfigFile {
    /// Config file (default: the platform config dir, see `coctop config path`).
    #[arg(long, env = CONFIG_ENV, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ReadOnly {
    /// Never send an operation (retry, terminate, resume, skip-batch, pause, continue,
    /// cancel, cancel-host); as `[ui] read_only`.
    #[arg(long)]
    pub read_only: bool,
}

/// The global settings wherever they were given: on the command line, the one nearest
/// the end (after the subcommand) wins over one before it, and either over
/// `COCTOP_CONFIG`. `--read-only` anywhere holds.
pub fn globals(matches: &ArgMatches) -> Globals {
    let mut levels = vec![matches];
    while let Some((_, sub)) = levels[levels.len() - 1].subcommand() {
        levels.push(sub);
    }
    let config = chosen::<PathBuf>(&levels, "config").map(|(path, source)| ConfigLocation {
        path,
        source: match source {
            ValueSource::EnvVariable => ConfigSource::Env,
            _ => ConfigSource::Flag,
        },
    });
    Globals {
        config,
        endpoint: chosen(&levels, "endpoint").map(|(url, _)| url),
        region: chosen(&levels, "region").map(|(id, _)| id),
        profile: chosen(&levels, "profile").map(|(name, _)| name),
        read_only: levels
            .iter()
            .any(|m| m.try_get_one::<bool>("read_only").ok().flatten() == Some(&true)),
    }
}

/// The value of `id` given on the command line at the deepest level that takes it, else
/// one from the environment, with where it came from.
/// `--listen`: an IP address and a port; a host name is not looked up.
fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| {
        "expected IP:PORT, like 127.0.0.1:9464 or [::1]:9464 (an address, not a host name; \
         port 0 picks a free one)"
            .to_string()
    })
}

fn chosen<T: Clone + Send + Sync + 'static>(
    levels: &[&ArgMatches],
    id: &str,
) -> Option<(T, ValueSource)> {
    let given = |m: &&ArgMatches| {
        let value = m.try_get_one::<T>(id).ok().flatten()?.clone();
        Some((value, m.value_source(id)?))
    };
    let typed = levels
        .iter()
        .rev()
        .filter_map(given)
        .find(|(_, source)| *source == ValueSource::CommandLine);
    typed.or_else(|| levels.iter().find_map(given))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print tickets once (the config's watched tickets when no ID is given).
    Get(GetArgs),
    /// Follow tickets until every one is finished, printing each status change.
    Wait(WaitArgs),
    /// Tickets from the list API, newest first.
    List(ListArgs),
    /// RETRY failed tickets (run them again from the failed step).
    Retry(OperateArgs),
    /// TERMINATE pending or running tickets (through Canceling to Canceled).
    Terminate(OperateArgs),
    /// RESUME paused tickets.
    Resume(OperateArgs),
    /// SKIP_BATCH: skip the running batch of BATCH executions, or a batch of script
    /// tickets (the one they are at, or --batch N).
    SkipBatch(SkipBatchArgs),
    /// PAUSE_ORDER: pause processing script tickets (script/UUID) after their running
    /// hosts.
    Pause(OperateArgs),
    /// CONTINUE_ORDER: let paused script tickets go on.
    Continue(OperateArgs),
    /// CANCEL_ORDER: cancel script tickets that have not ended.
    Cancel(OperateArgs),
    /// CANCEL_INSTANCE: cancel one host of a script ticket.
    CancelHost(CancelHostArgs),
    /// Print the output of every host of a ticket, as its pages arrive.
    Logs(LogsArgs),
    /// Start a job (or a script) and print the new ticket's ID.
    Run(RunArgs),
    /// What differs between two runs (exit 1 when something does).
    Diff(DiffArgs),
    /// Poll the config's tickets headless; serve /metrics (Prometheus), /healthz, /events.
    Serve(ServeArgs),
    /// Run the COC simulator.
    Sim(SimArgs),
    /// Where the config lives; validate it; write a starter file.
    Config {
        #[command(flatten)]
        file: ConfigFile,
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print a shell completion script (see the README for where to put it).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `coctop man | man -l -`.
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Print each ticket's steps (status, message) instead of the ticket.
    #[arg(long, conflicts_with = "instances")]
    pub steps: bool,
    /// Print the per-host results of every step, failed hosts first.
    #[arg(long)]
    pub instances: bool,
    /// Execution IDs, or script/UUID for script tickets.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub connection: Connection,
}

/// `retry|terminate|resume|pause|continue|cancel`: asks on a terminal, needs `--yes`
/// without one.
#[derive(Debug, Args)]
pub struct OperateArgs {
    /// Send without asking (required when there is no terminal to ask on).
    #[arg(long)]
    pub yes: bool,
    /// Execution IDs, or script/UUID for script tickets.
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub read_only: ReadOnly,
    #[command(flatten)]
    pub connection: Connection,
}

/// `--output` of `logs` and `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Only this step: its name, or its number from 1 (of a script ticket: this batch).
    #[arg(long, value_name = "NAME|N")]
    pub step: Option<String>,
    /// Only this host: its name or its IP.
    #[arg(long, value_name = "NAME|IP")]
    pub host: Option<String>,
    /// Only hosts that did not succeed (exit 1 when there is one).
    #[arg(long)]
    pub failed: bool,
    /// text: a header line per host, control characters written out; json: one
    /// object per host and line, the output raw.
    #[arg(long, short = 'o', value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
    /// The ticket: an execution ID, or script/UUID.
    #[arg(value_name = "REF")]
    pub reference: String,
    #[command(flatten)]
    pub connection: Connection,
}

impl LogsArgs {
    pub fn selection(&self) -> Selection {
        Selection {
            step: self.step.as_deref().map(StepChoice::parse),
            host: self.host.clone(),
            failed: self.failed,
        }
    }

    pub fn format(&self) -> LogsFormat {
        match self.output {
            TextOrJson::Text => LogsFormat::Text,
            TextOrJson::Json => LogsFormat::Json,
        }
    }
}

/// `coctop run`: asks on a terminal, needs `--yes` without one.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The job: its document ID, or its name (or a part of it only one job has).
    #[arg(value_name = "JOB", required_unless_present = "script")]
    pub job: Option<String>,
    /// Run this script (its UUID) on the --target hosts instead of a job.
    #[arg(long, value_name = "SCRIPT_UUID", conflicts_with_all = ["job", "version", "target_param", "description", "follow"])]
    pub script: Option<String>,
    /// The job's version (default: its latest).
    #[arg(long, value_name = "V")]
    pub version: Option<String>,
    /// A parameter (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = launch::parse_param)]
    pub params: Vec<(String, String)>,
    /// The job's parameter the targets fill.
    #[arg(long, value_name = "NAME")]
    pub target_param: Option<String>,
    /// A target host: its resource ID, or the resource as a JSON object (repeatable).
    #[arg(long = "target", value_name = "ID", value_parser = launch::parse_target)]
    pub targets: Vec<serde_json::Value>,
    /// What this run is for.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Start without asking (required when there is no terminal to ask on).
    #[arg(long)]
    pub yes: bool,
    /// Then follow the new ticket as `coctop wait` does, with its exit codes.
    #[arg(long)]
    pub follow: bool,
    #[command(flatten)]
    pub read_only: ReadOnly,
    #[command(flatten)]
    pub connection: Connection,
}

/// `skip-batch`: an execution's running batch, a script ticket's batch.
#[derive(Debug, Args)]
pub struct SkipBatchArgs {
    /// The batch of the script tickets to skip (default: the one each is at).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub batch: Option<u32>,
    #[command(flatten)]
    pub operate: OperateArgs,
}

/// `cancel-host script/UUID --host ID`.
#[derive(Debug, Args)]
pub struct CancelHostArgs {
    /// The host's ID (its `id` among the batch's hosts).
    #[arg(long, value_name = "ID")]
    pub host: i64,
    /// Send without asking (required when there is no terminal to ask on).
    #[arg(long)]
    pub yes: bool,
    /// The script ticket: script/UUID.
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub read_only: ReadOnly,
    #[command(flatten)]
    pub connection: Connection,
}

impl RunArgs {
    pub fn options(&self) -> RunOptions {
        let start = match (&self.script, &self.job) {
            (Some(uuid), _) => Start::Script(uuid.clone()),
            (None, job) => Start::Job(job.clone().unwrap_or_default()),
        };
        RunOptions {
            start,
            args: launch::RunArgs {
                version: self.version.clone(),
                params: self.params.clone(),
                target_param: self.target_param.clone(),
                targets: self.targets.clone(),
                description: self.description.clone(),
            },
            yes: self.yes,
            follow: self.follow,
        }
    }
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// text: only the differences, coloured on a terminal; json: one object.
    #[arg(long, short = 'o', value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
    /// One run: an execution ID, or script/UUID.
    #[arg(value_name = "REF_A")]
    pub a: String,
    /// The other run, of the same kind.
    #[arg(value_name = "REF_B")]
    pub b: String,
    #[command(flatten)]
    pub connection: Connection,
}

impl DiffArgs {
    pub fn format(&self) -> DiffFormat {
        match self.output {
            TextOrJson::Text => DiffFormat::Text,
            TextOrJson::Json => DiffFormat::Json,
        }
    }
}

impl SkipBatchArgs {
    pub fn verb(&self) -> Verb {
        Verb::SkipBatch { batch: self.batch }
    }
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Poll interval, e.g. 2s, at least 1s (default: the config's poll.interval).
    #[arg(long, value_name = "DUR", value_parser = crate::config::parse_interval)]
    pub interval: Option<std::time::Duration>,
    /// Give up (exit 3) after this long, e.g. 30m.
    #[arg(long, value_name = "DUR", value_parser = crate::format::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// One JSON object per status change instead of text lines.
    #[arg(long)]
    pub json: bool,
    /// jsonl: every event (seen, changed, error, throttled, done) as a JSON line with a
    /// schema version, flushed as it happens.
    #[arg(long, short = 'o', value_enum, default_value_t = WaitOutput::Text,
          conflicts_with = "json")]
    pub output: WaitOutput,
    /// Wait for the tickets a [[query]] of the config finds (those active now).
    #[arg(long, value_name = "NAME", conflicts_with = "ids")]
    pub query: Option<String>,
    /// Follow until the wait ends, printing as it goes (what wait always does); with
    /// --query, also wait for matching tickets that start during the wait.
    #[arg(long)]
    pub follow: bool,
    /// Give up (exit 5, with the last error) when a ticket has failed without a break
    /// for this long, e.g. 2m.
    #[arg(long, value_name = "DUR", value_parser = crate::format::parse_duration,
          default_value = "10m")]
    pub give_up: std::time::Duration,
    /// Notify as the config's [notify] says (bell and desktop on stderr's terminal, the hook).
    #[arg(long)]
    pub notify: bool,
    /// Execution IDs, or script/UUID for script tickets (the config's watched tickets
    /// when none are given).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub connection: Connection,
}

/// `wait --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaitOutput {
    Text,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tickets: execution, script or all.
    #[arg(long, value_name = "KIND", default_value = "execution", value_parser = KindFilter::parse)]
    pub kind: KindFilter,
    /// Part of the creator's name.
    #[arg(long, value_name = "NAME")]
    pub creator: Option<String>,
    /// Part of the job's name.
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    /// The job's ID.
    #[arg(long, value_name = "ID")]
    pub job_id: Option<String>,
    /// A tag every ticket carries (repeatable).
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = query::parse_tag)]
    pub tags: Vec<(String, String)>,
    /// Started since: a duration ago (24h, 7d), an RFC 3339 time or a date (2025-07-01).
    #[arg(long, value_name = "DUR|TIME", value_parser = query::parse_time_bound)]
    pub since: Option<TimeBound>,
    /// Ended before: a duration ago (2h), an RFC 3339 time or a date.
    #[arg(long, value_name = "DUR|TIME", value_parser = query::parse_time_bound)]
    pub until: Option<TimeBound>,
    /// Only tickets with this status (repeatable; an execution's like Failed, a script
    /// ticket's like ABNORMAL).
    #[arg(long, value_name = "STATUS", value_parser = query::parse_status)]
    pub status: Vec<JobStatus>,
    /// At most this many tickets.
    #[arg(long, value_name = "N", default_value_t = query::DEFAULT_LIMIT, value_parser = query::parse_limit)]
    pub limit: usize,
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    #[command(flatten)]
    pub connection: Connection,
}

impl ListArgs {
    pub fn query(&self) -> TicketQuery {
        TicketQuery {
            kind: self.kind,
            creator: self.creator.clone(),
            job: self.job.clone(),
            job_id: self.job_id.clone(),
            tags: self.tags.clone(),
            since: self.since,
            until: self.until,
            status: self.status.clone(),
            limit: Some(self.limit),
            profile: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to serve on (port 0 picks a free one; the chosen address is printed).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = crate::cmd::serve::DEFAULT_LISTEN,
        value_parser = parse_listen
    )]
    pub listen: SocketAddr,
    /// Let --listen name an address beyond loopback (anyone who can connect reads the
    /// tickets' names and statuses).
    #[arg(long)]
    pub allow_remote: bool,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free one; the chosen address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8710", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// Require requests signed with this access key.
    #[arg(long)]
    pub ak: Option<String>,
    /// The secret key that goes with --ak (visible in `ps`: prefer COCTOP_SIM_SK or
    /// --sk-file).
    #[arg(long, env = ENV_SIM_SK, hide_env_values = true)]
    pub sk: Option<Secret>,
    /// Read the secret key from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "sk")]
    pub sk_file: Option<PathBuf>,
    /// Seed of the generated tickets: the same seed gives the same tickets.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many seeded tickets to start with (at least 1).
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub tickets: u64,
    /// How many seeded script tickets to start with (every status is among the first 7).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub script_tickets: u64,
    /// Time scale of ticket lifecycles (2 runs twice as fast).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Fraction of requests answered with a 5xx error (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Fraction of requests answered 429 with Retry-After (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub throttle_rate: f64,
    /// Added latency per request, e.g. 50ms.
    #[arg(long, value_parser = crate::format::parse_duration, default_value = "0ms")]
    pub latency: std::time::Duration,
}

impl SimArgs {
    pub fn options(&self) -> SimOptions {
        SimOptions {
            seed: self.seed,
            speed: self.speed,
            fail_rate: self.fail_rate,
            throttle_rate: self.throttle_rate,
            latency: self.latency,
            credentials: None,
            tickets: self.tickets as usize,
            script_tickets: self.script_tickets as usize,
        }
    }

    pub fn keys(&self) -> sim_cmd::Keys {
        sim_cmd::Keys {
            ak: self.ak.clone(),
            sk: self.sk.clone(),
            sk_file: self.sk_file.clone(),
        }
    }
}

impl GetArgs {
    pub fn detail(&self) -> get::Detail {
        match (self.steps, self.instances) {
            (true, _) => get::Detail::Steps,
            (_, true) => get::Detail::Instances,
            _ => get::Detail::Ticket,
        }
    }
}

impl WaitArgs {
    pub fn options(&self) -> WaitOptions {
        WaitOptions {
            interval: self.interval,
            timeout: self.timeout,
            format: match (self.json, self.output) {
                (true, _) => WaitFormat::Json,
                (false, WaitOutput::Text) => WaitFormat::Text,
                (false, WaitOutput::Jsonl) => WaitFormat::Jsonl,
            },
            query: self.query.clone(),
            follow: self.follow,
            give_up: self.give_up,
            notify: self.notify,
        }
    }
}

impl From<OutputFormat> for output::OutputFormat {
    fn from(format: OutputFormat) -> output::OutputFormat {
        match format {
            OutputFormat::Table => output::OutputFormat::Table,
            OutputFormat::Json => output::OutputFormat::Json,
        }
    }
}

impl From<&ConfigAction> for Action {
    fn from(action: &ConfigAction) -> Action {
        match action {
            ConfigAction::Path(_) => Action::Path,
            ConfigAction::Check(_) => Action::Check,
            ConfigAction::Init(_) => Action::Init,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print where the config, log and cache files are.
    Path(ConfigFile),
    /// Validate the config file.
    Check(ConfigFile),
    /// Write a starter config file (never overwrites).
    Init(ConfigFile),
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn debug_output_hides_the_simulator_secret_key() {
        let cli =
            Cli::try_parse_from(["coctop", "sim", "--ak", "AK1", "--sk", "TopSecretSK"]).unwrap();
        let debug = format!("{cli:?}");
        assert!(debug.contains("AK1"), "{debug}");
        assert!(!debug.contains("TopSecretSK"), "{debug}");
    }
}
