//! Several engines behind one `EngineHandle`, for a dashboard over several profiles:
//! each profile keeps its own engine (its own pacer, its own authentication gate), and
//! the dashboard sees one stream of updates and sends one stream of commands. A
//! command about a ticket goes to the engine that reported it; a refused key stops
//! only its engine, and its tickets show why.

use std::collections::HashMap;
use std::time::SystemTime;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::{Command, EngineHandle, HealthUpdate, Reply, TicketUpdate, Update};
use crate::coc::{ApiError, TicketRef};

/// One profile's engine, or why it has none (its credentials are missing).
pub struct ProfileEngine {
    pub name: String,
    pub engine: Result<EngineHandle, String>,
    /// The tickets its config names: they are its own before any update says so.
    pub watched: Vec<TicketRef>,
}

/// One handle over every profile's engine. Commands about a ticket nobody reported yet
/// and no `Command::Belongs` placed (a browse page without `profile=`) go to the first
/// profile.
pub fn merge(profiles: Vec<ProfileEngine>) -> EngineHandle {
    let (commands, mut command_rx) = unbounded_channel::<Command>();
    let (update_tx, updates) = unbounded_channel();
    let (tagged_tx, mut tagged_rx) = unbounded_channel::<(usize, Update)>();
    let mut router = Router {
        names: profiles.iter().map(|p| p.name.clone()).collect(),
        owners: HashMap::new(),
        engines: Vec::new(),
        out: update_tx,
    };
    let mut tasks = Vec::new();
    for (index, profile) in profiles.into_iter().enumerate() {
        for id in &profile.watched {
            router.owners.insert(id.clone(), index);
        }
        match profile.engine {
            Ok(EngineHandle {
                commands,
                mut updates,
                task,
            }) => {
                let tagged = tagged_tx.clone();
                tasks.push(task);
                tokio::spawn(async move {
                    while let Some(update) = updates.recv().await {
                        if tagged.send((index, update)).is_err() {
                            break;
                        }
                    }
                });
                router.engines.push(Ok(commands));
            }
            Err(why) => {
                router.stopped(index, ApiError::Credentials(why.clone()), &profile.watched);
                router.engines.push(Err(why));
            }
        }
    }
    drop(tagged_tx);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                command = command_rx.recv() => match command {
                    Some(Command::Shutdown) | None => break,
                    Some(command) => router.send(command),
                },
                tagged = tagged_rx.recv() => match tagged {
                    Some((index, update)) => {
                        if !router.forward(index, update) {
                            break;
                        }
                    }
                    None => break,
                },
            }
        }
        router.broadcast(&Command::Shutdown);
        for task in tasks {
            let _ = task.await;
        }
    });
    EngineHandle {
        commands,
        updates,
        task,
    }
}

struct Router {
    names: Vec<String>,
    /// Which profile each ticket belongs to, as its engine reported it.
    owners: HashMap<TicketRef, usize>,
    /// Each profile's commands, or why it has no engine.
    engines: Vec<Result<UnboundedSender<Command>, String>>,
    out: UnboundedSender<Update>,
}

impl Router {
    fn send(&mut self, command: Command) {
        let about = match &command {
            Command::Refresh(id)
            | Command::Add(id)
            | Command::AddKnown(id, _)
            | Command::Remove(id)
            | Command::FetchDetails(id)
            | Command::Follow(Some(id))
            | Command::FetchInstances { id, .. }
            | Command::FetchBatchHosts { id, .. }
            | Command::Operate { id, .. }
            | Command::Start { from: id, .. } => Some(id),
            Command::Browse { query, .. } => return self.browse(command.clone(), query),
            Command::Belongs { id, profile } => {
                if let Some(index) = self.names.iter().position(|n| **n == **profile) {
                    self.owners.insert(id.clone(), index);
                }
                return;
            }
            Command::AddQuery { .. } => None,
            Command::RefreshAll | Command::Follow(None) | Command::Shutdown => {
                return self.broadcast(&command);
            }
        };
        let index = about.and_then(|id| self.owners.get(id)).copied();
        if matches!(command, Command::Follow(Some(_))) {
            // The others stop following whatever they followed.
            self.broadcast(&Command::Follow(None));
        }
        if let Some(Ok(engine)) = self.engines.get(index.unwrap_or(0)) {
            let _ = engine.send(command);
        }
    }

    /// A browse page from the profile its filter names (`profile=name`), else the
    /// first's.
    fn browse(&self, command: Command, query: &crate::query::TicketQuery) {
        let index = match &query.profile {
            None => Some(0),
            Some(name) => self.names.iter().position(|n| n == name),
        };
        let why = match index.and_then(|i| Some((i, self.engines.get(i)?))) {
            Some((_, Ok(engine))) => {
                let _ = engine.send(command);
                return;
            }
            Some((i, Err(why))) => ApiError::ProfileStopped {
                profile: self.names[i].clone(),
                cause: Box::new(ApiError::Credentials(why.clone())),
            },
            None => ApiError::NoSuchProfile {
                name: query.profile.clone().unwrap_or_default(),
                known: self.names.clone(),
            },
        };
        let Command::Browse {
            generation,
            kind,
            page,
            ..
        } = command
        else {
            return;
        };
        let _ = self.out.send(Update::Reply(Reply::BrowsePage {
            generation,
            kind,
            page,
            result: Err(why),
            at: SystemTime::now(),
        }));
    }

    fn broadcast(&self, command: &Command) {
        for engine in self.engines.iter().filter_map(|e| e.as_ref().ok()) {
            let _ = engine.send(command.clone());
        }
    }

    /// Passes on one engine's update; `false` when nobody listens any more.
    fn forward(&mut self, index: usize, update: Update) -> bool {
        match &update {
            Update::Ticket(
                TicketUpdate::Snapshot { id, .. }
                | TicketUpdate::Error { id, .. }
                | TicketUpdate::Joined { id, .. },
            ) => {
                self.owners.insert(id.clone(), index);
            }
            Update::Reply(Reply::BrowsePage {
                result: Ok(page), ..
            }) => {
                // Opened from the browse view, a ticket is this profile's.
                for ticket in &page.rows {
                    let id = TicketRef::listed(ticket.kind(), ticket.id());
                    self.owners.entry(id).or_insert(index);
                }
            }
            Update::Reply(Reply::Started {
                result: Ok(started),
                ..
            }) => {
                // A run again starts in the profile of the ticket it repeats.
                if let Ok(id) = TicketRef::execution(started) {
                    self.owners.insert(id, index);
                }
            }
            Update::Health(HealthUpdate::AuthFailed { error, .. }) => {
                // Not the whole dashboard's: only this profile's tickets stop.
                let error = error.clone();
                let mine: Vec<TicketRef> = self
                    .owners
                    .iter()
                    .filter(|(_, owner)| **owner == index)
                    .map(|(id, _)| id.clone())
                    .collect();
                self.stopped(index, error, &mine);
                return !self.out.is_closed();
            }
            _ => {}
        }
        self.out.send(update).is_ok()
    }

    /// Profile `index` polls no more: each of its tickets shows why.
    fn stopped(&self, index: usize, error: ApiError, tickets: &[TicketRef]) {
        let error = ApiError::ProfileStopped {
            profile: self.names[index].clone(),
            cause: Box::new(error),
        };
        let at = SystemTime::now();
        for id in tickets {
            let _ = self.out.send(Update::Ticket(TicketUpdate::Error {
                id: id.clone(),
                error: error.clone(),
                last_good: None,
                at,
            }));
        }
        // Also when none of its tickets is on screen (a query's first page refused).
        let _ = self.out.send(Update::Health(HealthUpdate::ProfileStopped {
            profile: self.names[index].clone(),
            error,
            at,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::UnboundedReceiver;

    use crate::query::TicketQuery;
    use crate::watch::{Cursor, PageAt};

    /// The browse page's answer when the filter names `profile`.
    async fn browse_answer(handle: &mut EngineHandle, profile: &str) -> ApiError {
        let query = TicketQuery {
            profile: Some(profile.into()),
            ..TicketQuery::default()
        };
        let page = PageAt {
            cursor: Cursor::Offset(0),
            limit: 10,
        };
        let browse = Command::Browse {
            generation: 7,
            kind: crate::coc::TicketKind::Execution,
            query: Box::new(query),
            page,
        };
        handle.commands.send(browse).unwrap();
        loop {
            match handle.updates.recv().await.unwrap() {
                Update::Reply(Reply::BrowsePage {
                    generation: 7,
                    result: Err(error),
                    ..
                }) => return error,
                _ => continue,
            }
        }
    }

    /// A profile's engine that the test drives: what it was sent, and its updates.
    fn driven(
        name: &str,
    ) -> (
        ProfileEngine,
        UnboundedReceiver<Command>,
        UnboundedSender<Update>,
    ) {
        let (commands, asked) = unbounded_channel();
        let (says, updates) = unbounded_channel();
        let engine = ProfileEngine {
            name: name.into(),
            engine: Ok(EngineHandle {
                commands,
                updates,
                task: tokio::spawn(async {}),
            }),
            watched: Vec::new(),
        };
        (engine, asked, says)
    }

    #[tokio::test]
    async fn a_ticket_started_again_in_a_profile_is_polled_by_that_profile() {
        let (prod, mut prod_asked, _prod_says) = driven("prod");
        let (staging, mut staging_asked, staging_says) = driven("staging");
        let mut handle = merge(vec![prod, staging]);
        let run = crate::launch::JobRun {
            document_id: "DOC1".into(),
            name: None,
            request: Default::default(),
        };
        staging_says
            .send(Update::Reply(Reply::Started {
                from: TicketRef::parse("EX1").unwrap(),
                run: std::sync::Arc::new(run),
                result: Ok("EX2".into()),
                at: SystemTime::now(),
            }))
            .unwrap();
        assert!(matches!(
            handle.updates.recv().await,
            Some(Update::Reply(Reply::Started { .. }))
        ));
        let started = TicketRef::parse("EX2").unwrap();
        handle.commands.send(Command::Add(started.clone())).unwrap();
        let asked = tokio::time::timeout(std::time::Duration::from_secs(5), staging_asked.recv());
        match asked.await {
            Ok(Some(Command::Add(id))) => assert_eq!(id, started),
            other => panic!("{other:?}"),
        }
        assert!(prod_asked.try_recv().is_err(), "prod is not asked");
        handle.commands.send(Command::Shutdown).unwrap();
    }

    #[tokio::test]
    async fn a_ticket_said_to_be_a_profiles_is_polled_by_that_profile() {
        let (prod, mut prod_asked, _prod_says) = driven("prod");
        let (staging, mut staging_asked, _staging_says) = driven("staging");
        let handle = merge(vec![prod, staging]);
        let added = TicketRef::parse("EX9").unwrap();
        let belongs = Command::Belongs {
            id: added.clone(),
            profile: "staging".into(),
        };
        handle.commands.send(belongs).unwrap();
        handle.commands.send(Command::Add(added.clone())).unwrap();
        let asked = tokio::time::timeout(std::time::Duration::from_secs(5), staging_asked.recv());
        match asked.await {
            Ok(Some(Command::Add(id))) => assert_eq!(id, added),
            other => panic!("{other:?}"),
        }
        assert!(prod_asked.try_recv().is_err(), "prod is not asked");
        handle.commands.send(Command::Shutdown).unwrap();
    }

    #[tokio::test]
    async fn a_browse_page_of_an_unknown_or_keyless_profile_says_which_and_why() {
        let keyless = |name: &str| ProfileEngine {
            name: name.to_string(),
            engine: Err("no credentials: set STAGING_AK".into()),
            watched: Vec::new(),
        };
        // prod's engine is idle: it keeps the merged one running.
        let (prod_commands, _prod_asked) = unbounded_channel();
        let (_prod_says, prod_updates) = unbounded_channel();
        let prod = ProfileEngine {
            name: "prod".into(),
            engine: Ok(EngineHandle {
                commands: prod_commands,
                updates: prod_updates,
                task: tokio::spawn(async {}),
            }),
            watched: Vec::new(),
        };
        let mut handle = merge(vec![prod, keyless("staging")]);
        match browse_answer(&mut handle, "stagng").await {
            ApiError::NoSuchProfile { name, known } => {
                assert_eq!(
                    (name.as_str(), known),
                    ("stagng", vec!["prod".into(), "staging".into()])
                );
            }
            other => panic!("{other:?}"),
        }
        match browse_answer(&mut handle, "staging").await {
            ApiError::ProfileStopped { profile, cause } => {
                assert_eq!(profile, "staging");
                assert!(cause.to_string().contains("STAGING_AK"), "{cause}");
            }
            other => panic!("{other:?}"),
        }
        handle.commands.send(Command::Shutdown).unwrap();
    }
}
