"""Drives `coctop sim` with the official Huawei Cloud Python SDK (huaweicloudsdkcoc).

Usage: python3 sdk_compat.py URL AK SK
Every call goes through the SDK's own signer, request builder and response models, so
a pass means the simulator is interchangeable with COC for the SDK.
"""

import sys
import time

from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcoc.v1 import (
    CocClient,
    ExecuteDocumentRequest,
    ExecuteDocumentRequestBody,
    ExecuteDocumentRequestBodyParameters,
    ExecuteDocumentRequestBodyTargets,
    ExecuteInstancesBatchInfo,
    ExecuteResourceInstance,
    ExecuteScriptRequest,
    GetDocumentRequest,
    GetExecutionRequest,
    GetScriptJobBatchRequest,
    GetScriptJobInfoRequest,
    GetScriptJobStatisticsRequest,
    JobScriptOrderOperationBody,
    ListDocumentsRequest,
    ListExecutionInstancesRequest,
    ListExecutionsRequest,
    ListExecutionStepsRequest,
    ListScriptJobBatchesRequest,
    ListScriptJobsRequest,
    OperateExecutionRequest,
    OperateExecutionRequestBody,
    OperateScriptJobRequest,
    ScriptExecuteInputParam,
    ScriptExecuteModel,
    ScriptExecuteParam,
)

STATUSES = {"Pending", "Running", "Succeed", "Canceling", "Canceled", "Failed", "Timeout"}
SCRIPT_STATUSES = {"READY", "PROCESSING", "PAUSED", "ABNORMAL", "CANCELED", "FINISHED", "ROLLBACKED"}


def client(url, ak, sk):
    # domain_id given: the SDK would otherwise ask IAM for it (and signs X-Domain-Id).
    credentials = GlobalCredentials(ak, sk, domain_id="0123456789abcdef0123456789abcdef")
    return CocClient.new_builder().with_credentials(credentials).with_endpoints([url]).build()


def expect_error(call, status, code):
    try:
        call()
    except exceptions.ClientRequestException as e:
        assert e.status_code == status, (e.status_code, e.error_code, e.error_msg)
        assert e.error_code == code, (e.error_code, e.error_msg)
        assert e.request_id, "the request id reaches the SDK"
        return e
    raise AssertionError(f"expected HTTP {status} {code}")


def main(url, ak, sk):
    coc = client(url, ak, sk)

    everything = coc.list_executions(ListExecutionsRequest(limit=100))
    tickets = everything.data
    assert everything.total == len(tickets) >= 40, everything.total
    assert {t.status for t in tickets} == STATUSES, {t.status for t in tickets}
    assert {t.type for t in tickets} == {"NORMAL", "BATCH", "RATE_CONTROL"}
    assert all(len(t.execution_id) == 24 for t in tickets)
    print(f"list: {everything.total} tickets, all statuses and types")

    page = coc.list_executions(ListExecutionsRequest(limit=5, offset=5))
    assert [t.execution_id for t in page.data] == [t.execution_id for t in tickets[5:10]]

    sample = tickets[0]
    creator_part = sample.creator[:3].upper()
    by_creator = coc.list_executions(ListExecutionsRequest(limit=100, creator=creator_part))
    expected = [t.execution_id for t in tickets if creator_part.lower() in t.creator.lower()]
    assert [t.execution_id for t in by_creator.data] == expected, creator_part

    tag = sample.tags[0]
    by_tag = coc.list_executions(
        ListExecutionsRequest(limit=100, tags=f"{tag.key}={tag.value}", document_id=sample.document_id)
    )
    assert by_tag.total >= 1
    assert all(t.document_id == sample.document_id for t in by_tag.data)
    assert all(any(x.key == tag.key and x.value == tag.value for x in t.tags) for t in by_tag.data)

    by_name = coc.list_executions(ListExecutionsRequest(limit=100, document_name="重启"))
    assert all("重启" in t.document_name for t in by_name.data)

    no_children = coc.list_executions(ListExecutionsRequest(limit=100, exclude_child_executions=True))
    assert 0 < no_children.total < everything.total, (no_children.total, everything.total)
    since = sorted(t.start_time for t in tickets)[len(tickets) // 2]
    recent = coc.list_executions(ListExecutionsRequest(limit=100, start_time=since))
    assert recent.total >= 1 and all(t.start_time > since for t in recent.data)
    ended = sorted(t.end_time for t in tickets if t.end_time)
    before = ended[len(ended) // 2]
    finished_before = coc.list_executions(ListExecutionsRequest(limit=100, end_time=before))
    assert finished_before.total == sum(1 for t in tickets if t.end_time and t.end_time < before)
    assert all(t.end_time < before for t in finished_before.data)
    print("list filters: creator, tags, document_id, document_name, children, start_time, end_time")

    starts = [t.start_time for t in tickets]
    assert starts == sorted(starts, reverse=True), "newest first"
    # total counts what the filters match, not what one page holds.
    window = coc.list_executions(ListExecutionsRequest(limit=3, start_time=since, exclude_child_executions=True))
    matching = [t for t in no_children.data if t.start_time > since]
    assert window.total == len(matching) and len(window.data) == min(3, len(matching))
    assert [t.execution_id for t in window.data] == [t.execution_id for t in matching[:3]]
    expect_error(lambda: coc.list_executions(ListExecutionsRequest(limit=101)), 400, "COC.00040001")
    print("list: newest first, total follows the filters, limit above 100 refused")

    detail = coc.get_execution(GetExecutionRequest(execution_id=sample.execution_id))
    assert detail.data["execution_id"] == sample.execution_id
    assert detail.data["status"] in STATUSES
    assert detail.x_request_id, "X-Request-Id header reaches the SDK"
    expect_error(
        lambda: coc.get_execution(GetExecutionRequest(execution_id="EX2099010100000000nobody")),
        400,
        "COC.00040709",
    )
    print("detail: ok, unknown ID gives 400 COC.00040709")

    finished_batch = next(
        t for t in tickets if t.status == "Succeed" and t.type != "NORMAL"
    )
    steps = coc.list_execution_steps(ListExecutionStepsRequest(execution_id=finished_batch.execution_id))
    assert steps.total == len(steps.data) >= 1
    assert all(s.status == "Succeed" for s in steps.data)
    step_ids = [s.execution_step_id for s in steps.data]
    chosen = coc.list_execution_steps(
        ListExecutionStepsRequest(execution_id=finished_batch.execution_id, execution_step_id_list=step_ids[:2])
    )
    assert [s.execution_step_id for s in chosen.data] == step_ids[:2]
    batch_step = next(s for s in steps.data if s.properties.get("on_targets") == "true")
    instances = coc.list_execution_instances(
        ListExecutionInstancesRequest(execution_step_id=batch_step.execution_step_id, limit=50)
    )
    assert instances.total == len(instances.data) >= 2
    assert all(i["status"] == "Succeed" and isinstance(i["id"], int) for i in instances.data)
    print(f"steps: {steps.total}, instances of a batch step: {instances.total}")

    running = next(t for t in tickets if t.status == "Running")
    coc.operate_execution(
        OperateExecutionRequest(
            body=OperateExecutionRequestBody(execution_id=running.execution_id, operate_type="TERMINATE")
        )
    )
    after = coc.get_execution(GetExecutionRequest(execution_id=running.execution_id)).data["status"]
    assert after in ("Canceling", "Canceled"), after
    succeeded = next(t for t in tickets if t.status == "Succeed")
    expect_error(
        lambda: coc.operate_execution(
            OperateExecutionRequest(
                body=OperateExecutionRequestBody(execution_id=succeeded.execution_id, operate_type="RETRY")
            )
        ),
        400,
        "COC.00040712",
    )
    print(f"operate: TERMINATE -> {after}, RETRY of Succeed refused")

    def operate(execution_id, operate_type):
        return coc.operate_execution(
            OperateExecutionRequest(
                body=OperateExecutionRequestBody(execution_id=execution_id, operate_type=operate_type)
            )
        )

    def status_of(execution_id):
        return coc.get_execution(GetExecutionRequest(execution_id=execution_id)).data["status"]

    failed = next(t for t in tickets if t.status == "Failed")
    operate(failed.execution_id, "RETRY")
    assert status_of(failed.execution_id) in ("Running", "Failed", "Timeout", "Succeed")
    canceled = next(t for t in tickets if t.status == "Canceled")
    expect_error(lambda: operate(canceled.execution_id, "RETRY"), 400, "COC.00040712")

    def accepted(candidates, operate_type):
        """Sends operate_type to each candidate; the IDs accepted. A refusal must be
        400 COC.00040712 naming the reason."""
        ok = []
        for t in candidates:
            try:
                operate(t.execution_id, operate_type)
            except exceptions.ClientRequestException as e:
                assert (e.status_code, e.error_code) == (400, "COC.00040712"), e.error_msg
                if operate_type == "SKIP_BATCH" and t.type != "BATCH":
                    assert t.type in e.error_msg, e.error_msg
                continue
            ok.append(t)
        return ok

    # The seeded set has paused tickets (Pending until a RESUME) and a running BATCH
    # ticket inside a batch step; queued Pending tickets and other types are refused.
    resumed = accepted([t for t in tickets if t.status == "Pending"], "RESUME")
    assert resumed, "a paused ticket to RESUME"
    assert all(status_of(t.execution_id) == "Running" for t in resumed)
    expect_error(lambda: operate(resumed[0].execution_id, "RESUME"), 400, "COC.00040712")
    skipped = accepted([t for t in tickets if t.status == "Running"], "SKIP_BATCH")
    assert skipped and all(t.type == "BATCH" for t in skipped), [t.type for t in skipped]
    expect_error(lambda: operate(sample.execution_id, "PAUSE"), 400, "COC.00040001")
    print("operate: RETRY of Failed, RESUME of a paused ticket, SKIP_BATCH of a BATCH one; refusals")

    first_page = coc.list_execution_instances(
        ListExecutionInstancesRequest(execution_step_id=batch_step.execution_step_id, limit=1, offset=0)
    )
    second_page = coc.list_execution_instances(
        ListExecutionInstancesRequest(execution_step_id=batch_step.execution_step_id, limit=1, offset=1)
    )
    assert first_page.total == second_page.total == instances.total
    assert [first_page.data[0]["id"], second_page.data[0]["id"]] == [i["id"] for i in instances.data[:2]]
    print(f"instances: paged one by one, total {first_page.total}")

    script_tickets(coc)
    documents(coc, tickets)

    wrong = client(url, ak, sk + "x")
    expect_error(lambda: wrong.get_execution(GetExecutionRequest(execution_id=sample.execution_id)), 401, "APIG.0301")
    print("auth: wrong SK gives 401 APIG.0301")


def script_tickets(coc):
    everything = coc.list_script_jobs(ListScriptJobsRequest(limit=100)).data
    orders = everything.data
    assert everything.total == len(orders) >= 7, everything.total
    assert {o.status for o in orders} == SCRIPT_STATUSES, {o.status for o in orders}
    order_ids = [o.order_id for o in orders]
    assert order_ids == sorted(order_ids, reverse=True), "newest first"
    assert all(isinstance(o.gmt_created, int) and o.properties.region_ids for o in orders)
    print(f"script orders: {everything.total}, all statuses")

    paged, marker = [], None
    while True:
        page = coc.list_script_jobs(ListScriptJobsRequest(limit=5, marker=marker)).data
        assert page.total == everything.total
        paged += page.data
        if len(page.data) < 5:
            break
        marker = page.data[-1].order_id
    assert [o.execute_uuid for o in paged] == [o.execute_uuid for o in orders]

    for status in ("PROCESSING", "FINISHED", "PAUSED"):
        chosen = coc.list_script_jobs(ListScriptJobsRequest(limit=100, status=status)).data
        assert chosen.total == sum(1 for o in orders if o.status == status) >= 1, status
        assert all(o.status == status for o in chosen.data)
    creator = orders[0].creator
    by_creator = coc.list_script_jobs(ListScriptJobsRequest(limit=100, creator=creator[1:4].upper())).data
    assert [o.execute_uuid for o in by_creator.data] == [
        o.execute_uuid for o in orders if creator[1:4].lower() in o.creator.lower()
    ]
    created = sorted(o.gmt_created for o in orders)
    low, high = created[len(created) // 4], created[3 * len(created) // 4]
    window = coc.list_script_jobs(ListScriptJobsRequest(limit=100, start_time=low, end_time=high)).data
    assert window.total == sum(1 for c in created if low <= c <= high)
    assert all(low <= o.gmt_created <= high for o in window.data)
    expect_error(lambda: coc.list_script_jobs(ListScriptJobsRequest(limit=101)), 400, "COC.00040001")
    expect_error(lambda: coc.list_script_jobs(ListScriptJobsRequest(status="DONE")), 400, "COC.00040001")
    print("script orders: marker paging, status, creator, start_time/end_time; bad limit and status refused")

    def info(uuid):
        return coc.get_script_job_info(GetScriptJobInfoRequest(execute_uuid=uuid)).data

    def statistics(uuid):
        return coc.get_script_job_statistics(GetScriptJobStatisticsRequest(execute_uuid=uuid)).data

    def hosts(uuid, batch, **filters):
        request = GetScriptJobBatchRequest(execute_uuid=uuid, batch_index=batch, **filters)
        return coc.get_script_job_batch(request).data

    finished = next(o for o in orders if o.status == "FINISHED")
    detail = info(finished.execute_uuid)
    assert detail.execute_uuid == finished.execute_uuid and detail.status == "FINISHED"
    props = detail.properties
    assert props.script_name and props.script_uuid and isinstance(props.script_version_uuid, int)
    assert isinstance(props.execute_param.timeout, int) and props.execute_param.script_params
    assert detail.gmt_finished >= detail.gmt_created
    expect_error(lambda: info("JS2099010100000000nobody"), 400, "COC.00040709")

    stats = statistics(finished.execute_uuid)
    assert stats.total_instance == sum(s.instance_count for s in stats.execute_statistics)
    assert [s.instance_status for s in stats.execute_statistics] == ["FINISHED"]
    batches = coc.list_script_job_batches(ListScriptJobBatchesRequest(execute_uuid=finished.execute_uuid)).data
    assert [b.batch_index for b in batches] == list(range(1, len(batches) + 1))
    assert sum(b.total_instances for b in batches) == stats.total_instance
    assert all(b.rotation_strategy in ("CONTINUE", "PAUSE") for b in batches)
    print(f"script detail, statistics ({stats.total_instance} hosts), batches ({len(batches)})")

    last = batches[-1]
    whole = hosts(finished.execute_uuid, last.batch_index, limit=50)
    assert whole.total_instances == last.total_instances == len(whole.execute_instances)
    one_by_one, marker = [], None
    while True:
        page = hosts(finished.execute_uuid, last.batch_index, limit=1, marker=marker)
        if not page.execute_instances:
            break
        one_by_one += page.execute_instances
        marker = page.execute_instances[-1].id
    assert [h.id for h in one_by_one] == [h.id for h in whole.execute_instances]
    host = whole.execute_instances[0]
    assert host.status == "FINISHED" and host.message.endswith("exit code 0\n"), host.message[-200:]
    assert host.target_instance.properties.host_name and host.target_instance.resource_id
    assert hosts(finished.execute_uuid, last.batch_index, limit=50, status="ABNORMAL").execute_instances == []
    expect_error(lambda: hosts(finished.execute_uuid, last.batch_index, limit=51), 400, "COC.00040001")
    expect_error(lambda: hosts(finished.execute_uuid, 21, limit=5), 400, "COC.00040001")
    sizes = [
        len(h.message or "")
        for o in orders
        if o.status == "FINISHED"
        for b in coc.list_script_job_batches(ListScriptJobBatchesRequest(execute_uuid=o.execute_uuid)).data
        for h in hosts(o.execute_uuid, b.batch_index, limit=50).execute_instances
    ]
    assert 900_000 < max(sizes) < 1_048_576, max(sizes)
    escapes = hosts(finished.execute_uuid, 1 + (batches[0].total_instances == 1), limit=50)
    assert any("\x1b[" in (h.message or "") for h in escapes.execute_instances)
    print(f"batch hosts: paged by marker, status filter, limits; largest output {max(sizes)} bytes")

    def operate(uuid, operation_type, language=None, **more):
        body = JobScriptOrderOperationBody(operation_type=operation_type, **more)
        return coc.operate_script_job(OperateScriptJobRequest(execute_uuid=uuid, body=body, x_language=language))

    processing = [o for o in orders if o.status == "PROCESSING"]
    target = processing[0].execute_uuid
    assert operate(target, "PAUSE_ORDER").data == target
    assert info(target).status == "PAUSED"
    expect_error(lambda: operate(target, "PAUSE_ORDER"), 400, "COC.00040712")
    operate(target, "CONTINUE_ORDER")
    assert info(target).status == "PROCESSING"
    auto_paused = next(o for o in orders if o.status == "PAUSED")
    operate(auto_paused.execute_uuid, "CONTINUE_ORDER")
    assert info(auto_paused.execute_uuid).status == "PROCESSING"
    refusal = expect_error(lambda: operate(finished.execute_uuid, "CANCEL_ORDER", "zh-cn"), 400, "COC.00040712")
    assert "不支持" in refusal.error_msg, refusal.error_msg
    refusal = expect_error(lambda: operate(finished.execute_uuid, "CANCEL_ORDER", "en-us"), 400, "COC.00040712")
    assert "does not support" in refusal.error_msg, refusal.error_msg
    expect_error(lambda: operate(target, "REWIND"), 400, "COC.00040001")
    print("operations: PAUSE_ORDER, CONTINUE_ORDER (after a pause and a PAUSE batch); refusals in zh-cn and en-us")

    def waiting_batch(uuid):
        ready = [s for s in statistics(uuid).execute_statistics if s.instance_status == "READY"]
        return ready[0].batch_indexes[-1] if ready else None

    skippable = next((o.execute_uuid for o in processing + [auto_paused] if waiting_batch(o.execute_uuid)), None)
    assert skippable, "a ticket with a batch still to run"
    batch = waiting_batch(skippable)
    operate(skippable, "SKIP_BATCH", batch_index=batch)
    skipped = hosts(skippable, batch, limit=50).execute_instances
    assert skipped and all(h.status == "CANCELED" for h in skipped), [h.status for h in skipped]
    expect_error(lambda: operate(skippable, "SKIP_BATCH", batch_index=batch), 400, "COC.00040712")
    expect_error(lambda: operate(skippable, "SKIP_BATCH"), 400, "COC.00040001")

    live = [o.execute_uuid for o in orders if o.status in ("PROCESSING", "PAUSED", "READY")]
    waiting = next(
        (uuid, h)
        for uuid in live
        if info(uuid).status in ("PROCESSING", "PAUSED")
        for b in coc.list_script_job_batches(ListScriptJobBatchesRequest(execute_uuid=uuid)).data
        for h in hosts(uuid, b.batch_index, limit=50).execute_instances
        if h.status in ("READY", "PROCESSING")
    )
    operate(waiting[0], "CANCEL_INSTANCE", instance_id=waiting[1].id)
    expect_error(lambda: operate(waiting[0], "CANCEL_INSTANCE", instance_id=waiting[1].id), 400, "COC.00040712")
    operate(target, "CANCEL_ORDER")
    assert info(target).status == "CANCELED"
    expect_error(lambda: operate(target, "CONTINUE_ORDER"), 400, "COC.00040712")
    print("operations: SKIP_BATCH, CANCEL_INSTANCE, CANCEL_ORDER; each again refused")

    params = props.execute_param.script_params
    host = whole.execute_instances[0].target_instance
    run = ScriptExecuteModel(
        execute_param=ScriptExecuteParam(
            timeout=300,
            success_rate=100,
            execute_user="root",
            script_params=[ScriptExecuteInputParam(param_name=params[0].param_name, param_value="/data")],
        ),
        execute_batches=[
            ExecuteInstancesBatchInfo(
                batch_index=1,
                rotation_strategy="CONTINUE",
                target_instances=[
                    ExecuteResourceInstance(resource_id=host.resource_id, region_id=host.region_id, provider="ECS")
                ],
            )
        ],
    )
    started = coc.execute_script(ExecuteScriptRequest(script_uuid=props.script_uuid, body=run)).data
    assert started and started != finished.execute_uuid
    new = info(started)
    assert new.status in ("READY", "PROCESSING") and new.properties.script_uuid == props.script_uuid
    assert new.properties.execute_param.script_params[0].param_value == "/data"
    newest = coc.list_script_jobs(ListScriptJobsRequest(limit=1)).data
    assert newest.data[0].execute_uuid == started and newest.total == everything.total + 1
    run.execute_param.script_params = []
    expect_error(
        lambda: coc.execute_script(ExecuteScriptRequest(script_uuid=props.script_uuid, body=run)),
        400,
        "COC.00040001",
    )
    expect_error(lambda: coc.execute_script(ExecuteScriptRequest(script_uuid="nope", body=run)), 400, "COC.00040801")
    print(f"script run: new ticket {started}; a missing parameter and an unknown script refused")


def documents(coc, tickets):
    listing = coc.list_documents(ListDocumentsRequest(limit=100)).body
    docs = listing["data"]
    assert listing["total"] == len(docs) >= 10, listing["total"]
    ids = {d["document_id"] for d in docs}
    assert {t.document_id for t in tickets} <= ids, "every seeded execution's document exists"
    second = coc.list_documents(ListDocumentsRequest(limit=2, offset="2")).body
    assert [d["document_id"] for d in second["data"]] == [d["document_id"] for d in docs[2:4]]
    named = coc.list_documents(ListDocumentsRequest(limit=100, name_like="restart")).body["data"]
    assert named and all("restart" in d["name"].lower() for d in named)
    print(f"documents: {len(docs)}, paged, name_like")

    sample = next(t for t in tickets if t.type == "BATCH" and t.status == "Succeed")
    latest = coc.get_document(GetDocumentRequest(document_id=sample.document_id)).data
    assert latest["document_id"] == sample.document_id and latest["name"] == sample.document_name
    assert latest["version"] == latest["versions"][-1]["version"]
    assert any(p["required"] for p in latest["parameters"]) and "\n" in latest["content"]
    pinned = coc.get_document(GetDocumentRequest(document_id=sample.document_id, version=sample.document_version))
    assert pinned.data["version"] == sample.document_version
    expect_error(lambda: coc.get_document(GetDocumentRequest(document_id="DM2099010100000000nobody")), 400, "COC.00042101")
    expect_error(
        lambda: coc.get_document(GetDocumentRequest(document_id=sample.document_id, version="v99")),
        400,
        "COC.00042102",
    )
    print("document: latest and pinned versions; unknown document and version refused")

    def run(document_id, body):
        return coc.execute_document(ExecuteDocumentRequest(document_id=document_id, body=body)).data

    again = ExecuteDocumentRequestBody(
        version=sample.document_version,
        parameters=[ExecuteDocumentRequestBodyParameters(key=p.key, value=p.value) for p in sample.parameters],
        targets=[ExecuteDocumentRequestBodyTargets(key=t.key, values=t.values) for t in sample.targets],
        description="run again",
    )
    new_id = run(sample.document_id, again)
    assert new_id.startswith("EX") and new_id != sample.execution_id
    fresh = coc.get_execution(GetExecutionRequest(execution_id=new_id)).data
    assert fresh["status"] in ("Pending", "Running"), fresh["status"]
    assert (fresh["document_id"], fresh["document_version"]) == (sample.document_id, sample.document_version)
    assert [(p["key"], p["value"]) for p in fresh["parameters"]] == [(p.key, p.value) for p in sample.parameters]
    assert fresh["type"] == "BATCH" and fresh["targets"] == [t.to_dict() for t in sample.targets]
    assert fresh["description"] == "run again"
    missing = ExecuteDocumentRequestBody(parameters=again.parameters[1:])
    expect_error(lambda: run(sample.document_id, missing), 400, "COC.00040001")
    expect_error(lambda: run(sample.document_id, ExecuteDocumentRequestBody(version="v99")), 400, "COC.00042102")
    expect_error(lambda: run("DM2099010100000000nobody", again), 400, "COC.00042101")
    print(f"document run: {new_id} runs again {sample.execution_id}; bad runs refused")


if __name__ == "__main__":
    started = time.time()
    main(*sys.argv[1:4])
    print(f"sdk_compat: all checks passed in {time.time() - started:.1f}s")
