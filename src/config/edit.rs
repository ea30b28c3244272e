//! Changing the watch list in the config file from the dashboard, keeping the user's
//! comments, order and formatting (`toml_edit`).
//!
//! Every edit takes a lock beside the file, reads the file afresh, changes it, checks
//! that the result is still a valid config, writes a temporary file in the same
//! directory and renames it over the original: two coctop processes editing one file
//! never lose each other's entries, and a reader never sees half a file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{ConfigError, MAX_CONFIG_BYTES, ViewEntry, WatchEntry};
use crate::coc::TicketRef;
use crate::files::{self, Expect, WriteError};

/// What the user typed or pasted: IDs separated by spaces, commas or new lines
/// (`script/UUID` for a script ticket), optionally followed by `# label` (the label
/// applies to every ID); `profile=NAME` among them names the profile of every ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paste {
    /// Valid references, each once, in the order given.
    pub ids: Vec<TicketRef>,
    pub label: Option<String>,
    /// `profile=NAME`, as typed (the last one, if several).
    pub profile: Option<String>,
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
            profile: None,
            invalid: Vec::new(),
        };
        let pieces = ids_text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|piece| !piece.is_empty());
        let mut seen = HashSet::new();
        for piece in pieces {
            if let Some(profile) = piece.strip_prefix("profile=") {
                paste.profile = Some(profile.to_string());
                continue;
            }
            match TicketRef::parse(piece) {
                Ok(id) if seen.insert(id.clone()) => paste.ids.push(id),
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
                profile: self.profile.clone(),
            })
            .collect()
    }
}

/// Adds `entries` that the file does not watch yet, after its last `[[watch]]`; returns
/// the IDs added (an ID already watched is left as it is).
pub fn add_watches(
    path: &Path,
    entries: &[WatchEntry],
    last_read: &LastRead,
) -> Result<Vec<String>, String> {
    edit(path, last_read, |text| add_to_text(path, text, entries))
}

/// Removes the `[[watch]]` entry of `id`; says whether there was one.
pub fn remove_watch(path: &Path, id: &TicketRef, last_read: &LastRead) -> Result<bool, String> {
    let written = id.to_string();
    edit(path, last_read, |text| {
        remove_from_text(path, text, &written)
    })
}

/// `add_watches` on the text of the file `path` (named in messages): the new text
/// (`None`: unchanged) and the IDs added.
pub fn add_to_text(
    path: &Path,
    text: &str,
    entries: &[WatchEntry],
) -> Result<(Option<String>, Vec<String>), String> {
    rewrite(path, text, |doc| {
        let mut watched = watched_ids(doc)?;
        let new: Vec<&WatchEntry> = entries
            .iter()
            .filter(|entry| watched.insert(entry.id.to_string()))
            .collect();
        push_entries(doc, &new)?;
        Ok(new
            .iter()
            .map(|entry| entry.id.to_string())
            .collect::<Vec<_>>())
    })
    .map(|(text, added)| (text.filter(|_| !added.is_empty()), added))
}

/// `remove_watch` on the text of the file `path`: the new text (`None`: unchanged)
/// and whether there was an entry.
pub fn remove_from_text(
    path: &Path,
    text: &str,
    id: &str,
) -> Result<(Option<String>, bool), String> {
    rewrite(path, text, |doc| {
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
    .map(|(text, found)| (text.filter(|_| found), found))
}

/// Saves `view` as a `[[view]]`: after the last one, or over the one of its name (its
/// filter and sort), comments and order kept.
pub fn save_view(path: &Path, view: &ViewEntry, last_read: &LastRead) -> Result<(), String> {
    edit(path, last_read, |text| {
        rewrite(path, text, |doc| set_view(doc, view))
    })
}

fn set_view(doc: &mut DocumentMut, view: &ViewEntry) -> Result<(), String> {
    if doc.get("view").is_none() {
        doc.insert("view", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let Some(Item::ArrayOfTables(tables)) = doc.get_mut("view") else {
        return Err("`view` is not a list of [[view]] tables".into());
    };
    let named = |t: &Table| t.get("name").and_then(Item::as_str) == Some(view.name.as_str());
    if let Some(table) = tables.iter_mut().find(|t| named(t)) {
        table.insert("filter", toml_edit::value(view.filter.as_str()));
        match &view.sort {
            Some(sort) => table.insert("sort", toml_edit::value(sort.as_str())),
            None => table.remove("sort"),
        };
        return Ok(());
    }
    let mut table = Table::new();
    table.insert("name", toml_edit::value(view.name.as_str()));
    table.insert("filter", toml_edit::value(view.filter.as_str()));
    if let Some(sort) = &view.sort {
        table.insert("sort", toml_edit::value(sort.as_str()));
    }
    table.decor_mut().set_prefix("\n");
    let last = tables.iter().filter_map(Table::position).max();
    table.set_position(last);
    tables.push(table);
    Ok(())
}

fn watched_ids(doc: &DocumentMut) -> Result<HashSet<String>, String> {
    let id_of = |item: Option<&Item>| item.and_then(Item::as_str).map(str::to_string);
    Ok(match doc.get("watch") {
        None => HashSet::new(),
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

/// Appends `entries` after the last `[[watch]]` (inline entries to an inline array).
fn push_entries(doc: &mut DocumentMut, entries: &[&WatchEntry]) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    if doc.get("watch").is_none() {
        doc.insert("watch", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    match doc.get_mut("watch") {
        Some(Item::ArrayOfTables(tables)) => {
            // Their place is right after the last entry (not at the end of the file,
            // past other tables); entries of one position keep the order pushed.
            let last = tables.iter().filter_map(Table::position).max();
            for entry in entries {
                let mut table = Table::new();
                table.insert("id", toml_edit::value(entry.id.to_string()));
                if let Some(label) = &entry.label {
                    table.insert("label", toml_edit::value(label.as_str()));
                }
                if let Some(profile) = &entry.profile {
                    table.insert("profile", toml_edit::value(profile.as_str()));
                }
                // A blank line before each.
                table.decor_mut().set_prefix("\n");
                table.set_position(last);
                tables.push(table);
            }
            Ok(())
        }
        Some(Item::Value(Value::Array(items))) => {
            for entry in entries {
                let mut table = InlineTable::new();
                table.insert("id", entry.id.to_string().into());
                if let Some(label) = &entry.label {
                    table.insert("label", label.as_str().into());
                }
                if let Some(profile) = &entry.profile {
                    table.insert("profile", profile.as_str().into());
                }
                items.push(table);
            }
            Ok(())
        }
        _ => Err("`watch` is not a list of [[watch]] tables".into()),
    }
}

/// How long an edit waits for another process's lock before it gives up.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);
/// How long an edit waits to read the file again when it is not what coctop last read.
const RECHECK_PAUSE: Duration = Duration::from_millis(100);

/// The config text coctop last read (at start, on a reload) or wrote: an edit that
/// finds the file holding something else reads it again before it trusts it.
#[derive(Debug, Default)]
pub struct LastRead(Mutex<Option<String>>);

impl LastRead {
    /// What `path` holds now (nothing when it cannot be read).
    pub fn of_file(path: &Path) -> LastRead {
        LastRead(Mutex::new(read_text(path).ok().flatten()))
    }

    pub fn set(&self, text: String) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(text);
    }

    fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Read, change, check, write: under the lock, from the file as it is now, and only
/// over the file as it was read.
fn edit<R>(
    path: &Path,
    last_read: &LastRead,
    rewrite: impl FnOnce(&str) -> Result<(Option<String>, R), String>,
) -> Result<R, String> {
    let shown = path.display();
    let target = files::resolve(path).map_err(|e| format!("{shown}: {e}"))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{shown}: {e}"))?;
    }
    let _lock = files::Lock::take(&sibling(&target, "lock"), LOCK_WAIT)
        .map_err(|e| format!("{shown}: {e}"))?;
    let read = settled_text(&target, last_read).map_err(|e| format!("{shown}: {e}"))?;
    let (new_text, result) = rewrite(read.as_deref().unwrap_or(""))?;
    let Some(new_text) = new_text else {
        return Ok(result);
    };
    files::replace(
        path,
        new_text.as_bytes(),
        Expect::Content(read.as_deref().map(str::as_bytes)),
        0o600,
    )
    .map_err(|e| match e {
        WriteError::Changed => {
            format!("{shown}: changed by another program while saving; try again")
        }
        e => format!("{shown}: cannot write: {e}"),
    })?;
    last_read.set(new_text);
    Ok(result)
}

/// Changes the config `text` with `change`, keeping its byte order mark and line ends:
/// the new text (`None` when nothing changed), refused when the text is broken before
/// or after, or would pass the size limit.
fn rewrite<R>(
    path: &Path,
    text: &str,
    change: impl FnOnce(&mut DocumentMut) -> Result<R, String>,
) -> Result<(Option<String>, R), String> {
    let shown = path.display();
    let form = Form::of(text);
    // A file that is broken now (an edit in progress) is not touched.
    checked(path, form.body(text))?;
    let mut doc: DocumentMut = form
        .body(text)
        .parse()
        .map_err(|e| format!("{shown}: invalid TOML: {e}"))?;
    let result = change(&mut doc)?;
    let new_text = form.apply(&doc.to_string());
    // Compared in the file's own form: toml_edit may write unchanged CRLF lines as LF.
    if new_text == text {
        return Ok((None, result));
    }
    if new_text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!(
            "{shown}: the file would grow to {} KiB, more than the 1 MiB a config may hold",
            new_text.len() >> 10
        ));
    }
    checked(path, form.body(&new_text))?;
    Ok((Some(new_text), result))
}

/// The file's text, trusted only when it is what coctop last read, or when two reads
/// a moment apart agree (not a file caught half-written by another program). A file
/// emptied since coctop read a config in it is refused: a writer is likely between
/// truncating and writing it.
fn settled_text(path: &Path, last_read: &LastRead) -> Result<Option<String>, String> {
    let first = read_text(path)?;
    let last = last_read.get();
    if first == last {
        return Ok(first);
    }
    std::thread::sleep(RECHECK_PAUSE);
    let again = read_text(path)?;
    if again != first {
        return Err("being changed by another program: not saved; try again".into());
    }
    let blank = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
    if blank(&again) && !blank(&last) {
        return Err("empty now, though it held a config when coctop read it: not saved".into());
    }
    Ok(again)
}

/// The config's text, `None` when there is no file.
fn read_text(path: &Path) -> Result<Option<String>, String> {
    let bytes = files::read_if_exists(path, MAX_CONFIG_BYTES).map_err(|e| e.to_string())?;
    bytes
        .map(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string()))
        .transpose()
}

/// How the file is written: a byte order mark first or not, CRLF line ends or not.
/// An edit writes the same way.
struct Form {
    bom: bool,
    crlf: bool,
}

const BOM: &str = "\u{feff}";

impl Form {
    fn of(text: &str) -> Form {
        Form {
            bom: text.starts_with(BOM),
            crlf: text.contains("\r\n"),
        }
    }

    /// The text without its byte order mark.
    fn body<'a>(&self, text: &'a str) -> &'a str {
        text.strip_prefix(BOM).unwrap_or(text)
    }

    fn apply(&self, body: &str) -> String {
        let mut text = String::with_capacity(body.len() + body.len() / 16 + BOM.len());
        if self.bom {
            text.push_str(BOM);
        }
        if self.crlf {
            text.push_str(&body.replace("\r\n", "\n").replace('\n', "\r\n"));
        } else {
            text.push_str(body);
        }
        text
    }
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

/// `.NAME.SUFFIX` in the same directory as `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or("config".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.{suffix}"))
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
        let script = Paste::parse("script/JS1 SCRIPT/JS2 script/JS1");
        assert_eq!(script.ids, ["script/JS1"]);
        assert!(script.invalid[0].1.contains("lower case"));
        assert_eq!(Paste::parse("EX9 #  ").label, None);
    }

    #[test]
    fn a_ticket_of_another_profile_is_written_with_its_profile_and_one_of_the_first_without() {
        let text = "[[profile]]\nname = \"prod\"\nregion = \"cn-north-4\"\n\n\
                    [[profile]]\nname = \"staging\"\nregion = \"ap-southeast-3\"\n\n\
                    [[watch]]\nid = \"EX1\"\n";
        let paste = Paste::parse("profile=staging EX2, EX3 # drill");
        assert_eq!(paste.profile.as_deref(), Some("staging"));
        assert_eq!((paste.ids.len(), paste.invalid.len()), (2, 0));
        let mut entries = paste.entries();
        entries[1].profile = None;
        let path = Path::new("c.toml");
        let (written, added) = add_to_text(path, text, &entries).unwrap();
        assert_eq!(added, ["EX2", "EX3"]);
        let written = written.unwrap();
        let config = super::super::parse::parse(&written).unwrap();
        let profiles: Vec<(String, Option<String>)> = config
            .watch
            .iter()
            .map(|w| (w.id.to_string(), w.profile.clone()))
            .collect();
        assert_eq!(
            profiles,
            [
                ("EX1".into(), None),
                ("EX2".into(), Some("staging".into())),
                ("EX3".into(), None)
            ]
        );
        assert!(
            written.ends_with("[[watch]]\nid = \"EX3\"\nlabel = \"drill\"\n"),
            "{written}"
        );
    }
}
