//! Changing the watch list in the config file from the dashboard, keeping the user's
//! comments, order and formatting (`toml_edit`).
//!
//! Every edit takes a lock beside the file, reads the file afresh, changes it, checks
//! that the result is still a valid config, writes a temporary file in the same
//! directory and renames it over the original: two coctop processes editing one file
//! never lose each other's entries, and a reader never sees half a file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{ConfigError, WatchEntry};
use crate::coc::TicketRef;

/// What the user typed or pasted: IDs separated by spaces, commas or new lines
/// (`script/UUID` for a script ticket), optionally followed by `# label` (the label
/// applies to every ID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paste {
    /// Valid references, each once, in the order given.
    pub ids: Vec<TicketRef>,
    pub label: Option<String>,
    /// Refused pieces and why.
    pub invalid: Vec<(String, &'static str)>,
}

impl Paste {
    pub fn parse(text: &str) -> Paste {
        let (ids_text, label) = match text.split_once('#') {
            Some((ids, label)) => (ids, Some(label.trim()).filter(|l| !l.is_empty())),
            None => (text, None),
        };
        let mut paste = Paste {
            ids: Vec::new(),
            label: label.map(str::to_string),
            invalid: Vec::new(),
        };
        let pieces = ids_text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|piece| !piece.is_empty());
        for piece in pieces {
            match TicketRef::parse(piece) {
                Ok(id) if !paste.ids.contains(&id) => paste.ids.push(id),
                Ok(_) => {}
                Err(why) => paste.invalid.push((piece.to_string(), why.reason)),
            }
        }
        paste
    }

    pub fn entries(&self) -> Vec<WatchEntry> {
        self.ids
            .iter()
            .map(|id| WatchEntry {
                id: id.clone(),
                label: self.label.clone(),
            })
            .collect()
    }
}

/// Adds `entries` that the file does not watch yet, after its last `[[watch]]`; returns
/// the IDs added, as written (an ID already watched is left as it is).
pub fn add_watches(path: &Path, entries: &[WatchEntry]) -> Result<Vec<String>, String> {
    edit(path, |doc| {
        let mut added = Vec::new();
        let watched = watched_ids(doc)?;
        for entry in entries {
            let id = entry.id.to_string();
            if watched.contains(&id) || added.contains(&id) {
                continue;
            }
            push_entry(doc, entry)?;
            added.push(id);
        }
        Ok(added)
    })
}

/// Removes the `[[watch]]` entry of `id`; says whether there was one.
pub fn remove_watch(path: &Path, id: &TicketRef) -> Result<bool, String> {
    let id = id.to_string();
    let id = id.as_str();
    edit(path, |doc| {
        let is_it = |table_id: Option<&str>| table_id == Some(id);
        match doc.get_mut("watch") {
            Some(Item::ArrayOfTables(tables)) => {
                let found = tables
                    .iter()
                    .position(|t| is_it(t.get("id").and_then(Item::as_str)));
                if let Some(i) = found {
                    tables.remove(i);
                }
                Ok(found.is_some())
            }
            Some(Item::Value(Value::Array(items))) => {
                let found = items.iter().position(|v| {
                    is_it(
                        v.as_inline_table()
                            .and_then(|t| t.get("id"))
                            .and_then(Value::as_str),
                    )
                });
                if let Some(i) = found {
                    items.remove(i);
                }
                Ok(found.is_some())
            }
            _ => Ok(false),
        }
    })
}

fn watched_ids(doc: &DocumentMut) -> Result<Vec<String>, String> {
    let id_of = |item: Option<&Item>| item.and_then(Item::as_str).map(str::to_string);
    Ok(match doc.get("watch") {
        None => Vec::new(),
        Some(Item::ArrayOfTables(tables)) => {
            tables.iter().filter_map(|t| id_of(t.get("id"))).collect()
        }
        Some(Item::Value(Value::Array(items))) => items
            .iter()
            .filter_map(|v| v.as_inline_table()?.get("id")?.as_str().map(str::to_string))
            .collect(),
        Some(_) => return Err("`watch` is not a list of [[watch]] tables".into()),
    })
}

fn push_entry(doc: &mut DocumentMut, entry: &WatchEntry) -> Result<(), String> {
    if doc.get("watch").is_none() {
        doc.insert("watch", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    match doc.get_mut("watch") {
        Some(Item::ArrayOfTables(tables)) => {
            let mut table = Table::new();
            table.insert("id", toml_edit::value(entry.id.to_string()));
            if let Some(label) = &entry.label {
                table.insert("label", toml_edit::value(label.as_str()));
            }
            // A blank line before it, and its place right after the last entry (not at
            // the end of the file, past other tables).
            table.decor_mut().set_prefix("\n");
            let last = tables.iter().filter_map(Table::position).max();
            table.set_position(last);
            tables.push(table);
            Ok(())
        }
        Some(Item::Value(Value::Array(items))) => {
            let mut table = InlineTable::new();
            table.insert("id", entry.id.to_string().into());
            if let Some(label) = &entry.label {
                table.insert("label", label.as_str().into());
            }
            items.push(table);
            Ok(())
        }
        _ => Err("`watch` is not a list of [[watch]] tables".into()),
    }
}

/// Read, change, check, write: under the lock, from the file as it is now.
fn edit<R>(
    path: &Path,
    change: impl FnOnce(&mut DocumentMut) -> Result<R, String>,
) -> Result<R, String> {
    let _lock = Lock::take(path).map_err(|e| format!("{}: cannot lock: {e}", path.display()))?;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
    };
    // A file that is broken now (an edit in progress) is not touched.
    checked(path, &text)?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("{}: invalid TOML: {e}", path.display()))?;
    let result = change(&mut doc)?;
    let new_text = doc.to_string();
    if new_text != text {
        checked(path, &new_text)?;
        replace(path, &new_text).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    Ok(result)
}

fn checked(path: &Path, text: &str) -> Result<(), String> {
    super::parse::parse(text).map(drop).map_err(|problems| {
        ConfigError {
            path: path.to_path_buf(),
            problems,
        }
        .to_string()
    })
}

/// Writes `text` to a temporary file beside `path` with the same permissions (private
/// for a new file), flushed to disk, then renames it over `path`.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let temporary = sibling(path, &format!("tmp.{}", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o777);
        options.mode(mode);
    }
    let written = (|| {
        let mut file = options.open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// `.NAME.SUFFIX` in the same directory as `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or("config".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// An exclusive `flock` on `.NAME.lock` beside the config, held until dropped. (The
/// config itself is replaced by rename, so a lock on it would lock the old file.)
struct Lock {
    _held: File,
}

impl Lock {
    fn take(path: &Path) -> std::io::Result<Lock> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(sibling(path, "lock"))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a descriptor we own; it is released when the file closes.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(Lock { _held: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_ids_split_on_spaces_commas_and_lines_with_an_optional_label() {
        let paste = Paste::parse(" EX1, EX2\nEX3\tEX1,,EX\u{200b}4 # DB drill ");
        assert_eq!(paste.ids, ["EX1", "EX2", "EX3"]);
        assert_eq!(paste.label.as_deref(), Some("DB drill"));
        assert_eq!(paste.invalid.len(), 1);
        assert_eq!(paste.invalid[0].0, "EX\u{200b}4");
        assert!(Paste::parse("a/b").invalid[0].1.contains("script/UUID"));
        let script = Paste::parse("script/JS1 SCRIPT/JS2");
        assert_eq!(script.ids, ["script/JS1"]);
        assert!(script.invalid[0].1.contains("lower case"));
        assert_eq!(Paste::parse("EX9 #  ").label, None);
    }
}
