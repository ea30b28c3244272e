//! `coctop sim`: run the simulator until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;

use crate::exit::Exit;
use crate::sim::{self, SimOptions};

/// `coctop sim`: serve until Ctrl-C or SIGTERM.
pub fn run(listen: SocketAddr, options: SimOptions) -> Exit {
    if let Err(e) = options.validate() {
        eprintln!("coctop sim: {e}");
        return Exit::Usage;
    }
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coctop sim: cannot start the runtime: {e}");
            return Exit::Usage;
        }
    };
    runtime.block_on(async {
        let summary = options.summary();
        let handle = match sim::start(listen, options).await {
            Ok(handle) => handle,
            Err(e) => {
                eprintln!("coctop sim: cannot listen on {}: {e}", listen);
                return Exit::Usage;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "coctop sim listening on {}", handle.base_url());
        let _ = writeln!(out, "{summary}");
        let _ = out.flush();
        drop(out);
        wait_for_signal().await;
        handle.stop().await;
        Exit::Success
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
