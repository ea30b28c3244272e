//! The dashboard drawn on ratatui's `TestBackend`, from states built through `update`.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;

use coctop::app::{Action, App, AppInit, Message, UiSettings, update};
use coctop::coc::{
    ApiError, ExecutionType, JobTicket, KeyValue, RawJson, ScriptBatch, ScriptOperation,
    ScriptStatus, ScriptTicket, Status, Step, Target, Targets, Ticket, TicketKind, TicketRef,
};
use coctop::config::WatchEntry;
use coctop::config::look::ColumnChoice;
use coctop::config::look::{Role, ThemeName};
use coctop::format::Zone;
use coctop::i18n::{Lang, Msg};
use coctop::watch::{Command, Reply, ScriptProgress, TicketUpdate, Update};

/// 2025-07-01 14:00:00 UTC.
const NOW_SECS: u64 = 1_751_378_400;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

/// Epoch milliseconds `minutes` before `now()`.
fn ago(minutes: u64) -> i64 {
    ((NOW_SECS - minutes * 60) * 1000) as i64
}

fn id(n: u32) -> TicketRef {
    TicketRef::execution(&format!("EX20250701120000010000{n:02}")).unwrap()
}

fn ticket(n: u32, status: Status, name: &str, started_min_ago: u64) -> Ticket {
    let mut t = Ticket::empty(id(n).id());
    t.id = Some(n.to_string());
    t.status = Some(status.clone());
    t.document_name = Some(name.to_string());
    t.document_id = Some(format!("DM20250701000000{n:02}"));
    t.document_version = Some("v2".into());
    t.document_version_id = Some(format!("573634e7-5e69-4b4b-b4a1-{n:012}"));
    t.execution_type = Some(ExecutionType::Normal);
    t.creator = Some("alice".into());
    t.start_time = Some(ago(started_min_ago));
    if status.is_terminal() {
        t.end_time = Some(ago(started_min_ago.saturating_sub(7)));
    }
    t.update_time = Some(ago(started_min_ago.saturating_sub(7)));
    t
}

fn http_error() -> ApiError {
    ApiError::Http {
        status: 500,
        error_code: Some("COC.00040709".into()),
        error_msg: Some("internal error while reading execution".into()),
        request_id: Some("b7f3c1de-0a5e-4c59-9d1a-2f6e1d3c4b5a".into()),
        excerpt: None,
        retry_after: None,
    }
}

fn app_with(tickets: Vec<(Option<&str>, Option<Ticket>)>) -> App {
    app_in(Lang::En, tickets)
}

fn app_in(lang: Lang, tickets: Vec<(Option<&str>, Option<Ticket>)>) -> App {
    let tickets = tickets
        .into_iter()
        .enumerate()
        .map(|(i, (label, t))| {
            let at = t.as_ref().map_or_else(
                || id(90 + i as u32),
                |t| TicketRef::execution(&t.execution_id).unwrap(),
            );
            (label, at, t.map(JobTicket::from))
        })
        .collect();
    watching(lang, tickets)
}

/// A dashboard watching `tickets` (of either kind), each polled once unless `None`.
fn watching(lang: Lang, tickets: Vec<(Option<&str>, TicketRef, Option<JobTicket>)>) -> App {
    let watch = tickets
        .iter()
        .map(|(label, id, _)| WatchEntry {
            id: id.clone(),
            label: label.map(str::to_string),
            profile: None,
        })
        .collect();
    let mut app = App::new(AppInit {
        lang,
        endpoint: "cn-north-4".into(),
        watch,
        color: true,
        now: now(),
    });
    app.zone = Zone::UTC;
    for (_, id, t) in tickets {
        if let Some(t) = t {
            let status = t.status().unwrap();
            send(
                &mut app,
                Update::Ticket(TicketUpdate::Transition {
                    id: id.clone(),
                    from: None,
                    to: status,
                    at: now() - Duration::from_secs(600),
                }),
            );
            send(
                &mut app,
                Update::Ticket(TicketUpdate::Snapshot {
                    id,
                    ticket: Arc::new(t),
                    at: now() - Duration::from_secs(4),
                }),
            );
        }
    }
    app
}

fn send(app: &mut App, update_msg: Update) {
    update(app, Message::Engine(update_msg));
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// A dashboard of every status, an unknown one, a CJK name, a ticket still loading and
/// one whose last poll failed.
fn mixed() -> App {
    mixed_in(Lang::En)
}

fn mixed_in(lang: Lang) -> App {
    let mut running = ticket(2, Status::Running, "patch-kernel", 12);
    running.execution_type = Some(ExecutionType::Batch);
    running.creator = Some("bob".into());
    running.parameters = vec![
        KeyValue {
            key: "region".into(),
            value: "cn-north-4".into(),
        },
        KeyValue {
            key: "batch_size".into(),
            value: "10".into(),
        },
        KeyValue {
            key: "script".into(),
            value: "yum update -y kernel && reboot".into(),
        },
    ];
    running.tags = vec![KeyValue {
        key: "team".into(),
        value: "sre".into(),
    }];
    running.sys_tags = vec![KeyValue {
        key: "_sys_enterprise_project_id".into(),
        value: "0".into(),
    }];
    running.target_parameter_name = Some("instance_ids".into());
    running.targets = Some(Targets::new(&[Target {
        key: "InstanceValues".into(),
        values: [
            serde_json::json!({"id": "i-0a1b2c", "name": "web-01", "region": "cn-north-4"}),
            serde_json::json!({"id": "i-3d4e5f", "name": "web-02", "region": "cn-north-4"}),
            serde_json::json!("i-plain-string"),
        ]
        .iter()
        .map(RawJson::from_value)
        .collect(),
    }]));
    running.description = Some("Monthly kernel patching\nsecond line of notes".into());
    let mut rate = ticket(3, Status::Succeed, "rotate-certs", 190);
    rate.execution_type = Some(ExecutionType::RateControl);
    rate.creator = Some("carol".into());
    let mut app = app_in(
        lang,
        vec![
            (
                Some("DB failover drill"),
                Some(ticket(1, Status::Failed, "db-failover", 40)),
            ),
            (None, Some(running)),
            (None, Some(rate)),
            (None, Some(ticket(4, Status::Pending, "drain-node", 2))),
            (None, Some(ticket(5, Status::Canceled, "resize-disk", 300))),
            (None, Some(ticket(6, Status::Timeout, "backup-rds", 95))),
            (None, Some(ticket(7, Status::Canceling, "scale-in", 5))),
            (
                None,
                Some(ticket(8, Status::Unknown("Paused".into()), "odd-one", 30)),
            ),
            (
                Some("数据库切换演练"),
                Some(ticket(9, Status::Succeed, "db-switch", 61)),
            ),
            (Some("not fetched yet"), None),
        ],
    );
    send(
        &mut app,
        Update::Ticket(TicketUpdate::Transition {
            id: id(2),
            from: Some(Status::Pending.into()),
            to: Status::Running.into(),
            at: now() - Duration::from_secs(300),
        }),
    );
    send(
        &mut app,
        Update::Ticket(TicketUpdate::Error {
            id: id(2),
            error: http_error(),
            last_good: None,
            at: now() - Duration::from_secs(2),
        }),
    );
    app
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| coctop::ui::draw(frame, app)).unwrap();
    terminal
}

fn resized(mut app: App, width: u16, height: u16) -> App {
    update(&mut app, Message::Resize { width, height });
    app
}

fn screen(app: &App, width: u16, height: u16) -> String {
    render(app, width, height).backend().to_string()
}

fn buffer(app: &App, width: u16, height: u16) -> Buffer {
    render(app, width, height).backend().buffer().clone()
}

/// Selects the running ticket (third by urgency) and zooms into it on `tab`.
fn zoomed_on_running(tab: char) -> App {
    zoomed_in(Lang::En, tab)
}

fn zoomed_in(lang: Lang, tab: char) -> App {
    let mut app = resized(mixed_in(lang), 80, 24);
    keys(&mut app, "jj");
    assert_eq!(app.selected().unwrap().id, id(2));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char(tab));
    app
}

#[test]
fn list_at_80x24_with_every_status() {
    let app = resized(mixed(), 80, 24);
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn wide_terminal_shows_every_column_and_the_pane_beside() {
    let app = resized(mixed(), 160, 24);
    insta::assert_snapshot!(screen(&app, 160, 24));
}

#[test]
fn tags_column_where_the_config_puts_it() {
    let columns = ["status", "tags:22", "name:16", "took"]
        .iter()
        .map(|name| ColumnChoice::parse(name).unwrap())
        .collect();
    let settings = UiSettings {
        columns,
        ..UiSettings::default()
    };
    let app = resized(mixed().with_settings(settings), 80, 24);
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("TAGS"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn parameters_tab() {
    insta::assert_snapshot!(screen(&zoomed_on_running('1'), 80, 24));
}

#[test]
fn tags_tab() {
    insta::assert_snapshot!(screen(&zoomed_on_running('2'), 80, 24));
}

#[test]
fn targets_tab() {
    insta::assert_snapshot!(screen(&zoomed_on_running('3'), 80, 24));
}

#[test]
fn steps_tab_loading_then_loaded() {
    let mut app = zoomed_on_running('4');
    insta::assert_snapshot!("steps_tab_loading", screen(&app, 80, 24));
    let step = |n: u32, status: Status, name: &str, started: u64, ended: Option<u64>| Step {
        execution_step_id: Some(format!("step-{n}")),
        action: Some("hwc:runcommand".into()),
        name: Some(name.into()),
        status: Some(status),
        message: Some(if n == 2 { "exit code 1\non web-02" } else { "" }.into()),
        start_time: Some(ago(started)),
        end_time: ended.map(ago),
        ..Step::default()
    };
    send(
        &mut app,
        Update::Reply(Reply::Steps {
            id: id(2),
            result: Ok(vec![
                step(1, Status::Succeed, "download patches", 12, Some(10)),
                step(2, Status::Running, "install kernel", 10, None),
                step(3, Status::Pending, "reboot", 10, None),
            ]),
            at: now(),
        }),
    );
    insta::assert_snapshot!("steps_tab_loaded", screen(&app, 80, 24));
}

#[test]
fn history_tab() {
    insta::assert_snapshot!(screen(&zoomed_on_running('5'), 80, 24));
}

#[test]
fn error_ticket_shows_code_message_and_request_id() {
    let app = zoomed_on_running('1');
    let text = screen(&app, 80, 24);
    assert!(text.contains("COC.00040709 (HTTP 500)"));
    assert!(text.contains("internal error while reading execution"));
    assert!(text.contains("b7f3c1de-0a5e-4c59-9d1a-2f6e1d3c4b5a"));
    insta::assert_snapshot!(text);
}

#[test]
fn help_overlay() {
    let mut app = resized(mixed(), 80, 24);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app, 80, 24));
}

/// The whole help, down to the legend's last line and the box's bottom, fits 80×24 in
/// each language.
#[test]
fn the_whole_help_fits_80x24_in_each_language() {
    for lang in [Lang::En, Lang::Zh] {
        let mut app = resized(mixed_in(lang), 80, 24);
        key(&mut app, KeyCode::Char('?'));
        let text = screen(&app, 80, 24);
        let last = lang.t(coctop::i18n::Msg::LegendMarkers);
        let last_line = text.lines().find(|l| l.contains("! ~ ≈"));
        assert!(last_line.is_some_and(|l| l.contains(&*last)), "{text}");
        assert!(text.contains('└'), "{text}");
    }
}

#[test]
fn filter_being_typed() {
    let mut app = resized(mixed(), 80, 24);
    key(&mut app, KeyCode::Char('/'));
    keys(&mut app, "DB");
    let text = screen(&app, 80, 24);
    assert!(text.contains("2 shown"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn empty_config_explains_what_to_do() {
    let app = resized(app_with(vec![]), 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("no tickets watched: add [[watch]] or [[query]] entries"));
    insta::assert_snapshot!(text);
}

#[test]
fn narrow_terminal_40x12() {
    let app = resized(mixed(), 40, 12);
    insta::assert_snapshot!(screen(&app, 40, 12));
}

#[test]
fn no_color_uses_no_colour_at_all() {
    let mut app = resized(mixed(), 80, 24);
    let coloured = buffer(&app, 80, 24);
    let has_colour = |b: &Buffer| {
        b.content
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(has_colour(&coloured), "the coloured theme shows colour");

    app.init.color = false;
    let mono = buffer(&app, 80, 24);
    assert!(!has_colour(&mono), "NO_COLOR: no cell has a colour");
    // Same text either way: glyphs carry the meaning, not colour.
    assert_eq!(
        render(&app, 80, 24).backend().to_string(),
        screen(&resized(mixed(), 80, 24), 80, 24)
    );
    key(&mut app, KeyCode::Char('?'));
    assert!(
        !has_colour(&buffer(&app, 80, 24)),
        "help has no colour either"
    );
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn wide_characters_keep_the_columns_aligned() {
    let app = resized(mixed(), 80, 40);
    let buf = buffer(&app, 80, 40);
    assert!(screen(&app, 80, 40).contains("数据库切换演练"));
    let rows = coctop::app::layout::screen(buf.area, false).rows;
    // The execution ID column starts at the same cell on every ticket row.
    let columns: Vec<u16> = (rows.top()..rows.bottom())
        .filter_map(|y| {
            let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            let at = row.find("EX2025")?;
            // Cells before the match: count symbols, not bytes.
            let cells = (0..buf.area.width)
                .scan(0usize, |bytes, x| {
                    let here = *bytes;
                    *bytes += buf[(x, y)].symbol().len();
                    Some((x, here))
                })
                .find(|&(_, bytes)| bytes == at)?;
            Some(cells.0)
        })
        .collect();
    assert_eq!(columns.len(), 10, "{columns:?}");
    assert!(columns.iter().all(|&x| x == columns[0]), "{columns:?}");
}

#[test]
fn server_text_reaches_the_screen_sanitised() {
    let mut evil = ticket(1, Status::Running, "\x1b]0;pwned\x07job\x1b[31m-red", 3);
    evil.creator = Some("mallory\u{202e}txt.exe".into());
    evil.description = Some("line\x1b[2Jone\r\nline two\u{200b}".into());
    evil.parameters = vec![KeyValue {
        key: "cmd\x1b[1A".into(),
        value: "rm -rf /\x07\u{9b}31m".into(),
    }];
    let mut app = resized(app_with(vec![(None, Some(evil))]), 100, 30);
    key(&mut app, KeyCode::Enter);
    let buf = buffer(&app, 100, 30);
    let forbidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}')
    };
    for cell in buf.content.iter() {
        assert!(!cell.symbol().chars().any(forbidden), "{:?}", cell.symbol());
    }
    let text = screen(&app, 100, 30);
    assert!(text.contains("job-red"), "{text}");
    assert!(text.contains("by mallorytxt.exe"), "{text}");
    assert!(
        text.contains("rm -rf /31m") || text.contains("rm -rf /"),
        "{text}"
    );
}

#[test]
fn any_size_draws_without_panic() {
    let mut states = vec![mixed(), app_with(vec![])];
    let mut zoomed = mixed();
    key(&mut zoomed, KeyCode::Enter);
    key(&mut zoomed, KeyCode::Char('5'));
    states.push(zoomed);
    let mut help = mixed();
    key(&mut help, KeyCode::Char('?'));
    states.push(help);
    let mut filtering = mixed();
    key(&mut filtering, KeyCode::Char('/'));
    keys(&mut filtering, "数");
    states.push(filtering);

    let odd = [
        (1, 200),
        (300, 1),
        (2, 2),
        (500, 3),
        (3, 500),
        (140, 8),
        (139, 16),
    ];
    let sizes = (0..=30u16)
        .flat_map(|w| (0..=10u16).map(move |h| (w, h)))
        .chain(odd);
    for (width, height) in sizes {
        for app in &mut states {
            update(app, Message::Resize { width, height });
            render(app, width, height);
            // A frame drawn at a size other than the last Resize must not panic either.
            render(app, height, width);
        }
    }
}

#[test]
fn browse_view_with_a_filter_and_the_selection_beside() {
    let mut app = resized(mixed(), 120, 24);
    key(&mut app, KeyCode::Char('b'));
    key(&mut app, KeyCode::Char('/'));
    keys(&mut app, "status=Failed");
    key(&mut app, KeyCode::Enter);
    let page = coctop::watch::Listed {
        rows: [
            ticket(91, Status::Failed, "Rotate keys", 3),
            ticket(92, Status::Running, "filtered out on the client", 4),
            ticket(93, Status::Failed, "重启应用服务", 8),
        ]
        .into_iter()
        .map(JobTicket::from)
        .collect(),
        total: Some(3),
        next_marker: None,
    };
    // The filter reloaded the view: its second page request carries generation 2.
    send(
        &mut app,
        Update::Reply(Reply::BrowsePage {
            generation: 2,
            kind: coctop::coc::TicketKind::Execution,
            page: first_page(),
            result: Ok(page),
            at: now(),
        }),
    );
    key(&mut app, KeyCode::Down);
    let text = screen(&app, 120, 24);
    assert!(text.contains("browse: status=Failed · 2 of 3"), "{text}");
    assert!(!text.contains("filtered out"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn terminate_confirmation_names_action_id_job_and_status() {
    let mut app = zoomed_on_running('1');
    keys(&mut app, "x");
    insta::assert_snapshot!("actions_menu", screen(&app, 80, 24));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "termin");
    insta::assert_snapshot!("terminate_confirmation", screen(&app, 80, 24));
}

/// The running ticket's Steps tab with a failed step at the cursor.
fn on_a_failed_step(lang: Lang) -> App {
    let mut app = zoomed_in(lang, '4');
    let step = |n: u32, status: Status, message: &str| Step {
        execution_step_id: Some(format!("30{n}")),
        name: Some(format!("step {n}")),
        action: Some("coc:runScript".into()),
        status: Some(status),
        message: Some(message.into()),
        start_time: Some(ago(10)),
        end_time: Some(ago(9)),
        ..Step::default()
    };
    send(
        &mut app,
        Update::Reply(Reply::Steps {
            id: id(2),
            result: Ok(vec![
                step(1, Status::Succeed, ""),
                step(2, Status::Failed, "exit code 1 on web-03"),
            ]),
            at: now(),
        }),
    );
    key(&mut app, KeyCode::Char('j'));
    app
}

/// Enter on the failed step, and its hosts arrive.
fn hosts_arrive(app: &mut App) {
    key(app, KeyCode::Enter);
    let host = |n: u32, status: &str, batch: u32| {
        serde_json::from_value(serde_json::json!({
            "id": n, "status": status, "start_time": ago(10), "end_time": ago(9),
            "message": if status == "Failed" { "exit code 1" } else { "" },
            "properties": {"name": format!("web-{n:02}"), "fixed_ip": format!("10.0.0.{n}"), "batch_index": batch},
        }))
        .unwrap()
    };
    send(
        app,
        Update::Reply(Reply::Instances {
            id: id(2),
            step_id: "302".into(),
            page: first_page(),
            result: Ok(coctop::coc::Page {
                data: vec![
                    host(1, "Succeed", 1),
                    host(2, "Succeed", 1),
                    host(3, "Failed", 2),
                    host(4, "Canceled", 2),
                ],
                total: Some(4),
            }),
            at: now(),
        }),
    );
}

#[test]
fn hosts_of_a_failed_step_failed_first_with_counts() {
    let mut app = on_a_failed_step(Lang::En);
    insta::assert_snapshot!("steps_with_a_failed_step", screen(&app, 80, 24));
    hosts_arrive(&mut app);
    insta::assert_snapshot!("hosts_of_a_step", screen(&app, 80, 24));
}

#[test]
fn a_confirmation_always_shows_action_id_and_question_whatever_the_job_name() {
    let mut long = ticket(2, Status::Running, &"数据库".repeat(3_400), 12);
    long.execution_type = Some(ExecutionType::Batch);
    for (size, typed_word) in [((80, 24), true), ((60, 16), false)] {
        let mut app = resized(mixed(), size.0, size.1);
        send(
            &mut app,
            Update::Ticket(TicketUpdate::Snapshot {
                id: id(2),
                ticket: std::sync::Arc::new(long.clone().into()),
                at: now(),
            }),
        );
        keys(&mut app, "jj");
        key(&mut app, KeyCode::Enter);
        keys(&mut app, "x");
        if !typed_word {
            keys(&mut app, "j");
        }
        key(&mut app, KeyCode::Enter);
        let text = screen(&app, size.0, size.1);
        let question = if typed_word {
            "Type terminate"
        } else {
            "Send SKIP_BATCH?"
        };
        assert!(text.contains(question), "{text}");
        assert!(text.contains(&id(2).to_string()), "{text}");
        assert!(
            text.contains(if typed_word {
                "TERMINATE"
            } else {
                "SKIP_BATCH"
            }),
            "{text}"
        );
    }
}

fn first_page() -> coctop::watch::PageAt {
    coctop::watch::PageAt {
        cursor: coctop::watch::Cursor::Offset(0),
        limit: 100,
    }
}

#[test]
fn step_values_a_whole_failure_and_a_hosts_output_in_the_pager() {
    let mut app = resized(zoomed_on_running('4'), 100, 40);
    let pair = |key: &str, value: &str| KeyValue {
        key: key.into(),
        value: value.into(),
    };
    let failure = "exit code 1 on web-03\n\u{1b}[31mstderr:\u{1b}[0m disk /var is full, \
                   and this line is long enough to wrap at the edge of a 100-column screen, which it does here\n\
                   see the host output";
    let steps = vec![
        Step {
            execution_step_id: Some("301".into()),
            name: Some("prepare".into()),
            action: Some("coc:runScript".into()),
            status: Some(Status::Succeed),
            inputs: vec![pair("script", "df -h"), pair("timeout_seconds", "300")],
            outputs: vec![pair("exit_code", "0")],
            start_time: Some(ago(10)),
            end_time: Some(ago(9)),
            ..Step::default()
        },
        Step {
            execution_step_id: Some("302".into()),
            name: Some("clean up".into()),
            action: Some("coc:runScript".into()),
            status: Some(Status::Failed),
            message: Some(failure.into()),
            outputs: vec![pair("exit_code", "1")],
            start_time: Some(ago(9)),
            end_time: Some(ago(8)),
            ..Step::default()
        },
    ];
    send(
        &mut app,
        Update::Reply(Reply::Steps {
            id: id(2),
            result: Ok(steps),
            at: now(),
        }),
    );
    let text = screen(&app, 100, 40);
    assert!(text.contains("    in   script           df -h"), "{text}");
    assert!(text.contains("    out  exit_code        0"), "{text}");
    assert!(text.contains("    stderr: disk /var is full"), "{text}");
    assert!(text.contains("    see the host output"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    insta::assert_snapshot!("steps_with_values_and_a_whole_failure", text);
    // The failed step's rows: its line, its output, its message. Enter on any of them
    // opens its hosts.
    keys(&mut app, "jjjjjj");
    key(&mut app, KeyCode::Enter);
    let output = format!(
        "{}\u{1b}[2J\u{1b}]0;owned\u{7}ERROR: no space left on device\r\n\tretrying\nerror again\n",
        "checking /var\n".repeat(3)
    );
    let host = serde_json::from_value(serde_json::json!({
        "id": 7, "status": "Failed", "message": output,
        "properties": {"name": "web-03", "fixed_ip": "10.0.0.3"},
    }))
    .unwrap();
    send(
        &mut app,
        Update::Reply(Reply::Instances {
            id: id(2),
            step_id: "302".into(),
            page: first_page(),
            result: Ok(coctop::coc::Page {
                data: vec![host],
                total: Some(1),
            }),
            at: now(),
        }),
    );
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "/error");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 100, 40);
    assert!(
        text.contains("web-03 (10.0.0.3) · step clean up · Failed"),
        "{text}"
    );
    assert!(text.contains("ERROR: no space left on device"), "{text}");
    assert!(text.contains("        retrying"), "{text}");
    assert!(text.contains("\"error\" match 1 of 2"), "{text}");
    insta::assert_snapshot!("a_hosts_output_searched", text);
    let buf = buffer(&app, 100, 40);
    let row = (0..40)
        .find(|&y| {
            (0..100)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("ERROR: no")
        })
        .unwrap();
    assert_eq!(
        buf[(0, row)].bg,
        Color::Yellow,
        "the current match stands out"
    );
}

fn script_id(n: u32) -> TicketRef {
    TicketRef::script(&format!("JS20250701120000020000{n:02}")).unwrap()
}

/// A script ticket as its detail and a list row tell it together: running `script`
/// with three arguments, at batch 2 of 3.
fn script_ticket(n: u32, status: ScriptStatus, script: &str, started_min_ago: u64) -> JobTicket {
    let finished = status.is_terminal().then(|| ago(started_min_ago - 6));
    let ticket: ScriptTicket = serde_json::from_value(serde_json::json!({
        "execute_uuid": script_id(n).id(),
        "order_name": format!("{script}-{n}"),
        "gmt_created": ago(started_min_ago),
        "gmt_finished": finished,
        "execute_costs": 60,
        "creator": "dave",
        "status": status.as_str(),
        "properties": {
            "script_uuid": format!("SC20250601000000000000{n:02}"),
            "script_name": script,
            "script_version_uuid": "3",
            "script_version_name": "v3",
            "current_execute_batch_index": 2,
            "execute_param": {
                "timeout": 300,
                "success_rate": 75,
                "execute_user": "root",
                "script_params": [
                    {"param_name": "log_dir", "param_value": "/var/log/app"},
                    {"param_name": "keep_days", "param_value": "7"},
                    {"param_name": "notice", "param_value": "清理完成，请检查磁盘"},
                ],
            },
        },
    }))
    .unwrap();
    JobTicket::from(ticket)
}

/// Executions and script tickets in one list: a failed, a running and a finished
/// execution; a running, an abnormal, a paused and a finished script ticket.
fn with_scripts_in(lang: Lang) -> App {
    let execution = |label: Option<&'static str>, t: Ticket| {
        (
            label,
            TicketRef::execution(&t.execution_id).unwrap(),
            Some(JobTicket::from(t)),
        )
    };
    let script = |n: u32, status: ScriptStatus, name: &str, started: u64| {
        (
            None,
            script_id(n),
            Some(script_ticket(n, status, name, started)),
        )
    };
    watching(
        lang,
        vec![
            execution(
                Some("DB failover drill"),
                ticket(1, Status::Failed, "db-failover", 40),
            ),
            execution(None, ticket(2, Status::Running, "patch-kernel", 12)),
            script(1, ScriptStatus::Processing, "clean-logs", 9),
            script(2, ScriptStatus::Abnormal, "rotate-nginx", 50),
            script(3, ScriptStatus::Paused, "disk-check", 20),
            script(4, ScriptStatus::Finished, "巡检脚本", 120),
            execution(
                Some("数据库切换演练"),
                ticket(9, Status::Succeed, "db-switch", 61),
            ),
        ],
    )
}

/// The running script ticket opened at 80x24, on `tab` (its Batches loading).
fn script_opened(lang: Lang, tab: char) -> App {
    let mut app = resized(with_scripts_in(lang), 80, 24);
    for _ in 0..7 {
        if app.selected().unwrap().id == script_id(1) {
            break;
        }
        key(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(app.selected().unwrap().id, script_id(1));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char(tab));
    app
}

/// The running script ticket's statistics and batches arrive: batch 1 done, batch 2
/// running with a host failed, batch 3 to come.
fn progress_arrives(app: &mut App) {
    let count = |status: &str, count: u64, batches: &[u32]| serde_json::json!({"instance_status": status, "instance_count": count, "batch_indexes": batches});
    let statistics = serde_json::from_value(serde_json::json!({
        "total_instance": 10,
        "execute_statistics": [
            count("FINISHED", 4, &[1, 2]),
            count("ABNORMAL", 1, &[2]),
            count("PROCESSING", 2, &[2]),
            count("READY", 3, &[3]),
        ],
    }))
    .unwrap();
    let batch = |index: u32, hosts: u64, then: &str| ScriptBatch {
        batch_index: Some(index),
        total_instances: Some(hosts),
        rotation_strategy: Some(then.into()),
        properties: None,
    };
    send(
        app,
        Update::Reply(Reply::Progress {
            id: script_id(1),
            result: Ok(ScriptProgress {
                statistics,
                batches: vec![
                    batch(1, 3, "CONTINUE"),
                    batch(2, 4, "PAUSE"),
                    batch(3, 3, "CONTINUE"),
                ],
            }),
            at: now(),
        }),
    );
}

/// The output of the batch's failed host: several lines, non-ASCII, and escape
/// sequences that must not reach the terminal.
const FAILED_HOST_OUTPUT: &str = "清理 /var/log/app 中 7 天前的日志\n\
    removed 1,204 files (3.1 GB)\n\
    \u{1b}[31mrm: cannot remove '/var/log/app/审计.log': Operation not permitted\u{1b}[0m\n\
    \u{1b}]0;pwned\u{7}disk usage after: 91% (threshold 80%)\n\
    exit code 1\n";

/// Enter on batch 2 of the Batches tab, and its hosts arrive (the failed one last).
fn batch_hosts_arrive(app: &mut App) {
    key(app, KeyCode::Char('j'));
    let asked = update(
        app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let page = asked
        .actions
        .iter()
        .find_map(|action| match action {
            Action::Engine(Command::FetchBatchHosts {
                batch_index: 2,
                page,
                ..
            }) => Some(page.clone()),
            _ => None,
        })
        .expect("Enter on batch 2 asks for its hosts");
    let host = |n: u32, status: &str, output: &str| {
        serde_json::from_value(serde_json::json!({
            "id": 4000 + n,
            "target_instance": {
                "resource_id": format!("ecs-{n:04}"),
                "properties": {"host_name": format!("app-{n:02}"), "fixed_ip": format!("10.0.1.{n}")},
            },
            "gmt_created": ago(4),
            "gmt_finished": (status != "PROCESSING").then(|| ago(3)),
            "status": status,
            "message": output,
        }))
        .unwrap()
    };
    send(
        app,
        Update::Reply(Reply::BatchHosts {
            id: script_id(1),
            batch_index: 2,
            page,
            result: Ok(coctop::coc::Page {
                data: vec![
                    host(4, "FINISHED", "removed 980 files (2.4 GB)\nexit code 0\n"),
                    host(5, "PROCESSING", "\n清理中…\n"),
                    host(6, "PROCESSING", ""),
                    host(7, "ABNORMAL", FAILED_HOST_OUTPUT),
                ],
                total: Some(4),
            }),
            at: now(),
        }),
    );
}

#[test]
fn list_with_script_tickets_beside_executions() {
    let app = resized(with_scripts_in(Lang::En), 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("7 tickets"), "{text}");
    assert!(text.contains("TICKET ID"), "{text}");
    insta::assert_snapshot!(text);
}

/// Script tickets make the header long: at 80 columns every status keeps its count
/// (the words give way first), in each language.
#[test]
fn the_header_keeps_every_status_count_at_80_columns_with_script_tickets() {
    let glyphs = ["✖", "⏱", "▶", "◌", "…", "⏸", "⊘", "✔", "?", "·", "↺"];
    for lang in [Lang::En, Lang::Zh] {
        let text = screen(&resized(with_scripts_in(lang), 80, 24), 80, 24);
        let header = text.lines().next().unwrap();
        let words: Vec<&str> = header.split_whitespace().collect();
        let counts: Vec<u32> = words
            .windows(2)
            .filter(|pair| glyphs.contains(&pair[0]))
            .filter_map(|pair| pair[1].trim_end_matches('"').parse().ok())
            .collect();
        assert_eq!(counts, [1; 7], "a count per status, 7 tickets\n{header}");
    }
}

#[test]
fn a_script_ticket_opened_with_its_batches_loading_then_loaded() {
    let app = script_opened(Lang::En, '1');
    let text = screen(&app, 80, 24);
    assert!(text.contains("clean-logs"), "{text}");
    assert!(text.contains("清理完成，请检查磁盘"), "{text}");
    // Three tabs: the footer offers the keys that open one, no more.
    assert!(text.contains("Tab/1-3 tabs"), "{text}");
    insta::assert_snapshot!("script_ticket_parameters", text);
    let mut app = script_opened(Lang::En, '2');
    insta::assert_snapshot!("batches_tab_loading", screen(&app, 80, 24));
    progress_arrives(&mut app);
    insta::assert_snapshot!("batches_tab_loaded", screen(&app, 80, 24));
}

/// The hosts per status of a script ticket are in its detail whole, down to the total,
/// at 80 columns, in each language.
#[test]
fn a_script_tickets_host_counts_are_not_cut_at_80_columns() {
    for (lang, total) in [(Lang::En, "(10 in all)"), (Lang::Zh, "（共 10 台）")] {
        let mut app = script_opened(lang, '2');
        progress_arrives(&mut app);
        let text = screen(&app, 80, 24);
        assert!(text.contains(total), "{text}");
    }
}

#[test]
fn a_batchs_hosts_failed_first_and_a_hosts_output_sanitised() {
    let mut app = script_opened(Lang::En, '2');
    progress_arrives(&mut app);
    batch_hosts_arrive(&mut app);
    let text = screen(&app, 80, 24);
    let failed = text.find("app-07").expect("the failed host is listed");
    assert!(
        failed < text.find("app-04").unwrap(),
        "failed first\n{text}"
    );
    insta::assert_snapshot!("hosts_of_a_batch", text);
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(text.contains("app-07 (10.0.1.7)"), "{text}");
    assert!(
        text.contains("rm: cannot remove '/var/log/app/审计.log'"),
        "{text}"
    );
    assert!(text.contains("disk usage after: 91%"), "{text}");
    assert!(
        !text.contains("pwned") && !text.contains('\u{1b}'),
        "{text}"
    );
    insta::assert_snapshot!("a_script_hosts_output", text);
}

#[test]
fn script_ticket_operations_as_its_status_allows_and_their_confirmation() {
    let mut app = script_opened(Lang::En, '1');
    key(&mut app, KeyCode::Char('x'));
    let text = screen(&app, 80, 24);
    for offered in ["PAUSE_ORDER", "CANCEL_ORDER", "SKIP_BATCH"] {
        assert!(text.contains(offered), "{offered}\n{text}");
    }
    assert!(!text.contains("CONTINUE_ORDER"), "{text}");
    insta::assert_snapshot!("script_actions_menu", text);
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("pause_order_confirmation", screen(&app, 80, 24));
    let cancel = script_cancel_being_confirmed(Lang::En);
    let text = screen(&cancel, 80, 24);
    assert!(
        text.contains("CANCEL_ORDER script/JS2025070112000002000001"),
        "{text}"
    );
    insta::assert_snapshot!("cancel_order_confirmation", text);
}

/// CANCEL_ORDER chosen in the running script ticket's `x` menu, its word half typed.
fn script_cancel_being_confirmed(lang: Lang) -> App {
    let mut app = script_opened(lang, '1');
    keys(&mut app, "xj");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "canc");
    app
}

/// Every screen of the dashboard, by name, in `lang` at 80x24.
fn every_screen(lang: Lang) -> Vec<(&'static str, String)> {
    let at_80x24 = |app: &App| screen(app, 80, 24);
    let mut screens = vec![("list", at_80x24(&resized(mixed_in(lang), 80, 24)))];
    let mut help = resized(mixed_in(lang), 80, 24);
    key(&mut help, KeyCode::Char('?'));
    screens.push(("help", at_80x24(&help)));
    let mut filtered = resized(mixed_in(lang), 80, 24);
    key(&mut filtered, KeyCode::Char('/'));
    keys(&mut filtered, "DB");
    screens.push(("filter", at_80x24(&filtered)));
    for (name, tab) in [
        ("parameters", '1'),
        ("tags", '2'),
        ("targets", '3'),
        ("steps_loading", '4'),
        ("history", '5'),
    ] {
        screens.push((name, at_80x24(&zoomed_in(lang, tab))));
    }
    let mut steps = on_a_failed_step(lang);
    screens.push(("steps", at_80x24(&steps)));
    hosts_arrive(&mut steps);
    screens.push(("hosts", at_80x24(&steps)));
    let mut menu = zoomed_in(lang, '1');
    key(&mut menu, KeyCode::Char('x'));
    screens.push(("menu", at_80x24(&menu)));
    key(&mut menu, KeyCode::Enter);
    keys(&mut menu, "termin");
    screens.push(("confirmation", at_80x24(&menu)));
    let mut adding = resized(mixed_in(lang), 80, 24);
    key(&mut adding, KeyCode::Char('a'));
    screens.push(("add", at_80x24(&adding)));
    screens.push(("empty", at_80x24(&resized(app_in(lang, vec![]), 80, 24))));
    let scripts = resized(with_scripts_in(lang), 80, 24);
    screens.push(("scripts_list", at_80x24(&scripts)));
    screens.push(("script_parameters", at_80x24(&script_opened(lang, '1'))));
    let mut batches = script_opened(lang, '2');
    screens.push(("batches_loading", at_80x24(&batches)));
    progress_arrives(&mut batches);
    screens.push(("batches", at_80x24(&batches)));
    batch_hosts_arrive(&mut batches);
    screens.push(("batch_hosts", at_80x24(&batches)));
    key(&mut batches, KeyCode::Enter);
    screens.push(("script_host_output", at_80x24(&batches)));
    let mut script_menu = script_opened(lang, '1');
    key(&mut script_menu, KeyCode::Char('x'));
    screens.push(("script_menu", at_80x24(&script_menu)));
    key(&mut script_menu, KeyCode::Enter);
    screens.push(("script_confirmation", at_80x24(&script_menu)));
    let cancel = script_cancel_being_confirmed(lang);
    screens.push(("script_cancel_confirmation", at_80x24(&cancel)));
    screens
}

#[test]
fn every_screen_in_chinese() {
    for (name, text) in every_screen(Lang::Zh) {
        insta::assert_snapshot!(format!("zh_{name}"), text);
    }
}

/// The words of the English screens that must not be left on the Chinese ones (the
/// data shown, IDs and key names aside).
#[test]
fn no_english_word_of_the_dashboard_is_left_in_chinese() {
    let english = [
        "ago",
        "ticket",
        "tickets",
        "polled",
        "shown",
        "Parameters",
        "Tags",
        "Targets",
        "Steps",
        "History",
        "STATUS",
        "NAME",
        "STARTED",
        "TOOK",
        "Failed",
        "Running",
        "Succeed",
        "Pending",
        "Canceled",
        "Timeout",
        "Canceling",
        "loading",
        "help",
        "quit",
        "move",
        "open",
        "back",
        "filter",
        "sort",
        "refresh",
        "actions",
        "Started",
        "Ended",
        "Updated",
        "Polled",
        "Status",
        "Job",
        "Message",
        "Request",
        "Error",
        "version",
        "took",
        "keys",
        "closes",
        "cancel",
        "choose",
        "Send",
        "Type",
        "Operate",
        "confirm",
        "add",
        "label",
        "watched",
        "hosts",
        "Hosts",
        "HOST",
        "MESSAGE",
        "Esc back",
        "first seen",
        "urgency",
        // Script tickets: the list, the detail, the Batches tab, a batch's hosts, a
        // host's output, the operations.
        "executions",
        "scripts",
        "TICKET",
        "READY",
        "PROCESSING",
        "PAUSED",
        "ABNORMAL",
        "FINISHED",
        "Script",
        "script ID",
        "Ticket",
        "Batch",
        "Batches",
        "batch 2",
        "Runs",
        "timeout",
        "success rate",
        "Created",
        "running for",
        "in all",
        "HOSTS",
        "THEN",
        "ARE",
        "CONTINUE",
        "PAUSE",
        "ORDER",
        "SKIP",
        "CANCEL",
        "OUTPUT",
        "output",
        "lines",
        "line 1 of",
        "sideways",
        "wrap",
        "search",
        "save",
        "sends",
        "cancels",
    ];
    // The word a confirmation asks for is typed as it is, in any language.
    let op = Lang::Zh.t(Msg::ScriptOperation(ScriptOperation::CancelOrder));
    let type_cancel = Lang::Zh.t(Msg::TypeToConfirm {
        word: "cancel",
        kind: TicketKind::Script,
        op: &op,
    });
    for (name, text) in every_screen(Lang::Zh) {
        let text = text.replace(&*type_cancel, "");
        let words: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        for word in english {
            let found = if word.contains(' ') {
                text.contains(word)
            } else {
                words.contains(&word)
            };
            assert!(!found, "{name}: {word:?} in\n{text}");
        }
    }
}

/// The list and the help in each theme, colours and all (a cell's text with its style).
#[test]
fn every_theme_colours_the_list_and_the_help() {
    for theme in [ThemeName::Dark, ThemeName::Light, ThemeName::HighContrast] {
        let settings = UiSettings {
            theme,
            ..UiSettings::default()
        };
        let mut app = resized(mixed().with_settings(settings), 80, 24);
        let name = format!("{theme:?}").to_lowercase();
        insta::assert_debug_snapshot!(format!("theme_{name}_list"), buffer(&app, 80, 24));
        key(&mut app, KeyCode::Char('?'));
        insta::assert_debug_snapshot!(format!("theme_{name}_help"), buffer(&app, 80, 24));
    }
}

#[test]
fn colours_set_by_role_and_the_accent_reach_the_screen_and_no_color_wins() {
    let settings = UiSettings {
        colors: vec![
            (Role::Failed, Color::Rgb(255, 0, 128)),
            (Role::Border, Color::Blue),
        ],
        accent: Some(Color::Red),
        ..UiSettings::default()
    };
    let mut app = resized(mixed().with_settings(settings), 80, 24);
    let buf = buffer(&app, 80, 24);
    let fg_of = |buf: &Buffer, text: &str| {
        let (x, y) = find(buf, text).unwrap_or_else(|| panic!("{text} not on screen"));
        buf[(x, y)].fg
    };
    assert_eq!(fg_of(&buf, "✖ Failed"), Color::Rgb(255, 0, 128));
    assert_eq!(
        fg_of(&buf, "coctop"),
        Color::Red,
        "the accent colours the title"
    );
    key(&mut app, KeyCode::Char('?'));
    let help = buffer(&app, 80, 24);
    assert_eq!(
        fg_of(&help, "┌"),
        Color::Red,
        "the accent colours the borders"
    );
    app.init.color = false;
    let mono = buffer(&app, 80, 24);
    assert!(
        mono.content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "NO_COLOR wins over the config"
    );
}

/// Where `text` starts on screen (cell coordinates).
fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    let first = text.chars().next()?.to_string();
    (0..buf.area.height).find_map(|y| {
        (0..buf.area.width).find_map(|x| {
            let rest: String = (x..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>();
            (buf[(x, y)].symbol() == first && rest.starts_with(text)).then_some((x, y))
        })
    })
}
