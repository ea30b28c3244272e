//! One full dashboard frame with 10,000 tickets at 200x50 (budget: under 1 ms), the
//! cost of `update` at that scale: re-sorting, and one poll result arriving; key presses
//! with a huge ticket, 10,000 hosts, a megabyte of one host's output or a script
//! host's 1 MB output open.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use coctop::app::{Action, App, AppInit, Message, Reaction, update};
use coctop::coc::{Auth, Client, ClientConfig, Endpoint, ScriptHost, ScriptHostQuery};
use coctop::coc::{ExecutionType, JobTicket, KeyValue, Page, Status, Step, Ticket, TicketRef};
use coctop::config::WatchEntry;
use coctop::i18n::Lang;
use coctop::sim::{self, SimOptions};
use coctop::watch::{Command, Cursor, PageAt, Reply, ScriptProgress, TicketUpdate, Update};

const TICKETS: usize = 10_000;
const NOW: u64 = 1_751_378_400;

/// A 200x50 dashboard watching `ids`, nothing polled yet.
fn watching(ids: &[String]) -> App {
    let mut app = App::new(AppInit {
        lang: Lang::En,
        endpoint: "https://coc.myhuaweicloud.com".into(),
        watch: ids
            .iter()
            .map(|id| WatchEntry::unlabelled(TicketRef::parse(id).unwrap()))
            .collect(),
        color: true,
        now: UNIX_EPOCH + Duration::from_secs(NOW),
    });
    update(
        &mut app,
        Message::Resize {
            width: 200,
            height: 50,
        },
    );
    app
}

fn dashboard(selected: usize) -> App {
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let ids: Vec<String> = (0..TICKETS)
        .map(|i| format!("EX2025070112000001{i:06}"))
        .collect();
    let mut app = watching(&ids);
    let statuses = [
        Status::Succeed,
        Status::Running,
        Status::Failed,
        Status::Pending,
        Status::Canceled,
        Status::Timeout,
    ];
    for (i, id) in ids.iter().enumerate() {
        let mut t = Ticket::empty(id.clone());
        let status = statuses[i % statuses.len()].clone();
        let started = NOW - 60 * (i as u64 % 600);
        t.start_time = Some((started * 1000) as i64);
        if status.is_terminal() {
            t.end_time = Some(((started + 45) * 1000) as i64);
        }
        t.update_time = t.start_time;
        t.status = Some(status);
        t.document_name = Some(format!("job-{}", i % 97).into());
        t.creator = Some(format!("user{}", i % 13).into());
        t.execution_type = Some(ExecutionType::Normal);
        t.parameters = vec![KeyValue {
            key: "region".into(),
            value: "cn-north-4".into(),
        }];
        let env = ["prod", "staging", "dev"][i % 3];
        t.tags = vec![
            KeyValue {
                key: "env".into(),
                value: env.into(),
            },
            KeyValue {
                key: "team".into(),
                value: format!("team-{}", i % 7).into(),
            },
        ];
        update(
            &mut app,
            Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
                id: TicketRef::parse(id).unwrap(),
                ticket: Arc::new(JobTicket::from(t)),
                at: now - Duration::from_secs(3),
            })),
        );
    }
    for _ in 0..selected {
        key(&mut app, KeyCode::Down);
    }
    app
}

fn key(app: &mut App, code: KeyCode) -> Reaction {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn render(c: &mut Criterion) {
    let first = dashboard(0);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    c.bench_function("frame_200x50_10k_tickets", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(&first)))
                .unwrap();
        })
    });

    // Every frame differs from the last (another selection, scrolled list): the
    // terminal's diff has real work to do.
    let second = dashboard(60);
    let mut flip = false;
    c.bench_function("changing_frame_200x50_10k_tickets", |b| {
        b.iter(|| {
            flip = !flip;
            let app = if flip { &first } else { &second };
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(app)))
                .unwrap();
        })
    });

    let mut app = dashboard(0);
    c.bench_function("update_sort_key_10k_tickets", |b| {
        b.iter(|| key(&mut app, KeyCode::Char('s')))
    });

    // One poll result arriving, as the engine sends thousands a second at this scale:
    // a running ticket's update time moves, its status stays.
    let mut app = dashboard(0);
    let running = app
        .tickets()
        .iter()
        .find(|t| t.status() == Some(Status::Running.into()))
        .and_then(|t| t.ticket.clone())
        .expect("a running ticket");
    let at = UNIX_EPOCH + Duration::from_secs(NOW);
    c.bench_function("engine_snapshot_10k_tickets", |b| {
        b.iter(|| {
            let mut ticket = running.as_execution().unwrap().clone();
            ticket.update_time = ticket.update_time.map(|t| t + 1000);
            update(
                &mut app,
                Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
                    id: TicketRef::parse(&ticket.execution_id).unwrap(),
                    ticket: Arc::new(JobTicket::from(ticket)),
                    at,
                })),
            )
        })
    });
}

/// A key press with a ticket of 50,000 parameters open: `update` and the frame after it
/// (budget: under 16 ms).
fn key_press_with_a_huge_ticket_open(c: &mut Criterion) {
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let id = "EX2025070112000001000000".to_string();
    let mut app = watching(std::slice::from_ref(&id));
    let mut ticket = Ticket::empty(id.clone());
    ticket.status = Some(Status::Running);
    ticket.parameters = (0..50_000)
        .map(|k| KeyValue {
            key: format!("parameter_{k}").into(),
            value: format!("value number {k}").into(),
        })
        .collect();
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            id: TicketRef::parse(&id).unwrap(),
            ticket: Arc::new(JobTicket::from(ticket)),
            at: now,
        })),
    );
    key(&mut app, KeyCode::Enter);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    scroll_and_draw(
        c,
        "key_and_frame_50k_parameters_open",
        &mut app,
        &mut terminal,
    );
}

/// One key (down and up in turn, so every frame differs from the last), then its frame.
fn scroll_and_draw(
    c: &mut Criterion,
    name: &str,
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
) {
    let mut down = true;
    c.bench_function(name, |b| {
        b.iter(|| {
            down = !down;
            key(app, if down { KeyCode::Down } else { KeyCode::Up });
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(&*app)))
                .unwrap();
        })
    });
}

/// A dashboard zoomed on a running BATCH ticket, the hosts of its step open and every
/// page of `hosts` (100 a page) arrived.
fn hosts_open(hosts: Vec<serde_json::Value>) -> App {
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let id = "EX2025070112000001000000".to_string();
    let mut app = watching(std::slice::from_ref(&id));
    let mut ticket = Ticket::empty(id.clone());
    ticket.status = Some(Status::Running);
    ticket.execution_type = Some(ExecutionType::Batch);
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            id: TicketRef::parse(&id).unwrap(),
            ticket: Arc::new(JobTicket::from(ticket)),
            at: now,
        })),
    );
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('4'));
    let step = Step {
        execution_step_id: Some("101".into()),
        name: Some("run script".into()),
        status: Some(Status::Running),
        ..Step::default()
    };
    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Steps {
            id: TicketRef::parse(&id).unwrap(),
            result: Ok(vec![step]),
            at: now,
        })),
    );
    key(&mut app, KeyCode::Enter);
    let total = hosts.len();
    for (page, chunk) in hosts.chunks(100).enumerate() {
        let data = chunk
            .iter()
            .map(|host| serde_json::from_value(host.clone()).unwrap())
            .collect();
        update(
            &mut app,
            Message::Engine(Update::Reply(Reply::Instances {
                id: TicketRef::parse(&id).unwrap(),
                step_id: "101".into(),
                page: PageAt {
                    cursor: Cursor::Offset((page * 100) as u32),
                    limit: 100,
                },
                result: Ok(Page {
                    data,
                    total: Some(total as i64),
                }),
                at: now,
            })),
        );
        key(&mut app, KeyCode::End);
    }
    assert_eq!(app.hosts().map(|h| h.instances().len()), Some(total));
    app
}

/// A key press with the hosts of a step open, 10,000 of them paged in (budget: under
/// 16 ms for `update` and the frame after it), and `x` opening the actions menu on it.
fn key_press_with_10k_hosts_open(c: &mut Criterion) {
    const HOSTS: usize = 10_000;
    let statuses = ["Succeed", "Succeed", "Running", "Failed", "Pending"];
    let hosts = (0..HOSTS)
        .map(|n| {
            serde_json::json!({
                "id": n, "status": statuses[n % statuses.len()],
                "message": "exit code 1",
                "properties": {"name": format!("host-{n:05}"), "fixed_ip": "10.0.0.1", "batch_index": n / 1000 + 1},
            })
        })
        .collect();
    let mut app = hosts_open(hosts);
    key(&mut app, KeyCode::Home);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    scroll_and_draw(c, "key_and_frame_10k_hosts_open", &mut app, &mut terminal);
    c.bench_function("actions_menu_open_and_close_with_frames", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Char('x'));
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(&app)))
                .unwrap();
            key(&mut app, KeyCode::Esc);
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(&app)))
                .unwrap();
        })
    });
}

/// A megabyte of one host's output open in the pager (budget: under 16 ms for a key
/// press and the frame after it): scrolling cut and wrapped, a search and `n`, and
/// opening it with Enter.
fn key_press_with_1mb_output_open(c: &mut Criterion) {
    let mut output = String::new();
    let mut n = 0;
    while output.len() < 1_000_000 {
        n += 1;
        let line = match n % 50 {
            0 => format!("\u{1b}[31mERROR\u{1b}[0m step {n}: disk full\ttry {n}\r\n"),
            7 => format!(
                "progress {n}%\rprogress {}% 数据库 {}\n",
                n + 1,
                "x".repeat(300)
            ),
            _ => format!("[{n:06}] INFO rotating /var/log/app/{n}.log: done in {n} ms\n"),
        };
        output.push_str(&line);
    }
    let host = serde_json::json!({
        "id": 1, "status": "Failed", "message": output,
        "properties": {"name": "web-01", "fixed_ip": "10.0.0.1"},
    });
    let mut app = hosts_open(vec![host]);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    c.bench_function("open_and_close_1mb_output_with_frames", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Enter);
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(&app)))
                .unwrap();
            key(&mut app, KeyCode::Esc);
        })
    });
    key(&mut app, KeyCode::Enter);
    assert!(app.output().is_some_and(|o| o.raw().len() >= 1_000_000));
    key(&mut app, KeyCode::PageDown);
    scroll_and_draw(c, "key_and_frame_1mb_output_open", &mut app, &mut terminal);
    key(&mut app, KeyCode::Char('z'));
    scroll_and_draw(
        c,
        "key_and_frame_1mb_output_wrapped",
        &mut app,
        &mut terminal,
    );
    c.bench_function("end_and_home_1mb_output_wrapped_with_frames", |b| {
        b.iter(|| {
            for code in [KeyCode::End, KeyCode::Home] {
                key(&mut app, code);
                terminal
                    .draw(|frame| coctop::ui::draw(frame, black_box(&app)))
                    .unwrap();
            }
        })
    });
    c.bench_function("search_1mb_output_with_frame", |b| {
        b.iter(|| {
            for code in "/error".chars().map(KeyCode::Char).chain([KeyCode::Enter]) {
                key(&mut app, code);
            }
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(&app)))
                .unwrap();
        })
    });
    c.bench_function("next_match_1mb_output_wrapped_with_frame", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Char('n'));
            terminal
                .draw(|frame| coctop::ui::draw(frame, black_box(&app)))
                .unwrap();
        })
    });
}

/// A key typed on the list's filter line with a tag filter in it, 10,000 tickets: the
/// list filters every ticket again and a 200x50 frame is drawn. Two presses an
/// iteration (a letter that makes the tag match nothing, then Backspace).
fn key_press_with_a_tag_filter_typed(c: &mut Criterion) {
    let mut app = dashboard(0);
    key(&mut app, KeyCode::Char('/'));
    for ch in "env=prod team=team-3".chars() {
        key(&mut app, KeyCode::Char(ch));
    }
    assert!(app.visible_len() > 0 && app.visible_len() < TICKETS / 10);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    c.bench_function("two_key_presses_tag_filter_10k_tickets", |b| {
        b.iter(|| {
            for code in [KeyCode::Char('x'), KeyCode::Backspace] {
                key(&mut app, code);
                terminal
                    .draw(|frame| coctop::ui::draw(frame, black_box(&app)))
                    .unwrap();
            }
        })
    });
}

/// A key press with the simulator's largest host output (about 1 MB, many lines, some
/// long, non-ASCII and escape sequences) open in the output pager of a script ticket's
/// batch host: `update` and the frame after it (budget: under 16 ms).
fn key_press_with_a_1mb_host_output_open(c: &mut Criterion) {
    let runtime = coctop::cmd::runtime().unwrap();
    let (ticket, progress, batch_index, hosts) = runtime.block_on(async {
        let sim = sim::start(([127, 0, 0, 1], 0).into(), SimOptions::default())
            .await
            .unwrap();
        let config = ClientConfig::new(Endpoint::from_url(&sim.base_url()).unwrap(), Auth::None);
        let client = Client::new(config).unwrap();
        let mut largest: Option<(usize, String, u32, Page<ScriptHost>)> = None;
        for uuid in sim.script_ticket_ids() {
            let batches = client.list_script_batches(&uuid).await.unwrap();
            for batch in &batches {
                let index = batch.batch_index.unwrap();
                let query = ScriptHostQuery::default();
                let page = client
                    .list_script_hosts(&uuid, index, &query)
                    .await
                    .unwrap();
                let size = page
                    .data
                    .iter()
                    .filter_map(|h| h.message.as_ref())
                    .map(String::len)
                    .max()
                    .unwrap_or(0);
                if largest.as_ref().is_none_or(|(s, ..)| size > *s) {
                    largest = Some((size, uuid.clone(), index, page));
                }
            }
        }
        let (size, uuid, index, hosts) = largest.unwrap();
        assert!(
            size > 900_000,
            "a host output of about 1 MB, not {size} bytes"
        );
        let ticket = client.get_script_ticket(&uuid).await.unwrap();
        let progress = ScriptProgress {
            statistics: client.script_statistics(&uuid).await.unwrap(),
            batches: client.list_script_batches(&uuid).await.unwrap(),
        };
        sim.stop().await;
        (ticket, progress, index, hosts)
    });
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let id = TicketRef::script(&ticket.execute_uuid).unwrap();
    let mut app = watching(&[id.to_string()]);
    update(
        &mut app,
        Message::Engine(Update::Ticket(TicketUpdate::Snapshot {
            id: id.clone(),
            ticket: Arc::new(JobTicket::from(ticket)),
            at: now,
        })),
    );
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('2'));
    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Progress {
            id: id.clone(),
            result: Ok(progress),
            at: now,
        })),
    );
    for _ in 1..batch_index {
        key(&mut app, KeyCode::Down);
    }
    let page = key(&mut app, KeyCode::Enter)
        .actions
        .into_iter()
        .find_map(|action| match action {
            Action::Engine(Command::FetchBatchHosts { page, .. }) => Some(page),
            _ => None,
        })
        .expect("the batch's hosts asked for");
    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::BatchHosts {
            id,
            batch_index,
            page,
            result: Ok(hosts),
            at: now,
        })),
    );
    let shown = app.hosts().unwrap().script_hosts().to_vec();
    let size = |h: &ScriptHost| h.message.as_ref().map_or(0, String::len);
    let at = (0..shown.len()).max_by_key(|&i| size(&shown[i])).unwrap();
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let output = app.output().expect("the output open in the pager");
    assert!(output.raw().len() > 900_000, "{} bytes", output.raw().len());
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    scroll_and_draw(
        c,
        "key_and_frame_1mb_host_output_open",
        &mut app,
        &mut terminal,
    );
}

criterion_group!(
    benches,
    render,
    key_press_with_a_tag_filter_typed,
    key_press_with_a_huge_ticket_open,
    key_press_with_10k_hosts_open,
    key_press_with_1mb_output_open,
    key_press_with_a_1mb_host_output_open
);
criterion_main!(benches);
