//! The last known state of the watched tickets, kept in the cache directory between
//! runs: each ticket's last good data, when it was polled, and its History. The
//! dashboard draws its first frame, then reads the cache and starts from it; a
//! finished ticket from it costs no request.
//!
//! One file per endpoint and account (`Key`), JSON, versioned, at most `MAX_BYTES`
//! (the most recently polled tickets are kept). Two dashboards on one endpoint merge
//! their tickets under a lock instead of erasing each other's. A file that is corrupt,
//! of another version, endpoint or account, owned by another user, or in a directory
//! others can write to is logged and ignored. It holds what the API answered and
//! nothing of the credentials.
//!
//! The file is read and written as a stream, one ticket at a time: neither the whole
//! file nor a copy of every ticket is ever held in memory. The tickets of the other
//! dashboard are merged without being decoded (each entry names its ticket and when it
//! was polled beside the ticket's own fields).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer as _, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::coc::{Auth, ClientConfig, Interner, JobStatus, JobTicket, TicketRef};
use crate::files::{self, Expect, ReadError};

/// Bumped whenever the layout changes: an older file is ignored, not misread. (3: each
/// entry names its ticket, `id`, beside `polled_at_ms`, `history` and `ticket`; 4: of
/// either kind, `id` as written, `script/UUID` for a script ticket, and the ticket with
/// its `kind` field.)
pub const VERSION: u32 = 4;
const FORMAT: &str = "coctop-cache";
/// The file's size at most; 10,000 typical tickets fit several times over.
pub const MAX_BYTES: usize = 64 << 20;
/// How long a save waits for another dashboard's save of the same file.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// One ticket as remembered. The ticket is shared with whoever holds it (the dashboard,
/// the engine): remembering it copies nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedTicket {
    /// Of either kind.
    pub ticket: Arc<JobTicket>,
    /// When it was last polled successfully, in Unix milliseconds.
    pub polled_at_ms: i64,
    pub history: Vec<CachedTransition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedTransition {
    /// Statuses by name, of the ticket's kind (`JobStatus::parse`).
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

impl CachedTicket {
    /// Its reference as the file writes it; `None` for an ID that breaks the rule (such
    /// a ticket is never saved).
    fn written_id(&self) -> Option<String> {
        self.ticket.reference().ok().map(|id| id.to_string())
    }
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

/// An entry as written: the ticket's ID and poll time first, so that reading them back
/// needs nothing of the ticket.
#[derive(Serialize)]
struct EntryOut<'a> {
    id: &'a str,
    polled_at_ms: i64,
    history: &'a [CachedTransition],
    ticket: &'a JobTicket,
}

/// What a save needs of another dashboard's entry to merge it.
#[derive(Deserialize)]
struct EntryHead {
    id: String,
    polled_at_ms: i64,
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

/// The remembered tickets of `key` that `wanted` names (the others are skipped
/// without being decoded); nothing (and a log line) when the file is missing,
/// unreadable, corrupt, foreign or of another version.
pub fn load(path: &Path, key: &Key, wanted: impl Fn(&TicketRef) -> bool) -> Vec<CachedTicket> {
    let mut loading = Loading {
        wanted,
        tickets: Vec::new(),
        texts: Interner::new(),
    };
    match read_entries(path, key, &mut loading) {
        Ok(()) => loading.tickets,
        Err(why) => {
            tracing::warn!("cache {} ignored: {why}", path.display());
            Vec::new()
        }
    }
}

/// The entries a dashboard loads, each decoded straight from the file as it is read
/// (no copy of its text is made).
struct Loading<W> {
    wanted: W,
    tickets: Vec<CachedTicket>,
    /// The text the loaded tickets repeat, held once.
    texts: Interner,
}

impl<W: Fn(&TicketRef) -> bool> EachEntry for Loading<W> {
    fn read_next<'de, A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error> {
        let entry = WantedEntry {
            wanted: &self.wanted,
            texts: &mut self.texts,
        };
        match seq.next_element_seed(entry)? {
            Some(loaded) => {
                self.tickets.extend(loaded);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// One entry: its ticket when `wanted` names it (another is skipped without being
/// decoded once its `id`, written first, is known).
struct WantedEntry<'w, W> {
    wanted: &'w W,
    texts: &'w mut Interner,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum EntryField {
    Id,
    PolledAtMs,
    History,
    Ticket,
    #[serde(other)]
    Other,
}

impl<'de, W: Fn(&TicketRef) -> bool> DeserializeSeed<'de> for WantedEntry<'_, W> {
    type Value = Option<CachedTicket>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, W: Fn(&TicketRef) -> bool> Visitor<'de> for WantedEntry<'_, W> {
    type Value = Option<CachedTicket>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a cached ticket")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let wanted = self.wanted;
        let (mut id, mut polled_at_ms, mut history, mut ticket) = (None, None, None, None);
        while let Some(field) = map.next_key()? {
            match field {
                EntryField::Id => id = Some(map.next_value::<TicketRef>()?),
                EntryField::PolledAtMs => polled_at_ms = Some(map.next_value::<i64>()?),
                EntryField::History => history = Some(map.next_value::<Vec<CachedTransition>>()?),
                EntryField::Ticket if id.as_ref().is_some_and(|id| !wanted(id)) => {
                    map.next_value::<IgnoredAny>()?;
                }
                EntryField::Ticket => ticket = Some(map.next_value::<JobTicket>()?),
                EntryField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let polled_at_ms = polled_at_ms.ok_or_else(|| de::Error::missing_field("polled_at_ms"))?;
        let history = history.ok_or_else(|| de::Error::missing_field("history"))?;
        if !wanted(&id) {
            return Ok(None);
        }
        let ticket = ticket.ok_or_else(|| de::Error::missing_field("ticket"))?;
        if ticket.reference().as_ref() != Ok(&id) {
            return Err(de::Error::custom(format!(
                "entry {:?} holds ticket {:?}",
                id.to_string(),
                ticket.id()
            )));
        }
        Ok(Some(CachedTicket {
            ticket: Arc::new(ticket.packed(self.texts)),
            polled_at_ms,
            history,
        }))
    }
}

/// Why a cache file was not used.
#[derive(Debug)]
enum Unusable {
    Read(ReadError),
    Corrupt(serde_json::Error),
    /// Another format, version, endpoint or account.
    Foreign(String),
    Untrusted(String),
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unusable::Read(e) => write!(f, "{e}"),
            Unusable::Corrupt(e) => write!(f, "corrupt: {e}"),
            Unusable::Foreign(why) | Unusable::Untrusted(why) => f.write_str(why),
        }
    }
}

/// Hands each entry of the file to `each`, one at a time; `Ok` once the whole file was
/// read and is the cache of `key` (a missing file has no entries). What `each` took
/// from a file that turns out unusable must be thrown away.
fn read_entries(path: &Path, key: &Key, each: &mut impl EachEntry) -> Result<(), Unusable> {
    if let Some(dir) = path.parent() {
        match std::fs::metadata(dir) {
            Ok(meta) => trusted(&meta, "its directory").map_err(Unusable::Untrusted)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Unusable::Read(ReadError::Io(e))),
        }
    }
    let reader = match files::open_own(path, MAX_BYTES as u64) {
        Ok(reader) => io::BufReader::new(reader),
        Err(ReadError::NotFound) => return Ok(()),
        Err(e) => return Err(Unusable::Read(e)),
    };
    let mut json = serde_json::Deserializer::from_reader(reader);
    let header = (&mut json)
        .deserialize_map(FileVisitor { key, each })
        .and_then(|header| json.end().map(|()| header));
    let header = header.map_err(|e| match e.io_error_kind() {
        Some(_) => Unusable::Read(ReadError::of(e.into())),
        None => Unusable::Corrupt(e),
    })?;
    header.check(key).map_err(Unusable::Foreign)
}

/// The fields of a file besides its tickets.
#[derive(Debug, Default)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
    endpoint: Option<String>,
    account: Option<String>,
}

impl Header {
    fn is_complete(&self) -> bool {
        self.format.is_some()
            && self.version.is_some()
            && self.endpoint.is_some()
            && self.account.is_some()
    }

    fn check(&self, key: &Key) -> Result<(), String> {
        if self.format.as_deref() != Some(FORMAT) {
            return Err(format!("not a coctop cache ({:?})", self.format));
        }
        match self.version {
            Some(VERSION) => {}
            Some(other) => return Err(format!("version {other}, expected {VERSION}")),
            None => return Err("no version".into()),
        }
        if (self.endpoint.as_deref(), self.account.as_deref())
            != (Some(key.endpoint.as_str()), Some(key.account.as_str()))
        {
            return Err(format!(
                "of another endpoint or account ({:?})",
                self.endpoint
            ));
        }
        Ok(())
    }
}

/// The file's object: the header's fields, and the tickets handed on one by one.
struct FileVisitor<'k, 'e, F> {
    key: &'k Key,
    each: &'e mut F,
}

impl<'de, F> Visitor<'de> for FileVisitor<'_, '_, F>
where
    F: EachEntry,
{
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a coctop cache object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut header = Header::default();
        while let Some(field) = map.next_key::<String>()? {
            match field.as_str() {
                "format" => header.format = Some(map.next_value()?),
                "version" => header.version = Some(map.next_value()?),
                "endpoint" => header.endpoint = Some(map.next_value()?),
                "account" => header.account = Some(map.next_value()?),
                // The header comes first (as written): a foreign file's tickets are
                // not read.
                "tickets" if header.is_complete() && header.check(self.key).is_err() => {
                    map.next_value::<IgnoredAny>()?;
                }
                "tickets" => map.next_value_seed(Entries(&mut *self.each))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(header)
    }
}

/// Takes the entries of the `tickets` array, each as it is read.
trait EachEntry {
    /// Reads the next entry from `seq`; `false` after the last.
    fn read_next<'de, A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error>;
}

/// Each entry whole, as its text.
impl<F: FnMut(Box<RawValue>) -> Result<(), serde_json::Error>> EachEntry for F {
    fn read_next<'de, A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error> {
        match seq.next_element::<Box<RawValue>>()? {
            Some(entry) => self(entry).map(|()| true).map_err(de::Error::custom),
            None => Ok(false),
        }
    }
}

/// The `tickets` array, each entry handed on as it is read.
struct Entries<'f, F>(&'f mut F);

impl<'de, F> DeserializeSeed<'de> for Entries<'_, F>
where
    F: EachEntry,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F> Visitor<'de> for Entries<'_, F>
where
    F: EachEntry,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of cached tickets")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while self.0.read_next(&mut seq)? {}
        Ok(())
    }
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

/// An entry of the file being written: one of ours, or one of the file already there.
enum Outgoing<'a> {
    Ours(&'a CachedTicket),
    Theirs(Theirs),
}

/// An entry of the file already there that no ticket of ours supersedes: not held by
/// us, or polled more recently than ours. Kept as written.
struct Theirs {
    id: String,
    polled_at_ms: i64,
    entry: Box<RawValue>,
}

impl Outgoing<'_> {
    fn polled_at_ms(&self) -> i64 {
        match self {
            Outgoing::Ours(t) => t.polled_at_ms,
            Outgoing::Theirs(t) => t.polled_at_ms,
        }
    }
}

/// Writes `tickets` merged with what another dashboard of the same key wrote meanwhile
/// (for a ticket both hold, the more recently polled wins), atomically and private,
/// the most recently polled first until `MAX_BYTES`. The file is streamed in and out:
/// what it costs in memory is about one ticket, besides the other dashboard's tickets
/// that are kept.
pub fn save(path: &Path, key: &Key, tickets: &[CachedTicket]) -> Result<(), String> {
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
    let mut outgoing = merged(tickets, theirs(path, key, tickets));
    outgoing.sort_by_key(|t| std::cmp::Reverse(t.polled_at_ms()));
    files::replace_with(path, Expect::Anything, 0o600, |out| {
        write_file(out, key, &outgoing)
    })
    .map_err(|e| e.to_string())
}

/// The entries of the file now there that `ours` does not supersede; none when it is
/// unusable (it is then replaced).
fn theirs(path: &Path, key: &Key, ours: &[CachedTicket]) -> Vec<Theirs> {
    let polled: HashMap<String, i64> = ours
        .iter()
        .filter_map(|t| Some((t.written_id()?, t.polled_at_ms)))
        .collect();
    let mut kept = Vec::new();
    let read = read_entries(path, key, &mut |entry: Box<RawValue>| {
        let head: EntryHead = serde_json::from_str(entry.get())?;
        if polled
            .get(head.id.as_str())
            .is_none_or(|&ours| ours < head.polled_at_ms)
        {
            kept.push(Theirs {
                id: head.id,
                polled_at_ms: head.polled_at_ms,
                entry,
            });
        }
        Ok(())
    });
    match read {
        Ok(()) => kept,
        Err(_) => Vec::new(),
    }
}

/// `ours` but those `theirs` supersedes, and `theirs`.
fn merged(ours: &[CachedTicket], theirs: Vec<Theirs>) -> Vec<Outgoing<'_>> {
    let superseded: HashSet<&str> = theirs.iter().map(|t| t.id.as_str()).collect();
    let mut outgoing: Vec<Outgoing> = ours
        .iter()
        .filter(|t| {
            t.written_id()
                .is_some_and(|id| !superseded.contains(id.as_str()))
        })
        .map(Outgoing::Ours)
        .collect();
    outgoing.extend(theirs.into_iter().map(Outgoing::Theirs));
    outgoing
}

/// The file: its header, then each entry in turn while it fits in `MAX_BYTES` (one
/// that does not is left out, a smaller one after it may still go in).
fn write_file(out: &mut dyn Write, key: &Key, entries: &[Outgoing]) -> io::Result<()> {
    write!(
        out,
        "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"endpoint\":"
    )?;
    serde_json::to_writer(&mut *out, &key.endpoint)?;
    out.write_all(b",\"account\":")?;
    serde_json::to_writer(&mut *out, &key.account)?;
    out.write_all(b",\"tickets\":[")?;
    // Room for the header and the closing brackets.
    let mut room = MAX_BYTES.saturating_sub(1024 + key.endpoint.len() + key.account.len());
    let mut first = true;
    let mut buffer = Vec::new();
    for entry in entries {
        let text: &[u8] = match entry {
            Outgoing::Ours(t) => {
                let Some(id) = t.written_id() else {
                    continue;
                };
                buffer.clear();
                serde_json::to_writer(
                    &mut buffer,
                    &EntryOut {
                        id: &id,
                        polled_at_ms: t.polled_at_ms,
                        history: &t.history,
                        ticket: &t.ticket,
                    },
                )?;
                &buffer
            }
            Outgoing::Theirs(t) => t.entry.get().as_bytes(),
        };
        let size = text.len() + 1;
        if size > room {
            continue;
        }
        room -= size;
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(text)?;
    }
    out.write_all(b"]}")
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
            ticket: Arc::new(ticket.into()),
            polled_at_ms,
            history: vec![CachedTransition::new(None, &status.into(), polled_at_ms)],
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
        let script: ScriptTicket = serde_json::from_value(serde_json::json!({
            "execute_uuid": "JS1", "order_name": "rotate", "status": "PAUSED",
            "properties": {"script_name": "rotate.sh", "current_execute_batch_index": 2}
        }))
        .unwrap();
        let tickets = vec![
            cached("EX1", Status::Succeed, 2_000),
            cached("EX2", Status::Unknown("Paused".into()), 1_000),
            CachedTicket {
                ticket: Arc::new(script.into()),
                polled_at_ms: 500,
                history: Vec::new(),
            },
        ];
        save(&path, &sim, &tickets).unwrap();
        assert_eq!(load(&path, &sim, |_| true), tickets);
        let other = key("cn-north-4", "anonymous");
        assert!(
            load(&path, &other, |_| true).is_empty(),
            "another endpoint's"
        );
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
        save(&path, &alice, &[cached("EX1", Status::Failed, 1)]).unwrap();
        assert!(
            load(&path, &bob, |_| true).is_empty(),
            "another account's tickets"
        );
    }

    #[test]
    fn two_dashboards_merge_their_tickets_keeping_the_newer_poll() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        let first = [
            cached("EX1", Status::Running, 1),
            cached("EX2", Status::Failed, 5),
        ];
        save(&path, &ep(), &first).unwrap();
        let second = [
            cached("EX1", Status::Succeed, 3),
            cached("EX2", Status::Running, 2),
            cached("EX3", Status::Failed, 4),
        ];
        save(&path, &ep(), &second).unwrap();
        let mut held: Vec<(String, i64, Option<JobStatus>)> = load(&path, &ep(), |_| true)
            .into_iter()
            .map(|t| (t.ticket.id().to_string(), t.polled_at_ms, t.ticket.status()))
            .collect();
        held.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            held,
            [
                ("EX1".into(), 3, Some(Status::Succeed.into())),
                ("EX2".into(), 5, Some(Status::Failed.into())),
                ("EX3".into(), 4, Some(Status::Failed.into())),
            ]
        );
        // Newest poll first, the other dashboard's entry as it wrote it.
        let text = std::fs::read_to_string(&path).unwrap();
        let order: Vec<usize> = ["\"EX2\"", "\"EX3\"", "\"EX1\""]
            .iter()
            .map(|id| text.find(id).unwrap())
            .collect();
        assert!(order.is_sorted(), "{text}");
    }

    #[test]
    fn loaded_tickets_share_the_text_they_repeat_and_save_back_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        let of_one_runbook = |id: &str, value: &str| {
            let mut t = cached(id, Status::Succeed, 1);
            let JobTicket::Execution(ticket) = Arc::make_mut(&mut t.ticket) else {
                unreachable!()
            };
            ticket.creator = Some("li.wei".into());
            ticket.tags = vec![crate::coc::KeyValue {
                key: "env".into(),
                value: "prod".into(),
            }];
            ticket.parameters = vec![crate::coc::KeyValue {
                key: "service".into(),
                value: value.into(),
            }];
            t
        };
        let tickets = [
            of_one_runbook("EX1", "order-service"),
            of_one_runbook("EX2", "order-service"),
        ];
        save(&path, &ep(), &tickets).unwrap();
        let written = std::fs::read(&path).unwrap();
        let loaded = load(&path, &ep(), |_| true);
        assert_eq!(loaded, tickets);
        let [a, b] = [0, 1].map(|i| loaded[i].ticket.as_execution().unwrap().clone());
        let shared = |x: &Option<Arc<str>>, y: &Option<Arc<str>>| {
            Arc::ptr_eq(x.as_ref().unwrap(), y.as_ref().unwrap())
        };
        assert!(shared(&a.document_name, &b.document_name) && shared(&a.creator, &b.creator));
        assert!(Arc::ptr_eq(&a.tags[0].key, &b.tags[0].key));
        assert!(Arc::ptr_eq(&a.tags[0].value, &b.tags[0].value));
        assert!(Arc::ptr_eq(&a.parameters[0].key, &b.parameters[0].key));
        assert!(
            !Arc::ptr_eq(&a.parameters[0].value, &b.parameters[0].value),
            "a parameter's value is the run's own"
        );
        std::fs::remove_file(&path).unwrap();
        save(&path, &ep(), &loaded).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), written);
    }

    #[test]
    fn only_the_tickets_asked_for_are_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        let tickets = [
            cached("EX1", Status::Succeed, 3),
            cached("EX2", Status::Failed, 2),
            cached("EX3", Status::Running, 1),
        ];
        save(&path, &ep(), &tickets).unwrap();
        let loaded = load(&path, &ep(), |id| id != "EX2");
        assert_eq!(loaded, [tickets[0].clone(), tickets[2].clone()]);
    }

    #[test]
    fn an_entry_in_another_order_than_written_loads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        let reordered = |ticket: &str, id: &str, polled: i64| {
            format!(
                r#"{{"ticket":{ticket},"history":[],"extra":[1,{{}}],"polled_at_ms":{polled},"id":"{id}"}}"#
            )
        };
        let wanted = r#"{"execution_id":"EX1","targets":[{"key":"InstanceValues","values":[{"b":1.50,"a":[]}]}],"kind":"execution"}"#;
        let unwanted = r#"{"kind":"script","execute_uuid":"JS2"}"#;
        let text = format!(
            r#"{{"format":"coctop-cache","version":{VERSION},"endpoint":"ep","account":"domain:1","tickets":[{},{}]}}"#,
            reordered(wanted, "EX1", 7),
            reordered(unwanted, "script/JS2", 8),
        );
        std::fs::write(&path, text).unwrap();
        let loaded = load(&path, &ep(), |id| id.id() == "EX1");
        assert_eq!(loaded.len(), 1, "{loaded:?}");
        assert_eq!((loaded[0].ticket.id(), loaded[0].polled_at_ms), ("EX1", 7));
        let targets = loaded[0].ticket.as_execution().unwrap().targets.as_ref();
        assert!(
            targets.unwrap().is_packed(),
            "held with its targets as text"
        );
        assert_eq!(
            targets.unwrap().list()[0].values[0].get(),
            r#"{"b":1.50,"a":[]}"#
        );
    }

    #[test]
    fn an_entry_naming_another_ticket_than_it_holds_spoils_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        save(&path, &ep(), &[cached("EX1", Status::Succeed, 3)]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("\"id\":\"EX1\"", "\"id\":\"EX9\"", 1)).unwrap();
        assert!(load(&path, &ep(), |_| true).is_empty());
    }

    #[test]
    fn a_cache_others_can_write_or_another_user_owns_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("coctop");
        let path = cache_dir.join("tickets.json");
        save(&path, &ep(), &[cached("EX1", Status::Succeed, 1)]).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
        assert_eq!((mode(&cache_dir), mode(&path)), (0o700, 0o600));
        assert_eq!(load(&path, &ep(), |_| true).len(), 1);

        std::fs::set_permissions(&cache_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(
            load(&path, &ep(), |_| true).is_empty(),
            "a directory anyone can write to"
        );
        assert!(save(&path, &ep(), &[]).is_err());
        std::fs::set_permissions(&cache_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(
            load(&path, &ep(), |_| true).is_empty(),
            "a file anyone can write to"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        // Only root can hand the file to another user to set this up (CI runs as root).
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
            assert!(
                load(&path, &ep(), |_| true).is_empty(),
                "another user's file"
            );
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
        assert!(load(&path, &ep(), |_| true).is_empty(), "no file yet");
        for text in [
            "{\"format\": \"coctop-cache\", \"version\": 3, \"endpoint\": \"ep\", \"tick",
            "{\"format\": \"coctop-cache\", \"version\": 3, \"endpoint\": \"ep\", \"account\": \"domain:1\", \"tickets\": [{\"id\": \"EX1\"}]}",
            "{\"format\": \"coctop-cache\", \"version\": 3, \"endpoint\": \"ep\", \"account\": \"domain:1\", \"tickets\": []} []",
            "{\"format\": \"coctop-cache\", \"version\": 2, \"endpoint\": \"ep\", \"account\": \"domain:1\", \"tickets\": [{\"ticket\": {\"execution_id\": \"EX1\"}, \"polled_at_ms\": 1, \"history\": []}]}",
            "\u{0}\u{1}binary",
            "{\"format\": \"something-else\", \"version\": 2, \"endpoint\": \"ep\", \"account\": \"domain:1\", \"tickets\": []}",
            "{\"format\": \"coctop-cache\", \"version\": 1, \"endpoint\": \"ep\", \"tickets\": []}",
            "[1, 2, 3]",
        ] {
            std::fs::write(&path, text).unwrap();
            assert!(load(&path, &ep(), |_| true).is_empty(), "{text}");
        }
    }

    #[test]
    fn the_file_is_bounded_keeping_the_most_recently_polled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.json");
        let mut big = Ticket::empty("EXBIG");
        big.description = Some("x".repeat(MAX_BYTES).into());
        let big = CachedTicket {
            ticket: Arc::new(big.into()),
            polled_at_ms: 3,
            history: Vec::new(),
        };
        let small = cached("EXNEW", Status::Failed, 2);
        save(&path, &ep(), &[big, small.clone()]).unwrap();
        assert_eq!(load(&path, &ep(), |_| true), vec![small]);
        assert!(std::fs::metadata(&path).unwrap().len() < 4096);
    }
}
