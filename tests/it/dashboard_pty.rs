//! The real binary in a pseudo-terminal against the simulator: start, list, filter,
//! detail, quit, and the terminal back in cooked mode.

use crate::support::{Sim, pty::PtyApp, pty::isolated_env};
use coctop::sim::SimOptions;

/// A home of its own with a config watching `ids` (labelled `drill-NN`), and the
/// environment that points the dashboard at both.
fn watching(sim: &Sim, ids: &[String]) -> (tempfile::TempDir, Vec<(String, String)>) {
    let home = tempfile::tempdir().unwrap();
    let config = config_for(sim, home.path(), ids);
    let mut env = isolated_env(home.path());
    env.push(("COCTOP_CONFIG".into(), config.display().to_string()));
    (home, env)
}

fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn config_for(sim: &Sim, home: &std::path::Path, ids: &[String]) -> std::path::PathBuf {
    let mut text = format!(
        "[api]\nendpoint = \"{}\"\n\n[poll]\ninterval = \"1s\"\n",
        sim.url()
    );
    for (i, id) in ids.iter().enumerate() {
        text.push_str(&format!(
            "\n[[watch]]\nid = \"{id}\"\nlabel = \"drill-{i:02}\"\n"
        ));
    }
    let path = home.join("coctop.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn dashboard_lists_filters_opens_and_quits_cleanly() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(6).collect();
    let (_home, env) = watching(&sim, &ids);

    let mut app = PtyApp::spawn(&[], &refs(&env), 120, 32);
    let screen = app.wait_for("every label on screen", |s| {
        (0..ids.len()).all(|i| s.contains(&format!("drill-{i:02}")))
    });
    assert!(
        !app.is_cooked(),
        "the dashboard runs in raw mode:\n{screen}"
    );
    // Data arrives from the simulator: the first ticket's ID is shown.
    app.wait_for_text(&ids[0][..16]);

    app.send("/drill-03");
    app.send("\r");
    let filtered = app.wait_for("the filter to narrow the list", |s| {
        s.contains("drill-03") && !s.contains("drill-01") && !s.contains("drill-05")
    });
    assert!(filtered.contains("drill-03"));

    app.send("\r");
    app.wait_for("the detail of the ticket", |s| {
        s.contains(&ids[3]) && s.contains("Parameters")
    });

    app.send("q");
    assert_eq!(app.wait_exit(), 0, "q exits 0");
    assert!(app.is_cooked(), "terminal restored to cooked mode");
}

#[test]
fn the_dashboard_follows_the_terminal_as_it_is_resized() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(40).collect();
    let (_home, env) = watching(&sim, &ids);
    let rows_shown = |screen: &str| screen.lines().filter(|l| l.contains("drill-")).count();

    let mut app = PtyApp::spawn(&[], &refs(&env), 100, 20);
    let small = app.wait_for("the list", |s| rows_shown(s) > 0);
    let fit_small = rows_shown(&small);

    app.resize(120, 50);
    let tall = app.wait_for("more rows of tickets on the taller screen", |s| {
        rows_shown(s) >= fit_small + 8
    });
    assert!(
        tall.lines()
            .any(|l| l.chars().count() > 100 && l.contains("drill-")),
        "rows use the wider screen:\n{tall}"
    );

    app.resize(100, 20);
    app.wait_for("the list cut to the shorter screen again", |s| {
        rows_shown(s) == fit_small
    });
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

#[test]
fn every_ending_signal_restores_the_terminal() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(2).collect();
    let (_home, env) = watching(&sim, &ids);

    for (name, signal) in [
        ("SIGTERM", libc::SIGTERM),
        ("SIGQUIT", libc::SIGQUIT),
        ("SIGHUP", libc::SIGHUP),
    ] {
        let mut app = PtyApp::spawn(&[], &refs(&env), 80, 24);
        app.wait_for_text("drill-01");
        assert!(!app.is_cooked());
        let pid = app.pid().expect("child pid") as libc::pid_t;
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        assert_eq!(app.wait_exit(), 128 + signal as u32, "{name}: 128 + n");
        assert!(app.is_cooked(), "terminal restored after {name}");
    }
}

#[test]
fn demo_starts_without_config_or_credentials() {
    let home = tempfile::tempdir().unwrap();
    let env = isolated_env(home.path());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut app = PtyApp::spawn(&["--demo"], &env, 100, 30);
    app.wait_for("simulated tickets", |s| s.contains("EX20"));
    app.send("\x03");
    assert_eq!(app.wait_exit(), 0, "Ctrl-C exits 0");
    assert!(app.is_cooked());
}

#[test]
fn an_open_ticket_stays_on_screen_when_its_status_leaves_the_filter() {
    let sim = Sim::start(SimOptions::default());
    let client = coctop::coc::Client::new(coctop::coc::ClientConfig::new(
        coctop::coc::Endpoint::from_url(&sim.url()).unwrap(),
        coctop::coc::Auth::None,
    ))
    .unwrap();
    let pending: Vec<String> = sim
        .ids()
        .into_iter()
        .filter(|id| {
            let ticket = sim.block_on(client.get_execution(id)).unwrap();
            ticket.status == Some(coctop::coc::Status::Pending)
        })
        .take(3)
        .collect();
    assert!(!pending.is_empty(), "the seeded set has pending tickets");
    let (_home, env) = watching(&sim, &pending);

    let mut app = PtyApp::spawn(&[], &refs(&env), 120, 32);
    app.wait_for("pending tickets", |s| {
        s.matches("Pending").count() >= pending.len()
    });
    app.send("/pending\r");
    app.send("\r");
    let opened = app.wait_for("the open ticket", |s| {
        s.contains("Parameters") && pending.iter().any(|id| s.contains(id.as_str()))
    });
    let id = pending
        .iter()
        .find(|id| opened.contains(id.as_str()))
        .unwrap()
        .clone();
    // Hours of ticket time pass: every pending ticket has started, so the filter
    // matches none of them any more.
    sim.handle
        .as_ref()
        .unwrap()
        .advance(std::time::Duration::from_secs(6 * 3600));
    let moved_on = app.wait_for("the open ticket to leave Pending", |s| {
        let status_line = s.lines().find(|l| l.trim_start().starts_with("Status"));
        status_line.is_some_and(|l| !l.contains("Pending"))
    });
    assert!(
        moved_on.contains(&id),
        "the pane still shows {id}:\n{moved_on}"
    );
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

#[test]
fn the_locale_chooses_chinese_and_the_config_overrides_it() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(2).collect();
    let (home, mut env) = watching(&sim, &ids);
    env.push(("LANG".into(), "zh_CN.UTF-8".into()));

    let mut app = PtyApp::spawn(&[], &refs(&env), 100, 24);
    let screen = app.wait_for("the header and footer in Chinese", |s| {
        s.contains("2 个工单") && s.contains("q 退出")
    });
    assert!(!screen.contains("tickets"), "{screen}");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);

    let config = home.path().join("coctop.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("[ui]\nlanguage = \"en\"\n\n{text}")).unwrap();
    let mut app = PtyApp::spawn(&[], &refs(&env), 100, 24);
    let screen = app.wait_for("the header and footer in English", |s| {
        s.contains("2 tickets") && s.contains("q quit")
    });
    assert!(!screen.contains("工单"), "{screen}");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

/// The config of `watching`, with `commands` (TOML text) appended.
fn with_commands(home: &std::path::Path, commands: &str) {
    let config = home.join("coctop.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n{commands}")).unwrap();
}

fn toml_string(text: &str) -> String {
    format!("{text:?}")
}

#[test]
fn a_custom_command_gets_its_arguments_whole_and_no_credentials_and_its_output_shows() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(4).collect();
    let (home, mut env) = watching(&sim, &ids);
    env.push(("COCTOP_SIM_SK".into(), "a-secret-key".into()));
    env.push(("KEPT_FOR_THE_COMMAND".into(), "yes".into()));
    let out = home.path().join("argv.txt");
    let script = "printf '%s\\n' \"$@\" > \"$0\"; env > \"$0.env\"; echo printed-by-the-command";
    with_commands(
        home.path(),
        &format!(
            "[[command]]\nkey = \"W\"\nname = \"write argv\"\nargv = [\"/bin/sh\", \"-c\", {}, {}, \
             \"{{execution_id}}\", \"two words; $(touch pwned)\", \"{{profile}}\"]\n",
            toml_string(script),
            toml_string(&out.display().to_string()),
        ),
    );

    let mut app = PtyApp::spawn(&[], &refs(&env), 120, 32);
    app.wait_for_text(&ids[3][..16]);
    app.send("/drill-03\r");
    app.wait_for("the filter to narrow the list", |s| {
        s.contains("drill-03") && !s.contains("drill-01")
    });
    app.send("?");
    app.wait_for("the command in the help", |s| s.contains("write argv"));
    app.send("q");
    app.send("W");
    app.wait_for("its output in a pane", |s| {
        s.contains("printed-by-the-command") && s.contains("write argv: exit 0")
    });
    let argv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        argv.lines().collect::<Vec<_>>(),
        [ids[3].as_str(), "two words; $(touch pwned)", "default"]
    );
    let env_seen = std::fs::read_to_string(format!("{}.env", out.display())).unwrap();
    assert!(env_seen.contains("KEPT_FOR_THE_COMMAND=yes"), "{env_seen}");
    assert!(!env_seen.contains("a-secret-key"), "{env_seen}");
    app.send("q");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(app.is_cooked());
}

#[test]
fn an_interactive_command_has_the_terminal_and_gives_it_back() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(2).collect();
    let (home, env) = watching(&sim, &ids);
    let out = home.path().join("typed.txt");
    let script = "printf 'type a line: '; read line; printf '%s\\n' \"$1\" \"$line\" > \"$0\"";
    with_commands(
        home.path(),
        &format!(
            "[[command]]\nkey = \"I\"\nname = \"ask\"\ninteractive = true\n\
             argv = [\"/bin/sh\", \"-c\", {}, {}, \"{{execution_id}}\"]\n",
            toml_string(script),
            toml_string(&out.display().to_string()),
        ),
    );
    let mut app = PtyApp::spawn(&[], &refs(&env), 100, 24);
    app.wait_for_text(&ids[0][..16]);
    app.send("I");
    app.wait_for("the command's own prompt", |s| s.contains("type a line:"));
    assert!(
        app.is_cooked(),
        "the command has the terminal as the shell left it"
    );
    app.send("typed to the command\r");
    app.wait_for("the dashboard back", |s| s.contains("2 tickets"));
    let typed = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = typed.lines().collect();
    assert_eq!(lines.len(), 2, "{typed}");
    assert!(ids.contains(&lines[0].to_string()), "{typed}");
    assert_eq!(lines[1], "typed to the command");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

/// `[[command]]` entries edited while the dashboard runs are taken in as the watch list
/// is; one whose key is taken leaves the running commands as they were and says why.
#[test]
fn commands_added_to_the_config_while_it_runs_work_at_once() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(2).collect();
    let (home, env) = watching(&sim, &ids);
    let mut app = PtyApp::spawn(&[], &refs(&env), 120, 60);
    app.wait_for_text(&ids[0][..16]);
    with_commands(
        home.path(),
        "[[command]]\nkey = \"W\"\nname = \"added later\"\n\
         argv = [\"echo\", \"printed-after-the-reload\"]\n",
    );
    app.send("?");
    app.wait_for("the new command in the help", |s| s.contains("added later"));
    app.send("q");
    app.send("W");
    app.wait_for("its output in a pane", |s| {
        s.contains("printed-after-the-reload") && s.contains("added later: exit 0")
    });
    app.send("q");
    app.wait_for("the pane closed", |s| {
        !s.contains("printed-after-the-reload")
    });
    with_commands(
        home.path(),
        "[[command]]\nkey = \"r\"\nname = \"takes r\"\nargv = [\"true\"]\n",
    );
    app.wait_for_text("config not reloaded");
    app.send("W");
    app.wait_for("the running command still there", |s| {
        s.contains("added later: exit 0")
    });
    app.send("q");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

/// A command marked `writes` never starts under read-only, however it is reached: the
/// check is where each run starts, after the question a `confirm` command asks.
#[test]
fn a_command_that_writes_never_starts_under_read_only() {
    let sim = Sim::start(SimOptions::default());
    let ids: Vec<String> = sim.ids().into_iter().take(2).collect();
    let (home, env) = watching(&sim, &ids);
    let marker = home.path().join("ran");
    for (key, extra) in [
        ("W", ""),
        ("C", "confirm = true\n"),
        ("I", "interactive = true\n"),
    ] {
        with_commands(
            home.path(),
            &format!(
                "[[command]]\nkey = \"{key}\"\nname = \"touch {key}\"\nwrites = true\n{extra}\
                 argv = [\"touch\", {}]\n",
                toml_string(&marker.display().to_string()),
            ),
        );
    }
    let mut app = PtyApp::spawn(&["--read-only"], &refs(&env), 100, 24);
    app.wait_for_text(&ids[0][..16]);
    for key in ["W", "C", "I"] {
        app.send(key);
        if key == "C" {
            app.wait_for_text("Run touch C?");
            app.send("y");
        }
        app.wait_for_text("Operations are off: --read-only");
        app.send("q");
        app.wait_for("the notice closed", |s| !s.contains("Operations are off"));
    }
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(!marker.exists(), "no command that writes ran");
}
