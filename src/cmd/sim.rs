//! `coctop sim`: run the simulator until a signal ends it.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::{report, usage_error};
use crate::coc::Secret;
use crate::exit::Exit;
use crate::sim::{self, SimOptions};

/// Where the simulator's access key and secret come from: `--ak`, and `--sk`
/// (or `COCTOP_SIM_SK`, which `ps` does not show) or `--sk-file`.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    pub ak: Option<String>,
    pub sk: Option<Secret>,
    pub sk_file: Option<PathBuf>,
}

impl Keys {
    /// The `(ak, sk)` pair to require, if any; an error when only half is given or the
    /// file cannot be read.
    fn resolve(self) -> Result<Option<(String, Secret)>, String> {
        let sk = match (self.sk, self.sk_file) {
            (Some(sk), _) => Some(sk),
            (None, Some(path)) => Some(read_secret_file(&path)?),
            (None, None) => None,
        };
        match (self.ak, sk) {
            (Some(ak), Some(sk)) => Ok(Some((ak, sk))),
            (None, None) => Ok(None),
            (Some(_), None) => {
                Err("--ak needs a secret key: --sk, COCTOP_SIM_SK or --sk-file".into())
            }
            (None, Some(_)) => {
                Err("a secret key (--sk, COCTOP_SIM_SK or --sk-file) needs --ak".into())
            }
        }
    }
}

/// A secret key is one short line; `/dev/zero` is endless.
const MAX_SK_FILE_BYTES: u64 = 64 << 10;

/// The file's first line; the file must not be empty.
fn read_secret_file(path: &std::path::Path) -> Result<Secret, String> {
    let bytes = crate::files::read(path, MAX_SK_FILE_BYTES)
        .map_err(|e| format!("--sk-file {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("--sk-file {}: not UTF-8 text", path.display()))?;
    let sk = text.lines().next().unwrap_or_default();
    if sk.is_empty() {
        return Err(format!(
            "--sk-file {}: the first line is empty",
            path.display()
        ));
    }
    Ok(Secret::new(sk))
}

/// `coctop sim`: serve until Ctrl-C, SIGTERM, SIGHUP or SIGQUIT.
pub fn run(listen: SocketAddr, mut options: SimOptions, keys: Keys) -> Exit {
    let checked = keys.resolve().and_then(|credentials| {
        options.credentials = credentials;
        options.validate()
    });
    if let Err(e) = checked {
        report(&format!("sim: {e}"));
        return Exit::Usage;
    }
    if options.credentials.is_none() && !listen.ip().is_loopback() {
        report(&format!(
            "sim: warning: listening on {listen}, beyond this machine, with no --ak/--sk: \
             anyone who reaches it can read and operate its tickets"
        ));
    }
    let runtime = match super::server_runtime("sim") {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    runtime.block_on(async {
        let summary = options.summary();
        let handle = match sim::start(listen, options).await {
            Ok(handle) => handle,
            Err(e) => return usage_error(&format!("sim: cannot listen on {listen}: {e}")),
        };
        let banner = format!("coctop sim listening on {}\n{summary}\n", handle.base_url());
        let exit = super::serve_until_signal(&banner).await;
        handle.stop().await;
        exit
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_comes_from_the_flag_or_the_first_line_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sk");
        std::fs::write(&file, "from-file\nignored\n").unwrap();
        let keys = |sk: Option<&str>, sk_file: Option<PathBuf>| Keys {
            ak: Some("AK".into()),
            sk: sk.map(Secret::new),
            sk_file,
        };
        let (_, sk) = keys(None, Some(file.clone())).resolve().unwrap().unwrap();
        assert_eq!(sk, Secret::new("from-file"));
        let (_, sk) = keys(Some("flag"), None).resolve().unwrap().unwrap();
        assert_eq!(sk, Secret::new("flag"));
        assert!(keys(None, None).resolve().is_err());
        std::fs::write(&file, "\n").unwrap();
        assert!(keys(None, Some(file)).resolve().is_err());
        assert_eq!(Keys::default().resolve(), Ok(None));
    }
}
