//! Properties over generated input (proptest; a few seconds in all): what the fuzz
//! targets in fuzz/ check for hours, checked on every `cargo test`.

use coctop::coc::model::Envelope;
use coctop::coc::{
    Page, ScriptBatchHosts, ScriptOrder, ScriptStatistics, ScriptTicket, Step, Ticket,
};
use coctop::config::parse_text;
use coctop::text::sanitize;
use proptest::prelude::*;

/// Text rich in what servers should not send: escapes, controls, bidi and zero-width
/// characters, line breaks, wide characters.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ]{0,6}",
        Just("\u{1b}[".to_string()),
        Just("\u{1b}]0;".to_string()),
        Just("\u{1b}P".to_string()),
        Just("\u{1b}\\".to_string()),
        Just("\u{7}".to_string()),
        Just("\u{9b}".to_string()),
        Just("\u{9d}".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{feff}".to_string()),
        Just("\r\n\t".to_string()),
        Just("\u{2028}".to_string()),
        Just("数据".to_string()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// A JSON value of any shape, a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(ticket_key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Field names of the wire model, and a few others.
fn ticket_key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "data",
        "total",
        "execution_id",
        "status",
        "id",
        "type",
        "start_time",
        "end_time",
        "update_time",
        "parameters",
        "targets",
        "values",
        "key",
        "value",
        "tags",
        "sys_tags",
        "document_name",
        "execution_step_id",
        "inputs",
        "outputs",
        "properties",
        "execute_uuid",
        "order_id",
        "gmt_created",
        "execute_param",
        "execute_instances",
        "target_instance",
        "message",
        "execute_statistics",
        "batch_indexes",
        "other",
    ])
    .prop_map(String::from)
}

/// TOML-ish text: real keys and tables, values of every type, and junk between them.
fn config_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        prop::sample::select(vec![
            "[api]",
            "[auth]",
            "[poll]",
            "[[watch]]",
            "[pol]",
            "[api",
            "[[watch]",
        ])
        .prop_map(String::from),
        (
            prop::sample::select(vec![
                "region",
                "endpoint",
                "timeout",
                "deadline",
                "allow_http",
                "method",
                "ak",
                "sk",
                "interval",
                "concurrency",
                "max_rps",
                "id",
                "label",
                "intervall",
            ]),
            prop::sample::select(vec![
                "\"5s\"",
                "\"soon\"",
                "0",
                "-1.5",
                "true",
                "\"EX 1\"",
                "\"EX\\u202e1\"",
                "\"http://u:p@h\"",
                "[1, 2]",
                "{ a = 1 }",
                "\"",
                "1e400",
                "",
            ]),
        )
            .prop_map(|(key, value)| format!("{key} = {value}")),
        hostile_text(),
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn sanitized_text_holds_no_control_character_and_is_a_fixed_point(text in hostile_text()) {
        let clean = sanitize(&text);
        prop_assert!(!clean.chars().any(char::is_control), "{:?}", clean);
        prop_assert!(!clean.contains('\u{202e}') && !clean.contains('\u{200b}'), "{:?}", clean);
        let again = sanitize(&clean);
        prop_assert_eq!(again.as_ref(), clean.as_ref());
    }

    #[test]
    fn decoding_any_json_never_panics(value in json_value(), wrap in any::<bool>()) {
        let value = if wrap { serde_json::json!({ "data": value }) } else { value };
        let body = serde_json::to_vec(&value).unwrap();
        if let Ok(Envelope { data: Some(ticket), .. }) = serde_json::from_slice::<Envelope<Ticket>>(&body) {
            let label = ticket.status.map(|s| s.label().into_owned()).unwrap_or_default();
            prop_assert!(!label.chars().any(char::is_control), "{:?}", label);
        }
        let _ = serde_json::from_slice::<Page<Ticket>>(&body);
        let _ = serde_json::from_slice::<Page<Step>>(&body);
        if let Ok(Envelope { data: Some(page), .. }) = serde_json::from_slice::<Envelope<Page<ScriptOrder>>>(&body) {
            for order in page.data {
                let label = order.status.map(|s| s.label().into_owned()).unwrap_or_default();
                prop_assert!(!label.chars().any(char::is_control), "{:?}", label);
            }
        }
        let _ = serde_json::from_slice::<Envelope<ScriptTicket>>(&body);
        let _ = serde_json::from_slice::<Envelope<ScriptBatchHosts>>(&body);
        let _ = serde_json::from_slice::<Envelope<ScriptStatistics>>(&body);
    }

    #[test]
    fn decoding_any_bytes_never_panics(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = serde_json::from_slice::<Envelope<Ticket>>(&body);
        let _ = serde_json::from_slice::<Page<Ticket>>(&body);
    }

    #[test]
    fn every_config_error_names_a_line_and_column_in_the_text(text in config_text()) {
        if let Err(problems) = parse_text(&text) {
            prop_assert!(!problems.is_empty());
            let lines = text.split('\n').count();
            for problem in problems {
                let at = problem.position;
                prop_assert!(at.is_some(), "{:?} has no position", problem.message);
                let at = at.unwrap();
                prop_assert!(at.line >= 1 && at.line <= lines && at.column >= 1, "{:?}", at);
            }
        }
    }
}
