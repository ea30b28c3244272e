//! The signals that end a headless command (`get`, `wait`, `sim`).

use crate::exit::Exit;

/// Resolves with `Exit::Signal(n)` on the first SIGINT, SIGTERM, SIGHUP or SIGQUIT, so
/// the command ends through its own code (its exit code 128 + n) instead of being
/// killed mid-write. Pending forever if no handler can be installed.
pub async fn ending_signal() -> Exit {
    listen().recv().await
}

/// The handlers, installed now: a signal that comes before anyone waits for it is
/// kept, not left to kill the process.
pub fn listen() -> EndingSignals {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        SignalKind::interrupt(),
        SignalKind::terminate(),
        SignalKind::hangup(),
        SignalKind::quit(),
    ];
    EndingSignals(
        kinds
            .into_iter()
            .filter_map(|kind| Some((kind.as_raw_value(), signal(kind).ok()?)))
            .collect(),
    )
}

pub struct EndingSignals(Vec<(i32, tokio::signal::unix::Signal)>);

impl EndingSignals {
    pub async fn recv(mut self) -> Exit {
        if self.0.is_empty() {
            return std::future::pending().await;
        }
        let received = self.0.iter_mut().map(|(number, stream)| {
            let number = *number;
            Box::pin(async move {
                stream.recv().await;
                number
            })
        });
        let (number, _, _) = futures::future::select_all(received).await;
        Exit::Signal(number)
    }
}
