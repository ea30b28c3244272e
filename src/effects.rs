//! What the dashboard's event loop does besides the terminal and the engine: tell
//! notifications, save watch-list changes to the config file, follow the config file,
//! and read and write the tickets' cache. Each runs off the loop's thread where it
//! touches the disk or another process; answers come back as `Message`s.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::{
    App, Message, Reloaded, Run, RunEnded, SaveResult, Saved, WatchChange, check_command_keys,
};
use crate::cache::{self, CachedTicket};
use crate::config::edit::LastRead;
use crate::config::reload::{FileWatch, RELOAD_INTERVAL, Scope};
use crate::config::{ViewEntry, edit};
use crate::custom;
use crate::files;
use crate::heap;
use crate::notify::{Notification, NotifyConfig, Teller};
use crate::process;

/// How often changed tickets are written to the cache while the dashboard runs, so a
/// crash or a kill loses at most this much History.
pub const CACHE_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default)]
pub struct Effects {
    /// `None`: notifications are only counted in the header.
    pub teller: Option<Teller>,
    /// The config file that watch-list changes are saved to and that is reloaded when
    /// it changes; `None` (the demo) keeps changes to this session.
    pub config_path: Option<PathBuf>,
    /// What was last read from (or written to) that file: a save that finds something
    /// else there checks again before it trusts it.
    pub last_read: Arc<LastRead>,
    /// What of that file the dashboard shows, and so takes in when it changes.
    pub scope: Scope,
    /// Where the tickets are remembered for the next run: one file per profile (each
    /// its endpoint's and account's); none for the demo, or without a cache directory.
    pub caches: Vec<CacheTarget>,
}

/// The cache file of one profile: its endpoint's and account's.
#[derive(Debug, Clone)]
pub struct CacheTarget {
    /// The profile whose tickets it holds (by `Profiles` name).
    pub profile: String,
    pub path: PathBuf,
    pub key: cache::Key,
}

impl CacheTarget {
    fn write(&self, app: &App) -> impl FnOnce() + Send + 'static {
        let (target, tickets) = (self.clone(), app.to_cache(&self.profile));
        move || {
            if let Err(e) = cache::save(&target.path, &target.key, &tickets) {
                tracing::warn!("cache {} not written: {e}", target.path.display());
            }
        }
    }

    fn read(&self, app: &App) -> impl FnOnce() -> Vec<CachedTicket> + Send + 'static {
        let (target, watched) = (self.clone(), app.watched_ids(&self.profile));
        move || cache::load(&target.path, &target.key, |id| watched.contains(id))
    }
}

/// A background task that ends when this is dropped.
pub struct Background(JoinHandle<()>);

impl Drop for Background {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Effects {
    /// Bell and desktop sequences to the terminal (they change nothing on the
    /// screen), the hook in its own task.
    pub fn tell(&self, notification: &Notification) {
        if let Some(teller) = &self.teller {
            teller.tell(notification, Some(&mut io::stdout()));
        }
    }

    /// New notification rules from a reloaded config.
    pub fn renotify(&mut self, config: &NotifyConfig) {
        self.teller = self.teller.as_ref().map(|t| t.with_config(config));
    }

    /// Runs a custom command in the background, its output kept for the pane; how it
    /// ended comes back as `Message::CommandEnded`.
    pub fn run_command(&self, run: Run, replies: &UnboundedSender<Message>) {
        let replies = replies.clone();
        tokio::spawn(async move {
            tracing::info!("custom command {:?}: {:?}", run.name, run.argv);
            let keep = process::Keep::Both(custom::OUTPUT_LIMIT);
            let ended = match process::run(&run.argv, &[], run.timeout, keep).await {
                process::Ended::Exited { status, output } => RunEnded::Exited {
                    code: exit_code(status),
                    output,
                },
                process::Ended::Killed { output } => RunEnded::Killed {
                    after: run.timeout,
                    output,
                },
                process::Ended::CannotStart(e) => RunEnded::CannotStart(e.to_string()),
            };
            if let RunEnded::Exited { code, .. } = &ended {
                tracing::info!("custom command {:?} ended: exit {code}", run.name);
            }
            let name = run.name;
            let _ = replies.send(Message::CommandEnded { name, ended });
        });
    }

    /// Saves a change in the background; the result comes back as `Message::Added`
    /// (IDs added) or `Message::Saved`.
    pub fn save_watch(&self, change: WatchChange, replies: &UnboundedSender<Message>) {
        let path = self.config_path.clone();
        let (replies, last_read) = (replies.clone(), self.last_read.clone());
        tokio::task::spawn_blocking(move || {
            let said = save_watch_change(path.as_deref(), &change, &last_read);
            if let Saved::Failed(e) = &said {
                tracing::warn!("watch list not saved: {e}");
            }
            let message = match change {
                WatchChange::Add(entries) => Message::Added { entries, said },
                WatchChange::Remove(_) => Message::Saved(said),
            };
            let _ = replies.send(message);
        });
    }

    /// Writes an output to `path` in the background (never over a file there unless
    /// `overwrite`); the result comes back as `Message::OutputSaved`.
    pub fn save_output(
        &self,
        path: PathBuf,
        text: Arc<str>,
        overwrite: bool,
        replies: &UnboundedSender<Message>,
    ) {
        let replies = replies.clone();
        tokio::task::spawn_blocking(move || {
            let result = write_output(&path, &text, overwrite);
            tracing::info!(
                "output of {} bytes to {}: {result:?}",
                text.len(),
                path.display()
            );
            let _ = replies.send(Message::OutputSaved { path, result });
        });
    }

    /// Saves a `[[view]]` in the background; the result comes back as `Message::Saved`.
    pub fn save_view(&self, view: ViewEntry, replies: &UnboundedSender<Message>) {
        let path = self.config_path.clone();
        let (replies, last_read) = (replies.clone(), self.last_read.clone());
        tokio::task::spawn_blocking(move || {
            let said = saved(path.as_deref(), |path| {
                edit::save_view(path, &view, &last_read).map(|()| None)
            });
            let _ = replies.send(Message::Saved(said));
        });
    }

    /// Looks at the config file once a second and sends it each time it changed.
    pub fn follow_config(&self, replies: &UnboundedSender<Message>) -> Option<Background> {
        let path = self.config_path.clone()?;
        Some(Background(tokio::spawn(follow_config(
            path,
            self.scope.clone(),
            self.last_read.clone(),
            replies.clone(),
        ))))
    }

    /// Reads what each profile's cache remembers of its watched tickets on a blocking
    /// thread, and sends it all as one `Message::Remembered` (an empty one when nothing
    /// is remembered). Called once the first frame is on screen, which it would
    /// otherwise hold back.
    pub fn recall(&self, app: &App, replies: &UnboundedSender<Message>) {
        if self.caches.is_empty() {
            return;
        }
        let reads: Vec<_> = self.caches.iter().map(|cache| cache.read(app)).collect();
        let replies = replies.clone();
        tokio::task::spawn_blocking(move || {
            let remembered = reads.into_iter().flat_map(|read| read()).collect();
            let _ = replies.send(Message::Remembered(remembered));
        });
    }

    /// Writes each profile's tickets to its cache now (on the way out).
    pub fn remember(&self, app: &App) {
        for cache in &self.caches {
            cache.write(app)();
        }
    }

    /// Writes each profile's tickets to its cache on a blocking thread (while
    /// running), then gives back what writing them took.
    pub fn remember_in_background(&self, app: &App) {
        if self.caches.is_empty() {
            return;
        }
        let writes: Vec<_> = self.caches.iter().map(|cache| cache.write(app)).collect();
        tokio::task::spawn_blocking(move || {
            for write in writes {
                write();
            }
            heap::trim();
        });
    }

    /// Gives back what reading the cache took, once its tickets are in place.
    pub fn recalled(&self) {
        tokio::task::spawn_blocking(heap::trim);
    }
}

async fn follow_config(
    path: PathBuf,
    scope: Scope,
    last_read: Arc<LastRead>,
    replies: UnboundedSender<Message>,
) {
    let mut file = FileWatch::new(path);
    let mut clock = tokio::time::interval(RELOAD_INTERVAL);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        clock.tick().await;
        let Some(result) = file.changed() else {
            continue;
        };
        let reloaded = result
            .map_err(|error| error.to_string())
            .and_then(|(file, text)| Ok((scope.view(file)?, text)))
            .and_then(|(config, text)| {
                check_command_keys(&config).map_err(|error| error.to_string())?;
                Ok((config, text))
            })
            .map(|(config, text)| {
                last_read.set(text);
                Reloaded {
                    watch: config.watch,
                    notify: config.notify,
                    commands: config.commands.into_iter().map(|c| c.command).collect(),
                }
            });
        if let Err(error) = &reloaded {
            tracing::warn!("config not reloaded: {error}");
        }
        if replies.send(Message::ConfigReloaded(reloaded)).is_err() {
            return;
        }
    }
}

/// Saves a watch-list change; what to tell the user.
fn save_watch_change(path: Option<&Path>, change: &WatchChange, last_read: &LastRead) -> Saved {
    saved(path, |path| match change {
        WatchChange::Add(entries) => edit::add_watches(path, entries, last_read).map(|_| None),
        WatchChange::Remove(id) => match edit::remove_watch(path, id, last_read) {
            Ok(true) => Ok(None),
            // Found by a [[query]] (or pinned): there is nothing of it in the file.
            Ok(false) => Ok(Some(Saved::NotInFile {
                id: id.to_string(),
                path: path.display().to_string(),
            })),
            Err(e) => Err(e),
        },
    })
}

/// An edit of the config file at `path`, if there is one; what to tell the user (the
/// edit's own answer, else where it was saved).
fn saved(path: Option<&Path>, edit: impl FnOnce(&Path) -> Result<Option<Saved>, String>) -> Saved {
    let Some(path) = path else {
        return Saved::NoFile;
    };
    match edit(path) {
        Ok(said) => said.unwrap_or_else(|| Saved::To(path.display().to_string())),
        Err(e) => Saved::Failed(e),
    }
}

/// A program's exit code, or the signal that ended it (`signal 9`).
pub fn exit_code(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => code.to_string(),
        (None, Some(signal)) => format!("signal {signal}"),
        (None, None) => status.to_string(),
    }
}

/// Writes a saved output through the one safe writer: a new file private to the user
/// (never over a file that is there, even one that appeared meanwhile), or over the one
/// there when the user said so. `~/` is the home directory.
fn write_output(path: &Path, text: &str, overwrite: bool) -> SaveResult {
    let path = match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    };
    let expect = match overwrite {
        true => files::Expect::Anything,
        false => files::Expect::Content(None),
    };
    match files::replace(&path, text.as_bytes(), expect, 0o600) {
        Ok(()) => SaveResult::Saved,
        Err(files::WriteError::Changed) => SaveResult::Exists,
        Err(e) => SaveResult::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::TicketRef;

    #[test]
    fn removing_a_ticket_the_file_does_not_name_says_where_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let text = "[[watch]]\nid = \"EX1\"\n";
        std::fs::write(&path, text).unwrap();
        let last_read = LastRead::of_file(&path);
        let said = save_watch_change(
            Some(&path),
            &WatchChange::Remove(TicketRef::parse("EXQUERY").unwrap()),
            &last_read,
        );
        assert_eq!(
            said,
            Saved::NotInFile {
                id: "EXQUERY".into(),
                path: path.display().to_string()
            }
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        let said = save_watch_change(
            Some(&path),
            &WatchChange::Remove(TicketRef::parse("EX1").unwrap()),
            &last_read,
        );
        assert_eq!(said, Saved::To(path.display().to_string()));
    }
}
