//! Exit codes, the same for every command, decided in one place.

use std::process::ExitCode;

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
