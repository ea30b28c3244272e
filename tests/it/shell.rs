//! `coctop completions SHELL` and `coctop man` from the real binary.

use std::process::Command;

use crate::support::{coctop, stdout};

#[test]
fn bash_completion_loads_in_bash_and_completes_subcommands_and_flags() {
    let home = tempfile::tempdir().unwrap();
    let out = coctop(home.path(), &["completions", "bash"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let script = home.path().join("coctop.bash");
    std::fs::write(&script, stdout(&out)).unwrap();
    // Source it, then ask the completion function what `coctop wait --no<TAB>` offers.
    let probe = format!(
        "source '{}' && complete -p coctop && \
         COMP_WORDS=(coctop wait --no) COMP_CWORD=2 COMP_LINE='coctop wait --no' \
         COMP_POINT=16 && _coctop coctop --no wait && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let bash = Command::new("bash").args(["-c", &probe]).output().unwrap();
    let said = String::from_utf8_lossy(&bash.stdout);
    assert!(
        bash.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    assert!(said.contains("-F _coctop coctop"), "{said}");
    assert!(said.lines().any(|l| l == "--notify"), "{said}");
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_one_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = coctop(home.path(), &["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        assert!(
            script.contains("completions") && script.contains("wait"),
            "{shell}: {script}"
        );
    }
    let out = coctop(home.path(), &["completions", "tcsh"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_naming_every_command() {
    let home = tempfile::tempdir().unwrap();
    let out = coctop(home.path(), &["man"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH coctop"),
        "{page}"
    );
    for command in ["get", "wait", "sim", "config", "completions"] {
        assert!(page.contains(command), "{command} missing:\n{page}");
    }
}

#[test]
fn man_completions_help_and_version_into_a_full_disk_exit_6_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["man"][..],
        &["completions", "bash"],
        &["--help"],
        &["--version"],
        &["get", "--help"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = crate::support::coctop_command(home.path(), args)
            .stdout(full)
            .output()
            .unwrap();
        let err = crate::support::stderr(&out);
        assert_eq!(out.status.code(), Some(6), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
    }
    let help = coctop(home.path(), &["--help"], &[]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Usage: coctop"));
    let wrong = coctop(home.path(), &["--no-such-flag"], &[]);
    assert_eq!(wrong.status.code(), Some(2));
}
