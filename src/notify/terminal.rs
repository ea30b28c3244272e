//! Telling through the terminal: the bell, and a desktop notification as OSC 777
//! (urxvt, foot, kitty, WezTerm, VTE terminals) and OSC 9 (iTerm2, Windows Terminal,
//! ConEmu). Both travel over SSH; a terminal that knows neither ignores them.

use super::{Notification, NotifyConfig};

const BELL: &str = "\u{7}";
/// String terminator (`ESC \`).
const ST: &str = "\u{1b}\\";

/// What to write to the terminal for `notification` under `config`; empty when
/// neither the bell nor desktop notifications are on.
pub fn sequences(config: &NotifyConfig, notification: &Notification) -> String {
    let mut out = String::new();
    if config.desktop {
        // Title and body are sanitised (no escape or control character can end the
        // sequence early); `;` would split OSC 777's fields.
        let title = notification.title().replace(';', ",");
        let body = notification.body().replace(';', ",");
        out.push_str(&format!("\u{1b}]777;notify;{title};{body}{ST}"));
        out.push_str(&format!("\u{1b}]9;{title}: {body}{ST}"));
    }
    if config.bell {
        out.push_str(BELL);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::coc::Status;
    use crate::notify::Change;

    fn failed(name: &str) -> Notification {
        Notification {
            changes: vec![Change {
                id: crate::coc::TicketRef::parse("EX1").unwrap(),
                name: name.into(),
                from: Some(Status::Running.into()),
                to: Status::Failed.into(),
                at: SystemTime::UNIX_EPOCH,
            }],
        }
    }

    #[test]
    fn desktop_and_bell_sequences() {
        let config = NotifyConfig {
            desktop: true,
            bell: true,
            ..NotifyConfig::default()
        };
        assert_eq!(
            sequences(&config, &failed("drill")),
            "\u{1b}]777;notify;coctop: Failed: drill;EX1 Running -> Failed\u{1b}\\\
             \u{1b}]9;coctop: Failed: drill: EX1 Running -> Failed\u{1b}\\\u{7}"
        );
        let quiet = NotifyConfig {
            desktop: false,
            bell: false,
            ..NotifyConfig::default()
        };
        assert_eq!(sequences(&quiet, &failed("drill")), "");
    }

    #[test]
    fn server_text_cannot_end_or_split_the_sequence() {
        let config = NotifyConfig {
            desktop: true,
            bell: false,
            ..NotifyConfig::default()
        };
        let out = sequences(&config, &failed("a;b\u{1b}\\\u{7}\u{9c}c"));
        assert_eq!(out.matches('\u{1b}').count(), 4, "{out:?}");
        assert_eq!(out.matches('\u{7}').count(), 0, "{out:?}");
        assert!(
            out.contains("777;notify;coctop: Failed: a,bc;EX1"),
            "{out:?}"
        );
    }
}
