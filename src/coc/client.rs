//! The COC HTTP client: reqwest with rustls, signed requests, bounded bodies, retries.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, redirect};
use url::Url;

use super::auth::{self, Auth, Signer};
use super::error::ApiError;
use super::model::{Envelope, Instance, OperateRequest, Operation, Page, Step, Ticket};
use super::response::{RawResponse, transport_error};
use crate::backoff::Backoff;

/// The three published regions of the global COC service.
pub const REGIONS: [(&str, &str); 3] = [
    ("cn-north-4", "https://coc.myhuaweicloud.com"),
    ("ap-southeast-3", "https://coc-intl.myhuaweicloud.com"),
    (
        "eu-west-101",
        "https://coc-eu-west-101-open-api.myhuaweicloud.eu",
    ),
];

/// Where requests go: a known region or any base URL (proxy, simulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: Url,
    /// The region id when the endpoint came from one, for display.
    pub region: Option<String>,
}

impl Endpoint {
    pub fn from_region(region: &str) -> Result<Endpoint, String> {
        let (_, url) = REGIONS
            .iter()
            .find(|(id, _)| *id == region)
            .ok_or_else(|| {
                let known: Vec<_> = REGIONS.iter().map(|(id, _)| *id).collect();
                format!("unknown region {region:?} (known: {})", known.join(", "))
            })?;
        Ok(Endpoint {
            url: Url::parse(url).expect("region URLs are valid"),
            region: Some(region.to_string()),
        })
    }

    /// An endpoint from a URL. One carrying a user name or password is refused (its
    /// text would reach headers, screens and messages); messages never quote one.
    pub fn from_url(url: &str) -> Result<Endpoint, String> {
        let shown = if url.contains('@') {
            "(not shown: it holds user info)".to_string()
        } else {
            format!("{url:?}")
        };
        let parsed = Url::parse(url).map_err(|e| format!("invalid endpoint URL {shown}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(format!(
                "invalid endpoint URL {shown}: expected http(s)://host[:port]"
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(format!(
                "invalid endpoint URL {shown}: a user name or password in the URL is not \
                 allowed; credentials come from [auth] or the environment"
            ));
        }
        Ok(Endpoint {
            url: parsed,
            region: None,
        })
    }

    /// Plain HTTP, readable by anyone on the way unless it stays on this machine.
    pub fn is_plain_http(&self) -> bool {
        self.url.scheme() == "http"
    }

    /// Loopback endpoints (the simulator) need no credentials.
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(&self.url)
    }

    pub fn display_name(&self) -> String {
        match &self.region {
            Some(region) => region.clone(),
            None => self.url.as_str().trim_end_matches('/').to_string(),
        }
    }
}

/// Whether `url` points at this machine (`localhost` or a loopback address).
pub fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// When a GET is tried again (never a POST): `crate::backoff` within `max_retries`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying (the engine does its own).
    pub max_retries: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// How long to wait before retry number `attempt + 1`: the shared `Backoff` from
    /// `base`, but never less than the server's `Retry-After`. `None` when the server
    /// asks for more than `cap`: the caller gets the error (with its `retry_after`)
    /// instead of a silent long wait.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Option<Duration> {
        if retry_after.is_some_and(|wait| wait > self.cap) {
            return None;
        }
        let backoff = Backoff {
            base: self.base,
            cap: self.cap,
        };
        let wait = backoff.delay(attempt, rng.gen_range(0.0..=1.0));
        Some(wait.max(retry_after.unwrap_or(Duration::ZERO)))
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub endpoint: Endpoint,
    pub auth: Auth,
    /// Sent as `X-Domain-Id` when set.
    pub domain_id: Option<String>,
    pub connect_timeout: Duration,
    /// The whole request, body included.
    pub timeout: Duration,
    /// One call, every retry included, ends by then (`api.deadline`).
    pub deadline: Duration,
    /// Larger bodies are refused without being held in memory.
    pub max_body_bytes: u64,
    pub retry: RetryPolicy,
    /// Every request but a GET is refused without being sent (`--read-only`).
    pub read_only: bool,
    /// Sent as `X-Language` when set: the language of the service's messages.
    pub language: Option<ApiLanguage>,
}

/// What `X-Language` asks for: `zh-cn` or `en-us` (the service's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiLanguage {
    ZhCn,
    EnUs,
}

impl ApiLanguage {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiLanguage::ZhCn => "zh-cn",
            ApiLanguage::EnUs => "en-us",
        }
    }
}

impl ClientConfig {
    pub fn new(endpoint: Endpoint, auth: Auth) -> ClientConfig {
        ClientConfig {
            endpoint,
            auth,
            domain_id: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            deadline: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            retry: RetryPolicy::default(),
            read_only: false,
            language: None,
        }
    }
}

/// The most items one page of the execution lists holds (tickets, steps, instances):
/// COC refuses a larger `limit`. Whole lists are read in pages of this size.
pub const MAX_LIST_LIMIT: u32 = 100;

/// Filters of `GET /v1/executions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub creator: Option<String>,
    /// Epoch ms, exclusive lower bound.
    pub start_time: Option<i64>,
    /// Epoch ms, exclusive upper bound.
    pub end_time: Option<i64>,
    pub document_name: Option<String>,
    pub document_id: Option<String>,
    /// `key=value` pairs, sent as `k1=v1,k2=v2`.
    pub tags: Vec<(String, String)>,
    pub exclude_child_executions: Option<bool>,
}

/// The COC API client. Cheap to clone (one `Arc`); clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
    /// For requests without a body, and with one (their `Content-Type` differs).
    without_body: Result<Headers, ApiError>,
    with_body: Result<Headers, ApiError>,
}

/// The headers every request of a client carries and its signer (for AK/SK), worked
/// out once: only the date and the signature change from one request to the next.
/// Values HTTP cannot carry are an error of each request, as they were found.
struct Headers {
    fixed: HeaderMap,
    signer: Option<Signer>,
}

impl fmt::Debug for Client {
    // `ClientConfig`'s own Debug hides secrets (`Secret` prints `***`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

const USER_AGENT: &str = concat!("coctop/", env!("CARGO_PKG_VERSION"));
const JSON: &str = "application/json";
/// What the official SDK sends with a body.
const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// One request before it is signed and sent; signed afresh on every attempt.
struct Call {
    method: Method,
    /// Percent-encoded, below the endpoint's own path.
    path: String,
    /// Decoded pairs, in the order sent.
    query: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            // A redirect would carry X-Auth-Token to wherever it points.
            .redirect(redirect::Policy::none())
            // The signature covers the Host header; speak HTTP/1.1 as the official SDKs do.
            .http1_only()
            .build()
            .map_err(|e| ApiError::Network {
                detail: format!("cannot set up HTTP: {e}"),
            })?;
        let without_body = Headers::new(&config, JSON);
        let with_body = Headers::new(&config, JSON_UTF8);
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                http,
                without_body,
                with_body,
            }),
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.config.endpoint
    }

    /// What it was made with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Whether every write is refused here (`--read-only`).
    pub fn is_read_only(&self) -> bool {
        self.inner.config.read_only
    }

    /// `GET /v1/executions/{id}`; `NotFound` when the service answers `"data": null`.
    pub async fn get_execution(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        let path = format!("/v1/executions/{}", id_segment(execution_id)?);
        let response = self.get(path, Vec::new()).await?;
        let ticket = about(&response, execution_id, "ticket", |t: &Ticket| {
            &t.execution_id
        })?;
        ticket.ok_or(ApiError::NotFound {
            execution_id: execution_id.to_string(),
            request_id: response.request_id,
        })
    }

    /// `GET /v1/executions` with every filter that is set.
    /// At most `limit` tickets of the page are kept (`MAX_LIST_LIMIT` when unset),
    /// whatever the server sent.
    pub async fn list_executions(&self, query: &ListQuery) -> Result<Page<Ticket>, ApiError> {
        let rows = query.limit.unwrap_or(MAX_LIST_LIMIT);
        self.get("/v1/executions".into(), query.pairs())
            .await?
            .decode_page(rows as usize)
    }

    /// `GET /v1/executions/{id}/steps`.
    pub async fn list_steps(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Step>, ApiError> {
        let path = format!("/v1/executions/{}/steps", id_segment(execution_id)?);
        self.get(path, paging(limit, offset))
            .await?
            .decode_page(limit as usize)
    }

    /// `GET /v1/executions/instances?execution_step_id=...`.
    pub async fn list_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Instance>, ApiError> {
        if execution_step_id.is_empty() {
            return Err(ApiError::InvalidId {
                id: String::new(),
                reason: "the step ID is empty",
            });
        }
        let mut query = vec![("execution_step_id".into(), execution_step_id.into())];
        query.extend(paging(limit, offset));
        self.get("/v1/executions/instances".into(), query)
            .await?
            .decode_page(limit as usize)
    }

    /// `POST /v1/executions`. Never retried: the operation may have happened.
    pub async fn operate_execution(
        &self,
        execution_id: &str,
        operation: Operation,
    ) -> Result<(), ApiError> {
        id_segment(execution_id)?;
        let body = encode_body(&OperateRequest {
            execution_id: execution_id.to_string(),
            operate_type: operation,
        })?;
        let response = self
            .send_once(Method::POST, "/v1/executions".into(), body)
            .await?;
        // `{}` is the documented answer; any JSON (or nothing) means it was accepted.
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        response.decode::<serde_json::Value>().map(drop)
    }

    /// A PUT or POST with `body`, sent once: never retried, since it may have been
    /// carried out.
    pub(super) async fn send_once(
        &self,
        method: Method,
        path: String,
        body: Vec<u8>,
    ) -> Result<RawResponse, ApiError> {
        let call = Call {
            method,
            path,
            query: Vec::new(),
            body,
        };
        self.send(&call).await
    }

    /// A POST of `request` that starts something (a script, a job) and answers its new
    /// ID in `data`, which must pass the ID rule; sent once.
    pub(super) async fn start(
        &self,
        path: String,
        request: &impl serde::Serialize,
        what: &str,
    ) -> Result<String, ApiError> {
        let response = self
            .send_once(Method::POST, path, encode_body(request)?)
            .await?;
        match response.decode::<Envelope<serde_json::Value>>()?.data {
            Some(serde_json::Value::String(id)) if super::validate_execution_id(&id).is_ok() => {
                Ok(id)
            }
            _ => Err(response.decode_error(format!("the answer holds no valid {what}"))),
        }
    }

    /// A GET with retries on 429, 5xx, time-outs and connection failures, all within
    /// the deadline.
    pub(super) async fn get(
        &self,
        path: String,
        query: Vec<(String, String)>,
    ) -> Result<RawResponse, ApiError> {
        let config = &self.inner.config;
        let deadline = config.deadline;
        let call = self.get_with_retries(path, query);
        // One attempt already ends within its own time-out: a timer for the deadline
        // could not fire first, and every timer is work on every poll.
        if config.retry.max_retries == 0 && config.timeout <= deadline {
            return call.await;
        }
        tokio::time::timeout(deadline, call)
            .await
            .unwrap_or(Err(ApiError::DeadlinePassed { after: deadline }))
    }

    async fn get_with_retries(
        &self,
        path: String,
        query: Vec<(String, String)>,
    ) -> Result<RawResponse, ApiError> {
        let call = Call {
            method: Method::GET,
            path,
            query,
            body: Vec::new(),
        };
        let policy = &self.inner.config.retry;
        let mut attempt = 0;
        loop {
            let error = match self.send(&call).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if attempt >= policy.max_retries || !error.is_retryable() {
                return Err(error);
            }
            let Some(wait) = policy.delay(attempt, error.retry_after(), &mut rand::thread_rng())
            else {
                return Err(error);
            };
            tracing::debug!(%error, ?wait, attempt, "retrying GET {}", call.path);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: sign, send, read the body within the cap; non-2xx become errors.
    /// The one way out for every request: under read-only anything but a GET is refused
    /// here, unsent.
    async fn send(&self, call: &Call) -> Result<RawResponse, ApiError> {
        let config = &self.inner.config;
        if config.read_only && call.method != Method::GET {
            tracing::warn!("{} {} blocked by read-only", call.method, call.path);
            return Err(ApiError::ReadOnly);
        }
        let url = self.url(call);
        let headers = self.headers(call, &url)?;
        let mut request = reqwest::Request::new(call.method.clone(), url);
        *request.headers_mut() = headers;
        *request.body_mut() = Some(call.body.clone().into());
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(|e| transport_error(e, config.timeout))?;
        let response = RawResponse::read(response, config.max_body_bytes, config.timeout).await?;
        if response.is_success() {
            Ok(response)
        } else {
            Err(response.into_http_error())
        }
    }

    /// The endpoint's URL with its path prefix kept, the call's (already encoded)
    /// path appended and the query encoded exactly as the signer encodes it.
    fn url(&self, call: &Call) -> Url {
        let mut url = self.inner.config.endpoint.url.clone();
        let prefix = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{prefix}{}", call.path));
        let query = call
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", auth::encode_segment(k), auth::encode_segment(v)))
            .collect::<Vec<_>>()
            .join("&");
        url.set_query((!query.is_empty()).then_some(query.as_str()));
        url.set_fragment(None);
        url
    }

    /// Every header of the request, signed as the official SDK signs them for AK/SK.
    fn headers(&self, call: &Call, url: &Url) -> Result<HeaderMap, ApiError> {
        let prepared = if call.body.is_empty() {
            &self.inner.without_body
        } else {
            &self.inner.with_body
        };
        let prepared = prepared.as_ref().map_err(ApiError::clone)?;
        let mut headers = prepared.fixed.clone();
        if let Some(signer) = &prepared.signer {
            let date = auth::sdk_date(chrono::Utc::now());
            let method = call.method.as_str();
            let signature = signer.sign(method, url.path(), &call.query, &call.body, &date);
            insert(&mut headers, "X-Sdk-Date", &date, false)?;
            insert(
                &mut headers,
                "Authorization",
                &signature.authorization,
                true,
            )?;
        }
        Ok(headers)
    }
}

impl Headers {
    /// The headers of `config`'s requests whose body is of `content_type`.
    fn new(config: &ClientConfig, content_type: &str) -> Result<Headers, ApiError> {
        let mut plain: Vec<(String, String)> = vec![
            ("Content-Type".into(), content_type.into()),
            ("User-Agent".into(), USER_AGENT.into()),
        ];
        if let Some(domain_id) = &config.domain_id {
            plain.push(("X-Domain-Id".into(), domain_id.clone()));
        }
        if let Some(language) = config.language {
            plain.push(("X-Language".into(), language.as_str().into()));
        }
        let mut fixed = HeaderMap::new();
        let signer = match &config.auth {
            Auth::AkSk {
                ak,
                sk,
                security_token,
            } => {
                if let Some(token) = security_token {
                    plain.push(("X-Security-Token".into(), token.expose().into()));
                }
                let host = host_header(&config.endpoint.url);
                Some(Signer::new(ak, sk, &host, &plain))
            }
            Auth::Token(token) => {
                insert(&mut fixed, "X-Auth-Token", token.expose(), true)?;
                None
            }
            Auth::None => None,
        };
        for (name, value) in &plain {
            insert(&mut fixed, name, value, name == "X-Security-Token")?;
        }
        Ok(Headers { fixed, signer })
    }
}

/// `host[:port]` exactly as reqwest sends it in `Host`: the port only when it is not
/// the scheme's default (`Url` already drops an explicit default port).
fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Adds a header, refusing values HTTP cannot carry without echoing them (they may be
/// secrets).
fn insert(
    headers: &mut HeaderMap,
    name: &str,
    value: &str,
    sensitive: bool,
) -> Result<(), ApiError> {
    let invalid = || ApiError::Credentials(format!("{name} contains characters HTTP cannot send"));
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
    let mut value = HeaderValue::from_str(value).map_err(|_| invalid())?;
    value.set_sensitive(sensitive);
    headers.insert(name, value);
    Ok(())
}

/// The execution ID as ONE percent-encoded path segment, after the one ID rule
/// (`validate_execution_id`) has refused what could leave the route (`..`, slashes).
pub(super) fn id_segment(execution_id: &str) -> Result<String, ApiError> {
    super::validate_execution_id(execution_id).map_err(|reason| ApiError::InvalidId {
        id: execution_id.to_string(),
        reason,
    })?;
    Ok(auth::encode_segment(execution_id))
}

/// The `data` of an answer about the one thing `wanted` names (`None` when the service
/// sent null); an error when it answered about another, as `id` reads it.
pub(super) fn about<T: serde::de::DeserializeOwned>(
    response: &RawResponse,
    wanted: &str,
    what: &str,
    id: impl Fn(&T) -> &str,
) -> Result<Option<T>, ApiError> {
    match response.decode::<Envelope<T>>()?.data {
        Some(item) if id(&item) == wanted => Ok(Some(item)),
        Some(item) => Err(response.decode_error(format!(
            "answered for another {what} ({})",
            crate::text::reveal(&crate::text::fit(id(&item), 64))
        ))),
        None => Ok(None),
    }
}

/// Query pairs from `(name, value)`, those without a value left out.
pub(super) fn given_pairs<const N: usize>(
    pairs: [(&str, Option<String>); N],
) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_string(), value?)))
        .collect()
}

/// A request body as JSON.
pub(super) fn encode_body(body: &impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(|e| ApiError::Network {
        detail: format!("cannot encode request: {e}"),
    })
}

fn paging(limit: u32, offset: u32) -> Vec<(String, String)> {
    vec![
        ("limit".into(), limit.to_string()),
        ("offset".into(), offset.to_string()),
    ]
}

impl ListQuery {
    /// The query pairs sent (decoded), in a stable order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name.to_string(), value));
            }
        };
        add("limit", self.limit.map(|v| v.to_string()));
        add("offset", self.offset.map(|v| v.to_string()));
        add("creator", self.creator.clone());
        add("start_time", self.start_time.map(|v| v.to_string()));
        add("end_time", self.end_time.map(|v| v.to_string()));
        add("document_name", self.document_name.clone());
        add("document_id", self.document_id.clone());
        add(
            "tags",
            (!self.tags.is_empty()).then(|| {
                self.tags
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        );
        add(
            "exclude_child_executions",
            self.exclude_child_executions.map(|v| v.to_string()),
        );
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn backoff_is_capped_jittered_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_retries: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut seen = Vec::new();
        for attempt in 0..40 {
            let wait = policy.delay(attempt % 10, None, &mut rng).unwrap();
            let ceiling = Duration::from_millis(100 * 2u64.pow(attempt % 10)).min(policy.cap);
            assert!(wait <= ceiling, "{wait:?} > {ceiling:?}");
            seen.push(wait);
        }
        seen.sort();
        seen.dedup();
        assert!(seen.len() > 30, "jitter should spread the waits");
        let throttled = policy.delay(0, Some(Duration::from_millis(1500)), &mut rng);
        assert!(throttled.unwrap() >= Duration::from_millis(1500));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(60)), &mut rng),
            None
        );
        // No overflow however many attempts.
        assert!(policy.delay(u32::MAX, None, &mut rng).unwrap() <= policy.cap);
    }

    #[test]
    fn ids_become_one_segment_and_dot_segments_are_refused() {
        assert_eq!(id_segment("EX1?x#y%2F").unwrap(), "EX1%3Fx%23y%252F");
        for bad in ["", ".", "..", "../../v3/auth/tokens", "EX 1"] {
            assert!(matches!(id_segment(bad), Err(ApiError::InvalidId { .. })));
        }
    }

    /// A client of a server on loopback that accepts connections and never answers.
    fn client_of_a_hung_server(
        timeout: Duration,
        deadline: Duration,
    ) -> (Client, std::net::TcpListener) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut config = ClientConfig::new(Endpoint::from_url(&url).unwrap(), Auth::None);
        config.retry = RetryPolicy::none();
        config.timeout = timeout;
        config.deadline = deadline;
        (Client::new(config).unwrap(), listener)
    }

    #[test]
    fn a_header_http_cannot_carry_fails_each_request_unsent_and_unechoed() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (mut config, listener) = {
            let (client, listener) =
                client_of_a_hung_server(Duration::from_secs(5), Duration::from_secs(5));
            (client.config().clone(), listener)
        };
        config.domain_id = Some("secret\nline".into());
        config.auth = Auth::AkSk {
            ak: "AK".into(),
            sk: "SK".into(),
            security_token: None,
        };
        let client = Client::new(config).expect("the client is made; its requests fail");
        for _ in 0..2 {
            let error = runtime.block_on(client.get_execution("EX1")).unwrap_err();
            assert_eq!(
                error,
                ApiError::Credentials("X-Domain-Id contains characters HTTP cannot send".into())
            );
        }
        listener.set_nonblocking(true).unwrap();
        let accepted = listener.accept().map(drop).map_err(|e| e.kind());
        assert_eq!(
            accepted,
            Err(std::io::ErrorKind::WouldBlock),
            "nothing was sent"
        );
    }

    #[test]
    fn one_attempt_ends_at_its_time_out_or_at_the_deadline_whichever_is_first() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let short = Duration::from_millis(200);
        let long = Duration::from_secs(30);

        let (client, _server) = client_of_a_hung_server(short, long);
        let error = runtime.block_on(client.get_execution("EX1")).unwrap_err();
        assert!(matches!(error, ApiError::Timeout { .. }), "{error:?}");

        let (client, _server) = client_of_a_hung_server(long, short);
        let error = runtime.block_on(client.get_execution("EX1")).unwrap_err();
        assert!(
            matches!(error, ApiError::DeadlinePassed { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn host_header_matches_what_is_sent() {
        let host = |u: &str| host_header(&Url::parse(u).unwrap());
        assert_eq!(
            host("https://coc.myhuaweicloud.com/"),
            "coc.myhuaweicloud.com"
        );
        assert_eq!(host("https://Coc.Example.com:443/x"), "coc.example.com");
        assert_eq!(host("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(host("http://[::1]:9000"), "[::1]:9000");
    }
}
