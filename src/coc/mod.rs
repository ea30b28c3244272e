//! Everything that knows the COC wire protocol: model, client, signing, errors.

pub mod auth;
pub mod client;
pub mod documents;
pub mod error;
mod job;
pub mod model;
pub mod pager;
mod reference;
mod response;
pub mod script;

pub use auth::{Auth, Credentials, Secret};
pub use client::{
    ApiLanguage, Client, ClientConfig, Endpoint, ListQuery, MAX_LIST_LIMIT, RetryPolicy,
    is_loopback_url,
};
pub use documents::{
    DocumentDetail, DocumentParameter, DocumentQuery, DocumentSummary, DocumentVersion,
    ExecuteDocumentRequest,
};
pub use error::{ApiError, ErrorKind, HeldBack};
pub use job::{JobOperation, JobStatus, JobTicket};
pub use model::{
    ExecutionType, Instance, KeyValue, Operation, Page, RawJson, Status, Step, Target, Targets,
    Ticket,
};
pub use reference::{InvalidRef, SCRIPT_PREFIX, TicketKind, TicketRef};
pub use response::decode_page;
pub use script::{
    ExecuteBatch, ExecuteParam, ScriptBatch, ScriptBatchHosts, ScriptExecuteRequest, ScriptHost,
    ScriptHostQuery, ScriptOperation, ScriptOrder, ScriptOrderQuery, ScriptStatistics,
    ScriptStatus, ScriptTicket, TargetInstance,
};

/// Why an execution ID is refused. The one rule for every place an ID enters: the
/// config, the command line, the dashboard, and the client before it builds a URL; it
/// checks script tickets' IDs too (`TicketRef`), and documents' and scripts' IDs before
/// they go into a path.
pub fn validate_execution_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        return Err("it is empty");
    }
    if id.chars().any(char::is_control) {
        return Err("it contains control characters");
    }
    if id.chars().any(char::is_whitespace) {
        return Err("it contains white space");
    }
    if id.chars().any(is_invisible) {
        return Err("it contains invisible or bidirectional-control characters");
    }
    if id.contains('/') || id.contains('\\') {
        return Err("it contains a slash");
    }
    if id == "." || id == ".." {
        return Err("it is a path segment, not an ID");
    }
    if id.len() > 128 {
        return Err("it is longer than 128 bytes");
    }
    Ok(())
}

/// Longest a refused ID is shown, in terminal columns.
const SHOWN_BAD_ID_WIDTH: usize = 40;

/// An ID as shown to people: as it is when it passes the one ID rule; otherwise with
/// every invisible or control character written out as an escape and cut, so that a
/// bad ID never looks like a good one nor widens a table.
pub fn shown_id(id: &str) -> std::borrow::Cow<'_, str> {
    if validate_execution_id(id).is_ok() {
        return std::borrow::Cow::Borrowed(id);
    }
    let mut escaped = String::new();
    for c in id.chars() {
        if escaped.len() > SHOWN_BAD_ID_WIDTH * 4 {
            break;
        }
        if c.is_control() || c.is_whitespace() || is_invisible(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    std::borrow::Cow::Owned(crate::text::fit(&escaped, SHOWN_BAD_ID_WIDTH).into_owned())
}

/// Characters that print as nothing or reorder text: an ID holding one looks like
/// another ID on screen.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

#[cfg(test)]
mod tests {
    use super::validate_execution_id;

    #[test]
    fn a_bad_id_is_shown_escaped_and_cut() {
        use super::shown_id;
        assert_eq!(
            shown_id("EX2025070121014501abcdef"),
            "EX2025070121014501abcdef"
        );
        assert_eq!(shown_id("EX\u{200b}1"), "EX\\u{200b}1");
        assert_eq!(shown_id("EX\u{1b}[2J"), "EX\\u{1b}[2J");
        let ten_kb = "E".repeat(10_000);
        let long = shown_id(&ten_kb);
        assert_eq!(unicode_width::UnicodeWidthStr::width(long.as_ref()), 40);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn ids_with_space_invisible_or_bidi_characters_are_refused() {
        assert_eq!(validate_execution_id("EX2025070121014501abcdef"), Ok(()));
        for bad in [
            "",
            "EX 1",
            " EX1",
            "EX1\u{a0}",
            "EX\u{3000}1",
            "EX\u{200b}1",
            "EX\u{202e}1",
            "EX\u{2066}1",
            "EX\u{feff}",
            "EX\u{1b}1",
            "a/b",
            "a\\b",
            ".",
            "..",
        ] {
            assert!(validate_execution_id(bad).is_err(), "{bad:?} passed");
        }
        assert!(validate_execution_id(&"E".repeat(129)).is_err());
    }
}
