//! Starting a job or a script (`coctop run`, and "run again" in the dashboard): which
//! document a name means, what is sent, how it is shown in full before it is
//! confirmed, and how the answer is told and logged. Like every operation it is sent
//! once and never retried: an answer that does not come leaves the outcome unknown.

use std::fmt;

use serde_json::{Map, Value};

use crate::coc::{
    ApiError, DocumentDetail, DocumentSummary, ErrorKind, ExecuteBatch, ExecuteDocumentRequest,
    ExecuteParam, HeldBack, KeyValue, RawJson, ScriptExecuteRequest, Target, TargetInstance,
    Targets, Ticket,
    script::{ROTATION_CONTINUE, ScriptParam},
};
use crate::text;

/// `--param KEY=VALUE`: split at the first `=`; the key may not be empty.
pub fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.to_string(), value.to_string())),
        Some(_) => Err(format!(
            "{text:?}: the parameter's name is empty (KEY=VALUE)"
        )),
        None => Err(format!(
            "{text:?}: KEY=VALUE expected (no `=`); an empty value is KEY="
        )),
    }
}

/// `--target`: a resource ID (sent as `{"resource_id": ID}`), or a whole resource as a
/// JSON object.
pub fn parse_target(text: &str) -> Result<Value, String> {
    if text.trim_start().starts_with('{') {
        return match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) => Ok(value),
            Ok(_) | Err(_) => Err(format!("{text:?}: not a JSON object")),
        };
    }
    crate::coc::validate_execution_id(text)
        .map_err(|why| format!("{text:?}: not a resource ID: {why}"))?;
    let mut resource = Map::new();
    resource.insert("resource_id".into(), Value::String(text.to_string()));
    Ok(Value::Object(resource))
}

/// What the command line asked to run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunArgs {
    pub version: Option<String>,
    pub params: Vec<(String, String)>,
    pub target_param: Option<String>,
    pub targets: Vec<Value>,
    pub description: Option<String>,
}

/// A job's run, as sent: `POST /v1/documents/{document_id}` with `request`.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    pub document_id: String,
    /// The job's name, for people.
    pub name: Option<String>,
    pub request: ExecuteDocumentRequest,
}

impl JobRun {
    /// A run of `document` with what the command line gave. Targets need the parameter
    /// they fill (`--target-param`).
    pub fn new(document: &DocumentDetail, args: RunArgs) -> Result<JobRun, String> {
        if !args.targets.is_empty() && args.target_param.is_none() {
            return Err(
                "--target needs --target-param NAME: the parameter the targets fill".into(),
            );
        }
        let targets = (!args.targets.is_empty()).then(|| {
            vec![Target {
                key: "InstanceValues".into(),
                values: args.targets.iter().map(RawJson::from_value).collect(),
            }]
        });
        let run = JobRun {
            document_id: document.document_id.clone(),
            name: document.name.clone(),
            request: ExecuteDocumentRequest {
                version: args.version.or_else(|| document.version.clone()),
                parameters: args
                    .params
                    .into_iter()
                    .map(|(key, value)| KeyValue { key, value })
                    .collect(),
                target_parameter_name: args.target_param,
                targets,
                description: args.description,
                ..ExecuteDocumentRequest::default()
            },
        };
        run.check(document)?;
        Ok(run)
    }

    /// The same job, version, parameters and targets as `ticket` (run again).
    pub fn again(ticket: &Ticket) -> Option<JobRun> {
        Some(JobRun {
            document_id: ticket.document_id.clone()?,
            name: ticket.document_name.clone(),
            request: ExecuteDocumentRequest {
                version: ticket.document_version.clone(),
                parameters: ticket.parameters.clone(),
                target_parameter_name: ticket.target_parameter_name.clone(),
                targets: ticket
                    .targets
                    .as_ref()
                    .map(Targets::list)
                    .filter(|t| !t.is_empty()),
                ..ExecuteDocumentRequest::default()
            },
        })
    }

    /// Against the parameters the document declares (when it says): none unknown, every
    /// required one without a default given. The server has the last word.
    fn check(&self, document: &DocumentDetail) -> Result<(), String> {
        let declared = &document.parameters;
        if declared.is_empty() {
            return Ok(());
        }
        let names = || {
            declared
                .iter()
                .map(|p| text::cell(&p.key, 40).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let given = &self.request.parameters;
        if let Some(unknown) = given
            .iter()
            .find(|g| !declared.iter().any(|d| d.key == g.key))
        {
            return Err(format!(
                "the job has no parameter {:?}; its parameters: {}",
                text::reveal(&unknown.key),
                names()
            ));
        }
        if let Some(missing) = declared.iter().find(|d| {
            d.required
                && d.value.as_deref().is_none_or(str::is_empty)
                && !given.iter().any(|g| g.key == d.key)
        }) {
            return Err(format!(
                "the job needs --param {}=VALUE",
                text::reveal(&missing.key)
            ));
        }
        Ok(())
    }

    /// The run in full, line by line, for the confirmation: server text and values
    /// with every invisible or control character written out (a newline in a value
    /// shows as `\u{a}`), long ones cut.
    pub fn describe(&self) -> Vec<String> {
        let request = &self.request;
        let mut lines = vec![format!(
            "RUN job {} ({})  version {}",
            text::cell(self.name.as_deref().unwrap_or("-"), 60),
            shown(&self.document_id),
            request.version.as_deref().map_or("latest".into(), shown),
        )];
        for kv in &request.parameters {
            lines.push(format!(
                "  parameter {} = {}",
                shown(&kv.key),
                shown(&kv.value)
            ));
        }
        if let Some(targets) = &request.targets {
            let name = request.target_parameter_name.as_deref().unwrap_or("-");
            for target in targets {
                lines.push(format!(
                    "  targets {} ({}, {} values)",
                    shown(name),
                    shown(&target.key),
                    target.values.len()
                ));
                lines.extend(
                    target
                        .values
                        .iter()
                        .take(MAX_SHOWN_TARGETS)
                        .map(|v| format!("    {}", text::fit(&text::reveal(v.get()), VALUE_WIDTH))),
                );
                if target.values.len() > MAX_SHOWN_TARGETS {
                    lines.push(format!(
                        "    … and {} more",
                        target.values.len() - MAX_SHOWN_TARGETS
                    ));
                }
            }
        }
        if let Some(description) = &request.description {
            lines.push(format!("  description {}", shown(description)));
        }
        lines
    }

    /// What a log line and a list command name it by.
    pub fn what(&self) -> String {
        format!("RUN {}", text::fit(&text::reveal(&self.document_id), 128))
    }
}

/// Targets listed one by one at most in a confirmation.
const MAX_SHOWN_TARGETS: usize = 20;
/// A value is cut here in a confirmation.
const VALUE_WIDTH: usize = 160;

fn shown(value: &str) -> String {
    text::fit(&text::reveal(value), VALUE_WIDTH).into_owned()
}

/// Which document a name means among those the list found: the one named exactly so,
/// else the only one found.
#[derive(Debug, Clone, PartialEq)]
pub enum Chosen {
    One(DocumentSummary),
    NoneFound,
    Several(Vec<DocumentSummary>),
}

pub fn choose(name: &str, found: Vec<DocumentSummary>) -> Chosen {
    let exact: Vec<&DocumentSummary> = found
        .iter()
        .filter(|d| d.name.as_deref() == Some(name))
        .collect();
    if let [one] = exact[..] {
        return Chosen::One(one.clone());
    }
    match found.len() {
        0 => Chosen::NoneFound,
        1 => Chosen::One(found.into_iter().next().expect("one")),
        _ => Chosen::Several(found),
    }
}

/// One line per document found, for the message of a name that is not unique.
pub fn candidates(found: &[DocumentSummary]) -> Vec<String> {
    found
        .iter()
        .map(|d| {
            format!(
                "  {}  {}  {}",
                shown(&d.document_id),
                text::cell(d.name.as_deref().unwrap_or("-"), 60),
                text::cell(d.version.as_deref().unwrap_or("-"), 20)
            )
        })
        .collect()
}

/// A script's run (`coctop run --script UUID`): every target in one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptRun {
    pub script_uuid: String,
    pub request: ScriptExecuteRequest,
}

impl ScriptRun {
    pub fn new(script_uuid: &str, args: RunArgs) -> Result<ScriptRun, String> {
        if args.targets.is_empty() {
            return Err("a script runs on hosts: give at least one --target".into());
        }
        let target_instances = args
            .targets
            .iter()
            .map(|value| {
                serde_json::from_value::<TargetInstance>(value.clone())
                    .map_err(|e| format!("a target is not a host resource: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ScriptRun {
            script_uuid: script_uuid.to_string(),
            request: ScriptExecuteRequest {
                execute_param: ExecuteParam {
                    script_params: args
                        .params
                        .into_iter()
                        .map(|(param_name, param_value)| ScriptParam {
                            param_name,
                            param_value,
                            param_refer: None,
                        })
                        .collect(),
                    ..ExecuteParam::default()
                },
                execute_batches: vec![ExecuteBatch {
                    batch_index: 1,
                    target_instances,
                    rotation_strategy: Some(ROTATION_CONTINUE.into()),
                }],
            },
        })
    }

    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![format!("RUN script {}", shown(&self.script_uuid))];
        for p in &self.request.execute_param.script_params {
            lines.push(format!(
                "  parameter {} = {}",
                shown(&p.param_name),
                shown(&p.param_value)
            ));
        }
        for batch in &self.request.execute_batches {
            lines.push(format!(
                "  batch {} ({} hosts)",
                batch.batch_index,
                batch.target_instances.len()
            ));
            for host in batch.target_instances.iter().take(MAX_SHOWN_TARGETS) {
                let id = host.resource_id.as_deref().unwrap_or("-");
                lines.push(format!("    {}", shown(id)));
            }
        }
        lines
    }

    pub fn what(&self) -> String {
        format!(
            "RUN script {}",
            text::fit(&text::reveal(&self.script_uuid), 128)
        )
    }
}

/// What counts as a yes: `y` alone.
pub fn confirmed(answer: &str) -> bool {
    answer == "y"
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// The new ticket's ID.
    Started(String),
    /// Sent, and answered with a clear no: nothing started.
    Refused(ApiError),
    /// Sent, and no clear answer came (a time-out, a dropped connection, a 5xx, an
    /// answer that cannot be read): it may have started.
    Unknown(ApiError),
    Declined,
    ReadOnly,
    /// Never sent: held back.
    NotSent(HeldBack),
}

impl RunOutcome {
    pub fn of(result: Result<String, ApiError>) -> RunOutcome {
        match result {
            Ok(id) => RunOutcome::Started(id),
            Err(ApiError::ReadOnly) => RunOutcome::ReadOnly,
            Err(ApiError::NotSent(why)) => RunOutcome::NotSent(why),
            Err(e) if outcome_unknown(&e) => RunOutcome::Unknown(e),
            Err(e) => RunOutcome::Refused(e),
        }
    }
}

/// After this error nobody knows whether the server started it.
fn outcome_unknown(error: &ApiError) -> bool {
    matches!(error.kind(), ErrorKind::Server | ErrorKind::Network)
        || matches!(error, ApiError::Decode { .. })
}

impl fmt::Display for RunOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunOutcome::Started(id) => write!(f, "started {}", text::reveal(id)),
            RunOutcome::Refused(e) => write!(f, "refused: {e}"),
            RunOutcome::Unknown(e) => write!(
                f,
                "outcome unknown: {e}; it may have started: look for a new ticket by you in \
                 the last minute before running it again"
            ),
            RunOutcome::Declined => f.write_str("not sent: declined"),
            RunOutcome::ReadOnly => f.write_str("not sent: read-only"),
            RunOutcome::NotSent(why) => write!(f, "not sent: {why}"),
        }
    }
}

/// One line in the log file per run, whatever became of it, naming where it went
/// (`to`: an `operate::Destination`) when the config names profiles; server text
/// escaped so that it can neither forge a line nor reach a terminal that shows the log
/// raw.
pub fn log(what: &str, to: Option<impl fmt::Display>, outcome: &RunOutcome) {
    let to = to.map(|to| format!(" ({to})")).unwrap_or_default();
    let line = format!(
        "{what}{}: {}",
        text::reveal(&to),
        text::reveal(&outcome.to_string())
    );
    match outcome {
        RunOutcome::Started(_) => tracing::info!(target: "coctop::operate", "{line}"),
        _ => tracing::warn!(target: "coctop::operate", "{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(parameters: serde_json::Value) -> DocumentDetail {
        serde_json::from_value(serde_json::json!({
            "document_id": "DM1", "name": "Restart app", "version": "v2",
            "parameters": parameters,
        }))
        .unwrap()
    }

    #[test]
    fn a_param_needs_an_equals_sign_and_a_name() {
        assert_eq!(
            parse_param("dir=/tmp").unwrap(),
            ("dir".into(), "/tmp".into())
        );
        assert_eq!(parse_param("q=a=b").unwrap(), ("q".into(), "a=b".into()));
        assert_eq!(
            parse_param("empty=").unwrap(),
            ("empty".into(), String::new())
        );
        assert!(parse_param("dir").unwrap_err().contains("no `=`"));
        assert!(parse_param("=x").unwrap_err().contains("name is empty"));
    }

    #[test]
    fn targets_are_ids_or_json_objects() {
        assert_eq!(
            parse_target("i-123").unwrap(),
            serde_json::json!({"resource_id": "i-123"})
        );
        let whole = parse_target(r#"{"resource_id": "r1", "name": "web-01"}"#).unwrap();
        assert_eq!(whole["name"], "web-01");
        assert!(parse_target("{1").is_err());
        assert!(parse_target("a b").is_err());
    }

    #[test]
    fn a_run_is_checked_against_the_declared_parameters_and_shown_whole() {
        let doc = document(serde_json::json!([
            {"key": "service", "required": true},
            {"key": "mode", "value": "rolling", "required": true}
        ]));
        let args = |params: &[(&str, &str)]| RunArgs {
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..RunArgs::default()
        };
        let missing = JobRun::new(&doc, args(&[])).unwrap_err();
        assert!(missing.contains("--param service=VALUE"), "{missing}");
        let unknown = JobRun::new(&doc, args(&[("service", "x"), ("nope", "1")])).unwrap_err();
        assert!(
            unknown.contains("\"nope\"") && unknown.contains("service, mode"),
            "{unknown}"
        );
        let run = JobRun::new(&doc, args(&[("service", "line one\nline two\u{1b}[2J")])).unwrap();
        assert_eq!(run.request.version.as_deref(), Some("v2"));
        let shown = run.describe();
        assert_eq!(shown[0], "RUN job Restart app (DM1)  version v2");
        assert_eq!(
            shown[1],
            "  parameter service = line one\\u{a}line two\\u{1b}[2J"
        );
        // Undeclared parameters (a service that does not say) are the server's to judge.
        assert!(JobRun::new(&document(serde_json::json!([])), args(&[("any", "1")])).is_ok());
        let targets = RunArgs {
            targets: vec![parse_target("i-1").unwrap()],
            ..args(&[("service", "x")])
        };
        assert!(
            JobRun::new(&doc, targets.clone())
                .unwrap_err()
                .contains("--target-param")
        );
        let run = JobRun::new(
            &doc,
            RunArgs {
                target_param: Some("hosts".into()),
                ..targets
            },
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&run.request).unwrap()["targets"],
            serde_json::json!([{"key": "InstanceValues", "values": [{"resource_id": "i-1"}]}])
        );
    }

    #[test]
    fn a_name_chooses_the_exact_match_else_the_only_one() {
        let doc = |id: &str, name: &str| -> DocumentSummary {
            serde_json::from_value(serde_json::json!({"document_id": id, "name": name})).unwrap()
        };
        let found = vec![doc("DM1", "Restart app"), doc("DM2", "Restart app (old)")];
        assert!(
            matches!(choose("Restart app", found.clone()), Chosen::One(d) if d.document_id == "DM1")
        );
        assert!(matches!(choose("Restart", found.clone()), Chosen::Several(v) if v.len() == 2));
        assert!(matches!(
            choose("old", vec![found[1].clone()]),
            Chosen::One(_)
        ));
        assert_eq!(choose("x", Vec::new()), Chosen::NoneFound);
        assert_eq!(candidates(&found)[0], "  DM1  Restart app  -");
    }

    #[test]
    fn time_outs_5xx_and_unreadable_answers_leave_the_outcome_unknown() {
        let http = ApiError::bare_http;
        for error in [
            http(500),
            http(502),
            ApiError::Timeout {
                after: std::time::Duration::from_secs(15),
            },
            ApiError::Decode {
                detail: "no ID".into(),
                excerpt: None,
                request_id: None,
            },
        ] {
            let outcome = RunOutcome::of(Err(error.clone()));
            assert!(matches!(outcome, RunOutcome::Unknown(_)), "{error}");
            assert!(outcome.to_string().contains("may have started"));
        }
        assert!(matches!(
            RunOutcome::of(Err(http(400))),
            RunOutcome::Refused(_)
        ));
        assert_eq!(
            RunOutcome::of(Err(ApiError::ReadOnly)),
            RunOutcome::ReadOnly
        );
        // Held back (after a 401, the dashboard ending): never "refused", never
        // "may have started".
        let held = RunOutcome::of(Err(ApiError::NotSent(HeldBack::CredentialsRefused(
            Box::new(http(401)),
        ))));
        assert_eq!(
            held.to_string(),
            "not sent: the credentials were refused earlier (HTTP 401)"
        );
        let ended = RunOutcome::of(Err(ApiError::NotSent(HeldBack::Ended)));
        assert_eq!(
            ended.to_string(),
            "not sent: coctop ended before it was sent"
        );
    }
}
