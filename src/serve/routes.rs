//! The three things `serve` answers: `/metrics`, `/healthz`, `/events`. Nothing else,
//! and nothing that carries a credential: profile and query names from the config,
//! statuses, counts, times, and error messages as the server wrote them (sanitised).

use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Shared;
use super::events::MAX_READERS;
use super::metrics::CONTENT_TYPE;

const TEXT: &str = "text/plain; charset=utf-8";

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/events", get(events))
        .fallback(not_found)
        .with_state(shared)
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    // `profile_up` follows the same verdict as /healthz, as of this scrape.
    shared.board().problems(SystemTime::now(), &shared.metrics);
    let text = shared.metrics.encode();
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

/// 200 while every profile polls; 503 naming each one that does not, and why.
async fn healthz(State(shared): State<Arc<Shared>>) -> Response {
    let now = SystemTime::now();
    let board = shared.board();
    let problems = board.problems(now, &shared.metrics);
    let (status, body) = if problems.is_empty() {
        let mut body = "ok\n".to_string();
        for line in board.summary(now) {
            body.push_str(&line);
            body.push('\n');
        }
        (StatusCode::OK, body)
    } else {
        let mut body = "unhealthy\n".to_string();
        for (profile, problem) in problems {
            body.push_str(&format!("{profile}: {problem}\n"));
        }
        (StatusCode::SERVICE_UNAVAILABLE, body)
    };
    (status, [(header::CONTENT_TYPE, TEXT)], body).into_response()
}

async fn events(State(shared): State<Arc<Shared>>) -> Response {
    let Some(stream) = shared.events.stream() else {
        let why = format!(
            "too many /events readers ({MAX_READERS} at once): try again when one leaves\n"
        );
        // Closed with the answer: a connection kept alive would hold its slot still.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, TEXT), (header::CONNECTION, "close")],
            why,
        )
            .into_response();
    };
    let body = Body::from_stream(stream);
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, TEXT)],
        "not found: coctop serve answers GET /metrics, /healthz and /events\n",
    )
        .into_response()
}
