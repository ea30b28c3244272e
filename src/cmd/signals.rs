//! The signals that end a headless command (`get`, `wait`, `sim`).

use crate::exit::Exit;

/// Resolves with `Exit::Signal(n)` on the first SIGINT, SIGTERM, SIGHUP or SIGQUIT, so
/// the command ends through its own code (its exit code 128 + n) instead of being
/// killed mid-write. Pending forever if no handler can be installed.
pub async fn ending_signal() -> Exit {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        SignalKind::interrupt(),
        SignalKind::terminate(),
        SignalKind::hangup(),
        SignalKind::quit(),
    ];
    let mut streams = Vec::new();
    for kind in kinds {
        if let Ok(stream) = signal(kind) {
            streams.push((kind.as_raw_value(), stream));
        }
    }
    if streams.is_empty() {
        return std::future::pending().await;
    }
    let received = streams.iter_mut().map(|(number, stream)| {
        let number = *number;
        Box::pin(async move {
            stream.recv().await;
            number
        })
    });
    let (number, _, _) = futures::future::select_all(received).await;
    Exit::Signal(number)
}
