//! The TOML config: schema, file locations, validation, and `coctop config`.

mod command;
mod error;
mod parse;
mod paths;
mod resolve;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use command::command;
pub use error::{ConfigError, Position, Problem};
pub use paths::{
    CONFIG_ENV, ConfigLocation, ConfigSource, cache_dir, default_config_path, locate, log_file_path,
};
pub use resolve::{DEFAULT_REGION, ENV_AUTH_TOKEN, client_config, client_config_with_env};

use crate::coc::Secret;
use crate::watch::EngineConfig;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub api: ApiConfig,
    pub auth: AuthConfig,
    pub poll: EngineConfig,
    pub watch: Vec<WatchEntry>,
    /// The file it was read from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub domain_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMethod {
    #[default]
    AkSk,
    Token,
    None,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuthConfig {
    pub method: AuthMethod,
    pub ak: Option<String>,
    pub sk: Option<Secret>,
    pub security_token: Option<Secret>,
    pub token: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    pub id: String,
    pub label: Option<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            region: None,
            endpoint: None,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            domain_id: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api: ApiConfig::default(),
            auth: AuthConfig::default(),
            poll: EngineConfig::default(),
            watch: Vec::new(),
            path: None,
        }
    }
}

/// `"250ms"`, `"5s"`, `"2m"`, `"1h"`, and sums like `"1m30s"`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "invalid duration {text:?}: expected a number and a unit, like \"5s\", \"2m\" or \"1h\""
        )
    };
    let s = text.trim();
    if s.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_secs = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += Duration::from_secs_f64(value * unit_secs);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
    }
}

/// Reads and validates one config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => {
                "no such file (`coctop config init` writes a starter one)".to_string()
            }
            _ => format!("cannot read: {e}"),
        };
        ConfigError::file(path.to_path_buf(), why)
    })?;
    let mut config = parse::parse(&text).map_err(|problems| ConfigError {
        path: path.to_path_buf(),
        problems,
    })?;
    config.path = Some(path.to_path_buf());
    Ok(config)
}

/// Reads the config for the dashboard and the commands: `explicit` (`--config` or
/// `COCTOP_CONFIG`) must exist; a missing default file gives the defaults. Prints the
/// secret-exposure warning, if any, on stderr.
pub fn load_for_dashboard(explicit: Option<&Path>) -> Result<Config, String> {
    let Some(location) = locate(explicit) else {
        return Ok(Config::default());
    };
    if location.source == ConfigSource::Default && !location.path.exists() {
        return Ok(Config::default());
    }
    let config = load(&location.path).map_err(|e| e.to_string())?;
    if let Some(warning) = secret_warning(&config) {
        eprintln!("coctop: {warning}");
    }
    Ok(config)
}

/// A warning when the file holds a secret and group or others can read it (unix).
pub fn secret_warning(config: &Config) -> Option<String> {
    let path = config.path.as_ref()?;
    let auth = &config.auth;
    let secrets: Vec<&str> = [
        ("sk", auth.sk.is_some()),
        ("security_token", auth.security_token.is_some()),
        ("token", auth.token.is_some()),
    ]
    .iter()
    .filter(|(_, held)| *held)
    .map(|(key, _)| *key)
    .collect();
    if secrets.is_empty() {
        return None;
    }
    let mode = readable_by_others(path)?;
    let path = path.display();
    Some(format!(
        "warning: {path} holds a secret (`{}`) and can be read by group or others \
         (mode {mode:03o}); run `chmod 600 {path}`",
        secrets.join("`, `")
    ))
}

/// The permission bits when group or others may read or write the file.
#[cfg(unix)]
fn readable_by_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> Option<u32> {
    None
}
