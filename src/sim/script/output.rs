//! A host's output (`message`), made up on demand from a seed: the same host always
//! prints the same lines, a running host the first part of them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{HOSTILE_LINES, Script};
use super::life::HostState;
use crate::coc::ScriptStatus;

/// What kind of output a host prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Some lines of the script's own output.
    Plain,
    /// The script's lines with `HOSTILE_LINES` among them.
    Hostile,
    /// About `HUGE_BYTES` of output.
    Huge,
}

/// The size of a huge output when the host is done: just under 1 MiB.
pub const HUGE_BYTES: usize = 1_000_000;

/// The output of a host of `script` in `state`; `key` picks its lines.
pub fn host_output(
    seed: u64,
    key: u64,
    script: &Script,
    flavor: Flavor,
    state: &HostState,
) -> String {
    if state.start.is_none() {
        return String::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(key);
    let mut out = String::new();
    match flavor {
        Flavor::Huge => {
            let budget = (HUGE_BYTES as f64 * state.progress) as usize;
            let mut number = 0;
            while out.len() < budget.saturating_sub(200) {
                number += 1;
                push_line(
                    &mut out,
                    &format!("[{number:06}] {}", line(&mut rng, script)),
                );
            }
        }
        Flavor::Plain | Flavor::Hostile => {
            let total = rng.gen_range(6..40usize);
            let shown = (total as f64 * state.progress).ceil() as usize;
            let hostile = flavor == Flavor::Hostile;
            for i in 0..shown {
                let text = match HOSTILE_LINES.get(i / 2) {
                    Some(hostile_line) if hostile && i % 2 == 1 => (*hostile_line).to_string(),
                    _ => line(&mut rng, script),
                };
                push_line(&mut out, &text);
            }
            if hostile && shown == total {
                for hostile_line in HOSTILE_LINES.iter().skip(total / 2) {
                    push_line(&mut out, hostile_line);
                }
            }
        }
    }
    for tail in ending(script, &state.status) {
        push_line(&mut out, &fill(tail, &mut rng));
    }
    out
}

/// The lines a host prints as it ends in `status`.
fn ending(script: &Script, status: &ScriptStatus) -> Vec<&'static str> {
    match status {
        ScriptStatus::Finished => vec!["exit code 0"],
        ScriptStatus::Abnormal => script.failure.to_vec(),
        ScriptStatus::Canceled => vec!["Terminated (SIGTERM): canceled"],
        ScriptStatus::Rollbacked => vec!["exit code 0", "rolled back: changes undone"],
        _ => Vec::new(),
    }
}

fn line(rng: &mut ChaCha8Rng, script: &Script) -> String {
    let template = script.lines[rng.gen_range(0..script.lines.len())];
    fill(template, rng)
}

fn fill(template: &str, rng: &mut ChaCha8Rng) -> String {
    template.replace("{n}", &rng.gen_range(1..1000).to_string())
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::script::catalog::SCRIPTS;

    fn state(status: ScriptStatus, progress: f64) -> HostState {
        HostState {
            status,
            start: Some(1),
            end: None,
            progress,
        }
    }

    #[test]
    fn the_same_host_prints_the_same_and_a_running_one_the_start_of_it() {
        let script = &SCRIPTS[0];
        let done = host_output(
            1,
            7,
            script,
            Flavor::Plain,
            &state(ScriptStatus::Finished, 1.0),
        );
        assert_eq!(
            done,
            host_output(
                1,
                7,
                script,
                Flavor::Plain,
                &state(ScriptStatus::Finished, 1.0)
            )
        );
        assert_ne!(
            done,
            host_output(
                1,
                8,
                script,
                Flavor::Plain,
                &state(ScriptStatus::Finished, 1.0)
            )
        );
        assert!(done.ends_with("exit code 0\n"), "{done}");
        let half = host_output(
            1,
            7,
            script,
            Flavor::Plain,
            &state(ScriptStatus::Processing, 0.5),
        );
        assert!(done.starts_with(&half) && half.len() < done.len(), "{half}");
        let ready = HostState {
            start: None,
            ..state(ScriptStatus::Ready, 0.0)
        };
        assert_eq!(host_output(1, 7, script, Flavor::Plain, &ready), "");
    }

    #[test]
    fn hostile_output_carries_every_hostile_line_and_huge_output_about_a_megabyte() {
        let hostile = host_output(
            3,
            1,
            &SCRIPTS[1],
            Flavor::Hostile,
            &state(ScriptStatus::Abnormal, 1.0),
        );
        for line in HOSTILE_LINES {
            assert!(hostile.contains(line), "{line:?} missing");
        }
        assert!(hostile.contains("巡检失败"), "{hostile}");
        let huge = host_output(
            3,
            2,
            &SCRIPTS[2],
            Flavor::Huge,
            &state(ScriptStatus::Finished, 1.0),
        );
        assert!(
            (HUGE_BYTES - 1_000..=HUGE_BYTES).contains(&huge.len()),
            "{}",
            huge.len()
        );
        assert!(huge.lines().count() > 10_000);
    }
}
