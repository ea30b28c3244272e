//! `coctop serve`: poll the config's tickets headless and serve `/metrics`, `/healthz`
//! and `/events` until a signal ends it.

use std::net::SocketAddr;

use super::{Globals, load_config, report, resolve_client, usage_error};
use crate::config::Config;
use crate::exit::Exit;
use crate::serve::{self, Profile};
use crate::server;

/// `--listen` when not given: Prometheus' port range, loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

pub fn run(globals: &Globals, listen: SocketAddr, allow_remote: bool) -> Exit {
    if !listen.ip().is_loopback() {
        if !allow_remote {
            return usage_error(&format!(
                "serve: --listen {listen} reaches beyond this machine: anyone who can \
                 connect reads the names and statuses of your tickets; add --allow-remote \
                 if that is what you want"
            ));
        }
        report(&format!(
            "serve: warning: listening on {listen}, beyond this machine (--allow-remote): \
             anyone who can connect reads the names and statuses of your tickets"
        ));
    }
    let config = match load_config(globals) {
        Ok(config) => config,
        Err(e) => return usage_error(&e),
    };
    let profiles = match profiles(globals, &config) {
        Ok(profiles) => profiles,
        Err(e) => return usage_error(&e),
    };
    let unusable: Vec<String> = profiles
        .iter()
        .filter_map(|p| {
            Some(format!(
                "profile {:?}: {}",
                p.name,
                p.client.as_ref().err()?
            ))
        })
        .collect();
    if unusable.len() == profiles.len() {
        for problem in &unusable {
            report(problem);
        }
        return Exit::Usage;
    }
    for problem in &unusable {
        report(&format!(
            "{problem} (the other profiles poll; /healthz names it)"
        ));
    }
    if profiles
        .iter()
        .all(|p| p.watch.is_empty() && p.queries.is_empty())
    {
        report("serve: warning: the config has no [[watch]] and no [[query]]: nothing to poll");
    }
    // It serves many scrapers and /events readers at once while it polls.
    let runtime = match super::server_runtime("serve") {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let _log_guard = super::init_logging();
    runtime.block_on(async {
        let started = server::bind(listen).and_then(|listener| serve::start(listener, profiles));
        let handle = match started {
            Ok(handle) => handle,
            Err(e) => return usage_error(&format!("serve: cannot listen on {listen}: {e}")),
        };
        tracing::info!("serve listening on {}", handle.addr);
        let banner = format!(
            "coctop serve listening on http://{} (/metrics, /healthz, /events)\n",
            handle.addr
        );
        let exit = super::serve_until_signal(&banner).await;
        handle.stop().await;
        exit
    })
}

/// The profiles to poll: every one the config describes (without `[[profile]]`, one
/// implicit profile of `[api]` and `[auth]`), or the one `--profile` names.
fn profiles(globals: &Globals, config: &Config) -> Result<Vec<Profile>, String> {
    let names = match &globals.profile {
        Some(name) => vec![name.as_str()],
        None => config.profile_names(),
    };
    let flags = globals.endpoint.is_some() || globals.region.is_some();
    if flags && names.len() > 1 {
        return Err(format!(
            "--endpoint and --region name one endpoint, and the config has {} profiles: \
             choose one with --profile",
            names.len()
        ));
    }
    names
        .into_iter()
        .map(|name| {
            let view = config.profile(Some(name))?;
            Ok(Profile {
                name: name.to_string(),
                client: resolve_client(globals, &view),
                poll: view.poll.clone(),
                watch: view.watch.clone(),
                queries: view.queries.clone(),
            })
        })
        .collect()
}
