//! A query over the list APIs (executions and script tickets): the filters that
//! `coctop list`, `[[query]]` and the dashboard's browse view share, under the same
//! names. No I/O here.

use std::time::{Duration, SystemTime};

use crate::coc::{JobStatus, JobTicket, ListQuery, ScriptOrderQuery, ScriptStatus, TicketKind};
use crate::format::{self, Zone, parse_duration};
use crate::text::nearest;

/// The filter names, as `[[query]]` keys and `key=value` words of the browse filter.
pub const FILTER_KEYS: &[&str] = &[
    "kind", "creator", "job", "job_id", "tags", "since", "until", "status", "limit",
];

/// Which kinds of ticket a query reads (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindFilter {
    /// Executions only: `coctop list` and `[[query]]` unless told otherwise.
    #[default]
    Execution,
    Script,
    /// Both lists.
    All,
}

impl KindFilter {
    pub const NAMES: [&str; 3] = ["execution", "script", "all"];

    pub fn parse(text: &str) -> Result<KindFilter, String> {
        match text.trim() {
            "execution" => Ok(KindFilter::Execution),
            "script" => Ok(KindFilter::Script),
            "all" => Ok(KindFilter::All),
            other => Err(format!(
                "unknown kind {other:?}: expected {}",
                KindFilter::NAMES.join(", ")
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KindFilter::Execution => "execution",
            KindFilter::Script => "script",
            KindFilter::All => "all",
        }
    }

    /// The lists to read, executions first.
    pub fn kinds(self) -> &'static [TicketKind] {
        match self {
            KindFilter::Execution => &[TicketKind::Execution],
            KindFilter::Script => &[TicketKind::Script],
            KindFilter::All => &[TicketKind::Execution, TicketKind::Script],
        }
    }

    pub fn includes(self, kind: TicketKind) -> bool {
        self.kinds().contains(&kind)
    }
}

/// How many tickets `coctop list` prints when `--limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;

/// What the user asked for. Every filter but `status` is the executions API's own;
/// `status` is applied here, on the raw status the server sent (the API has no status
/// filter). The script tickets' API filters by creator, time and one status; the rest
/// is applied here: script tickets have no job, job ID or tags, so those filters keep
/// none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TicketQuery {
    /// Which lists are read.
    pub kind: KindFilter,
    /// Part of the creator's name (`creator`, fuzzy).
    pub creator: Option<String>,
    /// Part of the job's name (`document_name`, fuzzy).
    pub job: Option<String>,
    /// The job's ID (`document_id`).
    pub job_id: Option<String>,
    /// Tags every ticket must carry (`tags=k1=v1,k2=v2`).
    pub tags: Vec<(String, String)>,
    /// Started at or after this (`start_time`).
    pub since: Option<TimeBound>,
    /// Ended before this (`end_time`).
    pub until: Option<TimeBound>,
    /// Kept when the status is one of these (by name, any letter case, so `CANCELED`
    /// and `Canceled` are one filter); empty keeps every status.
    pub status: Vec<JobStatus>,
    /// At most this many tickets (`coctop list`; the engine follows every match).
    pub limit: Option<usize>,
}

/// `since` and `until`: a duration before now, or a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// This long before now (`"24h"`, `"7d"`).
    Ago(Duration),
    /// This time, in epoch milliseconds (an RFC 3339 time, or a date's midnight).
    At(i64),
}

impl TimeBound {
    /// The bound at `now` as the API takes it: epoch milliseconds, clamped at the epoch.
    pub fn millis(self, now: SystemTime) -> i64 {
        let at = match self {
            TimeBound::Ago(ago) => {
                format::millis_of(now.checked_sub(ago).unwrap_or(SystemTime::UNIX_EPOCH))
            }
            TimeBound::At(ms) => ms,
        };
        at.max(0)
    }
}

impl TicketQuery {
    /// The API's filters at `now`, without paging.
    pub fn list_query(&self, now: SystemTime) -> ListQuery {
        ListQuery {
            creator: self.creator.clone(),
            start_time: self.since.map(|since| since.millis(now)),
            end_time: self.until.map(|until| until.millis(now)),
            document_name: self.job.clone(),
            document_id: self.job_id.clone(),
            tags: self.tags.clone(),
            ..ListQuery::default()
        }
    }

    /// The script tickets' API filters at `now`, without paging: the one status asked
    /// for, if only one script status is.
    pub fn script_query(&self, now: SystemTime) -> ScriptOrderQuery {
        let mut statuses = ScriptStatus::KNOWN
            .into_iter()
            .filter(|known| self.names_status(known.as_str()));
        let status = match (statuses.next(), statuses.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        };
        ScriptOrderQuery {
            creator: self.creator.clone(),
            start_time: self.since.map(|since| since.millis(now)),
            end_time: self.until.map(|until| until.millis(now)),
            status,
            ..ScriptOrderQuery::default()
        }
    }

    /// Whether the filters applied here keep this ticket: its kind, its status (only a
    /// known one, by its raw value), and for a script ticket the filters its API lacks.
    pub fn keeps(&self, ticket: &JobTicket) -> bool {
        if !self.kind.includes(ticket.kind()) {
            return false;
        }
        let status_kept = self.status.is_empty()
            || ticket
                .status()
                .is_some_and(|status| is_known(&status) && self.names_status(status.as_str()));
        status_kept && (ticket.kind() == TicketKind::Execution || self.fits_a_script())
    }

    /// A script ticket has no job, job ID or tags: a query naming one keeps none.
    fn fits_a_script(&self) -> bool {
        self.job.is_none() && self.job_id.is_none() && self.tags.is_empty()
    }

    fn names_status(&self, name: &str) -> bool {
        self.status
            .iter()
            .any(|wanted| wanted.as_str().eq_ignore_ascii_case(name))
    }

    /// Sets one filter from its name and text, as the browse view's filter line and
    /// the command line give them. `tags` adds one `KEY=VALUE` pair; `status` adds one.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let text = || Some(value.to_string()).filter(|v| !v.is_empty());
        match key {
            "creator" => self.creator = text(),
            "job" => self.job = text(),
            "job_id" => self.job_id = text(),
            "tags" | "tag" => self.tags.push(parse_tag(value)?),
            "since" => self.since = Some(parse_time_bound(value)?),
            "until" => self.until = Some(parse_time_bound(value)?),
            "status" => self.status.push(parse_status(value)?),
            "kind" => self.kind = KindFilter::parse(value)?,
            "limit" => self.limit = Some(parse_limit(value)?),
            _ => {
                let hint = nearest(key, FILTER_KEYS)
                    .map(|near| format!(" (did you mean `{near}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown filter `{key}`{hint}; known: {}",
                    FILTER_KEYS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Parses `key=value` words separated by white space (the browse filter line).
    pub fn parse_words(line: &str) -> Result<TicketQuery, String> {
        TicketQuery::parse_words_over(TicketQuery::default(), line)
    }

    /// `parse_words` over `base`: the browse view reads both kinds unless told.
    pub fn parse_words_over(base: TicketQuery, line: &str) -> Result<TicketQuery, String> {
        let mut query = base;
        for word in words(line) {
            match word {
                Word::Pair(key, value) => query.set(key, value)?,
                Word::Free(word) => return Err(format!("{word:?}: expected key=value")),
            }
        }
        Ok(query)
    }
}

/// One word of a filter line: `key=value`, or a word to find in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word<'a> {
    Pair(&'a str, &'a str),
    Free(&'a str),
}

/// The words of a filter line (the browse view's and the list's), separated by white
/// space; `=value` with nothing before it is a free word.
pub fn words(line: &str) -> impl Iterator<Item = Word<'_>> {
    line.split_whitespace()
        .map(|word| match word.split_once('=') {
            Some((key, value)) if !key.is_empty() => Word::Pair(key, value),
            _ => Word::Free(word),
        })
}

/// `KEY=VALUE`; the key must not be empty, the value may be.
pub fn parse_tag(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() && !key.contains(',') => {
            if value.contains(',') {
                return Err(format!("tag {text:?}: a value cannot hold a comma"));
            }
            Ok((key.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("tag {text:?}: expected KEY=VALUE")),
    }
}

/// A duration before now (`"2h"`, `"7d"`), an RFC 3339 time (`"2025-07-01T08:00:00Z"`)
/// or a date (`"2025-07-01"`: its first moment in the local time zone).
pub fn parse_time_bound(text: &str) -> Result<TimeBound, String> {
    parse_time_bound_in(text, Zone::Local)
}

/// [`parse_time_bound`] with dates read in `zone`.
pub fn parse_time_bound_in(text: &str, zone: Zone) -> Result<TimeBound, String> {
    if let Ok(ago) = parse_duration(text) {
        return Ok(TimeBound::Ago(ago));
    }
    format::parse_time(text, zone)
        .map(TimeBound::At)
        .ok_or_else(|| {
            format!(
                "invalid time {text:?}: expected a duration before now like \"2h\" or \"7d\", \
                 an RFC 3339 time like \"2025-07-01T08:00:00Z\" or a date like \"2025-07-01\""
            )
        })
}

/// One of the statuses COC documents, of executions (`Failed`) or of script tickets
/// (`ABNORMAL`), in any letter case.
pub fn parse_status(text: &str) -> Result<JobStatus, String> {
    let text = text.trim();
    JobStatus::parse_known(text)
        .or_else(|| JobStatus::known().find(|known| known.as_str().eq_ignore_ascii_case(text)))
        .ok_or_else(|| {
            let known: Vec<JobStatus> = JobStatus::known().collect();
            let names: Vec<&str> = known.iter().map(JobStatus::as_str).collect();
            match nearest(text, &names) {
                Some(near) => format!("unknown status {text:?} (did you mean {near:?}?)"),
                None => format!("unknown status {text:?} (known: {})", names.join(", ")),
            }
        })
}

/// A status the server sent that coctop knows (an unknown one never matches a filter).
fn is_known(status: &JobStatus) -> bool {
    JobStatus::known().any(|known| known == *status)
}

/// A positive count.
pub fn parse_limit(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "limit {text:?}: expected a whole number of at least 1"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::{Status, Ticket};

    fn at(ms: i64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(ms as u64)
    }

    #[test]
    fn since_and_until_become_the_api_time_bounds() {
        let now = at(10_000_000);
        let mut query = TicketQuery::parse_words("since=1h until=30m creator=zhang").unwrap();
        let list = query.list_query(now);
        assert_eq!(list.start_time, Some(10_000_000 - 3_600_000));
        assert_eq!(list.end_time, Some(10_000_000 - 1_800_000));
        assert_eq!(list.creator.as_deref(), Some("zhang"));
        query.until = Some(parse_time_bound("1970-01-01T00:00:01Z").unwrap());
        assert_eq!(query.list_query(now).end_time, Some(1000));
        query.since = Some(TimeBound::Ago(Duration::from_secs(1_000_000_000)));
        assert_eq!(query.list_query(now).start_time, Some(0), "clamped");
        query.since = Some(parse_time_bound("1960-01-01T00:00:00Z").unwrap());
        assert_eq!(query.list_query(now).start_time, Some(0), "clamped");
    }

    #[test]
    fn since_and_until_each_take_days_weeks_times_and_dates() {
        let utc = |text: &str| parse_time_bound_in(text, Zone::UTC);
        let day = Duration::from_secs(86_400);
        assert_eq!(utc("3650d"), Ok(TimeBound::Ago(day * 3650)));
        assert_eq!(utc("2w"), Ok(TimeBound::Ago(day * 14)));
        assert_eq!(
            utc("2025-07-01T08:00:00Z"),
            Ok(TimeBound::At(1_751_356_800_000))
        );
        assert_eq!(utc("2025-07-01"), Ok(TimeBound::At(1_751_328_000_000)));
        let why = utc("last tuesday").unwrap_err();
        assert!(
            why.contains("\"7d\"") && why.contains("\"2025-07-01\""),
            "{why}"
        );
        let query = TicketQuery::parse_words("since=2025-07-01 until=7d").unwrap();
        assert!(matches!(query.since, Some(TimeBound::At(_))));
        assert_eq!(query.until, Some(TimeBound::Ago(day * 7)));
    }

    #[test]
    fn filter_words_use_the_config_names_and_refuse_typos() {
        let query = TicketQuery::parse_words(
            "job=重启 job_id=DOC1 tags=env=prod tag=team=sre status=failed",
        )
        .unwrap();
        assert_eq!(query.job.as_deref(), Some("重启"));
        assert_eq!(query.job_id.as_deref(), Some("DOC1"));
        assert_eq!(
            query.tags,
            [("env".into(), "prod".into()), ("team".into(), "sre".into())]
        );
        assert_eq!(query.status, [JobStatus::Execution(Status::Failed)]);
        let err = TicketQuery::parse_words("craetor=x").unwrap_err();
        assert!(err.contains("did you mean `creator`"), "{err}");
        assert!(TicketQuery::parse_words("creator").is_err());
        assert!(TicketQuery::parse_words("status=Pausing").is_err());
        assert!(TicketQuery::parse_words("kind=scripts").is_err());
        assert!(TicketQuery::parse_words("limit=0").is_err());
        assert!(TicketQuery::parse_words("tags==x").is_err());
        assert!(TicketQuery::parse_words("tags=a=b,c=d").is_err());
    }

    #[test]
    fn the_status_filter_reads_the_raw_status() {
        let query = TicketQuery::parse_words("status=Running status=Timeout").unwrap();
        let ticket = |status: &str| {
            JobTicket::from(
                serde_json::from_value::<Ticket>(
                    serde_json::json!({"execution_id": "EX1", "status": status}),
                )
                .unwrap(),
            )
        };
        assert!(query.keeps(&ticket("Running")));
        assert!(!query.keeps(&ticket("Succeed")));
        assert!(!query.keeps(&ticket("running")), "raw values decide");
        assert!(TicketQuery::default().keeps(&ticket("Whatever")));
    }

    fn script(status: &str) -> JobTicket {
        JobTicket::from(
            serde_json::from_value::<crate::coc::ScriptTicket>(
                serde_json::json!({"execute_uuid": "JS1", "status": status}),
            )
            .unwrap(),
        )
    }

    #[test]
    fn kind_chooses_the_lists_and_one_status_word_names_both_kinds() {
        let both = TicketQuery::parse_words("kind=all status=canceled").unwrap();
        assert!(both.keeps(&script("CANCELED")));
        let mut execution = Ticket::empty("EX1");
        execution.status = Some(Status::Canceled);
        assert!(both.keeps(&JobTicket::from(execution)));
        assert!(!both.keeps(&script("FINISHED")));
        assert!(!both.keeps(&script("canceled")), "raw values decide");
        let default = TicketQuery::default();
        assert!(!default.keeps(&script("FINISHED")), "executions by default");
        let scripts = TicketQuery::parse_words("kind=script status=ABNORMAL creator=li").unwrap();
        let api = scripts.script_query(at(0));
        assert_eq!(api.status, Some(ScriptStatus::Abnormal));
        assert_eq!(api.creator.as_deref(), Some("li"));
        assert_eq!(
            both.script_query(at(0)).status,
            Some(ScriptStatus::Canceled)
        );
        let two = TicketQuery::parse_words("kind=script status=PAUSED status=READY").unwrap();
        assert_eq!(two.script_query(at(0)).status, None, "one status only");
        assert!(two.keeps(&script("READY")));
        let tagged = TicketQuery::parse_words("kind=all tags=env=prod").unwrap();
        assert!(
            !tagged.keeps(&script("FINISHED")),
            "script tickets have no tags"
        );
    }
}
