//! `=`: a ticket marked, `=` on another compares the two once both have their steps.

use super::*;

fn fetched_steps(out: &Reaction) -> Vec<TicketRef> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Engine(Command::FetchDetails(id)) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

fn step(name: &str, status: Status, message: &str) -> crate::coc::Step {
    crate::coc::Step {
        execution_step_id: Some(format!("s-{name}")),
        name: Some(name.into()),
        status: Some(status),
        message: Some(message.into()),
        ..Default::default()
    }
}

#[test]
fn equals_marks_then_compares_once_both_have_their_steps() {
    let mut app = mixed();
    select_id(&mut app, &id_text(0));
    ch(&mut app, '=');
    assert_eq!(app.marked(), Some(&id(0)));
    assert!(
        app.prompt().is_none(),
        "marking shows nothing over the screen"
    );
    select_id(&mut app, &id_text(3));
    let out = ch(&mut app, '=');
    assert_eq!(
        fetched_steps(&out),
        [id(0), id(3)],
        "both sides' steps asked for"
    );
    assert!(app.prompt().is_none(), "not before the steps");
    assert_eq!(app.marked(), None);
    steps_arrive(
        &mut app,
        0,
        vec![step("restart", Status::Failed, "exit code 1")],
    );
    assert!(app.prompt().is_none(), "one side is not enough");
    let out = steps_arrive(&mut app, 3, vec![step("restart", Status::Succeed, "")]);
    assert!(out.redraw);
    let Some(Prompt::Notice { title, lines }) = app.prompt() else {
        panic!("the comparison: {:?}", app.prompt());
    };
    assert_eq!(title, &format!("diff {} {}", id(0), id(3)));
    let text = lines.join("\n");
    assert!(text.contains("~ job: \"job0\" → \"job3\""), "{text}");
    assert!(
        text.contains("~ status: \"Failed\" → \"Succeed\""),
        "{text}"
    );
    assert!(text.contains("restart"), "the step that differs: {text}");
    assert!(
        lines
            .last()
            .unwrap()
            .ends_with(&format!("coctop diff {} {}", id(0), id(3))),
        "{text}"
    );
}

#[test]
fn equals_twice_on_one_ticket_unmarks_it_and_the_same_run_compares_alike() {
    let mut app = mixed();
    select_id(&mut app, &id_text(2));
    ch(&mut app, '=');
    ch(&mut app, '=');
    assert_eq!(app.marked(), None, "= again lets go of it");
    assert!(app.prompt().is_none());
    // Two runs alike but for their IDs: nothing differs.
    snapshot(&mut app, ticket(5, Status::Succeed, "same", 600));
    snapshot(&mut app, ticket(6, Status::Succeed, "same", 600));
    steps_arrive(&mut app, 5, vec![step("a", Status::Succeed, "")]);
    steps_arrive(&mut app, 6, vec![step("a", Status::Succeed, "")]);
    select_id(&mut app, &id_text(5));
    ch(&mut app, '=');
    select_id(&mut app, &id_text(6));
    let out = ch(&mut app, '=');
    assert!(fetched_steps(&out).is_empty(), "steps known already");
    let Some(Prompt::Notice { lines, .. }) = app.prompt() else {
        panic!("the comparison at once: {:?}", app.prompt());
    };
    assert!(lines[0].starts_with("Nothing differs"), "{lines:?}");
}
