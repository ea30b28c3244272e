//! The key table against what users see: the help lists every key the table routes,
//! in every focus, and the footer offers only keys that are routed.

use super::redraw_model::{render, text};
use super::*;

/// A dashboard whose keys go to `focus`, reached by keys as a user would.
fn in_focus(focus: Focus) -> App {
    let mut app = mixed();
    let keys: &[KeyCode] = match focus {
        Focus::List => &[],
        Focus::Help => &[KeyCode::Char('?')],
        Focus::Ticket => &[KeyCode::Enter],
        Focus::Hosts => {
            select_id(&mut app, &id_text(0));
            steps_arrive(&mut app, 0, vec![failed_step()]);
            &[KeyCode::Enter, KeyCode::Char('4'), KeyCode::Enter]
        }
        Focus::Output | Focus::OutputLine | Focus::OutputOverwrite => {
            select_id(&mut app, &id_text(0));
            steps_arrive(&mut app, 0, vec![failed_step()]);
            for key in [KeyCode::Enter, KeyCode::Char('4'), KeyCode::Enter] {
                press(&mut app, key);
            }
            hosts_arrive(&mut app, vec![output_host("web-01", "Failed", "boom\n")]);
            press(&mut app, KeyCode::Enter);
            match focus {
                Focus::Output => &[],
                Focus::OutputLine => &[KeyCode::Char('/')],
                _ => {
                    ch(&mut app, 'w');
                    press(&mut app, KeyCode::Enter);
                    update(
                        &mut app,
                        Message::OutputSaved {
                            path: "EX0000-web-01.log".into(),
                            result: SaveResult::Exists,
                        },
                    );
                    &[]
                }
            }
        }
        Focus::Browse => &[KeyCode::Char('b')],
        Focus::BrowseFilterLine => &[KeyCode::Char('b'), KeyCode::Char('/')],
        Focus::FilterLine => &[KeyCode::Char('/')],
        Focus::AddLine => &[KeyCode::Char('a')],
        Focus::Remove => &[KeyCode::Char('d')],
        Focus::Menu => &[KeyCode::Char('x')],
        Focus::Confirm => &[KeyCode::Char('x'), KeyCode::Enter],
        Focus::Review => {
            runnable_again(&mut app, 3);
            select_id(&mut app, &id_text(3));
            &[KeyCode::Char('x'), KeyCode::Enter]
        }
        Focus::Notice => {
            select_id(&mut app, &id_text(3));
            &[KeyCode::Char('x')]
        }
    };
    for &key in keys {
        press(&mut app, key);
    }
    assert_eq!(app.focus(), focus);
    app
}

/// Every key press worth trying: characters, with Shift, Ctrl and Alt, and the keys
/// that are no character.
fn every_key() -> Vec<KeyEvent> {
    let mut keys = Vec::new();
    for c in ' '..='~' {
        for modifiers in [KeyModifiers::NONE, KeyModifiers::CONTROL, KeyModifiers::ALT] {
            keys.push(KeyEvent::new(KeyCode::Char(c), modifiers));
        }
        if c.is_ascii_uppercase() {
            keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT));
        }
    }
    for code in [
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::F(1),
        KeyCode::F(12),
    ] {
        keys.push(KeyEvent::new(code, KeyModifiers::NONE));
        keys.push(KeyEvent::new(code, KeyModifiers::CONTROL));
    }
    keys.push(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    keys
}

/// The key a row was routed by: the one it names, else its text or any-key catch-all.
fn routed_by(binding: &Binding, event: &KeyEvent) -> Key {
    let named = Key::of(event).filter(|k| binding.keys.contains(k));
    named.unwrap_or(if binding.keys.contains(&Key::Text) {
        Key::Text
    } else {
        Key::Any
    })
}

/// Whether the keys column of a help line names `label` (`1-5` names `3`).
fn names(keys: &str, label: &str) -> bool {
    if label.contains(' ') {
        return keys.contains(label);
    }
    keys.split(' ').any(|k| {
        k == label
            || k.split_once('-').is_some_and(|(a, b)| {
                [a, b, label].iter().all(|d| d.len() == 1) && (a..=b).contains(&label)
            })
    })
}

#[test]
fn the_help_lists_every_key_the_table_routes_in_every_focus() {
    let help = text(&render(&in_focus(Focus::Help)));
    let mut checked = 0;
    for focus in Focus::ALL {
        let app = in_focus(focus);
        for event in every_key() {
            let Some(binding) = app.keymap().route(focus, &event, |only| app.holds(only)) else {
                continue;
            };
            let label = routed_by(binding, &event).label(Lang::En);
            let help_text = Lang::En.t(binding.help.clone());
            // The whole line is on the 80x24 screen: the text, and before it the keys.
            let line = help
                .iter()
                .find_map(|l| l.split_once(help_text.as_ref()))
                .unwrap_or_else(|| {
                    panic!("no help line says {:?}:\n{}", binding.help, help.join("\n"))
                });
            let keys = line.0.rsplit('│').next().unwrap().trim();
            assert!(
                names(keys, &label),
                "{focus:?}: {event:?} routes to {:?}, but its help line lists {keys:?}",
                binding.intent
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// `j/k` is `j` and `k`; `1-5` is `1` to `5`.
fn expand(labels: &str) -> Vec<String> {
    if labels == "/" {
        return vec![labels.into()];
    }
    labels
        .split('/')
        .flat_map(|label| match label.split_once('-') {
            Some((a, b)) if a.len() == 1 && b.len() == 1 => (a.as_bytes()[0]..=b.as_bytes()[0])
                .map(|c| (c as char).to_string())
                .collect(),
            _ => vec![label.to_string()],
        })
        .collect()
}

#[test]
fn the_footer_offers_only_keys_that_are_routed() {
    let keys = every_key();
    for focus in Focus::ALL {
        let app = in_focus(focus);
        let footer = text(&render(&app)).pop().unwrap();
        for (labels, binding) in app.keymap().footer(Lang::En, focus, |only| app.holds(only)) {
            let hint = Lang::En.t(binding.footer.clone().unwrap().text);
            if !footer.contains(&format!("{labels} {hint}")) {
                continue; // left out for room
            }
            for label in expand(&labels) {
                let label = label.as_str();
                let pressed = keys
                    .iter()
                    .filter(|e| Key::of(e).map(|k| k.label(Lang::En)).as_deref() == Some(label))
                    .chain(
                        keys.iter()
                            .filter(|e| label == "any key" && Key::of(e).is_none()),
                    )
                    .next()
                    .map(|e| app.keymap().route(focus, e, |only| app.holds(only)));
                assert!(
                    pressed.is_some_and(|row| row.is_some_and(|r| r.footer == binding.footer)),
                    "{focus:?}: the footer offers {label} {hint}, routed to {:?}",
                    pressed
                );
            }
        }
    }
}
