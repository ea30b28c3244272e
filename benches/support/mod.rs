//! What the process-level benches share: arguments, CPU time of a process, medians, and
//! tickets of the simulator picked by status.
#![allow(dead_code)]

use coctop::coc::{
    Auth, Client, ClientConfig, Endpoint, ListQuery, RetryPolicy, ScriptOrderQuery, ScriptStatus,
    Ticket, TicketRef,
};
use coctop::sim::SimHandle;

/// `--name VALUE` from the bench's command line, else `default`.
pub fn arg(name: &str, default: u64) -> u64 {
    text_arg(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `--name VALUE` from the bench's command line, as text.
pub fn text_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

/// `cargo bench` lists benches with `--list`: these run nothing then.
pub fn listing() -> bool {
    std::env::args().any(|a| a == "--list")
}

/// utime + stime of a process, in seconds.
pub fn process_cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process stat");
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    ticks as f64 / per_second
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The value at `p` percent of `sorted` (sorted ascending).
pub fn percentile(sorted: &[f64], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Up to `n` IDs of the simulator's tickets that pass `keep`, paging through the list.
pub async fn pick_tickets(
    sim: &SimHandle,
    n: usize,
    keep: impl Fn(&Ticket) -> bool,
) -> Vec<String> {
    let client = sim_client(sim);
    let mut ids = Vec::new();
    let mut offset = 0;
    while ids.len() < n {
        let page = client
            .list_executions(&ListQuery {
                limit: Some(100),
                offset: Some(offset),
                ..ListQuery::default()
            })
            .await
            .unwrap();
        if page.data.is_empty() {
            break;
        }
        offset += page.data.len() as u32;
        ids.extend(
            page.data
                .into_iter()
                .filter(|t| keep(t))
                .map(|t| t.execution_id),
        );
    }
    ids.truncate(n);
    ids
}

/// Up to `n` references (`script/UUID`) of the simulator's script tickets in `status`,
/// paging through the script list by marker.
pub async fn pick_script_tickets(sim: &SimHandle, n: usize, status: ScriptStatus) -> Vec<String> {
    let client = sim_client(sim);
    let mut refs = Vec::new();
    let mut marker = None;
    while refs.len() < n {
        let page = client
            .list_script_orders(&ScriptOrderQuery {
                limit: Some(100),
                marker,
                status: Some(status.clone()),
                ..ScriptOrderQuery::default()
            })
            .await
            .unwrap();
        marker = page.data.last().and_then(|row| row.order_id);
        refs.extend(
            page.data
                .iter()
                .filter_map(|row| TicketRef::script(&row.execute_uuid).ok())
                .map(|r| r.to_string()),
        );
        if marker.is_none() {
            break;
        }
    }
    refs.truncate(n);
    refs
}

fn sim_client(sim: &SimHandle) -> Client {
    let mut config = ClientConfig::new(Endpoint::from_url(&sim.base_url()).unwrap(), Auth::None);
    config.retry = RetryPolicy::none();
    Client::new(config).unwrap()
}
