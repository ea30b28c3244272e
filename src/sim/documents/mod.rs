//! Documents (jobs) as `/v1/documents` shows them, and the checks the service makes
//! before a run of one starts. Pure data: no HTTP here.
//!
//! Conventions beyond the published API: the detail carries `parameters` (key, default
//! `value`, `required`, `description`); a job's first parameter is required and has
//! no default, the others default to the first value they take.

pub(super) mod routes;

use serde_json::{Map, Value, json};

use super::catalog::CREATORS;
use super::generate::{Document, GivenRun, RunRequest};
use super::wire;
use crate::coc::{ExecuteDocumentRequest, ExecutionType};

/// Filters of `GET /v1/documents`.
#[derive(Debug, Default, Clone)]
pub struct DocumentFilter {
    pub name_like: Option<String>,
    pub creator: Option<String>,
    pub enterprise_project_id: Option<String>,
    /// Public documents (Huawei's own); this simulator has none.
    pub public: bool,
}

#[derive(Debug, PartialEq)]
pub enum DocumentError {
    NoDocument,
    NoVersion(String),
    MissingParameter(&'static str),
    UnknownParameter(String),
    BadTargets(String),
}

const ENTERPRISE_PROJECT: &str = "0";
const RISK_LEVELS: [&str; 3] = ["LOW", "MEDIUM", "HIGH"];
/// Target hosts of one run at most.
const MAX_TARGETS: usize = 200;

fn creator(index: usize) -> &'static str {
    CREATORS[index % CREATORS.len()]
}

/// The documents that match, newest first, a page of them, and how many match.
pub fn list(
    documents: &[Document],
    filter: &DocumentFilter,
    limit: usize,
    offset: usize,
) -> (Vec<Value>, usize) {
    let contains = |text: &str, part: &Option<String>| {
        part.as_ref()
            .is_none_or(|p| text.to_lowercase().contains(&p.to_lowercase()))
    };
    let mut matching: Vec<(usize, &Document)> = documents
        .iter()
        .enumerate()
        .filter(|(i, d)| {
            !filter.public
                && contains(d.job.name, &filter.name_like)
                && contains(creator(*i), &filter.creator)
                && filter
                    .enterprise_project_id
                    .as_ref()
                    .is_none_or(|p| p == ENTERPRISE_PROJECT)
        })
        .collect();
    matching.sort_by_key(|(_, d)| std::cmp::Reverse(d.created));
    let total = matching.len();
    let page = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(i, d)| Value::Object(summary(i, d, d.versions.len() - 1)))
        .collect();
    (page, total)
}

/// The fields of a list row, which the detail has too: document `i` at version `v`.
fn summary(i: usize, document: &Document, v: usize) -> Map<String, Value> {
    wire::object([
        ("document_id", json!(document.document_id)),
        ("name", json!(document.job.name)),
        ("create_time", json!(document.created)),
        ("update_time", json!(document.version_created(v))),
        ("version", json!(document.versions[v].0)),
        ("creator", json!(creator(i))),
        ("modifier", json!(creator(i + 1))),
        ("enterprise_project_id", json!(ENTERPRISE_PROJECT)),
    ])
}

fn find<'a>(documents: &'a [Document], id: &str) -> Result<(usize, &'a Document), DocumentError> {
    documents
        .iter()
        .enumerate()
        .find(|(_, d)| d.document_id == id)
        .ok_or(DocumentError::NoDocument)
}

/// The index of `version` (the latest when `None`).
fn version_of(document: &Document, version: Option<&str>) -> Result<usize, DocumentError> {
    match version {
        None => Ok(document.versions.len() - 1),
        Some(wanted) => document
            .versions
            .iter()
            .position(|(v, _)| v == wanted)
            .ok_or_else(|| DocumentError::NoVersion(wanted.to_string())),
    }
}

/// `GET /v1/documents/{document_id}`'s `data`, at `version`.
pub fn detail(
    documents: &[Document],
    id: &str,
    version: Option<&str>,
) -> Result<Value, DocumentError> {
    let (i, document) = find(documents, id)?;
    let v = version_of(document, version)?;
    let job = document.job;
    let parameters: Vec<Value> = job
        .parameters
        .iter()
        .enumerate()
        .map(|(p, (key, values))| {
            json!({
                "key": key,
                "value": (p > 0).then(|| values[0]),
                "required": p == 0,
                "description": format!("{}\nallowed: {}", key.replace('_', " "), values.join(", ")),
            })
        })
        .collect();
    let versions: Vec<Value> = document
        .versions
        .iter()
        .enumerate()
        .map(|(n, (name, uuid))| {
            json!({"version": name, "version_uuid": uuid, "create_time": document.version_created(n)})
        })
        .collect();
    let mut fields = summary(i, document, v);
    fields.extend(wire::object([
        ("id", json!((10_000 + i).to_string())),
        ("content", json!(content(document, v))),
        ("risk_level", json!(RISK_LEVELS[i % RISK_LEVELS.len()])),
        ("description", json!(job.description)),
        ("tags", json!([])),
        ("versions", json!(versions)),
        ("parameters", json!(parameters)),
    ]));
    Ok(Value::Object(fields))
}

/// The job as its DSL text.
fn content(document: &Document, version: usize) -> String {
    let job = document.job;
    let mut text = format!(
        "meta:\n  name: {}\n  version: {}\nparameters:\n",
        job.name, document.versions[version].0
    );
    for (p, (key, values)) in job.parameters.iter().enumerate() {
        text.push_str(&format!("  - name: {key}\n"));
        match p {
            0 => text.push_str("    required: true\n"),
            _ => text.push_str(&format!("    default: \"{}\"\n", values[0])),
        }
    }
    text.push_str("steps:\n");
    for step in job.steps {
        text.push_str(&format!(
            "  - name: {}\n    action: {}\n    inputs:\n      {}: {}\n",
            step.name, step.action, step.input.0, step.input.1
        ));
    }
    text
}

/// The run `request` asks for, after the service's checks: a known document and
/// version, every parameter known and the required one given, targets of a known kind.
pub fn run_request(
    documents: &[Document],
    id: &str,
    request: &ExecuteDocumentRequest,
) -> Result<RunRequest, DocumentError> {
    let (index, document) = find(documents, id)?;
    let version = version_of(document, request.version.as_deref())?;
    let declared = document.job.parameters;
    if let Some(unknown) = request
        .parameters
        .iter()
        .find(|given| !declared.iter().any(|(key, _)| *key == &*given.key))
    {
        return Err(DocumentError::UnknownParameter(unknown.key.to_string()));
    }
    let given = |key: &str| {
        request
            .parameters
            .iter()
            .find(|p| &*p.key == key)
            .map(|p| p.value.to_string())
            .filter(|v| !v.trim().is_empty())
    };
    let mut parameters = Vec::with_capacity(declared.len());
    for (p, (key, values)) in declared.iter().enumerate() {
        let value = match given(key) {
            Some(value) => value,
            None if p == 0 => return Err(DocumentError::MissingParameter(key)),
            None => values[0].to_string(),
        };
        parameters.push((key.to_string(), value));
    }
    let (kind, resources) = targets(request)?;
    Ok(RunRequest {
        document: index,
        version,
        kind,
        parameters,
        given: GivenRun {
            description: request.description.clone(),
            target_parameter_name: request.target_parameter_name.clone(),
            targets: request.targets.clone().filter(|t| !t.is_empty()),
            sys_tags: request
                .sys_tags
                .iter()
                .map(|t| (t.key.to_string(), t.value.to_string()))
                .collect(),
            resources,
        },
    })
}

/// What the targets make of the run: BATCH with `BatchValues` (each value a batch with
/// its `target_instances`), RATE_CONTROL with `InstanceValues` (each value a host, with
/// `target_parameter_name`), NORMAL with none. The hosts with their batch (from 1).
fn targets(
    request: &ExecuteDocumentRequest,
) -> Result<(ExecutionType, Vec<(Value, usize)>), DocumentError> {
    let bad = |why: &str| Err(DocumentError::BadTargets(why.to_string()));
    let targets = request.targets.as_deref().unwrap_or_default();
    let mut kind = ExecutionType::Normal;
    let mut resources = Vec::new();
    for target in targets {
        match target.key.as_str() {
            "BatchValues" => {
                kind = ExecutionType::Batch;
                for (n, batch) in target.values.iter().enumerate() {
                    let batch = batch.parse();
                    let Some(hosts) = batch["target_instances"].as_array() else {
                        return bad("each BatchValues value needs target_instances");
                    };
                    let index = batch["batch_index"].as_u64().map_or(n + 1, |i| i as usize);
                    resources.extend(hosts.iter().map(|h| (h.clone(), index)));
                }
            }
            "InstanceValues" => {
                if request.target_parameter_name.is_none() {
                    return bad("InstanceValues needs target_parameter_name");
                }
                if kind != ExecutionType::Batch {
                    kind = ExecutionType::RateControl;
                }
                resources.extend(target.values.iter().map(|v| (v.parse(), 1)));
            }
            other => {
                return bad(&format!(
                    "a target's key is InstanceValues or BatchValues, not {other:?}"
                ));
            }
        }
    }
    if resources.len() > MAX_TARGETS {
        return bad(&format!("at most {MAX_TARGETS} target hosts"));
    }
    Ok((kind, resources))
}
