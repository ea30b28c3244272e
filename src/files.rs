//! The one way coctop reads and writes its files (config, cache, lock, log, credentials,
//! `sim --sk-file`).
//!
//! Reading: only a regular file, opened without blocking (a FIFO or a device in its
//! place is an error at once, never a hang), its size checked before reading and the
//! read itself bounded (a file that grows while read is still refused).
//!
//! Writing: an exclusive temporary file with an unpredictable name beside the target,
//! written, synced, given the target's mode and owner, then renamed over it. A symlink
//! is written through: the file it points to is replaced, the link stays a link. A file
//! that changed since the caller read it is not replaced.

use std::ffi::CString;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    /// A FIFO, a device, a directory, a socket.
    NotRegular,
    TooLarge {
        limit: u64,
    },
    /// Owned by another user, or writable by others.
    Foreign,
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge { limit } => write!(f, "larger than {}", size_text(*limit)),
            ReadError::Foreign => f.write_str("owned by another user or writable by others"),
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

/// `1 MiB`, `64 KiB`, `100 bytes`.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// The whole of a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_checked(path, limit, false)
}

/// `read`, of a file this user owns and nobody else can write to (the cache: what it
/// says decides what is polled).
pub fn read_own(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_checked(path, limit, true)
}

fn read_checked(path: &Path, limit: u64, own: bool) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_checked(path, limit, own)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    Bounded::new(file, limit)
        .read_to_end(&mut bytes)
        .map_err(ReadError::of)?;
    Ok(bytes)
}

/// `read_own` as a stream, for a file too large to hold in memory beside what is made
/// of it (the cache). Reading past `limit` bytes (a file that grew) fails with an error
/// that `ReadError::of` turns into `TooLarge`.
pub fn open_own(path: &Path, limit: u64) -> Result<Bounded, ReadError> {
    let (file, _) = open_checked(path, limit, true)?;
    Ok(Bounded::new(file, limit))
}

/// A file read to at most `limit` bytes: one more is an error, never a silent cut.
#[derive(Debug)]
pub struct Bounded {
    file: io::Take<File>,
    limit: u64,
}

impl Bounded {
    fn new(file: File, limit: u64) -> Bounded {
        Bounded {
            file: file.take(limit.saturating_add(1)),
            limit,
        }
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        if n > 0 && self.file.limit() == 0 {
            return Err(io::Error::other(PastLimit(self.limit)));
        }
        Ok(n)
    }
}

/// Inside the `io::Error` of a read past a `Bounded` file's limit.
#[derive(Debug)]
struct PastLimit(u64);

impl fmt::Display for PastLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "larger than {}", size_text(self.0))
    }
}

impl std::error::Error for PastLimit {}

impl ReadError {
    /// What an error reading a `Bounded` file means.
    pub fn of(error: io::Error) -> ReadError {
        match error.get_ref().and_then(|e| e.downcast_ref::<PastLimit>()) {
            Some(&PastLimit(limit)) => ReadError::TooLarge { limit },
            None => ReadError::Io(error),
        }
    }
}

/// A regular file of at most `limit` bytes, open for reading, and its length.
fn open_checked(path: &Path, limit: u64, own: bool) -> Result<(File, u64), ReadError> {
    let file = OpenOptions::new()
        .read(true)
        // A FIFO opens at once instead of waiting for a writer; then it is refused below.
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e),
        })?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular);
    }
    // SAFETY: geteuid has no preconditions.
    if own && (metadata.uid() != unsafe { libc::geteuid() } || metadata.mode() & 0o022 != 0) {
        return Err(ReadError::Foreign);
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok((file, metadata.len()))
}

/// `read`, or `None` when there is no file.
pub fn read_if_exists(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    match read(path, limit) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(ReadError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Opens a log file for appending, created private (`mode`) when missing; a FIFO or a
/// device in its place is refused rather than waited on.
pub fn open_append(path: &Path, mode: u32) -> io::Result<File> {
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(mode)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    regular(file)
}

fn regular(file: File) -> io::Result<File> {
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(io::Error::other("not a regular file"))
    }
}

/// The file `path` names once every symlink is followed (it need not exist): what a
/// write through `path` must replace.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // As the kernel's own limit on a chain of links.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// What the file must still hold when it is replaced.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'a> {
    /// Whatever it holds (the caller merged under a lock).
    Anything,
    /// Exactly these bytes; `None`: there must be no file.
    Content(Option<&'a [u8]>),
}

/// Why a file was not replaced.
#[derive(Debug)]
pub enum WriteError {
    /// It no longer holds what the caller read: someone else changed it.
    Changed,
    NotRegular,
    /// The new file could not be given the old one's owner or group: it would have
    /// changed hands.
    Owner {
        uid: u32,
        gid: u32,
    },
    /// Not writable by this user (a read-only file stays read-only).
    ReadOnly,
    Io(io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Changed => f.write_str("it changed since it was read"),
            WriteError::NotRegular => f.write_str("not a regular file"),
            WriteError::Owner { uid, gid } => write!(
                f,
                "it belongs to user {uid}, group {gid}, which this user cannot give a new file"
            ),
            WriteError::ReadOnly => f.write_str("it is not writable"),
            WriteError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Replaces the file `path` names (through symlinks) with `bytes`, atomically: a
/// reader sees the old file or the new one, never half of one. An existing file keeps
/// its mode, owner and group; a new one gets `new_mode`.
pub fn replace(path: &Path, bytes: &[u8], expect: Expect, new_mode: u32) -> Result<(), WriteError> {
    replace_with(path, expect, new_mode, |out| out.write_all(bytes))
}

/// `replace`, the new content written by `write` as it goes (the cache streams its
/// tickets rather than holding the whole file in memory).
pub fn replace_with(
    path: &Path,
    expect: Expect,
    new_mode: u32,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    let target = resolve(path)?;
    let existing = match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() => return Err(WriteError::NotRegular),
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    if existing.is_some() && !writable(&target) {
        return Err(WriteError::ReadOnly);
    }
    let (file, temporary) = create_temporary(&target)?;
    let written = (|| {
        let mut out = io::BufWriter::new(file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        match &existing {
            Some(meta) => keep_owner_and_mode(&file, meta)?,
            None => file.set_permissions(std::fs::Permissions::from_mode(new_mode))?,
        }
        file.sync_all()?;
        if let Expect::Content(expected) = expect
            && !holds(&target, expected)?
        {
            return Err(WriteError::Changed);
        }
        std::fs::rename(&temporary, &target)?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
        return written;
    }
    // The rename itself on disk; a failure here loses nothing that was readable.
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// `.NAME.<random>.tmp` beside `target`, created exclusively (never an existing file,
/// never through a symlink someone planted).
fn create_temporary(target: &Path) -> io::Result<(File, PathBuf)> {
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    let mut tries = 0;
    loop {
        let temporary =
            target.with_file_name(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
        let opened = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&temporary);
        match opened {
            Ok(file) => return Ok((file, temporary)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 8 => tries += 1,
            Err(e) => return Err(e),
        }
    }
}

fn keep_owner_and_mode(file: &File, old: &std::fs::Metadata) -> Result<(), WriteError> {
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
        // SAFETY: fchown on a descriptor we own.
        let changed = unsafe { libc::fchown(file.as_raw_fd(), old.uid(), old.gid()) };
        if changed != 0 {
            return Err(WriteError::Owner {
                uid: old.uid(),
                gid: old.gid(),
            });
        }
    }
    // After the owner: chown clears the set-id bits.
    file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))?;
    Ok(())
}

fn writable(path: &Path) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path; access only reads it.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

/// Whether `path` holds exactly `expected` (`None`: there is no file).
fn holds(path: &Path, expected: Option<&[u8]>) -> Result<bool, WriteError> {
    let limit = expected.map_or(0, |e| e.len() as u64);
    match (read_if_exists(path, limit), expected) {
        (Ok(now), expected) => Ok(now.as_deref() == expected),
        (Err(ReadError::TooLarge { .. }), _) => Ok(false),
        (Err(ReadError::NotRegular), _) => Err(WriteError::NotRegular),
        (Err(ReadError::Io(e)), _) => Err(e.into()),
        (Err(ReadError::NotFound), _) => Ok(expected.is_none()),
        (Err(ReadError::Foreign), _) => Ok(false),
    }
}

/// An exclusive lock (`flock`) on a file beside the one it guards, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _held: File,
}

/// Why a lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process held it for longer than the wait.
    Busy(Duration),
    Io(io::Error),
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::Busy(waited) => write!(
                f,
                "another process holds its lock (waited {:.1}s)",
                waited.as_secs_f64()
            ),
            LockError::Io(e) => write!(f, "cannot lock: {e}"),
        }
    }
}

impl Lock {
    /// Takes the lock at `path` (created private when missing), waiting at most `wait`.
    pub fn take(path: &Path, wait: Duration) -> Result<Lock, LockError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
            .and_then(regular)
            .map_err(LockError::Io)?;
        let started = Instant::now();
        loop {
            // SAFETY: flock on a descriptor we own; released when the file closes.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return Ok(Lock { _held: file });
            }
            let error = io::Error::last_os_error();
            if error.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(LockError::Io(error));
            }
            if started.elapsed() >= wait {
                return Err(LockError::Busy(wait));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().mode() & 0o7777
    }

    #[test]
    fn only_a_bounded_regular_file_is_read_and_a_fifo_never_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read(&file, 5).unwrap(), b"hello");
        assert!(matches!(
            read(&file, 4),
            Err(ReadError::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            read(&dir.path().join("none"), 9),
            Err(ReadError::NotFound)
        ));
        assert!(matches!(read(dir.path(), 9), Err(ReadError::NotRegular)));
        let fifo = dir.path().join("fifo");
        let c_path = CString::new(fifo.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        assert!(matches!(read(&fifo, 9), Err(ReadError::NotRegular)));
        assert!(matches!(
            read(Path::new("/dev/zero"), 1 << 20),
            Err(ReadError::NotRegular)
        ));
        assert!(open_append(&fifo, 0o600).is_err());
        assert!(Lock::take(&fifo, Duration::ZERO).is_err());
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_new_one_gets_the_mode_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        replace(&path, b"one", Expect::Content(None), 0o600).unwrap();
        assert_eq!(mode_of(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        replace(&path, b"two", Expect::Content(Some(b"one")), 0o600).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(mode_of(&path), 0o664, "not narrowed by the umask");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_file_of_another_user_keeps_its_owner_and_group_mode() {
        // Only root can hand a file to another user to set this up (CI runs as root).
        if unsafe { libc::geteuid() } != 0 {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        std::os::unix::fs::chown(&path, Some(4242), Some(4343)).unwrap();
        replace(&path, b"new", Expect::Content(Some(b"old")), 0o600).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid(), mode_of(&path)),
            (4242, 4343, 0o664)
        );
    }

    #[test]
    fn a_file_that_changed_since_it_was_read_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "theirs").unwrap();
        let refused = replace(&path, b"mine", Expect::Content(Some(b"old")), 0o600);
        assert!(matches!(refused, Err(WriteError::Changed)), "{refused:?}");
        let refused = replace(&path, b"mine", Expect::Content(None), 0o600);
        assert!(matches!(refused, Err(WriteError::Changed)), "{refused:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_write_through_a_symlink_replaces_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real_dir = dir.path().join("dotfiles");
        std::fs::create_dir(&real_dir).unwrap();
        std::fs::write(real_dir.join("config.toml"), "old").unwrap();
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink("dotfiles/config.toml", &link).unwrap();
        replace(&link, b"new", Expect::Content(Some(b"old")), 0o600).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(real_dir.join("config.toml")).unwrap(), b"new");
    }

    #[test]
    fn temporary_files_are_exclusive_and_unpredictable() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("c.toml");
        let (_, first) = create_temporary(&target).unwrap();
        let (_, second) = create_temporary(&target).unwrap();
        assert_ne!(first, second);
        assert!(
            !first
                .to_string_lossy()
                .contains(&std::process::id().to_string())
        );
    }

    #[test]
    fn a_lock_held_elsewhere_times_out_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".c.lock");
        let held = Lock::take(&path, Duration::ZERO).unwrap();
        // flock locks belong to the open file: a second open is a second owner.
        let busy = Lock::take(&path, Duration::from_millis(100));
        assert!(matches!(busy, Err(LockError::Busy(_))), "{busy:?}");
        drop(held);
        Lock::take(&path, Duration::ZERO).unwrap();
    }
}
