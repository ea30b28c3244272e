//! Shared helpers for the integration tests: a simulator on loopback, the real binary.
#![allow(dead_code)]

pub mod hostile;
pub mod pty;

use std::path::Path;
use std::process::{Command, Output};

use coctop::coc::{Auth, Client, ClientConfig, Endpoint, ListQuery, Ticket};
use coctop::sim::{self, SimHandle, SimOptions};

/// A `coctop sim` running in-process on a free loopback port, with its own runtime so
/// blocking test code can drive the real binary against it.
pub struct Sim {
    pub handle: Option<SimHandle>,
    runtime: tokio::runtime::Runtime,
}

impl Sim {
    pub fn start(options: SimOptions) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = runtime
            .block_on(sim::start(([127, 0, 0, 1], 0).into(), options))
            .expect("start the simulator");
        Sim {
            handle: Some(handle),
            runtime,
        }
    }

    pub fn url(&self) -> String {
        self.handle.as_ref().unwrap().base_url()
    }

    pub fn ids(&self) -> Vec<String> {
        self.handle.as_ref().unwrap().execution_ids()
    }

    /// A client of this simulator, signing with its credentials when it has any.
    pub fn client(&self) -> Client {
        let endpoint = Endpoint::from_url(&self.url()).unwrap();
        let auth = match &self.handle.as_ref().unwrap().options().credentials {
            Some((ak, sk)) => Auth::AkSk {
                ak: ak.clone(),
                sk: sk.clone(),
                security_token: None,
            },
            None => Auth::None,
        };
        Client::new(ClientConfig::new(endpoint, auth)).unwrap()
    }

    /// Requests the simulator has received, every method.
    pub fn requests(&self) -> u64 {
        self.handle.as_ref().unwrap().requests_served()
    }

    /// Operations (POSTs) the simulator has received.
    pub fn operations(&self) -> u64 {
        self.handle.as_ref().unwrap().operations_received()
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            let _guard = self.runtime.enter();
            h.shutdown();
        }
    }
}

/// Runs the real binary with a clean environment rooted at `home`.
pub fn coctop(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = coctop_command(home, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run coctop")
}

/// The real binary with a clean environment rooted at `home`, not started yet.
pub fn coctop_command(home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coctop"));
    cmd.args(args).env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in pty::isolated_env(home) {
        cmd.env(k, v);
    }
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A client of the simulator, without credentials.
pub fn client(sim: &Sim) -> Client {
    let endpoint = Endpoint::from_url(&sim.url()).unwrap();
    Client::new(ClientConfig::new(endpoint, Auth::None)).unwrap()
}

/// Every ticket matching `query`, page by page, checking `total` on every page.
pub fn list_all(sim: &Sim, query: &ListQuery) -> Vec<Ticket> {
    let client = client(sim);
    let mut all = Vec::new();
    loop {
        let page = sim
            .block_on(client.list_executions(&ListQuery {
                limit: Some(100),
                offset: Some(all.len() as u32),
                ..query.clone()
            }))
            .unwrap();
        let total = page.total.unwrap() as usize;
        let done = page.data.is_empty();
        all.extend(page.data);
        if done || all.len() >= total {
            assert_eq!(all.len(), total, "{query:?}");
            return all;
        }
    }
}

/// The simulator's tickets that are in `status` now, from its list API.
pub fn ids_with_status(sim: &Sim, status: coctop::coc::Status) -> Vec<String> {
    use coctop::coc::{Auth, Client, ClientConfig, Endpoint, ListQuery};
    let endpoint = Endpoint::from_url(&sim.url()).unwrap();
    let client = Client::new(ClientConfig::new(endpoint, Auth::None)).unwrap();
    let query = ListQuery {
        limit: Some(100),
        ..ListQuery::default()
    };
    let page = sim.block_on(client.list_executions(&query)).unwrap();
    page.data
        .into_iter()
        .filter(|t| t.status.as_ref() == Some(&status))
        .map(|t| t.execution_id)
        .collect()
}

/// The status of one ticket now, from the simulator's API.
pub fn status_of(sim: &Sim, id: &str) -> Option<coctop::coc::Status> {
    use coctop::coc::{Auth, Client, ClientConfig, Endpoint};
    let endpoint = Endpoint::from_url(&sim.url()).unwrap();
    let client = Client::new(ClientConfig::new(endpoint, Auth::None)).unwrap();
    sim.block_on(client.get_execution(id)).unwrap().status
}

/// `[[watch]]` blocks for `ids`, labelled `drill-00`, `drill-01`, ...
pub fn watch_blocks(ids: &[String]) -> String {
    ids.iter()
        .enumerate()
        .map(|(i, id)| format!("\n[[watch]]\nid = \"{id}\"\nlabel = \"drill-{i:02}\"\n"))
        .collect()
}

/// Writes `text` as `home/coctop.toml`; returns its path and the environment that runs
/// the binary on it, with every XDG directory inside `home`.
pub fn config_in(home: &Path, text: &str) -> (std::path::PathBuf, Vec<(String, String)>) {
    let config = home.join("coctop.toml");
    std::fs::write(&config, text).unwrap();
    let mut env = pty::isolated_env(home);
    env.push(("COCTOP_CONFIG".into(), config.display().to_string()));
    (config, env)
}

pub fn env_refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The IDs a config file watches, in its order.
pub fn watched_ids(config: &Path) -> Vec<String> {
    coctop::config::load(config)
        .unwrap()
        .watch
        .into_iter()
        .map(|w| w.id.to_string())
        .collect()
}

/// Every step of a ticket, read through the one pager.
pub fn all_steps(sim: &Sim, id: &str) -> Vec<coctop::coc::Step> {
    sim.block_on(read_steps(&sim.client(), id))
}

/// Every host of a step, read through the one pager.
pub fn all_instances(sim: &Sim, step_id: &str) -> Vec<coctop::coc::Instance> {
    sim.block_on(read_instances(&sim.client(), step_id))
}

/// `all_steps` inside async code.
pub async fn read_steps(client: &Client, id: &str) -> Vec<coctop::coc::Step> {
    use coctop::watch::{Limits, Pacer, Pager, no_marker, read_all};
    read_all(
        &Pacer::new(1000.0),
        Pager::offsets(Limits::STEPS),
        |s: &coctop::coc::Step| s.execution_step_id.as_deref().map(Into::into),
        no_marker,
        |page| client.list_steps(id, page.limit, page.offset()),
    )
    .await
    .unwrap()
}

/// `all_instances` inside async code.
pub async fn read_instances(client: &Client, step_id: &str) -> Vec<coctop::coc::Instance> {
    use coctop::watch::{Limits, Pacer, Pager, no_marker, read_all};
    read_all(
        &Pacer::new(1000.0),
        Pager::offsets(Limits::INSTANCES),
        |i| coctop::hosts::key(i).map(Into::into),
        no_marker,
        |page| client.list_instances(step_id, page.limit, page.offset()),
    )
    .await
    .unwrap()
}

/// Every host of a script ticket's batch, read by marker through the one pager.
pub async fn read_batch_hosts(
    client: &Client,
    uuid: &str,
    batch: u32,
) -> Result<Vec<coctop::coc::ScriptHost>, coctop::coc::ApiError> {
    use coctop::coc::{ScriptHost, ScriptHostQuery};
    use coctop::watch::{Limits, Pacer, Pager, read_all};
    read_all(
        &Pacer::new(1000.0),
        Pager::markers(Limits::BATCH_HOSTS),
        ScriptHost::key,
        ScriptHost::marker,
        |page| async move {
            let query = ScriptHostQuery::at(None, &page);
            client.list_script_hosts(uuid, batch, &query).await
        },
    )
    .await
}

/// The reference written `text` (`EX…` or `script/UUID`).
pub fn r(text: &str) -> coctop::coc::TicketRef {
    coctop::coc::TicketRef::parse(text).unwrap()
}

/// The references written `ids`.
pub fn refs(ids: &[String]) -> Vec<coctop::coc::TicketRef> {
    ids.iter().map(|id| r(id)).collect()
}
