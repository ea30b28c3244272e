//! Everything a command prints on stdout goes through here. A reader that went away
//! (a broken pipe: `| head`) ends the command at once and quietly, as `SIGPIPE` would
//! end a C program; any other write error (a full disk) is reported and ends it with
//! `Exit::Output`. Nothing printed is ever silently lost.
//!
//! Tickets (`get`, `list`) are printed by one streaming printer, a table or JSON, each
//! row as soon as it is known.

use std::io::{self, Write};
use std::time::SystemTime;

use serde_json::json;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use unicode_width::UnicodeWidthStr;

use super::report;
use crate::coc::{ApiError, JobStatus, JobTicket, TicketKind, TicketRef};
use crate::config::WatchEntry;
use crate::exit::Exit;
use crate::format;
use crate::text::cell;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
}

/// Writes `text` to stdout and flushes it, so a line is out (or known lost) before the
/// command goes on.
pub fn print(text: &str) -> Result<(), Exit> {
    write_to(&mut io::stdout().lock(), text)
}

/// [`print`] to any writer; the exit when the write failed, already reported.
pub fn write_to(out: &mut impl Write, text: &str) -> Result<(), Exit> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|error| write_failed(&error))
}

/// The exit for a failed write to stdout, reported unless the reader is gone.
pub fn write_failed(error: &io::Error) -> Exit {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return Exit::Signal(libc::SIGPIPE);
    }
    report(&format!("cannot write the output: {error}"));
    Exit::Output
}

/// Resolves when stdout is a pipe or socket whose reader has gone away, so a command
/// that prints rarely (`wait`) stops at once instead of at its next line. The kernel
/// says when (epoll reports the error or hang-up): no timer wakes the process to ask.
/// A terminal or a file has no reader to lose (and epoll refuses a file).
pub async fn reader_gone() -> Exit {
    let interest = Interest::READABLE | Interest::ERROR;
    // SAFETY: stdout (fd 1) stays open, on the same file, for the whole process:
    // nothing in coctop closes or replaces it.
    let Ok(stdout) = (unsafe { AsyncFd::register_with_interest(io::stdout(), interest) }) else {
        return std::future::pending().await;
    };
    loop {
        if stdout_hung_up() {
            return Exit::Signal(libc::SIGPIPE);
        }
        match stdout.ready(interest).await {
            Ok(mut readiness) => readiness.clear_ready(),
            Err(_) => return std::future::pending().await,
        }
    }
}

/// `poll(2)` reports `POLLERR` on a pipe's write end once every reader has closed it
/// (and `POLLHUP` on a hung-up socket) without asking for any event.
fn stdout_hung_up() -> bool {
    let mut fd = libc::pollfd {
        fd: libc::STDOUT_FILENO,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, a count of 1 and no waiting.
    let ready = unsafe { libc::poll(&mut fd, 1, 0) };
    ready == 1 && fd.revents & (libc::POLLERR | libc::POLLHUP) != 0
}

/// Prints ticket rows as they come (a failed one also on stderr, through `report`) and
/// remembers only what decides the exit code.
pub(super) struct TicketPrinter {
    format: OutputFormat,
    id_width: usize,
    rows: usize,
    /// The first error of each exit code: all `Exit::of_errors` needs, in memory that
    /// stays bounded however many rows failed.
    deciding: Vec<ApiError>,
}

impl TicketPrinter {
    /// Prints the table's header (or the JSON array's start) for rows of `targets`.
    /// Prints the table's header (or the JSON array's start) for rows of `targets`; the
    /// ID column is an `EXECUTION ID`, or a `TICKET ID` once script tickets are among
    /// them.
    pub(super) fn start(
        format: OutputFormat,
        targets: &[WatchEntry],
    ) -> Result<TicketPrinter, Exit> {
        let scripts = targets.iter().any(|t| t.id.is_script());
        TicketPrinter::with_ids(format, targets.iter().map(|t| &t.id), scripts)
    }

    fn with_ids<'a>(
        format: OutputFormat,
        ids: impl Iterator<Item = &'a TicketRef>,
        scripts: bool,
    ) -> Result<TicketPrinter, Exit> {
        let mut header = TABLE_HEADER.map(String::from);
        if scripts {
            header[0] = "TICKET ID".into();
        }
        let id_width = ids
            .map(|id| id.to_string().width())
            .chain([header[0].width()])
            .max()
            .unwrap_or_default();
        let printer = TicketPrinter {
            format,
            id_width,
            rows: 0,
            deciding: Vec::new(),
        };
        match format {
            OutputFormat::Table => print(&printer.table_line(&header))?,
            OutputFormat::Json => print("[")?,
        }
        Ok(printer)
    }

    /// A printer for tickets from the list API (`coctop list`) of `kinds`: the ID
    /// column is as wide as the IDs of the first page, as shown.
    pub(super) fn for_listed(
        format: OutputFormat,
        kinds: &[TicketKind],
        first: &[JobTicket],
    ) -> Result<TicketPrinter, Exit> {
        let ids: Vec<TicketRef> = first.iter().map(listed_ref).collect();
        TicketPrinter::with_ids(format, ids.iter(), kinds.contains(&TicketKind::Script))
    }

    /// Tickets from the list API, printed as they came.
    pub(super) fn listed(&mut self, tickets: Vec<JobTicket>) -> Result<(), Exit> {
        for ticket in tickets {
            let target = WatchEntry::unlabelled(listed_ref(&ticket));
            self.row(target, Ok(ticket))?;
        }
        Ok(())
    }

    pub(super) fn row(
        &mut self,
        target: WatchEntry,
        result: Result<JobTicket, ApiError>,
    ) -> Result<(), Exit> {
        self.print_row(&target, &result)?;
        if let Err(error) = result {
            report(&format!("{}: {error}", target.id));
            self.decide(error);
        }
        Ok(())
    }

    /// A row for a ticket never asked for: its reason is said once for all of them
    /// (by the caller), not on a line of stderr each.
    pub(super) fn unasked(&mut self, target: &WatchEntry, why: ApiError) -> Result<(), Exit> {
        let result = Err(why);
        self.print_row(target, &result)?;
        if let Err(error) = result {
            self.decide(error);
        }
        Ok(())
    }

    fn print_row(
        &mut self,
        target: &WatchEntry,
        result: &Result<JobTicket, ApiError>,
    ) -> Result<(), Exit> {
        let text = match self.format {
            OutputFormat::Table => self.table_line(&table_row(target, result, SystemTime::now())),
            OutputFormat::Json => {
                let separator = if self.rows == 0 { "\n" } else { ",\n" };
                format!("{separator}{}", indented(&json_row(target, result)))
            }
        };
        print(&text)?;
        self.rows += 1;
        Ok(())
    }

    fn decide(&mut self, error: ApiError) {
        if !self
            .deciding
            .iter()
            .any(|kept| Exit::from(kept) == Exit::from(&error))
        {
            self.deciding.push(error);
        }
    }

    /// Closes the JSON array; the exit the failed rows decide.
    pub(super) fn finish(self) -> Result<Exit, Exit> {
        if self.format == OutputFormat::Json {
            print(if self.rows == 0 { "]\n" } else { "\n]\n" })?;
        }
        Ok(Exit::of_errors(&self.deciding))
    }

    /// Left-aligned columns two spaces apart, measured in terminal columns so CJK names
    /// line up. Widths are fixed before the first row (rows stream): each cell is cut
    /// to its column; the last cell of a row is not padded, and in a short row (an
    /// error) it runs on over the remaining columns.
    fn table_line(&self, cells: &[String]) -> String {
        let mut line = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, text) in cells.iter().enumerate() {
            let width = if i == 0 {
                self.id_width
            } else {
                COLUMN_WIDTHS[i]
            };
            if i == last {
                line.push_str(&cell(text, LAST_CELL_WIDTH));
                break;
            }
            let text = cell(text, width);
            line.push_str(&text);
            let pad = width.saturating_sub(text.width()) + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
        line.push('\n');
        line
    }
}

/// A JSON value pretty-printed as an element of a pretty-printed array.
fn indented(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON form of an error, for `get --output json` and the JSON lines.
pub use crate::jsonl::error_object as error_json;

/// A ticket of a list page, as its row names it (escaped when its ID breaks the rule).
fn listed_ref(ticket: &JobTicket) -> TicketRef {
    TicketRef::listed(ticket.kind(), ticket.id())
}

/// A ticket's JSON: its `kind` and the kind's own fields; a failure names the ticket by
/// its kind and the ID field of that kind (`execution_id`, `execute_uuid`).
fn json_row(target: &WatchEntry, result: &Result<JobTicket, ApiError>) -> serde_json::Value {
    let failed = |error: serde_json::Value| {
        let id_field = match target.id.kind() {
            TicketKind::Execution => "execution_id",
            TicketKind::Script => "execute_uuid",
        };
        json!({"kind": target.id.kind().as_str(), id_field: target.id.id(), "error": error})
    };
    match result {
        Ok(ticket) => serde_json::to_value(ticket)
            .unwrap_or_else(|e| failed(json!({"message": e.to_string()}))),
        Err(e) => failed(error_json(e)),
    }
}

const TABLE_HEADER: [&str; 8] = [
    "EXECUTION ID",
    "STATUS",
    "TYPE",
    "NAME",
    "CREATOR",
    "STARTED",
    "DURATION",
    "UPDATED",
];

/// Terminal columns of each column but the first (as wide as the longest ID asked for)
/// and the last (up to `LAST_CELL_WIDTH`): a status, a type, a name, a creator, ages.
const COLUMN_WIDTHS: [usize; 8] = [0, 9, 12, 40, 16, 9, 8, 9];
/// The last cell of a row, an error message included, is cut here.
const LAST_CELL_WIDTH: usize = 300;

fn table_row(
    target: &WatchEntry,
    result: &Result<JobTicket, ApiError>,
    now: SystemTime,
) -> Vec<String> {
    let ticket = match result {
        Ok(ticket) => ticket,
        Err(e) => return vec![target.id.to_string(), "ERROR".into(), e.to_string()],
    };
    let name = target.label.as_deref().or(ticket.name()).unwrap_or("-");
    vec![
        TicketRef::listed(ticket.kind(), ticket.id()).to_string(),
        status_text(ticket.status().as_ref()),
        ticket.type_label().unwrap_or("-").to_string(),
        name.to_string(),
        ticket.creator().unwrap_or("-").to_string(),
        age(ticket.start_time(), now),
        took(ticket.start_time(), ticket.end_time(), now),
        age(ticket.update_time(), now),
    ]
}

/// How long ago an API time was, `-` without one.
pub(super) fn age(ms: Option<i64>, now: SystemTime) -> String {
    ms.map_or_else(|| "-".into(), |ms| format::age_of_millis(now, ms))
}

/// How long something ran (or runs), `-` without a start.
pub(super) fn took(start: Option<i64>, end: Option<i64>, now: SystemTime) -> String {
    format::run_time(start, end, now).unwrap_or_else(|| "-".into())
}

/// A status as shown: never an unknown one passing for a known one.
pub(super) fn status_text(status: Option<&JobStatus>) -> String {
    status.map_or_else(|| "-".into(), |s| s.label().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> WatchEntry {
        WatchEntry::unlabelled(TicketRef::parse(id).unwrap())
    }

    struct Failing(io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_gone_reader_is_a_quiet_sigpipe_and_other_errors_are_output_errors() {
        assert_eq!(
            write_to(&mut Failing(io::ErrorKind::BrokenPipe), "x"),
            Err(Exit::Signal(libc::SIGPIPE))
        );
        assert_eq!(
            write_to(&mut Failing(io::ErrorKind::StorageFull), "x"),
            Err(Exit::Output)
        );
        let mut buffer = Vec::new();
        assert_eq!(write_to(&mut buffer, "line\n"), Ok(()));
        assert_eq!(buffer, b"line\n");
    }

    #[test]
    fn rows_line_up_under_a_header_fixed_before_them_and_long_text_is_cut() {
        let printer = TicketPrinter {
            format: OutputFormat::Table,
            id_width: 12,
            rows: 0,
            deciding: Vec::new(),
        };
        let header = printer.table_line(&TABLE_HEADER.map(String::from));
        let mut ticket = crate::coc::Ticket::empty("EX1");
        ticket.document_name = Some("数据库".repeat(100).into());
        let row = printer.table_line(&table_row(
            &entry("EX1"),
            &Ok(ticket.into()),
            SystemTime::now(),
        ));
        let column = |line: &str, n: usize| {
            let mut at = 0;
            for _ in 0..n {
                at = line[at..].find("  ").map(|i| at + i).unwrap();
                at += line[at..].find(|c: char| c != ' ').unwrap();
            }
            line[..at].width()
        };
        for n in 1..8 {
            assert_eq!(
                column(&header, n),
                column(&row, n),
                "column {n}\n{header}{row}"
            );
        }
        let error = ApiError::Network {
            detail: "x".repeat(5000),
        };
        let error_row =
            printer.table_line(&table_row(&entry("EX1"), &Err(error), SystemTime::now()));
        assert!(error_row.width() < 400, "{}", error_row.width());
    }
}
