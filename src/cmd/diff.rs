//! `coctop diff REF_A REF_B [--output text|json]`: what differs between two runs, as
//! `diff` does it: exit 0 when nothing differs, 1 when something does, 2 for tickets
//! that cannot be compared, 4 or 5 when one could not be read (whole).

use std::io::IsTerminal;

use super::{Globals, output, reference, report, session, signals, usage_error};
use crate::exit::Exit;
use crate::runs::diff::{self, Mark};
use crate::walk::{Walked, run_facts};
use crate::watch::Pacer;

/// `--output` of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Only the differences, coloured on a terminal.
    Text,
    Json,
}

pub fn run(globals: &Globals, a: &str, b: &str, format: DiffFormat) -> Exit {
    let (ra, rb) = match (reference(a), reference(b)) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(exit), _) | (_, Err(exit)) => return exit,
    };
    if ra.kind() != rb.kind() {
        return usage_error(&format!(
            "{ra} is {} {} and {rb} {} {}: only two of one kind can be compared",
            article(ra.kind().as_str()),
            ra.kind(),
            article(rb.kind().as_str()),
            rb.kind()
        ));
    }
    let (config, client, rt) = match session(globals) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let pacer = Pacer::new(config.poll.max_rps);
    let read = async {
        let first = run_facts(&client, &pacer, &ra).await;
        // A ticket compared with itself is read once.
        let second = match (&first, ra == rb) {
            (Ok(same), true) => Ok(same.clone()),
            _ => run_facts(&client, &pacer, &rb).await,
        };
        (first, second)
    };
    let read = rt.block_on(async {
        tokio::select! {
            read = read => Ok(read),
            exit = signals::ending_signal() => Err(exit),
        }
    });
    let (first, second) = match read {
        Ok(read) => read,
        Err(exit) => return exit,
    };
    let ((facts_a, unread_a), (facts_b, unread_b)) = match (first, second) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(error), _) | (_, Err(error)) => {
            report(&format!("{ra} {rb}: {error}"));
            return Exit::from(&error);
        }
    };
    let mut incomplete = false;
    for (reference, unread) in [(&ra, &unread_a), (&rb, &unread_b)] {
        for found in unread {
            if let Walked::Unread { place, why, .. } = found {
                report(&format!(
                    "{reference}: {place}: {why} (left out of the comparison)"
                ));
                incomplete = true;
            }
        }
    }
    let differences = diff::compare(&facts_a, &facts_b);
    let printed = match format {
        DiffFormat::Json => output::print(&format!(
            "{}\n",
            diff::json(&facts_a, &facts_b, &differences)
        )),
        DiffFormat::Text => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text: String = diff::text_lines(&facts_a, &facts_b, &differences)
                .into_iter()
                .map(|(mark, line)| painted(mark, &line, colour))
                .collect();
            output::print(&text)
        }
    };
    match printed {
        Err(exit) => exit,
        Ok(()) if incomplete => Exit::Fetch,
        Ok(()) if differences.is_empty() => Exit::Success,
        Ok(()) => Exit::Unsuccessful,
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A line, in the colour of its mark on a terminal (as `diff --color` does).
fn painted(mark: Mark, line: &str, colour: bool) -> String {
    let code = match mark {
        Mark::Header => "1",
        Mark::Removed => "31",
        Mark::Added => "32",
        Mark::Changed => "33",
    };
    if colour {
        format!("\u{1b}[{code}m{line}\u{1b}[0m\n")
    } else {
        format!("{line}\n")
    }
}
