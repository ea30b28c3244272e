//! The `/` filter: what the user typed, and which tickets it lets through. Its words are
//! the browse view's (`query::words`): `status=`, `creator=`, `job=`, `kind=`,
//! `profile=`; any other `key=value` is a tag the ticket must carry (`env=prod`); the
//! rest is text to find.

use crate::coc::{JobStatus, JobTicket};
use crate::query::{self, KindFilter, Word};

use super::keys::Intent;
use super::tickets::TicketEntry;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    text: String,
    words: Words,
    /// The filter line has the keyboard.
    editing: bool,
}

/// The filter's words, parsed once per change.
#[derive(Debug, Clone, Default)]
struct Words {
    /// The free words, lowercased and joined by a space: found as one piece of text.
    needle: String,
    /// Any of these statuses.
    status: Vec<JobStatus>,
    /// Part of the creator's name, lowercased.
    creator: Option<String>,
    /// Part of the job's name, lowercased.
    job: Option<String>,
    /// `script` or `execution`.
    kind: Option<KindFilter>,
    /// The profile's name, exactly.
    profile: Option<String>,
    /// Tags the ticket must carry: key exactly, value in any letter case.
    tags: Vec<(String, String)>,
    /// Why a word cannot be used (the filter then lets nothing through).
    invalid: Option<String>,
}

impl Words {
    fn parse(line: &str) -> Words {
        let mut words = Words::default();
        let mut free = Vec::new();
        for word in query::words(line) {
            match word {
                Word::Free(text) => free.push(text.to_lowercase()),
                Word::Pair("status", value) => match query::parse_status(value) {
                    Ok(status) => words.status.push(status),
                    Err(why) => words.invalid = Some(why),
                },
                Word::Pair("creator", value) => words.creator = Some(value.to_lowercase()),
                Word::Pair("job", value) => words.job = Some(value.to_lowercase()),
                Word::Pair("kind", value) => match KindFilter::parse(value) {
                    Ok(kind) => words.kind = Some(kind),
                    Err(why) => words.invalid = Some(why),
                },
                Word::Pair("profile", value) => words.profile = Some(value.to_string()),
                Word::Pair(key, value) => words.tags.push((key.to_string(), value.to_lowercase())),
            }
        }
        words.needle = free.join(" ");
        words
    }

    fn matches(&self, entry: &TicketEntry) -> bool {
        if self.invalid.is_some() {
            return false;
        }
        if !self.needle.is_empty() && !entry.search().contains(&self.needle) {
            return false;
        }
        if !self.status.is_empty() && !entry.status().is_some_and(|s| self.status.contains(&s)) {
            return false;
        }
        let ticket = entry.ticket.as_deref();
        let has = |field: Option<&str>, part: &Option<String>| {
            part.as_ref()
                .is_none_or(|part| field.is_some_and(|f| f.to_lowercase().contains(part)))
        };
        if !has(ticket.and_then(JobTicket::creator), &self.creator)
            || !has(ticket.and_then(JobTicket::name), &self.job)
        {
            return false;
        }
        if self
            .kind
            .is_some_and(|wanted| !wanted.kinds().contains(&entry.id.kind()))
        {
            return false;
        }
        if self
            .profile
            .as_deref()
            .is_some_and(|wanted| wanted != entry.profile_name())
        {
            return false;
        }
        self.tags.iter().all(|(key, value)| {
            ticket.and_then(JobTicket::as_execution).is_some_and(|t| {
                t.tags
                    .iter()
                    .any(|tag| *tag.key == **key && tag.value.eq_ignore_ascii_case(value))
            })
        })
    }
}

impl Filter {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn editing(&self) -> bool {
        self.editing
    }

    /// Why a word of the filter cannot be used, if one cannot.
    pub fn invalid(&self) -> Option<&str> {
        self.words.invalid.as_deref()
    }

    pub fn start_editing(&mut self) {
        self.editing = true;
    }

    /// The filter is `text` from now on (a saved view), the line closed.
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.words = Words::parse(text);
        self.editing = false;
    }

    /// A key on the filter line (`typed`: the character of `Intent::Type`): Enter
    /// keeps the filter and gives the keys back, Esc clears it. `Some(true)`: the text
    /// changed, the list must follow; `None`: not a key of the line.
    pub fn on_intent(&mut self, intent: Intent, typed: Option<char>) -> Option<bool> {
        match (intent, typed) {
            (Intent::Type, Some(c)) => self.text.push(c),
            (Intent::Erase, _) => {
                self.text.pop();
            }
            (Intent::Accept, _) => {
                self.editing = false;
                return Some(false);
            }
            (Intent::Close, _) => self.clear(),
            _ => return None,
        }
        self.words = Words::parse(&self.text);
        Some(true)
    }

    /// Esc: no filter, and the keys back to the list.
    pub fn clear(&mut self) {
        self.text.clear();
        self.words = Words::default();
        self.editing = false;
    }

    /// Whether the ticket passes every word: the free words as one piece of its ID,
    /// label, job, status or creator as shown on screen (any letter case), and each
    /// `key=value`; never a ticket that is not listed (one opened from the browse view).
    pub fn matches(&self, entry: &TicketEntry) -> bool {
        entry.is_listed() && self.words.matches(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_not_the_filters_own_are_tags() {
        let words = Words::parse("env=prod status=failed db  team=SRE profile=prod");
        assert_eq!(words.profile.as_deref(), Some("prod"));
        assert_eq!(words.needle, "db");
        assert_eq!(
            words.status,
            [JobStatus::Execution(crate::coc::Status::Failed)]
        );
        assert_eq!(
            words.tags,
            [("env".into(), "prod".into()), ("team".into(), "sre".into())]
        );
        assert!(
            Words::parse("status=Runing")
                .invalid
                .unwrap()
                .contains("Running")
        );
    }
}
