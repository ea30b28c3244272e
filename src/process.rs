//! Another program run for the user (a notification hook, a custom command): no shell,
//! its arguments unchanged, no credential variable in its environment, its own process
//! group. In the background it has a time limit, after which it and everything it
//! started are killed; in the foreground it has the terminal until it ends.

use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::text::sanitize;

/// Which of its output is kept, and how many bytes of it at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Its stderr (stdout is thrown away).
    Stderr(usize),
    /// Its stdout, then its stderr.
    Both(usize),
}

/// How a background run ended; `output` is the start of what `Keep` kept, sanitised.
#[derive(Debug)]
pub enum Ended {
    Exited {
        status: ExitStatus,
        output: String,
    },
    /// Still running at the time limit: killed with its process group.
    Killed {
        output: String,
    },
    CannotStart(io::Error),
}

/// `argv[0]` with the rest of `argv` as its arguments and `env` added, no credential
/// variable, in a process group of its own. `argv` is not empty.
fn command(argv: &[String], env: &[(&str, String)]) -> std::process::Command {
    let mut command = std::process::Command::new(&argv[0]);
    crate::coc::auth::without_credentials(&mut command);
    command
        .args(&argv[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        // Its own process group, so a time-out kills what it started too.
        .process_group(0);
    command
}

/// Runs the program in the background for at most `limit`, its stdin empty.
pub async fn run(argv: &[String], env: &[(&str, String)], limit: Duration, keep: Keep) -> Ended {
    let (bytes, stdout) = match keep {
        Keep::Stderr(bytes) => (bytes, Stdio::null()),
        Keep::Both(bytes) => (bytes, Stdio::piped()),
    };
    let mut command = tokio::process::Command::from(command(argv, env));
    command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Ended::CannotStart(e),
    };
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let mut kept = Vec::new();
    let finished = tokio::time::timeout(limit, async {
        let (out, err) = tokio::join!(
            read_start(out_pipe.as_mut(), bytes),
            read_start(err_pipe.as_mut(), bytes)
        );
        kept = out;
        kept.extend_from_slice(&err);
        kept.truncate(bytes);
        child.wait().await
    })
    .await;
    let output = sanitize(&String::from_utf8_lossy(&kept)).into_owned();
    match finished {
        Ok(Ok(status)) => Ended::Exited { status, output },
        Ok(Err(e)) => Ended::CannotStart(e),
        Err(_elapsed) => {
            kill_group(&mut child).await;
            Ended::Killed { output }
        }
    }
}

/// Reads the pipe to its end (so the program never blocks on a full pipe), keeping the
/// first `bytes`.
async fn read_start(pipe: Option<&mut (impl AsyncRead + Unpin)>, bytes: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(pipe) = pipe else {
        return kept;
    };
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = bytes.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
    kept
}

async fn kill_group(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        // SAFETY: signalling the process group this program was started in.
        unsafe {
            libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
        }
    }
    let _ = child.kill().await;
}

/// Runs the program with the terminal (`ssh`): its process group becomes the
/// terminal's foreground group until it ends, then this process's group is again.
/// Blocks until it ends; no time limit (the user is at the keyboard).
pub fn run_in_foreground(argv: &[String], env: &[(&str, String)]) -> io::Result<ExitStatus> {
    let mut child = command(argv, env).spawn()?;
    let tty = io::stdin().as_raw_fd();
    // SAFETY: plain libc calls on our own stdin and process groups. SIGTTOU is ignored
    // while the foreground group is given back from the background.
    unsafe {
        let ours = libc::getpgrp();
        let is_terminal = libc::isatty(tty) == 1;
        let group = child.id() as libc::pid_t;
        if is_terminal {
            libc::tcsetpgrp(tty, group);
            // It may have read the terminal before it was its own and been stopped.
            libc::kill(-group, libc::SIGCONT);
        }
        let status = child.wait();
        if is_terminal {
            let previous = libc::signal(libc::SIGTTOU, libc::SIG_IGN);
            libc::tcsetpgrp(tty, ours);
            libc::signal(libc::SIGTTOU, previous);
        }
        status
    }
}
