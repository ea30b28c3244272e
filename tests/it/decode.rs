//! Decoding real-shaped COC bodies (tests/fixtures) into the model, as the client does.

use coctop::coc::model::Envelope;
use coctop::coc::{ExecutionType, KeyValue, Page, Status, Step, Ticket};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ticket(name: &str) -> Ticket {
    let envelope: Envelope<Ticket> = serde_json::from_str(&fixture(name)).unwrap();
    envelope.data.expect("fixture has data")
}

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value.into(),
    }
}

#[test]
fn published_example_decodes_verbatim() {
    let t = ticket("execution-detail-example.json");
    assert_eq!(t.id.as_deref(), Some("123"), "numeric id kept as text");
    assert_eq!(t.execution_id, "EX2025070121014501xxxxxx");
    assert_eq!(t.execution_type, Some(ExecutionType::Normal));
    assert_eq!(t.document_name.as_deref(), Some("test_document"));
    assert_eq!(t.document_id.as_deref(), Some("DM2025070118023901xxxxxx"));
    assert_eq!(
        t.document_version_id.as_deref(),
        Some("573634e7-5e69-4b4b-b4a1-b7433xxxxxx")
    );
    assert_eq!(t.document_version.as_deref(), Some("v2"));
    assert_eq!(t.start_time, Some(1_751_374_905_000));
    assert_eq!(t.end_time, None);
    assert_eq!(t.update_time, Some(1_751_374_905_000));
    assert_eq!(t.status, Some(Status::Pending));
    assert!(!t.is_terminal());
    assert_eq!(t.description, None);
    assert!(t.parameters.is_empty() && t.tags.is_empty() && t.sys_tags.is_empty());
    assert_eq!(t.target_parameter_name, None);
    assert_eq!(t.targets, None);
    assert_eq!(t.creator.as_deref(), Some("COC-Script"));
}

#[test]
fn nulls_everywhere_leave_an_empty_ticket() {
    let t = ticket("execution-nulls.json");
    assert_eq!(t, Ticket::empty("EX2025070121014501nulls0"));
}

#[test]
fn unknown_values_and_extra_fields_are_tolerated() {
    let t = ticket("execution-unusual.json");
    assert_eq!(
        t.id.as_deref(),
        Some("9007199254740993"),
        "no float rounding"
    );
    assert_eq!(
        t.execution_type,
        Some(ExecutionType::Unknown("CANARY".into()))
    );
    assert_eq!(t.status, Some(Status::Unknown("Paused".into())));
    assert_eq!(t.status.as_ref().unwrap().to_string(), "Paused");
    assert!(!t.is_terminal());
    assert_eq!(t.start_time, Some(1_751_374_905_000), "numeric string");
    assert_eq!(t.end_time, Some(1_751_375_005_000), "float");
    assert_eq!(t.update_time, None, "garbage time is missing, not fatal");
    assert_eq!(
        t.parameters,
        [
            kv("batch_size", "5"),
            kv("dry_run", "true"),
            kv("hosts", r#"["a","b"]"#)
        ]
    );
    let targets = t.targets.unwrap().list();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0].key, "BatchValues");
    assert_eq!(
        targets[0].values[0].parse()["target_instances"][0]["resource_id"],
        "i-1"
    );
    assert!(targets[1].values.is_empty());
    assert_eq!(t.tags, [kv("env", "prod")]);
}

#[test]
fn a_step_page_decodes_with_mixed_ids_and_nulls() {
    let page: Page<Step> = serde_json::from_str(&fixture("steps-page.json")).unwrap();
    assert_eq!(page.total, Some(7));
    let [done, waiting] = &page.data[..] else {
        panic!("expected two steps, got {:?}", page.data);
    };
    assert_eq!(done.execution_step_id.as_deref(), Some("1001"));
    assert_eq!(done.status, Some(Status::Succeed));
    assert_eq!(
        done.inputs,
        [kv("script", "echo drain"), kv("timeout", "300")]
    );
    assert_eq!(done.outputs, [kv("exit_code", "0")]);
    assert_eq!(done.properties["fail_strategy"], "STOP");
    assert_eq!(done.end_time, Some(1_751_374_965_000));
    assert_eq!(waiting.execution_step_id.as_deref(), Some("1002"));
    assert_eq!(
        waiting.status,
        Some(Status::Unknown("WaitingApproval".into()))
    );
    assert_eq!(waiting.message, None);
    assert!(waiting.inputs.is_empty() && waiting.outputs.is_empty());
    assert!(waiting.properties.is_empty());
}

#[test]
fn a_list_page_keeps_sys_tags_and_types() {
    let page: Page<Ticket> = serde_json::from_str(&fixture("executions-page.json")).unwrap();
    assert_eq!(page.total, Some(2));
    assert_eq!(page.data[0].id.as_deref(), Some("41"));
    assert_eq!(page.data[0].execution_type, Some(ExecutionType::Batch));
    assert_eq!(
        page.data[0].sys_tags,
        [kv("_sys_enterprise_project_id", "0")]
    );
    assert_eq!(
        page.data[1].execution_type,
        Some(ExecutionType::RateControl)
    );
    assert!(page.data[1].is_terminal());
    assert_eq!(
        page.data[1].target_parameter_name.as_deref(),
        Some("instances")
    );
}

#[test]
fn a_ticket_without_execution_id_is_refused() {
    let result =
        serde_json::from_str::<Envelope<Ticket>>(r#"{"data":{"id":1,"status":"Running"}}"#);
    let error = result.unwrap_err().to_string();
    assert!(error.contains("execution_id"), "{error}");
}

#[test]
fn the_benchmark_ticket_decodes_in_full() {
    let t = ticket("execution-realistic.json");
    assert_eq!(t.status, Some(Status::Running));
    assert_eq!(t.parameters.len(), 8);
    assert_eq!(t.tags.len(), 4);
    let targets = t.targets.unwrap().list();
    assert_eq!(targets[0].values.len(), 2);
    assert_eq!(
        targets[0].values[1].parse()["target_instances"][1]["name"],
        "payments-mysql-prod-node-4"
    );
}
