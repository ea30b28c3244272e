//! The TOML config: schema, file locations, validation, and `coctop config`.

pub mod console_url;
pub mod edit;
mod error;
pub mod look;
mod parse;
mod paths;
pub mod reload;
mod resolve;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::{ConfigError, Position, Problem};
pub use parse::parse as parse_text;
pub use paths::{
    CONFIG_ENV, ConfigLocation, ConfigSource, cache_dir, default_config_path, locate, log_file_path,
};
pub use resolve::{
    DEFAULT_REGION, ENV_AUTH_TOKEN, client_config, client_config_with_env, transport_warning,
};

use crate::coc::Secret;
use crate::coc::TicketRef;
use crate::custom::CustomCommand;
use crate::format::parse_duration;
use crate::i18n::Lang;
use crate::notify::NotifyConfig;
use crate::query::TicketQuery;
use crate::watch::EngineConfig;
use look::{ColumnChoice, Role, ThemeName};
use ratatui::style::Color;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    pub api: ApiConfig,
    pub auth: AuthConfig,
    pub poll: EngineConfig,
    pub watch: Vec<WatchEntry>,
    /// `[[query]]`: tickets found through the list API.
    pub queries: Vec<QueryEntry>,
    /// `[[view]]`: saved filters of the list, `v` cycles them.
    pub views: Vec<ViewEntry>,
    /// `[[command]]`: the user's programs on a key of the dashboard.
    pub commands: Vec<CommandEntry>,
    pub notify: NotifyConfig,
    pub ui: UiConfig,
    /// The file it was read from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// One request, its retries included, ends by then.
    pub deadline: Duration,
    pub domain_id: Option<String>,
    /// Credentials may go over plain `http://` to a host that is not loopback.
    pub allow_http: bool,
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

/// One `[[command]]`, and where its key is written (for the error when the dashboard
/// already takes that key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandEntry {
    pub command: CustomCommand,
    pub key_at: Position,
}

/// `[ui]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UiConfig {
    /// No operation is ever sent (as `--read-only`).
    pub read_only: bool,
    /// The ticket's page in the console; `{execution_id}` is replaced.
    pub console_url: Option<String>,
    /// `language`; `None`: the locale's (`Lang::chosen`).
    pub language: Option<Lang>,
    pub theme: ThemeName,
    /// `[ui.colors]`: a colour per role, over the theme's.
    pub colors: Vec<(Role, Color)>,
    /// `columns`: the list's columns, in order, with their widths; empty: the usual ones.
    pub columns: Vec<ColumnChoice>,
}

/// One `[[watch]]`: a ticket of either kind (`script/UUID` for a script ticket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    pub id: TicketRef,
    pub label: Option<String>,
}

impl WatchEntry {
    /// A ticket watched without a label (named by its job).
    pub fn unlabelled(id: TicketRef) -> WatchEntry {
        WatchEntry { id, label: None }
    }
}

/// One `[[view]]`: a name, the list's filter words, and a sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewEntry {
    pub name: String,
    pub filter: String,
    /// One of `SORTS`; `None` keeps the sort as it is.
    pub sort: Option<String>,
}

impl ViewEntry {
    pub const SORTS: [&'static str; 4] = ["urgency", "started", "name", "status"];
}

/// One `[[query]]`: its name (shown in the dashboard) and its filters.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryEntry {
    pub name: String,
    pub query: TicketQuery,
}

impl Config {
    /// The `[[query]]` called `name`; the error lists the names there are.
    pub fn query(&self, name: &str) -> Result<&QueryEntry, String> {
        self.queries.iter().find(|q| q.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.queries.iter().map(|q| q.name.as_str()).collect();
            let hint = crate::text::nearest(name, &names)
                .map(|near| format!(" (did you mean {near:?}?)"))
                .unwrap_or_default();
            match &self.path {
                Some(path) if !names.is_empty() => format!(
                    "no [[query]] named {name:?} in {}{hint}; there are: {}",
                    path.display(),
                    names.join(", ")
                ),
                Some(path) => format!("no [[query]] in {}", path.display()),
                None => format!("no [[query]] named {name:?}: there is no config file"),
            }
        })
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            region: None,
            endpoint: None,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
            domain_id: None,
            allow_http: false,
        }
    }
}

/// The shortest poll interval: faster polling only spends the request budget.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// [`parse_duration`] for a poll interval given on the command line (`wait --interval`).
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let interval = parse_duration(text)?;
    if interval < MIN_INTERVAL {
        return Err(format!("must be at least 1s, got {text:?}"));
    }
    Ok(interval)
}

/// The largest config file read: a config is a few kilobytes; `/dev/zero` is endless.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads and validates one config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    load_with_text(path).map(|(config, _)| config)
}

/// `load`, and the text it was read from.
pub fn load_with_text(path: &Path) -> Result<(Config, String), ConfigError> {
    let text = read_config_text(path).map_err(|why| ConfigError::file(path.to_path_buf(), why))?;
    let mut config = parse::parse(&text).map_err(|problems| ConfigError {
        path: path.to_path_buf(),
        problems,
    })?;
    config.path = Some(path.to_path_buf());
    Ok((config, text))
}

/// The text of a regular file of at most `MAX_CONFIG_BYTES`, or why not.
fn read_config_text(path: &Path) -> Result<String, String> {
    use crate::files::{self, ReadError};
    let bytes = files::read(path, MAX_CONFIG_BYTES).map_err(|e| match e {
        ReadError::NotFound => "no such file (`coctop config init` writes a starter one)".into(),
        ReadError::TooLarge { .. } => "larger than 1 MiB: not a config file".into(),
        e => e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".into())
}

/// Reads the config for the dashboard and the commands: `explicit` (`--config` or
/// `COCTOP_CONFIG`) must exist; a missing default file gives the defaults. The caller
/// tells the [`secret_warning`], if any.
pub fn load_or_defaults(explicit: Option<&ConfigLocation>) -> Result<Config, String> {
    let Some(location) = locate(explicit) else {
        return Ok(Config::default());
    };
    if location.source == ConfigSource::Default && !location.path.exists() {
        return Ok(Config::default());
    }
    load(&location.path).map_err(|e| e.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/config")
            .join(name)
    }

    #[test]
    fn every_key_of_a_full_file_is_read() {
        let path = fixture("valid-full.toml");
        let config = load(&path).unwrap();
        assert_eq!(config.path.as_deref(), Some(path.as_path()));
        assert_eq!(config.api.region.as_deref(), Some("ap-southeast-3"));
        assert_eq!(
            config.api.endpoint.as_deref(),
            Some("http://127.0.0.1:8710")
        );
        assert_eq!(config.api.timeout, Duration::from_secs(20));
        assert_eq!(config.api.connect_timeout, Duration::from_secs(2));
        assert_eq!(
            config.api.domain_id.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(config.auth.method, AuthMethod::AkSk);
        assert_eq!(config.auth.ak.as_deref(), Some("EXAMPLEAK"));
        assert_eq!(config.auth.sk, Some(Secret::new("EXAMPLESK")));
        assert_eq!(
            config.auth.security_token,
            Some(Secret::new("EXAMPLETOKEN"))
        );
        assert_eq!(config.auth.token, Some(Secret::new("EXAMPLEIAMTOKEN")));
        assert_eq!(config.poll.interval, Duration::from_secs(90));
        assert_eq!(config.poll.concurrency, 4);
        assert_eq!(config.poll.max_rps, 2.5);
        let watched: Vec<(String, Option<&str>)> = config
            .watch
            .iter()
            .map(|w| (w.id.to_string(), w.label.as_deref()))
            .collect();
        assert_eq!(
            watched,
            [
                ("EX2025070121014501aaaaaa".into(), Some("DB failover drill")),
                ("EX2025070121014501bbbbbb".into(), None),
                ("EX2025070121014501cccccc".into(), Some("nightly patch")),
            ]
        );
        assert!(
            !format!("{config:?}").contains("EXAMPLESK"),
            "secrets stay out of Debug"
        );
    }

    #[test]
    fn absent_keys_take_the_documented_defaults() {
        let config = load(&fixture("valid-minimal.toml")).unwrap();
        assert_eq!(config.api.timeout, Duration::from_secs(15));
        assert_eq!(config.api.connect_timeout, Duration::from_secs(5));
        assert_eq!(config.poll.interval, Duration::from_secs(5));
        assert_eq!(config.poll.concurrency, 8);
        assert_eq!(config.poll.max_rps, 10.0);
        assert_eq!(config.auth, AuthConfig::default());
        assert_eq!((config.api.region, config.api.endpoint), (None, None));
    }
}
