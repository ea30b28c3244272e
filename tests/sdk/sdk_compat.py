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
    GetExecutionRequest,
    ListExecutionInstancesRequest,
    ListExecutionsRequest,
    ListExecutionStepsRequest,
    OperateExecutionRequest,
    OperateExecutionRequestBody,
)

STATUSES = {"Pending", "Running", "Succeed", "Canceling", "Canceled", "Failed", "Timeout"}


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
    print("list filters: creator, tags, document_id, document_name, children, start_time")

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

    wrong = client(url, ak, sk + "x")
    expect_error(lambda: wrong.get_execution(GetExecutionRequest(execution_id=sample.execution_id)), 401, "APIG.0301")
    print("auth: wrong SK gives 401 APIG.0301")


if __name__ == "__main__":
    started = time.time()
    main(*sys.argv[1:4])
    print(f"sdk_compat: all checks passed in {time.time() - started:.1f}s")
