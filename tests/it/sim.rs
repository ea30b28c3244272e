//! The simulator over real HTTP on 127.0.0.1.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use coctop::coc::auth::{Secret, SigningRequest, sdk_date, sign};
use coctop::coc::{Status, Ticket};
use coctop::sim::{self, SimHandle, SimOptions};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn sim_with(options: SimOptions) -> SimHandle {
    sim::start(loopback(), options).await.expect("sim starts")
}

async fn get(url: &str) -> (StatusCode, HeaderMap, Value) {
    let response = reqwest::get(url).await.expect("request is answered");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap();
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, headers, value)
}

async fn json_body(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null)
}

async fn post(url: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request is answered");
    let status = response.status();
    (status, json_body(response).await)
}

async fn all_tickets(sim: &SimHandle) -> Vec<Ticket> {
    let (status, _, body) = get(&format!("{}/v1/executions?limit=100", sim.base_url())).await;
    assert_eq!(status, 200);
    serde_json::from_value(body["data"].clone()).unwrap()
}

async fn ticket(sim: &SimHandle, id: &str) -> Ticket {
    let (status, _, body) = get(&format!("{}/v1/executions/{id}", sim.base_url())).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body["data"].clone()).unwrap()
}

async fn operate(sim: &SimHandle, id: &str, op: &str) -> (StatusCode, Value) {
    post(
        &format!("{}/v1/executions", sim.base_url()),
        json!({"execution_id": id, "operate_type": op}),
    )
    .await
}

/// Polls until the ticket reaches `want`, failing after `within`.
async fn wait_for(sim: &SimHandle, id: &str, want: Status, within: Duration) -> Ticket {
    let deadline = Instant::now() + within;
    loop {
        let t = ticket(sim, id).await;
        if t.status.as_ref() == Some(&want) {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "{id} is {:?}, never {want}",
            t.status
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn without_times(mut t: Ticket) -> Ticket {
    t.start_time = None;
    t.end_time = None;
    t.update_time = None;
    t
}

#[tokio::test]
async fn same_seed_gives_same_tickets_and_another_seed_does_not() {
    let seven = SimOptions {
        seed: 7,
        ..SimOptions::default()
    };
    let a = sim_with(seven.clone()).await;
    let b = sim_with(seven).await;
    let c = sim_with(SimOptions {
        seed: 8,
        ..SimOptions::default()
    })
    .await;
    assert_eq!(a.execution_ids(), b.execution_ids());
    assert_eq!(a.execution_ids().len(), 48);
    let mut ta: Vec<_> = all_tickets(&a)
        .await
        .into_iter()
        .map(without_times)
        .collect();
    let mut tb: Vec<_> = all_tickets(&b)
        .await
        .into_iter()
        .map(without_times)
        .collect();
    ta.sort_by(|x, y| x.execution_id.cmp(&y.execution_id));
    tb.sort_by(|x, y| x.execution_id.cmp(&y.execution_id));
    assert_eq!(ta, tb);

    let other: HashSet<_> = c.execution_ids().into_iter().collect();
    assert!(a.execution_ids().iter().all(|id| !other.contains(id)));
}

#[tokio::test]
async fn seeded_tickets_cover_every_status_type_and_target_kind() {
    let sim = sim_with(SimOptions::default()).await;
    let tickets = all_tickets(&sim).await;
    assert!(tickets.len() >= 48);
    for status in Status::KNOWN {
        assert!(
            tickets.iter().any(|t| t.status.as_ref() == Some(&status)),
            "no {status} ticket"
        );
    }
    for kind in ["NORMAL", "BATCH", "RATE_CONTROL"] {
        assert!(tickets.iter().any(|t| {
            t.execution_type
                .as_ref()
                .is_some_and(|k| k.as_str() == kind)
        }));
    }
    let target_keys: HashSet<_> = tickets
        .iter()
        .flat_map(|t| t.targets.iter().flat_map(|x| x.list()).map(|x| x.key))
        .collect();
    assert!(target_keys.contains("InstanceValues") && target_keys.contains("BatchValues"));
    let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    assert!(
        tickets
            .iter()
            .any(|t| t.document_name.as_deref().is_some_and(chinese))
    );
    for t in &tickets {
        assert_eq!(t.execution_id.len(), 24, "{}", t.execution_id);
        assert!(t.execution_id.starts_with("EX20"), "{}", t.execution_id);
        assert!(!t.parameters.is_empty() && !t.tags.is_empty() && !t.sys_tags.is_empty());
        assert!(t.creator.is_some() && t.document_id.is_some() && t.document_version.is_some());
        assert_eq!(t.end_time.is_some(), t.is_terminal(), "{t:?}");
        assert!(t.update_time >= t.start_time);
    }
}

#[tokio::test]
async fn list_pages_by_offset() {
    let sim = sim_with(SimOptions::default()).await;
    let base = sim.base_url();
    let (_, _, first) = get(&format!("{base}/v1/executions")).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 10, "default limit");
    assert_eq!(first["total"], 48);
    let everything = all_tickets(&sim).await;
    let mut paged = Vec::new();
    for offset in (0..48).step_by(7) {
        let (_, _, page) = get(&format!("{base}/v1/executions?limit=7&offset={offset}")).await;
        assert_eq!(page["total"], 48);
        let page: Vec<Ticket> = serde_json::from_value(page["data"].clone()).unwrap();
        paged.extend(page.into_iter().map(|t| t.execution_id));
    }
    let all_ids: Vec<_> = everything.into_iter().map(|t| t.execution_id).collect();
    assert_eq!(paged, all_ids);
    let (status, _, past_end) = get(&format!("{base}/v1/executions?offset=500")).await;
    assert_eq!(status, 200);
    assert_eq!(past_end["data"], json!([]));
    let (status, _, bad) = get(&format!("{base}/v1/executions?limit=abc")).await;
    assert_eq!(status, 400);
    assert!(bad["error_code"].as_str().unwrap().starts_with("COC."));
}

#[tokio::test]
async fn list_filters_match_their_definitions() {
    let sim = sim_with(SimOptions::default()).await;
    let base = sim.base_url();
    let all = all_tickets(&sim).await;
    let ids = |tickets: &[Ticket]| -> Vec<String> {
        tickets.iter().map(|t| t.execution_id.clone()).collect()
    };
    let query = async |q: &str| -> Vec<Ticket> {
        let (status, _, body) = get(&format!("{base}/v1/executions?limit=100&{q}")).await;
        assert_eq!(status, 200, "{q}: {body}");
        let tickets: Vec<Ticket> = serde_json::from_value(body["data"].clone()).unwrap();
        assert_eq!(body["total"], tickets.len(), "{q}");
        tickets
    };
    let expect = |pred: &dyn Fn(&Ticket) -> bool| -> Vec<String> {
        all.iter()
            .filter(|t| pred(t))
            .map(|t| t.execution_id.clone())
            .collect()
    };

    let creator = all[0].creator.clone().unwrap();
    let fragment = creator[1..creator.len() - 1].to_uppercase();
    let got = query(&format!("creator={fragment}")).await;
    assert!(!got.is_empty());
    assert_eq!(
        ids(&got),
        expect(&|t| t
            .creator
            .as_ref()
            .unwrap()
            .to_lowercase()
            .contains(&fragment.to_lowercase()))
    );

    let got = query("document_name=%E9%87%8D%E5%90%AF").await; // 重启
    assert_eq!(
        ids(&got),
        expect(&|t| t.document_name.as_ref().unwrap().contains("重启"))
    );

    let document = all[3].document_id.clone().unwrap();
    let got = query(&format!("document_id={document}")).await;
    assert!(!got.is_empty());
    assert_eq!(
        ids(&got),
        expect(&|t| t.document_id.as_ref() == Some(&document))
    );

    let tag = &all[0].tags[0];
    let got = query(&format!("tags={}={}", tag.key, tag.value)).await;
    assert_eq!(
        ids(&got),
        expect(&|t| t.tags.iter().any(|x| x == tag)),
        "one tag"
    );
    let got = query("tags=env=prod,team=sre").await;
    let has = |t: &Ticket, k: &str, v: &str| t.tags.iter().any(|x| &*x.key == k && &*x.value == v);
    assert_eq!(
        ids(&got),
        expect(&|t| has(t, "env", "prod") && has(t, "team", "sre")),
        "two tags"
    );
    assert_eq!(
        get(&format!("{base}/v1/executions?tags=broken")).await.0,
        400
    );

    let mut starts: Vec<i64> = all.iter().filter_map(|t| t.start_time).collect();
    starts.sort();
    let middle = starts[starts.len() / 2];
    let got = query(&format!("start_time={middle}")).await;
    assert!(!got.is_empty());
    assert_eq!(ids(&got), expect(&|t| t.start_time.unwrap() > middle));

    let mut ends: Vec<i64> = all.iter().filter_map(|t| t.end_time).collect();
    ends.sort();
    let middle = ends[ends.len() / 2];
    let got = query(&format!("end_time={middle}")).await;
    assert!(!got.is_empty());
    assert_eq!(
        ids(&got),
        expect(&|t| t.end_time.is_some_and(|e| e < middle))
    );

    let is_child = |t: &Ticket| {
        t.sys_tags
            .iter()
            .any(|x| &*x.key == "_sys_parent_execution_id")
    };
    assert!(
        all.iter().any(is_child),
        "some tickets are child executions"
    );
    let got = query("exclude_child_executions=true").await;
    assert_eq!(ids(&got), expect(&|t| !is_child(t)));
    assert_eq!(
        query("exclude_child_executions=false").await.len(),
        all.len()
    );
}

#[tokio::test]
async fn unknown_ids_and_routes_answer_like_coc_and_apig() {
    let sim = sim_with(SimOptions::default()).await;
    let base = sim.base_url();
    let (status, headers, body) =
        get(&format!("{base}/v1/executions/EX2099010100000000nobody")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error_code": "COC.00040709", "error_msg": "The execution does not exist"})
    );
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
    assert!(!headers["x-request-id"].is_empty());
    let (status, _, body) = get(&format!(
        "{base}/v1/executions/EX2099010100000000nobody/steps"
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error_code"], "COC.00040709");

    let (status, headers, body) = get(&format!("{base}/v2/nothing/here")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error_code"], "APIG.0101");
    assert!(headers.contains_key("x-request-id"));
    let response = reqwest::Client::new()
        .delete(format!("{base}/v1/executions"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn percent_encoded_ids_are_decoded_before_lookup() {
    let sim = sim_with(SimOptions::default()).await;
    let id = &sim.execution_ids()[5];
    let encoded: String = id.bytes().map(|b| format!("%{b:02X}")).collect();
    let t = ticket(&sim, &encoded).await;
    assert_eq!(&t.execution_id, id);
    let (status, _, _) = get(&format!("{}/v1/executions/{encoded}%2Fx", sim.base_url())).await;
    assert_eq!(status, 400, "an encoded slash stays part of the ID");
}

#[tokio::test]
async fn steps_and_batch_instances() {
    let sim = sim_with(SimOptions::default()).await;
    let base = sim.base_url();
    let tickets = all_tickets(&sim).await;
    let mut saw_instances = false;
    for t in tickets.iter().filter(|t| t.status == Some(Status::Succeed)) {
        let (status, _, body) =
            get(&format!("{base}/v1/executions/{}/steps", t.execution_id)).await;
        assert_eq!(status, 200);
        let steps = body["data"].as_array().unwrap();
        assert_eq!(body["total"], steps.len());
        assert!(!steps.is_empty());
        for step in steps {
            assert_eq!(
                step["status"], "Succeed",
                "a finished ticket's steps are done"
            );
            assert!(step["end_time"].as_i64() >= step["start_time"].as_i64());
            assert!(
                step["properties"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(Value::is_string)
            );
        }
        let first = steps[0]["execution_step_id"].as_str().unwrap();
        let (_, _, one) = get(&format!(
            "{base}/v1/executions/{}/steps?execution_step_id_list={first}",
            t.execution_id
        ))
        .await;
        assert_eq!(one["total"], 1);
        assert_eq!(one["data"][0]["execution_step_id"], first);
        if steps.len() > 1 {
            let second = steps[1]["execution_step_id"].as_str().unwrap();
            for q in [
                format!("execution_step_id_list={first}&execution_step_id_list={second}"),
                format!("execution_step_id_list={first},{second}"),
            ] {
                let (_, _, two) = get(&format!(
                    "{base}/v1/executions/{}/steps?{q}",
                    t.execution_id
                ))
                .await;
                assert_eq!(two["total"], 2, "{q}");
            }
            let (_, _, paged) = get(&format!(
                "{base}/v1/executions/{}/steps?limit=1&offset=1",
                t.execution_id
            ))
            .await;
            assert_eq!(paged["data"][0]["execution_step_id"], second);
        }

        let batch = t
            .execution_type
            .as_ref()
            .is_some_and(|k| k.as_str() != "NORMAL");
        for step in steps
            .iter()
            .filter(|s| s["properties"]["on_targets"] == "true")
        {
            let step_id = step["execution_step_id"].as_str().unwrap();
            let (status, _, body) = get(&format!(
                "{base}/v1/executions/instances?execution_step_id={step_id}&limit=100"
            ))
            .await;
            assert_eq!(status, 200);
            let instances = body["data"].as_array().unwrap();
            assert_eq!(!instances.is_empty(), batch, "{step}");
            for instance in instances {
                assert!(instance["id"].is_u64(), "{instance}");
                assert_eq!(instance["execution_step_id"], step_id);
                assert_eq!(instance["status"], "Succeed");
            }
            saw_instances |= batch;
        }
    }
    assert!(saw_instances, "some finished batch ticket has instances");
    let (status, _, _) = get(&format!("{base}/v1/executions/instances")).await;
    assert_eq!(status, 400, "execution_step_id is required");
}

#[tokio::test]
async fn terminate_goes_through_canceling_to_canceled() {
    let sim = sim_with(SimOptions {
        speed: 10.0,
        ..SimOptions::default()
    })
    .await;
    let running = all_tickets(&sim)
        .await
        .into_iter()
        .find(|t| t.status == Some(Status::Running))
        .expect("a running ticket");
    let id = running.execution_id;
    let (status, body) = operate(&sim, &id, "TERMINATE").await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({})));
    let canceling = ticket(&sim, &id).await;
    assert_eq!(canceling.status, Some(Status::Canceling));
    assert_eq!(canceling.end_time, None);
    let canceled = wait_for(&sim, &id, Status::Canceled, Duration::from_secs(5)).await;
    assert!(canceled.end_time.is_some());
    assert_eq!(canceled.update_time, canceled.end_time);
    let (_, _, steps) = get(&format!("{}/v1/executions/{id}/steps", sim.base_url())).await;
    assert!(
        steps["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["status"] == "Canceled"),
        "{steps}"
    );

    let (status, body) = operate(&sim, &id, "TERMINATE").await;
    assert_eq!(status, 400, "a canceled ticket cannot be terminated");
    assert!(body["error_code"].as_str().unwrap().starts_with("COC."));
    let (status, body) = operate(&sim, "EX2099010100000000nobody", "TERMINATE").await;
    assert_eq!(
        (status.as_u16(), &body["error_code"]),
        (400, &json!("COC.00040709"))
    );
    let (status, _) = operate(&sim, &id, "PAUSE").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn retry_runs_a_failed_ticket_again_and_only_a_failed_one() {
    let sim = sim_with(SimOptions {
        speed: 50.0,
        ..SimOptions::default()
    })
    .await;
    let tickets = all_tickets(&sim).await;
    let failed = tickets
        .iter()
        .find(|t| t.status == Some(Status::Failed))
        .expect("a failed ticket");
    let before = failed.update_time.unwrap();
    let (status, _) = operate(&sim, &failed.execution_id, "RETRY").await;
    assert_eq!(status, 200);
    let again = ticket(&sim, &failed.execution_id).await;
    assert!(again.update_time.unwrap() > before);
    assert_eq!(
        again.start_time, failed.start_time,
        "same ticket, new attempt"
    );
    assert!(
        again.status == Some(Status::Running) || again.is_terminal(),
        "{:?}",
        again.status
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let finished = loop {
        let t = ticket(&sim, &failed.execution_id).await;
        if t.is_terminal() {
            break t;
        }
        assert!(Instant::now() < deadline, "retry never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(finished.end_time.unwrap() > before);

    let succeeded = tickets
        .iter()
        .find(|t| t.status == Some(Status::Succeed))
        .unwrap();
    assert_eq!(operate(&sim, &succeeded.execution_id, "RETRY").await.0, 400);
    assert_eq!(
        operate(&sim, &succeeded.execution_id, "RESUME").await.0,
        400
    );

    let canceled = tickets
        .iter()
        .find(|t| t.status == Some(Status::Canceled))
        .unwrap();
    let (status, body) = operate(&sim, &canceled.execution_id, "RETRY").await;
    assert_eq!(status, 400, "RETRY re-runs failed tickets only: {body}");
}

/// The seeded set lets every operation be tried: the first 21 tickets are every status
/// of NORMAL, then BATCH, then RATE_CONTROL.
#[tokio::test]
async fn resume_starts_a_paused_ticket_and_skip_batch_skips_a_running_batch() {
    let sim = sim_with(SimOptions::default()).await;
    let ids = sim.execution_ids();
    let base = sim.base_url();
    let running_batch = ticket(&sim, &ids[8]).await;
    assert_eq!(
        (
            running_batch.status,
            running_batch.execution_type.unwrap().as_str().to_string()
        ),
        (Some(Status::Running), "BATCH".to_string())
    );
    let steps_of = |id: &str| format!("{base}/v1/executions/{id}/steps?limit=100");
    let (_, _, before) = get(&steps_of(&ids[8])).await;
    let in_batch = before["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "Running")
        .expect("a running step")
        .clone();
    assert_eq!(in_batch["properties"]["on_targets"], "true", "{in_batch}");
    let (status, body) = operate(&sim, &ids[8], "SKIP_BATCH").await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({})));
    let step_id = in_batch["execution_step_id"].as_str().unwrap();
    let (_, _, after) = get(&format!(
        "{base}/v1/executions/{}/steps?execution_step_id_list={step_id}",
        ids[8]
    ))
    .await;
    assert_eq!(after["data"][0]["status"], "Succeed", "{after}");
    let (_, _, hosts) = get(&format!(
        "{base}/v1/executions/instances?execution_step_id={step_id}&limit=100"
    ))
    .await;
    assert!(
        hosts["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["status"] == "Canceled"),
        "the skipped hosts: {hosts}"
    );

    for (id, kind) in [(&ids[1], "NORMAL"), (&ids[15], "RATE_CONTROL")] {
        assert_eq!(ticket(&sim, id).await.status, Some(Status::Running));
        let (status, body) = operate(&sim, id, "SKIP_BATCH").await;
        assert_eq!(status, 400, "{kind}");
        assert_eq!(body["error_code"], "COC.00040712");
        assert!(body["error_msg"].as_str().unwrap().contains(kind), "{body}");
    }
    for paused in [&ids[7], &ids[14]] {
        sim.advance(Duration::from_secs(24 * 3600));
        let before = ticket(&sim, paused).await;
        assert_eq!(before.status, Some(Status::Pending), "paused stays Pending");
        let (status, body) = operate(&sim, paused, "RESUME").await;
        assert_eq!((status, &body), (StatusCode::OK, &json!({})));
        let resumed = ticket(&sim, paused).await;
        assert_eq!(resumed.status, Some(Status::Running), "{paused}");
        let (status, body) = operate(&sim, paused, "RESUME").await;
        assert_eq!(status, 400, "a running ticket is not paused: {body}");
    }
}

#[tokio::test]
async fn instances_page_with_their_total_and_operations_are_counted() {
    let sim = sim_with(SimOptions::default()).await;
    let base = sim.base_url();
    let tickets = all_tickets(&sim).await;
    let batch = tickets
        .iter()
        .find(|t| {
            t.status == Some(Status::Succeed)
                && t.execution_type
                    .as_ref()
                    .is_some_and(|k| k.as_str() == "BATCH")
        })
        .expect("a finished BATCH ticket");
    let (_, _, steps) = get(&format!(
        "{base}/v1/executions/{}/steps?limit=100",
        batch.execution_id
    ))
    .await;
    let step = steps["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["properties"]["on_targets"] == "true")
        .unwrap()["execution_step_id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = |limit: usize, offset: usize| {
        format!(
            "{base}/v1/executions/instances?execution_step_id={step}&limit={limit}&offset={offset}"
        )
    };
    let (_, _, all) = get(&url(100, 0)).await;
    let total = all["total"].as_u64().unwrap() as usize;
    assert!(total >= 2, "{all}");
    let mut paged = Vec::new();
    for offset in 0..total {
        let (_, _, page) = get(&url(1, offset)).await;
        assert_eq!(page["total"].as_u64().unwrap() as usize, total);
        paged.extend(page["data"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(&paged, all["data"].as_array().unwrap());
    assert!(
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["properties"]["batch_index"].is_u64()),
        "{all}"
    );

    let before = (sim.requests_served(), sim.operations_received());
    operate(&sim, &batch.execution_id, "RETRY").await;
    get(&url(1, 0)).await;
    assert_eq!(
        (sim.requests_served(), sim.operations_received()),
        (before.0 + 2, before.1 + 1)
    );
}

fn signed_request(
    base: &str,
    path_and_query: &str,
    method: &str,
    body: &[u8],
    ak: &str,
    sk: &str,
    date: &str,
) -> reqwest::RequestBuilder {
    let url = url::Url::parse(&format!("{base}{path_and_query}")).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let signature = sign(
        &SigningRequest {
            method,
            host: &host,
            path: url.path(),
            query: &query,
            headers: &headers,
            body,
        },
        ak,
        &Secret::new(sk),
        date,
    );
    reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .header("content-type", "application/json")
        .header("x-sdk-date", date)
        .header("authorization", signature.authorization)
        .body(body.to_vec())
}

#[tokio::test]
async fn signatures_are_verified_when_credentials_are_set() {
    let sim = sim_with(SimOptions {
        credentials: Some(("SIMAK".into(), "sim-secret".into())),
        ..SimOptions::default()
    })
    .await;
    let base = sim.base_url();
    let id = sim.execution_ids()[0].clone();
    let now = sdk_date(chrono::Utc::now());
    let path = format!("/v1/executions/{id}");

    let ok = signed_request(&base, &path, "GET", b"", "SIMAK", "sim-secret", &now)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let listed = signed_request(
        &base,
        "/v1/executions?limit=3&document_name=%E9%87%8D%E5%90%AF+x",
        "GET",
        b"",
        "SIMAK",
        "sim-secret",
        &now,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(listed.status(), 200, "query pairs are signed decoded");

    let body = serde_json::to_vec(&json!({"execution_id": id, "operate_type": "RETRY"})).unwrap();
    let post = signed_request(
        &base,
        "/v1/executions",
        "POST",
        &body,
        "SIMAK",
        "sim-secret",
        &now,
    )
    .send()
    .await
    .unwrap();
    assert_ne!(post.status(), 401, "a signed body passes");

    let stale = sdk_date(chrono::Utc::now() - chrono::Duration::minutes(20));
    let cases = [
        (
            "wrong secret",
            signed_request(&base, &path, "GET", b"", "SIMAK", "nope", &now),
        ),
        (
            "unknown AK",
            signed_request(&base, &path, "GET", b"", "OTHER", "sim-secret", &now),
        ),
        (
            "stale date",
            signed_request(&base, &path, "GET", b"", "SIMAK", "sim-secret", &stale),
        ),
        (
            "tampered path",
            signed_request(&base, &path, "GET", b"", "SIMAK", "sim-secret", &now)
                .query(&[("limit", "2")]),
        ),
        (
            "unsigned",
            reqwest::Client::new().get(format!("{base}{path}")),
        ),
    ];
    for (what, request) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{what}");
        assert!(response.headers().contains_key("x-request-id"));
        let body = json_body(response).await;
        assert_eq!(body["error_code"], "APIG.0301", "{what}");
        assert!(
            body["error_msg"]
                .as_str()
                .unwrap()
                .starts_with("Incorrect IAM authentication information: "),
            "{what}: {body}"
        );
    }
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let sim = sim_with(SimOptions {
        throttle_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    for _ in 0..5 {
        let response = reqwest::get(format!("{}/v1/executions", sim.base_url()))
            .await
            .unwrap();
        assert_eq!(response.status(), 429);
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=2).contains(&retry_after));
        let body = json_body(response).await;
        assert_eq!(body["error_code"], "APIG.0308");
        assert!(
            body["error_msg"]
                .as_str()
                .unwrap()
                .starts_with("The throttling threshold has been reached")
        );
    }
}

#[tokio::test]
async fn fail_rate_one_answers_every_kind_of_5xx() {
    let sim = sim_with(SimOptions {
        fail_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    let mut seen = HashSet::new();
    for _ in 0..40 {
        let response = reqwest::get(format!("{}/v1/executions", sim.base_url()))
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(response.headers().contains_key("x-request-id"));
        let body = response.text().await.unwrap();
        match status {
            500 => assert!(serde_json::from_str::<Value>(&body).unwrap()["error_code"].is_string()),
            502 => assert!(body.contains("<html>")),
            503 => assert!(body.is_empty()),
            other => panic!("unexpected status {other}"),
        }
        seen.insert(status);
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[tokio::test]
async fn faults_follow_the_seed() {
    let statuses = async |seed| {
        let sim = sim_with(SimOptions {
            seed,
            fail_rate: 0.4,
            throttle_rate: 0.2,
            ..SimOptions::default()
        })
        .await;
        let mut out = Vec::new();
        for _ in 0..30 {
            let r = reqwest::get(format!("{}/v1/executions?limit=1", sim.base_url()))
                .await
                .unwrap();
            out.push(r.status().as_u16());
        }
        out
    };
    let first = statuses(3).await;
    assert_eq!(first, statuses(3).await);
    assert!(
        first.contains(&200) && first.iter().any(|&s| s != 200),
        "{first:?}"
    );
}

#[tokio::test]
async fn new_tickets_start_now_and_then_and_run_on_their_own() {
    // At speed 500 a ticket appears every 60-180 ms and runs for a few seconds at most.
    let sim = sim_with(SimOptions {
        speed: 500.0,
        ..SimOptions::default()
    })
    .await;
    let started = chrono::Utc::now().timestamp_millis();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let tickets = all_tickets(&sim).await;
    assert!(tickets.len() > 48, "{} tickets", tickets.len());
    assert_eq!(
        sim.execution_ids().len(),
        48,
        "seeded IDs stay the seeded ones"
    );
    let seeded: HashSet<_> = sim.execution_ids().into_iter().collect();
    let fresh: Vec<_> = tickets
        .iter()
        .filter(|t| !seeded.contains(&t.execution_id))
        .collect();
    assert!(fresh.iter().all(|t| t.start_time.unwrap() >= started));
    let id = fresh[0].execution_id.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = ticket(&sim, &id).await;
        match t.status {
            Some(ref s) if s.is_terminal() => break,
            // One in ten waits for a RESUME, like a ticket that needs a go-ahead.
            Some(Status::Pending) if Instant::now() > deadline - Duration::from_secs(18) => {
                assert_eq!(operate(&sim, &id, "RESUME").await.0, 200);
            }
            _ => {}
        }
        assert!(Instant::now() < deadline, "{id} never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sim.ticket_count() >= tickets.len());
}

#[tokio::test]
async fn ten_thousand_tickets_are_served_by_id() {
    let sim = sim_with(SimOptions {
        tickets: 10_000,
        ..SimOptions::default()
    })
    .await;
    let ids = sim.execution_ids();
    assert_eq!(ids.len(), 10_000);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        10_000,
        "IDs are unique"
    );
    for id in [&ids[0], &ids[4_999], &ids[9_999]] {
        assert_eq!(&ticket(&sim, id).await.execution_id, id);
    }
    let more = sim.add_tickets(5);
    assert_eq!(sim.execution_ids().len(), 10_005);
    assert_eq!(&ticket(&sim, &more[4]).await.execution_id, &more[4]);

    let small = sim_with(SimOptions::default()).await;
    assert_eq!(
        small.execution_ids()[..],
        ids[..48],
        "ticket N does not depend on the count"
    );
}

#[test]
fn binary_prints_its_address_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coctop"))
        .args(["sim", "--listen", "127.0.0.1:0", "--seed", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let summary = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("coctop sim listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    assert!(!url.ends_with(":0"), "{url}");
    assert!(
        summary.contains("48 tickets") && summary.contains("seed 5"),
        "{summary}"
    );
    let body = blocking_get(&format!("{url}/v1/executions?limit=1"));
    assert_eq!(body["total"], 48);
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean exit");
}

#[test]
fn binary_refuses_bad_options_and_busy_ports() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_coctop"))
            .arg("sim")
            .args(args)
            .output()
            .unwrap()
    };
    for args in [
        &["--fail-rate", "1.5"][..],
        &["--throttle-rate=-0.1"],
        &["--speed", "0"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("must be"),
            "{args:?}"
        );
    }
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let out = run(&["--listen", &addr]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
}

/// A GET from a plain test thread (the binary tests have no runtime).
fn blocking_get(url: &str) -> Value {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async { get(url).await.2 })
}

#[tokio::test]
async fn stopping_the_handle_closes_the_port() {
    let sim = sim_with(SimOptions::default()).await;
    let url = format!("{}/v1/executions", sim.base_url());
    assert_eq!(get(&url).await.0, 200);
    sim.stop().await;
    assert!(
        reqwest::get(&url).await.is_err(),
        "nothing listens any more"
    );
}
