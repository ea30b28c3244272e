//! Every key in one table: which focus takes it, what it means (the intent), and how the
//! footer and the help name it. Routing, the footer and the help are all read from the
//! table, so a key is one row, and a row can be added while the dashboard runs (custom
//! commands from the config) after asking which row already takes its key.

use std::borrow::Cow;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::i18n::{Lang, Msg};

/// Who takes the keys now; derived from the state by `App::focus`, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Focus {
    /// The help over the screen.
    Help,
    /// A notice over the screen (a refusal, why nothing can be done).
    Notice,
    /// The `x` menu.
    Menu,
    /// The confirmation of an operation or a run.
    Confirm,
    /// The review of a run again: its parameters edited.
    Review,
    /// The `a` line: IDs typed or pasted.
    AddLine,
    /// The `d` confirmation.
    Remove,
    /// The list's `/` filter being typed.
    FilterLine,
    /// The browse view's `/` filter being typed.
    BrowseFilterLine,
    Browse,
    /// The hosts of a step of the open ticket.
    Hosts,
    /// A host's output in the pager.
    Output,
    /// The pager's search or file name line.
    OutputLine,
    /// The pager's question whether to overwrite a file.
    OutputOverwrite,
    /// One ticket, zoomed.
    Ticket,
    List,
}

impl Focus {
    pub const ALL: [Focus; 16] = [
        Focus::Help,
        Focus::Notice,
        Focus::Menu,
        Focus::Confirm,
        Focus::Review,
        Focus::AddLine,
        Focus::Remove,
        Focus::FilterLine,
        Focus::BrowseFilterLine,
        Focus::Browse,
        Focus::Hosts,
        Focus::Output,
        Focus::OutputLine,
        Focus::OutputOverwrite,
        Focus::Ticket,
        Focus::List,
    ];

    /// A view has the keys: nothing over it, no line being typed.
    pub fn is_view(self) -> bool {
        VIEWS.has(self) || self == Focus::Output
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of focuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focuses(u16);

impl Focuses {
    pub const fn of(focuses: &[Focus]) -> Focuses {
        let mut bits = 0;
        let mut i = 0;
        while i < focuses.len() {
            bits |= focuses[i].bit();
            i += 1;
        }
        Focuses(bits)
    }

    pub const fn has(self, focus: Focus) -> bool {
        self.0 & focus.bit() != 0
    }

    pub const fn and(self, focus: Focus) -> Focuses {
        Focuses(self.0 | focus.bit())
    }
}

/// The views of tickets: what is left when nothing is over the screen.
pub const VIEWS: Focuses = Focuses::of(&[Focus::List, Focus::Ticket, Focus::Browse, Focus::Hosts]);
const EVERYWHERE: Focuses = Focuses(u16::MAX);

/// A key as a row names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character typed without Ctrl or Alt (Shift is in the character).
    Char(char),
    Ctrl(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    /// Any character without Ctrl or Alt that no row of the focus names: text typed.
    Text,
    /// Any key no other row of the focus takes.
    Any,
}

impl Key {
    /// The key of a key press, as rows name keys; `None` for keys no row can name.
    pub fn of(event: &KeyEvent) -> Option<Key> {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        Some(match event.code {
            KeyCode::Char(c) if ctrl && !alt => Key::Ctrl(c.to_ascii_lowercase()),
            _ if ctrl || alt => return None,
            KeyCode::Char(c) if c.is_control() => return None,
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Backspace => Key::Backspace,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            _ => return None,
        })
    }

    /// How the footer and the help write it (key names as keyboards print them).
    pub fn label(self, lang: Lang) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Key::Char(c) => return Cow::Owned(c.to_string()),
            Key::Ctrl(c) => return Cow::Owned(format!("^{}", c.to_ascii_uppercase())),
            Key::Enter => "Enter",
            Key::Esc => "Esc",
            Key::Tab => "Tab",
            Key::BackTab => "Shift-Tab",
            Key::Backspace => "⌫",
            Key::Up => "↑",
            Key::Down => "↓",
            Key::Left => "←",
            Key::Right => "→",
            Key::PageUp => "PgUp",
            Key::PageDown => "PgDn",
            Key::Home => "Home",
            Key::End => "End",
            Key::Text => return lang.t(Msg::KeyText),
            Key::Any => return lang.t(Msg::KeyAny),
        })
    }
}

/// Where a move goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Motion {
    Up(usize),
    Down(usize),
    PageUp,
    PageDown,
    Top,
    Bottom,
}

impl Motion {
    /// Pages as lines, a page being `page` rows.
    pub fn paged(self, page: usize) -> Motion {
        match self {
            Motion::PageUp => Motion::Up(page),
            Motion::PageDown => Motion::Down(page),
            other => other,
        }
    }

    /// Where a move from `from` goes, before whoever moves clamps it (pages are
    /// resolved with `paged` first).
    pub fn from(self, from: usize) -> usize {
        match self {
            Motion::Up(n) => from.saturating_sub(n),
            Motion::Down(n) => from.saturating_add(n),
            Motion::Top => 0,
            Motion::Bottom => usize::MAX,
            Motion::PageUp | Motion::PageDown => from,
        }
    }
}

/// What a key means; the feature with the focus carries it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Quit,
    Suspend,
    Redraw,
    OpenHelp,
    Move(Motion),
    /// Enter on a view: the selected ticket, or the hosts of the step at the cursor.
    Open,
    /// Esc on a view: one level back; in the list, the filter cleared.
    Back,
    NextTab,
    PrevTab,
    /// The `n`-th tab (from 0) of the shown ticket's kind.
    ToTab(usize),
    /// `/`: the filter line of the view.
    Filter,
    Sort,
    /// `r`: the shown ticket polled now (the browse view reloads, the hosts view asks
    /// again).
    Refresh,
    RefreshAll,
    Browse,
    Pin,
    /// `v`: the next saved view (`[[view]]`), then the whole list.
    NextView,
    /// `V`: the filter in force saved as a view.
    SaveView,
    Operate,
    CopyId,
    CopySummary,
    OpenConsole,
    Add,
    Remove,
    MarkSeen,
    /// `=`: mark the shown ticket, or compare it with the marked one.
    Compare,
    /// A character for the line or the answer being typed.
    Type,
    Erase,
    /// Enter on a line, a menu or a confirmation; `y` at the `d` confirmation.
    Accept,
    /// Closes what has the focus: a line, a prompt, the help.
    Close,
    /// The pager: sideways, wrapped or not, search, next / previous match, save.
    PanLeft,
    PanRight,
    Wrap,
    Search,
    NextMatch,
    PrevMatch,
    Save,
    /// A custom command, by its place among the `[[command]]` entries.
    Command(usize),
}

/// A row that applies only while something holds, besides its focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    Always,
    /// A filter is set.
    Filtered,
    /// The Steps tab (an execution) or the Batches tab (a script ticket) is shown.
    DetailsTab,
    /// The shown ticket has a tab at this place (a script ticket has fewer).
    TabAt(usize),
    /// The open confirmation is answered with `y`.
    YesAnswer,
    /// The open confirmation is answered with a word typed, then Enter.
    TypedAnswer,
}

/// A hint in the footer: its text, and in which of the row's focuses it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub text: Msg<'static>,
    pub shown_in: Focuses,
}

const fn hint(text: Msg<'static>) -> Option<Hint> {
    hint_in(text, EVERYWHERE)
}

const fn hint_in(text: Msg<'static>, shown_in: Focuses) -> Option<Hint> {
    Some(Hint { text, shown_in })
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub focus: Focuses,
    pub keys: Cow<'static, [Key]>,
    pub intent: Intent,
    pub only: Only,
    pub footer: Option<Hint>,
    /// The help's line for it; rows with the same text share the line, their keys
    /// listed together.
    pub help: Msg<'static>,
}

const fn row(
    focus: Focuses,
    keys: &'static [Key],
    intent: Intent,
    footer: Option<Hint>,
    help: Msg<'static>,
) -> Binding {
    Binding {
        focus,
        keys: Cow::Borrowed(keys),
        intent,
        only: Only::Always,
        footer,
        help,
    }
}

const fn only(mut binding: Binding, only: Only) -> Binding {
    binding.only = only;
    binding
}

const MOVE: Msg = Msg::HelpMove;
const JUMP: Msg = Msg::HelpJump;
const ENTER: Msg = Msg::HelpEnter;
const ESC: Msg = Msg::HelpEsc;
const TABS: Msg = Msg::HelpTabs;
const FILTER: Msg = Msg::HelpFilter;
const SORT: Msg = Msg::HelpSort;
const REFRESH: Msg = Msg::HelpRefresh;
const OPERATE: Msg = Msg::HelpOperate;
const COPY: Msg = Msg::HelpCopy;
const EDIT: Msg = Msg::HelpEdit;
const SEEN: Msg = Msg::HelpSeen;
const BROWSE: Msg = Msg::HelpBrowse;
const HELP_QUIT: Msg = Msg::HelpAndQuit;
const TYPE: Msg = Msg::HelpType;
const ENDS: Msg = Msg::HelpEnds;
const ANSWER: Msg = Msg::HelpAnswer;
/// The pager's keys share one line of the help.
const PAGER_KEYS: Msg = Msg::HelpPager;

use Focus::*;
use Intent as I;

const LIST_TICKET_HOSTS: Focuses = Focuses::of(&[List, Ticket, Hosts]);
const ZOOMED: Focuses = Focuses::of(&[Ticket, Hosts]);
const LINES: Focuses = Focuses::of(&[
    AddLine,
    FilterLine,
    BrowseFilterLine,
    Confirm,
    Review,
    OutputLine,
]);
/// Where the lines and pages of something scroll: the views and the pager.
const SCROLLED: Focuses = VIEWS.and(Output);
const PAGER: Focuses = Focuses::of(&[Output]);

const fn tab_row(key: &'static [Key], n: usize) -> Binding {
    let row = row(
        VIEWS,
        key,
        I::ToTab(n),
        hint_in(Msg::HintTabs, ZOOMED),
        TABS,
    );
    only(row, Only::TabAt(n))
}

/// The keys of the dashboard, in the order the footer and the help list them.
#[rustfmt::skip]
const TABLE: &[Binding] = &[
    row(SCROLLED.and(Menu), &[Key::Char('j'), Key::Down], I::Move(Motion::Down(1)), hint(Msg::HintMove), MOVE),
    row(SCROLLED.and(Menu), &[Key::Char('k'), Key::Up], I::Move(Motion::Up(1)), hint(Msg::HintMove), MOVE),
    row(Focuses::of(&[FilterLine]), &[Key::Down], I::Move(Motion::Down(1)), None, MOVE),
    row(Focuses::of(&[FilterLine]), &[Key::Up], I::Move(Motion::Up(1)), None, MOVE),
    row(SCROLLED, &[Key::Char('g'), Key::Home], I::Move(Motion::Top), None, JUMP),
    row(SCROLLED, &[Key::Char('G'), Key::End], I::Move(Motion::Bottom), None, JUMP),
    row(SCROLLED, &[Key::PageUp], I::Move(Motion::PageUp), None, JUMP),
    row(SCROLLED, &[Key::PageDown], I::Move(Motion::PageDown), None, JUMP),
    row(Focuses::of(&[List, Browse]), &[Key::Enter], I::Open, hint(Msg::HintOpen), ENTER),
    only(row(Focuses::of(&[Ticket]), &[Key::Enter], I::Open, hint(Msg::HintHosts), ENTER), Only::DetailsTab),
    row(Focuses::of(&[Hosts]), &[Key::Enter], I::Open, hint(Msg::HintOutput), ENTER),
    row(ZOOMED.and(Browse).and(Output), &[Key::Esc], I::Back, hint(Msg::HintBack), ESC),
    row(PAGER, &[Key::Char('h'), Key::Left], I::PanLeft, hint(Msg::HintSideways), PAGER_KEYS),
    row(PAGER, &[Key::Char('l'), Key::Right], I::PanRight, hint(Msg::HintSideways), PAGER_KEYS),
    row(PAGER, &[Key::Char('z')], I::Wrap, hint(Msg::HintWrap), PAGER_KEYS),
    row(PAGER, &[Key::Char('/')], I::Search, hint(Msg::HintSearch), PAGER_KEYS),
    row(PAGER, &[Key::Char('n')], I::NextMatch, hint(Msg::HintMatch), PAGER_KEYS),
    row(PAGER, &[Key::Char('N')], I::PrevMatch, hint(Msg::HintMatch), PAGER_KEYS),
    row(PAGER, &[Key::Char('w')], I::Save, hint(Msg::HintSave), PAGER_KEYS),
    only(row(Focuses::of(&[List]), &[Key::Esc], I::Back, hint(Msg::HintClear), ESC), Only::Filtered),
    row(VIEWS, &[Key::Tab], I::NextTab, hint_in(Msg::HintTabs, ZOOMED), TABS),
    row(VIEWS, &[Key::BackTab], I::PrevTab, None, TABS),
    tab_row(&[Key::Char('1')], 0),
    tab_row(&[Key::Char('2')], 1),
    tab_row(&[Key::Char('3')], 2),
    tab_row(&[Key::Char('4')], 3),
    tab_row(&[Key::Char('5')], 4),
    row(VIEWS, &[Key::Char('/')], I::Filter, hint_in(Msg::HintFilter, Focuses::of(&[List, Browse])), FILTER),
    row(LIST_TICKET_HOSTS, &[Key::Char('s')], I::Sort, hint_in(Msg::HintSort, Focuses::of(&[List])), SORT),
    row(LIST_TICKET_HOSTS, &[Key::Char('r')], I::Refresh, hint(Msg::HintRefresh), REFRESH),
    row(Focuses::of(&[Browse]), &[Key::Char('r')], I::Refresh, hint(Msg::HintReload), REFRESH),
    row(VIEWS, &[Key::Char('R')], I::RefreshAll, hint_in(Msg::HintAll, Focuses::of(&[List])), REFRESH),
    row(VIEWS, &[Key::Char('x')], I::Operate, hint_in(Msg::HintActions, ZOOMED), OPERATE),
    row(VIEWS, &[Key::Char('y')], I::CopyId, None, COPY),
    row(VIEWS, &[Key::Char('Y')], I::CopySummary, None, COPY),
    row(VIEWS, &[Key::Char('o')], I::OpenConsole, None, COPY),
    row(VIEWS, &[Key::Char('a')], I::Add, None, EDIT),
    row(VIEWS, &[Key::Char('d')], I::Remove, None, EDIT),
    row(VIEWS, &[Key::Char('n')], I::MarkSeen, None, SEEN),
    row(VIEWS, &[Key::Char('=')], I::Compare, None, SEEN),
    row(Focuses::of(&[List]), &[Key::Char('b')], I::Browse, None, BROWSE),
    row(Focuses::of(&[Browse]), &[Key::Char('b')], I::Back, None, BROWSE),
    row(Focuses::of(&[Browse, Ticket, Hosts]), &[Key::Char('p')], I::Pin, hint_in(Msg::HintPin, Focuses::of(&[Browse])), BROWSE),
    row(Focuses::of(&[List]), &[Key::Char('v')], I::NextView, None, BROWSE),
    row(Focuses::of(&[List]), &[Key::Char('V')], I::SaveView, None, BROWSE),
    row(SCROLLED, &[Key::Char('?')], I::OpenHelp, hint_in(Msg::HintHelp, LIST_TICKET_HOSTS.and(Output)), HELP_QUIT),
    row(Focuses::of(&[Help]), &[Key::Any], I::Close, hint(Msg::HintClosesHelp), HELP_QUIT),
    row(Focuses::of(&[Notice]), &[Key::Any], I::Close, hint(Msg::HintCloses), HELP_QUIT),
    row(SCROLLED, &[Key::Char('q')], I::Quit, hint_in(Msg::HintQuit, LIST_TICKET_HOSTS), HELP_QUIT),
    row(EVERYWHERE, &[Key::Ctrl('c')], I::Quit, None, HELP_QUIT),
    row(EVERYWHERE, &[Key::Ctrl('z')], I::Suspend, None, HELP_QUIT),
    row(EVERYWHERE, &[Key::Ctrl('l')], I::Redraw, None, HELP_QUIT),
    row(LINES, &[Key::Text], I::Type, None, TYPE),
    row(LINES, &[Key::Backspace], I::Erase, hint_in(Msg::HintEdit, Focuses::of(&[FilterLine])), TYPE),
    row(Focuses::of(&[AddLine]), &[Key::Enter], I::Accept, hint(Msg::HintAdd), ENDS),
    row(Focuses::of(&[FilterLine]), &[Key::Enter], I::Accept, hint(Msg::HintKeep), ENDS),
    row(Focuses::of(&[BrowseFilterLine]), &[Key::Enter], I::Accept, hint(Msg::HintApply), ENDS),
    row(Focuses::of(&[Menu]), &[Key::Enter], I::Accept, hint(Msg::HintChoose), ENDS),
    row(Focuses::of(&[Review]), &[Key::Down], I::Move(Motion::Down(1)), hint(Msg::HintParameter), MOVE),
    row(Focuses::of(&[Review]), &[Key::Up], I::Move(Motion::Up(1)), hint(Msg::HintParameter), MOVE),
    row(Focuses::of(&[Review]), &[Key::Enter], I::Accept, hint(Msg::HintConfirm), ENDS),
    row(Focuses::of(&[OutputLine]), &[Key::Enter], I::Accept, hint(Msg::HintOk), ENDS),
    only(row(Focuses::of(&[Confirm]), &[Key::Enter], I::Accept, hint(Msg::HintSends), ENDS), Only::TypedAnswer),
    row(Focuses::of(&[FilterLine]), &[Key::Esc], I::Close, hint(Msg::HintClear), ENDS),
    row(Focuses::of(&[AddLine, BrowseFilterLine, Menu, Review, OutputLine]), &[Key::Esc], I::Close, hint(Msg::HintCancel), ENDS),
    row(Focuses::of(&[Menu]), &[Key::Char('q'), Key::Char('x')], I::Close, None, ENDS),
    only(row(Focuses::of(&[Confirm]), &[Key::Char('y')], I::Type, hint(Msg::HintSends), ANSWER), Only::YesAnswer),
    row(Focuses::of(&[Remove]), &[Key::Char('y')], I::Accept, hint(Msg::HintRemove), ANSWER),
    row(Focuses::of(&[OutputOverwrite]), &[Key::Char('y')], I::Accept, hint(Msg::HintOverwrite), ANSWER),
    row(Focuses::of(&[Confirm]), &[Key::Any], I::Close, hint(Msg::HintCancels), ANSWER),
    row(Focuses::of(&[Remove, OutputOverwrite]), &[Key::Any], I::Close, hint(Msg::HintKeeps), ANSWER),
];

/// A row that cannot be added: `taken_by` already takes the key in that focus.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub key: Key,
    pub focus: Focus,
    pub taken_by: Binding,
}

/// The table the dashboard routes keys by.
#[derive(Debug, Clone)]
pub struct Keymap {
    rows: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            rows: TABLE.to_vec(),
        }
    }
}

impl Keymap {
    pub fn rows(&self) -> &[Binding] {
        &self.rows
    }

    /// The row that takes `key` in `focus` (guards aside): the one naming it, else the
    /// focus's text row for a character, else its any-key row.
    pub fn taken(&self, focus: Focus, key: Key) -> Option<&Binding> {
        self.find(focus, key, |_| true)
    }

    /// Adds a row (a custom command); refused when one of its keys is taken already in
    /// one of its focuses.
    pub fn add(&mut self, binding: Binding) -> Result<(), Box<Conflict>> {
        for focus in Focus::ALL.into_iter().filter(|f| binding.focus.has(*f)) {
            for &key in binding.keys.iter() {
                if let Some(taken) = self.taken(focus, key) {
                    return Err(Box::new(Conflict {
                        key,
                        focus,
                        taken_by: taken.clone(),
                    }));
                }
            }
        }
        self.rows.push(binding);
        Ok(())
    }

    /// The row a key press goes to in `focus`, among the rows whose guard holds.
    pub fn route(
        &self,
        focus: Focus,
        event: &KeyEvent,
        holds: impl Fn(Only) -> bool,
    ) -> Option<&Binding> {
        match Key::of(event) {
            Some(key) => self.find(focus, key, holds),
            None => self.exact(focus, Key::Any, &holds),
        }
    }

    fn find(&self, focus: Focus, key: Key, holds: impl Fn(Only) -> bool) -> Option<&Binding> {
        let text = matches!(key, Key::Char(_)).then_some(Key::Text);
        self.exact(focus, key, &holds)
            .or_else(|| text.and_then(|text| self.exact(focus, text, &holds)))
            .or_else(|| self.exact(focus, Key::Any, &holds))
    }

    fn exact(&self, focus: Focus, key: Key, holds: &impl Fn(Only) -> bool) -> Option<&Binding> {
        self.rows
            .iter()
            .find(|r| r.focus.has(focus) && holds(r.only) && r.keys.contains(&key))
    }

    /// The footer's hints in `focus`: `(keys, text)`, rows with the same text next to
    /// each other joined (`j/k move`, `Tab/1-5 tabs`).
    pub fn footer(
        &self,
        lang: Lang,
        focus: Focus,
        holds: impl Fn(Only) -> bool,
    ) -> Vec<(String, &Binding)> {
        let mut hints: Vec<(Vec<Cow<str>>, &Binding)> = Vec::new();
        let shown = self.rows.iter().filter(|r| {
            r.focus.has(focus)
                && holds(r.only)
                && r.footer.as_ref().is_some_and(|h| h.shown_in.has(focus))
        });
        for binding in shown {
            let label = binding.keys[0].label(lang);
            match hints.last_mut() {
                Some((labels, last)) if last.footer == binding.footer => labels.push(label),
                _ => hints.push((vec![label], binding)),
            }
        }
        hints
            .into_iter()
            .map(|(labels, binding)| (join_labels(&labels, "/"), binding))
            .collect()
    }

    /// The help: one line per help text, with the keys of every row that has it.
    pub fn help_lines(&self, lang: Lang) -> Vec<(String, &Msg<'static>)> {
        let mut lines: Vec<(Vec<Cow<str>>, &Msg<'static>)> = Vec::new();
        for binding in &self.rows {
            let labels = binding.keys.iter().map(|k| k.label(lang));
            match lines.iter_mut().find(|(_, text)| **text == binding.help) {
                Some((keys, _)) => {
                    for label in labels {
                        if !keys.contains(&label) {
                            keys.push(label);
                        }
                    }
                }
                None => lines.push((labels.collect(), &binding.help)),
            }
        }
        lines
            .into_iter()
            .map(|(labels, text)| (join_labels(&labels, " "), text))
            .collect()
    }
}

/// Labels joined by `separator`, a run of three or more digits written `1-5`.
fn join_labels(labels: &[Cow<str>], separator: &str) -> String {
    let digit = |l: &Cow<str>| l.len() == 1 && l.as_bytes()[0].is_ascii_digit();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        let mut end = i;
        while end + 1 < labels.len()
            && digit(&labels[end])
            && digit(&labels[end + 1])
            && labels[end + 1].as_bytes()[0] == labels[end].as_bytes()[0] + 1
        {
            end += 1;
        }
        if end >= i + 2 {
            parts.push(format!("{}-{}", labels[i], labels[end]));
        } else {
            parts.extend(labels[i..=end].iter().map(|l| l.to_string()));
        }
        i = end + 1;
    }
    parts.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_help_and_the_add_lines_hint_say_an_id_may_name_its_profile() {
        let keymap = Keymap::default();
        for lang in [Lang::En, Lang::Zh] {
            let help = keymap.help_lines(lang);
            let (_, add) = help
                .iter()
                .find(|(keys, _)| keys.starts_with("a "))
                .expect("a has a help line");
            assert!(lang.t((*add).clone()).contains("profile="), "{lang:?}");
            assert!(lang.t(Msg::AddHint).contains("profile="), "{lang:?}");
        }
    }
    #[test]
    fn no_two_rows_name_one_key_in_one_focus() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                let shared_focus = Focus::ALL
                    .into_iter()
                    .find(|f| a.focus.has(*f) && b.focus.has(*f));
                let shared_key = a.keys.iter().find(|k| b.keys.contains(k));
                // Rows told apart by a guard may share a key.
                let guarded = a.only != b.only;
                assert!(
                    shared_focus.is_none() || shared_key.is_none() || guarded,
                    "{shared_key:?} in {shared_focus:?}: {a:?} and {b:?}"
                );
            }
        }
    }

    #[test]
    fn a_row_added_later_is_routed_and_a_taken_key_is_named() {
        let mut keymap = Keymap::default();
        let command = |key| Binding {
            focus: Focuses::of(&[Ticket, List]),
            keys: Cow::Owned(vec![key]),
            intent: Intent::Redraw,
            only: Only::Always,
            footer: None,
            help: Msg::Verbatim(Cow::Borrowed("ssh to the host")),
        };
        let conflict = keymap.add(command(Key::Char('x'))).unwrap_err();
        assert_eq!(
            (conflict.key, conflict.taken_by.intent),
            (Key::Char('x'), Intent::Operate)
        );
        keymap.add(command(Key::Char('S'))).unwrap();
        let routed = keymap.route(Ticket, &press(KeyCode::Char('S')), |_| true);
        assert_eq!(
            routed.map(|r| Lang::En.t(r.help.clone())),
            Some("ssh to the host".into())
        );
        assert!(
            keymap
                .route(Browse, &press(KeyCode::Char('S')), |_| true)
                .is_none()
        );
        assert!(
            keymap
                .help_lines(Lang::En)
                .iter()
                .any(|(keys, text)| keys == "S" && Lang::En.t((*text).clone()) == "ssh to the host")
        );
    }

    #[test]
    fn text_goes_to_the_line_and_other_keys_to_the_catch_all() {
        let keymap = Keymap::default();
        let intent =
            |focus, event: KeyEvent| keymap.route(focus, &event, |_| true).map(|r| r.intent);
        assert_eq!(
            intent(AddLine, press(KeyCode::Char('q'))),
            Some(Intent::Type)
        );
        assert_eq!(intent(Confirm, press(KeyCode::Down)), Some(Intent::Close));
        let ctrl_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL);
        assert_eq!(
            intent(Confirm, ctrl_y),
            Some(Intent::Close),
            "Ctrl-Y is not y"
        );
        assert_eq!(intent(List, ctrl_y), None);
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(intent(List, shift_g), Some(Intent::Move(Motion::Bottom)));
        assert_eq!(intent(Help, press(KeyCode::F(2))), Some(Intent::Close));
    }

    #[test]
    fn the_footer_joins_neighbours_with_one_text() {
        let keymap = Keymap::default();
        let footer: Vec<String> = keymap
            .footer(Lang::En, Ticket, |_| true)
            .into_iter()
            .map(|(keys, r)| format!("{keys} {}", Lang::En.t(r.footer.clone().unwrap().text)))
            .collect();
        assert_eq!(footer[..3], ["j/k move", "Enter hosts", "Esc back"]);
        assert!(footer.contains(&"Tab/1-5 tabs".to_string()), "{footer:?}");
    }
}
