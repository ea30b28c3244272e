use std::process::ExitCode;

use clap::Parser;

use coctop::cli::{Cli, Command};
use coctop::exit::Exit;
use coctop::{config, headless, sim, tui};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let globals = headless::Globals {
        config: cli.config.as_deref(),
        endpoint: cli.endpoint.as_deref(),
        region: cli.region.as_deref(),
    };
    let exit: Exit = match &cli.command {
        None if cli.demo => tui::run_demo(),
        None => match config::load_for_dashboard(globals.config) {
            Ok(cfg) => tui::run_dashboard(cfg, globals.endpoint, globals.region),
            Err(e) => {
                eprintln!("coctop: {e}");
                Exit::Usage
            }
        },
        Some(Command::Get(args)) => headless::get(&globals, args),
        Some(Command::Wait(args)) => headless::wait(&globals, args),
        Some(Command::Sim(args)) => sim::run(args),
        Some(Command::Config { action }) => config::command(globals.config, action),
    };
    exit.into()
}
