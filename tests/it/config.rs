//! `coctop config path|check|init` run as the real binary over fixture files, with
//! HOME and the XDG directories pointed at a temporary directory so that the user's own
//! files are never read or written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// A private home directory for one test.
struct Sandbox {
    home: TempDir,
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// The default config file under this sandbox's XDG_CONFIG_HOME.
    fn default_config(&self) -> PathBuf {
        self.dir("xdg-config").join("coctop").join("config.toml")
    }

    /// `coctop ARGS` with only the sandbox's variables (plus `extra_env`) set.
    fn run(&self, args: &[&str], extra_env: &[(&str, &Path)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coctop"));
        command
            .args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.dir("xdg-config"))
            .env("XDG_STATE_HOME", self.dir("xdg-state"))
            .env("XDG_CACHE_HOME", self.dir("xdg-cache"));
        for (name, value) in extra_env {
            command.env(name, value);
        }
        let output = command.output().expect("run coctop");
        Output {
            code: output.status.code().expect("exited normally"),
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        }
    }

    fn check(&self, config: &Path) -> Output {
        self.run(&["--config", path_str(config), "config", "check"], &[])
    }

    /// A copy of a fixture in the sandbox with the given permission bits.
    fn copy_fixture(&self, name: &str, mode: u32) -> PathBuf {
        let copy = self.dir(name);
        fs::copy(fixture(name), &copy).expect("copy fixture");
        set_mode(&copy, mode);
        copy
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

/// Each invalid fixture: `coctop config check` exits 2 and prints exactly
/// `coctop: FILE:LINE:COLUMN: MESSAGE`.
#[test]
fn invalid_files_are_refused_with_file_line_column_and_key() {
    let cases: &[(&str, &str)] = &[
        (
            "unknown-key.toml",
            "7:1: unknown key `intervall` in [poll] (did you mean `interval`?)",
        ),
        (
            "unknown-table.toml",
            "1:2: unknown table [pol] (did you mean [poll]?)",
        ),
        (
            "unknown-key-no-hint.toml",
            "2:1: unknown key `colour` in [api]",
        ),
        (
            "bad-duration.toml",
            "2:12: `interval` in [poll]: invalid duration \"soon\": expected a number and a \
             unit (ms, s, m, h, d, w), like \"5s\", \"2m\", \"1h\" or \"7d\"",
        ),
        (
            "interval-too-short.toml",
            "2:12: `interval` in [poll]: must be at least 1s, got \"500ms\"",
        ),
        (
            "duration-wrong-type.toml",
            "2:11: `timeout` in [api]: expected a duration string like \"5s\", found integer",
        ),
        (
            "id-slash.toml",
            "2:6: `id` in [[watch]]: invalid execution ID \"EX2025/../secrets\": it contains a slash (a script ticket is written script/UUID)",
        ),
        (
            "id-empty.toml",
            "2:6: `id` in [[watch]]: invalid execution ID \"\": it is empty",
        ),
        (
            "id-control.toml",
            "2:6: `id` in [[watch]]: invalid execution ID \"EX2025\\u{1b}[31m\": it contains \
             control characters",
        ),
        (
            "id-space.toml",
            "2:6: `id` in [[watch]]: invalid execution ID \"EX2025 0701\": it contains white space",
        ),
        (
            "id-bidi.toml",
            "2:6: `id` in [[watch]]: invalid execution ID \"EX2025\\u{202e}1070\": it contains \
             invisible or bidirectional-control characters",
        ),
        (
            "id-zero-width.toml",
            "2:6: `id` in [[watch]]: invalid execution ID \"EX2025\\u{200b}0701\": it contains \
             invisible or bidirectional-control characters",
        ),
        (
            "endpoint-user-info.toml",
            "2:12: `endpoint` in [api]: invalid endpoint URL (not shown: it holds user info): \
             a user name or password in the URL is not allowed; credentials come from [auth] \
             or the environment",
        ),
        (
            "allow-http-wrong-type.toml",
            "2:14: `allow_http` in [api]: expected true or false, found string",
        ),
        ("id-missing.toml", "1:1: [[watch]] entry without `id`"),
        (
            "duplicate-id.toml",
            "9:6: `id` in [[watch]]: duplicate execution ID \"EX2025070121014501aaaaaa\" \
             (first on line 2)",
        ),
        (
            "wrong-type.toml",
            "2:15: `concurrency` in [poll]: expected an integer, found string",
        ),
        (
            "watch-not-array.toml",
            "1:9: `watch` at the top level: expected an array of tables ([[watch]]), found string",
        ),
        (
            "concurrency-zero.toml",
            "2:15: `concurrency` in [poll]: must be at least 1, got 0",
        ),
        (
            "max-rps-zero.toml",
            "2:11: `max_rps` in [poll]: must be a finite number greater than 0, got 0",
        ),
        (
            "max-rps-negative.toml",
            "2:11: `max_rps` in [poll]: must be a finite number greater than 0, got -1.5",
        ),
        (
            "bad-auth-method.toml",
            "2:10: `method` in [auth]: unknown auth method \"oauth\" (expected \"aksk\", \
             \"token\" or \"none\")",
        ),
        (
            "bad-region.toml",
            "2:10: `region` in [api]: unknown region \"cn-north-5\" (known: cn-north-4, \
             ap-southeast-3, eu-west-101)",
        ),
        (
            "bad-endpoint.toml",
            "2:12: `endpoint` in [api]: invalid endpoint URL \"ftp://coc.example.com\": \
             expected http(s)://host[:port]",
        ),
        (
            "sk-without-ak.toml",
            "2:6: `sk` in [auth]: is set but `ak` is not",
        ),
        (
            "broken.toml",
            "2:21: invalid TOML: invalid basic string, expected `\"`",
        ),
    ];
    let sandbox = Sandbox::new();
    let mut failures = Vec::new();
    for (name, expected) in cases {
        let path = fixture(name);
        let out = sandbox.check(&path);
        let want = format!("coctop: {}:{expected}\n", path.display());
        if out.code != 2 || out.stderr != want || !out.stdout.is_empty() {
            failures.push(format!(
                "{name}: exit {}\n  stderr: {:?}\n  wanted: {want:?}\n  stdout: {:?}",
                out.code, out.stderr, out.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_lists_every_problem_in_file_order() {
    let path = fixture("many-problems.toml");
    let out = Sandbox::new().check(&path);
    let p = path.display();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "coctop: {p}:2:12: `interval` in [poll]: invalid duration \"soon\": expected a \
             number and a unit (ms, s, m, h, d, w), like \"5s\", \"2m\", \"1h\" or \"7d\"\n\
             coctop: {p}:3:15: `concurrency` in [poll]: must be at least 1, got 0\n\
             coctop: {p}:6:6: `id` in [[watch]]: invalid execution ID \"a/b\": it contains a slash (a script ticket is written script/UUID)\n"
        )
    );
}

/// The dashboard refuses a bad file before touching the terminal: the first problem, and
/// a count of the others.
#[test]
fn dashboard_refuses_a_bad_config_with_the_first_problem() {
    let path = fixture("many-problems.toml");
    let out = Sandbox::new().run(&["--config", path_str(&path)], &[]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "coctop: {}:2:12: `interval` in [poll]: invalid duration \"soon\": expected a \
             number and a unit (ms, s, m, h, d, w), like \"5s\", \"2m\", \"1h\" or \"7d\" (and 2 more problems: run \
             `coctop config check`)\n",
            path.display()
        )
    );
}

#[test]
fn valid_files_check_ok_with_their_ticket_count() {
    let sandbox = Sandbox::new();
    let full = sandbox.copy_fixture("valid-full.toml", 0o600);
    let out = sandbox.check(&full);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        format!("OK: {} (3 watched tickets)\n", full.display())
    );

    let minimal = fixture("valid-minimal.toml");
    let out = sandbox.check(&minimal);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        format!("OK: {} (1 watched ticket)\n", minimal.display())
    );
}

#[test]
fn a_missing_explicit_file_is_an_error_by_flag_and_by_variable() {
    let sandbox = Sandbox::new();
    let missing = sandbox.dir("nowhere/config.toml");
    let want = format!(
        "coctop: {}: no such file (`coctop config init` writes a starter one)\n",
        missing.display()
    );
    let out = sandbox.check(&missing);
    assert_eq!((out.code, out.stderr.as_str()), (2, want.as_str()));
    let out = sandbox.run(&["config", "check"], &[("COCTOP_CONFIG", &missing)]);
    assert_eq!((out.code, out.stderr.as_str()), (2, want.as_str()));
    // The dashboard too refuses a named file that is not there.
    let out = sandbox.run(&["--config", path_str(&missing)], &[]);
    assert_eq!((out.code, out.stderr.as_str()), (2, want.as_str()));
}

#[test]
fn a_missing_default_file_means_the_defaults() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["config", "check"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "OK: no config file at {} (default location): the defaults apply, 0 watched tickets\n",
            sandbox.default_config().display()
        )
    );
}

#[test]
fn init_writes_the_example_privately_then_never_overwrites() {
    let sandbox = Sandbox::new();
    let target = sandbox.default_config();
    let out = sandbox.run(&["config", "init"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "Wrote a starter config to {}\nEdit it, then run `coctop config check`.\n",
            target.display()
        )
    );
    let example =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"))
            .expect("example");
    assert_eq!(fs::read_to_string(&target).expect("written"), example);
    assert_eq!(mode_of(&target), 0o600);

    // The starter file is valid as written.
    let out = sandbox.run(&["config", "check"], &[]);
    assert_eq!(
        (out.code, out.stdout),
        (0, format!("OK: {} (0 watched tickets)\n", target.display()))
    );

    // A second init leaves the user's edits alone.
    fs::write(&target, "[poll]\ninterval = \"9s\"\n").expect("edit");
    let out = sandbox.run(&["config", "init"], &[]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "coctop: {} already exists; not overwriting it\n",
            target.display()
        )
    );
    assert_eq!(
        fs::read_to_string(&target).expect("kept"),
        "[poll]\ninterval = \"9s\"\n"
    );
}

#[test]
fn init_at_an_explicit_path_creates_its_directories() {
    let sandbox = Sandbox::new();
    let target = sandbox.dir("a/b/c/coctop.toml");
    let out = sandbox.run(&["--config", path_str(&target), "config", "init"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(target.is_file());
    assert!(!sandbox.default_config().exists());
}

#[test]
fn path_shows_the_files_and_where_the_config_choice_came_from() {
    let sandbox = Sandbox::new();
    let tail = format!(
        "log:    {}\ncache:  {}\n",
        sandbox.dir("xdg-state/coctop/coctop.log").display(),
        sandbox.dir("xdg-cache/coctop").display()
    );

    let out = sandbox.run(&["config", "path"], &[]);
    let default = sandbox.default_config();
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        format!(
            "config: {} (default location, does not exist)\n{tail}",
            default.display()
        )
    );

    fs::create_dir_all(default.parent().unwrap()).unwrap();
    fs::write(&default, "").unwrap();
    let out = sandbox.run(&["config", "path"], &[]);
    assert_eq!(
        out.stdout,
        format!(
            "config: {} (default location, exists)\n{tail}",
            default.display()
        )
    );

    let by_env = sandbox.dir("env.toml");
    let out = sandbox.run(&["config", "path"], &[("COCTOP_CONFIG", &by_env)]);
    assert_eq!(
        out.stdout,
        format!(
            "config: {} (from COCTOP_CONFIG, does not exist)\n{tail}",
            by_env.display()
        )
    );

    // The flag wins over the variable.
    let by_flag = fixture("valid-minimal.toml");
    let out = sandbox.run(
        &["--config", path_str(&by_flag), "config", "path"],
        &[("COCTOP_CONFIG", &by_env)],
    );
    assert_eq!(
        out.stdout,
        format!(
            "config: {} (from --config, exists)\n{tail}",
            by_flag.display()
        )
    );
}

#[test]
fn inline_secrets_in_a_file_others_can_read_draw_a_warning() {
    let sandbox = Sandbox::new();
    let path = sandbox.copy_fixture("valid-full.toml", 0o644);
    let out = sandbox.check(&path);
    assert_eq!(out.code, 0, "a warning, not an error");
    let p = path.display();
    assert_eq!(
        out.stderr,
        format!(
            "coctop: warning: {p} holds a secret (`sk`, `security_token`, `token`) and can be \
             read by group or others (mode 644); run `chmod 600 {p}`\n"
        )
    );
    assert!(
        !out.stderr.contains("EXAMPLESK"),
        "the secret itself is never shown"
    );

    set_mode(&path, 0o600);
    let out = sandbox.check(&path);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));

    // No secret inside: no warning, whatever the mode.
    let minimal = sandbox.copy_fixture("valid-minimal.toml", 0o644);
    let out = sandbox.check(&minimal);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

#[test]
fn only_a_regular_file_of_at_most_1_mib_is_read() {
    let sandbox = Sandbox::new();
    let big = sandbox.dir("big.toml");
    let mut text = String::from("[api]\n");
    text.push_str(&"# padding\n".repeat(110_000));
    fs::write(&big, text).unwrap();
    let directory = sandbox.dir("a-directory");
    fs::create_dir(&directory).unwrap();
    for (path, why) in [
        (Path::new("/dev/zero"), "not a regular file"),
        (directory.as_path(), "not a regular file"),
        (big.as_path(), "larger than 1 MiB: not a config file"),
    ] {
        let out = sandbox.check(path);
        assert_eq!(out.code, 2, "{}: {}", path.display(), out.stderr);
        assert_eq!(out.stderr, format!("coctop: {}: {why}\n", path.display()));
    }
}

#[test]
fn an_empty_coctop_config_is_treated_as_unset() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["config", "path"], &[("COCTOP_CONFIG", Path::new(""))]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let default = sandbox.default_config();
    assert!(
        out.stdout
            .starts_with(&format!("config: {} (default location", default.display())),
        "{}",
        out.stdout
    );
}

#[test]
fn an_id_with_white_space_on_the_command_line_is_a_usage_error() {
    let sandbox = Sandbox::new();
    for id in ["EX 1", "EX\u{200b}1", "EX\u{202e}1"] {
        let out = sandbox.run(&["--endpoint", "http://127.0.0.1:9", "get", id], &[]);
        assert_eq!(out.code, 2, "{id:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("invalid execution ID"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn command_entries_are_checked_and_a_taken_key_names_both_uses() {
    let sandbox = Sandbox::new();
    let path = sandbox.dir("commands.toml");
    let file = path.display().to_string();
    fs::write(
        &path,
        "[[command]]\nkey = \"S\"\nname = \"ssh\"\nscope = \"ticket\"\nargv = [\"ssh\", \"{host_ip}\"]\n\n\
         [[command]]\nkey = \"LL\"\nname = \"logs\"\nargv = [\"logs\", \"{stepp}\"]\n\n\
         [[command]]\nname = \"no key\"\n",
    )
    .unwrap();
    let out = sandbox.check(&path);
    assert_eq!(out.code, 2);
    for expected in [
        format!("{file}:5:8: `argv` in [[command]]: {{host_ip}} needs scope = \"host\""),
        format!("{file}:8:7: `key` in [[command]]: \"LL\": expected one character"),
        "did you mean {step}?".to_string(),
        format!("{file}:12:1: [[command]] entry without `key`, `argv`"),
    ] {
        assert!(out.stderr.contains(&expected), "{expected}\n{}", out.stderr);
    }
    fs::write(
        &path,
        "[[command]]\nkey = \"C\"\nname = \"chat\"\nargv = [\"chat\", \"{execution_id}\"]\n\n\
         [[command]]\nname = \"my menu\"\nkey = \"x\"\nargv = [\"menu\"]\n",
    )
    .unwrap();
    let out = sandbox.check(&path);
    assert_eq!(out.code, 2);
    let expected = format!(
        "{file}:8:7: `key` in [[command]]: key 'x' of \"my menu\" is taken already in the \
         dashboard by \"operate: what its status allows; run again\""
    );
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
    fs::write(
        &path,
        "[[command]]\nkey = \"S\"\nname = \"ssh\"\nscope = \"host\"\ninteractive = true\n\
         argv = [\"ssh\", \"root@{host_ip}\"]\n",
    )
    .unwrap();
    assert_eq!(
        sandbox.check(&path).code,
        0,
        "{}",
        sandbox.check(&path).stderr
    );
}

#[test]
fn unknown_and_doubled_columns_are_named_with_the_nearest() {
    let sandbox = Sandbox::new();
    let path = sandbox.dir("columns.toml");
    fs::write(&path, "[ui]\ncolumns = [\"name\", \"tag:20\"]\n").unwrap();
    let out = sandbox.check(&path);
    assert_eq!(out.code, 2);
    let expected = "2:20: `columns` in [ui]: unknown column \"tag\" (did you mean \"tags\"?)";
    assert!(out.stderr.contains(expected), "{}", out.stderr);
    fs::write(&path, "[ui]\ncolumns = [\"status\", \"tags\"]\n").unwrap();
    let out = sandbox.check(&path);
    assert!(out.stderr.contains("must name \"name\""), "{}", out.stderr);
    fs::write(
        &path,
        "[ui]\ncolumns = [\"tags:30\", \"name\", \"status\"]\n",
    )
    .unwrap();
    assert_eq!(sandbox.check(&path).code, 0);
}

#[test]
fn ui_keys_are_checked_with_file_line_and_key() {
    let sandbox = Sandbox::new();
    let path = sandbox.dir("ui.toml");
    fs::write(
        &path,
        "[ui]\nread_only = \"yes\"\nconsole_url = \"https://console.example/coc\"\nreadonly = true\n\
         language = \"zn\"\ntheme = \"ligth\"\n\n[ui.colors]\nfaild = \"red\"\nrunning = \"purplish\"\n",
    )
    .unwrap();
    let out = sandbox.check(&path);
    assert_eq!(out.code, 2);
    let file = path.display().to_string();
    for expected in [
        format!("{file}:2:13: `read_only` in [ui]"),
        format!("{file}:3:15: `console_url` in [ui]: must contain {{execution_id}}"),
        format!("{file}:4:1: unknown key `readonly` in [ui] (did you mean `read_only`?)"),
        format!(
            "{file}:5:12: `language` in [ui]: unknown value \"zn\"; \
             expected one of: en, zh"
        ),
        format!(
            "{file}:6:9: `theme` in [ui]: unknown value \"ligth\" (did you mean \"light\"?); \
             expected one of: dark, light, high-contrast"
        ),
        format!("{file}:9:1: unknown key `faild` in [ui.colors] (did you mean `failed`?)"),
        format!("{file}:10:11: `running` in [ui.colors]: unknown colour \"purplish\""),
    ] {
        assert!(out.stderr.contains(&expected), "{expected}\n{}", out.stderr);
    }
}
