//! Per-host results as people read them: a step's instances and a script batch's
//! hosts; which host, which batch, failed hosts first, how many in each status. The
//! same for `coctop get --instances` and the dashboard.

use std::cmp::Reverse;

use crate::coc::{Instance, JobStatus, ScriptHost, ScriptStatus, Status};

/// What tells two instances apart on the pages of a step: their instance ID, else
/// their `id`.
pub fn key(instance: &Instance) -> Option<&str> {
    instance
        .execution_instance_id
        .as_deref()
        .or(instance.id.as_deref())
}

/// The host an instance ran on: its name, else its IP, else its resource or instance ID.
pub fn host(instance: &Instance) -> String {
    ["name", "host_name", "fixed_ip", "resource_id"]
        .iter()
        .find_map(|key| instance.properties.get(*key)?.as_str().map(str::to_string))
        .filter(|name| !name.is_empty())
        .or_else(|| instance.execution_instance_id.clone())
        .or_else(|| instance.id.clone())
        .unwrap_or_else(|| "-".into())
}

/// The host's IP address, when the server says.
pub fn ip(instance: &Instance) -> Option<&str> {
    instance.properties.get("fixed_ip")?.as_str()
}

/// The batch a host belongs to (BATCH tickets), 1-based, as the server numbers it.
pub fn batch(instance: &Instance) -> Option<u64> {
    let value = instance.properties.get("batch_index")?;
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Failed, timed-out and canceled hosts first, then running ones, then the rest;
/// within a group by batch, in the server's order. Decided from the raw status.
pub fn failed_first(instances: &mut [Instance]) {
    sort_failed_first(instances, instance_status, batch);
}

/// A script batch's hosts, failed first as `failed_first` (all of one batch).
pub fn script_failed_first(hosts: &mut [ScriptHost]) {
    sort_failed_first(hosts, script_host_status, |_| None);
}

fn instance_status(instance: &Instance) -> Option<JobStatus> {
    instance.status.clone().map(JobStatus::Execution)
}

fn script_host_status(host: &ScriptHost) -> Option<JobStatus> {
    host.status.clone().map(JobStatus::Script)
}

fn sort_failed_first<T>(
    rows: &mut [T],
    status: impl Fn(&T) -> Option<JobStatus>,
    batch: impl Fn(&T) -> Option<u64>,
) {
    rows.sort_by_cached_key(|row| (Reverse(attention(status(row).as_ref())), batch(row)));
}

fn attention(status: Option<&JobStatus>) -> u8 {
    use JobStatus::{Execution as E, Script as S};
    match status {
        Some(s) if s.is_failure() => 3,
        Some(E(Status::Canceled | Status::Canceling) | S(ScriptStatus::Canceled)) => 2,
        Some(E(Status::Running) | S(ScriptStatus::Processing)) => 1,
        _ => 0,
    }
}

/// How many hosts are in each status, most urgent first ("2 Failed, 5 Succeed").
pub fn counts(instances: &[Instance]) -> Vec<(String, usize)> {
    names(status_counts(instances))
}

/// `counts` of a script batch's hosts ("1 ABNORMAL, 9 FINISHED").
pub fn script_counts(hosts: &[ScriptHost]) -> Vec<(String, usize)> {
    names(script_status_counts(hosts))
}

fn names(counts: Vec<(Option<JobStatus>, usize)>) -> Vec<(String, usize)> {
    counts
        .into_iter()
        .map(|(status, n)| {
            let name = status.as_ref().map_or("unknown", JobStatus::as_str);
            (name.to_string(), n)
        })
        .collect()
}

/// `counts` by the statuses themselves (`None`: a host without one), for texts in
/// other languages.
pub fn status_counts(instances: &[Instance]) -> Vec<(Option<JobStatus>, usize)> {
    count_by_status(instances, instance_status)
}

/// `status_counts` of a script batch's hosts.
pub fn script_status_counts(hosts: &[ScriptHost]) -> Vec<(Option<JobStatus>, usize)> {
    count_by_status(hosts, script_host_status)
}

fn count_by_status<T>(
    rows: &[T],
    status: impl Fn(&T) -> Option<JobStatus>,
) -> Vec<(Option<JobStatus>, usize)> {
    let mut counts: Vec<(Option<JobStatus>, usize)> = Vec::new();
    for row in rows {
        let status = status(row);
        match counts.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => counts.push((status, 1)),
        }
    }
    counts.sort_by_key(|(status, _)| Reverse(attention(status.as_ref())));
    counts
}

/// `counts` as one line: "2 Failed, 5 Succeed".
pub fn counts_line(instances: &[Instance]) -> String {
    join_counts(&counts(instances))
}

/// Counts as one line: "2 Failed, 5 Succeed".
pub fn join_counts(counts: &[(String, usize)]) -> String {
    counts
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many hosts failed or timed out.
pub fn failed_count(instances: &[Instance]) -> usize {
    instances
        .iter()
        .filter(|i| matches!(i.status, Some(Status::Failed | Status::Timeout)))
        .count()
}

/// The first line of a host's output with something on it, for a row.
pub fn first_output_line(message: Option<&str>) -> &str {
    message
        .unwrap_or("")
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn instance(id: &str, status: &str, batch: u64) -> Instance {
        serde_json::from_value(json!({
            "id": id, "status": status,
            "properties": {"name": format!("host-{id}"), "batch_index": batch},
        }))
        .unwrap()
    }

    #[test]
    fn failed_hosts_come_first_and_are_counted() {
        let mut hosts = vec![
            instance("1", "Succeed", 1),
            instance("2", "Failed", 2),
            instance("3", "Running", 2),
            instance("4", "Timeout", 1),
            instance("5", "Succeed", 2),
        ];
        failed_first(&mut hosts);
        let order: Vec<_> = hosts.iter().map(host).collect();
        assert_eq!(order, ["host-4", "host-2", "host-3", "host-1", "host-5"]);
        assert_eq!(
            counts_line(&hosts),
            "1 Timeout, 1 Failed, 1 Running, 2 Succeed"
        );
        assert_eq!(failed_count(&hosts), 2);
        assert_eq!(batch(&hosts[0]), Some(1));
    }

    #[test]
    fn a_batch_s_failed_hosts_come_first_and_are_counted() {
        let host = |id: i64, status: &str| -> ScriptHost {
            serde_json::from_value(json!({"id": id, "status": status})).unwrap()
        };
        let mut hosts = vec![
            host(1, "FINISHED"),
            host(2, "PROCESSING"),
            host(3, "ABNORMAL"),
            host(4, "CANCELED"),
        ];
        script_failed_first(&mut hosts);
        let order: Vec<_> = hosts.iter().map(|h| h.id.unwrap()).collect();
        assert_eq!(order, [3, 4, 2, 1]);
        let line: Vec<String> = script_counts(&hosts)
            .into_iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        assert_eq!(
            line,
            ["1 ABNORMAL", "1 CANCELED", "1 PROCESSING", "1 FINISHED"]
        );
        assert_eq!(first_output_line(Some("\n  \nstep 1\nstep 2")), "step 1");
    }

    #[test]
    fn a_host_without_a_name_is_named_by_what_there_is() {
        let bare: Instance =
            serde_json::from_value(json!({"execution_instance_id": "EX1-001"})).unwrap();
        assert_eq!(host(&bare), "EX1-001");
        let ip: Instance =
            serde_json::from_value(json!({"properties": {"fixed_ip": "10.0.0.1"}})).unwrap();
        assert_eq!(
            (host(&ip), super::ip(&ip)),
            ("10.0.0.1".into(), Some("10.0.0.1"))
        );
        assert_eq!(batch(&bare), None);
    }
}
