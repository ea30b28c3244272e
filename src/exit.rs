//! Exit codes, the same for every command, decided in one place.

use std::process::ExitCode;

use crate::coc::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (`wait`: every ticket ended `Succeed`).
    Success,
    /// `wait`: at least one ticket ended `Failed`, `Canceled` or `Timeout`.
    Unsuccessful,
    /// Usage or configuration error.
    Usage,
    /// `wait`: `--timeout` passed before every ticket finished.
    TimedOut,
    /// Authentication or permission failure (HTTP 401/403).
    Auth,
    /// A ticket could not be fetched.
    Fetch,
    /// The output could not be written (a full disk, an I/O error).
    Output,
    /// Ended by this signal (a reader gone away counts as `SIGPIPE`): 128 + its number,
    /// as a shell reports a process a signal ended.
    Signal(i32),
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Unsuccessful => 1,
            Exit::Usage => 2,
            Exit::TimedOut => 3,
            Exit::Auth => 4,
            Exit::Fetch => 5,
            Exit::Output => 6,
            Exit::Signal(number) => u8::try_from(128 + number.clamp(0, 127)).unwrap_or(255),
        }
    }
}

impl Exit {
    /// One word for what the code means, for machines (`wait --output jsonl`).
    pub fn word(self) -> &'static str {
        match self {
            Exit::Success => "success",
            Exit::Unsuccessful => "unsuccessful",
            Exit::Usage => "usage",
            Exit::TimedOut => "timeout",
            Exit::Auth => "auth",
            Exit::Fetch => "fetch",
            Exit::Output => "output",
            Exit::Signal(_) => "signal",
        }
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

    #[test]
    fn authentication_outranks_other_failures() {
        assert_eq!(Exit::of_errors([]), Exit::Success);
        assert_eq!(Exit::of_errors([&ApiError::bare_http(500)]), Exit::Fetch);
        assert_eq!(
            Exit::of_errors([
                &ApiError::bare_http(500),
                &ApiError::bare_http(403),
                &ApiError::bare_http(404)
            ]),
            Exit::Auth
        );
        assert_eq!(Exit::from(&ApiError::bare_http(401)), Exit::Auth);
    }

    #[test]
    fn a_signal_exits_128_plus_its_number() {
        assert_eq!(Exit::Signal(libc::SIGTERM).code(), 143);
        assert_eq!(Exit::Signal(libc::SIGPIPE).code(), 141);
        assert_eq!(Exit::Fetch.code(), 5);
        assert_eq!(Exit::Output.code(), 6);
    }
}
