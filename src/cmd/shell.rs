//! `coctop completions SHELL` and `coctop man`: generated from the command-line
//! definition itself, so they never fall behind it.

use std::io::Write;

use super::report;
use crate::exit::Exit;

/// Prints the completion script for `shell` on stdout.
pub fn completions(mut command: clap::Command, shell: clap_complete::Shell) -> Exit {
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    print(&script)
}

/// Prints the man page (roff) on stdout.
pub fn man(command: clap::Command) -> Exit {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut page) {
        report(&format!("cannot render the man page: {e}"));
        return Exit::Usage;
    }
    print(&page)
}

fn print(bytes: &[u8]) -> Exit {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Exit::Success,
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            report(&format!("cannot write: {e}"));
            Exit::Usage
        }
    }
}
