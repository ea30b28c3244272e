//! `update` driven key by key and update by update.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use super::*;
use crate::coc::{JobTicket, Status, Ticket, TicketRef};

const NOW: u64 = 1_751_378_400;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn id(n: usize) -> TicketRef {
    TicketRef::execution(&format!("EX{n:04}")).unwrap()
}

/// The reference written `text`.
fn r(text: &str) -> TicketRef {
    TicketRef::parse(text).unwrap()
}

/// Ticket `n`'s ID as written.
fn id_text(n: usize) -> String {
    id(n).to_string()
}

fn ticket(n: usize, status: Status, name: &str, started_secs_ago: u64) -> Ticket {
    let mut t = Ticket::empty(id(n).id());
    t.status = Some(status.clone());
    t.document_name = Some(name.into());
    t.creator = Some(format!("user{n}").into());
    t.start_time = Some(((NOW - started_secs_ago) * 1000) as i64);
    if status.is_terminal() {
        t.end_time = Some(((NOW - started_secs_ago + 60) * 1000) as i64);
    }
    t
}

fn empty_app(n: usize) -> App {
    sized_app(n, 80, 24)
}

/// Tickets 0..n watched, nothing polled yet, on a `width`x`height` terminal.
pub(super) fn sized_app(n: usize, width: u16, height: u16) -> App {
    let mut app = App::new(AppInit {
        lang: Lang::En,
        endpoint: "cn-north-4".into(),
        watch: (0..n).map(|i| WatchEntry::unlabelled(id(i))).collect(),
        color: true,
        now: now(),
    });
    update(&mut app, Message::Resize { width, height });
    app
}

/// Tickets 0..n, each snapshot given by `make(i)`, on an 80x24 terminal.
fn app_with(n: usize, make: impl Fn(usize) -> Ticket) -> App {
    let mut app = empty_app(n);
    for i in 0..n {
        snapshot(&mut app, make(i));
    }
    app
}

/// Five finished tickets named a..e, started 2 to 6 hours ago.
fn finished(n: usize) -> App {
    app_with(n, |i| {
        let name = ((b'a' + i as u8) as char).to_string();
        ticket(i, Status::Succeed, &name, 7200 + 3600 * i as u64)
    })
}

fn snapshot(app: &mut App, t: impl Into<JobTicket>) -> Reaction {
    let at = app.now;
    snap_at(app, &Arc::new(t.into()), at)
}

/// A ticket as the engine hands it over.
fn arc(t: Ticket) -> Arc<JobTicket> {
    Arc::new(t.into())
}

/// Ticket `n` finished, as a run of job DM1 version v2 with two parameters and a
/// target: what run again starts anew.
fn runnable_again(app: &mut App, n: usize) -> Reaction {
    let mut t = ticket(n, Status::Succeed, &format!("job{n}"), 600);
    t.document_id = Some("DM1".into());
    t.document_version = Some("v2".into());
    t.parameters = serde_json::from_value(serde_json::json!([
        {"key": "service", "value": "nginx"},
        {"key": "mode", "value": "rolling"}
    ]))
    .unwrap();
    t.target_parameter_name = Some("hosts".into());
    t.targets = serde_json::from_value(serde_json::json!([
        {"key": "InstanceValues", "values": [{"resource_id": "r-1"}]}
    ]))
    .unwrap();
    snapshot(app, t)
}

/// Ticket `n` named `job{n}`, started `started_secs_ago`, as data to poll.
fn job(n: usize, status: Status, started_secs_ago: u64) -> Arc<JobTicket> {
    Arc::new(ticket(n, status, &format!("job{n}"), started_secs_ago).into())
}

/// A poll of `t` at `at`.
fn snap_at(app: &mut App, t: &Arc<JobTicket>, at: SystemTime) -> Reaction {
    update(
        app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            id: t.reference().unwrap(),
            ticket: t.clone(),
            at,
        })),
    )
}

fn tick(app: &mut App, at: SystemTime) -> Reaction {
    update(app, Message::Tick(at))
}

/// The steps of ticket `n` arrive.
fn steps_arrive(app: &mut App, n: usize, steps: Vec<crate::coc::Step>) -> Reaction {
    update(
        app,
        Message::Engine(Update::Reply(Reply::Steps {
            id: id(n),
            result: Ok(steps),
            at: app.now,
        })),
    )
}

/// The first page of a list, as the engine is asked for it.
pub(super) fn first_page() -> crate::watch::PageAt {
    crate::watch::PageAt {
        cursor: crate::watch::Cursor::Offset(0),
        limit: 100,
    }
}

/// The first and only page of the hosts of step 301 of ticket 0 arrives.
fn hosts_arrive(app: &mut App, hosts: Vec<crate::coc::Instance>) -> Reaction {
    update(
        app,
        Message::Engine(Update::Reply(Reply::Instances {
            id: id(0),
            step_id: "301".into(),
            page: first_page(),
            result: Ok(crate::coc::Page {
                total: Some(hosts.len() as i64),
                data: hosts,
            }),
            at: app.now,
        })),
    )
}

/// A host of step 301 named `name`, in `status`, that printed `output`.
fn output_host(name: &str, status: &str, output: &str) -> crate::coc::Instance {
    serde_json::from_value(serde_json::json!({
        "execution_instance_id": format!("EX0000-{name}"),
        "execution_step_id": "301",
        "status": status,
        "message": output,
        "properties": {"name": name, "fixed_ip": "10.0.0.7"},
    }))
    .unwrap()
}

/// Step 301, `restart`, failed with `exit code 1`.
fn failed_step() -> crate::coc::Step {
    crate::coc::Step {
        execution_step_id: Some("301".into()),
        name: Some("restart".into()),
        status: Some(Status::Failed),
        message: Some("exit code 1".into()),
        ..Default::default()
    }
}

fn press(app: &mut App, code: KeyCode) -> Reaction {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(app: &mut App, c: char) -> Reaction {
    press(app, KeyCode::Char(c))
}

fn ctrl(app: &mut App, c: char) -> Reaction {
    update(
        app,
        Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) -> Reaction {
    update(
        app,
        Message::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    )
}

fn selected(app: &App) -> String {
    app.selected().expect("a selection").id.to_string()
}

fn selected_ref(app: &App) -> TicketRef {
    app.selected().expect("a selection").id.clone()
}

fn shown_ids(app: &App) -> Vec<String> {
    (0..app.visible_len())
        .map(|i| app.visible(i).unwrap().id.to_string())
        .collect()
}

fn engine(command: Command) -> Action {
    Action::Engine(command)
}

/// The `Operate` commands among the actions.
fn operations(out: &Reaction) -> Vec<(TicketRef, crate::coc::JobOperation)> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Engine(Command::Operate { id, operation }) => Some((id.clone(), *operation)),
            _ => None,
        })
        .collect()
}

/// Ticket 0 failed, 1 runs, 2 is pending (paused), 3 succeeded.
fn mixed() -> App {
    app_with(4, |i| {
        let status = [
            Status::Failed,
            Status::Running,
            Status::Pending,
            Status::Succeed,
        ][i]
            .clone();
        ticket(i, status, &format!("job{i}"), 600)
    })
}

fn mixed_statuses() -> [Status; 5] {
    [
        Status::Pending,
        Status::Running,
        Status::Failed,
        Status::Succeed,
        Status::Unknown("Paused".into()),
    ]
}

fn browse_page(app: &mut App, tickets: Vec<Ticket>) -> Reaction {
    let Some(Action::Engine(Command::Browse {
        generation, page, ..
    })) = press(app, KeyCode::Char('b')).actions.pop()
    else {
        panic!("b asks the engine for the first page");
    };
    let listed = crate::watch::Listed {
        total: Some(tickets.len() as i64),
        rows: tickets.into_iter().map(JobTicket::from).collect(),
        next_marker: None,
    };
    update(
        app,
        Message::Engine(Update::Reply(Reply::BrowsePage {
            generation,
            kind: crate::coc::TicketKind::Execution,
            page,
            result: Ok(listed),
            at: app.now,
        })),
    )
}

fn select_id(app: &mut App, want: &str) {
    ch(app, 'g');
    while selected(app) != want {
        assert!(ch(app, 'j').redraw, "{want} not in the list");
    }
}

/// Tickets 0..4 of `mixed()`, the odd ones staging's (a region and an accent of its
/// own), the even ones prod's.
fn two_profiles(app: App) -> App {
    two_profiles_with(app, None)
}

/// `two_profiles`, staging's operations off when `staging_read_only` says why.
fn two_profiles_with(app: App, staging_read_only: Option<&str>) -> App {
    let destination = |profile: &str, region: &str| crate::operate::Destination {
        profile: profile.into(),
        endpoint: region.into(),
        account: None,
    };
    let watch: Vec<WatchEntry> = (0..5)
        .map(|i| WatchEntry {
            profile: Some(if i % 2 == 1 { "staging" } else { "prod" }.into()),
            ..WatchEntry::unlabelled(id(i))
        })
        .collect();
    let looks = vec![
        ProfileLook {
            accent: None,
            region: Some("cn-north-4".into()),
            read_only: None,
        },
        ProfileLook {
            accent: Some(ratatui::style::Color::Magenta),
            region: Some("ap-southeast-1".into()),
            read_only: staging_read_only.map(str::to_string),
        },
    ];
    let destinations = vec![
        destination("prod", "cn-north-4"),
        destination("staging", "ap-southeast-1"),
    ];
    app.with_profiles(Profiles::new(destinations, &watch, &[]).with_looks(looks))
}

mod browse;
mod clock;
mod commands;
mod compare;
mod engine_updates;
mod filter_and_sort;
mod handover;
mod keys;
mod navigation;
mod operations;
mod output;
mod redraw_model;
mod redraws;
mod remembered;
mod selection_held;
mod watchlist;
