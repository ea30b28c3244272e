//! What stands in front of the API, as at the real gateway: request IDs, added latency,
//! AK/SK signature checks and injected faults (throttling, 5xx).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use rand::Rng;

use super::Shared;
use super::wire;
use crate::coc::auth::{AuthorizationHeader, Secret, SigningRequest, sign};

/// Requests whose `X-Sdk-Date` is further than this from the server clock are refused.
const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;
const MAX_BODY_BYTES: usize = 1 << 20;

/// Outermost: every response carries an `X-Request-Id`.
pub async fn request_id(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let n = shared.requests.fetch_add(1, Ordering::Relaxed);
    if matches!(
        *req.method(),
        axum::http::Method::POST | axum::http::Method::PUT
    ) {
        shared.writes.fetch_add(1, Ordering::Relaxed);
    }
    let id = format!("{:016x}{:016x}", shared.options.seed, n);
    let mut response = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

pub async fn latency(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !shared.options.latency.is_zero() {
        tokio::time::sleep(shared.options.latency).await;
    }
    next.run(req).await
}

pub async fn authenticate(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let Some((ak, sk)) = &shared.options.credentials else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return wire::invalid_parameter("the request body is too large or unreadable");
    };
    match verify_signature(&parts, &body, ak, sk.expose(), shared.clock.now()) {
        Ok(()) => next.run(Request::from_parts(parts, Body::from(body))).await,
        Err(reason) => wire::unauthorized(&reason),
    }
}

/// Recomputes the SDK-HMAC-SHA256 signature of the request as received.
pub fn verify_signature(
    parts: &Parts,
    body: &[u8],
    ak: &str,
    sk: &str,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let header_text = |name: &str| -> Result<Option<&str>, String> {
        match parts.headers.get(name) {
            None => Ok(None),
            Some(v) => v
                .to_str()
                .map(Some)
                .map_err(|_| format!("header {name} is not valid text")),
        }
    };
    let authorization =
        header_text("authorization")?.ok_or("the Authorization header is missing")?;
    let claimed = AuthorizationHeader::parse(authorization)
        .ok_or("the Authorization header is not SDK-HMAC-SHA256")?;
    if claimed.access != ak {
        return Err("the access key is unknown".into());
    }
    let date = header_text("x-sdk-date")?.ok_or("the X-Sdk-Date header is missing")?;
    let signed_at = NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| format!("X-Sdk-Date {date:?} is not YYYYMMDDTHHMMSSZ"))?
        .and_utc();
    if (now - signed_at).num_seconds().abs() > MAX_CLOCK_SKEW_SECS {
        return Err(format!(
            "X-Sdk-Date {date} is more than 15 minutes from the server time"
        ));
    }
    let host = match header_text("host")? {
        Some(host) => host.to_string(),
        None => parts
            .uri
            .authority()
            .map(|a| a.to_string())
            .ok_or("the Host header is missing")?,
    };
    let mut headers = Vec::new();
    for name in &claimed.signed_headers {
        if name == "host" || name == "x-sdk-date" {
            continue;
        }
        let value = header_text(name)?
            .ok_or_else(|| format!("signed header {name} is missing from the request"))?;
        headers.push((name.clone(), value.to_string()));
    }
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let expected = sign(
        &SigningRequest {
            method: parts.method.as_str(),
            host: &host,
            path: parts.uri.path(),
            query: &query,
            headers: &headers,
            body,
        },
        ak,
        &Secret::new(sk),
        date,
    );
    let expected_signature = expected
        .authorization
        .rsplit("Signature=")
        .next()
        .unwrap_or_default();
    if expected.signed_headers != claimed.signed_headers.join(";")
        || !constant_time_eq(expected_signature.as_bytes(), claimed.signature.as_bytes())
    {
        return Err("verify aksk signature fail".into());
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Seeded faults: throttling first (as the gateway would), then backend failures.
pub async fn faults(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let options = &shared.options;
    if options.throttle_rate <= 0.0 && options.fail_rate <= 0.0 {
        return next.run(req).await;
    }
    let (throttle_roll, retry_after, fail_roll, failure) = {
        let mut rng = shared.faults.lock().unwrap_or_else(|e| e.into_inner());
        (
            rng.r#gen::<f64>(),
            rng.gen_range(1..=2u8),
            rng.r#gen::<f64>(),
            rng.gen_range(0..3u8),
        )
    };
    if throttle_roll < options.throttle_rate {
        let mut response = wire::error(
            StatusCode::TOO_MANY_REQUESTS,
            wire::APIG_THROTTLED,
            "The throttling threshold has been reached: policy user over ratelimit, limit:20, time:1 second",
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(u16::from(retry_after)),
        );
        return response;
    }
    if fail_roll < options.fail_rate {
        return match failure {
            0 => wire::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                wire::INTERNAL_ERROR,
                "Internal server error, please try again later",
            ),
            1 => (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                BAD_GATEWAY_PAGE,
            )
                .into_response(),
            _ => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        };
    }
    next.run(req).await
}

const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n\
<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
</body>\r\n</html>\r\n";
