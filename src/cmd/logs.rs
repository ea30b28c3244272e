//! `coctop logs REF [--step NAME|N] [--host NAME|IP] [--failed] [--output text|json]`:
//! the output of every host of a ticket, streamed as its pages arrive. `walk` reads,
//! `runs::logs` decides what is printed and how, and the exit code.

use super::{Globals, output, reference, report, session, signals};
use crate::exit::Exit;
use crate::runs::logs::{self, Selection, Tally};
use crate::walk::{WalkError, Walked, walk};
use crate::watch::Pacer;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsFormat {
    /// A header line per host, then its output with control characters written out.
    Text,
    /// One JSON object per host and line, the output raw.
    Json,
}

pub fn run(globals: &Globals, text: &str, selection: &Selection, format: LogsFormat) -> Exit {
    let reference = match reference(text) {
        Ok(reference) => reference,
        Err(exit) => return exit,
    };
    let (config, client, rt) = match session(globals) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let pacer = Pacer::new(config.poll.max_rps);
    let mut tally = Tally::default();
    let mut blocks = 0usize;
    let walked = walk(
        &client,
        &pacer,
        &reference,
        |place| selection.wants(place),
        |found| {
            match found {
                Walked::Ticket(facts) => tally.ticket(&facts),
                Walked::Place(facts) => tally.place(selection, &facts.place),
                Walked::Host(host) if tally.host(selection, &host) => {
                    let printed = match format {
                        LogsFormat::Json => format!("{}\n", logs::json_line(&reference, &host)),
                        LogsFormat::Text if blocks > 0 => format!("\n{}", logs::text_block(&host)),
                        LogsFormat::Text => logs::text_block(&host),
                    };
                    blocks += 1;
                    output::print(&printed)?;
                }
                Walked::Host(_) => {}
                Walked::Unread { place, why, error } => {
                    report(&format!("{reference}: {place}: {why}"));
                    tally.unread(error.as_ref());
                }
            }
            Ok(())
        },
    );
    let walked = rt.block_on(async {
        tokio::select! {
            walked = walked => walked,
            exit = signals::ending_signal() => Err(WalkError::Stopped(exit)),
        }
    });
    match walked {
        Ok(()) => {
            if let Some(why) = tally.nothing_named(selection) {
                report(&format!("{reference}: {why}"));
            }
            tally.exit(selection)
        }
        Err(WalkError::Stopped(exit)) => exit,
        Err(WalkError::Fetch(error)) => {
            report(&format!("{reference}: {error}"));
            Exit::from(&error)
        }
    }
}
