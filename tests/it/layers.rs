//! The layering of `src/` holds: a module imports only from layers below its own, so no
//! import runs back up and no circle can form. Read from the sources themselves: every
//! `crate::` path in code that is not a test (comments and strings do not count).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules of the library, lowest layer first. A module may import from
/// any layer below its own, never from its own or above. README's Layout says why.
const LAYERS: &[&[&str]] = &[
    // The allocator's tuning (trimming the heap, its arenas).
    &["heap"],
    // Leaves: text, time and duration formats, the backoff policy, timers, the one
    // reader and writer of files, the HTTP server loop.
    &["text", "format", "backoff", "timer", "files", "server"],
    // The COC wire protocol.
    &["coc"],
    // Running another program for the user (hooks, custom commands).
    &["process"],
    // What the library computes from tickets.
    &[
        "exit", "hosts", "operate", "notify", "query", "cache", "jsonl", "i18n", "custom", "launch",
    ],
    // The polling engine; runs of a job as `logs` and `diff` see them.
    &["watch", "runs"],
    // The config: its schema names the engine's settings, queries and notifications.
    &["config"],
    // Following tickets for `wait`, the dashboard's state, the simulator, the headless
    // poller (`serve`).
    &["wait", "walk", "app", "sim", "serve"],
    // Drawing and the dashboard's effects.
    &["ui", "effects"],
    // The terminal and the event loop.
    &["tui"],
    // The commands.
    &["cmd"],
    // The command line.
    &["cli"],
];

/// Imports that still run up, each with what removes it.
const PENDING: &[(&str, &str, &str)] = &[];

#[test]
fn no_module_imports_from_its_own_layer_or_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(layer, modules)| modules.iter().map(move |m| (*m, layer)))
        .collect();
    let imports = imports_by_module(&src);
    let unplaced: Vec<&String> = imports
        .keys()
        .filter(|m| !layer_of.contains_key(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules without a layer in LAYERS: {unplaced:?}"
    );
    let mut upward = Vec::new();
    for (module, used) in &imports {
        for (import, file) in used {
            let pending = PENDING
                .iter()
                .any(|(from, to, _)| from == module && to == import);
            let Some(&to) = layer_of.get(import.as_str()) else {
                continue; // not a module of ours (`crate::` in a macro, say)
            };
            if to >= layer_of[module.as_str()] && !pending {
                upward.push(format!("{module} -> {import} ({})", file.display()));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports from the same layer or above:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_scanner_sees_paths_and_groups_and_skips_comments_strings_and_tests() {
    let code = strip_comments_and_literals(
        r##"
        use crate::{format, text::{self, sanitize}};
        use crate::coc::Status; // crate::ui in a comment
        /// Docs naming crate::app.
        fn f() { let s = "crate::tui {"; let c = '{'; let r = r#"crate::cli"#; crate::hosts::x(); }
        fn g<'a>(x: &'a str) -> &'a str { x }
        #[cfg(test)]
        mod tests { use crate::ui; fn h() { let _ = "}"; crate::sim::x(); } }
        #[cfg(test)]
        mod snapshots;
        fn after() { crate::exit::x(); }
        "##,
    );
    let (code, test_modules) = without_test_items(&code);
    let found: BTreeSet<String> = crate_paths(&code).into_iter().collect();
    let expected = ["coc", "exit", "format", "hosts", "text"];
    assert_eq!(found, expected.iter().map(|m| m.to_string()).collect());
    assert_eq!(test_modules, ["snapshots"]);
}

/// For each top-level module, the top-level modules its non-test code names through
/// `crate::`, each with one file that does.
fn imports_by_module(src: &Path) -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut imports: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    // Parents before children (`app/mod.rs` names `app/tests.rs` as test-only).
    files.sort_by_key(|f| f.components().count());
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if ["main", "lib"].contains(&top.as_str()) || test_only.iter().any(|t| file.starts_with(t))
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let (code, test_modules) = without_test_items(&strip_comments_and_literals(&text));
        let dir = module_dir(&file);
        for name in test_modules {
            test_only.insert(dir.join(format!("{name}.rs")));
            test_only.insert(dir.join(&name));
        }
        let used = imports.entry(top.clone()).or_default();
        for import in crate_paths(&code) {
            if import != top {
                used.entry(import).or_insert_with(|| file.clone());
            }
        }
    }
    imports
}

/// Where the files of `file`'s child modules live: beside a `mod.rs`, else in a
/// directory named after the file.
fn module_dir(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap();
    match file.file_stem().unwrap().to_str().unwrap() {
        "mod" | "lib" | "main" => parent.to_path_buf(),
        stem => parent.join(stem),
    }
}

/// The source with every comment and the inside of every string and character literal
/// blanked out, so that only code is left to read.
fn strip_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_before(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body_start = i + 2 + hashes;
            let rest: String = chars[body_start..].iter().collect();
            let body = rest.find(&close).map_or(rest.len(), |at| at);
            out.push_str("\"\"");
            i = body_start + rest[..body].chars().count() + close.chars().count();
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && is_char_literal(&chars, i) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// A `'` opens a character literal (`'x'`, `'\n'`, `'\u{1b}'`), not a lifetime (`'a`).
fn is_char_literal(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        Some('\\') => true,
        Some(_) => chars.get(i + 2) == Some(&'\''),
        None => false,
    }
}

/// The code without the items under `#[cfg(test)]`, and the names of the test-only
/// modules declared in other files (`#[cfg(test)] mod tests;`).
fn without_test_items(code: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let mut kept = String::with_capacity(code.len());
    let mut modules = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        kept.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let end = item_end(item);
        let words: Vec<&str> = item[..end]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if item[..end].trim_end().ends_with(';')
            && let Some(name) = words.iter().skip_while(|w| **w != "mod").nth(1)
        {
            modules.push(name.to_string());
        }
        rest = &item[end..];
    }
    kept.push_str(rest);
    (kept, modules)
}

/// Where the item at the start of `code` ends: after its `;`, or after the block its
/// first `{` opens (literals are already blanked, so braces are the code's own).
fn item_end(code: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in code.char_indices() {
        match c {
            ';' if depth == 0 => return i + 1,
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// The top-level modules named after `crate::`: `crate::coc::Status`, and each first
/// name of a group, `crate::{format, text::{self, fit}}`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut word_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => word_start = true,
                    c if word_start && depth == 1 && (c.is_alphanumeric() || c == '_') => {
                        found.push(leading_name(&group[i..]));
                        word_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(leading_name(rest));
        }
    }
    found.retain(|name| !name.is_empty() && name != "self");
    found
}

fn leading_name(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}
