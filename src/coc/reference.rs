//! Which ticket a piece of text names: an execution (`EX…`, written plainly) or a script
//! ticket (`script/UUID`). One rule, `validate_execution_id`, checks the ID of both kinds.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::validate_execution_id;

/// The two kinds of COC job ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TicketKind {
    /// A runbook job's ticket (`/v1/executions`).
    Execution,
    /// A script run on hosts in batches (`/v1/job/script/orders`).
    Script,
}

impl TicketKind {
    /// `execution` or `script`: the word used in JSON output and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::Execution => "execution",
            TicketKind::Script => "script",
        }
    }

    /// What a message calls an ID of this kind.
    fn id_noun(self) -> &'static str {
        match self {
            TicketKind::Execution => "execution ID",
            TicketKind::Script => "script ticket ID",
        }
    }
}

impl fmt::Display for TicketKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What comes before the slash of a script ticket reference.
pub const SCRIPT_PREFIX: &str = "script/";

/// A reference to one ticket: its kind and its ID (for a script ticket, the
/// `execute_uuid`). Displayed as it is written: `EX…` or `script/UUID`. The identity of
/// a ticket everywhere past the wire (the engine's keys, the dashboard's selection and
/// open ticket, the cache, `wait`): a cheap clone.
///
/// Every constructor but `listed` applies the one ID rule. `listed` holds a row of a
/// list page as the server sent it, to be shown (escaped) and never fetched: its ID may
/// break the rule (`is_valid`), and it then displays escaped and cut.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketRef {
    kind: TicketKind,
    id: Arc<str>,
}

/// Why a reference was refused; `Display` gives the whole message (the config adds
/// the file, line and column of the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRef {
    /// The text as given.
    pub text: String,
    /// The kind the text asked for (a plain ID asks for an execution).
    pub kind: TicketKind,
    pub reason: &'static str,
}

impl fmt::Display for InvalidRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} {:?}: {}",
            self.kind.id_noun(),
            self.text,
            self.reason
        )
    }
}

impl std::error::Error for InvalidRef {}

impl TicketRef {
    /// `script/UUID` is a script ticket; anything else is an execution ID. Both IDs pass
    /// the one ID rule; a slash anywhere else is refused.
    pub fn parse(text: &str) -> Result<TicketRef, InvalidRef> {
        match text.strip_prefix(SCRIPT_PREFIX) {
            Some(id) => TicketRef::new(TicketKind::Script, id).map_err(|reason| InvalidRef {
                text: text.to_string(),
                kind: TicketKind::Script,
                reason,
            }),
            None => {
                let refuse = |reason| InvalidRef {
                    text: text.to_string(),
                    kind: TicketKind::Execution,
                    reason,
                };
                if let Some((prefix, _)) = text.split_once('/')
                    && prefix.eq_ignore_ascii_case("script")
                {
                    return Err(refuse(
                        "a script ticket is written in lower case: script/UUID",
                    ));
                }
                if text.contains('/') {
                    return Err(refuse(
                        "it contains a slash (a script ticket is written script/UUID)",
                    ));
                }
                TicketRef::new(TicketKind::Execution, text).map_err(refuse)
            }
        }
    }

    /// A reference of `kind` to `id`, after the one ID rule.
    pub fn new(kind: TicketKind, id: &str) -> Result<TicketRef, &'static str> {
        validate_execution_id(id)?;
        Ok(TicketRef {
            kind,
            id: id.into(),
        })
    }

    /// A ticket of a list page as the server named it, valid or not: for showing, and
    /// for holding a selection; only a valid one may be fetched or copied.
    pub fn listed(kind: TicketKind, id: &str) -> TicketRef {
        TicketRef {
            kind,
            id: id.into(),
        }
    }

    /// Whether its ID passes the one ID rule (always, but for a `listed` one).
    pub fn is_valid(&self) -> bool {
        validate_execution_id(&self.id).is_ok()
    }

    pub fn execution(id: &str) -> Result<TicketRef, &'static str> {
        TicketRef::new(TicketKind::Execution, id)
    }

    pub fn script(execute_uuid: &str) -> Result<TicketRef, &'static str> {
        TicketRef::new(TicketKind::Script, execute_uuid)
    }

    pub fn kind(&self) -> TicketKind {
        self.kind
    }

    /// The bare ID: the execution ID, or the script ticket's `execute_uuid`.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn is_script(&self) -> bool {
        self.kind == TicketKind::Script
    }
}

impl fmt::Display for TicketRef {
    /// As written; an ID that breaks the rule (a listed one) escaped and cut, so that
    /// it can never pass for a good one nor reach a terminal raw.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = super::shown_id(&self.id);
        match self.kind {
            TicketKind::Execution => f.write_str(&id),
            TicketKind::Script => write!(f, "{SCRIPT_PREFIX}{id}"),
        }
    }
}

/// A reference equals the text it is written as (`EX…`, `script/UUID`).
impl PartialEq<str> for TicketRef {
    fn eq(&self, written: &str) -> bool {
        match self.kind {
            TicketKind::Execution => *self.id == *written,
            TicketKind::Script => written.strip_prefix(SCRIPT_PREFIX) == Some(&*self.id),
        }
    }
}

impl PartialEq<&str> for TicketRef {
    fn eq(&self, written: &&str) -> bool {
        self == *written
    }
}

impl PartialEq<String> for TicketRef {
    fn eq(&self, written: &String) -> bool {
        self == written.as_str()
    }
}

impl PartialEq<TicketRef> for String {
    fn eq(&self, reference: &TicketRef) -> bool {
        reference == self.as_str()
    }
}

impl PartialEq<TicketRef> for &str {
    fn eq(&self, reference: &TicketRef) -> bool {
        reference == *self
    }
}

impl FromStr for TicketRef {
    type Err = InvalidRef;

    fn from_str(text: &str) -> Result<TicketRef, InvalidRef> {
        TicketRef::parse(text)
    }
}

impl Serialize for TicketRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TicketRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        TicketRef::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_id_is_an_execution_and_script_slash_a_script_ticket() {
        let execution = TicketRef::parse("EX2025070121014501abcdef").unwrap();
        assert_eq!(execution.kind(), TicketKind::Execution);
        assert_eq!(execution.id(), "EX2025070121014501abcdef");
        let script = TicketRef::parse("script/JS20250701120000abcdefghij").unwrap();
        assert_eq!(script.kind(), TicketKind::Script);
        assert_eq!(script.id(), "JS20250701120000abcdefghij");
        assert!(script.is_script() && !execution.is_script());
    }

    #[test]
    fn references_display_as_they_are_written() {
        for text in ["EX2025070121014501abcdef", "script/0f3c-uuid", "简体ID"] {
            let parsed = TicketRef::parse(text).unwrap();
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed, text);
            assert_eq!(text.parse::<TicketRef>().unwrap(), parsed);
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(serde_json::from_str::<TicketRef>(&json).unwrap(), parsed);
        }
    }

    #[test]
    fn the_same_rule_refuses_bad_ids_of_both_kinds() {
        for bad in ["", "EX 1", "EX\u{202e}1", "..", "a\\b", "EX\u{1b}1"] {
            let execution = TicketRef::parse(bad).unwrap_err();
            let script = TicketRef::parse(&format!("script/{bad}")).unwrap_err();
            assert_eq!(execution.kind, TicketKind::Execution);
            assert_eq!(script.kind, TicketKind::Script);
            assert_eq!(execution.reason, script.reason, "{bad:?}");
            assert_eq!(Err(execution.reason), validate_execution_id(bad));
        }
        assert!(TicketRef::parse(&format!("script/{}", "u".repeat(129))).is_err());
    }

    #[test]
    fn slashes_other_than_the_script_prefix_are_refused_with_a_hint() {
        let nested = TicketRef::parse("script/a/b").unwrap_err();
        assert_eq!(nested.kind, TicketKind::Script);
        assert_eq!(nested.reason, "it contains a slash");
        let shouted = TicketRef::parse("SCRIPT/abc").unwrap_err();
        assert!(shouted.reason.contains("lower case"), "{shouted}");
        let other = TicketRef::parse("job/abc").unwrap_err();
        assert!(other.reason.contains("script/UUID"), "{other}");
        assert_eq!(
            TicketRef::parse("script/").unwrap_err().to_string(),
            "invalid script ticket ID \"script/\": it is empty"
        );
        assert_eq!(
            TicketRef::parse("EX 1").unwrap_err().to_string(),
            "invalid execution ID \"EX 1\": it contains white space"
        );
    }

    #[test]
    fn a_listed_reference_that_breaks_the_rule_displays_escaped() {
        let bad = TicketRef::listed(TicketKind::Script, "JS\u{1b}[2J\n1");
        assert!(!bad.is_valid());
        assert_eq!(bad.to_string(), "script/JS\\u{1b}[2J\\u{a}1");
        let good = TicketRef::listed(TicketKind::Execution, "EX1");
        assert!(good.is_valid());
        assert_eq!(good, TicketRef::parse("EX1").unwrap());
    }

    #[test]
    fn deserialising_a_bad_reference_fails_with_the_rule_s_reason() {
        let error = serde_json::from_str::<TicketRef>("\"script/a b\"").unwrap_err();
        assert!(error.to_string().contains("white space"), "{error}");
    }
}
