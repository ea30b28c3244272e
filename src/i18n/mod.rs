//! Every word the dashboard shows, in English and in Chinese.
//!
//! A message is a variant of `Msg` (with the values it quotes); each language is one
//! exhaustive `match` over `Msg` (`en.rs`, `zh.rs`), so a message without a translation
//! does not compile. To add one: a variant here, in the section of its screen, and an
//! arm in each language's file. Script-facing output (`get`, `list`, JSON, exit
//! messages) never comes from here: it stays stable English.

mod en;
mod zh;

use std::borrow::Cow;
use std::time::SystemTime;

use crate::coc::{
    ApiLanguage, JobOperation, JobStatus, Operation, ScriptOperation, ScriptStatus, Status,
    TicketKind,
};
use crate::format::{self, Age};

/// The language of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en` or `zh`, as `[ui] language` writes it.
    pub const NAMES: [&'static str; 2] = ["en", "zh"];

    pub fn parse(name: &str) -> Option<Lang> {
        match name {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The language of the locale, as other command-line tools read it: the first of
    /// `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and not empty decides; `zh_CN`,
    /// `zh_TW`, `zh_HK` (any `zh…`) are Chinese, anything else English.
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| var(name).filter(|value| !value.is_empty()));
        match locale {
            Some(locale) if locale.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// `[ui] language` when set, else the process's locale.
    pub fn chosen(configured: Option<Lang>) -> Lang {
        configured.unwrap_or_else(|| Lang::from_locale(|name| std::env::var(name).ok()))
    }

    /// What the API is asked to answer in (`X-Language`); English is its default.
    pub fn api(self) -> Option<ApiLanguage> {
        match self {
            Lang::En => None,
            Lang::Zh => Some(ApiLanguage::ZhCn),
        }
    }

    pub fn t<'a>(self, msg: Msg<'a>) -> Cow<'a, str> {
        match self {
            Lang::En => en::text(msg),
            Lang::Zh => zh::text(msg),
        }
    }

    /// How long ago `then` was: `12m ago`, `12分钟前`.
    pub fn age(self, now: SystemTime, then: SystemTime) -> String {
        self.t(Msg::Age(Age::of(now, then))).into_owned()
    }

    /// `age` of an API timestamp in epoch milliseconds; `-` outside the calendar.
    pub fn age_of_millis(self, now: SystemTime, ms: i64) -> String {
        match format::from_millis(ms) {
            Some(then) => self.age(now, then),
            None => "-".to_string(),
        }
    }
}

/// One message of the dashboard, with what it quotes. Quoted server text is sanitised
/// by whoever quotes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg<'a> {
    /// Text the user wrote (a custom command's name): the same in every language.
    Verbatim(Cow<'a, str>),

    // Statuses and times.
    /// A status as the COC console writes it; an unknown one is shown as sent.
    Status(&'a Status),
    ScriptStatus(&'a ScriptStatus),
    Loading,
    NoData,
    UnknownStatus,
    Age(Age),
    Operation(Operation),
    /// The `x` menu's choice that starts a finished job anew.
    RunAgain,
    /// A script ticket's operation, with the batch or host it is about.
    ScriptOperation(ScriptOperation),

    // Sorts and tabs.
    SortUrgency,
    SortStarted,
    SortName,
    SortStatus,
    TabParameters,
    TabTags,
    TabTargets,
    TabSteps,
    TabBatches,
    TabHistory,

    // Header.
    Tickets(usize),
    Shown(usize),
    KindCounts {
        executions: usize,
        scripts: usize,
    },
    AuthFailed {
        age: &'a str,
        error: &'a str,
    },
    PollingStopped,
    ConfigNotReloaded(&'a str),
    /// Profiles a reloaded file names that the dashboard has no engine for.
    ProfileNotRunning(&'a str),
    NewFailures(usize),
    Polled(&'a str),
    NoPollYet,
    Failing(usize),
    Throttled {
        left: &'a str,
        code: &'a str,
    },

    // Footer.
    AddPrompt,
    AddHint,
    BrowsePrompt,
    BrowseFilterHint,
    FilterSet(&'a str),
    NoticesWaiting(usize),
    RemoveQuestion(&'a str),
    BrowseSummary {
        filter: &'a str,
        loaded: usize,
        total: Option<usize>,
        /// Why it stopped reading pages, if it did.
        stopped: Option<&'a str>,
    },
    AllTickets,

    // Help.
    HelpTitle,
    LegendMouse,
    LegendMouseText,
    LegendMarkers,

    // The key table: footer hints.
    HintMove,
    HintOpen,
    HintHosts,
    HintBack,
    HintClear,
    HintTabs,
    HintFilter,
    HintSort,
    HintRefresh,
    HintReload,
    HintAll,
    HintActions,
    HintPin,
    HintHelp,
    HintClosesHelp,
    HintCloses,
    HintQuit,
    HintEdit,
    HintAdd,
    HintKeep,
    HintApply,
    HintChoose,
    HintCancel,
    HintRemove,
    HintKeeps,
    HintCancels,
    HintSends,
    HintOutput,
    HintSideways,
    HintWrap,
    HintSearch,
    HintMatch,
    HintSave,
    HintOk,
    HintOverwrite,
    HintParameter,
    HintConfirm,

    // The key table: help lines.
    HelpMove,
    HelpJump,
    HelpEnter,
    HelpEsc,
    HelpTabs,
    HelpFilter,
    HelpSort,
    HelpRefresh,
    HelpOperate,
    HelpCopy,
    HelpEdit,
    HelpSeen,
    HelpBrowse,
    /// The help's and quitting's keys: one line, so the help fits 80×24.
    HelpAndQuit,
    HelpType,
    HelpEnds,
    HelpAnswer,
    HelpPager,
    KeyText,
    KeyAny,

    // List.
    NothingWatched,
    NoMatch(&'a str),
    CannotList(&'a str),
    NoBrowseMatch,
    NoMatchInWhatWasRead(&'a str),
    ColumnStatus,
    ColumnProfile,
    ColumnName,
    ColumnId,
    ColumnTicketId,
    ColumnType,
    ColumnCreator,
    ColumnStarted,
    ColumnTook,
    ColumnUpdated,
    ColumnTags,

    // Detail.
    FieldStatus,
    FieldError,
    FieldJob,
    FieldStarted,
    FieldEnded,
    FieldUpdated,
    FieldAbout,
    FieldPolled,
    FieldVersionId,
    FieldTargetBy,
    FieldMessage,
    FieldRequest,
    FieldSteps,
    FieldScript,
    FieldTicket,
    FieldBatch,
    /// A script ticket's hosts per status.
    FieldHosts,
    FieldRuns,
    FieldCreated,
    ScriptVersion {
        version: &'a str,
        script_id: &'a str,
    },
    BatchOf(usize),
    InAll(String),
    TimeoutSeconds(String),
    SuccessRate(String),
    AsUser(&'a str),
    TypeIs(&'a str),
    By(&'a str),
    JobVersion {
        version: &'a str,
        job_id: &'a str,
    },
    VersionId {
        version_id: &'a str,
        id: &'a str,
    },
    EndedTook {
        ended: &'a str,
        took: &'a str,
    },
    RunningFor(&'a str),
    Never,
    NoParameters,
    NoTags,
    NoSystemTags,
    NoTargets,
    SectionTags,
    SectionSystemTags,
    StepsNotLoaded,
    LoadingSteps,
    RRetries,
    NoSteps,
    BatchesNotLoaded,
    LoadingBatches,
    NoBatches,
    NoStatusChange,
    FirstSeen,
    WaitingForAnswer,
    Accepted,
    Refused(&'a str),
    OutcomeUnknown(&'a str),
    NotSentDeclined,
    NotSentReadOnly,
    /// Held back before it left; why, in English (as an error's text).
    NotSentBecause(&'a str),
    OutcomeUnknownTitle(&'a str),
    OperationSent {
        op: &'a str,
        sent: &'a str,
        outcome: &'a str,
    },
    ColumnAction,
    ColumnMessage,

    // Hosts.
    HostsOf(&'a str),
    HostsOfBatch(u32),
    LoadedOf {
        loaded: usize,
        total: usize,
    },
    EscBack,
    NoHosts,
    NoHostsInBatch,
    ColumnBatch,
    ColumnHost,
    ColumnIp,
    ColumnHosts,
    ColumnThen,
    ColumnHostsAre,
    ColumnOutput,
    /// A batch's `rotation_strategy` (CONTINUE, PAUSE), an unknown one as sent.
    Rotation(&'a str),
    HostCount {
        count: usize,
        status: Option<&'a JobStatus>,
    },

    // Prompts and notices.
    ActionsTitle,
    OperateOn(&'a str),
    ConfirmTitle(&'a str),
    // Run again (`x` on a finished execution) and compare (`=`).
    RunAgainOf(&'a str),
    ConfirmRunAgainTitle(&'a str),
    ReviewKeys,
    StartIt,
    StartsOtherCancels,
    NoJobToRunAgain(&'a str),
    StartingAgain(Option<&'a str>),
    RunAgainRefused(&'a str),
    FindItWith(&'a str),
    StartedBadId {
        id: &'a str,
        why: &'a str,
    },
    StartedAgain {
        id: &'a str,
        from: &'a str,
    },
    CompareTitle,
    CompareNeedsList,
    MarkedForCompare(&'a str),
    NoLongerMarked(&'a str),
    CompareOneKind,
    CompareNoData,
    NothingDiffers,
    MoreLines(usize),
    StepsUnreadable {
        side: &'a str,
        why: &'a str,
    },
    CompareWhole {
        a: &'a str,
        b: &'a str,
    },
    TypeToConfirm {
        word: &'a str,
        kind: TicketKind,
        op: &'a str,
    },
    SendQuestion(&'a str),
    Describe {
        op: &'a str,
        kind: TicketKind,
        id: &'a str,
        job: &'a str,
        status: &'a str,
    },
    /// Where an operation goes, after `Describe`, when there are several profiles.
    /// The header's title over several profiles: `2 profiles: prod, staging`.
    ProfilesTitle {
        count: usize,
        names: &'a str,
    },
    /// The header's count of one profile's tickets, when there are several.
    ProfileCount {
        name: &'a str,
        count: usize,
    },
    /// A profile's count in the header once it polls no more.
    ProfileStoppedCount {
        name: &'a str,
        count: usize,
    },
    /// The browse filter's `profile=` (or the `a` line's) names none of the config's.
    NoSuchProfile {
        name: &'a str,
        near: Option<&'a str>,
        known: &'a str,
    },
    /// A ticket's profile polls no more (its key was refused).
    ProfileStopped {
        profile: &'a str,
        why: &'a str,
    },
    Destination {
        profile: &'a str,
        endpoint: &'a str,
        account: Option<&'a str>,
    },
    ReadOnlyTitle,
    OperationsOff(&'a str),
    /// A custom command's question: `Run {name}?`.
    RunQuestion(&'a str),
    /// What ran, as its title: its name and how it ended.
    CommandExited {
        name: &'a str,
        code: &'a str,
    },
    CommandKilled {
        name: &'a str,
        seconds: u64,
    },
    CommandCannotStart {
        name: &'a str,
        why: &'a str,
    },
    NoOutput,

    // The output pager.
    /// Whose output it is, after the host: " · step deploy".
    OutputOfStep(&'a str),
    OutputOfBatch(u32),
    OutputLines(usize),
    OutputEmpty,
    LineOf {
        line: usize,
        total: usize,
    },
    Wrapped,
    AtColumn(usize),
    SaveAs,
    OverwriteQuestion(&'a str),
    OutputNotSaved {
        path: &'a str,
        why: &'a str,
    },
    NoFileName,
    NotFound(&'a str),
    MatchOf {
        query: &'a str,
        at: usize,
        total: usize,
        /// Only the first `MAX_MATCHES` were kept.
        capped: bool,
    },

    /// Earlier lines of the output not shown.
    EarlierLines(usize),
    /// A placeholder of the command without a value at the cursor.
    NoValueHere(&'a str),
    /// A custom command's key where it has nothing to work on.
    NothingAtCursor,
    NothingToDoTitle,
    NoOperationFits {
        id: &'a str,
        status: &'a str,
    },
    NoDataYet,
    StatusIs(&'a str),
    RefusedTitle(&'a str),
    RefusalTicket(&'a str),
    RefusalHttp {
        status: u16,
        code: &'a str,
    },
    RefusalMessage(&'a str),
    RefusalRequest(&'a str),
    NotCopiedTitle,
    ConsoleTitle,
    NoBrowser(&'a str),
    TicketInConsole,
    SetConsoleUrl,

    // The watch list edit.
    AlreadyWatched,
    AddingMore(usize),
    NotAddedTitle,
    NothingAdded(&'a str),
    Removed(&'a str),
    Pinned(&'a str),
    NoViews,
    NothingToSave,
    SavingView(&'a str),
    ViewActive(&'a str),
    NotAnId {
        piece: &'a str,
        why: &'a str,
    },
    TypeIds,
    SavedTo(&'a str),
    NotSaved(&'a str),
    NoConfigFile,
    NotAWatchEntry {
        id: &'a str,
        path: &'a str,
    },
}

impl<'a> From<&'a Status> for Msg<'a> {
    fn from(status: &'a Status) -> Msg<'a> {
        Msg::Status(status)
    }
}

impl From<JobOperation> for Msg<'_> {
    fn from(operation: JobOperation) -> Self {
        match operation {
            JobOperation::Execution(op) => Msg::Operation(op),
            JobOperation::Script(op) => Msg::ScriptOperation(op),
        }
    }
}

impl<'a> From<&'a JobStatus> for Msg<'a> {
    fn from(status: &'a JobStatus) -> Msg<'a> {
        match status {
            JobStatus::Execution(status) => Msg::Status(status),
            JobStatus::Script(status) => Msg::ScriptStatus(status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_picks_chinese_for_zh_only_and_lc_all_first() {
        let with = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Lang::from_locale(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        };
        for zh in ["zh_CN.UTF-8", "zh_TW.UTF-8", "zh_HK", "zh"] {
            assert_eq!(with(&[("LANG", zh)]), Lang::Zh, "{zh}");
        }
        assert_eq!(with(&[("LANG", "en_US.UTF-8")]), Lang::En);
        assert_eq!(with(&[("LANG", "C")]), Lang::En);
        assert_eq!(with(&[]), Lang::En);
        assert_eq!(
            with(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")]),
            Lang::En,
            "LC_ALL wins"
        );
        assert_eq!(
            with(&[("LC_ALL", ""), ("LC_MESSAGES", "zh_CN"), ("LANG", "en_US")]),
            Lang::Zh,
            "an empty variable does not count"
        );
        assert_eq!(Lang::Zh.api(), Some(ApiLanguage::ZhCn), "X-Language: zh-cn");
        assert_eq!(Lang::En.api(), None, "the service's default");
    }

    #[test]
    fn statuses_read_as_the_console_writes_them() {
        let zh = |s: &Status| Lang::Zh.t(Msg::Status(s)).into_owned();
        assert_eq!(zh(&Status::Succeed), "成功");
        assert_eq!(zh(&Status::Failed), "失败");
        assert_eq!(zh(&Status::Running), "运行中");
        assert_eq!(zh(&Status::Timeout), "超时");
        assert_eq!(zh(&Status::Canceled), "已取消");
        assert_eq!(
            zh(&Status::Unknown("Paused".into())),
            "\"Paused\"",
            "as sent, quoted"
        );
        assert_eq!(Lang::En.t(Msg::Status(&Status::Failed)), "Failed");
    }

    #[test]
    fn ages_in_both_languages() {
        use std::time::Duration;
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ago = |secs| now - Duration::from_secs(secs);
        assert_eq!(Lang::En.age(now, ago(12 * 60)), "12m ago");
        assert_eq!(Lang::Zh.age(now, ago(12 * 60)), "12分钟前");
        assert_eq!(Lang::Zh.age(now, ago(3 * 3600 + 12 * 60)), "3时12分前");
        assert_eq!(Lang::Zh.age(now, ago(4 * 86_400)), "4天前");
        assert_eq!(Lang::Zh.age(now, now + Duration::from_secs(5)), "5秒后");
    }

    #[test]
    fn the_profiles_words_in_chinese_quote_only_their_values() {
        let (profile, why) = ("1", "2");
        let zh = [
            Msg::ColumnProfile,
            Msg::NoSuchProfile {
                name: "1",
                near: Some("2"),
                known: "3",
            },
            Msg::ProfilesTitle {
                count: 2,
                names: "3",
            },
            Msg::ProfileCount {
                name: "1",
                count: 2,
            },
            Msg::ProfileStopped { profile, why },
            Msg::Destination {
                profile,
                endpoint: "3",
                account: Some("4"),
            },
            Msg::Destination {
                profile,
                endpoint: "3",
                account: None,
            },
            Msg::ProfileStoppedCount {
                name: "1",
                count: 2,
            },
            Msg::ProfileNotRunning("\"1\""),
        ]
        .map(|msg| Lang::Zh.t(msg).into_owned());
        for text in &zh {
            assert!(!text.chars().any(|c| c.is_ascii_alphabetic()), "{text}");
        }
        assert_eq!(zh[5], "配置 1（3，账号 4）");
        assert_eq!(zh[3], "1 2 个");
        let en = Lang::En.t(Msg::Destination {
            profile: "prod",
            endpoint: "cn-north-4",
            account: Some("acct"),
        });
        assert_eq!(en, "profile prod (cn-north-4, account acct)");
    }

    /// The script-ticket screens' words, in Chinese: no English word left but the
    /// terms kept as they are (ID, Enter, Esc) and what a message quotes.
    #[test]
    fn script_ticket_words_are_chinese() {
        let mut msgs: Vec<Msg> = ScriptStatus::KNOWN.iter().map(Msg::ScriptStatus).collect();
        msgs.extend(
            [
                ScriptOperation::PauseOrder,
                ScriptOperation::ContinueOrder,
                ScriptOperation::CancelOrder,
                ScriptOperation::SkipBatch { batch_index: 2 },
                ScriptOperation::CancelInstance { instance_id: 7 },
            ]
            .map(Msg::ScriptOperation),
        );
        msgs.extend([
            Msg::TabBatches,
            Msg::ColumnTicketId,
            Msg::KindCounts {
                executions: 2,
                scripts: 1,
            },
            Msg::FieldScript,
            Msg::FieldTicket,
            Msg::FieldBatch,
            Msg::FieldRuns,
            Msg::FieldCreated,
            Msg::ScriptVersion {
                version: "v2",
                script_id: "S1",
            },
            Msg::BatchOf(3),
            Msg::FieldHosts,
            Msg::InAll("4".into()),
            Msg::TimeoutSeconds("60".into()),
            Msg::SuccessRate("100".into()),
            Msg::AsUser("root"),
            Msg::BatchesNotLoaded,
            Msg::LoadingBatches,
            Msg::NoBatches,
            Msg::HostsOfBatch(2),
            Msg::NoHostsInBatch,
            Msg::ColumnHosts,
            Msg::ColumnThen,
            Msg::ColumnHostsAre,
            Msg::TypeToConfirm {
                word: "cancel",
                kind: TicketKind::Script,
                op: "取消",
            },
            Msg::Describe {
                op: "取消",
                kind: TicketKind::Script,
                id: "script/S1",
                job: "rotate",
                status: "已暂停",
            },
            Msg::RunAgainOf("EX1"),
            Msg::ConfirmRunAgainTitle("EX1"),
            Msg::ReviewKeys,
            Msg::StartIt,
            Msg::StartsOtherCancels,
            Msg::NoJobToRunAgain("EX1"),
            Msg::StartingAgain(None),
            Msg::RunAgainRefused("EX1"),
            Msg::FindItWith("JOB1"),
            Msg::StartedBadId { id: "x", why: "?" },
            Msg::StartedAgain {
                id: "EX2",
                from: "EX1",
            },
            Msg::CompareTitle,
            Msg::CompareNeedsList,
            Msg::MarkedForCompare("EX1"),
            Msg::NoLongerMarked("EX1"),
            Msg::CompareOneKind,
            Msg::CompareNoData,
            Msg::NothingDiffers,
            Msg::MoreLines(3),
            Msg::StepsUnreadable {
                side: "a",
                why: "?",
            },
            Msg::CompareWhole { a: "EX1", b: "EX2" },
            Msg::ColumnOutput,
            Msg::Rotation(crate::coc::script::ROTATION_CONTINUE),
            Msg::Rotation(crate::coc::script::ROTATION_PAUSE),
            Msg::OutputOfStep("1"),
            Msg::OutputOfBatch(2),
            Msg::OutputLines(5),
            Msg::OutputEmpty,
            Msg::LineOf { line: 1, total: 5 },
            Msg::Wrapped,
            Msg::AtColumn(3),
            Msg::SaveAs,
            Msg::OverwriteQuestion("1"),
            Msg::OutputNotSaved {
                path: "1",
                why: "?",
            },
            Msg::NoFileName,
            Msg::NotFound("1"),
            Msg::MatchOf {
                query: "1",
                at: 1,
                total: 2,
                capped: true,
            },
        ]);
        let kept = [
            "ID", "Enter", "Esc", "r", "v", "S", "script", "web", "root", "cancel", "rotate", "EX",
            "JOB", "coctop", "list", "job", "id", "since", "m", "diff", "p", "a", "x", "y",
        ];
        for msg in msgs {
            let (en, zh) = (Lang::En.t(msg.clone()), Lang::Zh.t(msg.clone()));
            assert_ne!(en, zh, "{msg:?}");
            let english = zh
                .split(|c: char| !c.is_ascii_alphabetic())
                .find(|w| !w.is_empty() && !kept.contains(w));
            assert_eq!(english, None, "{msg:?}: {zh}");
        }
    }
}
