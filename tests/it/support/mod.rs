//! Shared helpers for the integration tests: a simulator on loopback, the real binary.
#![allow(dead_code)]

pub mod pty;

use std::path::Path;
use std::process::{Command, Output};

use coctop::coc::{Auth, Client, ClientConfig, Endpoint};
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
