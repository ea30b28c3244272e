//! Terminal lifecycle (init, restore, panic hook, suspend) and the event loop.

use crate::config::Config;
use crate::exit::Exit;

/// The dashboard on the config's tickets.
pub fn run_dashboard(config: Config, endpoint: Option<&str>, region: Option<&str>) -> Exit {
    let _ = (config, endpoint, region);
    todo!("tui helper")
}

/// The dashboard against an embedded simulator on a free loopback port.
pub fn run_demo() -> Exit {
    todo!("tui helper")
}
