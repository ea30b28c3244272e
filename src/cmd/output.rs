//! Everything a command prints on stdout goes through here. A reader that went away
//! (a broken pipe: `| head`) ends the command at once and quietly, as `SIGPIPE` would
//! end a C program; any other write error (a full disk) is reported and ends it with
//! `Exit::Output`. Nothing printed is ever silently lost.

use std::io::{self, Write};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

use super::report;
use crate::exit::Exit;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
