//! Where coctop's files live: the config file, the log file and the cache directory,
//! all from the platform's directories (XDG on Linux).

use std::fmt;
use std::path::PathBuf;

use directories::ProjectDirs;

/// The variable clap merges into `--config`.
pub const CONFIG_ENV: &str = "COCTOP_CONFIG";

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "coctop")
}

/// `~/.config/coctop/config.toml` on Linux; `None` when there is no home directory.
pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.config_dir().join("config.toml"))
}

/// The dashboard's log file: the state dir (`~/.local/state/coctop/coctop.log` on Linux),
/// else the cache dir, else the temporary directory.
pub fn log_file_path() -> PathBuf {
    let dir = project_dirs().map(|dirs| {
        dirs.state_dir()
            .unwrap_or_else(|| dirs.cache_dir())
            .to_path_buf()
    });
    dir.unwrap_or_else(std::env::temp_dir).join("coctop.log")
}

/// `~/.cache/coctop` on Linux.
pub fn cache_dir() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.cache_dir().to_path_buf())
}

/// Which rule chose the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    Flag,
    Env,
    Default,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigSource::Flag => "from --config",
            ConfigSource::Env => "from COCTOP_CONFIG",
            ConfigSource::Default => "default location",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    pub path: PathBuf,
    pub source: ConfigSource,
}

/// The config file to use: `explicit` (`--config` or `COCTOP_CONFIG`, told apart by
/// the command line's edge), else the default location. `None` when there is no home
/// directory to find it in.
pub fn locate(explicit: Option<&ConfigLocation>) -> Option<ConfigLocation> {
    match explicit {
        Some(location) => Some(location.clone()),
        None => default_config_path().map(|path| ConfigLocation {
            path,
            source: ConfigSource::Default,
        }),
    }
}
