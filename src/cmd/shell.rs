//! `coctop completions SHELL` and `coctop man`: generated from the command-line
//! definition itself, so they never fall behind it.

use super::{output, report};
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

/// Through the one output path: a closed pipe ends quietly (141), a full disk is
/// reported and exits 6.
fn print(bytes: &[u8]) -> Exit {
    match output::print(&String::from_utf8_lossy(bytes)) {
        Ok(()) => Exit::Success,
        Err(exit) => exit,
    }
}
