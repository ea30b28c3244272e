//! `/events`: every status change as one JSON object a line, to every reader at once.
//!
//! Readers share one bounded queue: one that falls behind by more than `BACKLOG`
//! changes loses the oldest and is told how many (`{"event": "lagged", "missed": N}`),
//! so a slow reader can never hold the server's memory. A blank line goes out when
//! nothing else has for `KEEP_ALIVE`, so proxies and the server's own stall guard keep
//! an idle stream open. At most `MAX_READERS` streams are open at once: each holds a
//! connection for as long as it likes, and `/metrics` and `/healthz` need some too.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::Stream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};

use super::board::Change;
use crate::jsonl;

/// Changes a reader may fall behind by before it loses some.
const BACKLOG: usize = 4096;

/// A blank line after this long without anything else.
pub const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// Streams open at once; a quarter of the server's connections
/// (`server::Limits::DEFAULT`), so readers that never leave cannot starve a scrape.
pub const MAX_READERS: usize = 64;

pub struct Events {
    sender: broadcast::Sender<Arc<str>>,
    /// True once the server is stopping: every stream ends.
    closed: watch::Sender<bool>,
    /// One permit per open stream.
    readers: Arc<Semaphore>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            sender: broadcast::channel(BACKLOG).0,
            closed: watch::channel(false).0,
            readers: Arc::new(Semaphore::new(MAX_READERS)),
        }
    }
}

impl Events {
    /// Tells `change` to every reader connected now.
    pub fn publish(&self, change: &Change) {
        // No reader: nobody to tell.
        let _ = self.sender.send(change_line(change).into());
    }

    /// Ends every stream.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// The lines of every change from now on, as a body to stream; `None` while
    /// `MAX_READERS` streams are open.
    pub fn stream(
        &self,
    ) -> Option<impl Stream<Item = Result<String, Infallible>> + Send + 'static> {
        let reader: OwnedSemaphorePermit = self.readers.clone().try_acquire_owned().ok()?;
        let state = (self.sender.subscribe(), self.closed.subscribe(), reader);
        Some(futures::stream::unfold(
            state,
            |(mut receiver, mut closed, reader)| async move {
                let line = tokio::select! {
                    _ = closed.wait_for(|closed| *closed) => return None,
                    received = receiver.recv() => match received {
                        Ok(line) => line.to_string(),
                        Err(broadcast::error::RecvError::Lagged(missed)) => {
                            jsonl::lagged(SystemTime::now(), missed)
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    () = tokio::time::sleep(KEEP_ALIVE) => "\n".to_string(),
                };
                Some((Ok(line), (receiver, closed, reader)))
            },
        ))
    }
}

/// A change as `/events` writes it.
fn change_line(change: &Change) -> String {
    jsonl::change(&jsonl::Change {
        at: change.at,
        profile: Some(&change.profile),
        kind: change.id.kind(),
        id: change.id.id(),
        name: &change.name,
        from: change.from.as_ref(),
        to: &change.to,
    })
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;
    use crate::coc::{ScriptStatus, Status, TicketRef};

    fn change(id: &str) -> Change {
        Change {
            at: SystemTime::UNIX_EPOCH,
            profile: "prod".into(),
            id: TicketRef::parse(id).unwrap(),
            name: "Restart".into(),
            from: Some(Status::Running.into()),
            to: Status::Failed.into(),
        }
    }

    #[test]
    fn a_change_names_its_profile_and_its_ticket_s_kind() {
        let value: serde_json::Value = serde_json::from_str(&change_line(&change("EX1"))).unwrap();
        assert_eq!(
            (&value["profile"], &value["kind"], &value["id"]),
            (&"prod".into(), &"execution".into(), &"EX1".into())
        );
        let script = Change {
            from: Some(ScriptStatus::Processing.into()),
            to: ScriptStatus::Abnormal.into(),
            ..change("script/JS1")
        };
        let value: serde_json::Value = serde_json::from_str(&change_line(&script)).unwrap();
        assert_eq!(
            (&value["kind"], &value["id"], &value["from"], &value["to"]),
            (
                &"script".into(),
                &"JS1".into(),
                &"PROCESSING".into(),
                &"ABNORMAL".into()
            )
        );
    }

    #[test]
    fn past_max_readers_a_stream_is_refused_until_one_ends() {
        let events = Events::default();
        let open: Vec<_> = (0..MAX_READERS).map(|_| events.stream().unwrap()).collect();
        assert!(events.stream().is_none());
        drop(open);
        assert!(events.stream().is_some(), "a permit back with each stream");
    }

    #[tokio::test]
    async fn a_reader_that_falls_behind_is_told_how_many_it_missed() {
        let events = Events::default();
        let mut stream = Box::pin(events.stream().unwrap());
        for i in 0..BACKLOG + 3 {
            events.publish(&change(&format!("EX{i}")));
        }
        let first = stream.next().await.unwrap().unwrap();
        let value: serde_json::Value = serde_json::from_str(&first).unwrap();
        assert_eq!(value["event"], "lagged");
        assert_eq!(value["missed"], 3);
        let next = stream.next().await.unwrap().unwrap();
        assert!(next.contains("\"id\":\"EX3\""), "{next}");
    }
}
