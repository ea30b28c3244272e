//! What can go wrong talking to COC, in terms a user (and support) can act on.

use std::fmt;
use std::time::Duration;

/// One failed API call. `Clone` so the engine can keep it beside a ticket's last good
/// data; it holds text, never the underlying transport error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The server answered with a non-success HTTP status.
    #[error("{}", HttpDisplay(self))]
    Http {
        status: u16,
        error_code: Option<String>,
        error_msg: Option<String>,
        request_id: Option<String>,
        /// A short, single-line excerpt of a body that was not a COC error object.
        excerpt: Option<String>,
        retry_after: Option<Duration>,
    },
    /// A 200 with `"data": null`: the ticket does not exist (any more).
    #[error("ticket {execution_id} not found{}", request_suffix(request_id))]
    NotFound {
        execution_id: String,
        request_id: Option<String>,
    },
    /// A success status whose body could not be decoded.
    #[error(
        "bad response: {detail}{}{}",
        excerpt_suffix(excerpt),
        request_suffix(request_id)
    )]
    Decode {
        detail: String,
        excerpt: Option<String>,
        request_id: Option<String>,
    },
    #[error(
        "response larger than {limit} bytes refused{}",
        request_suffix(request_id)
    )]
    BodyTooLarge {
        limit: u64,
        request_id: Option<String>,
    },
    #[error("request timed out after {}", crate::format::as_setting(*after))]
    Timeout { after: Duration },
    /// `api.deadline` passed before any attempt succeeded.
    #[error(
        "no answer within the {} deadline (api.deadline), retries included",
        crate::format::as_setting(*after)
    )]
    DeadlinePassed { after: Duration },
    #[error("cannot connect: {detail}")]
    Connect { detail: String },
    #[error("network error: {detail}")]
    Network { detail: String },
    #[error("invalid execution ID {id:?}: {reason}")]
    InvalidId { id: String, reason: &'static str },
    /// No usable credentials, or a credentials file that cannot be read.
    #[error("{0}")]
    Credentials(String),
    /// One profile of several stopped polling (its key was refused): its tickets say so.
    #[error("profile {profile} stopped polling: {cause}")]
    ProfileStopped {
        profile: String,
        cause: Box<ApiError>,
    },
    /// The browse filter's `profile=name` names no profile of the config.
    #[error("{}", no_such_profile(name, &known.iter().map(String::as_str).collect::<Vec<_>>()))]
    NoSuchProfile { name: String, known: Vec<String> },
    /// A write (an operation) refused where requests leave: coctop runs read-only.
    #[error("blocked by read-only: nothing was sent")]
    ReadOnly,
    /// A write held back before it left.
    #[error("not sent: {0}")]
    NotSent(HeldBack),
}

/// Why a write never left.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeldBack {
    /// The service had already refused these credentials: every refused signature
    /// counts towards locking the key.
    #[error("the credentials were refused earlier ({0})")]
    CredentialsRefused(Box<ApiError>),
    /// Still waiting for its turn when coctop ended.
    #[error("coctop ended before it was sent")]
    Ended,
}

/// Coarse classes that decide retries, engine behaviour and exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401/403: never retried (the gateway locks an AK after 5 bad signatures).
    Auth,
    /// 429: wait for `Retry-After`.
    Throttled,
    NotFound,
    /// 5xx: the server or a gateway failed; worth retrying.
    Server,
    /// Time-out, connection refused, reset: worth retrying.
    Network,
    /// Any other 4xx, an undecodable or oversized body.
    BadResponse,
    /// The request was never sent: bad ID, missing credentials, read-only.
    Local,
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Http { status, .. } => match status {
                401 | 403 => ErrorKind::Auth,
                429 => ErrorKind::Throttled,
                404 => ErrorKind::NotFound,
                500..=599 => ErrorKind::Server,
                _ => ErrorKind::BadResponse,
            },
            ApiError::NotFound { .. } => ErrorKind::NotFound,
            ApiError::Decode { .. } | ApiError::BodyTooLarge { .. } => ErrorKind::BadResponse,
            ApiError::Timeout { .. }
            | ApiError::DeadlinePassed { .. }
            | ApiError::Connect { .. }
            | ApiError::Network { .. } => ErrorKind::Network,
            ApiError::InvalidId { .. }
            | ApiError::Credentials(_)
            | ApiError::ProfileStopped { .. }
            | ApiError::NoSuchProfile { .. }
            | ApiError::ReadOnly
            | ApiError::NotSent(HeldBack::Ended) => ErrorKind::Local,
            ApiError::NotSent(HeldBack::CredentialsRefused(cause)) => cause.kind(),
        }
    }

    pub fn is_auth(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// Only these are retried (for GETs): 429, 5xx, time-outs and connection errors.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Throttled | ErrorKind::Server | ErrorKind::Network
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Http { request_id, .. }
            | ApiError::NotFound { request_id, .. }
            | ApiError::Decode { request_id, .. }
            | ApiError::BodyTooLarge { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// COC's or the gateway's own code (`COC.00040709`, `APIG.0301`), when it sent one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            ApiError::Http { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    /// The service's own message (`error_msg`), raw: sanitise before display.
    pub fn error_msg(&self) -> Option<&str> {
        match self {
            ApiError::Http { error_msg, .. } => error_msg.as_deref(),
            _ => None,
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// An HTTP error that carries nothing but its status, for tests.
    #[cfg(test)]
    pub fn bare_http(status: u16) -> ApiError {
        ApiError::Http {
            status,
            error_code: None,
            error_msg: None,
            request_id: None,
            excerpt: None,
            retry_after: None,
        }
    }
}

struct HttpDisplay<'a>(&'a ApiError);

impl fmt::Display for HttpDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ApiError::Http {
            status,
            error_code,
            error_msg,
            request_id,
            excerpt,
            ..
        } = self.0
        else {
            return Ok(());
        };
        write!(f, "HTTP {status}")?;
        if let Some(code) = error_code {
            write!(f, " {code}")?;
        }
        match (error_msg, excerpt) {
            (Some(msg), _) => write!(f, ": {msg}")?,
            (None, Some(text)) => write!(f, ": {text}")?,
            (None, None) => {}
        }
        f.write_str(&request_suffix(request_id))
    }
}

fn request_suffix(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(" (request id {id})"),
        None => String::new(),
    }
}

fn excerpt_suffix(excerpt: &Option<String>) -> String {
    match excerpt {
        Some(text) => format!(": {text}"),
        None => String::new(),
    }
}

/// `no profile named "stagng" (did you mean "staging"?); there are: prod, staging`.
pub fn no_such_profile(name: &str, names: &[&str]) -> String {
    let hint = crate::text::nearest(name, names)
        .map(|near| format!(" (did you mean {near:?}?)"))
        .unwrap_or_default();
    format!(
        "no profile named {name:?}{hint}; there are: {}",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_error_names_everything_support_needs() {
        let e = ApiError::Http {
            status: 400,
            error_code: Some("COC.00040709".into()),
            error_msg: Some("execution not found".into()),
            request_id: Some("req-1".into()),
            excerpt: None,
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 400 COC.00040709: execution not found (request id req-1)"
        );
        assert_eq!(e.kind(), ErrorKind::BadResponse);
        assert!(!e.is_retryable());
    }

    #[test]
    fn classes_decide_retries() {
        let http = |status| ApiError::Http {
            status,
            error_code: None,
            error_msg: None,
            request_id: None,
            excerpt: Some("<html>bad gateway</html>".into()),
            retry_after: None,
        };
        assert!(http(502).is_retryable());
        assert!(http(429).is_retryable());
        assert!(!http(401).is_retryable());
        assert!(!http(403).is_retryable());
        assert!(http(401).is_auth());
        assert_eq!(http(502).to_string(), "HTTP 502: <html>bad gateway</html>");
    }
}
