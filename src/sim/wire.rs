//! Response shapes of COC and its API gateway (APIG).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::lang::Lang;

pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// COC's own error codes (the simulator's choice apart from `NOT_FOUND`, which is real).
pub const NOT_FOUND: &str = "COC.00040709";
pub const NOT_FOUND_MSG: &str = "The execution does not exist";
pub const INVALID_PARAMETER: &str = "COC.00040001";
pub const OPERATION_REFUSED: &str = "COC.00040712";
pub const INTERNAL_ERROR: &str = "COC.00050001";
/// An unknown document, as the service answers (the terraform provider relies on it).
pub const DOCUMENT_NOT_FOUND: &str = "COC.00042101";
/// The simulator's choices: an unknown version of a document, an unknown script.
pub const VERSION_NOT_FOUND: &str = "COC.00042102";
pub const SCRIPT_NOT_FOUND: &str = "COC.00040801";

/// The gateway's codes.
pub const APIG_NOT_FOUND: &str = "APIG.0101";
pub const APIG_AUTH: &str = "APIG.0301";
pub const APIG_THROTTLED: &str = "APIG.0308";

pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            );
            response
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            INTERNAL_ERROR,
            &e.to_string(),
        ),
    }
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({"error_code": code, "error_msg": message}))
}

pub fn not_found() -> Response {
    error(StatusCode::BAD_REQUEST, NOT_FOUND, NOT_FOUND_MSG)
}

pub fn invalid_parameter(detail: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        INVALID_PARAMETER,
        &format!("Invalid request parameter: {detail}"),
    )
}

/// A request parameter the service refuses, in the language asked for.
pub fn invalid_parameter_in(lang: Lang, detail: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        INVALID_PARAMETER,
        &lang.pick(
            format!("Invalid request parameter: {detail}"),
            format!("请求参数错误：{detail}"),
        ),
    )
}

/// The request body as `T` (`what` names it), or why it is not one.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("the body is not {what}: {e}"))
}

/// A 400 with `code` and the message in the language asked for.
pub fn refused(lang: Lang, code: &str, en: String, zh: String) -> Response {
    error(StatusCode::BAD_REQUEST, code, &lang.pick(en, zh))
}

/// A JSON object of `fields`, to which more can be added.
pub fn object<const N: usize>(fields: [(&str, Value); N]) -> Map<String, Value> {
    fields
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

pub fn data(value: &impl Serialize) -> Response {
    json_response(StatusCode::OK, &json!({"data": value}))
}

pub fn page(items: &impl Serialize, total: usize) -> Response {
    json_response(StatusCode::OK, &json!({"data": items, "total": total}))
}

pub fn unauthorized(reason: &str) -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        APIG_AUTH,
        &format!("Incorrect IAM authentication information: {reason}"),
    )
}

pub fn unknown_route() -> Response {
    error(
        StatusCode::NOT_FOUND,
        APIG_NOT_FOUND,
        "The API does not exist or has not been published in the environment",
    )
}
