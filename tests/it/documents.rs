//! Documents (jobs): the real `coc::Client` against the simulator over HTTP on
//! 127.0.0.1: listing, one document at a version, and runs that create executions.

use std::collections::HashSet;
use std::time::Duration;

use coctop::coc::{
    ApiError, Auth, Client, ClientConfig, DocumentQuery, Endpoint, ExecuteDocumentRequest,
    ExecutionType, KeyValue, ListQuery, Targets, Ticket,
};
use coctop::sim::{self, SimHandle, SimOptions};

async fn sim_and_client() -> (SimHandle, Client) {
    let sim = sim::start(([127, 0, 0, 1], 0).into(), SimOptions::default())
        .await
        .expect("sim starts");
    let endpoint = Endpoint::from_url(&sim.base_url()).unwrap();
    let client = Client::new(ClientConfig::new(endpoint, Auth::None)).unwrap();
    (sim, client)
}

async fn seeded_tickets(client: &Client) -> Vec<Ticket> {
    client
        .list_executions(&ListQuery {
            limit: Some(100),
            ..ListQuery::default()
        })
        .await
        .unwrap()
        .data
}

fn codes(error: &ApiError) -> (Option<u16>, Option<&str>) {
    (error.http_status(), error.error_code())
}

/// The run that starts `ticket`'s job again with the same inputs.
fn again(ticket: &Ticket) -> ExecuteDocumentRequest {
    ExecuteDocumentRequest {
        version: ticket.document_version.as_deref().map(str::to_string),
        parameters: ticket.parameters.clone(),
        target_parameter_name: ticket.target_parameter_name.as_deref().map(str::to_string),
        targets: ticket.targets.as_ref().map(Targets::list),
        description: Some("run again".into()),
        ..ExecuteDocumentRequest::default()
    }
}

#[tokio::test]
async fn documents_are_listed_paged_and_filtered_and_every_seeded_job_is_one() {
    let (sim, client) = sim_and_client().await;
    let all = client
        .list_documents(&DocumentQuery {
            limit: Some(100),
            ..DocumentQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, Some(all.data.len() as i64));
    let ids: Vec<String> = all.data.iter().map(|d| d.document_id.clone()).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>(),
        sim.document_ids().iter().collect::<HashSet<_>>()
    );
    let created: Vec<i64> = all.data.iter().map(|d| d.create_time.unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    for ticket in seeded_tickets(&client).await {
        assert!(ids.contains(&ticket.document_id.as_deref().unwrap().to_string()));
    }
    let page = client
        .list_documents(&DocumentQuery {
            limit: Some(3),
            offset: Some(2),
            ..DocumentQuery::default()
        })
        .await
        .unwrap();
    let paged: Vec<&str> = page.data.iter().map(|d| d.document_id.as_str()).collect();
    assert_eq!(
        paged,
        ids[2..5].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let named = client
        .list_documents(&DocumentQuery {
            limit: Some(100),
            name_like: Some("重启".into()),
            ..DocumentQuery::default()
        })
        .await
        .unwrap();
    assert!(!named.data.is_empty());
    assert!(
        named
            .data
            .iter()
            .all(|d| d.name.as_ref().unwrap().contains("重启"))
    );
    let public = client
        .list_documents(&DocumentQuery {
            document_type: Some("PUBLIC".into()),
            ..DocumentQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(public.total, Some(0));
}

#[tokio::test]
async fn a_document_shows_its_versions_and_parameters_and_unknown_ones_are_refused() {
    let (sim, client) = sim_and_client().await;
    for id in sim.document_ids() {
        let latest = client.get_document(&id, None).await.unwrap();
        let versions: Vec<&str> = latest
            .versions
            .iter()
            .map(|v| v.version.as_deref().unwrap())
            .collect();
        assert_eq!(latest.version.as_deref(), versions.last().copied());
        let first = client.get_document(&id, Some(versions[0])).await.unwrap();
        assert_eq!(first.version.as_deref(), Some(versions[0]));
        assert!(
            first
                .content
                .unwrap()
                .contains(&format!("version: {}", versions[0]))
        );
        let required: Vec<_> = latest.parameters.iter().filter(|p| p.required).collect();
        assert_eq!(required.len(), 1, "{id}");
        assert_eq!(
            required[0].value, None,
            "a required parameter has no default"
        );
        assert!(
            latest
                .parameters
                .iter()
                .all(|p| p.description.as_ref().unwrap().contains('\n'))
        );
        let error = client.get_document(&id, Some("v99")).await.unwrap_err();
        assert_eq!(codes(&error), (Some(400), Some("COC.00042102")));
    }
    let error = client
        .get_document("DM2099010100000000nobody", None)
        .await
        .unwrap_err();
    assert_eq!(codes(&error), (Some(400), Some("COC.00042101")));
}

#[tokio::test]
async fn a_seeded_execution_runs_again_as_a_new_execution_of_every_kind() {
    let (sim, client) = sim_and_client().await;
    let tickets = seeded_tickets(&client).await;
    for kind in [
        ExecutionType::Normal,
        ExecutionType::Batch,
        ExecutionType::RateControl,
    ] {
        let model = tickets
            .iter()
            .find(|t| t.execution_type.as_ref() == Some(&kind) && t.is_terminal())
            .unwrap();
        let before = sim.operations_received();
        let id = client
            .execute_document(model.document_id.as_ref().unwrap(), &again(model))
            .await
            .unwrap();
        assert_eq!(sim.operations_received(), before + 1);
        assert_ne!(&id, &model.execution_id);
        let fresh = client.get_execution(&id).await.unwrap();
        assert!(!fresh.is_terminal(), "{kind}: it starts now");
        assert_eq!(fresh.execution_type.as_ref(), Some(&kind));
        assert_eq!(fresh.document_id, model.document_id);
        assert_eq!(fresh.document_version, model.document_version);
        assert_eq!(fresh.parameters, model.parameters);
        assert_eq!(fresh.targets, model.targets, "{kind}");
        assert_eq!(fresh.target_parameter_name, model.target_parameter_name);
        assert_eq!(fresh.description.as_deref(), Some("run again"));
        assert_eq!(fresh.creator.as_deref(), Some("sim-user"));

        sim.advance(Duration::from_secs(3600));
        let ended = client.get_execution(&id).await.unwrap();
        assert!(ended.is_terminal(), "{kind}: {:?}", ended.status);
        let steps = crate::support::read_steps(&client, &id).await;
        assert!(!steps.is_empty());
        if kind == ExecutionType::Batch {
            let model_steps = crate::support::read_steps(&client, &model.execution_id).await;
            let batch_step = |steps: &[coctop::coc::Step]| {
                steps
                    .iter()
                    .find(|s| s.properties.get("on_targets") == Some(&"true".into()))
                    .and_then(|s| s.execution_step_id.clone())
                    .unwrap()
            };
            let hosts = crate::support::read_instances(&client, &batch_step(&steps)).await;
            let model_hosts =
                crate::support::read_instances(&client, &batch_step(&model_steps)).await;
            let names = |hosts: &[coctop::coc::Instance]| -> Vec<serde_json::Value> {
                hosts.iter().map(|h| h.properties["name"].clone()).collect()
            };
            assert_eq!(names(&hosts), names(&model_hosts), "the same hosts");
        }
    }
}

#[tokio::test]
async fn bad_runs_are_refused_with_the_service_codes_and_start_nothing() {
    let (sim, client) = sim_and_client().await;
    let model = seeded_tickets(&client)
        .await
        .into_iter()
        .find(|t| t.execution_type == Some(ExecutionType::Normal))
        .unwrap();
    let document = model.document_id.clone().unwrap();
    let refused = |request: ExecuteDocumentRequest| {
        let (client, document) = (client.clone(), document.clone());
        async move {
            client
                .execute_document(&document, &request)
                .await
                .unwrap_err()
        }
    };
    let mut missing = again(&model);
    missing.parameters.remove(0);
    assert_eq!(
        codes(&refused(missing).await),
        (Some(400), Some("COC.00040001"))
    );
    let mut blank = again(&model);
    blank.parameters[0].value = "  ".into();
    assert_eq!(
        codes(&refused(blank).await),
        (Some(400), Some("COC.00040001"))
    );
    let mut unknown = again(&model);
    unknown.parameters.push(KeyValue {
        key: "no_such".into(),
        value: "1".into(),
    });
    let error = refused(unknown).await;
    assert_eq!(codes(&error), (Some(400), Some("COC.00040001")));
    assert!(error.error_msg().unwrap().contains("no_such"), "{error}");
    let mut version = again(&model);
    version.version = Some("v99".into());
    assert_eq!(
        codes(&refused(version).await),
        (Some(400), Some("COC.00042102"))
    );
    let mut targets = again(&model);
    targets.targets = Some(vec![coctop::coc::Target {
        key: "SomeValues".into(),
        values: Vec::new(),
    }]);
    assert_eq!(
        codes(&refused(targets).await),
        (Some(400), Some("COC.00040001"))
    );
    let error = client
        .execute_document("DM2099010100000000nobody", &again(&model))
        .await
        .unwrap_err();
    assert_eq!(codes(&error), (Some(400), Some("COC.00042101")));
    let started = client
        .list_executions(&ListQuery {
            creator: Some("sim-user".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(started.total, Some(0), "nothing started");
    assert_eq!(sim.operations_received(), 6, "each bad run sent once");
}
