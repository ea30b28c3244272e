//! Noticing that the config file changed on disk: its modification time and size,
//! looked at once a second (no watcher library, nothing to set up per platform).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Config, ConfigError, load_with_text};

/// How often the file is looked at.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(1);

/// What identifies one version of the file; `None` when there is no file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    })
}

/// What of the file a running dashboard took in, and so takes in again when it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every profile (also a file without any).
    #[default]
    WholeFile,
    /// One profile's view (`--profile NAME`; `None`: the file's first), as it started:
    /// the other profiles' tickets are not its own.
    Profile(Option<String>),
}

impl Scope {
    /// `file` as this scope sees it; the error says which profile is gone.
    pub fn view(&self, file: Config) -> Result<Config, String> {
        match self {
            Scope::WholeFile => Ok(file),
            Scope::Profile(name) => file.profile(name.as_deref()),
        }
    }
}

/// Follows one file: `changed` reads it again when its stamp moved since last time.
#[derive(Debug)]
pub struct FileWatch {
    path: PathBuf,
    seen: Option<Stamp>,
}

impl FileWatch {
    /// Starts from the file as it is now (already loaded by the caller).
    pub fn new(path: PathBuf) -> FileWatch {
        let seen = stamp(&path);
        FileWatch { path, seen }
    }

    /// The file read again (and its text), when it changed since the last call; `None`
    /// otherwise (or when it was deleted: the running config stays). A FIFO or a device
    /// put in its place is an error at once, never a wait.
    pub fn changed(&mut self) -> Option<Result<(Config, String), ConfigError>> {
        let now = stamp(&self.path);
        if now == self.seen {
            return None;
        }
        self.seen = now;
        now?;
        Some(load_with_text(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_seen_once_and_a_broken_file_is_an_error_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[[watch]]\nid = \"EX1\"\n").unwrap();
        let mut watch = FileWatch::new(path.clone());
        assert!(watch.changed().is_none());
        std::fs::write(
            &path,
            "[[watch]]\nid = \"EX1\"\n\n[[watch]]\nid = \"EX2\"\n",
        )
        .unwrap();
        let (config, _) = watch.changed().unwrap().unwrap();
        assert_eq!(config.watch.len(), 2);
        assert!(watch.changed().is_none(), "seen once");
        std::fs::write(&path, "[poll]\ninterval = \"soon\"\n").unwrap();
        let error = watch.changed().unwrap().unwrap_err();
        assert!(error.to_string().contains("c.toml:2:12:"), "{error}");
        std::fs::remove_file(&path).unwrap();
        assert!(
            watch.changed().is_none(),
            "deleted: the running config stays"
        );
    }

    #[test]
    fn a_profiles_scope_keeps_its_own_tickets_and_says_when_the_profile_is_gone() {
        let two = "[[profile]]\nname = \"prod\"\n[[profile]]\nname = \"staging\"\n\
                   [[watch]]\nid = \"EX1\"\n[[watch]]\nid = \"EX2\"\nprofile = \"staging\"\n";
        let file = crate::config::parse_text(two).unwrap();
        let ids = |scope: Scope| -> Vec<String> {
            let view = scope.view(file.clone()).unwrap();
            view.watch.iter().map(|w| w.id.to_string()).collect()
        };
        assert_eq!(ids(Scope::WholeFile), ["EX1", "EX2"]);
        assert_eq!(ids(Scope::Profile(None)), ["EX1"]);
        assert_eq!(ids(Scope::Profile(Some("staging".into()))), ["EX2"]);
        let gone = Scope::Profile(Some("qa".into())).view(file).unwrap_err();
        assert!(gone.contains("no profile named \"qa\""), "{gone}");
    }
}
