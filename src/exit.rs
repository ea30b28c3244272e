//! Exit codes, the same for every command, decided in one place.

use std::process::ExitCode;

use crate::coc::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (`wait`: every ticket ended `Succeed`).
    Success = 0,
    /// `wait`: at least one ticket ended `Failed`, `Canceled` or `Timeout`.
    Unsuccessful = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// `wait`: `--timeout` passed before every ticket finished.
    TimedOut = 3,
    /// Authentication or permission failure (HTTP 401/403).
    Auth = 4,
    /// A ticket could not be fetched.
    Fetch = 5,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// What a failed request means for the exit code: 4 for authentication or permission,
/// 5 for everything else.
impl From<&ApiError> for Exit {
    fn from(error: &ApiError) -> Exit {
        if error.is_auth() {
            Exit::Auth
        } else {
            Exit::Fetch
        }
    }
}

impl Exit {
    /// The exit of a command whose requests failed with `errors` (success when none
    /// did): an authentication failure outranks any other.
    pub fn of_errors<'a>(errors: impl IntoIterator<Item = &'a ApiError>) -> Exit {
        errors
            .into_iter()
            .map(Exit::from)
            .max_by_key(|exit| *exit == Exit::Auth)
            .unwrap_or(Exit::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> ApiError {
        ApiError::Http {
            status,
            error_code: None,
            error_msg: None,
            request_id: None,
            excerpt: None,
            retry_after: None,
        }
    }

    #[test]
    fn authentication_outranks_other_failures() {
        assert_eq!(Exit::of_errors([]), Exit::Success);
        assert_eq!(Exit::of_errors([&http(500)]), Exit::Fetch);
        assert_eq!(
            Exit::of_errors([&http(500), &http(403), &http(404)]),
            Exit::Auth
        );
        assert_eq!(Exit::from(&http(401)), Exit::Auth);
    }
}
