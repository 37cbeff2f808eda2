"""The metrics the alarms and the dashboard rely on, as the handlers emit them (EMF on stdout)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from gtchain_runtime.handlers import create_child, record_outcome
from gtchain_runtime.handlers.observability import chain_context
from tests.support.chain_steps import chain_plan_for, inspected_state
from tests.support.handler_env import FakeContext, ProjectAws


def emitted_metrics(captured: str) -> list[dict[str, Any]]:
    """Every EMF document printed, as {metric name: value, dimension: value, ...}."""
    documents = []
    for line in captured.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            documents.append(json.loads(line))
    return documents


def metric_names(document: dict[str, Any]) -> set[str]:
    return {m["Name"] for d in document["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}


def test_a_created_child_emits_chain_metrics_once(
    project_aws: ProjectAws, capsys: pytest.CaptureFixture[str]
) -> None:
    state = inspected_state(project_aws)
    state["plan"] = chain_plan_for(state)
    capsys.readouterr()

    create_child.handler(state, FakeContext())
    create_child.handler(state, FakeContext())  # a duplicate execution: no second count

    documents = [d for d in emitted_metrics(capsys.readouterr().out) if metric_names(d)]
    assert len(documents) == 1
    (document,) = documents
    assert metric_names(document) == {"ChainsStarted", "ObjectsResent", "ObjectsSkipped"}
    assert document["ChainsStarted"] == [1.0]
    assert document["ObjectsResent"] == [20.0] and document["ObjectsSkipped"] == [30.0]
    # The dimensions the GiveUps alarm of the stack uses (stacks/monitoring.py).
    assert document["service"] == "gtchain" and document["project"] == "streetscenes"


def test_a_give_up_emits_the_metric_the_alarm_watches(
    project_aws: ProjectAws, capsys: pytest.CaptureFixture[str]
) -> None:
    state = inspected_state(project_aws)
    state["plan"] = {**chain_plan_for(state), "decision": "GIVE_UP", "reason": "no progress", "request": None}
    capsys.readouterr()

    record_outcome.handler(state, FakeContext())

    (document,) = [d for d in emitted_metrics(capsys.readouterr().out) if "GiveUps" in metric_names(d)]
    assert document["GiveUps"] == [1.0]
    (dimension_set,) = document["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert sorted(dimension_set) == ["project", "service"]


def test_giving_up_after_failed_executions_counts_as_a_give_up(
    project_aws: ProjectAws, capsys: pytest.CaptureFixture[str]
) -> None:
    state = inspected_state(project_aws)
    capsys.readouterr()
    for attempt in range(1, 4):
        failed = {**state, "id": f"event-{attempt}", "error": {"Error": "States.TaskFailed", "Cause": "boom"}}
        record_outcome.handler(failed, FakeContext())

    give_ups = [d for d in emitted_metrics(capsys.readouterr().out) if "GiveUps" in metric_names(d)]
    assert [d["GiveUps"] for d in give_ups] == [[1.0]]


def test_retried_aws_calls_are_counted_in_a_metric(
    project_aws: ProjectAws, capsys: pytest.CaptureFixture[str]
) -> None:
    state = inspected_state(project_aws)
    state["plan"] = chain_plan_for(state)
    throttled: list[str] = []

    def throttle_once(request: Any, **_: Any) -> AWSResponse | None:
        if throttled:
            return None
        throttled.append(request.url)
        body = b'{"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "slow down"}'
        return AWSResponse(request.url, 400, {"x-amzn-RequestId": "throttled"}, _Raw(body))

    # The ledger's own client: its first PutItem (the child claim) is throttled once, then retried.
    ledger_client = chain_context().ledger._client
    ledger_client.meta.events.register("before-send.dynamodb.PutItem", throttle_once)
    capsys.readouterr()

    create_child.handler(state, FakeContext())

    assert len(throttled) == 1
    retried = [d for d in emitted_metrics(capsys.readouterr().out) if "AwsRetries" in metric_names(d)]
    (document,) = retried
    values = document["AwsRetries"] if isinstance(document["AwsRetries"], list) else [document["AwsRetries"]]
    assert sum(values) == 1  # EMF writes a metric added within one invocation as a list of values


class _Raw:
    """The raw body botocore reads from an HTTP response."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body
