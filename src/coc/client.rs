//! The COC HTTP client: reqwest with rustls, signed requests, bounded bodies, retries.

use std::time::Duration;

use url::Url;

use super::auth::Auth;
use super::error::ApiError;
use super::model::{Instance, Operation, Page, Step, Ticket};

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

    pub fn from_url(url: &str) -> Result<Endpoint, String> {
        let parsed = Url::parse(url).map_err(|e| format!("invalid endpoint URL {url:?}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(format!(
                "invalid endpoint URL {url:?}: expected http(s)://host[:port]"
            ));
        }
        Ok(Endpoint {
            url: parsed,
            region: None,
        })
    }

    /// Loopback endpoints (the simulator) need no credentials.
    pub fn is_loopback(&self) -> bool {
        match self.url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    pub fn display_name(&self) -> String {
        match &self.region {
            Some(region) => region.clone(),
            None => self.url.as_str().trim_end_matches('/').to_string(),
        }
    }
}

/// Capped exponential backoff with full jitter, for GETs only.
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
    /// Larger bodies are refused without being held in memory.
    pub max_body_bytes: u64,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    pub fn new(endpoint: Endpoint, auth: Auth) -> ClientConfig {
        ClientConfig {
            endpoint,
            auth,
            domain_id: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_body_bytes: 8 * 1024 * 1024,
            retry: RetryPolicy::default(),
        }
    }
}

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

#[derive(Debug, Clone)]
pub struct Client {
    config: ClientConfig,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        todo!("client helper: build reqwest client {config:?}")
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.config.endpoint
    }

    pub async fn get_execution(&self, execution_id: &str) -> Result<Ticket, ApiError> {
        todo!("{execution_id}")
    }

    pub async fn list_executions(&self, query: &ListQuery) -> Result<Page<Ticket>, ApiError> {
        todo!("{query:?}")
    }

    pub async fn list_steps(
        &self,
        execution_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Step>, ApiError> {
        todo!("{execution_id} {limit} {offset}")
    }

    pub async fn list_instances(
        &self,
        execution_step_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<Instance>, ApiError> {
        todo!("{execution_step_id} {limit} {offset}")
    }

    pub async fn operate_execution(
        &self,
        execution_id: &str,
        operation: Operation,
    ) -> Result<(), ApiError> {
        todo!("{execution_id} {operation:?}")
    }
}
