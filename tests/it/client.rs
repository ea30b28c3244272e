//! `coc::Client` against small axum servers on 127.0.0.1: what reaches the wire
//! (raw request target, headers, body, signature) and how every failure is reported.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coctop::coc::auth::{AuthorizationHeader, SigningRequest, sign};
use coctop::coc::{
    ApiError, Auth, Client, ClientConfig, Endpoint, ListQuery, Operation, RetryPolicy, Secret,
    Status,
};

const AK: &str = "AKTESTCLIENT0001";
pub(crate) const SK: &str = "sk-9f8e7d6c5b4a-never-print-me";
const SECURITY_TOKEN: &str = "temporary-token-abc";
const TICKET_ID: &str = "EX2025070121014501xxxxxx";

/// One request exactly as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    /// The request target as sent: path and query, not normalised or decoded.
    pub(crate) target: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    pub(crate) fn query(&self) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }
}

/// What a test server answers to hit number `n` (0-based), optionally after a delay.
pub(crate) struct Reply {
    delay: Duration,
    response: Response,
}

impl<R: IntoResponse> From<R> for Reply {
    fn from(response: R) -> Reply {
        Reply {
            delay: Duration::ZERO,
            response: response.into_response(),
        }
    }
}

type Responder = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

struct Shared {
    seen: Mutex<Vec<Seen>>,
    respond: Box<Responder>,
}

pub(crate) struct TestServer {
    pub(crate) base: String,
    shared: Arc<Shared>,
}

impl TestServer {
    pub(crate) async fn start(
        respond: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let shared = Arc::new(Shared {
            seen: Mutex::new(Vec::new()),
            respond: Box::new(respond),
        });
        let app = Router::new()
            .fallback(record_and_reply)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        TestServer { base, shared }
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub(crate) fn hits(&self) -> usize {
        self.shared.seen.lock().unwrap().len()
    }

    pub(crate) fn only(&self) -> Seen {
        let seen = self.seen();
        assert_eq!(seen.len(), 1, "expected exactly one request: {seen:#?}");
        seen.into_iter().next().unwrap()
    }
}

async fn record_and_reply(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let seen = Seen {
        method: parts.method.to_string(),
        target: parts.uri.to_string(),
        headers: parts.headers,
        body: body.to_vec(),
    };
    let reply = {
        let mut all = shared.seen.lock().unwrap();
        all.push(seen.clone());
        (shared.respond)(all.len() - 1, &seen)
    };
    tokio::time::sleep(reply.delay).await;
    reply.response
}

pub(crate) fn json(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ticket_body() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/execution-detail-example.json"
    ))
    .unwrap()
}

pub(crate) fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base: Duration::from_millis(10),
        cap: Duration::from_secs(2),
    }
}

pub(crate) fn aksk() -> Auth {
    Auth::AkSk {
        ak: AK.into(),
        sk: Secret::new(SK),
        security_token: Some(Secret::new(SECURITY_TOKEN)),
    }
}

pub(crate) fn config(server: &TestServer, auth: Auth) -> ClientConfig {
    let mut config = ClientConfig::new(Endpoint::from_url(&server.base).unwrap(), auth);
    config.retry = fast_retries();
    config
}

pub(crate) fn client(server: &TestServer, auth: Auth) -> Client {
    Client::new(config(server, auth)).unwrap()
}

/// Recomputes the AK/SK signature from what the server received, as a gateway does.
pub(crate) fn verify_signature(seen: &Seen, sk: &str) -> Result<(), String> {
    let authorization = seen.header("authorization").ok_or("no Authorization")?;
    let parsed = AuthorizationHeader::parse(authorization).ok_or("unparsable Authorization")?;
    if parsed.access != AK {
        return Err(format!("wrong access key {}", parsed.access));
    }
    let mut signed = Vec::new();
    for name in &parsed.signed_headers {
        let value = seen
            .header(name)
            .ok_or_else(|| format!("signed header {name} was not sent"))?;
        signed.push((name.clone(), value.to_string()));
    }
    let query = seen.query();
    let date = seen.header("x-sdk-date").ok_or("no X-Sdk-Date")?;
    let expected = sign(
        &SigningRequest {
            method: &seen.method,
            host: seen.header("host").ok_or("no Host")?,
            path: seen.path(),
            query: &query,
            headers: &signed,
            body: &seen.body,
        },
        AK,
        &Secret::new(sk),
        date,
    );
    if expected.authorization == authorization {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch\n  sent:     {authorization}\n  expected: {}\n  canonical request:\n{}",
            expected.authorization, expected.canonical_request
        ))
    }
}

fn signed_header_names(seen: &Seen) -> Vec<String> {
    AuthorizationHeader::parse(seen.header("authorization").unwrap())
        .unwrap()
        .signed_headers
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SK), "secret key leaked: {text}");
    assert!(!text.contains(SECURITY_TOKEN), "token leaked: {text}");
}

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn aksk_get_is_signed_so_the_server_can_verify_it() {
    let server =
        TestServer::start(|_, _| json(StatusCode::OK, r#"{"data":[],"total":0}"#).into()).await;
    let mut config = config(&server, aksk());
    config.domain_id = Some("domain-42".into());
    let client = Client::new(config).unwrap();
    let query = ListQuery {
        creator: Some("ops team/é+1".into()),
        tags: vec![("env".into(), "prod east".into())],
        ..ListQuery::default()
    };
    client.list_executions(&query).await.unwrap();

    let seen = server.only();
    verify_signature(&seen, SK).unwrap();
    assert!(
        verify_signature(&seen, "another-sk").is_err(),
        "the check must be able to fail"
    );
    assert_eq!(
        signed_header_names(&seen),
        [
            "content-type",
            "host",
            "user-agent",
            "x-domain-id",
            "x-sdk-date",
            "x-security-token"
        ]
    );
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(
        seen.header("user-agent"),
        Some(concat!("coctop/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(seen.header("x-domain-id"), Some("domain-42"));
    assert_eq!(seen.header("x-security-token"), Some(SECURITY_TOKEN));
    assert_eq!(
        seen.header("host"),
        Some(server.base.trim_start_matches("http://"))
    );
    let date = seen.header("x-sdk-date").unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ").is_ok(),
        "{date}"
    );
    assert!(seen.header("x-auth-token").is_none());
}

#[tokio::test]
async fn aksk_post_is_signed_over_its_json_body() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, "{}").into()).await;
    client(&server, aksk())
        .operate_execution(TICKET_ID, Operation::Terminate)
        .await
        .unwrap();

    let seen = server.only();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.target, "/v1/executions");
    assert_eq!(
        seen.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"execution_id": TICKET_ID, "operate_type": "TERMINATE"})
    );
    verify_signature(&seen, SK).unwrap();
}

#[tokio::test]
async fn token_auth_sends_x_auth_token_and_domain_only() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, &ticket_body()).into()).await;
    let mut config = config(&server, Auth::Token(Secret::new("iam-token-xyz")));
    config.domain_id = Some("domain-7".into());
    Client::new(config)
        .unwrap()
        .get_execution(TICKET_ID)
        .await
        .unwrap();

    let seen = server.only();
    assert_eq!(seen.header("x-auth-token"), Some("iam-token-xyz"));
    assert_eq!(seen.header("x-domain-id"), Some("domain-7"));
    assert!(seen.header("authorization").is_none());
    assert!(seen.header("x-sdk-date").is_none());
}

#[tokio::test]
async fn no_auth_sends_no_credentials() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, &ticket_body()).into()).await;
    client(&server, Auth::None)
        .get_execution(TICKET_ID)
        .await
        .unwrap();

    let seen = server.only();
    for name in [
        "authorization",
        "x-auth-token",
        "x-sdk-date",
        "x-security-token",
        "x-domain-id",
    ] {
        assert!(seen.header(name).is_none(), "{name} was sent");
    }
    assert_eq!(seen.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn debug_output_hides_secrets() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, "{}").into()).await;
    let text = format!("{:?}", client(&server, aksk()));
    assert!(text.contains(AK), "{text}");
    assert_no_secret(&text);
    let token = format!("{:?}", client(&server, Auth::Token(Secret::new(SK))));
    assert_no_secret(&token);
}

// ---------------------------------------------------------------- requests

#[tokio::test]
async fn get_execution_decodes_the_published_example() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, &ticket_body()).into()).await;
    let ticket = client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap();
    assert_eq!(ticket.execution_id, TICKET_ID);
    assert_eq!(ticket.id.as_deref(), Some("123"));
    assert_eq!(ticket.status, Some(Status::Pending));
    assert_eq!(server.only().target, format!("/v1/executions/{TICKET_ID}"));
}

#[tokio::test]
async fn path_injection_stays_one_segment_under_executions() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, &ticket_body()).into()).await;
    let client = client(&server, aksk());
    for id in ["%2E%2E", "ab?c=d#e", "..%2F.."] {
        // The canned ticket is another one: only the path sent matters here.
        let error = client.get_execution(id).await.unwrap_err();
        assert!(
            error.to_string().contains("answered for another ticket"),
            "{error}"
        );
    }
    for id in ["../../v3/auth/tokens", "a b"] {
        let error = client.get_execution(id).await.unwrap_err();
        assert!(matches!(error, ApiError::InvalidId { .. }), "{error:?}");
    }
    let targets: Vec<String> = server.seen().into_iter().map(|s| s.target).collect();
    assert_eq!(
        targets,
        [
            "/v1/executions/%252E%252E",
            "/v1/executions/ab%3Fc%3Dd%23e",
            "/v1/executions/..%252F..",
        ]
    );
    for seen in server.seen() {
        verify_signature(&seen, SK).unwrap();
    }
}

#[tokio::test]
async fn dot_and_empty_ids_are_refused_before_sending() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, &ticket_body()).into()).await;
    let client = client(&server, aksk());
    for id in ["", ".", ".."] {
        let error = client.get_execution(id).await.unwrap_err();
        assert!(matches!(error, ApiError::InvalidId { .. }), "{error:?}");
        let error = client.list_steps(id, 10, 0).await.unwrap_err();
        assert!(matches!(error, ApiError::InvalidId { .. }), "{error:?}");
        let error = client
            .operate_execution(id, Operation::Resume)
            .await
            .unwrap_err();
        assert!(matches!(error, ApiError::InvalidId { .. }), "{error:?}");
    }
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn endpoint_path_prefix_is_kept() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, &ticket_body()).into()).await;
    for base in [
        format!("{}/proxy/coc", server.base),
        format!("{}/proxy/coc/", server.base),
    ] {
        let mut config = config(&server, aksk());
        config.endpoint = Endpoint::from_url(&base).unwrap();
        Client::new(config)
            .unwrap()
            .get_execution(TICKET_ID)
            .await
            .unwrap();
    }
    for seen in server.seen() {
        assert_eq!(seen.target, format!("/proxy/coc/v1/executions/{TICKET_ID}"));
        verify_signature(&seen, SK).unwrap();
    }
}

#[tokio::test]
async fn list_filters_reach_the_server_as_query_parameters() {
    let server = TestServer::start(|_, _| {
        json(
            StatusCode::OK,
            &format!(r#"{{"data":[{}],"total":31}}"#, ticket_json_data()),
        )
        .into()
    })
    .await;
    let query = ListQuery {
        limit: Some(20),
        offset: Some(40),
        creator: Some("alice & bob".into()),
        start_time: Some(1_751_374_905_000),
        end_time: Some(1_751_461_305_000),
        document_name: Some("db failover".into()),
        document_id: Some("DM2025070118023901xxxxxx".into()),
        tags: vec![("env".into(), "prod".into()), ("team".into(), "dba".into())],
        exclude_child_executions: Some(false),
    };
    let page = client(&server, aksk())
        .list_executions(&query)
        .await
        .unwrap();
    assert_eq!(page.total, Some(31));
    assert_eq!(page.data[0].execution_id, TICKET_ID);

    let seen = server.only();
    assert_eq!(seen.path(), "/v1/executions");
    let mut sent = seen.query();
    sent.sort();
    let expected: Vec<(String, String)> = [
        ("creator", "alice & bob"),
        ("document_id", "DM2025070118023901xxxxxx"),
        ("document_name", "db failover"),
        ("end_time", "1751461305000"),
        ("exclude_child_executions", "false"),
        ("limit", "20"),
        ("offset", "40"),
        ("start_time", "1751374905000"),
        ("tags", "env=prod,team=dba"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(sent, expected);
    assert!(
        !seen.target.contains('+'),
        "spaces go as %20: {}",
        seen.target
    );
    verify_signature(&seen, SK).unwrap();
}

#[tokio::test]
async fn empty_list_query_sends_no_parameters() {
    let server = TestServer::start(|_, _| json(StatusCode::OK, r#"{"data":null}"#).into()).await;
    let page = client(&server, aksk())
        .list_executions(&ListQuery::default())
        .await
        .unwrap();
    assert!(page.data.is_empty());
    assert_eq!(server.only().target, "/v1/executions");
}

#[tokio::test]
async fn steps_are_listed_per_ticket() {
    let server = TestServer::start(|_, _| {
        json(
            StatusCode::OK,
            r#"{"data":[{"execution_step_id":"77","name":"stop app","status":"Running",
                "inputs":[{"key":"timeout","value":"60"}],"properties":{"kind":"SCRIPT"}}],"total":1}"#,
        )
        .into()
    })
    .await;
    let page = client(&server, aksk())
        .list_steps(TICKET_ID, 50, 100)
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].name.as_deref(), Some("stop app"));
    assert_eq!(&*page.data[0].inputs[0].value, "60");

    let seen = server.only();
    assert_eq!(seen.path(), format!("/v1/executions/{TICKET_ID}/steps"));
    assert_eq!(
        seen.query(),
        [
            ("limit".into(), "50".into()),
            ("offset".into(), "100".into())
        ]
    );
    verify_signature(&seen, SK).unwrap();
}

#[tokio::test]
async fn instances_are_listed_per_step() {
    let server = TestServer::start(|_, _| {
        json(
            StatusCode::OK,
            r#"{"data":[{"id":9,"execution_instance_id":"EI1","execution_step_id":"77",
                "status":"Failed","message":"exit 1"}],"total":1}"#,
        )
        .into()
    })
    .await;
    let page = client(&server, aksk())
        .list_instances("77", 10, 0)
        .await
        .unwrap();
    assert_eq!(page.data[0].id.as_deref(), Some("9"));
    assert_eq!(page.data[0].status, Some(Status::Failed));

    let seen = server.only();
    assert_eq!(seen.path(), "/v1/executions/instances");
    let mut query = seen.query();
    query.sort();
    assert_eq!(
        query,
        [
            ("execution_step_id".into(), "77".into()),
            ("limit".into(), "10".into()),
            ("offset".into(), "0".into()),
        ]
    );
    verify_signature(&seen, SK).unwrap();
}

#[tokio::test]
async fn operate_accepts_any_json_and_refuses_html() {
    let server = TestServer::start(|n, _| match n {
        0 => json(StatusCode::OK, r#"{"data":{"ok":true}}"#).into(),
        1 => (StatusCode::OK, "").into(),
        _ => (StatusCode::OK, "<html>maintenance</html>").into(),
    })
    .await;
    let client = client(&server, aksk());
    client
        .operate_execution(TICKET_ID, Operation::Retry)
        .await
        .unwrap();
    client
        .operate_execution(TICKET_ID, Operation::Resume)
        .await
        .unwrap();
    let error = client
        .operate_execution(TICKET_ID, Operation::SkipBatch)
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Decode { .. }), "{error:?}");
    assert!(
        error.to_string().contains("<html>maintenance</html>"),
        "{error}"
    );
}

// ---------------------------------------------------------------- failures

#[tokio::test]
async fn coc_error_shows_status_code_message_and_request_id() {
    let server = TestServer::start(|_, _| {
        (
            StatusCode::BAD_REQUEST,
            [("x-request-id", "4f1c2d9e-req")],
            r#"{"error_code":"COC.00040709","error_msg":"The execution does not exist"}"#,
        )
            .into()
    })
    .await;
    let error = client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "HTTP 400 COC.00040709: The execution does not exist (request id 4f1c2d9e-req)"
    );
    assert_eq!(error.request_id(), Some("4f1c2d9e-req"));
    assert_eq!(server.hits(), 1, "a 400 is not retried");
}

#[tokio::test]
async fn auth_failures_are_never_retried() {
    for status in [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN] {
        let server = TestServer::start(move |_, _| {
            json(
                status,
                r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
            )
            .into()
        })
        .await;
        let error = client(&server, aksk())
            .get_execution(TICKET_ID)
            .await
            .unwrap_err();
        assert!(error.is_auth(), "{error:?}");
        assert_eq!(error.error_code(), Some("APIG.0301"));
        assert_no_secret(&error.to_string());
        assert_no_secret(&format!("{error:?}"));
        assert_eq!(server.hits(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn throttling_waits_for_retry_after_then_succeeds() {
    let server = TestServer::start(|n, _| match n {
        0 => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}"#,
        )
            .into(),
        _ => json(StatusCode::OK, &ticket_body()).into(),
    })
    .await;
    let started = Instant::now();
    let ticket = client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap();
    assert_eq!(ticket.execution_id, TICKET_ID);
    assert_eq!(server.hits(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Each attempt is signed afresh.
    for seen in server.seen() {
        verify_signature(&seen, SK).unwrap();
    }
}

#[tokio::test]
async fn throttling_error_carries_retry_after_when_retries_run_out() {
    let server = TestServer::start(|_, _| {
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "120")], "").into()
    })
    .await;
    let started = Instant::now();
    let error = client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(error.http_status(), Some(429));
    // Longer than the policy's cap: handed to the caller rather than slept on.
    assert_eq!(server.hits(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = TestServer::start(|n, _| match n {
        0 | 1 => (StatusCode::SERVICE_UNAVAILABLE, "").into(),
        _ => json(StatusCode::OK, &ticket_body()).into(),
    })
    .await;
    client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap();
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn retries_stop_after_the_policy_limit() {
    let server = TestServer::start(|_, _| (StatusCode::SERVICE_UNAVAILABLE, "busy").into()).await;
    let error = client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "HTTP 503: busy");
    assert_eq!(server.hits(), 1 + fast_retries().max_retries as usize);
}

#[tokio::test]
async fn post_is_never_retried() {
    let server = TestServer::start(|_, _| (StatusCode::SERVICE_UNAVAILABLE, "").into()).await;
    let error = client(&server, aksk())
        .operate_execution(TICKET_ID, Operation::Terminate)
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(503));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = TestServer::start(|_, _| Reply {
        delay: Duration::from_secs(5),
        response: json(StatusCode::OK, &ticket_body()),
    })
    .await;
    let mut config = config(&server, aksk());
    config.timeout = Duration::from_millis(300);
    config.retry = RetryPolicy::none();
    let started = Instant::now();
    let error = Client::new(config)
        .unwrap()
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ApiError::Timeout {
            after: Duration::from_millis(300)
        }
    );
    assert_eq!(error.to_string(), "request timed out after 300ms");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_time_out_is_retried() {
    let server = TestServer::start(|n, _| Reply {
        delay: if n == 0 {
            Duration::from_secs(5)
        } else {
            Duration::ZERO
        },
        response: json(StatusCode::OK, &ticket_body()),
    })
    .await;
    let mut config = config(&server, aksk());
    config.timeout = Duration::from_millis(300);
    Client::new(config)
        .unwrap()
        .get_execution(TICKET_ID)
        .await
        .unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = ClientConfig::new(Endpoint::from_url(&base).unwrap(), aksk());
    config.retry = RetryPolicy::none();
    let error = Client::new(config)
        .unwrap()
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Connect { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_no_secret(&error.to_string());
}

#[tokio::test]
async fn gateway_html_is_reported_as_a_short_excerpt() {
    let page = format!(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n{}</body>\n</html>\n",
        "<!-- padding -->\n".repeat(100)
    );
    let server = TestServer::start(move |_, _| {
        (
            StatusCode::BAD_GATEWAY,
            [
                (header::CONTENT_TYPE, "text/html"),
                (header::HeaderName::from_static("x-request-id"), "gw-9"),
            ],
            page.clone(),
        )
            .into()
    })
    .await;
    let mut config = config(&server, aksk());
    config.retry = RetryPolicy::none();
    let error = Client::new(config)
        .unwrap()
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body>"),
        "{text}"
    );
    assert!(text.ends_with("… (request id gw-9)"), "{text}");
    assert!(!text.contains('\n'));
    assert!(text.chars().count() < 260, "{} chars", text.chars().count());
}

#[tokio::test]
async fn empty_error_body_gives_just_the_status() {
    let server = TestServer::start(|_, _| StatusCode::GATEWAY_TIMEOUT.into()).await;
    let mut config = config(&server, aksk());
    config.retry = RetryPolicy::none();
    let error = Client::new(config)
        .unwrap()
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "HTTP 504");
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_excerpt() {
    let body = ticket_body();
    let truncated = body[..body.len() / 2].to_string();
    let server = TestServer::start(move |_, _| {
        (
            StatusCode::OK,
            [("x-request-id", "req-trunc")],
            truncated.clone(),
        )
            .into()
    })
    .await;
    let error = client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    let ApiError::Decode {
        detail,
        excerpt,
        request_id,
    } = &error
    else {
        panic!("expected Decode, got {error:?}");
    };
    assert!(detail.contains("EOF"), "{detail}");
    assert!(
        excerpt
            .as_deref()
            .unwrap()
            .starts_with(r#"{ "data" : { "id" : 123,"#)
    );
    assert_eq!(request_id.as_deref(), Some("req-trunc"));
    assert_eq!(server.hits(), 1, "a bad body is not retried");
}

#[tokio::test]
async fn data_null_means_not_found() {
    let server = TestServer::start(|_, _| {
        (
            StatusCode::OK,
            [("x-request-id", "req-null")],
            r#"{"data":null}"#,
        )
            .into()
    })
    .await;
    let error = client(&server, aksk())
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ApiError::NotFound {
            execution_id: TICKET_ID.into(),
            request_id: Some("req-null".into())
        }
    );
}

const HUGE: u64 = 64 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// A 64 MiB body streamed in 64 KiB chunks, counting what the server produced.
fn huge_body(produced: Arc<AtomicU64>) -> Body {
    let stream = futures::stream::unfold(0u64, move |sent| {
        let produced = produced.clone();
        async move {
            if sent >= HUGE {
                return None;
            }
            produced.fetch_add(CHUNK as u64, Ordering::SeqCst);
            let chunk = Bytes::from(vec![b' '; CHUNK]);
            Some((Ok::<_, std::io::Error>(chunk), sent + CHUNK as u64))
        }
    });
    Body::from_stream(stream)
}

async fn assert_refused_quickly(server: &TestServer, produced: &AtomicU64) {
    let mut config = config(server, aksk());
    config.max_body_bytes = 1024 * 1024;
    let started = Instant::now();
    let error = Client::new(config)
        .unwrap()
        .get_execution(TICKET_ID)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(
        error,
        ApiError::BodyTooLarge {
            limit: 1024 * 1024,
            request_id: Some("req-big".into())
        }
    );
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    // Give the server time to notice the closed connection, then check it stopped.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = produced.load(Ordering::SeqCst);
    assert!(sent < HUGE / 4, "server produced {sent} bytes of {HUGE}");
    assert_eq!(server.hits(), 1, "an oversized body is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_streamed_body_is_refused_while_reading() {
    let produced = Arc::new(AtomicU64::new(0));
    let counter = produced.clone();
    let server = TestServer::start(move |_, _| {
        ([("x-request-id", "req-big")], huge_body(counter.clone())).into()
    })
    .await;
    assert_refused_quickly(&server, &produced).await;
    assert!(
        produced.load(Ordering::SeqCst) > 1024 * 1024,
        "the stream did run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_declared_body_is_refused_before_reading() {
    let produced = Arc::new(AtomicU64::new(0));
    let counter = produced.clone();
    let server = TestServer::start(move |_, _| {
        (
            [
                ("x-request-id", "req-big".to_string()),
                ("content-length", HUGE.to_string()),
            ],
            huge_body(counter.clone()),
        )
            .into()
    })
    .await;
    assert_refused_quickly(&server, &produced).await;
}

fn ticket_json_data() -> String {
    let doc: serde_json::Value = serde_json::from_str(&ticket_body()).unwrap();
    doc["data"].to_string()
}

#[tokio::test]
async fn an_answer_for_another_ticket_is_an_error_not_foreign_data() {
    let server = TestServer::start(|_, _| {
        json(
            StatusCode::OK,
            r#"{"data":{"execution_id":"EX-OTHER","status":"Succeed"}}"#,
        )
        .into()
    })
    .await;
    let error = client(&server, Auth::None)
        .get_execution("EX-ASKED")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), coctop::coc::ErrorKind::BadResponse);
    assert!(
        error
            .to_string()
            .contains("answered for another ticket (EX-OTHER)"),
        "{error}"
    );
}

#[tokio::test]
async fn a_two_megabyte_error_message_is_cut_before_anyone_prints_it() {
    let huge = "x".repeat(2 * 1024 * 1024);
    let body = serde_json::json!({"error_code": "COC.0001", "error_msg": huge}).to_string();
    let server = TestServer::start(move |_, _| json(StatusCode::BAD_REQUEST, &body).into()).await;
    let error = client(&server, Auth::None)
        .get_execution("EX1")
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(text.len() < 1000, "{} bytes", text.len());
    assert!(text.starts_with("HTTP 400 COC.0001: xxx"), "{text}");
}
