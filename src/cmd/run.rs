//! `coctop run JOB [--version V] [--param KEY=VALUE]... [--target-param NAME --target
//! ID...] [--description TEXT] [--yes] [--follow]`, and `coctop run --script UUID`:
//! starts a job (or a script) and prints the new ticket's ID alone on stdout. Shown in
//! full and confirmed on a terminal, refused without one unless `--yes`, impossible in
//! read-only mode, sent once and never retried, one line in the log file. `--follow`
//! then follows the new ticket exactly as `coctop wait` does.

use std::io::IsTerminal;

use super::wait::{WaitFormat, WaitOptions};
use super::{Globals, ask, init_logging, output, read_only_reason, report, session, usage_error};
use crate::coc::{ApiError, Client, DocumentDetail, DocumentQuery, SCRIPT_PREFIX};
use crate::exit::Exit;
use crate::launch::{self, Chosen, JobRun, RunArgs, RunOutcome, ScriptRun};
use crate::wait::DEFAULT_GIVE_UP;
use crate::watch::Pacer;

/// What to start.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// A job by its document ID or its name.
    Job(String),
    /// A script by its UUID.
    Script(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub start: Start,
    pub args: RunArgs,
    pub yes: bool,
    pub follow: bool,
}

/// Documents a name is looked for among (one page of `GET /v1/documents`).
const NAME_MATCHES: u32 = 100;

pub fn run(globals: &Globals, options: &RunOptions) -> Exit {
    let (config, client, rt) = match session(globals) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let _log_guard = init_logging();
    let to = super::operate::destination(&config, client.config());
    let to = to.as_ref();
    let asked_for = match &options.start {
        Start::Job(job) => format!("RUN {}", crate::text::reveal(job)),
        Start::Script(uuid) => format!("RUN script {}", crate::text::reveal(uuid)),
    };
    if let Some(why) = read_only_reason(globals, Some(&config)) {
        launch::log(&asked_for, to, &RunOutcome::ReadOnly);
        return usage_error(&format!("read-only ({why}): {asked_for} not sent"));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !interactive && !options.yes {
        return usage_error(&format!(
            "no terminal to confirm {asked_for} on: nothing sent; add --yes to send it without asking"
        ));
    }
    let pacer = Pacer::new(config.poll.max_rps);
    let prepared = match &options.start {
        Start::Job(job) => rt
            .block_on(find_job(
                &client,
                &pacer,
                job,
                options.args.version.as_deref(),
            ))
            .and_then(|document| {
                JobRun::new(&document, options.args.clone()).map_err(|e| usage_error(&e))
            })
            .map(Prepared::Job),
        Start::Script(uuid) => ScriptRun::new(uuid, options.args.clone())
            .map(Prepared::Script)
            .map_err(|e| usage_error(&e)),
    };
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(exit) => return exit,
    };
    let what = prepared.what();
    if !options.yes {
        let question = format!("{}\nStart it? [y/N] ", prepared.describe().join("\n"));
        let answer = ask(&question, &mut std::io::stdin().lock());
        if !answer.as_deref().is_some_and(launch::confirmed) {
            launch::log(&what, to, &RunOutcome::Declined);
            report(&format!("{what}: not sent"));
            return Exit::Usage;
        }
    }
    let outcome = RunOutcome::of(rt.block_on(prepared.send(&client)));
    launch::log(&what, to, &outcome);
    match &outcome {
        RunOutcome::Started(id) => {
            let id = match &prepared {
                Prepared::Job(_) => id.clone(),
                Prepared::Script(_) => format!("{SCRIPT_PREFIX}{id}"),
            };
            if let Err(exit) = output::print(&format!("{id}\n")) {
                return exit;
            }
            drop(rt);
            match options.follow {
                true => super::wait::run(globals, &[id], &follow_options()),
                false => Exit::Success,
            }
        }
        RunOutcome::Refused(error) => {
            report(&format!("{what}: {outcome}"));
            Exit::from(error)
        }
        RunOutcome::Unknown(_) => {
            report(&format!("{what}: {outcome}"));
            if let Prepared::Job(job) = &prepared {
                report(&format!(
                    "to find it: coctop list --job-id {} --since 2m",
                    crate::text::reveal(&job.document_id)
                ));
            }
            Exit::Fetch
        }
        RunOutcome::NotSent(why) => {
            report(&format!("{what}: {outcome}"));
            Exit::from(&ApiError::NotSent(why.clone()))
        }
        RunOutcome::ReadOnly => usage_error(&format!("{what}: {outcome}")),
        RunOutcome::Declined => Exit::Usage,
    }
}

/// `wait`'s own defaults: `--follow` follows as `coctop wait ID` would.
fn follow_options() -> WaitOptions {
    WaitOptions {
        interval: None,
        timeout: None,
        format: WaitFormat::Text,
        query: None,
        follow: false,
        give_up: DEFAULT_GIVE_UP,
        notify: false,
    }
}

/// A job or a script, ready to send.
enum Prepared {
    Job(JobRun),
    Script(ScriptRun),
}

impl Prepared {
    fn what(&self) -> String {
        match self {
            Prepared::Job(run) => run.what(),
            Prepared::Script(run) => run.what(),
        }
    }

    fn describe(&self) -> Vec<String> {
        match self {
            Prepared::Job(run) => run.describe(),
            Prepared::Script(run) => run.describe(),
        }
    }

    /// The POST, once.
    async fn send(&self, client: &Client) -> Result<String, ApiError> {
        match self {
            Prepared::Job(run) => {
                client
                    .execute_document(&run.document_id, &run.request)
                    .await
            }
            Prepared::Script(run) => client.execute_script(&run.script_uuid, &run.request).await,
        }
    }
}

/// The document `job` names: a document ID, else a name the list finds once (exactly,
/// or as the only one containing it); at `version` when given.
async fn find_job(
    client: &Client,
    pacer: &Pacer,
    job: &str,
    version: Option<&str>,
) -> Result<DocumentDetail, Exit> {
    let fetch_failed = |error: ApiError| {
        report(&format!("job {}: {error}", crate::text::reveal(job)));
        Exit::from(&error)
    };
    let by_id = match crate::coc::validate_execution_id(job) {
        Ok(()) => {
            pacer.turn().await;
            match client.get_document(job, None).await {
                Ok(document) => Some(document),
                // Not an ID after all (or not this account's): a name, then.
                Err(error) if names_no_document(&error) => None,
                Err(error) => return Err(fetch_failed(error)),
            }
        }
        Err(_) => None,
    };
    let document = match by_id {
        Some(document) => document,
        None => {
            pacer.turn().await;
            let query = DocumentQuery {
                limit: Some(NAME_MATCHES),
                name_like: Some(job.to_string()),
                ..DocumentQuery::default()
            };
            let found = client.list_documents(&query).await.map_err(fetch_failed)?;
            match launch::choose(job, found.data) {
                Chosen::One(summary) => {
                    pacer.turn().await;
                    client
                        .get_document(&summary.document_id, None)
                        .await
                        .map_err(fetch_failed)?
                }
                Chosen::NoneFound => {
                    return Err(usage_error(&format!(
                        "no job has the ID or a name like {}",
                        crate::text::reveal(job)
                    )));
                }
                Chosen::Several(found) => {
                    report(&format!(
                        "{} jobs have a name like {}; give one's ID or its whole name:",
                        found.len(),
                        crate::text::reveal(job)
                    ));
                    for line in launch::candidates(&found) {
                        report(&line);
                    }
                    return Err(Exit::Usage);
                }
            }
        }
    };
    match version {
        Some(version) if document.version.as_deref() != Some(version) => {
            pacer.turn().await;
            client
                .get_document(&document.document_id, Some(version))
                .await
                .map_err(|error| {
                    report(&format!(
                        "job {} version {}: {error}",
                        crate::text::reveal(&document.document_id),
                        crate::text::reveal(version)
                    ));
                    Exit::from(&error)
                })
        }
        _ => Ok(document),
    }
}

/// The service's answer to an ID it has no document for: a 4xx refusal (not of the
/// credentials, not throttling).
fn names_no_document(error: &ApiError) -> bool {
    let refused = error
        .http_status()
        .is_some_and(|s| (400..500).contains(&s) && s != 429);
    !error.is_auth() && (refused || matches!(error, ApiError::NotFound { .. }))
}
