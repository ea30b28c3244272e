//! English.

use std::borrow::Cow;

use crate::coc::{JobOperation, JobStatus, TicketKind};
use crate::format::Age as When;

use super::Msg;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn text(msg: Msg<'_>) -> Cow<'_, str> {
    use Msg::*;
    let text: &'static str = match msg {
        Verbatim(text) => return text,
        Status(status) => return status.label(),
        ScriptStatus(status) => return status.label(),
        Loading => "loading",
        NoData => "no data",
        UnknownStatus => "unknown",
        Age(When::Ago(span)) => return format!("{span} ago").into(),
        Age(When::Ahead(span)) => return format!("in {span}").into(),
        RunAgain => "run again",
        Operation(op) => op.as_str(),
        ScriptOperation(op) => return JobOperation::Script(op).described().into(),

        SortUrgency => "urgency",
        SortStarted => "started",
        SortName => "name",
        SortStatus => "status",
        TabParameters => "Parameters",
        TabTags => "Tags",
        TabTargets => "Targets",
        TabSteps => "Steps",
        TabBatches => "Batches",
        TabHistory => "History",

        Tickets(n) => return plural(n, "ticket", "tickets").into(),
        Shown(n) => return format!(", {n} shown").into(),
        KindCounts {
            executions,
            scripts,
        } => {
            return format!(
                " ({}, {})",
                plural(executions, "execution", "executions"),
                plural(scripts, "script", "scripts")
            )
            .into();
        }
        AuthFailed { age, error } => return format!(" AUTH FAILED {age}: {error} ").into(),
        PollingStopped => " polling stopped, check credentials",
        ConfigNotReloaded(why) => return format!(" config not reloaded: {why} ").into(),
        ProfileNotRunning(names) => {
            return format!(
                "profile {names} is new to the config: its tickets are polled after a restart"
            )
            .into();
        }
        NewFailures(n) => {
            return format!(" {} (n: seen) ", plural(n, "new failure", "new failures")).into();
        }
        Polled(age) => return format!("polled {age}").into(),
        NoPollYet => "no successful poll yet",
        Failing(n) => return format!("! {n} failing").into(),
        Throttled { left, code } => {
            return format!("throttled, next request in {left} {code}").into();
        }

        AddPrompt => "add ",
        AddHint => "  IDs by space, comma or line; # label; profile=NAME",
        BrowsePrompt => "browse /",
        BrowseFilterHint => "  key=value: creator job job_id tags since until status",
        FilterSet(filter) => return format!("filter \"{filter}\" ").into(),
        NoticesWaiting(n) => {
            return format!("  {} waiting", plural(n, "notice", "notices")).into();
        }
        RemoveQuestion(named) => {
            return format!("Stop watching {named} and remove it from the config?").into();
        }
        BrowseSummary {
            filter,
            loaded,
            total,
            stopped,
        } => {
            let of = total.map_or_else(String::new, |total| format!(" of {total}"));
            let stopped =
                stopped.map_or_else(String::new, |why| format!(" · {why} (r reads again)"));
            return format!("browse: {filter} · {loaded}{of}{stopped} ").into();
        }
        AllTickets => "all",

        HelpTitle => " keys: any key closes ",
        LegendMouse => "mouse",
        LegendMouseText => "click selects, wheel scrolls",
        LegendMarkers => "poll failed / stale / cached, not polled yet",

        HintMove => "move",
        HintOpen => "open",
        HintHosts => "hosts",
        HintBack => "back",
        HintClear => "clear",
        HintTabs => "tabs",
        HintFilter => "filter",
        HintSort => "sort",
        HintRefresh => "refresh",
        HintReload => "reload",
        HintAll => "all",
        HintActions => "actions",
        HintPin => "pin",
        HintHelp => "help",
        HintClosesHelp => "closes the help",
        HintCloses => "closes",
        HintQuit => "quit",
        HintEdit => "edit",
        HintAdd => "add",
        HintKeep => "keep",
        HintApply => "apply",
        HintChoose => "choose",
        HintCancel => "cancel",
        HintRemove => "remove",
        HintKeeps => "keeps",
        HintCancels => "cancels",
        HintSends => "sends",
        HintOutput => "output",
        HintSideways => "sideways",
        HintWrap => "wrap",
        HintSearch => "search",
        HintMatch => "match",
        HintSave => "save",
        HintOk => "ok",
        HintOverwrite => "overwrite",
        HintParameter => "parameter",
        HintConfirm => "confirm…",

        HelpMove => "move the selection; scroll; choose (menu, review)",
        HelpJump => "first / last / a page up / down",
        HelpEnter => "open the ticket; a step's/batch's hosts; output",
        HelpEsc => "back one level; in the list, clear the filter",
        HelpTabs => "next / previous tab; 1…5 a tab by its number",
        HelpFilter => "filter: words, status=, job=, profile=, tags env=prod",
        HelpSort => "sort: urgency, started, name, status",
        HelpRefresh => "poll the shown ticket now (browse: reload) / all",
        HelpOperate => "operate: what its status allows; run again",
        HelpCopy => "copy the ID / a summary; open in the console",
        HelpEdit => "add IDs (profile=NAME) / remove shown (asks); saved",
        HelpSeen => "new failures seen / mark, = on another compares",
        HelpBrowse => "browse all (b: back) / pin one; next / save view",
        HelpAndQuit => "help; any key closes a box / quit, suspend, redraw",
        HelpType => "type on a line: /, a, terminate's word, a value",
        HelpEnds => "keep / leave a line, the menu or a confirmation",
        HelpAnswer => "sends (d: removes); any other key cancels",
        HelpPager => "output: sideways, wrap, search, next / previous, save",
        KeyText => "text",
        KeyAny => "any key",

        NothingWatched => {
            "no tickets watched: add [[watch]] or [[query]] entries to the config (see \
             `coctop config path`), or press b to browse"
        }
        NoMatch(filter) => {
            return format!("no ticket matches \"{filter}\" (Esc clears the filter)").into();
        }
        CannotList(error) => return format!("cannot list tickets: {error} (r tries again)").into(),
        NoBrowseMatch => "no ticket matches (/ changes the filter)",
        NoMatchInWhatWasRead(why) => {
            return format!("no ticket matches in what was read ({why}; r reads again)").into();
        }
        ColumnStatus => "STATUS",
        ColumnProfile => "PROFILE",
        ColumnName => "NAME",
        ColumnId => "EXECUTION ID",
        ColumnTicketId => "TICKET ID",
        ColumnType => "TYPE",
        ColumnCreator => "CREATOR",
        ColumnStarted => "STARTED",
        ColumnTook => "TOOK",
        ColumnUpdated => "UPDATED",
        ColumnTags => "TAGS",

        FieldStatus => "Status",
        FieldError => "Error",
        FieldJob => "Job",
        FieldStarted => "Started",
        FieldEnded => "Ended",
        FieldUpdated => "Updated",
        FieldAbout => "About",
        FieldPolled => "Polled",
        FieldVersionId => "Version ID",
        FieldTargetBy => "Target by",
        FieldMessage => "Message",
        FieldRequest => "Request",
        FieldSteps => "Steps",
        FieldScript => "Script",
        FieldTicket => "Ticket",
        FieldBatch => "Batch",
        FieldHosts => "Hosts",
        FieldRuns => "Runs",
        FieldCreated => "Created",
        ScriptVersion { version, script_id } => {
            return format!("  version {version}  script ID {script_id}").into();
        }
        BatchOf(n) => return format!(" of {n}").into(),
        InAll(n) => return format!(" ({n} in all)").into(),
        TimeoutSeconds(s) => return format!("timeout {s}s").into(),
        SuccessRate(rate) => return format!("success rate {rate}%").into(),
        AsUser(user) => return format!("as {user}").into(),
        TypeIs(kind) => return format!("  type {kind}").into(),
        By(creator) => return format!("  by {creator}").into(),
        JobVersion { version, job_id } => {
            return format!("  version {version}  job ID {job_id}").into();
        }
        VersionId { version_id, id } => return format!("{version_id}  id {id}").into(),
        EndedTook { ended, took } => return format!("{ended}, took {took}").into(),
        RunningFor(took) => return format!("- (running for {took})").into(),
        Never => "never",
        NoParameters => "no parameters",
        NoTags => "no tags",
        NoSystemTags => "no system tags",
        NoTargets => "no targets",
        SectionTags => "Tags",
        SectionSystemTags => "System tags",
        StepsNotLoaded => "steps not loaded: r loads them",
        LoadingSteps => "loading steps…",
        RRetries => "r retries",
        NoSteps => "no steps",
        BatchesNotLoaded => "batches not loaded: r loads them",
        LoadingBatches => "loading batches…",
        NoBatches => "no batches",
        NoStatusChange => "no status change seen yet",
        FirstSeen => "first seen",
        WaitingForAnswer => "waiting for the answer",
        Accepted => "accepted",
        Refused(error) => return format!("refused: {error}").into(),
        OutcomeUnknown(error) => {
            return format!(
                "outcome unknown: {error}; it may have happened: look at the ticket before \
                 sending it again"
            )
            .into();
        }
        NotSentDeclined => "not sent: declined",
        NotSentReadOnly => "not sent: read-only",
        NotSentBecause(why) => return format!("not sent: {why}").into(),
        OutcomeUnknownTitle(op) => return format!("{op}: outcome unknown").into(),
        OperationSent { op, sent, outcome } => {
            return format!("{op} sent at {sent}, {outcome}").into();
        }
        ColumnAction => "ACTION",
        ColumnMessage => "MESSAGE",

        HostsOf(step) => return format!("Hosts of {step}").into(),
        HostsOfBatch(index) => return format!("Hosts of batch {index}").into(),
        LoadedOf { loaded, total } => return format!("  {loaded} of {total} loaded").into(),
        EscBack => "  Esc back",
        NoHosts => "no hosts: this step runs once, not per host",
        NoHostsInBatch => "no hosts in this batch",
        ColumnBatch => "BATCH",
        ColumnHost => "HOST",
        ColumnIp => "IP",
        ColumnHosts => "HOSTS",
        ColumnThen => "THEN",
        ColumnHostsAre => "HOSTS ARE",
        ColumnOutput => "OUTPUT",
        Rotation(strategy) => return strategy.to_string().into(),
        HostCount { count, status } => {
            let status = status.map_or("unknown", JobStatus::as_str);
            return format!("{count} {status}").into();
        }

        ActionsTitle => " actions ",
        OperateOn(id) => return format!("Operate on {id}:").into(),
        ConfirmTitle(op) => return format!(" confirm {op} ").into(),
        RunAgainOf(from) => return format!("run again of {from}").into(),
        ConfirmRunAgainTitle(from) => return format!(" confirm run again of {from} ").into(),
        ReviewKeys => "↑/↓ parameter  type to edit, ⌫ erases  Enter confirm…  Esc cancel",
        StartIt => "Start it? ",
        StartsOtherCancels => " starts, any other key cancels",
        NoJobToRunAgain(id) => return format!("{id} names no job to run again.").into(),
        StartingAgain(name) => {
            return format!("starting {} again…", name.unwrap_or("the job")).into();
        }
        RunAgainRefused(from) => return format!("run again of {from} refused").into(),
        FindItWith(job) => {
            return format!("To find it: coctop list --job-id {job} --since 2m").into();
        }
        StartedBadId { id, why } => {
            return format!(
                "Started, but the new ticket's ID {id} is not one ({why}): not watched."
            )
            .into();
        }
        StartedAgain { id, from } => {
            return format!("started {id} (run again of {from}); saving…").into();
        }
        CompareTitle => "compare",
        CompareNeedsList => "= compares tickets of the list: p pins this one first.",
        MarkedForCompare(id) => {
            return format!("{id} marked: = on another ticket compares the two").into();
        }
        NoLongerMarked(id) => return format!("{id} no longer marked").into(),
        CompareOneKind => "Only two tickets of one kind can be compared.",
        CompareNoData => "No data yet: nothing to compare.",
        NothingDiffers => {
            "Nothing differs: job, version, status, parameters, tags, targets and steps alike."
        }
        MoreLines(n) => return format!("… and {n} more lines").into(),
        StepsUnreadable { side, why } => {
            return format!("The steps of {side} could not be read: {why}").into();
        }
        CompareWhole { a, b } => {
            return format!("All of it, failed hosts too: coctop diff {a} {b}").into();
        }
        TypeToConfirm { word, kind, op } => {
            let noun = match kind {
                TicketKind::Execution => "the execution ID",
                TicketKind::Script => "the ticket's ID",
            };
            return format!("Type {word} or {noun}, then Enter, to send {op}:").into();
        }
        SendQuestion(op) => return format!("Send {op}? ").into(),
        Describe {
            op,
            kind,
            id,
            job,
            status,
        } => {
            let what = match kind {
                TicketKind::Execution => "job",
                TicketKind::Script => "script",
            };
            return format!("{op} {id}  {what} {job}  status {status}").into();
        }
        ProfilesTitle { count, names } => return format!("{count} profiles: {names}").into(),
        ProfileCount { name, count } => return format!("{name} {count}").into(),
        ProfileStoppedCount { name, count } => return format!("{name} {count} stopped").into(),
        NoSuchProfile { name, near, known } => {
            let hint = near
                .map(|n| format!(" (did you mean {n:?}?)"))
                .unwrap_or_default();
            return format!("no profile named {name:?}{hint}; there are: {known}").into();
        }
        ProfileStopped { profile, why } => {
            return format!("profile {profile} stopped polling: {why}").into();
        }
        Destination {
            profile,
            endpoint,
            account: Some(account),
        } => return format!("profile {profile} ({endpoint}, account {account})").into(),
        Destination {
            profile,
            endpoint,
            account: None,
        } => return format!("profile {profile} ({endpoint})").into(),
        ReadOnlyTitle => "read-only",
        OperationsOff(why) => return format!("Operations are off: {why}.").into(),
        RunQuestion(name) => return format!("Run {name}? ").into(),
        CommandExited { name, code } => return format!("{name}: exit {code}").into(),
        CommandKilled { name, seconds } => {
            return format!("{name}: still running after {seconds}s, killed").into();
        }
        CommandCannotStart { name, why } => return format!("{name} cannot start: {why}").into(),
        NoOutput => "(no output)",
        OutputOfStep(step) => return format!(" · step {step}").into(),
        OutputOfBatch(index) => return format!(" · batch {index}").into(),
        OutputLines(n) => return format!("{n} lines").into(),
        OutputEmpty => "no output",
        LineOf { line, total } => return format!("line {line} of {total}").into(),
        Wrapped => "wrapped",
        AtColumn(n) => return format!("column {n}").into(),
        SaveAs => "save to ",
        OverwriteQuestion(path) => {
            return format!("{path} exists: overwrite it? y replaces, any other key keeps it")
                .into();
        }
        OutputNotSaved { path, why } => return format!("not saved ({path}): {why}").into(),
        NoFileName => "no file name: not saved",
        NotFound(query) => return format!("\"{query}\" not found").into(),
        MatchOf {
            query,
            at,
            total,
            capped,
        } => {
            let capped = if capped { " (the first ones)" } else { "" };
            return format!("\"{query}\" match {at} of {total}{capped}").into();
        }
        EarlierLines(n) => return format!("… {n} earlier lines").into(),
        NoValueHere(placeholder) => {
            return format!("Not run: no {{{placeholder}}} at the cursor.").into();
        }
        NothingAtCursor => "Not run: nothing at the cursor for it.",
        NothingToDoTitle => "nothing to do",
        NoOperationFits { id, status } => {
            return format!("No operation fits {id} ({status}).").into();
        }
        NoDataYet => "no data yet",
        StatusIs(status) => return format!("status {status}").into(),
        RefusedTitle(op) => return format!("{op} refused").into(),
        RefusalTicket(id) => return format!("ticket      {id}").into(),
        RefusalHttp { status, code } => {
            return format!("HTTP {status}    error_code {code}").into();
        }
        RefusalMessage(message) => return format!("message     {message}").into(),
        RefusalRequest(id) => return format!("request ID  {id}").into(),
        NotCopiedTitle => "not copied",
        ConsoleTitle => "console",
        NoBrowser(why) => return format!("Could not open a browser ({why}).").into(),
        TicketInConsole => "The ticket in the console:",
        SetConsoleUrl => "Set console_url in [ui] of the config to open tickets with o, e.g.",

        AlreadyWatched => "already watched",
        AddingMore(n) => {
            let noun = if n == 1 { "ticket" } else { "tickets" };
            return format!("adding {n} more {noun}; saving…").into();
        }
        NotAddedTitle => "not added",
        NothingAdded(why) => {
            return format!(
                "Nothing was added to the watch list: the config cannot take it: {why}"
            )
            .into();
        }
        Removed(id) => return format!("removed {id}; saving…").into(),
        Pinned(id) => return format!("pinned {id}; saving…").into(),
        NoViews => "no [[view]] in the config: / filters, V saves the filter as a view",
        NothingToSave => "no filter to save: / types one",
        SavingView(name) => return format!("view \"{name}\"; saving…").into(),
        ViewActive(name) => return format!("view: {name}").into(),
        NotAnId { piece, why } => return format!("not an execution ID: {piece:?}: {why}").into(),
        TypeIds => "type or paste execution IDs (# label optional)",
        SavedTo(path) => return format!("saved to {path}").into(),
        NotSaved(why) => return format!("not saved: {why}").into(),
        NoConfigFile => "not saved: the demo has no config file",
        NotAWatchEntry { id, path } => {
            return format!(
                "{id} is not a [[watch]] entry of {path}: it came from a query (or a pin), \
                 the file is unchanged"
            )
            .into();
        }
    };
    Cow::Borrowed(text)
}
