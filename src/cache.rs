//! The last known state of the watched tickets, kept in the cache directory between
//! runs: each ticket's last good data, when it was polled, and its History. The
//! dashboard starts from it at once, and a finished ticket from it costs no request.
//!
//! One file per endpoint, JSON, versioned, written to a temporary file and renamed,
//! at most `MAX_BYTES` (the most recently polled tickets are kept). A file that is
//! corrupt, of another version or of another endpoint is logged and ignored. It holds
//! what the API answered and nothing of the credentials.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::coc::{JobStatus, JobTicket};

/// Bumped whenever the layout changes: an older file is ignored, not misread. (2:
/// tickets of either kind, with a `kind` field.)
pub const VERSION: u32 = 2;
const FORMAT: &str = "coctop-cache";
/// The file's size at most; 10,000 typical tickets fit several times over.
pub const MAX_BYTES: usize = 64 << 20;

/// One ticket as remembered, of either kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedTicket {
    pub ticket: JobTicket,
    /// When it was last polled successfully, in Unix milliseconds.
    pub polled_at_ms: i64,
    pub history: Vec<CachedTransition>,
}

/// A status change, its statuses by name (of the ticket's kind: `JobStatus::parse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedTransition {
    pub from: Option<String>,
    pub to: String,
    pub at_ms: i64,
}

impl CachedTransition {
    pub fn new(from: Option<&JobStatus>, to: &JobStatus, at_ms: i64) -> CachedTransition {
        CachedTransition {
            from: from.map(|s| s.as_str().to_string()),
            to: to.as_str().to_string(),
            at_ms,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct CacheFile {
    format: String,
    version: u32,
    endpoint: String,
    tickets: Vec<CachedTicket>,
}

/// Times are written as epoch milliseconds, the API's own form.
pub use crate::format::millis_of as to_millis;

/// A remembered time; one no calendar holds (a damaged file) reads as long ago, never
/// as a time that could not be shown.
pub fn from_millis(ms: i64) -> SystemTime {
    crate::format::from_millis(ms).unwrap_or(UNIX_EPOCH)
}

/// The cache file of `endpoint` in `dir`: named by a hash, so any URL makes a safe name.
pub fn path_for(dir: &Path, endpoint: &str) -> PathBuf {
    let digest = hex::encode(Sha256::digest(endpoint.as_bytes()));
    dir.join(format!("tickets-{}.json", &digest[..16]))
}

/// The remembered tickets of `endpoint`; nothing (and a log line) when the file is
/// missing, unreadable, corrupt, foreign or of another version.
pub fn load(path: &Path, endpoint: &str) -> Vec<CachedTicket> {
    match read(path, endpoint) {
        Ok(tickets) => tickets,
        Err(why) => {
            tracing::warn!("cache {} ignored: {why}", path.display());
            Vec::new()
        }
    }
}

fn read(path: &Path, endpoint: &str) -> Result<Vec<CachedTicket>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "{} bytes, more than the {MAX_BYTES} allowed",
            bytes.len()
        ));
    }
    let file: CacheFile = serde_json::from_slice(&bytes).map_err(|e| format!("corrupt: {e}"))?;
    if file.format != FORMAT {
        return Err(format!("not a coctop cache ({:?})", file.format));
    }
    if file.version != VERSION {
        return Err(format!("version {}, expected {VERSION}", file.version));
    }
    if file.endpoint != endpoint {
        return Err(format!("of another endpoint ({:?})", file.endpoint));
    }
    Ok(file.tickets)
}

/// Writes the tickets atomically, the most recently polled first until `MAX_BYTES`.
pub fn save(path: &Path, endpoint: &str, mut tickets: Vec<CachedTicket>) -> std::io::Result<()> {
    tickets.sort_by_key(|t| std::cmp::Reverse(t.polled_at_ms));
    // Room for the envelope; each ticket's share measured as it would be written.
    let mut room = MAX_BYTES.saturating_sub(1024 + endpoint.len());
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
        endpoint: endpoint.into(),
        tickets,
    };
    let bytes = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension(format!("tmp.{}", std::process::id()));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&temporary)?;
        out.write_all(&bytes)?;
        out.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::{ScriptTicket, Status, Ticket};

    fn cached(id: &str, status: Status, polled_at_ms: i64) -> CachedTicket {
        let mut ticket = Ticket::empty(id);
        ticket.status = Some(status.clone());
        ticket.start_time = Some(1_751_378_400_000);
        ticket.document_name = Some("数据库 drill".into());
        CachedTicket {
            ticket: ticket.into(),
            polled_at_ms,
            history: vec![CachedTransition::new(None, &status.into(), polled_at_ms)],
        }
    }

    #[test]
    fn tickets_and_history_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "http://127.0.0.1:8710");
        let script: ScriptTicket = serde_json::from_value(serde_json::json!({
            "execute_uuid": "JS1", "order_name": "rotate", "status": "PAUSED",
            "properties": {"script_name": "rotate.sh", "current_execute_batch_index": 2}
        }))
        .unwrap();
        let tickets = vec![
            cached("EX1", Status::Succeed, 2_000),
            cached("EX2", Status::Unknown("Paused".into()), 1_000),
            CachedTicket {
                ticket: script.into(),
                polled_at_ms: 500,
                history: Vec::new(),
            },
        ];
        save(&path, "http://127.0.0.1:8710", tickets.clone()).unwrap();
        assert_eq!(load(&path, "http://127.0.0.1:8710"), tickets);
        assert!(load(&path, "cn-north-4").is_empty(), "another endpoint's");
        assert_ne!(path, path_for(dir.path(), "cn-north-4"));
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
        assert!(load(&path, "ep").is_empty(), "no file yet");
        for text in [
            "{\"format\": \"coctop-cache\", \"version\": 1, \"endpoint\": \"ep\", \"tick",
            "\u{0}\u{1}binary",
            "{\"format\": \"something-else\", \"version\": 1, \"endpoint\": \"ep\", \"tickets\": []}",
            "{\"format\": \"coctop-cache\", \"version\": 99, \"endpoint\": \"ep\", \"tickets\": []}",
            "[1, 2, 3]",
        ] {
            std::fs::write(&path, text).unwrap();
            assert!(load(&path, "ep").is_empty(), "{text}");
        }
    }

    #[test]
    fn the_file_is_bounded_keeping_the_most_recently_polled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        let mut big = cached("EXBIG", Status::Running, 1);
        if let JobTicket::Execution(t) = &mut big.ticket {
            t.description = Some("x".repeat(MAX_BYTES));
        }
        let small = cached("EXNEW", Status::Failed, 2);
        save(&path, "ep", vec![big, small.clone()]).unwrap();
        assert_eq!(load(&path, "ep"), vec![small]);
        assert!(std::fs::metadata(&path).unwrap().len() < 4096);
    }
}
