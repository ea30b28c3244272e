//! The real `coc::Client` against the real simulator over HTTP on 127.0.0.1, with AK/SK
//! signatures checked by the simulator: every client call, its errors and its retries.
//!
//! The simulator numbers requests in its `X-Request-Id` (`{seed:016x}{n:016x}`, `n`
//! counting from 1), which lets these tests count how many attempts a call made.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use coctop::coc::{
    ApiError, Auth, Client, ClientConfig, Endpoint, ExecutionType, ListQuery, Operation,
    RetryPolicy, Secret, Status, Step, Ticket,
};
use coctop::sim::{self, SimHandle, SimOptions};

const AK: &str = "AKSIMCLIENT00001";
const SK: &str = "sk-client-sim-0123456789abcdef";
const UNKNOWN_ID: &str = "EX2099010100000000nobody";

/// A simulator that refuses requests not signed with `AK`/`SK`.
async fn signed_sim(options: SimOptions) -> SimHandle {
    let options = SimOptions {
        credentials: Some((AK.into(), SK.into())),
        ..options
    };
    sim::start(([127, 0, 0, 1], 0).into(), options)
        .await
        .expect("sim starts")
}

fn client_with(sim: &SimHandle, auth: Auth, retry: RetryPolicy) -> Client {
    let endpoint = Endpoint::from_url(&sim.base_url()).expect("sim URL is valid");
    let mut config = ClientConfig::new(endpoint, auth);
    config.retry = retry;
    Client::new(config).expect("client builds")
}

fn aksk(sk: &str, security_token: Option<&str>) -> Auth {
    Auth::AkSk {
        ak: AK.into(),
        sk: Secret::new(sk),
        security_token: security_token.map(Secret::new),
    }
}

/// A correctly signing client with the default retry policy.
fn client(sim: &SimHandle) -> Client {
    client_with(sim, aksk(SK, None), RetryPolicy::default())
}

/// The simulator's request counter, read back from the error's `X-Request-Id`.
fn request_number(error: &ApiError) -> u64 {
    let id = error
        .request_id()
        .unwrap_or_else(|| panic!("no request id in {error:?}"));
    assert_eq!(id.len(), 32, "{id}");
    u64::from_str_radix(&id[16..], 16).expect("hex request counter")
}

/// Every ticket, in list order, with `total` checked against the count.
async fn list_all(client: &Client, query: ListQuery) -> Vec<Ticket> {
    let page = client
        .list_executions(&ListQuery {
            limit: Some(100),
            ..query.clone()
        })
        .await
        .unwrap_or_else(|e| panic!("{query:?}: {e}"));
    assert_eq!(page.total, Some(page.data.len() as i64), "{query:?}");
    page.data
}

fn ids(tickets: &[Ticket]) -> Vec<&str> {
    tickets.iter().map(|t| t.execution_id.as_str()).collect()
}

/// The fields that do not move with the clock.
fn fixed_fields(t: &Ticket) -> Ticket {
    Ticket {
        end_time: None,
        update_time: None,
        status: None,
        ..t.clone()
    }
}

async fn status_of(client: &Client, id: &str) -> Status {
    let ticket = client.get_execution(id).await.expect("ticket is served");
    ticket.status.expect("ticket has a status")
}

fn assert_http(error: &ApiError, status: u16, code: &str) {
    match error {
        ApiError::Http {
            status: got,
            error_code,
            request_id,
            ..
        } => {
            assert_eq!(*got, status, "{error}");
            assert_eq!(error_code.as_deref(), Some(code), "{error}");
            assert!(request_id.as_ref().is_some_and(|id| !id.is_empty()));
        }
        other => panic!("expected HTTP {status} {code}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn get_execution_agrees_with_the_list_and_reports_unknown_ids() {
    let sim = signed_sim(SimOptions::default()).await;
    let client = client(&sim);
    let listed = list_all(&client, ListQuery::default()).await;
    let seeded = sim.execution_ids();
    assert_eq!(listed.len(), seeded.len());

    for id in &seeded {
        let got = client.get_execution(id).await.expect("seeded ticket");
        let in_list = listed
            .iter()
            .find(|t| &t.execution_id == id)
            .expect("listed");
        assert_eq!(fixed_fields(&got), fixed_fields(in_list), "{id}");
        if in_list.is_terminal() {
            assert_eq!(&got, in_list, "a finished ticket never changes");
        }
        assert!(got.status.is_some() && got.execution_type.is_some(), "{id}");
        assert!(got.document_name.is_some() && got.creator.is_some(), "{id}");
        assert!(!got.parameters.is_empty(), "{id}: parameters");
        let expects_targets = got.execution_type != Some(ExecutionType::Normal);
        assert_eq!(got.targets.is_some(), expects_targets, "{id}: targets");
    }
    let types: HashSet<_> = listed
        .iter()
        .filter_map(|t| t.execution_type.clone())
        .collect();
    assert_eq!(types.len(), 3, "NORMAL, BATCH and RATE_CONTROL: {types:?}");

    let error = client.get_execution(UNKNOWN_ID).await.unwrap_err();
    assert_http(&error, 400, "COC.00040709");
    assert!(!error.is_retryable());

    // Encoded as one segment, the ID reaches the execution route and is not found
    // there; had it escaped, the gateway's unknown-route 404 APIG.0101 would answer.
    let error = client.get_execution("..%2F..%2Fv3").await.unwrap_err();
    assert_http(&error, 400, "COC.00040709");
    let error = client.list_steps("..%2F..%2Fv3", 10, 0).await.unwrap_err();
    assert_http(&error, 400, "COC.00040709");
}

#[tokio::test(flavor = "multi_thread")]
async fn offset_paging_covers_every_ticket_once() {
    let sim = signed_sim(SimOptions::default()).await;
    let client = client(&sim);
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let page = client
            .list_executions(&ListQuery {
                limit: Some(7),
                offset: Some(offset),
                ..ListQuery::default()
            })
            .await
            .expect("page");
        assert_eq!(page.total, Some(48), "total at offset {offset}");
        if page.data.is_empty() {
            break;
        }
        assert!(page.data.len() <= 7);
        offset += page.data.len() as u32;
        paged.extend(page.data.into_iter().map(|t| t.execution_id));
    }
    assert_eq!(paged.len(), 48);
    let unique: BTreeSet<_> = paged.iter().cloned().collect();
    assert_eq!(unique.len(), 48, "no ticket twice");
    let seeded: BTreeSet<_> = sim.execution_ids().into_iter().collect();
    assert_eq!(unique, seeded);
    let one_call = list_all(&client, ListQuery::default()).await;
    let one_call: Vec<_> = ids(&one_call).into_iter().map(String::from).collect();
    assert_eq!(paged, one_call, "pages keep the list order");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_list_filter_returns_exactly_the_matching_tickets() {
    let sim = signed_sim(SimOptions::default()).await;
    let client = client(&sim);
    let all = list_all(&client, ListQuery::default()).await;
    let check = async |query: ListQuery, matches: &dyn Fn(&Ticket) -> bool| {
        let got = list_all(&client, query.clone()).await;
        let expected: Vec<&Ticket> = all.iter().filter(|t| matches(t)).collect();
        assert!(!got.is_empty(), "{query:?} matches nothing");
        assert!(got.len() < all.len(), "{query:?} filters nothing out");
        assert_eq!(
            ids(&got),
            expected
                .iter()
                .map(|t| t.execution_id.as_str())
                .collect::<Vec<_>>(),
            "{query:?}"
        );
    };

    let creator = all[0].creator.as_deref().unwrap().to_string();
    check(
        ListQuery {
            creator: Some(creator.clone()),
            ..ListQuery::default()
        },
        &|t| t.creator.as_ref().unwrap().contains(&creator),
    )
    .await;

    let chinese = all
        .iter()
        .filter_map(|t| t.document_name.as_deref().map(str::to_string))
        .find(|name| !name.is_ascii())
        .expect("a document with a Chinese name");
    check(
        ListQuery {
            document_name: Some(chinese.clone()),
            ..ListQuery::default()
        },
        &|t| t.document_name.as_ref().unwrap().contains(&chinese),
    )
    .await;

    let document_id = all[3].document_id.as_deref().unwrap().to_string();
    check(
        ListQuery {
            document_id: Some(document_id.clone()),
            ..ListQuery::default()
        },
        &|t| t.document_id.as_deref() == Some(document_id.as_str()),
    )
    .await;

    let tagged = all
        .iter()
        .find(|t| t.tags.len() >= 2)
        .expect("a ticket with two tags");
    let wanted: Vec<(String, String)> = tagged.tags[..2]
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect();
    let has_all = |t: &Ticket, tags: &[(String, String)]| {
        tags.iter()
            .all(|(k, v)| t.tags.iter().any(|kv| *kv.key == **k && *kv.value == **v))
    };
    for tags in [&wanted[..1], &wanted[..]] {
        check(
            ListQuery {
                tags: tags.to_vec(),
                ..ListQuery::default()
            },
            &|t| has_all(t, tags),
        )
        .await;
    }

    let mut starts: Vec<i64> = all.iter().filter_map(|t| t.start_time).collect();
    starts.sort();
    let start_after = starts[starts.len() / 2];
    check(
        ListQuery {
            start_time: Some(start_after),
            ..ListQuery::default()
        },
        &|t| t.start_time.unwrap() > start_after,
    )
    .await;
    let mut ends: Vec<i64> = all.iter().filter_map(|t| t.end_time).collect();
    ends.sort();
    let end_before = ends[ends.len() / 2];
    check(
        ListQuery {
            end_time: Some(end_before),
            ..ListQuery::default()
        },
        &|t| t.end_time.is_some_and(|end| end < end_before),
    )
    .await;
    let window_start = starts[starts.len() / 4];
    check(
        ListQuery {
            start_time: Some(window_start),
            end_time: Some(end_before),
            ..ListQuery::default()
        },
        &|t| t.start_time.unwrap() > window_start && t.end_time.is_some_and(|e| e < end_before),
    )
    .await;

    let is_child = |t: &Ticket| {
        t.sys_tags
            .iter()
            .any(|kv| &*kv.key == "_sys_parent_execution_id")
    };
    check(
        ListQuery {
            exclude_child_executions: Some(true),
            ..ListQuery::default()
        },
        &|t| !is_child(t),
    )
    .await;
    let with_children = list_all(
        &client,
        ListQuery {
            exclude_child_executions: Some(false),
            ..ListQuery::default()
        },
    )
    .await;
    assert_eq!(with_children.len(), all.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn steps_and_instances_of_a_batch_step_match_the_ticket_targets() {
    let sim = signed_sim(SimOptions::default()).await;
    let client = client(&sim);
    let all = list_all(&client, ListQuery::default()).await;
    let on_targets =
        |s: &Step| s.properties.get("on_targets").and_then(|v| v.as_str()) == Some("true");
    let mut found = None;
    for ticket in all
        .iter()
        .filter(|t| t.execution_type == Some(ExecutionType::Batch))
        .filter(|t| t.status == Some(Status::Succeed))
    {
        let steps = client
            .list_steps(&ticket.execution_id, 100, 0)
            .await
            .expect("steps");
        assert!(!steps.data.is_empty());
        assert_eq!(steps.total, Some(steps.data.len() as i64));
        if let Some(step) = steps.data.iter().find(|s| on_targets(s)) {
            found = Some((ticket, steps.data.clone(), step.clone()));
            break;
        }
    }
    let (batch, steps, batch_step) =
        found.expect("a succeeded BATCH ticket with a step on its targets");
    if steps.len() > 1 {
        let second = client
            .list_steps(&batch.execution_id, 1, 1)
            .await
            .expect("second step");
        assert_eq!(second.data, steps[1..2]);
        assert_eq!(second.total, Some(steps.len() as i64));
    }
    let step_id = batch_step.execution_step_id.clone().expect("step id");

    let instances = client
        .list_instances(&step_id, 100, 0)
        .await
        .expect("instances");
    assert_eq!(instances.total, Some(instances.data.len() as i64));
    let hosts: BTreeSet<String> = instances
        .data
        .iter()
        .map(|i| {
            assert_eq!(i.execution_step_id.as_deref(), Some(step_id.as_str()));
            assert!(i.id.as_ref().is_some_and(|id| id.parse::<u64>().is_ok()));
            assert!(i.status.as_ref().is_some_and(Status::is_terminal), "{i:?}");
            i.properties["resource_id"].as_str().unwrap().to_string()
        })
        .collect();
    let targets = batch
        .targets
        .as_ref()
        .expect("a batch ticket has targets")
        .list();
    let targeted: BTreeSet<String> = targets
        .iter()
        .filter(|t| t.key == "BatchValues")
        .flat_map(|t| &t.values)
        .map(|batch| batch.parse())
        .flat_map(|batch| batch["target_instances"].as_array().unwrap().clone())
        .map(|host| host["resource_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!hosts.is_empty());
    assert_eq!(hosts, targeted, "one instance per target host");

    let first = client
        .list_instances(&step_id, 1, 0)
        .await
        .expect("first instance");
    assert_eq!(first.data, instances.data[..1]);
    assert_eq!(first.total, instances.total);
}

#[tokio::test(flavor = "multi_thread")]
async fn terminate_cancels_a_running_ticket_and_retry_restarts_a_failed_one() {
    let sim = signed_sim(SimOptions {
        speed: 20.0,
        ..SimOptions::default()
    })
    .await;
    let client = client(&sim);
    let all = list_all(&client, ListQuery::default()).await;

    let running = all
        .iter()
        .find(|t| t.status == Some(Status::Running))
        .expect("a running ticket");
    let id = &running.execution_id;
    client
        .operate_execution(id, Operation::Terminate)
        .await
        .expect("terminate is accepted");
    assert_eq!(status_of(&client, id).await, Status::Canceling);
    let deadline = Instant::now() + Duration::from_secs(5);
    let canceled = loop {
        let ticket = client.get_execution(id).await.expect("ticket");
        match ticket.status.as_ref().expect("status") {
            Status::Canceled => break ticket,
            Status::Canceling => {}
            other => panic!("{id} went from Canceling to {other}"),
        }
        assert!(Instant::now() < deadline, "{id} never became Canceled");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert!(canceled.end_time.is_some());

    let error = client
        .operate_execution(id, Operation::Terminate)
        .await
        .expect_err("a canceled ticket cannot be terminated");
    assert_http(&error, 400, "COC.00040712");
    let error = client
        .operate_execution(UNKNOWN_ID, Operation::Terminate)
        .await
        .unwrap_err();
    assert_http(&error, 400, "COC.00040709");

    let failed = all
        .iter()
        .find(|t| t.status == Some(Status::Failed))
        .expect("a failed ticket");
    client
        .operate_execution(&failed.execution_id, Operation::Retry)
        .await
        .expect("retry is accepted");
    let again = client
        .get_execution(&failed.execution_id)
        .await
        .expect("ticket");
    assert!(
        matches!(again.status, Some(Status::Running | Status::Pending)),
        "a retried ticket is active again: {:?}",
        again.status
    );
    assert_eq!(again.end_time, None);
    assert!(again.update_time > failed.update_time);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_is_refused_once_and_never_retried() {
    let sim = signed_sim(SimOptions::default()).await;
    let wrong = client_with(&sim, aksk("not-the-secret", None), RetryPolicy::default());
    let started = Instant::now();
    let first = wrong
        .get_execution(&sim.execution_ids()[0])
        .await
        .unwrap_err();
    let second = wrong
        .list_executions(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "no backoff: {:?}",
        started.elapsed()
    );
    for error in [&first, &second] {
        assert_http(error, 401, "APIG.0301");
        assert!(error.is_auth(), "{error}");
        assert!(!error.is_retryable());
    }
    // The sim's first request is number 1: each call was a single attempt.
    assert_eq!(request_number(&first), 1);
    assert_eq!(request_number(&second), 2);

    let unsigned = client_with(&sim, Auth::None, RetryPolicy::default());
    let error = unsigned.get_execution(UNKNOWN_ID).await.unwrap_err();
    assert_http(&error, 401, "APIG.0301");
}

#[tokio::test(flavor = "multi_thread")]
async fn security_token_requests_verify_for_every_call() {
    let sim = signed_sim(SimOptions::default()).await;
    let client = client_with(
        &sim,
        aksk(SK, Some("temporary-security-token")),
        RetryPolicy::none(),
    );
    let page = client
        .list_executions(&ListQuery {
            document_name: Some("重启".into()),
            tags: vec![("env".into(), "prod".into())],
            ..ListQuery::default()
        })
        .await
        .expect("signed list with a non-ASCII query verifies");
    assert_eq!(page.total, Some(page.data.len() as i64));
    let all = list_all(&client, ListQuery::default()).await;
    let batch = all
        .iter()
        .find(|t| t.execution_type == Some(ExecutionType::Batch))
        .expect("a batch ticket");
    client
        .get_execution(&batch.execution_id)
        .await
        .expect("get verifies");
    let steps = client
        .list_steps(&batch.execution_id, 10, 0)
        .await
        .expect("steps verify");
    let step = steps.data[0].execution_step_id.clone().unwrap();
    client
        .list_instances(&step, 10, 0)
        .await
        .expect("instances verify");
    let succeeded = all
        .iter()
        .find(|t| t.status == Some(Status::Succeed))
        .expect("a succeeded ticket");
    // The signed POST reaches the handler, which refuses the operation on its merits.
    let error = client
        .operate_execution(&succeeded.execution_id, Operation::Resume)
        .await
        .unwrap_err();
    assert_http(&error, 400, "COC.00040712");
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_gets_wait_for_retry_after_then_give_up_with_it() {
    let sim = signed_sim(SimOptions {
        throttle_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    let id = sim.execution_ids()[0].clone();
    let one_retry = client_with(
        &sim,
        aksk(SK, None),
        RetryPolicy {
            max_retries: 1,
            base: Duration::from_millis(1),
            cap: Duration::from_secs(5),
        },
    );
    let started = Instant::now();
    let error = one_retry.get_execution(&id).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_http(&error, 429, "APIG.0308");
    let retry_after = error.retry_after().expect("429 carries Retry-After");
    assert!(retry_after >= Duration::from_secs(1), "{retry_after:?}");
    assert_eq!(request_number(&error), 2, "one attempt and one retry");
    // The sim asks for 1 or 2 s; the base backoff alone is 1 ms.
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(4),
        "waited {elapsed:?}"
    );

    // A server that asks for longer than the cap gets the error at once.
    let impatient = client_with(
        &sim,
        aksk(SK, None),
        RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(500),
        },
    );
    let started = Instant::now();
    let error = impatient
        .list_executions(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(error.http_status(), Some(429));
    assert!(error.retry_after().is_some());
    assert_eq!(request_number(&error), 3, "a single attempt");

    // POSTs are never retried, throttled or not.
    let error = one_retry
        .operate_execution(&id, Operation::Terminate)
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(429));
    assert_eq!(request_number(&error), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn gets_ride_out_server_failures_with_the_default_policy() {
    let sim = signed_sim(SimOptions {
        seed: 3,
        fail_rate: 0.5,
        ..SimOptions::default()
    })
    .await;
    let client = client(&sim);
    let seeded = sim.execution_ids();
    let calls = 6;
    for id in &seeded[..calls] {
        let ticket = client
            .get_execution(id)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(&ticket.execution_id, id);
    }
    // The next request's number tells how many the calls above took.
    let error = client_with(&sim, aksk("wrong", None), RetryPolicy::none())
        .get_execution(UNKNOWN_ID)
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(401));
    let attempts = request_number(&error) - 1;
    assert!(
        attempts > calls as u64,
        "half the requests fail, so some calls were retried ({attempts} attempts)"
    );
}
