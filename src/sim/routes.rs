//! The COC execution endpoints.

use std::sync::{Arc, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use super::store::{ListFilter, OperateError, Paging, Store};
use super::{Shared, wire};
use crate::coc::{MAX_LIST_LIMIT, Operation};

pub(super) const DEFAULT_LIMIT: usize = 10;
/// Steps and instances of one ticket: the published API names no bound.
const MAX_LIMIT: usize = 1000;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/executions", get(list_executions).post(operate))
        .route("/v1/executions/instances", get(list_instances))
        .route("/v1/executions/{execution_id}", get(show_execution))
        .route("/v1/executions/{execution_id}/steps", get(list_steps))
        .merge(super::script::routes::router())
        .merge(super::documents::routes::router())
        .fallback(unknown_route)
        .method_not_allowed_fallback(unknown_route)
        .with_state(shared)
}

async fn unknown_route() -> Response {
    wire::unknown_route()
}

/// The store, with tickets started since the last request let in.
pub(super) fn store(shared: &Shared) -> (MutexGuard<'_, Store>, i64) {
    let now = shared.clock.now_ms();
    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
    store.catch_up(now);
    (store, now)
}

async fn show_execution(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return wire::not_found();
    };
    let (store, now) = store(&shared);
    match store.ticket(&id, now) {
        Some(ticket) => wire::data(&ticket),
        None => wire::not_found(),
    }
}

async fn list_executions(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let query = Query::parse(raw);
    let parsed = (|| -> Result<(ListFilter, Paging), String> {
        let filter = ListFilter {
            creator: query.text("creator"),
            start_after: query.number("start_time")?,
            end_before: query.number("end_time")?,
            document_name: query.text("document_name"),
            document_id: query.text("document_id"),
            tags: parse_tags(query.text("tags").as_deref())?,
            exclude_children: query.flag("exclude_child_executions")?,
        };
        Ok((filter, query.paging(MAX_LIST_LIMIT as usize)?))
    })();
    let (filter, paging) = match parsed {
        Ok(p) => p,
        Err(detail) => return wire::invalid_parameter(&detail),
    };
    let (store, now) = store(&shared);
    let (tickets, total) = store.list(&filter, paging, now);
    wire::page(&tickets, total)
}

async fn list_steps(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Ok(Path(id)) = id else {
        return wire::not_found();
    };
    let query = Query::parse(raw);
    let paging = match query.paging(MAX_LIMIT) {
        Ok(p) => p,
        Err(detail) => return wire::invalid_parameter(&detail),
    };
    // Repeated, or comma-separated as the official SDK sends it.
    let wanted: Vec<String> = query
        .all("execution_step_id_list")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    let (store, now) = store(&shared);
    match store.steps(&id, &wanted, now) {
        Some(steps) => {
            let total = steps.len();
            let page: Vec<_> = steps
                .into_iter()
                .skip(paging.offset)
                .take(paging.limit)
                .collect();
            wire::page(&page, total)
        }
        None => wire::not_found(),
    }
}

async fn list_instances(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let query = Query::parse(raw);
    let paging = match query.paging(MAX_LIMIT) {
        Ok(p) => p,
        Err(detail) => return wire::invalid_parameter(&detail),
    };
    let Some(step) = query.text("execution_step_id") else {
        return wire::invalid_parameter("execution_step_id is required");
    };
    let (store, now) = store(&shared);
    let instances = store.instances(&step, now);
    let total = instances.len();
    let page: Vec<Value> = instances
        .into_iter()
        .skip(paging.offset)
        .take(paging.limit)
        .map(numeric_id)
        .collect();
    wire::page(&page, total)
}

/// Instance IDs are integers on the wire.
fn numeric_id(instance: crate::coc::Instance) -> Value {
    let mut value = serde_json::to_value(instance).unwrap_or(Value::Null);
    if let Some(id) = value.get_mut("id")
        && let Some(n) = id.as_str().and_then(|s| s.parse::<u64>().ok())
    {
        *id = Value::from(n);
    }
    value
}

async fn operate(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return wire::invalid_parameter(&format!("the body is not JSON: {e}")),
    };
    let Some(id) = request.get("execution_id").and_then(Value::as_str) else {
        return wire::invalid_parameter("execution_id is required");
    };
    let operation = request
        .get("operate_type")
        .cloned()
        .and_then(|v| serde_json::from_value::<Operation>(v).ok());
    let Some(operation) = operation else {
        return wire::invalid_parameter(
            "operate_type must be one of RESUME, TERMINATE, RETRY, SKIP_BATCH",
        );
    };
    let (mut store, now) = store(&shared);
    match store.operate(id, operation, now) {
        Ok(()) => wire::json_response(StatusCode::OK, &serde_json::json!({})),
        Err(OperateError::NotFound) => wire::not_found(),
        Err(OperateError::Refused(why)) => {
            wire::error(StatusCode::BAD_REQUEST, wire::OPERATION_REFUSED, &why)
        }
    }
}

/// `k1=v1,k2=v2`.
fn parse_tags(text: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().into(), v.trim().into())),
            _ => Err(format!(
                "tags must look like key1=value1,key2=value2, not {pair:?}"
            )),
        })
        .collect()
}

/// Decoded query pairs, repeated keys kept.
pub(super) struct Query(Vec<(String, String)>);

impl Query {
    pub(super) fn parse(raw: Option<String>) -> Query {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn text(&self, name: &str) -> Option<String> {
        self.all(name).next().map(str::to_string)
    }

    pub(super) fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        self.text(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| format!("{name} must be a non-negative integer, not {v:?}"))
            })
            .transpose()
    }

    fn flag(&self, name: &str) -> Result<bool, String> {
        match self.text(name).map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(other) => Err(format!("{name} must be true or false, not {other:?}")),
        }
    }

    pub(super) fn paging(&self, max_limit: usize) -> Result<Paging, String> {
        let limit = self.limit(max_limit)?.unwrap_or(DEFAULT_LIMIT);
        let offset = self.number::<usize>("offset")?.unwrap_or(0);
        Ok(Paging { limit, offset })
    }

    /// `limit` when given, between 1 and `max_limit`.
    pub(super) fn limit(&self, max_limit: usize) -> Result<Option<usize>, String> {
        let limit = self.number::<usize>("limit")?;
        if limit.is_some_and(|limit| !(1..=max_limit).contains(&limit)) {
            return Err(format!("limit must be between 1 and {max_limit}"));
        }
        Ok(limit)
    }
}
