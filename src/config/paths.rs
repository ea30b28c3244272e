//! Where coctop's files live: the config file, the log file and the cache directory,
//! all from the platform's directories (XDG on Linux).

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

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

/// The config file to use: `explicit` (`--config` or `COCTOP_CONFIG`, merged by clap),
/// else the default location. `None` when there is no home directory to find it in.
pub fn locate(explicit: Option<&Path>) -> Option<ConfigLocation> {
    match explicit {
        Some(path) => Some(ConfigLocation {
            path: path.to_path_buf(),
            source: explicit_source(
                path,
                std::env::var_os(CONFIG_ENV),
                std::env::args_os().skip(1),
            ),
        }),
        None => default_config_path().map(|path| ConfigLocation {
            path,
            source: ConfigSource::Default,
        }),
    }
}

/// clap has merged the two: the flag, when given, wins; otherwise the path is the variable's.
fn explicit_source(
    path: &Path,
    env_value: Option<OsString>,
    mut args: impl Iterator<Item = OsString>,
) -> ConfigSource {
    let flag_given = args.any(|arg| {
        let arg = arg.to_string_lossy();
        arg == "--config" || arg.starts_with("--config=")
    });
    match env_value {
        Some(value) if !flag_given && Path::new(&value) == path => ConfigSource::Env,
        _ => ConfigSource::Flag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = OsString> {
        list.iter()
            .map(OsString::from)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_flag_wins_over_the_variable() {
        let path = Path::new("/a.toml");
        let env = Some(OsString::from("/a.toml"));
        assert_eq!(
            explicit_source(path, env.clone(), args(&["config", "path"])),
            ConfigSource::Env
        );
        assert_eq!(
            explicit_source(path, env.clone(), args(&["--config", "/a.toml", "config"])),
            ConfigSource::Flag
        );
        assert_eq!(
            explicit_source(path, env, args(&["--config=/a.toml"])),
            ConfigSource::Flag
        );
        assert_eq!(
            explicit_source(path, None, args(&["--config", "/a.toml"])),
            ConfigSource::Flag
        );
    }
}
