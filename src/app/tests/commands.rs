//! Custom commands: their keys in the table and the help, what their placeholders
//! stand for at the cursor, the question, read-only, and the pane with their output.

use std::time::Duration;

use super::*;
use crate::app::{Run, RunEnded, keymap_with};
use crate::custom::{CustomCommand, Scope};

fn command(key: char, name: &str, scope: Scope, argv: &[&str]) -> CustomCommand {
    CustomCommand {
        key,
        name: name.into(),
        scope,
        argv: argv.iter().map(|a| a.to_string()).collect(),
        confirm: false,
        writes: false,
        interactive: false,
        timeout: Duration::from_secs(5),
    }
}

fn with_commands(app: App, commands: Vec<CustomCommand>, read_only: bool) -> App {
    app.with_settings(UiSettings {
        commands,
        region: Some("cn-north-4".into()),
        read_only: read_only.then(|| "--read-only".into()),
        ..UiSettings::default()
    })
}

fn runs(reaction: &Reaction) -> Vec<Run> {
    reaction
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Run(run) => Some(run.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_ticket_command_runs_with_the_selected_tickets_values_and_is_in_the_help() {
    let chat = command(
        'C',
        "open the chat",
        Scope::Ticket,
        &[
            "chat",
            "--ticket={execution_id}",
            "{status} in {region}/{profile}",
        ],
    );
    let mut app = with_commands(mixed(), vec![chat], false);
    select_id(&mut app, &id(0).to_string());
    let ran = runs(&ch(&mut app, 'C'));
    assert_eq!(ran.len(), 1);
    assert_eq!(
        ran[0].argv,
        [
            "chat".to_string(),
            format!("--ticket={}", id(0)),
            "Failed in cn-north-4/default".to_string()
        ]
    );
    assert!(
        app.keymap()
            .help_lines(Lang::En)
            .iter()
            .any(|(keys, text)| keys == "C" && Lang::En.t((*text).clone()) == "open the chat")
    );
}

#[test]
fn confirm_asks_first_and_only_y_runs() {
    let mut page = command('P', "page", Scope::Ticket, &["page", "{execution_id}"]);
    page.confirm = true;
    let mut app = with_commands(mixed(), vec![page], false);
    select_id(&mut app, &id(0).to_string());
    assert!(runs(&ch(&mut app, 'P')).is_empty());
    assert!(matches!(app.prompt(), Some(Prompt::RunConfirm(_))));
    assert!(runs(&ch(&mut app, 'n')).is_empty());
    assert!(app.prompt().is_none(), "any other key cancels");
    ch(&mut app, 'P');
    let ran = runs(&ch(&mut app, 'y'));
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].argv[1], id(0));
}

#[test]
fn a_command_that_writes_is_refused_under_read_only() {
    let mut restart = command(
        'W',
        "restart it",
        Scope::Ticket,
        &["restart", "{execution_id}"],
    );
    restart.writes = true;
    restart.confirm = true;
    let look = command('L', "look", Scope::Ticket, &["look", "{execution_id}"]);
    let mut app = with_commands(mixed(), vec![restart, look], true);
    select_id(&mut app, &id(0).to_string());
    // Asked, then refused where it would start: whatever led to it.
    ch(&mut app, 'W');
    let asked = runs(&ch(&mut app, 'y'));
    assert!(asked[0].writes);
    assert!(!app.may_start(&asked[0]));
    assert!(
        matches!(app.prompt(), Some(Prompt::Notice { lines, .. }) if lines[0].contains("--read-only")),
        "{:?}",
        app.prompt()
    );
    press(&mut app, KeyCode::Esc);
    let look = runs(&ch(&mut app, 'L'));
    assert!(app.may_start(&look[0]), "one that only reads runs");
    assert!(app.prompt().is_none());
}

#[test]
fn step_and_host_commands_take_the_step_and_host_at_the_cursor() {
    let step_cmd = command('K', "step logs", Scope::Step, &["logs", "{step}"]);
    let ssh = command(
        'S',
        "ssh",
        Scope::Host,
        &["ssh", "root@{host_ip}", "{host_name}"],
    );
    let mut app = with_commands(
        app_with(1, |_| ticket(0, Status::Failed, "job0", 7200)),
        vec![step_cmd, ssh],
        false,
    );
    assert!(runs(&ch(&mut app, 'S')).is_empty(), "no host in the list");
    steps_arrive(&mut app, 0, vec![failed_step()]);
    press(&mut app, KeyCode::Enter);
    assert!(runs(&ch(&mut app, 'K')).is_empty(), "only on the Steps tab");
    ch(&mut app, '4');
    assert_eq!(runs(&ch(&mut app, 'K'))[0].argv, ["logs", "restart"]);
    press(&mut app, KeyCode::Enter);
    let host: crate::coc::Instance = serde_json::from_value(serde_json::json!({
        "status": "Failed",
        "properties": {"fixed_ip": "10.0.0.7", "host_name": "db-1"},
    }))
    .unwrap();
    hosts_arrive(&mut app, vec![host]);
    assert_eq!(
        runs(&ch(&mut app, 'S'))[0].argv,
        ["ssh", "root@10.0.0.7", "db-1"]
    );
}

#[test]
fn a_key_the_dashboard_takes_is_refused_naming_both_uses() {
    let (index, why) = keymap_with(&[
        command('C', "chat", Scope::Ticket, &["chat"]),
        command('x', "my actions", Scope::Ticket, &["act"]),
    ])
    .unwrap_err();
    assert_eq!(index, 1);
    assert!(
        why.contains("\"my actions\"") && why.contains("operate: what its status allows"),
        "{why}"
    );
    let (_, why) = keymap_with(&[
        command('C', "chat", Scope::Ticket, &["chat"]),
        command('C', "call", Scope::Ticket, &["call"]),
    ])
    .unwrap_err();
    assert!(
        why.contains("\"call\"") && why.contains("\"chat\""),
        "{why}"
    );
    // A key of the Hosts view only is free in the list.
    assert!(keymap_with(&[command('b', "hb", Scope::Host, &["x"])]).is_ok());
}

#[test]
fn the_pane_shows_the_last_lines_and_how_it_ended() {
    let mut app = mixed();
    let output: String = (1..=40).map(|i| format!("line {i}\n")).collect();
    let ended = RunEnded::Exited {
        code: "3".into(),
        output,
    };
    update(
        &mut app,
        Message::CommandEnded {
            name: "logs".into(),
            ended,
        },
    );
    let Some(Prompt::Notice { title, lines }) = app.prompt() else {
        panic!("{:?}", app.prompt());
    };
    assert_eq!(title, "logs: exit 3");
    assert_eq!(lines.first().unwrap(), "… 26 earlier lines");
    assert_eq!(lines.last().unwrap(), "line 40");
}

#[test]
fn profile_and_region_are_the_tickets_own_profiles_as_are_the_filter_and_the_accent() {
    let where_ = command('C', "where", Scope::Ticket, &["echo", "{profile}@{region}"]);
    let mut app = two_profiles(with_commands(mixed(), vec![where_], false));
    select_id(&mut app, &id(1).to_string());
    assert_eq!(
        runs(&ch(&mut app, 'C'))[0].argv[1],
        "staging@ap-southeast-1"
    );
    assert_eq!(app.accent(), Some(ratatui::style::Color::Magenta));
    select_id(&mut app, &id(0).to_string());
    assert_eq!(runs(&ch(&mut app, 'C'))[0].argv[1], "prod@cn-north-4");
    assert_eq!(app.accent(), None, "prod has no accent, nor [ui]");

    ch(&mut app, '/');
    for c in "profile=staging".chars() {
        ch(&mut app, c);
    }
    assert_eq!(app.visible_len(), 2, "tickets 1 and 3");
    assert!((0..2).all(|i| app.visible(i).unwrap().profile_name() == "staging"));
}

#[test]
fn the_header_counts_each_profile_only_when_there_are_several() {
    let one = crate::operate::Destination {
        profile: "default".into(),
        endpoint: "cn-north-4".into(),
        account: None,
    };
    let app = mixed().with_profiles(Profiles::new(vec![one], &[], &[]));
    assert!(!app.profiles_shown());
    assert!(
        app.profile_counts().is_empty(),
        "{:?}",
        app.profile_counts()
    );
    let app = two_profiles(mixed());
    let counts: Vec<(String, usize)> = app
        .profile_counts()
        .into_iter()
        .map(|(name, count)| (name.to_string(), count))
        .collect();
    assert_eq!(counts, [("prod".into(), 2), ("staging".into(), 2)]);
}

#[test]
fn a_reload_takes_in_new_commands_and_drops_gone_ones() {
    let chat = command(
        'C',
        "open the chat",
        Scope::Ticket,
        &["chat", "{execution_id}"],
    );
    let mut app = with_commands(mixed(), vec![chat], false);
    select_id(&mut app, &id(0).to_string());
    let page = command('P', "page", Scope::Ticket, &["page", "{execution_id}"]);
    let reloaded = Reloaded {
        watch: app
            .tickets()
            .iter()
            .map(|t| WatchEntry::unlabelled(t.id.clone()))
            .collect(),
        notify: Default::default(),
        commands: vec![page],
    };
    update(&mut app, Message::ConfigReloaded(Ok(reloaded)));
    let ran = runs(&ch(&mut app, 'P'));
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].argv, ["page".to_string(), id(0).to_string()]);
    assert!(runs(&ch(&mut app, 'C')).is_empty(), "gone with the file");
    assert!(
        app.keymap()
            .help_lines(Lang::En)
            .iter()
            .all(|(_, text)| Lang::En.t((*text).clone()) != "open the chat")
    );
}
