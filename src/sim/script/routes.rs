//! The script-ticket endpoints (`/v1/job/script/orders`, `/v1/job/scripts`). Messages
//! follow `X-Language`.

use std::sync::{Arc, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::Value;

use super::life::Refusal;
use super::store::{ExecuteError, OperateError, OrderFilter, ScriptError, ScriptStore};
use crate::coc::script::{MAX_SCRIPT_HOST_LIMIT, MAX_SCRIPT_ORDER_LIMIT};
use crate::coc::{ScriptExecuteRequest, ScriptOperation, ScriptStatus};
use crate::sim::lang::Lang;
use crate::sim::routes::{DEFAULT_LIMIT, Query};
use crate::sim::{Shared, wire};

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/job/script/orders", get(list))
        .route("/v1/job/script/orders/{execute_uuid}", get(detail))
        .route(
            "/v1/job/script/orders/{execute_uuid}/statistics",
            get(statistics),
        )
        .route("/v1/job/script/orders/{execute_uuid}/batches", get(batches))
        .route(
            "/v1/job/script/orders/{execute_uuid}/batches/{batch_index}",
            get(hosts),
        )
        .route(
            "/v1/job/script/orders/{execute_uuid}/operation",
            put(operate),
        )
        .route("/v1/job/scripts/{script_uuid}", post(execute))
}

fn scripts(shared: &Shared) -> (MutexGuard<'_, ScriptStore>, i64) {
    let now = shared.clock.now_ms();
    let store = shared.scripts.lock().unwrap_or_else(|e| e.into_inner());
    (store, now)
}

/// The statuses a filter takes.
fn status_filter(query: &Query, name: &str) -> Result<Option<ScriptStatus>, String> {
    match query.text(name).map(|s| ScriptStatus::parse(&s)) {
        Some(ScriptStatus::Unknown(other)) => Err(format!(
            "{name} must be one of {}, not {other:?}",
            ScriptStatus::KNOWN.map(|s| s.to_string()).join(", ")
        )),
        known => Ok(known),
    }
}

async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = Lang::of(&headers);
    let query = Query::parse(raw);
    let parsed = (|| -> Result<_, String> {
        let filter = OrderFilter {
            creator: query.text("creator"),
            status: status_filter(&query, "status")?,
            start_time: query.number("start_time")?,
            end_time: query.number("end_time")?,
        };
        let limit = query
            .limit(MAX_SCRIPT_ORDER_LIMIT as usize)?
            .unwrap_or(DEFAULT_LIMIT);
        Ok((filter, limit, query.number::<i64>("marker")?))
    })();
    let (filter, limit, marker) = match parsed {
        Ok(parsed) => parsed,
        Err(detail) => return wire::invalid_parameter_in(lang, &detail),
    };
    let (store, now) = scripts(&shared);
    let (rows, total) = store.list(&filter, limit, marker, now);
    wire::data(&serde_json::json!({"total": total, "data": rows}))
}

async fn detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uuid: Result<Path<String>, PathRejection>,
) -> Response {
    about_ticket(&shared, &headers, uuid, |store, uuid, now| {
        store.detail(uuid, now)
    })
}

async fn statistics(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uuid: Result<Path<String>, PathRejection>,
) -> Response {
    about_ticket(&shared, &headers, uuid, |store, uuid, now| {
        store.statistics(uuid, now)
    })
}

async fn batches(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uuid: Result<Path<String>, PathRejection>,
) -> Response {
    about_ticket(&shared, &headers, uuid, |store, uuid, _| {
        store.batches(uuid)
    })
}

/// Answers a GET about one ticket with what `read` makes of it at the sim's now.
fn about_ticket(
    shared: &Shared,
    headers: &HeaderMap,
    uuid: Result<Path<String>, PathRejection>,
    read: impl FnOnce(&ScriptStore, &str, i64) -> Result<Value, ScriptError>,
) -> Response {
    let lang = Lang::of(headers);
    let Ok(Path(uuid)) = uuid else {
        return no_ticket(lang);
    };
    let (store, now) = scripts(shared);
    answer(lang, read(&store, &uuid, now))
}

async fn hosts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = Lang::of(&headers);
    let Ok(Path((uuid, batch_index))) = path else {
        return no_ticket(lang);
    };
    let query = Query::parse(raw);
    let parsed = (|| -> Result<_, String> {
        let batch_index: usize = batch_index
            .trim()
            .parse()
            .map_err(|_| format!("batch_index must be a number, not {batch_index:?}"))?;
        let limit = query
            .limit(MAX_SCRIPT_HOST_LIMIT as usize)?
            .ok_or("limit is required")?;
        let status = status_filter(&query, "status")?;
        Ok((batch_index, status, limit, query.number::<i64>("marker")?))
    })();
    let (batch_index, status, limit, marker) = match parsed {
        Ok(parsed) => parsed,
        Err(detail) => return wire::invalid_parameter_in(lang, &detail),
    };
    let (store, now) = scripts(&shared);
    answer(
        lang,
        store.hosts(&uuid, batch_index, status.as_ref(), limit, marker, now),
    )
}

async fn operate(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uuid: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let lang = Lang::of(&headers);
    let Ok(Path(uuid)) = uuid else {
        return no_ticket(lang);
    };
    let operation = match parse_operation(&body) {
        Ok(operation) => operation,
        Err(detail) => return wire::invalid_parameter_in(lang, &detail),
    };
    let (mut store, now) = scripts(&shared);
    match store.operate(&uuid, operation, now) {
        Ok(()) => wire::data(&uuid),
        Err(OperateError::NoTicket) => no_ticket(lang),
        Err(OperateError::Refused(refusal)) => refused(lang, refusal, operation),
    }
}

/// `JobScriptOrderOperationBody`, numbers also taken as strings (as the published
/// example sends `batch_index`).
fn parse_operation(body: &[u8]) -> Result<ScriptOperation, String> {
    let body: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let number = |name: &str| -> Result<i64, String> {
        let value = body.get(name).unwrap_or(&Value::Null);
        value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| format!("{name} is required and must be a number"))
    };
    match body.get("operation_type").and_then(Value::as_str) {
        Some("PAUSE_ORDER") => Ok(ScriptOperation::PauseOrder),
        Some("CONTINUE_ORDER") => Ok(ScriptOperation::ContinueOrder),
        Some("CANCEL_ORDER") => Ok(ScriptOperation::CancelOrder),
        Some("SKIP_BATCH") => Ok(ScriptOperation::SkipBatch {
            batch_index: u32::try_from(number("batch_index")?)
                .map_err(|_| "batch_index must be between 1 and 20".to_string())?,
        }),
        Some("CANCEL_INSTANCE") => Ok(ScriptOperation::CancelInstance {
            instance_id: number("instance_id")?,
        }),
        _ => Err(
            "operation_type must be one of PAUSE_ORDER, CONTINUE_ORDER, \
                  CANCEL_ORDER, SKIP_BATCH, CANCEL_INSTANCE"
                .into(),
        ),
    }
}

async fn execute(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    script_uuid: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let lang = Lang::of(&headers);
    let Ok(Path(script_uuid)) = script_uuid else {
        return no_script(lang);
    };
    let request: ScriptExecuteRequest = match wire::json_body(&body, "a script run") {
        Ok(request) => request,
        Err(detail) => return wire::invalid_parameter_in(lang, &detail),
    };
    let (mut store, now) = scripts(&shared);
    match store.execute(&script_uuid, &request, now) {
        Ok(execute_uuid) => wire::data(&execute_uuid),
        Err(ExecuteError::NoScript) => no_script(lang),
        Err(ExecuteError::MissingParameter(name)) => wire::invalid_parameter_in(
            lang,
            &lang.pick(
                format!("script parameter {name} is required"),
                format!("缺少必填脚本参数 {name}"),
            ),
        ),
        Err(ExecuteError::UnknownParameter(name)) => wire::invalid_parameter_in(
            lang,
            &lang.pick(
                format!("the script has no parameter {name:?}"),
                format!("脚本没有参数 {name:?}"),
            ),
        ),
        Err(ExecuteError::Invalid(detail)) => wire::invalid_parameter_in(lang, &detail),
    }
}

fn answer(lang: Lang, result: Result<Value, ScriptError>) -> Response {
    match result {
        Ok(value) => wire::data(&value),
        Err(ScriptError::NoTicket) => no_ticket(lang),
        Err(ScriptError::NoBatch { batches }) => wire::invalid_parameter_in(
            lang,
            &lang.pick(
                format!("batch_index must be between 1 and {batches}"),
                format!("批次序号须在 1 到 {batches} 之间"),
            ),
        ),
    }
}

/// 400 `COC.00040712`: why the ticket refuses `operation`.
fn refused(lang: Lang, refusal: Refusal, operation: ScriptOperation) -> Response {
    let op = operation.operation_type();
    let (en, zh) = match refusal {
        Refusal::Status(status) => (
            format!("The script ticket in status {status} does not support operation {op}"),
            format!("脚本工单当前状态为 {status}，不支持操作 {op}"),
        ),
        Refusal::NoSuchBatch => (
            format!("The script ticket has no such batch for operation {op}"),
            format!("脚本工单没有该批次，无法执行 {op}"),
        ),
        Refusal::BatchOver => (
            "The batch has already finished or been skipped".into(),
            "该批次已结束或已跳过".into(),
        ),
        Refusal::NoSuchHost => (
            "The script ticket has no such instance".into(),
            "脚本工单中没有该实例".into(),
        ),
        Refusal::HostOver(status) => (
            format!("The instance in status {status} cannot be canceled"),
            format!("实例状态为 {status}，无法取消"),
        ),
    };
    wire::refused(lang, wire::OPERATION_REFUSED, en, zh)
}

fn no_ticket(lang: Lang) -> Response {
    wire::refused(
        lang,
        wire::NOT_FOUND,
        "The script ticket does not exist".into(),
        "脚本工单不存在".into(),
    )
}

fn no_script(lang: Lang) -> Response {
    wire::refused(
        lang,
        wire::SCRIPT_NOT_FOUND,
        "The script does not exist".into(),
        "脚本不存在".into(),
    )
}
