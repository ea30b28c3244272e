//! Script tickets: the real `coc::Client` against the simulator over HTTP on 127.0.0.1
//! for every endpoint, and against small servers for what the simulator never sends
//! (a marker that repeats, unknown statuses, numbers as strings, oversize bodies).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use axum::http::StatusCode;
use coctop::coc::script::{
    ExecuteBatch, ExecuteParam, MAX_SCRIPT_HOST_LIMIT, ROTATION_CONTINUE, ScriptParam,
};
use coctop::coc::{
    ApiError, ApiLanguage, Auth, Client, ClientConfig, Endpoint, ScriptExecuteRequest, ScriptHost,
    ScriptHostQuery, ScriptOperation, ScriptOrder, ScriptOrderQuery, ScriptStatus, TargetInstance,
};
use coctop::sim::{self, SimHandle, SimOptions};

use crate::client::{Reply, TestServer, fast_retries, json};
use crate::support::read_batch_hosts;

async fn sim_with(options: SimOptions) -> SimHandle {
    sim::start(([127, 0, 0, 1], 0).into(), options)
        .await
        .expect("sim starts")
}

fn client_with(sim: &SimHandle, language: Option<ApiLanguage>) -> Client {
    let mut config = ClientConfig::new(Endpoint::from_url(&sim.base_url()).unwrap(), Auth::None);
    config.retry = fast_retries();
    config.language = language;
    Client::new(config).unwrap()
}

fn client(sim: &SimHandle) -> Client {
    client_with(sim, None)
}

async fn every_order(client: &Client) -> Vec<ScriptOrder> {
    let page = client
        .list_script_orders(&ScriptOrderQuery {
            limit: Some(100),
            ..ScriptOrderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, Some(page.data.len() as i64));
    page.data
}

async fn status_of(client: &Client, uuid: &str) -> ScriptStatus {
    client
        .get_script_ticket(uuid)
        .await
        .unwrap()
        .status
        .unwrap()
}

/// Every host of a ticket, batch after batch.
async fn every_host(client: &Client, uuid: &str) -> Vec<(u32, ScriptHost)> {
    let mut hosts = Vec::new();
    for batch in client.list_script_batches(uuid).await.unwrap() {
        let index = batch.batch_index.unwrap();
        for host in read_batch_hosts(client, uuid, index).await.unwrap() {
            hosts.push((index, host));
        }
    }
    hosts
}

fn uuids(orders: &[ScriptOrder]) -> Vec<&str> {
    orders.iter().map(|o| o.execute_uuid.as_str()).collect()
}

fn refusal_code(error: &ApiError) -> (Option<u16>, Option<&str>) {
    (error.http_status(), error.error_code())
}

#[tokio::test]
async fn orders_are_newest_first_paged_by_marker_and_filtered_as_defined() {
    let sim = sim_with(SimOptions::default()).await;
    let client = client(&sim);
    let all = every_order(&client).await;
    assert_eq!(all.len(), 24, "the default count");
    let statuses: HashSet<_> = all.iter().filter_map(|o| o.status.clone()).collect();
    assert_eq!(statuses, ScriptStatus::KNOWN.into_iter().collect());
    let order_ids: Vec<i64> = all.iter().map(|o| o.order_id.unwrap()).collect();
    assert!(order_ids.windows(2).all(|w| w[0] > w[1]), "{order_ids:?}");

    let mut paged = Vec::new();
    let mut query = ScriptOrderQuery {
        limit: Some(7),
        ..ScriptOrderQuery::default()
    };
    loop {
        let page = client.list_script_orders(&query).await.unwrap();
        assert_eq!(page.total, Some(24), "total counts every match");
        let last = page.data.last().and_then(|o| o.order_id);
        let full = page.data.len() == 7;
        paged.extend(page.data);
        match last {
            Some(marker) if full => query.marker = Some(marker),
            _ => break,
        }
    }
    assert_eq!(uuids(&paged), uuids(&all));

    for status in ScriptStatus::KNOWN {
        let query = ScriptOrderQuery {
            limit: Some(100),
            status: Some(status.clone()),
            ..ScriptOrderQuery::default()
        };
        let chosen = client.list_script_orders(&query).await.unwrap();
        let expected: Vec<&str> = all
            .iter()
            .filter(|o| o.status.as_ref() == Some(&status))
            .map(|o| o.execute_uuid.as_str())
            .collect();
        assert_eq!(uuids(&chosen.data), expected, "{status}");
    }
    let created: Vec<i64> = all.iter().map(|o| o.gmt_created.unwrap()).collect();
    let (low, high) = (created[15], created[5]);
    let window = client
        .list_script_orders(&ScriptOrderQuery {
            limit: Some(100),
            start_time: Some(low),
            end_time: Some(high),
            ..ScriptOrderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(uuids(&window.data), uuids(&all[5..=15]));
    let error = client
        .list_script_orders(&ScriptOrderQuery {
            limit: Some(101),
            ..ScriptOrderQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&error), (Some(400), Some("COC.00040001")));
}

#[tokio::test]
async fn every_ticket_reads_whole_and_its_counts_agree() {
    let sim = sim_with(SimOptions::default()).await;
    let client = client(&sim);
    let mut seen_ids = HashSet::new();
    for order in every_order(&client).await {
        let uuid = &order.execute_uuid;
        let ticket = client.get_script_ticket(uuid).await.unwrap();
        assert_eq!(ticket.status, order.status);
        let properties = &ticket.properties;
        assert!(properties.script_name.is_some() && properties.script_uuid.is_some());
        let param = properties.execute_param.as_ref().unwrap();
        assert!(param.timeout.is_some() && !param.script_params.is_empty());
        let batches = client.list_script_batches(uuid).await.unwrap();
        let current = properties.current_execute_batch_index.unwrap();
        assert!((1..=batches.len() as u32).contains(&current), "{uuid}");

        let hosts = every_host(&client, uuid).await;
        let expected: u64 = batches.iter().map(|b| b.total_instances.unwrap()).sum();
        assert_eq!(hosts.len() as u64, expected, "{uuid}");
        let mut tally: BTreeMap<String, (u64, Vec<u32>)> = BTreeMap::new();
        for (batch, host) in &hosts {
            assert!(seen_ids.insert(host.id.unwrap()), "host IDs are unique");
            let (count, batches) = tally
                .entry(host.status.clone().unwrap().to_string())
                .or_default();
            *count += 1;
            if batches.last() != Some(batch) {
                batches.push(*batch);
            }
        }
        let statistics = client.script_statistics(uuid).await.unwrap();
        assert_eq!(statistics.total_instance, Some(expected));
        let reported: BTreeMap<String, (u64, Vec<u32>)> = statistics
            .execute_statistics
            .into_iter()
            .map(|s| {
                let status = s.instance_status.unwrap().to_string();
                (status, (s.instance_count.unwrap(), s.batch_indexes))
            })
            .collect();
        assert_eq!(reported, tally, "{uuid}");
        if order.status == Some(ScriptStatus::Finished) {
            assert!(
                hosts
                    .iter()
                    .all(|(_, h)| h.status == Some(ScriptStatus::Finished))
            );
        }
    }
    let unknown = client
        .get_script_ticket("JS2099010100000000nobody")
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&unknown), (Some(400), Some("COC.00040709")));
    let bad_batch = client
        .list_script_hosts(&sim.script_ticket_ids()[0], 21, &ScriptHostQuery::default())
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&bad_batch), (Some(400), Some("COC.00040001")));
}

#[tokio::test]
async fn host_output_arrives_raw_the_huge_one_and_the_hostile_ones() {
    let sim = sim_with(SimOptions::default()).await;
    let client = client(&sim);
    let mut largest = 0;
    let mut hostile = None;
    for uuid in sim.script_ticket_ids() {
        for (_, host) in every_host(&client, &uuid).await {
            let message = host.message.unwrap_or_default();
            largest = largest.max(message.len());
            if message.contains("\u{1b}]0;") {
                hostile = Some(message);
            }
        }
    }
    assert!((900_000..1_048_576).contains(&largest), "{largest}");
    let hostile = hostile.expect("a host prints escape sequences");
    for raw in [
        "\u{1b}[32m",
        "\u{0}",
        "\u{7}",
        "\u{9b}31m",
        "\u{202e}",
        "\r",
        "😀",
    ] {
        assert!(hostile.contains(raw), "{raw:?} was changed on the way");
    }
    let shown = coctop::text::sanitize(&hostile);
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}'));
}

#[tokio::test]
async fn tickets_live_by_the_clock_and_a_pause_holds_until_continued() {
    let sim = sim_with(SimOptions::default()).await;
    let client = client(&sim);
    let all = every_order(&client).await;
    let ready: Vec<&str> = all
        .iter()
        .filter(|o| o.status == Some(ScriptStatus::Ready))
        .map(|o| o.execute_uuid.as_str())
        .collect();
    assert!(!ready.is_empty());
    sim.advance(Duration::from_secs(150));
    for uuid in &ready {
        assert_ne!(
            status_of(&client, uuid).await,
            ScriptStatus::Ready,
            "{uuid}"
        );
    }
    sim.advance(Duration::from_secs(12 * 3600));
    let later = every_order(&client).await;
    for order in &later {
        let status = order.status.clone().unwrap();
        assert!(
            status.is_terminal() || status == ScriptStatus::Paused,
            "{} is {status} after 12 h",
            order.execute_uuid
        );
    }
    let paused: Vec<&ScriptOrder> = later
        .iter()
        .filter(|o| o.status == Some(ScriptStatus::Paused))
        .collect();
    assert!(!paused.is_empty(), "the seeded PAUSED ticket waits");
    for order in &paused {
        client
            .operate_script_ticket(&order.execute_uuid, ScriptOperation::ContinueOrder)
            .await
            .unwrap();
    }
    // A later batch may pause again: keep continuing until the end.
    for _ in 0..20 {
        sim.advance(Duration::from_secs(3600));
        for order in &paused {
            if status_of(&client, &order.execute_uuid).await == ScriptStatus::Paused {
                client
                    .operate_script_ticket(&order.execute_uuid, ScriptOperation::ContinueOrder)
                    .await
                    .unwrap();
            }
        }
    }
    for order in paused {
        assert!(status_of(&client, &order.execute_uuid).await.is_terminal());
    }
}

#[tokio::test]
async fn operations_follow_the_rules_and_refusals_come_in_the_language_asked() {
    let sim = sim_with(SimOptions::default()).await;
    let client = client(&sim);
    let chinese = client_with(&sim, Some(ApiLanguage::ZhCn));
    let all = every_order(&client).await;
    let with = |status: ScriptStatus| {
        all.iter()
            .find(|o| o.status == Some(status.clone()))
            .unwrap()
            .execute_uuid
            .clone()
    };
    let running = with(ScriptStatus::Processing);

    client
        .operate_script_ticket(&running, ScriptOperation::PauseOrder)
        .await
        .unwrap();
    assert_eq!(status_of(&client, &running).await, ScriptStatus::Paused);
    let twice = client
        .operate_script_ticket(&running, ScriptOperation::PauseOrder)
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&twice), (Some(400), Some("COC.00040712")));
    assert!(twice.error_msg().unwrap().contains("PAUSED"), "{twice}");
    client
        .operate_script_ticket(&running, ScriptOperation::ContinueOrder)
        .await
        .unwrap();
    assert_eq!(status_of(&client, &running).await, ScriptStatus::Processing);

    for status in ScriptStatus::KNOWN
        .into_iter()
        .filter(ScriptStatus::is_terminal)
    {
        let ended = with(status.clone());
        for operation in [
            ScriptOperation::PauseOrder,
            ScriptOperation::ContinueOrder,
            ScriptOperation::CancelOrder,
            ScriptOperation::SkipBatch { batch_index: 1 },
        ] {
            assert!(!operation.allowed_for(&status));
            let error = chinese
                .operate_script_ticket(&ended, operation)
                .await
                .unwrap_err();
            assert_eq!(refusal_code(&error), (Some(400), Some("COC.00040712")));
            assert!(error.error_msg().unwrap().contains("不支持"), "{error}");
        }
    }

    // CANCEL_INSTANCE of a host that has not finished; again is refused.
    let hosts = every_host(&client, &running).await;
    let (_, waiting) = hosts
        .iter()
        .find(|(_, h)| {
            matches!(
                h.status,
                Some(ScriptStatus::Ready | ScriptStatus::Processing)
            )
        })
        .unwrap();
    let cancel_host = ScriptOperation::CancelInstance {
        instance_id: waiting.id.unwrap(),
    };
    client
        .operate_script_ticket(&running, cancel_host)
        .await
        .unwrap();
    let again = client
        .operate_script_ticket(&running, cancel_host)
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&again), (Some(400), Some("COC.00040712")));
    let other_ticket = client
        .operate_script_ticket(
            &running,
            ScriptOperation::CancelInstance {
                instance_id: 1 << 40,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal_code(&other_ticket),
        (Some(400), Some("COC.00040712"))
    );

    // SKIP_BATCH of a batch still to run: its hosts end CANCELED; again is refused.
    let mut waiting_batch = None;
    for order in &all {
        if order.status == Some(ScriptStatus::Paused) {
            let hosts = every_host(&client, &order.execute_uuid).await;
            let ready = hosts
                .iter()
                .find(|(_, h)| h.status == Some(ScriptStatus::Ready));
            waiting_batch = ready.map(|(b, _)| (order.execute_uuid.clone(), *b));
        }
    }
    let (paused, batch) = waiting_batch.expect("a PAUSED ticket waits before a batch");
    let skip = ScriptOperation::SkipBatch { batch_index: batch };
    client.operate_script_ticket(&paused, skip).await.unwrap();
    let skipped = read_batch_hosts(&client, &paused, batch).await.unwrap();
    assert!(
        skipped
            .iter()
            .all(|h| h.status == Some(ScriptStatus::Canceled))
    );
    let again = client
        .operate_script_ticket(&paused, skip)
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&again), (Some(400), Some("COC.00040712")));

    // CANCEL_ORDER of a ticket that has not started.
    let ready = with(ScriptStatus::Ready);
    client
        .operate_script_ticket(&ready, ScriptOperation::CancelOrder)
        .await
        .unwrap();
    let ticket = client.get_script_ticket(&ready).await.unwrap();
    assert_eq!(ticket.status, Some(ScriptStatus::Canceled));
    assert!(ticket.gmt_finished.is_some());
    let hosts = every_host(&client, &ready).await;
    assert!(
        hosts
            .iter()
            .all(|(_, h)| h.status == Some(ScriptStatus::Canceled))
    );
    let unknown = client
        .operate_script_ticket("JS2099010100000000nobody", ScriptOperation::CancelOrder)
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&unknown), (Some(400), Some("COC.00040709")));
}

fn run_on(hosts: Vec<TargetInstance>, first_param: &str) -> ScriptExecuteRequest {
    ScriptExecuteRequest {
        execute_param: ExecuteParam {
            timeout: Some(300),
            success_rate: Some(50.0),
            execute_user: Some("root".into()),
            script_params: vec![ScriptParam {
                param_name: first_param.into(),
                param_value: "given".into(),
                param_refer: None,
            }],
        },
        execute_batches: hosts
            .chunks(2)
            .enumerate()
            .map(|(k, chunk)| ExecuteBatch {
                batch_index: k as u32 + 1,
                target_instances: chunk.to_vec(),
                rotation_strategy: Some(ROTATION_CONTINUE.into()),
            })
            .collect(),
    }
}

#[tokio::test]
async fn a_started_script_runs_on_the_given_hosts_to_its_end() {
    let sim = sim_with(SimOptions::default()).await;
    let client = client(&sim);
    let model = sim.script_ticket_ids()[0].clone();
    let detail = client.get_script_ticket(&model).await.unwrap();
    let script_uuid = detail.properties.script_uuid.clone().unwrap();
    let first_param = detail.properties.execute_param.unwrap().script_params[0]
        .param_name
        .clone();
    let hosts: Vec<TargetInstance> = every_host(&client, &model)
        .await
        .into_iter()
        .filter_map(|(_, h)| h.target_instance)
        .collect();
    let before = sim.operations_received();
    let request = run_on(hosts.clone(), &first_param);
    let started = client.execute_script(&script_uuid, &request).await.unwrap();
    assert_eq!(sim.operations_received(), before + 1);
    assert_eq!(every_order(&client).await[0].execute_uuid, started);
    let ticket = client.get_script_ticket(&started).await.unwrap();
    assert_eq!(ticket.creator.as_deref(), Some("sim-user"));
    let param = ticket.properties.execute_param.unwrap();
    assert_eq!(param.success_rate, Some(50.0));
    assert_eq!(param.script_params[0].param_value, "given");
    let ran_on: Vec<TargetInstance> = every_host(&client, &started)
        .await
        .into_iter()
        .filter_map(|(_, h)| h.target_instance)
        .collect();
    assert_eq!(ran_on, hosts, "the hosts as given, in order");
    sim.advance(Duration::from_secs(3600));
    assert!(status_of(&client, &started).await.is_terminal());

    let mut missing = request.clone();
    missing.execute_param.script_params.clear();
    let error = client
        .execute_script(&script_uuid, &missing)
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&error), (Some(400), Some("COC.00040001")));
    let unknown = client
        .execute_script("no-such-script", &request)
        .await
        .unwrap_err();
    assert_eq!(refusal_code(&unknown), (Some(400), Some("COC.00040801")));
    let mut empty = request;
    empty.execute_batches.clear();
    assert!(client.execute_script(&script_uuid, &empty).await.is_err());
}

#[tokio::test]
async fn writes_are_sent_once_when_the_server_fails_and_reads_are_retried() {
    let sim = sim_with(SimOptions {
        fail_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    let client = client(&sim);
    let uuid = sim.script_ticket_ids()[1].clone();
    let error = client
        .operate_script_ticket(&uuid, ScriptOperation::PauseOrder)
        .await
        .unwrap_err();
    assert!(error.http_status().is_some_and(|s| s >= 500), "{error}");
    assert_eq!(sim.operations_received(), 1);
    let run = run_on(Vec::new(), "x");
    assert!(client.execute_script("any", &run).await.is_err());
    assert_eq!(sim.operations_received(), 2);
    let served = sim.requests_served();
    assert!(client.get_script_ticket(&uuid).await.is_err());
    assert_eq!(
        sim.requests_served() - served,
        4,
        "one try and three retries"
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_script_tickets() {
    let a = sim_with(SimOptions {
        seed: 5,
        ..SimOptions::default()
    })
    .await;
    let b = sim_with(SimOptions {
        seed: 5,
        ..SimOptions::default()
    })
    .await;
    let c = sim_with(SimOptions {
        seed: 6,
        script_tickets: 3,
        ..SimOptions::default()
    })
    .await;
    assert_eq!(a.script_ticket_ids(), b.script_ticket_ids());
    assert_eq!(a.script_uuids(), b.script_uuids());
    assert_eq!(c.script_ticket_ids().len(), 3);
    assert!(
        c.script_ticket_ids()
            .iter()
            .all(|id| !a.script_ticket_ids().contains(id))
    );
    let (ca, cb) = (client(&a), client(&b));
    for uuid in a.script_ticket_ids() {
        let (ta, tb) = (
            ca.get_script_ticket(&uuid).await.unwrap(),
            cb.get_script_ticket(&uuid).await.unwrap(),
        );
        assert_eq!(ta.status, tb.status);
        // Hosts of a live ticket change at any moment: the two sims started apart.
        if !ta.is_terminal() {
            continue;
        }
        assert_eq!(ta.properties, tb.properties);
        let (ha, hb) = (every_host(&ca, &uuid).await, every_host(&cb, &uuid).await);
        let fixed = |hosts: Vec<(u32, ScriptHost)>| -> Vec<_> {
            hosts
                .into_iter()
                .map(|(b, h)| (b, h.id, h.target_instance, h.status))
                .collect()
        };
        assert_eq!(fixed(ha), fixed(hb));
    }
    let none = sim_with(SimOptions {
        script_tickets: 0,
        ..SimOptions::default()
    })
    .await;
    assert!(every_order(&client(&none)).await.is_empty());
}

// What the simulator never sends.

fn host_json(id: i64) -> serde_json::Value {
    serde_json::json!({"id": id, "status": "FINISHED", "message": format!("host {id}\n")})
}

#[tokio::test]
async fn a_marker_the_server_ignores_ends_the_reading_without_duplicates() {
    let server = TestServer::start(|_, _| {
        let hosts: Vec<_> = (1..=MAX_SCRIPT_HOST_LIMIT as i64).map(host_json).collect();
        let body = serde_json::json!({"data": {"batch_index": 1, "total_instances": 9999, "execute_instances": hosts}});
        Reply::from(json(StatusCode::OK, &body.to_string()))
    })
    .await;
    let client = crate::client::client(&server, Auth::None);
    let hosts = read_batch_hosts(&client, "JS1", 1).await.unwrap();
    assert_eq!(hosts.len(), MAX_SCRIPT_HOST_LIMIT as usize);
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "the second page brought nothing new");
    assert_eq!(seen[0].path(), "/v1/job/script/orders/JS1/batches/1");
    assert!(seen[1].query().contains(&("marker".into(), "50".into())));
    assert!(seen[0].query().contains(&("limit".into(), "50".into())));
}

#[tokio::test]
async fn unknown_statuses_numbers_as_strings_and_odd_shapes_are_decoded() {
    let body = serde_json::json!({"data": {"total": "3", "data": [
        {"order_id": "12", "execute_uuid": "JS1", "status": "TIMEOUT", "gmt_created": "1751299200000",
         "properties": "not an object", "execute_costs": 1.5},
        {"order_id": null, "execute_uuid": 42, "status": null, "creator": ["x"]},
        {"execute_uuid": "JS3", "status": "FINISHED\u{1b}[0m", "gmt_finished": {"when": 1}}
    ]}});
    let server =
        TestServer::start(move |_, _| Reply::from(json(StatusCode::OK, &body.to_string()))).await;
    let client = crate::client::client(&server, Auth::None);
    let page = client
        .list_script_orders(&ScriptOrderQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total, Some(3));
    let [first, second, third] = &page.data[..] else {
        panic!("{page:?}")
    };
    assert_eq!(first.order_id, Some(12));
    assert_eq!(first.status, Some(ScriptStatus::Unknown("TIMEOUT".into())));
    assert_eq!(first.gmt_created, Some(1_751_299_200_000));
    assert_eq!(first.properties, None);
    assert_eq!(second.execute_uuid, "42");
    assert_eq!(second.creator.as_deref(), Some("[\"x\"]"));
    let odd = third.status.clone().unwrap();
    assert!(!odd.is_terminal(), "an exact FINISHED only");
    assert_ne!(odd.label(), "FINISHED");
    assert_eq!(third.gmt_finished, None);
}

#[tokio::test]
async fn megabytes_of_output_decode_and_a_body_over_the_cap_is_refused() {
    let message = "\u{1b}[31mred\u{1b}[0m 日志\n".repeat(200_000);
    let size = message.len();
    let body = serde_json::json!({"data": {"execute_instances": [{"id": 1, "message": message}]}})
        .to_string();
    let server = TestServer::start(move |n, _| {
        let mut text = body.clone();
        if n > 0 {
            text.push_str(&" ".repeat(9 * 1024 * 1024));
        }
        Reply::from(json(StatusCode::OK, &text))
    })
    .await;
    let client = crate::client::client(&server, Auth::None);
    let page = client
        .list_script_hosts("JS1", 1, &ScriptHostQuery::default())
        .await
        .unwrap();
    let got = page.data[0].message.as_ref().unwrap();
    assert_eq!(got.len(), size);
    assert!(got.starts_with("\u{1b}[31mred"));
    let error = client
        .list_script_hosts("JS1", 1, &ScriptHostQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::BodyTooLarge { .. }), "{error}");
}

#[tokio::test]
async fn operations_and_runs_are_put_and_posted_once_with_the_language_asked() {
    let server =
        TestServer::start(|_, _| Reply::from(json(StatusCode::INTERNAL_SERVER_ERROR, "{}"))).await;
    let mut config = crate::client::config(&server, crate::client::aksk());
    config.language = Some(ApiLanguage::ZhCn);
    let client = Client::new(config).unwrap();
    assert!(
        client
            .operate_script_ticket("JS1", ScriptOperation::SkipBatch { batch_index: 2 })
            .await
            .is_err()
    );
    let put = server.only();
    assert_eq!(
        (put.method.as_str(), put.path()),
        ("PUT", "/v1/job/script/orders/JS1/operation")
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&put.body).unwrap(),
        serde_json::json!({"operation_type": "SKIP_BATCH", "batch_index": 2})
    );
    assert_eq!(put.header("x-language"), Some("zh-cn"));
    crate::client::verify_signature(&put, crate::client::SK).unwrap();
    let refused = client
        .operate_script_ticket("../x", ScriptOperation::CancelOrder)
        .await
        .unwrap_err();
    assert!(matches!(refused, ApiError::InvalidId { .. }));
    assert_eq!(server.hits(), 1, "an invalid ID never leaves");
}

#[tokio::test]
async fn a_run_answered_without_a_valid_id_is_an_error() {
    for answer in [
        r#"{"data": null}"#,
        r#"{"data": "../x"}"#,
        r#"{"data": 7}"#,
        "[]",
    ] {
        let server = TestServer::start(move |_, _| Reply::from(json(StatusCode::OK, answer))).await;
        let client = crate::client::client(&server, Auth::None);
        let error = client
            .execute_script("SC1", &ScriptExecuteRequest::default())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ApiError::Decode { .. }),
            "{answer}: {error}"
        );
        assert_eq!(server.hits(), 1);
    }
}
