//! `coctop config path|check|init`.

use std::io::Write;
use std::path::Path;

use super::{output, report};
use crate::app::check_command_keys;
use crate::config::{
    ConfigLocation, ConfigSource, cache_dir, load, locate, log_file_path, secret_warning,
};
use crate::exit::Exit;

/// The starter file written by `coctop config init`: every key present, commented out.
pub const EXAMPLE: &str = include_str!("../../config.example.toml");

/// `coctop config ACTION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigAction {
    Path,
    Check,
    Init,
}

const NO_HOME: &str =
    "no config location: the home directory is unknown; name a file with --config FILE";

/// Runs `coctop config ACTION`; `explicit` is `--config` (or `COCTOP_CONFIG`).
pub fn run(explicit: Option<&ConfigLocation>, action: ConfigAction) -> Exit {
    let location = locate(explicit);
    let done = match action {
        ConfigAction::Path => show_paths(location.as_ref()),
        ConfigAction::Check => check(location.as_ref()),
        ConfigAction::Init => init(location.as_ref()),
    };
    done.unwrap_or_else(|exit| exit)
}

fn show_paths(location: Option<&ConfigLocation>) -> Result<Exit, Exit> {
    let config = match location {
        Some(ConfigLocation { path, source }) => {
            let state = if path.is_file() {
                "exists"
            } else {
                "does not exist"
            };
            format!("{} ({source}, {state})", path.display())
        }
        None => format!("none ({NO_HOME})"),
    };
    let cache = match cache_dir() {
        Some(dir) => dir.display().to_string(),
        None => "none (the home directory is unknown)".into(),
    };
    output::print(&format!(
        "config: {config}\nlog:    {}\ncache:  {cache}\n",
        log_file_path().display()
    ))?;
    Ok(Exit::Success)
}

fn check(location: Option<&ConfigLocation>) -> Result<Exit, Exit> {
    let Some(ConfigLocation { path, source }) = location else {
        report(NO_HOME);
        return Ok(Exit::Usage);
    };
    if *source == ConfigSource::Default && !path.exists() {
        output::print(&format!(
            "OK: no config file at {} (default location): the defaults apply, 0 watched tickets\n",
            path.display()
        ))?;
        return Ok(Exit::Success);
    }
    match load(path).and_then(|config| check_command_keys(&config).map(|()| config)) {
        Ok(config) => {
            if let Some(warning) = secret_warning(&config) {
                report(&warning);
            }
            let count = config.watch.len();
            let noun = if count == 1 { "ticket" } else { "tickets" };
            let queries = match config.queries.len() {
                0 => String::new(),
                1 => ", 1 query".to_string(),
                n => format!(", {n} queries"),
            };
            output::print(&format!(
                "OK: {} ({count} watched {noun}{queries})\n",
                path.display()
            ))?;
            Ok(Exit::Success)
        }
        Err(error) => {
            for line in error.lines() {
                report(&line);
            }
            Ok(Exit::Usage)
        }
    }
}

fn init(location: Option<&ConfigLocation>) -> Result<Exit, Exit> {
    let Some(ConfigLocation { path, .. }) = location else {
        report(NO_HOME);
        return Ok(Exit::Usage);
    };
    match write_new(path, EXAMPLE) {
        Ok(()) => {
            output::print(&format!(
                "Wrote a starter config to {}\nEdit it, then run `coctop config check`.\n",
                path.display()
            ))?;
            Ok(Exit::Success)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            report(&format!(
                "{} already exists; not overwriting it",
                path.display()
            ));
            Ok(Exit::Usage)
        }
        Err(e) => {
            report(&format!("cannot write {}: {e}", path.display()));
            Ok(Exit::Usage)
        }
    }
}

/// Creates `path` (and its directories) private to the user; fails if it exists.
fn write_new(path: &Path, content: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uncommenting every commented key and table of the example gives a valid config,
    /// so the example documents only real keys with valid values.
    #[test]
    fn the_example_with_every_key_uncommented_is_valid() {
        let uncommented: String = EXAMPLE
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if is_setting(rest) => rest,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let keys = uncommented.lines().filter(|l| is_setting(l)).count();
        assert!(keys >= 16, "only {keys} settings found:\n{uncommented}");
        let config = crate::config::parse_text(&uncommented)
            .unwrap_or_else(|problems| panic!("{problems:?}\n{uncommented}"));
        assert_eq!(config.watch.len(), 1);
        assert!(config.auth.sk.is_some());
        let query = &config.queries[0].query;
        assert!(query.creator.is_some() && query.job.is_some() && query.job_id.is_some());
        assert!(query.since.is_some() && query.until.is_some() && query.limit.is_some());
        assert_eq!((query.tags.len(), query.status.len()), (2, 3));
        assert!(config.ui.read_only && config.ui.console_url.is_some());
    }

    fn is_setting(line: &str) -> bool {
        line.starts_with('[')
            || line
                .split_once(" = ")
                .is_some_and(|(key, _)| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    }

    #[test]
    fn the_example_as_shipped_is_valid_and_empty() {
        let config = crate::config::parse_text(EXAMPLE).unwrap();
        assert!(config.watch.is_empty());
        assert_eq!(config.auth.sk, None);
    }
}
