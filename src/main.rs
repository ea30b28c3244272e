use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use coctop::cli::{self, Cli, Command, OperateArgs};
use coctop::cmd;
use coctop::config::CONFIG_ENV;
use coctop::exit::Exit;
use coctop::operate::Verb;

fn main() -> ExitCode {
    // An empty COCTOP_CONFIG is as good as unset (clap would call it a missing value).
    if std::env::var_os(CONFIG_ENV).is_some_and(|v| v.is_empty()) {
        // SAFETY: no other thread exists yet to read the environment.
        unsafe { std::env::remove_var(CONFIG_ENV) };
    }
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => return shown_or_refused(e).into(),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let globals = cli::globals(&matches);
    let operate = |verb, args: &OperateArgs| cmd::operate::run(&globals, &args.ids, verb, args.yes);
    let exit: Exit = match &cli.command {
        None if cli.demo => cmd::dashboard::demo(&globals),
        None => cmd::dashboard::run(&globals),
        Some(Command::Get(args)) => {
            cmd::get::run(&globals, &args.ids, args.output.into(), args.detail())
        }
        Some(Command::Wait(args)) => cmd::wait::run(&globals, &args.ids, &args.options()),
        Some(Command::List(args)) => cmd::list::run(&globals, &args.query(), args.output.into()),
        Some(Command::Retry(args)) => operate(Verb::Retry, args),
        Some(Command::Terminate(args)) => operate(Verb::Terminate, args),
        Some(Command::Resume(args)) => operate(Verb::Resume, args),
        Some(Command::SkipBatch(args)) => operate(args.verb(), &args.operate),
        Some(Command::Pause(args)) => operate(Verb::Pause, args),
        Some(Command::Continue(args)) => operate(Verb::Continue, args),
        Some(Command::Cancel(args)) => operate(Verb::Cancel, args),
        Some(Command::CancelHost(args)) => {
            let verb = Verb::CancelHost { host: args.host };
            cmd::operate::run(&globals, std::slice::from_ref(&args.id), verb, args.yes)
        }
        Some(Command::Logs(args)) => {
            cmd::logs::run(&globals, &args.reference, &args.selection(), args.format())
        }
        Some(Command::Run(args)) => cmd::run::run(&globals, &args.options()),
        Some(Command::Diff(args)) => cmd::diff::run(&globals, &args.a, &args.b, args.format()),
        Some(Command::Serve(args)) => cmd::serve::run(&globals, args.listen, args.allow_remote),
        Some(Command::Sim(args)) => cmd::sim::run(args.listen, args.options(), args.keys()),
        Some(Command::Config { action, .. }) => {
            cmd::config::run(globals.config.as_ref(), action.into())
        }
        Some(Command::Completions { shell }) => cmd::shell::completions(Cli::command(), *shell),
        Some(Command::Man) => cmd::shell::man(Cli::command()),
    };
    exit.into()
}

/// `--help` and `--version` print through the one output path (a full disk exits 6
/// with the reason); a usage error is clap's to tell (exit 2).
fn shown_or_refused(error: clap::Error) -> Exit {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            use std::io::IsTerminal;
            let text = error.render();
            let text = if std::io::stdout().is_terminal() {
                text.ansi().to_string()
            } else {
                text.to_string()
            };
            match cmd::output::print(&text) {
                Ok(()) => Exit::Success,
                Err(exit) => exit,
            }
        }
        _ => error.exit(),
    }
}
