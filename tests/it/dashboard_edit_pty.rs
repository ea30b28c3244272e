//! The real binary in a pseudo-terminal: a notification's hook runs when watched
//! tickets change, `a` adds pasted IDs and `d` + `y` removes one, both saved to the
//! config file at once.

use std::time::{Duration, Instant};

use crate::notify::recording_hook;
use crate::support::{
    Sim, config_in, env_refs, ids_with_status, pty::PtyApp, status_of, watch_blocks, watched_ids,
};
use coctop::coc::Status;
use coctop::sim::SimOptions;

#[test]
fn hook_runs_on_changes_and_a_and_d_edit_the_config_file() {
    // Enough tickets that some of those running now are bound to fail.
    let sim = Sim::start(SimOptions {
        tickets: 150,
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let (script, runs) = recording_hook(home.path());
    let running = ids_with_status(&sim, Status::Running);
    assert!(running.len() >= 2, "{running:?}");
    let finished: Vec<String> = ids_with_status(&sim, Status::Succeed)
        .into_iter()
        .take(2)
        .collect();
    let text = format!(
        "# kept: a comment of the user's\n[api]\nendpoint = \"{}\"\n\n[poll]\ninterval = \"1s\"\n\n\
         [notify]\non = \"any\"\ndesktop = true\ncommand = [\"{script}\", \"dashboard\"]\n{}",
        sim.url(),
        watch_blocks(&running)
    );
    let (config, env) = config_in(home.path(), &text);
    let env = env_refs(&env);

    let mut app = PtyApp::spawn(&[], &env, 140, 30);
    app.wait_for_text(&format!("▶ {} Running", running.len()));
    sim.handle
        .as_ref()
        .unwrap()
        .advance(Duration::from_secs(24 * 3600));
    let failed: Vec<&String> = running
        .iter()
        .filter(|id| matches!(status_of(&sim, id), Some(Status::Failed | Status::Timeout)))
        .collect();
    assert!(!failed.is_empty(), "none of {running:?} failed");
    let unseen = format!("{} new failure", failed.len());
    app.wait_for_text(&unseen);

    // Every change told once, in as many notifications as cycles it took.
    let mut told = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let count = |told: &str| -> usize {
        told.lines()
            .map(|l| l.split('|').nth(7).unwrap().parse::<usize>().unwrap())
            .sum()
    };
    while count(&told) < running.len() {
        assert!(Instant::now() < deadline, "hook runs so far:\n{told}");
        std::thread::sleep(Duration::from_millis(50));
        told = std::fs::read_to_string(&runs).unwrap_or_default();
    }
    assert_eq!(count(&told), running.len(), "{told}");
    for run in told.lines() {
        let fields: Vec<&str> = run.split('|').collect();
        assert_eq!(fields[0], "dashboard", "{told}");
        assert!(running.contains(&fields[2].to_string()), "{told}");
        assert_eq!(fields[4], "Running", "{told}");
        assert!(Status::parse(fields[5]).is_terminal(), "{told}");
        assert_eq!(fields[6], sim.url());
    }
    app.send("n");
    let screen = app.wait_for("the failures marked seen", |s| !s.contains("new failure"));

    // `a`, a bracketed paste of two IDs with a label, Enter: watched and saved.
    app.send("a");
    app.wait_for_text("IDs by space");
    app.send(&format!(
        "\u{1b}[200~{},\n{} # from the pager\u{1b}[201~",
        finished[0], finished[1]
    ));
    app.send("\r");
    app.wait_for_text("saved to");
    app.wait_for_text("from the pager");
    let watched = watched_ids(&config);
    assert_eq!(watched.len(), running.len() + 2, "{watched:?}\n{screen}");
    assert_eq!(&watched[running.len()..], &finished[..]);
    let saved = std::fs::read_to_string(&config).unwrap();
    assert!(
        saved.starts_with("# kept: a comment of the user's\n"),
        "{saved}"
    );

    // `d` names the ticket it will remove; `y` removes it from the file too.
    app.send("d");
    let asking = app.wait_for_text("Stop watching");
    let named = asking
        .split("Stop watching ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(watched.contains(&named), "{named} in {asking}");
    app.send("y");
    app.wait_for_text("saved to");
    let left = watched_ids(&config);
    assert_eq!(left.len(), running.len() + 1);
    assert!(!left.contains(&named));

    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(app.is_cooked());
}

#[test]
fn a_config_changed_on_disk_is_reloaded_and_a_broken_one_is_reported_and_kept_out() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let done = ids_with_status(&sim, Status::Succeed);
    let config_text =
        |ids: &[String]| format!("[api]\nendpoint = \"{}\"\n{}", sim.url(), watch_blocks(ids));
    let (config, env) = config_in(home.path(), &config_text(&done[..2]));
    let env = env_refs(&env);

    let mut app = PtyApp::spawn(&[], &env, 120, 30);
    app.wait_for_text("drill-01");
    std::fs::write(&config, config_text(&done[..3])).unwrap();
    app.wait_for_text("drill-02");
    app.wait_for_text("3 tickets");

    std::fs::write(
        &config,
        config_text(&done[..1]) + "\n[poll]\ninterval = \"soon\"\n",
    )
    .unwrap();
    let screen = app.wait_for_text("config not reloaded");
    assert!(screen.contains("coctop.toml:9:12"), "{screen}");
    assert!(
        screen.contains("drill-02") && screen.contains("3 tickets"),
        "{screen}"
    );

    std::fs::write(&config, config_text(&done[..1])).unwrap();
    let screen = app.wait_for("the fixed file taken in", |s| {
        !s.contains("config not reloaded") && s.contains("1 ticket ")
    });
    assert!(!screen.contains("drill-01"), "{screen}");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

/// #16 item 9: a refusal that arrives while TERMINATE is being typed waits behind the
/// confirmation, and the rest of the word goes to it. It used to replace the
/// confirmation: the next letter closed the notice, `a` opened the add line and `te⏎`
/// saved `id = "te"` into the config.
#[test]
fn a_refusal_never_takes_the_keys_of_a_confirmation_being_typed() {
    // Every answer takes a while: the first refusal comes in while the second
    // confirmation is typed.
    let sim = Sim::start(SimOptions {
        latency: Duration::from_millis(1500),
        ..SimOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let running = ids_with_status(&sim, Status::Running);
    let target = &running[..1];
    let text = format!(
        "[api]\nendpoint = \"{}\"\n\n[poll]\ninterval = \"60s\"\n{}",
        sim.url(),
        watch_blocks(target)
    );
    let (config, env) = config_in(home.path(), &text);
    let saved = std::fs::read_to_string(&config).unwrap();
    let env = env_refs(&env);
    let mut app = PtyApp::spawn(&[], &env, 120, 30);
    app.wait_for_text("▶ Running");
    // The ticket finishes on the server: TERMINATE will be refused.
    let handle = sim.handle.as_ref().unwrap();
    handle.advance(Duration::from_secs(7 * 24 * 3600));
    assert!(status_of(&sim, &target[0]).is_some_and(|s| s.is_terminal()));

    app.send("x");
    app.wait_for_text("TERMINATE");
    app.send("\r");
    app.wait_for_text("Type terminate");
    app.send("terminate\r");
    app.wait_for("the confirmation answered", |s| {
        !s.contains("Type terminate")
    });
    // Again, while the dashboard still shows the ticket running.
    app.send("x");
    app.wait_for_text("Operate on");
    app.send("\r");
    app.wait_for_text("Type terminate");
    app.send("termi");
    app.wait_for_text("> termi");
    app.wait_for("the first refusal", |s| {
        s.contains("notice waiting") || s.contains("TERMINATE refused")
    });
    app.send("nate\r");
    // Either the word reaches the confirmation and TERMINATE goes out a second time, or
    // it falls through to the list and something is saved to the config.
    let deadline = Instant::now() + Duration::from_secs(20);
    let config_now = || std::fs::read_to_string(&config).unwrap();
    while sim.operations() < 2 && config_now() == saved {
        assert!(
            Instant::now() < deadline,
            "nothing happened:\n{}",
            app.contents()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        config_now(),
        saved,
        "keys fell through:\n{}",
        app.contents()
    );
    let screen = app.wait_for("the refusal, once the confirmation is answered", |s| {
        s.contains("TERMINATE refused") && !s.contains("Type terminate")
    });
    assert!(
        !screen.contains("IDs by space"),
        "the add line opened:\n{screen}"
    );
    assert_eq!(sim.operations(), 2);
    app.send("\u{3}");
    assert_eq!(app.wait_exit(), 0);
}

/// #16 item 18: IDs the config file cannot take (it would pass the 1 MiB a config may
/// hold) are refused whole: nothing is watched, the file is unchanged, a notice says
/// why. They used to be watched for the session though never saved.
#[test]
fn a_paste_the_config_cannot_hold_adds_nothing() {
    let sim = Sim::start(SimOptions::default());
    let home = tempfile::tempdir().unwrap();
    let done = ids_with_status(&sim, Status::Succeed);
    // A few KiB short of the limit.
    let filler = format!("# {}\n", "x".repeat(1_040_000));
    let text = format!(
        "[api]\nendpoint = \"{}\"\n{filler}{}",
        sim.url(),
        watch_blocks(&done[..1])
    );
    let (config, env) = config_in(home.path(), &text);
    let env = env_refs(&env);
    let mut app = PtyApp::spawn(&[], &env, 120, 30);
    app.wait_for_text("drill-00");
    let pasted: Vec<String> = (0..400)
        .map(|i| format!("EX2099010100000000paste{i:04}"))
        .collect();
    app.send("a");
    app.wait_for_text("IDs by space");
    app.send(&format!("\u{1b}[200~{}\u{1b}[201~", pasted.join(" ")));
    app.send("\r");
    let screen = app.wait_for_text("not added");
    assert!(screen.contains("MiB"), "{screen}");
    app.send("q");
    let screen = app.wait_for("the notice closed", |s| !s.contains("not added"));
    assert!(screen.contains("1 ticket "), "{screen}");
    assert!(!screen.contains("paste0"), "{screen}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}
