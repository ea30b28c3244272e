//! The last known state of the watched tickets, kept in the cache directory between
//! runs: each ticket's last good data, when it was polled, and its History. The
//! dashboard starts from it at once, and a finished ticket from it costs no request.
//!
//! One file per endpoint and account (`Key`), JSON, versioned, at most `MAX_BYTES`
//! (the most recently polled tickets are kept). Two dashboards on one endpoint merge
//! their tickets under a lock instead of erasing each other's. A file that is corrupt,
//! of another version, endpoint or account, owned by another user, or in a directory
//! others can write to is logged and ignored. It holds what the API answered and
//! nothing of the credentials.

use std::collections::HashMap;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::coc::{Auth, ClientConfig, Status, Ticket};
use crate::files::{self, Expect, ReadError};

/// Bumped whenever the layout changes: an older file is ignored, not misread.
pub const VERSION: u32 = 2;
const FORMAT: &str = "coctop-cache";
/// The file's size at most; 10,000 typical tickets fit several times over.
pub const MAX_BYTES: usize = 64 << 20;
/// How long a save waits for another dashboard's save of the same file.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// One ticket as remembered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedTicket {
    pub ticket: Ticket,
    /// When it was last polled successfully, in Unix milliseconds.
    pub polled_at_ms: i64,
    pub history: Vec<CachedTransition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedTransition {
    pub from: Option<Status>,
    pub to: Status,
    pub at_ms: i64,
}

/// Whose tickets a cache file holds: one endpoint, one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Region id or endpoint URL.
    pub endpoint: String,
    /// `domain:ID` when the account ID is known, else `ak:` and a digest of the access
    /// key, else `anonymous`: never anything of a secret.
    pub account: String,
}

impl Key {
    pub fn of(client: &ClientConfig) -> Key {
        let account = match (&client.domain_id, &client.auth) {
            (Some(domain), _) => format!("domain:{domain}"),
            (None, Auth::AkSk { ak, .. }) => format!("ak:{}", &digest(ak)[..16]),
            (None, Auth::Token(_) | Auth::None) => "anonymous".into(),
        };
        Key {
            endpoint: client.endpoint.display_name(),
            account,
        }
    }
}

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[derive(Debug, Serialize, Deserialize)]
struct CacheFile {
    format: String,
    version: u32,
    endpoint: String,
    account: String,
    tickets: Vec<CachedTicket>,
}

/// Times are written as epoch milliseconds, the API's own form.
pub use crate::format::millis_of as to_millis;

/// A remembered time; one no calendar holds (a damaged file) reads as long ago, never
/// as a time that could not be shown.
pub fn from_millis(ms: i64) -> SystemTime {
    crate::format::from_millis(ms).unwrap_or(UNIX_EPOCH)
}

/// The cache file of `key` in `dir`: named by a hash, so any URL makes a safe name.
pub fn path_for(dir: &Path, key: &Key) -> PathBuf {
    let digest = digest(&format!("{}\n{}", key.endpoint, key.account));
    dir.join(format!("tickets-{}.json", &digest[..16]))
}

/// The remembered tickets of `key`; nothing (and a log line) when the file is missing,
/// unreadable, corrupt, foreign or of another version.
pub fn load(path: &Path, key: &Key) -> Vec<CachedTicket> {
    match read(path, key) {
        Ok(tickets) => tickets,
        Err(why) => {
            tracing::warn!("cache {} ignored: {why}", path.display());
            Vec::new()
        }
    }
}

fn read(path: &Path, key: &Key) -> Result<Vec<CachedTicket>, String> {
    if let Some(dir) = path.parent() {
        match std::fs::metadata(dir) {
            Ok(meta) => trusted(&meta, "its directory")?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.to_string()),
        }
    }
    let bytes = match files::read_own(path, MAX_BYTES as u64) {
        Ok(bytes) => bytes,
        Err(ReadError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    let file: CacheFile = serde_json::from_slice(&bytes).map_err(|e| format!("corrupt: {e}"))?;
    if file.format != FORMAT {
        return Err(format!("not a coctop cache ({:?})", file.format));
    }
    if file.version != VERSION {
        return Err(format!("version {}, expected {VERSION}", file.version));
    }
    if (file.endpoint.as_str(), file.account.as_str()) != (&key.endpoint, &key.account) {
        return Err(format!(
            "of another endpoint or account ({:?})",
            file.endpoint
        ));
    }
    Ok(file.tickets)
}

/// A directory this user owns and nobody else may write to: a file in it can only be
/// this user's own.
fn trusted(meta: &std::fs::Metadata, what: &str) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!(
            "{what} belongs to another user (uid {})",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "{what} can be written by others (mode {mode:03o}; chmod go-w fixes it)"
        ));
    }
    Ok(())
}

/// Writes `tickets` merged with what another dashboard of the same key wrote meanwhile
/// (for a ticket both hold, the more recently polled wins), atomically and private,
/// the most recently polled first until `MAX_BYTES`.
pub fn save(path: &Path, key: &Key, tickets: Vec<CachedTicket>) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| e.to_string())?;
        trusted(
            &std::fs::metadata(dir).map_err(|e| e.to_string())?,
            "its directory",
        )?;
    }
    let lock_name = path
        .file_name()
        .map_or_else(|| "tickets".into(), |n| n.to_string_lossy());
    let _lock = files::Lock::take(
        &path.with_file_name(format!(".{lock_name}.lock")),
        LOCK_WAIT,
    )
    .map_err(|e| e.to_string())?;
    let theirs = read(path, key).unwrap_or_default();
    let mut tickets = merged(tickets, theirs);
    tickets.sort_by_key(|t| std::cmp::Reverse(t.polled_at_ms));
    // Room for the envelope; each ticket's share measured as it would be written.
    let mut room = MAX_BYTES.saturating_sub(1024 + key.endpoint.len() + key.account.len());
    tickets.retain(|t| {
        let size = serde_json::to_vec(t).map_or(usize::MAX, |v| v.len() + 1);
        let fits = size <= room;
        if fits {
            room -= size;
        }
        fits
    });
    let file = CacheFile {
        format: FORMAT.into(),
        version: VERSION,
        endpoint: key.endpoint.clone(),
        account: key.account.clone(),
        tickets,
    };
    let bytes = serde_json::to_vec(&file).map_err(|e| e.to_string())?;
    files::replace(path, &bytes, Expect::Anything, 0o600).map_err(|e| e.to_string())
}

/// `ours` and the tickets only `theirs` holds; of a ticket in both, the more recently
/// polled.
fn merged(ours: Vec<CachedTicket>, theirs: Vec<CachedTicket>) -> Vec<CachedTicket> {
    let mut by_id: HashMap<String, CachedTicket> = HashMap::with_capacity(ours.len());
    for ticket in theirs.into_iter().chain(ours) {
        match by_id.get(&ticket.ticket.execution_id) {
            Some(held) if held.polled_at_ms > ticket.polled_at_ms => {}
            _ => {
                by_id.insert(ticket.ticket.execution_id.clone(), ticket);
            }
        }
    }
    by_id.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(id: &str, status: Status, polled_at_ms: i64) -> CachedTicket {
        let mut ticket = Ticket::empty(id);
        ticket.status = Some(status.clone());
        ticket.start_time = Some(1_751_378_400_000);
        ticket.document_name = Some("数据库 drill".into());
        CachedTicket {
            ticket,
            polled_at_ms,
            history: vec![CachedTransition {
                from: None,
                to: status,
                at_ms: polled_at_ms,
            }],
        }
    }

    fn key(endpoint: &str, account: &str) -> Key {
        Key {
            endpoint: endpoint.into(),
            account: account.into(),
        }
    }

    fn ep() -> Key {
        key("ep", "domain:1")
    }

    #[test]
    fn tickets_and_history_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let sim = key("http://127.0.0.1:8710", "anonymous");
        let path = path_for(dir.path(), &sim);
        let tickets = vec![
            cached("EX1", Status::Succeed, 2_000),
            cached("EX2", Status::Unknown("Paused".into()), 1_000),
        ];
        save(&path, &sim, tickets.clone()).unwrap();
        assert_eq!(load(&path, &sim), tickets);
        let other = key("cn-north-4", "anonymous");
        assert!(load(&path, &other).is_empty(), "another endpoint's");
        assert_ne!(path, path_for(dir.path(), &other));
    }

    #[test]
    fn the_cache_is_keyed_by_account_without_any_secret() {
        use crate::coc::{Endpoint, Secret};
        let endpoint = Endpoint::from_region("cn-north-4").unwrap();
        let signed = |ak: &str| {
            ClientConfig::new(
                endpoint.clone(),
                Auth::AkSk {
                    ak: ak.into(),
                    sk: Secret::new("THE-SECRET"),
                    security_token: None,
                },
            )
        };
        let (alice, bob) = (Key::of(&signed("ALICEAK")), Key::of(&signed("BOBAK")));
        assert_ne!(alice, bob);
        assert!(!format!("{alice:?}").contains("SECRET") && !alice.account.contains("ALICEAK"));
        let mut with_domain = signed("ALICEAK");
        with_domain.domain_id = Some("d0".into());
        assert_eq!(Key::of(&with_domain).account, "domain:d0");
        let dir = tempfile::tempdir().unwrap();
        assert_ne!(path_for(dir.path(), &alice), path_for(dir.path(), &bob));
        let path = path_for(dir.path(), &alice);
        save(&path, &alice, vec![cached("EX1", Status::Failed, 1)]).unwrap();
        assert!(load(&path, &bob).is_empty(), "another account's tickets");
    }

    #[test]
    fn two_dashboards_merge_their_tickets_keeping_the_newer_poll() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        save(
            &path,
            &ep(),
            vec![
                cached("EX1", Status::Running, 1),
                cached("EX2", Status::Failed, 5),
            ],
        )
        .unwrap();
        save(
            &path,
            &ep(),
            vec![
                cached("EX1", Status::Succeed, 3),
                cached("EX3", Status::Failed, 4),
            ],
        )
        .unwrap();
        let mut held: Vec<(String, i64)> = load(&path, &ep())
            .into_iter()
            .map(|t| (t.ticket.execution_id, t.polled_at_ms))
            .collect();
        held.sort();
        assert_eq!(
            held,
            [("EX1".into(), 3), ("EX2".into(), 5), ("EX3".into(), 4)]
        );
    }

    #[test]
    fn a_cache_others_can_write_or_another_user_owns_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("coctop");
        let path = cache_dir.join("tickets.json");
        save(&path, &ep(), vec![cached("EX1", Status::Succeed, 1)]).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
        assert_eq!((mode(&cache_dir), mode(&path)), (0o700, 0o600));
        assert_eq!(load(&path, &ep()).len(), 1);

        std::fs::set_permissions(&cache_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(
            load(&path, &ep()).is_empty(),
            "a directory anyone can write to"
        );
        assert!(save(&path, &ep(), Vec::new()).is_err());
        std::fs::set_permissions(&cache_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(load(&path, &ep()).is_empty(), "a file anyone can write to");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        // Only root can hand the file to another user to set this up (CI runs as root).
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
            assert!(load(&path, &ep()).is_empty(), "another user's file");
        }
    }

    #[test]
    fn remembered_times_keep_their_millisecond_and_garbage_reads_as_long_ago() {
        for ms in [0, 1_751_378_400_123, -1_000] {
            assert_eq!(to_millis(from_millis(ms)), ms, "{ms}");
        }
        for garbage in [i64::MAX, i64::MIN] {
            let at = from_millis(garbage);
            assert_eq!(at, UNIX_EPOCH, "{garbage}");
            assert_ne!(crate::format::clock_time(at, crate::format::Zone::UTC), "-");
        }
    }

    #[test]
    fn corrupt_foreign_and_old_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        assert!(load(&path, &ep()).is_empty(), "no file yet");
        for text in [
            "{\"format\": \"coctop-cache\", \"version\": 2, \"endpoint\": \"ep\", \"tick",
            "\u{0}\u{1}binary",
            "{\"format\": \"something-else\", \"version\": 2, \"endpoint\": \"ep\", \"account\": \"domain:1\", \"tickets\": []}",
            "{\"format\": \"coctop-cache\", \"version\": 1, \"endpoint\": \"ep\", \"tickets\": []}",
            "[1, 2, 3]",
        ] {
            std::fs::write(&path, text).unwrap();
            assert!(load(&path, &ep()).is_empty(), "{text}");
        }
    }

    #[test]
    fn the_file_is_bounded_keeping_the_most_recently_polled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        let mut big = cached("EXBIG", Status::Running, 1);
        big.ticket.description = Some("x".repeat(MAX_BYTES));
        let small = cached("EXNEW", Status::Failed, 2);
        save(&path, &ep(), vec![big, small.clone()]).unwrap();
        assert_eq!(load(&path, &ep()), vec![small]);
        assert!(std::fs::metadata(&path).unwrap().len() < 4096);
    }
}
