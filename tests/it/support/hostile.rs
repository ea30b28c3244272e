//! A hostile COC server on loopback: every request is answered by a script the test
//! gives (any status, any body, or no answer at all), and every request is logged with
//! the instant it arrived, to count requests and measure their rate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Response, StatusCode};

/// What the server does with one request.
pub enum Answer {
    /// This status and JSON body.
    Json(u16, String),
    /// Never answers.
    Hang,
}

/// One request as the script sees it: the path and the decoded query.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
}

impl Seen {
    pub fn number(&self, key: &str) -> u64 {
        self.query
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

type Script = dyn Fn(&Seen) -> Answer + Send + Sync;

pub struct Hostile {
    pub url: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    pub fn start(script: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Hostile {
        let script: Arc<Script> = Arc::new(script);
        let log = Arc::new(Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let served = log.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().fallback(move |request: Request| {
                    let (script, log) = (script.clone(), served.clone());
                    async move { answer(&*script, &log, request).await }
                });
                let _ = axum::serve(listener, app).await;
            });
        });
        Hostile { url, log }
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self, path_contains: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path.contains(path_contains))
            .count()
    }

    /// The most requests that arrived within any `window`.
    pub fn most_within(&self, window: Duration) -> usize {
        let times: Vec<Instant> = self.seen().iter().map(|s| s.at).collect();
        let mut first = 0;
        let mut most = 0;
        for (last, &at) in times.iter().enumerate() {
            while times[first] + window <= at {
                first += 1;
            }
            most = most.max(last - first + 1);
        }
        most
    }
}

async fn answer(script: &Script, log: &Mutex<Vec<Seen>>, request: Request) -> Response<Body> {
    let uri = request.uri();
    let seen = Seen {
        at: Instant::now(),
        method: request.method().to_string(),
        path: uri.path().to_string(),
        query: url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
    };
    let answer = script(&seen);
    log.lock().unwrap().push(seen);
    match answer {
        Answer::Json(status, body) => Response::builder()
            .status(StatusCode::from_u16(status).unwrap())
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap(),
        Answer::Hang => std::future::pending().await,
    }
}

/// A list page's body: `rows` as `data`, `total` written as given (it may lie, or not
/// be a number at all).
pub fn page(rows: &[serde_json::Value], total: &str) -> String {
    format!(
        "{{\"data\": {}, \"total\": {total}}}",
        serde_json::to_string(rows).unwrap()
    )
}

/// A running ticket as the list and detail APIs send it.
pub fn ticket(id: &str) -> serde_json::Value {
    serde_json::json!({
        "execution_id": id,
        "status": "Running",
        "document_name": "hostile",
        "start_time": 1_751_000_000_000i64,
        "type": "NORMAL",
    })
}
