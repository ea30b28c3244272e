//! What the views' keys do beyond one feature: opening and closing a ticket, pinning,
//! watching and unwatching, operating, copying; and the replies of the prompts and of
//! the watch-list edit carried out across the app.

use crate::coc::{ApiError, JobOperation, JobTicket, ScriptOperation, TicketRef};
use crate::config::WatchEntry;
use crate::config::console_url;
use crate::config::edit::Paste;
use crate::i18n::Msg;
use crate::launch::{JobRun, RunOutcome};
use crate::operate::{self, Attempt, Destination, OperationOutcome};
use crate::text::{fit, sanitize};
use crate::watch::Command;

use super::actions::{PromptKey, copy_id, refusal_lines, summary};
use super::compare::Pressed;
use super::detail::Pane;
use super::keys::{Intent, Motion};
use super::list::Listed;
use super::tickets::TicketEntry;
use super::watchlist::Edited;
use super::{Action, App, LogLine, Origin, Reaction, Saved, View, WatchChange};

impl App {
    /// An intent every view shares (the feature with the focus did not take it).
    pub(super) fn on_view_intent(&mut self, intent: Intent) -> Reaction {
        match intent {
            Intent::OpenHelp => {
                self.help = true;
                Reaction::redraw(true)
            }
            Intent::NextTab | Intent::PrevTab | Intent::ToTab(_) => {
                let shown = self.shown_id().and_then(|id| self.tickets.get(id)).cloned();
                let shown = shown.or_else(|| self.browse.selected().cloned());
                let lang = self.lang();
                self.detail
                    .on_intent(intent, shown.as_ref(), Pane::default(), lang)
                    .unwrap_or_default()
            }
            Intent::Filter => {
                self.filter.start_editing();
                Reaction::redraw(true)
            }
            Intent::Sort => self.on_list_intent(intent).unwrap_or_default(),
            Intent::Refresh => self.refresh_shown(),
            Intent::RefreshAll => Reaction::action(Action::Engine(Command::RefreshAll)),
            Intent::Browse => Reaction::redraw_and(self.browse.open()),
            Intent::Pin => self.pin(),
            Intent::NextView => self.next_view(),
            Intent::SaveView => self.save_view(),
            Intent::Operate => self.open_actions(),
            Intent::CopyId => self.copy(|entry, _| copy_id(&entry.id)),
            Intent::CopySummary => self.copy(summary),
            Intent::OpenConsole => self.open_console(),
            Intent::Add => {
                self.watchlist.start_adding();
                Reaction::redraw(true)
            }
            Intent::Remove => match self.shown_id().cloned() {
                Some(id) => {
                    self.watchlist.confirm_remove(id);
                    Reaction::redraw(true)
                }
                None => Reaction::default(),
            },
            Intent::MarkSeen => Reaction::redraw(self.alerts.mark_seen()),
            Intent::Compare => self.mark_or_compare(),
            Intent::Back => self.back(),
            _ => Reaction::default(),
        }
    }

    /// A key of the list: the pane beside it starts at the top of another ticket.
    pub(super) fn on_list_intent(&mut self, intent: Intent) -> Option<Reaction> {
        let reaction = match self
            .list
            .on_intent(intent, self.tickets.all(), &self.filter)
        {
            Listed::Ignored => return None,
            Listed::Moved(changed) => {
                if changed {
                    self.detail.reset_scroll();
                }
                Reaction::redraw(changed)
            }
            Listed::Sorted => Reaction::redraw(true),
        };
        self.scroll_list_to_cursor();
        Some(reaction)
    }

    /// A key routed to the open prompt.
    pub(super) fn on_prompt(&mut self, intent: Intent, typed: Option<char>) -> Reaction {
        let tickets = &self.tickets;
        let ticket_now = |id: &TicketRef| {
            let entry = tickets.get(id);
            let profile = entry.and_then(|e| e.profile.as_deref());
            let to = tickets.profiles().shown_destination(profile).cloned();
            (entry.and_then(|e| e.ticket.as_deref().cloned()), to)
        };
        match self.prompt.on_intent(intent, typed, ticket_now) {
            PromptKey::Send { id, operation } => {
                self.tickets.operation_sent(&id, operation, self.now);
                Reaction::redraw_and(Command::Operate { id, operation })
            }
            declined @ (PromptKey::Declined { .. } | PromptKey::RunDeclined { .. }) => {
                let reaction = Reaction::redraw(true);
                match self.declined(declined) {
                    Some(line) => reaction.and(Action::Log(line)),
                    None => reaction,
                }
            }
            PromptKey::Start { from, run } => {
                let said = self.t(Msg::StartingAgain(run.name.as_deref()));
                let said = sanitize(&said).into_owned();
                self.watchlist.say(said, false);
                Reaction::redraw_and(Command::Start {
                    from,
                    run: std::sync::Arc::from(run),
                })
            }
            PromptKey::Run(run) => Reaction::redraw(true).and(Action::Run(run)),
            PromptKey::Changed | PromptKey::Closed => Reaction::redraw(true),
            PromptKey::Nothing => Reaction::default(),
        }
    }

    /// A key routed to the `a` line or the `d` confirmation.
    pub(super) fn on_watch_edit(&mut self, intent: Intent, typed: Option<char>) -> Reaction {
        match self.watchlist.on_intent(intent, typed) {
            Edited::Nothing => Reaction::default(),
            Edited::Redraw => Reaction::redraw(true),
            Edited::Add(paste) => self.add_watched(paste),
            Edited::Remove(id) => self.remove_watched(id),
        }
    }

    /// The IDs of the `a` line are saved, in the profile its `profile=NAME` names (else
    /// the first), and watched once saved (`added`).
    fn add_watched(&mut self, paste: Paste) -> Reaction {
        let profile = self.written_profile(paste.profile.as_deref());
        let entries: Vec<WatchEntry> = paste
            .entries()
            .into_iter()
            .map(|entry| WatchEntry {
                profile: profile.clone(),
                ..entry
            })
            .collect();
        let new = entries
            .iter()
            .filter(|e| self.tickets.index(&e.id).is_none())
            .count();
        if new == 0 {
            let said = self.t(Msg::AlreadyWatched).into_owned();
            self.watchlist.say(said, false);
            return Reaction::redraw(true);
        }
        let said = self.t(Msg::AddingMore(new)).into_owned();
        self.watchlist.say(said, false);
        Reaction::redraw(true).and(Action::SaveWatch(WatchChange::Add(entries)))
    }

    /// How saving added IDs went: those the file took (or all, when there is no file)
    /// are watched from now on; an edit that cannot be saved changes nothing, and a
    /// notice says why.
    pub(super) fn added(&mut self, entries: Vec<WatchEntry>, said: Saved) -> Reaction {
        let mut reaction = Reaction::redraw(true);
        if let Saved::Failed(why) = &said {
            // A pinned ticket is watched already: only its saving failed.
            let refused = entries.iter().any(|e| self.tickets.index(&e.id).is_none());
            if refused {
                self.watchlist.clear_note();
                let lines = vec![self.t(Msg::NothingAdded(why)).into_owned()];
                self.prompt.notice(self.t(Msg::NotAddedTitle), lines);
                return reaction;
            }
        } else {
            let added = self.watch(&entries);
            reaction.actions.extend(self.polled(added));
        }
        self.say_saved(&said);
        reaction
    }

    /// The footer's note about a save.
    pub(super) fn say_saved(&mut self, saved: &Saved) {
        let (said, is_error) = match saved {
            Saved::To(path) => (Msg::SavedTo(path), false),
            Saved::NoFile => (Msg::NoConfigFile, false),
            Saved::Failed(why) => (Msg::NotSaved(why), true),
            Saved::NotInFile { id, path } => (Msg::NotAWatchEntry { id, path }, false),
        };
        let said = self.t(said).into_owned();
        self.watchlist.say(said, is_error);
    }

    /// `y` at the `d` confirmation: the ticket is no longer watched, and that is saved.
    fn remove_watched(&mut self, id: TicketRef) -> Reaction {
        let mut reaction = Reaction::redraw(true);
        if self.unwatch(&id) {
            let said = self.t(Msg::Removed(&id.to_string())).into_owned();
            self.watchlist.say(said, false);
            reaction.actions = vec![
                Action::Engine(Command::Remove(id.clone())),
                Action::SaveWatch(WatchChange::Remove(id)),
            ];
        }
        reaction
    }

    /// Enter in the list: the selected ticket opens, and stays open (held by its ID)
    /// whatever the list does meanwhile.
    pub(super) fn open_selected(&mut self) -> Reaction {
        let Some(id) = self.list.selected_id().cloned() else {
            return Reaction::default();
        };
        self.list.keep_selection();
        self.open_ticket(id)
    }

    /// Opens ticket `id` in the detail.
    fn open_ticket(&mut self, id: TicketRef) -> Reaction {
        self.detail.open(id.clone());
        // Its steps (or batches) stay fresh while it is open: the engine fetches them
        // now, so they are marked loading here rather than asked for twice.
        self.tickets.want_details(&id, false);
        Reaction::redraw_and(Command::Follow(Some(id)))
    }

    /// Enter in the browse view: the ticket opens in the detail, polled while it is
    /// open; Esc brings the browse view back (and lets go of it unless it was pinned).
    pub(super) fn open_browsed(&mut self) -> Reaction {
        let Some(entry) = self.browse.selected().cloned() else {
            return Reaction::default();
        };
        let id = entry.id.clone();
        let mut reaction = Reaction::redraw(true);
        if self.tickets.index(&id).is_none() {
            self.tickets.insert_listed(entry);
            // A listed ID that breaks the rule is shown, never fetched.
            if id.is_valid() {
                reaction.actions.extend(self.polled(vec![id.clone()]));
            }
        }
        self.detail.open(id);
        reaction
    }

    /// `Esc`: from the ticket back to the list (or the browse view); in the list, the
    /// filter cleared.
    fn back(&mut self) -> Reaction {
        if self.view() != View::Ticket {
            self.filter.clear();
            self.views.filter_changed("");
            self.refilter();
            return Reaction::redraw(true);
        }
        let closed = self.detail.open_id().cloned();
        self.detail.close();
        let mut reaction = Reaction::redraw_and(Command::Follow(None));
        // A ticket opened from the browse view and not pinned goes with it.
        if let Some(id) = closed
            && self
                .ticket(&id)
                .is_some_and(|e| e.origin == Origin::Browsed)
        {
            self.tickets.remove(&id);
            self.refilter();
            reaction = reaction.ask(Some(Command::Remove(id)));
        }
        self.scroll_list_to_cursor();
        reaction
    }

    /// `p`: the ticket selected in the browse view, or the open one, joins the watch
    /// list (in memory) and is listed from now on.
    fn pin(&mut self) -> Reaction {
        let entry = match self.view() {
            View::Browse => self.browse.selected().cloned(),
            View::Ticket => self.shown().cloned(),
            View::List => None,
        };
        let Some(entry) = entry.filter(|e| e.origin != Origin::Watched && e.id.is_valid()) else {
            return Reaction::default();
        };
        let id = entry.id.clone();
        let profile = self.written_profile(entry.profile.as_deref());
        self.tickets.insert_listed(entry);
        self.tickets.set_origin(&id, Origin::Watched);
        self.refilter();
        // Pinned for good: saved to the config as a [[watch]], as `a` saves.
        let said = self.t(Msg::Pinned(&id.to_string())).into_owned();
        self.watchlist.say(said, false);
        let mut reaction = Reaction::redraw(true);
        reaction.actions.extend(self.polled(vec![id.clone()]));
        reaction
            .actions
            .push(Action::SaveWatch(WatchChange::Add(vec![WatchEntry {
                profile,
                ..WatchEntry::unlabelled(id)
            }])));
        reaction
    }

    /// `v`: the next saved view's filter and sort, then the whole list again.
    fn next_view(&mut self) -> Reaction {
        if self.views.is_empty() {
            let said = self.t(Msg::NoViews).into_owned();
            self.watchlist.say(said, false);
            return Reaction::redraw(true);
        }
        let (filter, sort) = match self.views.next() {
            Some(view) => (
                view.filter.clone(),
                view.sort.as_deref().and_then(super::SortKey::from_name),
            ),
            None => (String::new(), None),
        };
        self.filter.set(&filter);
        if let Some(sort) = sort {
            self.list.set_sort(sort, self.tickets.all(), &self.filter);
        }
        self.refilter();
        Reaction::redraw(true)
    }

    /// `V`: the filter in force saved to the config as a `[[view]]`.
    fn save_view(&mut self) -> Reaction {
        if self.filter.is_empty() {
            let said = self.t(Msg::NothingToSave).into_owned();
            self.watchlist.say(said, true);
            return Reaction::redraw(true);
        }
        let view = self.views.save(self.filter.text(), self.list.sort());
        let said = self.t(Msg::SavingView(&view.name)).into_owned();
        self.watchlist.say(said, false);
        let mut reaction = Reaction::redraw(true);
        reaction.actions.push(Action::SaveView(view));
        reaction
    }

    /// `r`: poll the shown ticket now, and its steps or batches when they are on screen.
    fn refresh_shown(&mut self) -> Reaction {
        let Some(id) = self.shown_id().cloned() else {
            return Reaction::default();
        };
        let mut reaction = Reaction::action(Action::Engine(Command::Refresh(id.clone())));
        if self.tab().is_details() && self.tickets.want_details(&id, true) {
            reaction = reaction.ask(Some(Command::FetchDetails(id)));
            reaction.redraw = true;
        }
        reaction
    }

    /// `x`: the operations the shown ticket allows, for its reference as of now; over a
    /// batch's hosts, also canceling the host at the cursor when it has not finished.
    fn open_actions(&mut self) -> Reaction {
        let Some(id) = self.shown_id().cloned() else {
            return Reaction::default();
        };
        let entry = self.tickets.get(&id);
        let ticket = entry.and_then(|e| e.ticket.as_deref());
        let profile = entry.and_then(|e| e.profile.as_deref());
        let host = self.cancelable_host(ticket);
        let read_only = self.read_only_for(profile);
        let to = self.tickets.profiles().shown_destination(profile);
        let blocked = self
            .prompt
            .open_menu(&id, ticket, host, read_only.as_deref(), to);
        let reaction = Reaction::redraw(true);
        match blocked {
            Some(op) => {
                let held = self.attempt(&op, id, OperationOutcome::ReadOnly);
                reaction.and(Action::Log(LogLine::Operation(held)))
            }
            None => reaction,
        }
    }

    /// Why operations on a ticket of `profile` are off: `--read-only` and `[ui]` for
    /// all, or its profile's own `read_only`.
    pub(super) fn read_only_for(&self, profile: Option<&str>) -> Option<String> {
        let own = || profile.and_then(|p| self.tickets.profiles().read_only(p));
        self.settings
            .read_only
            .clone()
            .or_else(|| own().map(str::to_string))
    }

    /// The log line of an operation attempt on `id` that ended with `outcome` here.
    fn attempt(&self, op: &str, id: TicketRef, outcome: OperationOutcome) -> Attempt {
        let to = self.logged_destination(&id);
        Attempt {
            op: op.to_string(),
            id,
            to,
            outcome,
        }
    }

    /// Where an operation on `id` goes, for its log line.
    fn logged_destination(&self, id: &TicketRef) -> Option<Destination> {
        let profile = self.tickets.get(id).and_then(|e| e.profile.as_deref());
        self.tickets.profiles().logged_destination(profile).cloned()
    }

    /// The log line of what a confirmation answered with anything but yes declined.
    fn declined(&self, key: PromptKey) -> Option<LogLine> {
        Some(match key {
            PromptKey::Declined { id, operation } => LogLine::Operation(self.attempt(
                &operation.described(),
                id,
                OperationOutcome::Declined,
            )),
            PromptKey::RunDeclined { from, what } => LogLine::Run {
                what,
                to: self.logged_destination(&from),
                outcome: RunOutcome::Declined,
            },
            _ => return None,
        })
    }

    /// The dashboard ends: a confirmation still open was declined.
    pub fn leave(&mut self) -> Option<LogLine> {
        let unanswered = self.prompt.take_confirmation()?;
        self.declined(unanswered)
    }

    /// The answer to a run again: the new ticket joins the watch list (saved) and
    /// opens; a refusal, or no clear answer, is told in a notice.
    pub(super) fn started(
        &mut self,
        from: &TicketRef,
        run: &JobRun,
        result: Result<String, ApiError>,
    ) -> Reaction {
        let from_text = from.to_string();
        let title = self.t(Msg::RunAgainOf(&from_text)).into_owned();
        let started = match RunOutcome::of(result) {
            RunOutcome::Started(id) => TicketRef::execution(&id).map_err(|why| (id, why)),
            RunOutcome::Refused(error) => {
                let title = self.t(Msg::RunAgainRefused(&from_text)).into_owned();
                self.prompt
                    .notice(title, refusal_lines(self.lang(), from, &error));
                return Reaction::redraw(true);
            }
            outcome => {
                let mut lines = vec![fit(&sanitize(&outcome.to_string()), 300).into_owned()];
                if let RunOutcome::Unknown(_) = outcome {
                    lines.push(
                        self.t(Msg::FindItWith(&sanitize(&run.document_id)))
                            .into_owned(),
                    );
                }
                self.prompt.notice(title, lines);
                return Reaction::redraw(true);
            }
        };
        let id = match started {
            Ok(id) => id,
            Err((id, why)) => {
                let shown = fit(&crate::text::reveal(&id), 80).into_owned();
                let why = why.to_string();
                let said = self.t(Msg::StartedBadId {
                    id: &shown,
                    why: &why,
                });
                let lines = vec![said.into_owned()];
                self.prompt.notice(title, lines);
                return Reaction::redraw(true);
            }
        };
        // Started in the profile of the ticket it repeats: watched and saved as its.
        let entry = WatchEntry {
            profile: self.written_profile(self.ticket(from).and_then(|t| t.profile.as_deref())),
            ..WatchEntry::unlabelled(id.clone())
        };
        let mut reaction = Reaction::redraw(true);
        let added = self.watch(std::slice::from_ref(&entry));
        reaction.actions.extend(self.polled(added));
        reaction
            .actions
            .push(Action::SaveWatch(WatchChange::Add(vec![entry])));
        let said = self
            .t(Msg::StartedAgain {
                id: &id.to_string(),
                from: &from_text,
            })
            .into_owned();
        self.watchlist.say(said, false);
        reaction.actions.extend(self.open_ticket(id).actions);
        reaction
    }

    /// `=`: the shown ticket is marked; `=` on another compares the two once both
    /// have their steps (asked for when they have not).
    fn mark_or_compare(&mut self) -> Reaction {
        let Some(id) = self.shown_id().cloned() else {
            return Reaction::default();
        };
        if self.tickets.index(&id).is_none() {
            let lines = vec![self.t(Msg::CompareNeedsList).into_owned()];
            self.prompt.notice(self.t(Msg::CompareTitle), lines);
            return Reaction::redraw(true);
        }
        let mut reaction = Reaction::redraw(true);
        match self.compare.press(&id) {
            Pressed::Marked(id) => {
                let said = self.t(Msg::MarkedForCompare(&id.to_string())).into_owned();
                self.watchlist.say(said, false);
            }
            Pressed::Unmarked(id) => {
                let said = self.t(Msg::NoLongerMarked(&id.to_string())).into_owned();
                self.watchlist.say(said, false);
            }
            Pressed::Compare { a, b } => {
                for side in [a, b] {
                    if self.tickets.want_details(&side, false) {
                        reaction
                            .actions
                            .push(Action::Engine(Command::FetchDetails(side)));
                    }
                }
                self.compare_when_ready();
            }
        }
        reaction
    }

    /// CANCEL_INSTANCE of the host at the cursor of the open batch's hosts, when the
    /// ticket's status and the host's allow it.
    fn cancelable_host(&self, ticket: Option<&JobTicket>) -> Option<JobOperation> {
        let status = ticket?.as_script()?.status.as_ref()?;
        let host = self.hosts()?.script_host_at_cursor()?;
        operate::host_cancelable(status, host.status.as_ref()).then_some(JobOperation::Script(
            ScriptOperation::CancelInstance {
                instance_id: host.id?,
            },
        ))
    }

    /// `y` / `Y`: the shown ticket's ID or summary to the clipboard; a notice says why
    /// when it cannot be copied.
    fn copy(
        &mut self,
        text: impl Fn(&TicketEntry, Option<&super::HostsView>) -> Result<String, String>,
    ) -> Reaction {
        let Some(entry) = self.shown() else {
            return Reaction::default();
        };
        match text(entry, self.hosts()) {
            Ok(text) => Reaction::action(Action::Copy(text)),
            Err(why) => {
                self.prompt.notice(self.t(Msg::NotCopiedTitle), vec![why]);
                Reaction::redraw(true)
            }
        }
    }

    /// `o`: the shown ticket in the console, when `[ui] console_url` says where.
    fn open_console(&mut self) -> Reaction {
        let Some(id) = self.shown_id().cloned() else {
            return Reaction::default();
        };
        match &self.settings.console_url {
            Some(template) => {
                Reaction::action(Action::Open(console_url::expand(template, id.id())))
            }
            None => {
                let lines = vec![
                    self.t(Msg::SetConsoleUrl).into_owned(),
                    format!("console_url = \"https://…/{}\"", console_url::PLACEHOLDER),
                ];
                self.prompt.notice(self.t(Msg::ConsoleTitle), lines);
                Reaction::redraw(true)
            }
        }
    }

    /// The wheel over the detail pane: the shown ticket's tab (or hosts) scrolls.
    pub(super) fn scroll_pane(&mut self, motion: Motion, pane: Pane) -> Reaction {
        let lang = self.lang();
        let entry = match self.detail.open_id() {
            Some(id) => self.tickets.get(id),
            None if self.browse.is_open() => self.browse.selected(),
            None => self.list.selected_id().and_then(|id| self.tickets.get(id)),
        };
        self.detail
            .on_intent(Intent::Move(motion), entry, pane, lang)
            .unwrap_or_default()
    }
}
