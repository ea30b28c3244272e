//! Several engines behind one `EngineHandle`, for a dashboard over several profiles:
//! each profile keeps its own engine (its own pacer, its own authentication gate), and
//! the dashboard sees one stream of updates and sends one stream of commands. A
//! command about a ticket goes to the engine that reported it; a refused key stops
//! only its engine, and its tickets show why.

use std::collections::HashMap;
use std::time::SystemTime;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::{Command, EngineHandle, HealthUpdate, Reply, TicketUpdate, Update};
use crate::coc::ApiError;

/// One profile's engine, or why it has none (its credentials are missing).
pub struct ProfileEngine {
    pub name: String,
    pub engine: Result<EngineHandle, String>,
    /// The tickets its config names: they are its own before any update says so.
    pub watched: Vec<String>,
}

/// One handle over every profile's engine. Commands about a ticket nobody reported yet
/// (a ticket added by hand, a browse page) go to the first profile.
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
                router.engines.push(Some(commands));
            }
            Err(why) => {
                router.engines.push(None);
                router.stopped(index, ApiError::Credentials(why), &profile.watched);
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
    owners: HashMap<String, usize>,
    /// Each profile's commands; `None`: it has no engine.
    engines: Vec<Option<UnboundedSender<Command>>>,
    out: UnboundedSender<Update>,
}

impl Router {
    fn send(&self, command: Command) {
        let about = match &command {
            Command::Refresh(id)
            | Command::Add(id)
            | Command::Remove(id)
            | Command::FetchSteps(id)
            | Command::FollowSteps(Some(id))
            | Command::FetchInstances {
                execution_id: id, ..
            }
            | Command::Operate {
                execution_id: id, ..
            } => Some(id.as_str()),
            Command::AddKnown(ticket) => Some(ticket.execution_id.as_str()),
            Command::Browse { query, .. } => return self.browse(command.clone(), query),
            Command::AddQuery { .. } => None,
            Command::RefreshAll | Command::FollowSteps(None) | Command::Shutdown => {
                return self.broadcast(&command);
            }
        };
        let index = about.and_then(|id| self.owners.get(id)).copied();
        if matches!(command, Command::FollowSteps(Some(_))) {
            // The others stop following whatever they followed.
            self.broadcast(&Command::FollowSteps(None));
        }
        if let Some(Some(engine)) = self.engines.get(index.unwrap_or(0)) {
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
        let engine = index.and_then(|i| self.engines.get(i)?.as_ref());
        if let Some(engine) = engine {
            let _ = engine.send(command);
            return;
        }
        let Command::Browse {
            generation, page, ..
        } = command
        else {
            return;
        };
        let why = match (&query.profile, index) {
            (Some(name), None) => {
                let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
                let hint = crate::text::nearest(name, &names)
                    .map(|near| format!(" (did you mean {near:?}?)"))
                    .unwrap_or_default();
                format!(
                    "no profile named {name:?}{hint}; there are: {}",
                    names.join(", ")
                )
            }
            _ => "this profile has no credentials: it reads nothing".to_string(),
        };
        let _ = self.out.send(Update::Reply(Reply::BrowsePage {
            generation,
            page,
            result: Err(ApiError::Credentials(why)),
            at: SystemTime::now(),
        }));
    }

    fn broadcast(&self, command: &Command) {
        for engine in self.engines.iter().flatten() {
            let _ = engine.send(command.clone());
        }
    }

    /// Passes on one engine's update; `false` when nobody listens any more.
    fn forward(&mut self, index: usize, update: Update) -> bool {
        match &update {
            Update::Ticket(
                TicketUpdate::Snapshot { execution_id, .. }
                | TicketUpdate::Error { execution_id, .. }
                | TicketUpdate::Joined { execution_id, .. },
            ) => {
                self.owners.insert(execution_id.clone(), index);
            }
            Update::Reply(Reply::BrowsePage {
                result: Ok(page), ..
            }) => {
                // Opened from the browse view, a ticket is this profile's.
                for ticket in &page.data {
                    self.owners
                        .entry(ticket.execution_id.clone())
                        .or_insert(index);
                }
            }
            Update::Health(HealthUpdate::AuthFailed { error, .. }) => {
                // Not the whole dashboard's: only this profile's tickets stop.
                let error = error.clone();
                let mine: Vec<String> = self
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
    fn stopped(&self, index: usize, error: ApiError, tickets: &[String]) {
        let error = ApiError::ProfileStopped {
            profile: self.names[index].clone(),
            cause: Box::new(error),
        };
        let at = SystemTime::now();
        for id in tickets {
            let _ = self.out.send(Update::Ticket(TicketUpdate::Error {
                execution_id: id.clone(),
                error: error.clone(),
                last_good: None,
                at,
            }));
        }
    }
}
