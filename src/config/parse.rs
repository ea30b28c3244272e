//! Reading the TOML text into a `Config`, checking every key and value on the way.
//!
//! The document is walked by hand (not through serde) so that every problem points at
//! the exact key or value, and so that all problems are found in one pass.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{Position, Problem};
use super::look::{self, Column, ColumnChoice, Role, ThemeName};
use super::{
    ApiConfig, AuthConfig, AuthMethod, CommandEntry, Config, ProfileEntry, QueryEntry, UiConfig,
    ViewEntry, WatchEntry, console_url,
};
use crate::coc::{Endpoint, JobStatus, Secret, TicketKind, TicketRef};
use crate::custom::{self, CustomCommand, Scope};
use crate::format::parse_duration;
use crate::i18n::Lang;
use crate::notify::{NotifyConfig, NotifyOn};
use crate::query::{self, FILTER_KEYS, KindFilter, TicketQuery, TimeBound};
use crate::text::nearest;
use crate::watch::EngineConfig;
use ratatui::style::Color;

const ROOT_PLACE: &str = "at the top level";
const TOP_KEYS: &[&str] = &[
    "api", "auth", "poll", "watch", "query", "ui", "notify", "profile", "view", "command",
];
const VIEW_KEYS: &[&str] = &["name", "filter", "sort"];
const COMMAND_KEYS: &[&str] = &[
    "key",
    "name",
    "scope",
    "argv",
    "confirm",
    "writes",
    "interactive",
    "timeout",
];
const API_KEYS: &[&str] = &[
    "region",
    "endpoint",
    "timeout",
    "connect_timeout",
    "deadline",
    "domain_id",
    "allow_http",
];
const AUTH_KEYS: &[&str] = &[
    "method",
    "ak",
    "sk",
    "security_token",
    "token",
    "credentials_file",
    "section",
    "env_prefix",
];
/// `[[profile]]`: its own keys, and `[auth]`'s.
const PROFILE_KEYS: &[&str] = &[
    "name",
    "region",
    "endpoint",
    "domain_id",
    "accent",
    "read_only",
    "max_rps",
];
const POLL_KEYS: &[&str] = &["interval", "concurrency", "max_rps"];
const WATCH_KEYS: &[&str] = &["id", "label", "profile"];
const UI_KEYS: &[&str] = &[
    "read_only",
    "console_url",
    "language",
    "theme",
    "colors",
    "columns",
];
const NOTIFY_KEYS: &[&str] = &["on", "bell", "desktop", "command", "timeout"];

/// Parses and validates a config file's text. `Config::path` is left `None`.
pub fn parse(text: &str) -> Result<Config, Vec<Problem>> {
    let document = DeTable::parse(text).map_err(|error| {
        vec![Problem {
            // Every problem names a line and column: the start when TOML names none.
            position: Some(Position::at(
                text,
                error.span().map_or(0, |span| span.start),
            )),
            message: format!("invalid TOML: {}", error.message()),
        }]
    })?;
    let mut reader = Reader {
        text,
        problems: Vec::new(),
    };
    let root = Section {
        place: ROOT_PLACE,
        table: document.get_ref(),
    };
    reader.check_keys(&root, TOP_KEYS);

    let mut config = Config::default();
    if let Some(api) = reader.table(&root, "api", "in [api]") {
        config.api = reader.api(&api);
    }
    if let Some(auth) = reader.table(&root, "auth", "in [auth]") {
        config.auth = reader.auth(&auth);
    }
    if let Some(poll) = reader.table(&root, "poll", "in [poll]") {
        config.poll = reader.poll(&poll);
    }
    config.profiles = reader.profile_list(&root);
    config.watch = reader.watch_list(&root, &config.profiles);
    config.queries = reader.query_list(&root, &config.profiles);
    config.views = reader.view_list(&root);
    config.commands = reader.command_list(&root);
    if let Some(ui) = reader.table(&root, "ui", "in [ui]") {
        config.ui = reader.ui(&ui);
    }
    if let Some(notify) = reader.table(&root, "notify", "in [notify]") {
        config.notify = reader.notify(&notify);
    }

    if reader.problems.is_empty() {
        Ok(config)
    } else {
        Err(reader.into_problems())
    }
}

/// One table of the document and how messages name it ("in [poll]").
struct Section<'a, 'i> {
    place: &'static str,
    table: &'a DeTable<'i>,
}

impl<'a, 'i> Section<'a, 'i> {
    fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.get(key)
    }
}

struct Reader<'t> {
    text: &'t str,
    /// Byte offset of each problem, for ordering and line:column.
    problems: Vec<(usize, String)>,
}

impl Reader<'_> {
    fn report(&mut self, span: Range<usize>, message: String) {
        self.problems.push((span.start, message));
    }

    fn into_problems(mut self) -> Vec<Problem> {
        self.problems.sort_by_key(|(offset, _)| *offset);
        self.problems
            .into_iter()
            .map(|(offset, message)| Problem {
                position: Some(Position::at(self.text, offset)),
                message,
            })
            .collect()
    }

    fn check_keys(&mut self, section: &Section<'_, '_>, known: &[&str]) {
        for key in section.table.keys() {
            let name = key.get_ref().as_ref();
            if known.contains(&name) {
                continue;
            }
            let near = nearest(name, known);
            let is_root_table = section.place == ROOT_PLACE
                && section.get(name).is_some_and(|v| v.get_ref().is_table());
            let message = if is_root_table {
                let hint = near.map(|n| format!(" (did you mean [{n}]?)"));
                format!("unknown table [{name}]{}", hint.unwrap_or_default())
            } else {
                let hint = near.map(|n| format!(" (did you mean `{n}`?)"));
                let place = section.place;
                format!("unknown key `{name}` {place}{}", hint.unwrap_or_default())
            };
            self.report(key.span(), message);
        }
    }

    fn wrong_type(
        &mut self,
        section: &Section<'_, '_>,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        expected: &str,
    ) {
        let found = value.get_ref().type_str();
        let place = section.place;
        self.report(
            value.span(),
            format!("`{key}` {place}: expected {expected}, found {found}"),
        );
    }

    fn bad_value(&mut self, section: &Section<'_, '_>, key: &str, span: Range<usize>, why: String) {
        let place = section.place;
        self.report(span, format!("`{key}` {place}: {why}"));
    }

    /// A sub-table such as `[api]`; `place` is how messages name it.
    fn table<'a, 'i>(
        &mut self,
        parent: &Section<'a, 'i>,
        key: &str,
        place: &'static str,
    ) -> Option<Section<'a, 'i>> {
        let value = parent.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some(Section { place, table }),
            _ => {
                self.wrong_type(parent, key, value, "a table");
                None
            }
        }
    }

    fn string(&mut self, section: &Section<'_, '_>, key: &str) -> Option<(String, Range<usize>)> {
        let value = section.get(key)?;
        match value.get_ref() {
            DeValue::String(text) => Some((text.to_string(), value.span())),
            _ => {
                self.wrong_type(section, key, value, "a string");
                None
            }
        }
    }

    /// A duration string of at least `minimum` (`minimum_text` is how messages write it).
    fn duration(
        &mut self,
        section: &Section<'_, '_>,
        key: &str,
        minimum: (Duration, &str),
    ) -> Option<Duration> {
        let value = section.get(key)?;
        let DeValue::String(text) = value.get_ref() else {
            self.wrong_type(section, key, value, "a duration string like \"5s\"");
            return None;
        };
        match parse_duration(text) {
            Ok(duration) if duration >= minimum.0 => Some(duration),
            Ok(_) => {
                let why = format!("must be at least {}, got {text:?}", minimum.1);
                self.bad_value(section, key, value.span(), why);
                None
            }
            Err(why) => {
                self.bad_value(section, key, value.span(), why);
                None
            }
        }
    }

    fn integer(&mut self, section: &Section<'_, '_>, key: &str) -> Option<(i64, Range<usize>)> {
        let value = section.get(key)?;
        let DeValue::Integer(integer) = value.get_ref() else {
            self.wrong_type(section, key, value, "an integer");
            return None;
        };
        match i64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(n) => Some((n, value.span())),
            Err(_) => {
                let why = format!("{integer} is too large");
                self.bad_value(section, key, value.span(), why);
                None
            }
        }
    }

    /// An integer or a float, with its text as written (for messages).
    fn number(
        &mut self,
        section: &Section<'_, '_>,
        key: &str,
    ) -> Option<(f64, String, Range<usize>)> {
        let value = section.get(key)?;
        let (number, text) = match value.get_ref() {
            DeValue::Integer(integer) => (
                i64::from_str_radix(integer.as_str(), integer.radix())
                    .map_or(f64::INFINITY, |n| n as f64),
                integer.to_string(),
            ),
            DeValue::Float(float) => (
                float.as_str().parse().unwrap_or(f64::NAN),
                float.to_string(),
            ),
            _ => {
                self.wrong_type(section, key, value, "a number");
                return None;
            }
        };
        Some((number, text, value.span()))
    }

    fn api(&mut self, section: &Section<'_, '_>) -> ApiConfig {
        self.check_keys(section, API_KEYS);
        self.api_keys(section)
    }

    /// `[api]`'s keys, in `[api]` or a `[[profile]]`.
    fn api_keys(&mut self, section: &Section<'_, '_>) -> ApiConfig {
        let mut api = ApiConfig::default();
        if let Some((region, span)) = self.string(section, "region") {
            if let Err(why) = Endpoint::from_region(&region) {
                self.bad_value(section, "region", span, why);
            }
            api.region = Some(region);
        }
        if let Some((endpoint, span)) = self.string(section, "endpoint") {
            if let Err(why) = Endpoint::from_url(&endpoint) {
                self.bad_value(section, "endpoint", span, why);
            }
            api.endpoint = Some(endpoint);
        }
        let least = (Duration::from_millis(1), "1ms");
        if let Some(timeout) = self.duration(section, "timeout", least) {
            api.timeout = timeout;
        }
        if let Some(timeout) = self.duration(section, "connect_timeout", least) {
            api.connect_timeout = timeout;
        }
        if let Some(deadline) = self.duration(section, "deadline", least) {
            api.deadline = deadline;
        }
        if let Some(allow) = self.boolean(section, "allow_http") {
            api.allow_http = allow;
        }
        if let Some((domain_id, span)) = self.string(section, "domain_id") {
            if domain_id.trim().is_empty() {
                self.bad_value(section, "domain_id", span, "must not be empty".into());
            }
            api.domain_id = Some(domain_id);
        }
        api
    }

    fn auth(&mut self, section: &Section<'_, '_>) -> AuthConfig {
        self.check_keys(section, AUTH_KEYS);
        self.auth_keys(section)
    }

    /// `[auth]`'s keys, in `[auth]` or a `[[profile]]`.
    fn auth_keys(&mut self, section: &Section<'_, '_>) -> AuthConfig {
        let mut auth = AuthConfig::default();
        if let Some((method, span)) = self.string(section, "method") {
            match method.as_str() {
                "aksk" => auth.method = AuthMethod::AkSk,
                "token" => auth.method = AuthMethod::Token,
                "none" => auth.method = AuthMethod::None,
                _ => {
                    let why = format!(
                        "unknown auth method {method:?} (expected \"aksk\", \"token\" or \"none\")"
                    );
                    self.bad_value(section, "method", span, why);
                }
            }
        }
        let ak = self.string(section, "ak");
        let sk = self.string(section, "sk");
        let security_token = self.string(section, "security_token");
        // Half a key pair is a mistake, not a request to look elsewhere for the other half.
        let present = |key: &str| section.get(key).map(Spanned::span);
        match (present("ak"), present("sk")) {
            (Some(span), None) => {
                self.bad_value(section, "ak", span, "is set but `sk` is not".into())
            }
            (None, Some(span)) => {
                self.bad_value(section, "sk", span, "is set but `ak` is not".into())
            }
            _ => {}
        }
        if let Some(span) = present("security_token")
            && (present("ak").is_none() || present("sk").is_none())
        {
            let why = "needs `ak` and `sk` as well".to_string();
            self.bad_value(section, "security_token", span, why);
        }
        auth.ak = ak.map(|(ak, _)| ak);
        auth.sk = sk.map(|(sk, _)| Secret::new(sk));
        auth.security_token = security_token.map(|(token, _)| Secret::new(token));
        auth.token = self
            .string(section, "token")
            .map(|(token, _)| Secret::new(token));
        auth.credentials_file = self
            .string(section, "credentials_file")
            .map(|(file, _)| file.into());
        auth.section = self.string(section, "section").map(|(name, _)| name);
        if let Some(span) = present("section")
            && present("credentials_file").is_none()
        {
            let why = "names a section of `credentials_file`, which is not set".to_string();
            self.bad_value(section, "section", span, why);
        }
        auth.env_prefix = self.string(section, "env_prefix").map(|(prefix, _)| prefix);
        let sources = ["ak", "credentials_file", "env_prefix"];
        let given: Vec<&str> = sources
            .into_iter()
            .filter(|key| present(key).is_some())
            .collect();
        if let [_, second, ..] = given[..] {
            let why = format!(
                "the keys come from one place at most: `{}` are set",
                given.join("` and `")
            );
            self.bad_value(section, second, present(second).unwrap_or_default(), why);
        }
        auth
    }

    fn poll(&mut self, section: &Section<'_, '_>) -> EngineConfig {
        self.check_keys(section, POLL_KEYS);
        let mut poll = EngineConfig::default();
        if let Some(interval) = self.duration(section, "interval", (super::MIN_INTERVAL, "1s")) {
            poll.interval = interval;
        }
        if let Some((concurrency, span)) = self.integer(section, "concurrency") {
            match usize::try_from(concurrency) {
                Ok(n) if n >= 1 => poll.concurrency = n,
                _ => {
                    let why = format!("must be at least 1, got {concurrency}");
                    self.bad_value(section, "concurrency", span, why);
                }
            }
        }
        if let Some(max_rps) = self.max_rps(section) {
            poll.max_rps = max_rps;
        }
        poll
    }

    fn max_rps(&mut self, section: &Section<'_, '_>) -> Option<f64> {
        let (max_rps, text, span) = self.number(section, "max_rps")?;
        if max_rps > 0.0 && max_rps.is_finite() {
            return Some(max_rps);
        }
        let why = format!("must be a finite number greater than 0, got {text}");
        self.bad_value(section, "max_rps", span, why);
        None
    }

    fn boolean(&mut self, section: &Section<'_, '_>, key: &str) -> Option<bool> {
        let value = section.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(section, key, value, "true or false");
                None
            }
        }
    }

    fn ui(&mut self, section: &Section<'_, '_>) -> UiConfig {
        self.check_keys(section, UI_KEYS);
        let mut ui = UiConfig::default();
        if let Some(read_only) = self.boolean(section, "read_only") {
            ui.read_only = read_only;
        }
        if let Some((url, span)) = self.string(section, "console_url") {
            match console_url::check(&url) {
                Ok(()) => ui.console_url = Some(url),
                Err(why) => self.bad_value(section, "console_url", span, why),
            }
        }
        ui.language = self
            .choice(section, "language", &Lang::NAMES)
            .and_then(Lang::parse);
        if let Some(theme) = self.choice(section, "theme", &ThemeName::NAMES) {
            ui.theme = ThemeName::parse(theme).unwrap_or_default();
        }
        if let Some(colors) = self.table(section, "colors", "in [ui.colors]") {
            ui.colors = self.colors(&colors);
        }
        if let Some(columns) = self.columns(section) {
            ui.columns = columns;
        }
        ui
    }

    /// `columns = ["status", "name", "tags:30"]`: each column once, `name` among them.
    fn columns(&mut self, section: &Section<'_, '_>) -> Option<Vec<ColumnChoice>> {
        let (_, span) = self.strings(section, "columns")?;
        let mut columns: Vec<ColumnChoice> = Vec::new();
        for choice in self.parsed_strings(section, "columns", ColumnChoice::parse) {
            if columns.iter().any(|c| c.column == choice.column) {
                let why = format!("{:?} is named twice", choice.column.name());
                self.bad_value(section, "columns", span.clone(), why);
                return None;
            }
            columns.push(choice);
        }
        if !columns.iter().any(|c| c.column == Column::Name) {
            let why = "must name \"name\" (it takes the room the others leave)".to_string();
            self.bad_value(section, "columns", span, why);
            return None;
        }
        Some(columns)
    }

    /// `[ui.colors]`: `role = "colour"`; an unknown role is suggested its near name.
    fn colors(&mut self, section: &Section<'_, '_>) -> Vec<(Role, Color)> {
        let roles = Role::names();
        self.check_keys(section, &roles);
        let mut colors = Vec::new();
        for role in Role::ALL {
            let Some((text, span)) = self.string(section, role.name()) else {
                continue;
            };
            match look::parse_color(&text) {
                Ok(color) => colors.push((role, color)),
                Err(why) => self.bad_value(section, role.name(), span, why),
            }
        }
        colors
    }

    /// A string that must be one of `names`; a near miss is suggested.
    fn choice<'n>(
        &mut self,
        section: &Section<'_, '_>,
        key: &str,
        names: &[&'n str],
    ) -> Option<&'n str> {
        let (value, span) = self.string(section, key)?;
        if let Some(name) = names.iter().find(|n| **n == value) {
            return Some(name);
        }
        let hint = nearest(&value, names).map(|n| format!(" (did you mean {n:?}?)"));
        let why = format!(
            "unknown value {value:?}{}; expected one of: {}",
            hint.unwrap_or_default(),
            names.join(", ")
        );
        self.bad_value(section, key, span, why);
        None
    }

    /// The tables of an array of tables (`[[watch]]`), each with its item's place.
    fn blocks<'a, 'i>(
        &mut self,
        root: &Section<'a, 'i>,
        key: &str,
        place: &'static str,
    ) -> Vec<(Section<'a, 'i>, Range<usize>)> {
        let Some(value) = root.get(key) else {
            return Vec::new();
        };
        let expected = format!("an array of tables ([[{key}]])");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(root, key, value, &expected);
            return Vec::new();
        };
        let mut blocks = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(table) => blocks.push((Section { place, table }, item.span())),
                _ => self.wrong_type(root, key, item, &expected),
            }
        }
        blocks
    }

    /// False (reported) when `text` was seen before in the same list of blocks.
    fn first_time(
        &mut self,
        seen: &mut HashMap<String, usize>,
        entry: &Section<'_, '_>,
        (key, what): (&str, &str),
        text: &str,
        span: Range<usize>,
    ) -> bool {
        if let Some(&first) = seen.get(text) {
            let first_line = Position::at(self.text, first).line;
            let why = format!("duplicate {what} {text:?} (first on line {first_line})");
            self.bad_value(entry, key, span, why);
            return false;
        }
        seen.insert(text.to_string(), span.start);
        true
    }

    /// `[[profile]]` blocks: a unique `name`, an endpoint or region, credentials in any
    /// of `[auth]`'s forms (or those of `[auth]` when it gives none), and its own
    /// `domain_id`, `accent`, `read_only` and `max_rps`.
    fn profile_list(&mut self, root: &Section<'_, '_>) -> Vec<ProfileEntry> {
        let mut entries = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (entry, item_span) in self.blocks(root, "profile", "in [[profile]]") {
            let known: Vec<&str> = PROFILE_KEYS.iter().chain(AUTH_KEYS).copied().collect();
            self.check_keys(&entry, &known);
            let api = self.api_keys(&entry);
            let has_auth = AUTH_KEYS.iter().any(|key| entry.get(key).is_some());
            let auth = self.auth_keys(&entry);
            let accent = self.string(&entry, "accent").and_then(|(accent, span)| {
                match accent.parse::<ratatui::style::Color>() {
                    Ok(_) => Some(accent),
                    Err(_) => {
                        let why = format!(
                            "unknown colour {accent:?}: a name such as \"red\" or \"lightblue\", \
                             or \"#rrggbb\""
                        );
                        self.bad_value(&entry, "accent", span, why);
                        None
                    }
                }
            });
            let read_only = self.boolean(&entry, "read_only").unwrap_or(false);
            let max_rps = self.max_rps(&entry);
            let Some((name, span)) = self.string(&entry, "name") else {
                if entry.get("name").is_none() {
                    self.report(item_span, "[[profile]] entry without `name`".into());
                }
                continue;
            };
            if name.trim().is_empty() {
                self.bad_value(&entry, "name", span, "must not be empty".into());
                continue;
            }
            // The dashboard's `/` filter, browse filter and `a` line name it as
            // `profile=NAME` among words split at spaces, commas and `#`.
            let unnameable = |c: char| c.is_whitespace() || c.is_control() || ",#".contains(c);
            if name.contains(unnameable) {
                let why = format!(
                    "{name:?}: a profile name is one word (no spaces, control characters,                      `,` or `#`), as `profile=NAME` names it"
                );
                self.bad_value(&entry, "name", span, why);
                continue;
            }
            if self.first_time(
                &mut first_seen,
                &entry,
                ("name", "profile name"),
                &name,
                span,
            ) {
                entries.push(ProfileEntry {
                    name,
                    region: api.region,
                    endpoint: api.endpoint,
                    domain_id: api.domain_id,
                    auth: has_auth.then_some(auth),
                    accent,
                    read_only,
                    max_rps,
                });
            }
        }
        entries
    }

    /// `profile = "name"` of a `[[watch]]` or `[[query]]`: one of the `[[profile]]`s.
    fn profile_of(
        &mut self,
        entry: &Section<'_, '_>,
        profiles: &[ProfileEntry],
    ) -> Result<Option<String>, ()> {
        if entry.get("profile").is_none() {
            return Ok(None);
        }
        // A value that is not a string is reported by `string`.
        let (name, span) = self.string(entry, "profile").ok_or(())?;
        if profiles.iter().any(|p| p.name == name) {
            return Ok(Some(name));
        }
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        let why = if names.is_empty() {
            format!("no [[profile]] named {name:?}: the file has no [[profile]]")
        } else {
            let hint = nearest(&name, &names)
                .map(|near| format!(" (did you mean {near:?}?)"))
                .unwrap_or_default();
            format!(
                "no [[profile]] named {name:?}{hint}; there are: {}",
                names.join(", ")
            )
        };
        self.bad_value(entry, "profile", span, why);
        Err(())
    }

    fn watch_list(&mut self, root: &Section<'_, '_>, profiles: &[ProfileEntry]) -> Vec<WatchEntry> {
        let mut entries = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (entry, item_span) in self.blocks(root, "watch", "in [[watch]]") {
            self.check_keys(&entry, WATCH_KEYS);
            let label = self.string(&entry, "label").map(|(label, _)| label);
            let Ok(profile) = self.profile_of(&entry, profiles) else {
                continue;
            };
            let Some((id, span)) = self.string(&entry, "id") else {
                if entry.get("id").is_none() {
                    self.report(item_span, "[[watch]] entry without `id`".into());
                }
                continue;
            };
            let id = match TicketRef::parse(&id) {
                Ok(id) => id,
                Err(why) => {
                    self.bad_value(&entry, "id", span, why.to_string());
                    continue;
                }
            };
            let noun = match id.kind() {
                TicketKind::Execution => "execution ID",
                TicketKind::Script => "script ticket ID",
            };
            let written = id.to_string();
            if self.first_time(&mut first_seen, &entry, ("id", noun), &written, span) {
                entries.push(WatchEntry { id, label, profile });
            }
        }
        entries
    }

    /// `[[view]]` blocks: a unique `name`, the list's `filter` words, an optional `sort`.
    fn view_list(&mut self, root: &Section<'_, '_>) -> Vec<ViewEntry> {
        let mut views = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (entry, item_span) in self.blocks(root, "view", "in [[view]]") {
            self.check_keys(&entry, VIEW_KEYS);
            let filter = self.string(&entry, "filter").map(|(f, _)| f);
            let sort = self
                .choice(&entry, "sort", &ViewEntry::SORTS)
                .map(str::to_string);
            let Some((name, span)) = self.string(&entry, "name") else {
                if entry.get("name").is_none() {
                    self.report(item_span, "[[view]] entry without `name`".into());
                }
                continue;
            };
            if name.trim().is_empty() {
                self.bad_value(&entry, "name", span, "must not be empty".into());
                continue;
            }
            if self.first_time(&mut first_seen, &entry, ("name", "view"), &name, span) {
                views.push(ViewEntry {
                    name,
                    filter: filter.unwrap_or_default(),
                    sort,
                });
            }
        }
        views
    }

    /// `[[command]]` blocks: a key of one character, a name, a scope, `argv` whose
    /// placeholders the scope has. Keys the dashboard already takes are checked where
    /// the key table is (`app::Keymap::with_commands`).
    fn command_list(&mut self, root: &Section<'_, '_>) -> Vec<CommandEntry> {
        let mut commands = Vec::new();
        for (entry, item_span) in self.blocks(root, "command", "in [[command]]") {
            self.check_keys(&entry, COMMAND_KEYS);
            let name = self.string(&entry, "name");
            let key = self.string(&entry, "key");
            let scope = self.choice(&entry, "scope", &Scope::NAMES);
            let argv = self.strings(&entry, "argv");
            let least = (Duration::from_millis(100), "100ms");
            let timeout = self.duration(&entry, "timeout", least);
            let mut flag = |key| self.boolean(&entry, key).unwrap_or(false);
            let (confirm, writes, interactive) =
                (flag("confirm"), flag("writes"), flag("interactive"));
            let missing: Vec<&str> = ["key", "name", "argv"]
                .into_iter()
                .filter(|k| entry.get(k).is_none())
                .collect();
            if !missing.is_empty() {
                let why = format!("[[command]] entry without `{}`", missing.join("`, `"));
                self.report(item_span, why);
                continue;
            }
            let (Some((name, name_span)), Some((key, key_span)), Some((argv, argv_span))) =
                (name, key, argv)
            else {
                continue;
            };
            if name.trim().is_empty() {
                self.bad_value(&entry, "name", name_span, "must not be empty".into());
                continue;
            }
            let mut chars = key.chars();
            let key = match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() && !c.is_whitespace() => Some(c),
                _ => {
                    let why = format!("{key:?}: expected one character, such as \"S\"");
                    self.bad_value(&entry, "key", key_span.clone(), why);
                    None
                }
            };
            let scope = scope.and_then(Scope::parse).unwrap_or(Scope::Ticket);
            let argv_checked = match argv.first() {
                Some(program) if !program.is_empty() => custom::check_argv(&argv, scope),
                _ => Err("needs a program: [\"ssh\", \"{host_ip}\"]".to_string()),
            };
            if let Err(why) = argv_checked {
                self.bad_value(&entry, "argv", argv_span, why);
                continue;
            }
            let Some(key) = key else {
                continue;
            };
            commands.push(CommandEntry {
                command: CustomCommand {
                    key,
                    name,
                    scope,
                    argv,
                    confirm,
                    writes,
                    interactive,
                    timeout: timeout.unwrap_or(custom::DEFAULT_TIMEOUT),
                },
                key_at: Position::at(self.text, key_span.start),
            });
        }
        commands
    }

    /// `[[query]]` blocks: a unique `name` and the filters of `coctop list`.
    fn query_list(&mut self, root: &Section<'_, '_>, profiles: &[ProfileEntry]) -> Vec<QueryEntry> {
        let mut entries = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (entry, item_span) in self.blocks(root, "query", "in [[query]]") {
            let known: Vec<&str> = ["name", "profile"]
                .into_iter()
                .chain(FILTER_KEYS.iter().copied())
                .collect();
            self.check_keys(&entry, &known);
            let query = self.ticket_query(&entry);
            let Ok(profile) = self.profile_of(&entry, profiles) else {
                continue;
            };
            let Some((name, span)) = self.string(&entry, "name") else {
                if entry.get("name").is_none() {
                    self.report(item_span, "[[query]] entry without `name`".into());
                }
                continue;
            };
            if name.trim().is_empty() {
                self.bad_value(&entry, "name", span, "must not be empty".into());
                continue;
            }
            let unique =
                self.first_time(&mut first_seen, &entry, ("name", "query name"), &name, span);
            if let Some(query) = query.filter(|_| unique) {
                entries.push(QueryEntry {
                    name,
                    query,
                    profile,
                });
            }
        }
        entries
    }

    /// The filters of one `[[query]]`; `None` when one of them is wrong (reported).
    fn ticket_query(&mut self, entry: &Section<'_, '_>) -> Option<TicketQuery> {
        let before = self.problems.len();
        let mut query = TicketQuery {
            creator: self.string(entry, "creator").map(|(v, _)| v),
            job: self.string(entry, "job").map(|(v, _)| v),
            job_id: self.string(entry, "job_id").map(|(v, _)| v),
            since: self.time_bound(entry, "since"),
            until: self.time_bound(entry, "until"),
            ..TicketQuery::default()
        };
        if let Some(TimeBound::Ago(Duration::ZERO)) = query.since {
            let value = entry.get("since").expect("read just above");
            let why = "must be at least 1ms: no ticket starts in no time at all".into();
            self.bad_value(entry, "since", value.span(), why);
        }
        query.tags = self.parsed_strings(entry, "tags", query::parse_tag);
        query.status = self.parsed_strings(entry, "status", query::parse_status);
        if let Some((kind, span)) = self.string(entry, "kind") {
            match KindFilter::parse(&kind) {
                Ok(kind) => query.kind = kind,
                Err(why) => self.bad_value(entry, "kind", span, why),
            }
        }
        if query.kind == KindFilter::Script {
            // Script tickets have no job, job ID or tags: the query could find nothing.
            for key in ["job", "job_id", "tags"] {
                if let Some(value) = entry.get(key) {
                    let why = "script tickets have no job, job ID or tags".into();
                    self.bad_value(entry, key, value.span(), why);
                }
            }
        }
        if let Some((limit, span)) = self.integer(entry, "limit") {
            match usize::try_from(limit) {
                Ok(n) if n >= 1 => query.limit = Some(n),
                _ => {
                    let why = format!("must be at least 1, got {limit}");
                    self.bad_value(entry, "limit", span, why);
                }
            }
        }
        (self.problems.len() == before).then_some(query)
    }

    /// `since`/`until`: a duration before now, an RFC 3339 time or a date, written as a
    /// string or as a TOML date-time (`since = 2025-07-01`).
    fn time_bound(&mut self, section: &Section<'_, '_>, key: &str) -> Option<TimeBound> {
        let value = section.get(key)?;
        let text = match value.get_ref() {
            DeValue::String(text) => text.to_string(),
            DeValue::Datetime(at) => at.to_string(),
            _ => {
                let expected = "a string like \"24h\", \"7d\" or \"2025-07-01\"";
                self.wrong_type(section, key, value, expected);
                return None;
            }
        };
        query::parse_time_bound(&text)
            .map_err(|why| self.bad_value(section, key, value.span(), why))
            .ok()
    }

    /// A string or an array of strings, each parsed; the ones refused are reported.
    fn parsed_strings<T>(
        &mut self,
        section: &Section<'_, '_>,
        key: &str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Vec<T> {
        let mut values = Vec::new();
        for (text, span) in self.each_string(section, key) {
            match parse(&text) {
                Ok(value) => values.push(value),
                Err(why) => self.bad_value(section, key, span, why),
            }
        }
        values
    }

    /// A string or an array of strings, each with its place.
    fn each_string(&mut self, section: &Section<'_, '_>, key: &str) -> Vec<(String, Range<usize>)> {
        let Some(value) = section.get(key) else {
            return Vec::new();
        };
        let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::Array(items) => items.iter().collect(),
            _ => vec![value],
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(text) => out.push((text.to_string(), item.span())),
                _ => self.wrong_type(section, key, item, "a string or an array of strings"),
            }
        }
        out
    }
}

/// `[notify]`.
impl Reader<'_> {
    fn notify(&mut self, section: &Section<'_, '_>) -> NotifyConfig {
        self.check_keys(section, NOTIFY_KEYS);
        let mut notify = NotifyConfig::default();
        if let Some(on) = self.notify_on(section) {
            notify.on = on;
        }
        if let Some(bell) = self.boolean(section, "bell") {
            notify.bell = bell;
        }
        if let Some(desktop) = self.boolean(section, "desktop") {
            notify.desktop = desktop;
        }
        if let Some((command, span)) = self.strings(section, "command") {
            if command.first().is_none_or(|program| program.is_empty()) {
                let why = "needs a program: [\"notify-send\", \"coctop\"]".to_string();
                self.bad_value(section, "command", span, why);
            } else {
                notify.command = Some(command);
            }
        }
        let least = (Duration::from_millis(100), "100ms");
        if let Some(timeout) = self.duration(section, "timeout", least) {
            notify.timeout = timeout;
        }
        notify
    }

    /// `on = "any"` or a list of status names.
    fn notify_on(&mut self, section: &Section<'_, '_>) -> Option<NotifyOn> {
        let value = section.get("on")?;
        if let DeValue::String(text) = value.get_ref() {
            if text.as_ref() == "any" {
                return Some(NotifyOn::Any);
            }
            let why = format!("{text:?}: expected \"any\" or a list of statuses");
            self.bad_value(section, "on", value.span(), why);
            return None;
        }
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(section, "on", value, "\"any\" or a list of statuses");
            return None;
        };
        let known: Vec<JobStatus> = JobStatus::known().collect();
        let names: Vec<&str> = known.iter().map(JobStatus::as_str).collect();
        let mut statuses = Vec::new();
        for item in items.iter() {
            let DeValue::String(name) = item.get_ref() else {
                self.wrong_type(section, "on", item, "a status name");
                continue;
            };
            if let Some(status) = JobStatus::parse_known(name) {
                statuses.push(status);
                continue;
            }
            let hint = nearest(name, &names).map(|n| format!(" (did you mean {n:?}?)"));
            let why = format!(
                "unknown status {name:?}{}; known: {}",
                hint.unwrap_or_default(),
                names.join(", ")
            );
            self.bad_value(section, "on", item.span(), why);
        }
        Some(NotifyOn::Statuses(statuses))
    }

    /// An array of strings, with the array's span.
    fn strings(
        &mut self,
        section: &Section<'_, '_>,
        key: &str,
    ) -> Option<(Vec<String>, Range<usize>)> {
        let value = section.get(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(section, key, value, "an array of strings");
            return None;
        };
        let mut strings = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(text) => strings.push(text.to_string()),
                _ => self.wrong_type(section, key, item, "a string"),
            }
        }
        Some((strings, value.span()))
    }
}
