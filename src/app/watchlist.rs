//! Editing the watch list from the dashboard: the `a` input line (IDs pasted or typed)
//! and the `d` confirmation, and what the last save said.

use std::sync::Arc;

use crate::coc::TicketRef;
use crate::config::edit::Paste;
use crate::i18n::{Lang, Msg};
use crate::text::{self, sanitize};

use super::keys::Intent;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Idle,
    /// The input line has the keyboard.
    Adding(String),
    /// Waiting for `y` to remove this ticket.
    ConfirmRemove(TicketRef),
}

#[derive(Debug, Clone, Default)]
pub struct WatchListEdit {
    mode: Mode,
    /// What the last edit or save said, until the next key.
    note: Option<Note>,
    lang: Lang,
    /// The profiles a line's `profile=NAME` may name.
    profiles: Vec<Arc<str>>,
}

/// A line for the footer about the last edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub is_error: bool,
}

/// What a key on the `a` line or at the `d` confirmation asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Edited {
    Nothing,
    Redraw,
    /// Enter on the line: watch these (and save).
    Add(Paste),
    /// `y` at the confirmation: stop watching this (and save).
    Remove(TicketRef),
}

impl WatchListEdit {
    pub fn new(lang: Lang) -> WatchListEdit {
        WatchListEdit {
            lang,
            ..WatchListEdit::default()
        }
    }

    /// The profiles the dashboard shows, for `profile=NAME`.
    pub fn set_profiles(&mut self, names: &[Arc<str>]) {
        self.profiles = names.to_vec();
    }

    /// A key routed to the line or the confirmation (`typed`: the character of
    /// `Intent::Type`).
    pub fn on_intent(&mut self, intent: Intent, typed: Option<char>) -> Edited {
        match (intent, typed) {
            (Intent::Type, Some(c)) => self.type_text(c.encode_utf8(&mut [0; 4])),
            (Intent::Erase, _) => self.backspace(),
            (Intent::Accept, _) if self.input().is_some() => {
                return self.submit().map_or(Edited::Redraw, Edited::Add);
            }
            (Intent::Accept, _) => {
                return self.take_removal().map_or(Edited::Nothing, Edited::Remove);
            }
            (Intent::Close, _) => self.cancel(),
            _ => return Edited::Nothing,
        }
        Edited::Redraw
    }

    pub fn start_adding(&mut self) {
        self.mode = Mode::Adding(String::new());
        self.note = None;
    }

    /// The text typed so far, while adding.
    pub fn input(&self) -> Option<&str> {
        match &self.mode {
            Mode::Adding(text) => Some(text),
            _ => None,
        }
    }

    /// Typed or pasted text; line breaks become spaces (they separate IDs).
    pub fn type_text(&mut self, text: &str) {
        if let Mode::Adding(input) = &mut self.mode {
            input.extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
        }
    }

    fn backspace(&mut self) {
        if let Mode::Adding(input) = &mut self.mode {
            input.pop();
        }
    }

    /// Enter: the parsed input when it holds IDs and nothing invalid (then the line
    /// closes); otherwise the line stays open with a note saying why.
    fn submit(&mut self) -> Option<Paste> {
        let paste = Paste::parse(self.input()?);
        if let Some((piece, why)) = paste.invalid.first() {
            let said = self.lang.t(Msg::NotAnId { piece, why });
            self.say(said.into_owned(), true);
            return None;
        }
        if paste.ids.is_empty() {
            self.say(self.lang.t(Msg::TypeIds).into_owned(), true);
            return None;
        }
        if let Some(unknown) = paste.profile.as_deref().filter(|p| !self.knows(p)) {
            let names: Vec<&str> = self.profiles.iter().map(|n| &**n).collect();
            let said = self
                .lang
                .t(Msg::NoSuchProfile {
                    name: &sanitize(unknown),
                    near: text::nearest(unknown, &names).map(sanitize).as_deref(),
                    known: &sanitize(&names.join(", ")),
                })
                .into_owned();
            self.say(said, true);
            return None;
        }
        self.mode = Mode::Idle;
        Some(paste)
    }

    fn knows(&self, profile: &str) -> bool {
        self.profiles.iter().any(|name| &**name == profile)
    }

    pub fn confirm_remove(&mut self, id: TicketRef) {
        self.mode = Mode::ConfirmRemove(id);
        self.note = None;
    }

    /// The ticket waiting for `y`.
    pub fn removing(&self) -> Option<&TicketRef> {
        match &self.mode {
            Mode::ConfirmRemove(id) => Some(id),
            _ => None,
        }
    }

    /// Esc, or any key but `y` at the confirmation.
    fn cancel(&mut self) {
        self.mode = Mode::Idle;
    }

    /// `y`: the ticket to remove, and the confirmation closes.
    fn take_removal(&mut self) -> Option<TicketRef> {
        match std::mem::take(&mut self.mode) {
            Mode::ConfirmRemove(id) => Some(id),
            other => {
                self.mode = other;
                None
            }
        }
    }

    pub fn is_open(&self) -> bool {
        self.mode != Mode::Idle
    }

    pub fn say(&mut self, text: String, is_error: bool) {
        self.note = Some(Note { text, is_error });
    }

    pub fn note(&self) -> Option<&Note> {
        self.note.as_ref()
    }

    pub fn clear_note(&mut self) -> bool {
        self.note.take().is_some()
    }
}
