//! The command line through the real binary: each subcommand's `--help` offers only the
//! options that apply to it, and the shared ones work before or after the subcommand.

use std::collections::BTreeSet;

use crate::support::{Sim, coctop, ids_with_status, stderr, stdout};
use coctop::coc::Status;
use coctop::sim::SimOptions;

/// The long options (and `-h`/`-V`) a help text lists, in the order shown.
fn options_in_help(help: &str) -> BTreeSet<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with('-'))
        .filter_map(|line| {
            line.split([' ', ','])
                .find(|word| word.starts_with("--"))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn each_subcommand_help_lists_only_the_options_that_apply_to_it() {
    let home = tempfile::tempdir().unwrap();
    let connection = ["--config", "--endpoint", "--region", "--profile"];
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["--read-only", "--demo", "--version"]),
        (&["get"], &["--output", "--steps", "--instances"]),
        (
            &["wait"],
            &[
                "--interval",
                "--timeout",
                "--json",
                "--output",
                "--query",
                "--follow",
                "--give-up",
                "--notify",
            ],
        ),
        (
            &["list"],
            &[
                "--kind",
                "--creator",
                "--job",
                "--job-id",
                "--tag",
                "--since",
                "--until",
                "--status",
                "--limit",
                "--output",
            ],
        ),
        (&["retry"], &["--yes", "--read-only"]),
        (&["terminate"], &["--yes", "--read-only"]),
        (&["resume"], &["--yes", "--read-only"]),
        (&["skip-batch"], &["--yes", "--read-only", "--batch"]),
        (&["pause"], &["--yes", "--read-only"]),
        (&["continue"], &["--yes", "--read-only"]),
        (&["cancel"], &["--yes", "--read-only"]),
        (&["cancel-host"], &["--yes", "--read-only", "--host"]),
        (&["logs"], &["--step", "--host", "--failed", "--output"]),
        (
            &["run"],
            &[
                "--script",
                "--version",
                "--param",
                "--target-param",
                "--target",
                "--description",
                "--yes",
                "--follow",
                "--read-only",
            ],
        ),
        (&["diff"], &["--output"]),
        (&["serve"], &["--listen", "--allow-remote"]),
    ];
    let only_their_own: &[(&[&str], &[&str])] = &[
        (
            &["sim"],
            &[
                "--listen",
                "--ak",
                "--sk",
                "--sk-file",
                "--seed",
                "--tickets",
                "--script-tickets",
                "--speed",
                "--fail-rate",
                "--throttle-rate",
                "--latency",
            ],
        ),
        (&["config"], &["--config"]),
        (&["config", "path"], &["--config"]),
        (&["config", "check"], &["--config"]),
        (&["config", "init"], &["--config"]),
        (&["completions"], &[]),
        (&["man"], &[]),
    ];
    let talking_to_coc = cases.iter().map(|case| (case, &connection[..]));
    let the_others = only_their_own.iter().map(|case| (case, &[][..]));
    for ((command, own), shared) in talking_to_coc.chain(the_others) {
        let mut args = command.to_vec();
        args.push("--help");
        let out = coctop(home.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let expected: BTreeSet<String> = own
            .iter()
            .chain(shared)
            .chain(&["--help"])
            .map(|o| o.to_string())
            .collect();
        assert_eq!(options_in_help(&stdout(&out)), expected, "{args:?}");
    }
    // What a subcommand does not list, it does not take.
    let out = coctop(
        home.path(),
        &["sim", "--endpoint", "http://127.0.0.1:9"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--endpoint"), "{}", stderr(&out));
}

#[test]
fn the_endpoint_works_before_or_after_the_subcommand_and_after_wins() {
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimOptions::default());
    let url = sim.url();
    let id = ids_with_status(&sim, Status::Succeed).remove(0);
    let dead = "http://127.0.0.1:9";
    let orders: [&[&str]; 4] = [
        &["--endpoint", &url, "get", "-o", "json", &id],
        &["get", "--endpoint", &url, "-o", "json", &id],
        &["get", "-o", "json", &id, "--endpoint", &url],
        &[
            "--endpoint",
            dead,
            "get",
            "--endpoint",
            &url,
            "-o",
            "json",
            &id,
        ],
    ];
    let mut printed = BTreeSet::new();
    for args in orders {
        let out = coctop(home.path(), args, &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        printed.insert(stdout(&out));
    }
    assert_eq!(printed.len(), 1, "the same ticket every way: {printed:?}");
    // Before a subcommand that has no use for it, a shared option is ignored, as ever.
    let out = coctop(home.path(), &["--endpoint", dead, "config", "path"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn the_config_file_given_nearest_the_end_wins_and_any_flag_over_the_variable() {
    let home = tempfile::tempdir().unwrap();
    let file = |name: &str| home.path().join(name).display().to_string();
    let (a, b, env) = (file("a.toml"), file("b.toml"), file("env.toml"));
    let cases: [(&[&str], bool, &str, &str); 8] = [
        (&["--config", &a, "config", "path"], false, &a, "--config"),
        (&["config", "--config", &a, "path"], false, &a, "--config"),
        (&["config", "path", "--config", &a], false, &a, "--config"),
        (&["config", "path"], true, &env, "COCTOP_CONFIG"),
        (&["--config", &a, "config", "path"], true, &a, "--config"),
        (&["config", "path", "--config", &a], true, &a, "--config"),
        (
            &["--config", &a, "config", "path", "--config", &b],
            true,
            &b,
            "--config",
        ),
        (
            &["--config", &a, "config", "--config", &b, "path"],
            false,
            &b,
            "--config",
        ),
    ];
    for (args, with_env, path, source) in cases {
        let env: &[(&str, &str)] = if with_env {
            &[("COCTOP_CONFIG", &env)]
        } else {
            &[]
        };
        let out = coctop(home.path(), args, env);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let first = stdout(&out).lines().next().unwrap_or_default().to_string();
        assert_eq!(
            first,
            format!("config: {path} (from {source}, does not exist)"),
            "{args:?} {env:?}"
        );
    }
}

#[test]
fn read_only_before_or_after_an_operation_sends_nothing() {
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimOptions::default());
    let url = sim.url();
    let id = ids_with_status(&sim, Status::Failed).remove(0);
    for args in [
        ["--read-only", "--endpoint", &url, "retry", "--yes", &id],
        ["--endpoint", &url, "retry", "--yes", "--read-only", &id],
    ] {
        let out = coctop(home.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("read-only (--read-only)"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(sim.operations(), 0);
}

#[test]
fn a_listen_address_that_is_not_ip_and_port_says_the_form_expected() {
    let home = tempfile::tempdir().unwrap();
    for (command, given) in [
        ("serve", "localhost:9464"),
        ("serve", "127.0.0.1"),
        ("sim", ":99999"),
    ] {
        let out = coctop(home.path(), &[command, "--listen", given], &[]);
        assert_eq!(out.status.code(), Some(2), "{command} {given}");
        let said = stderr(&out);
        assert!(
            said.contains(given) && said.contains("expected IP:PORT, like 127.0.0.1:9464"),
            "{command} --listen {given}: {said}"
        );
    }
}
