//! A host's output from the hosts view: Enter opens it, Esc comes back to the host.

use super::*;

/// Ticket 0's failed step open in the hosts view, with `hosts` loaded.
fn hosts_view(hosts: Vec<crate::coc::Instance>) -> App {
    let mut app = sized_app(4, 100, 30);
    snapshot(&mut app, ticket(0, Status::Failed, "job0", 600));
    steps_arrive(&mut app, 0, vec![failed_step()]);
    for key in [KeyCode::Enter, KeyCode::Char('4'), KeyCode::Enter] {
        press(&mut app, key);
    }
    hosts_arrive(&mut app, hosts);
    app
}

#[test]
fn enter_on_a_host_shows_its_whole_output_and_esc_goes_back_to_it() {
    let long = format!("{}\nthe last line\n", "line\n".repeat(200));
    let mut app = sized_app(4, 100, 30);
    snapshot(&mut app, ticket(0, Status::Failed, "job0", 600));
    steps_arrive(&mut app, 0, vec![failed_step()]);
    for key in [KeyCode::Enter, KeyCode::Char('4'), KeyCode::Enter] {
        press(&mut app, key);
    }
    // A first page: 100 of the step's 150 hosts, web-02 failed.
    let first = (0..100)
        .map(|n| match n {
            2 => output_host("web-02", "Failed", "boom\n"),
            5 => output_host("web-05", "Succeed", &long),
            n => output_host(&format!("web-{n:02}"), "Succeed", "ok\n"),
        })
        .collect();
    let at = app.now;
    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Instances {
            id: id(0),
            step_id: "301".into(),
            page: first_page(),
            result: Ok(crate::coc::Page {
                total: Some(150),
                data: first,
            }),
            at,
        })),
    );
    // The end of the hosts asks for the next page; back at the top, failed first: web-02,
    // then the others in order.
    let next = ch(&mut app, 'G')
        .actions
        .into_iter()
        .chain(ch(&mut app, 'g').actions)
        .find_map(|a| match a {
            Action::Engine(Command::FetchInstances { page, .. }) => Some(page),
            _ => None,
        })
        .expect("the next page is asked for");
    assert_eq!(crate::hosts::host(at_cursor(&app)), "web-02");
    for _ in 0..5 {
        ch(&mut app, 'j');
    }
    let out = press(&mut app, KeyCode::Enter);
    assert!(out.redraw && out.actions.is_empty(), "{out:?}");
    assert_eq!(app.focus(), Focus::Output);
    let output = app.output().unwrap();
    assert_eq!(output.raw(), long);
    assert!(
        output
            .title()
            .contains("web-05 (10.0.0.7) · step restart · Succeed")
    );
    ch(&mut app, 'G');
    let last = app.output().unwrap().top().line;
    assert!(last > 150, "{last}");
    // The next page arrives meanwhile, a failed host goes before web-05: the way back
    // still finds web-05.
    update(
        &mut app,
        Message::Engine(Update::Reply(Reply::Instances {
            id: id(0),
            step_id: "301".into(),
            page: next,
            result: Ok(crate::coc::Page {
                total: Some(150),
                data: vec![output_host("db-01", "Failed", "no\n")],
            }),
            at,
        })),
    );
    let hosts = app.hosts().unwrap();
    assert_eq!(crate::hosts::host(&hosts.instances()[1]), "db-01");
    assert_eq!(
        crate::hosts::host(&hosts.instances()[hosts.scroll()]),
        "web-04"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.focus(), Focus::Hosts);
    let host = at_cursor(&app);
    assert_eq!(crate::hosts::host(host), "web-05");
    // Esc again: the steps; the pager is gone with its hosts.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.focus(), Focus::Ticket);
    assert!(app.output().is_none());
}

#[test]
fn w_saves_through_the_event_loop_and_asks_before_overwriting() {
    let mut app = hosts_view(vec![output_host("web-01", "Failed", "boom\u{1b}[2J\n")]);
    press(&mut app, KeyCode::Enter);
    ch(&mut app, 'w');
    assert_eq!(app.focus(), Focus::OutputLine);
    let out = press(&mut app, KeyCode::Enter);
    let [
        Action::SaveOutput {
            path,
            text,
            overwrite: false,
        },
    ] = &out.actions[..]
    else {
        panic!("{out:?}")
    };
    assert_eq!(path, &std::path::PathBuf::from("EX0000-web-01.log"));
    assert_eq!(&**text, "boom\u{1b}[2J\n");
    let exists = Message::OutputSaved {
        path: path.clone(),
        result: SaveResult::Exists,
    };
    assert!(update(&mut app, exists.clone()).redraw);
    assert_eq!(app.focus(), Focus::OutputOverwrite);
    // q keeps the file, and quits nothing.
    let out = ch(&mut app, 'q');
    assert!(out.actions.is_empty());
    assert_eq!(app.focus(), Focus::Output);
    update(&mut app, exists);
    let out = ch(&mut app, 'y');
    assert!(matches!(
        &out.actions[..],
        [Action::SaveOutput {
            overwrite: true,
            ..
        }]
    ));
}

#[test]
fn keys_in_the_pager_reach_it_and_not_the_views_behind() {
    let mut app = hosts_view(vec![output_host("web-01", "Failed", "a\nb\nerror\n")]);
    press(&mut app, KeyCode::Enter);
    for key in ['x', 'd', 'a', 'b', 'n', 'r', 'p', '1'] {
        let out = ch(&mut app, key);
        assert!(out.actions.is_empty(), "{key}: {out:?}");
        assert_eq!(app.focus(), Focus::Output, "{key}");
        assert!(app.prompt().is_none(), "{key}");
    }
    ch(&mut app, '/');
    for c in "error".chars() {
        ch(&mut app, c);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.output().unwrap().search_status().unwrap(),
        "\"error\" match 1 of 1"
    );
    assert!(ch(&mut app, 'q').actions.contains(&Action::Quit));
}

/// The host at the cursor of the hosts view.
fn at_cursor(app: &App) -> &crate::coc::Instance {
    let hosts = app.hosts().unwrap();
    &hosts.instances()[hosts.scroll()]
}
