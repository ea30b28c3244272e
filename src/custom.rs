//! Custom commands (`[[command]]`): a key of the dashboard that runs the user's program
//! about the ticket, the step or the host at the cursor, its `{placeholders}` in `argv`
//! replaced by their values, each argument whole (there is no shell to split them).

use std::time::Duration;

use crate::text::sanitize;

/// What a command is about, and so where its key works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The selected or open ticket.
    Ticket,
    /// The step at the cursor of the open ticket's Steps tab.
    Step,
    /// The host at the cursor of a step's hosts.
    Host,
}

impl Scope {
    pub const NAMES: [&'static str; 3] = ["ticket", "step", "host"];

    pub fn parse(name: &str) -> Option<Scope> {
        match name {
            "ticket" => Some(Scope::Ticket),
            "step" => Some(Scope::Step),
            "host" => Some(Scope::Host),
            _ => None,
        }
    }

    fn has(self, placeholder: Placeholder) -> bool {
        match placeholder {
            Placeholder::Step => self != Scope::Ticket,
            Placeholder::HostIp | Placeholder::HostName => self == Scope::Host,
            _ => true,
        }
    }
}

/// How long a command whose output goes to a pane may run unless `timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most of a command's output the pane keeps.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// One `[[command]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomCommand {
    pub key: char,
    pub name: String,
    pub scope: Scope,
    /// The program and its arguments, with placeholders; never empty.
    pub argv: Vec<String>,
    /// Asked first, `y` runs it.
    pub confirm: bool,
    /// It changes something: refused under read-only.
    pub writes: bool,
    /// It gets the terminal (`ssh`) instead of a pane for its output.
    pub interactive: bool,
    /// A pane command still running then is killed.
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholder {
    ExecutionId,
    Profile,
    Region,
    HostIp,
    HostName,
    Step,
    Status,
}

const PLACEHOLDERS: [(&str, Placeholder); 7] = [
    ("execution_id", Placeholder::ExecutionId),
    ("profile", Placeholder::Profile),
    ("region", Placeholder::Region),
    ("host_ip", Placeholder::HostIp),
    ("host_name", Placeholder::HostName),
    ("step", Placeholder::Step),
    ("status", Placeholder::Status),
];

/// What the placeholders stand for at the cursor, as the server sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    pub execution_id: String,
    pub profile: String,
    pub region: String,
    /// The status as the API writes it (`Failed`).
    pub status: String,
    pub step: Option<String>,
    pub host_ip: Option<String>,
    pub host_name: Option<String>,
}

impl Subject {
    fn value(&self, placeholder: Placeholder) -> Option<&str> {
        match placeholder {
            Placeholder::ExecutionId => Some(&self.execution_id),
            Placeholder::Profile => Some(&self.profile),
            Placeholder::Region => Some(&self.region),
            Placeholder::Status => Some(&self.status),
            Placeholder::Step => self.step.as_deref(),
            Placeholder::HostIp => self.host_ip.as_deref(),
            Placeholder::HostName => self.host_name.as_deref(),
        }
    }
}

/// The pieces of an argument: text, and placeholders between braces.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(Placeholder),
}

/// `arg` cut into pieces; an unknown `{name}` is an error naming the nearest. Braces
/// around anything but a lowercase name are text (`awk '{print $1}'`).
fn pieces(arg: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = arg;
    let mut searched = 0;
    while let Some(open) = rest[searched..].find('{').map(|o| searched + o) {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        let is_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !is_name {
            searched = open + 1;
            continue;
        }
        searched = 0;
        let Some((_, placeholder)) = PLACEHOLDERS.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = PLACEHOLDERS.iter().map(|(n, _)| *n).collect();
            let hint = crate::text::nearest(name, &names)
                .map(|near| format!(" (did you mean {{{near}}}?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown placeholder {{{name}}}{hint}; known: {{{}}}",
                names.join("}, {")
            ));
        };
        pieces.push(Piece::Text(&rest[..open]));
        pieces.push(Piece::Placeholder(*placeholder));
        rest = &rest[close + 1..];
    }
    pieces.push(Piece::Text(rest));
    Ok(pieces)
}

/// Whether every placeholder of `argv` is known and has a value in `scope`.
pub fn check_argv(argv: &[String], scope: Scope) -> Result<(), String> {
    for arg in argv {
        for piece in pieces(arg)? {
            if let Piece::Placeholder(p) = piece
                && !scope.has(p)
            {
                let name = PLACEHOLDERS.iter().find(|(_, q)| *q == p).map(|(n, _)| n);
                let needs = if p == Placeholder::Step {
                    "scope = \"step\" or \"host\""
                } else {
                    "scope = \"host\""
                };
                return Err(format!("{{{}}} needs {needs}", name.unwrap_or(&"")));
            }
        }
    }
    Ok(())
}

/// `argv` with its placeholders replaced by the subject's values, sanitised: server text
/// is never passed raw to another program. `Err`: the name of the placeholder without a
/// value (`argv` was checked by `check_argv` when the config was read).
pub fn expand(argv: &[String], subject: &Subject) -> Result<Vec<String>, &'static str> {
    argv.iter()
        .map(|arg| {
            let mut out = String::new();
            for piece in pieces(arg).unwrap_or_else(|_| vec![Piece::Text(arg)]) {
                match piece {
                    Piece::Text(text) => out.push_str(text),
                    Piece::Placeholder(p) => match subject.value(p) {
                        Some(value) => out.push_str(&sanitize(value)),
                        None => {
                            let name = PLACEHOLDERS.iter().find(|(_, q)| *q == p);
                            return Err(name.map_or("", |n| n.0));
                        }
                    },
                }
            }
            Ok(out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn placeholders_are_replaced_whole_and_unknown_ones_named() {
        let subject = Subject {
            execution_id: "EX1".into(),
            profile: "default".into(),
            region: "cn-north-4".into(),
            status: "FAILED".into(),
            host_ip: Some("10.0.0.1".into()),
            ..Subject::default()
        };
        assert_eq!(
            expand(
                &argv(&["ssh", "root@{host_ip}", "{execution_id} {status};"]),
                &subject
            ),
            Ok(argv(&["ssh", "root@10.0.0.1", "EX1 FAILED;"]))
        );
        assert_eq!(expand(&argv(&["x", "{step}"]), &subject), Err("step"));
        assert_eq!(
            check_argv(&argv(&["echo", "{stat}"]), Scope::Ticket).unwrap_err(),
            "unknown placeholder {stat} (did you mean {status}?); known: {execution_id}, \
             {profile}, {region}, {host_ip}, {host_name}, {step}, {status}"
        );
        assert_eq!(
            expand(&argv(&["awk", "{print $1} {status}"]), &subject),
            Ok(argv(&["awk", "{print $1} FAILED"]))
        );
        assert!(
            check_argv(&argv(&["ssh", "{hostip}"]), Scope::Host)
                .unwrap_err()
                .contains("did you mean {host_ip}?")
        );
        assert!(
            check_argv(&argv(&["ssh", "{host_ip}"]), Scope::Ticket)
                .unwrap_err()
                .contains("scope = \"host\"")
        );
        assert!(check_argv(&argv(&["x", "{step}"]), Scope::Host).is_ok());
    }

    #[test]
    fn server_text_reaches_the_program_sanitised() {
        let subject = Subject {
            status: "FAILED\u{1b}]52;c;AAAA\u{7}".into(),
            ..Subject::default()
        };
        let expanded = expand(&argv(&["x", "{status}"]), &subject).unwrap();
        assert!(!expanded[1].contains('\u{1b}'), "{expanded:?}");
    }
}
