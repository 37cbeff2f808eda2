"""Handlers against moto with the sandbox's labeling-job emulation (no manifest engine needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gtchain_runtime.handlers import create_child, inspect_job, record_outcome, sweep_jobs
from gtchain_runtime.handlers.observability import chain_context
from gtchain_runtime.usecases.create import ChainConflictError
from tests.support.chain_steps import ROOT, chain_plan_for, finished_root, inspected_state
from tests.support.handler_env import (
    REGION,
    FakeContext,
    ProjectAws,
    state_change_event,
    state_machine_arn_of_the_project,
    stop_running_executions,
)


def test_inspect_root_job_of_the_project(project_aws: ProjectAws) -> None:
    inspection = inspected_state(project_aws)["inspection"]
    assert inspection["relevant"] is True
    assert (inspection["job_name"], inspection["root"], inspection["parent"], inspection["depth"]) == (
        ROOT,
        ROOT,
        None,
        0,
    )
    assert inspection["status"] == "Stopped"
    assert "ResponseMetadata" not in inspection["job"]
    assert isinstance(inspection["job"]["CreationTime"], str)
    assert inspection["tags"]["team"] == "perception"


def test_job_of_another_project_is_ignored(project_aws: ProjectAws) -> None:
    project_aws.create_root_job("Other-Job", 5)
    arn = project_aws.sagemaker.describe_labeling_job(LabelingJobName="Other-Job")["LabelingJobArn"]
    inspection = inspect_job.handler(state_change_event(arn, "Completed"), FakeContext())
    assert inspection["relevant"] is False
    assert "not a job of project streetscenes" in inspection["reason"]


def test_event_without_a_job_arn_is_refused(project_aws: ProjectAws) -> None:
    event = state_change_event("x", "Stopped")
    event["resources"] = []
    with pytest.raises(Exception, match="resources"):
        inspect_job.handler(event, FakeContext())


def test_duplicate_create_for_the_same_parent_creates_one_job(project_aws: ProjectAws) -> None:
    state = inspected_state(project_aws)
    state["plan"] = chain_plan_for(state)

    first = create_child.handler(state, FakeContext())
    second = create_child.handler(state, FakeContext())

    assert first["created"] is True and second["created"] is False
    assert first["child_arn"] == second["child_arn"]
    assert first["child_name"] == "Streetscenes-Job1-chain-1"
    jobs = project_aws.sagemaker.list_labeling_jobs(NameContains="chain")["LabelingJobSummaryList"]
    assert [j["LabelingJobName"] for j in jobs] == ["Streetscenes-Job1-chain-1"]
    child = project_aws.sagemaker.describe_labeling_job(LabelingJobName="Streetscenes-Job1-chain-1")
    assert child["LabelAttributeName"] == ROOT
    tags = {
        t["Key"]: t["Value"]
        for t in project_aws.sagemaker.list_tags(ResourceArn=child["LabelingJobArn"])["Tags"]
    }
    assert tags["gtchain:parent"] == ROOT and tags["gtchain:depth"] == "1"


def test_name_taken_by_a_stranger_is_a_clear_error(project_aws: ProjectAws) -> None:
    state = inspected_state(project_aws)
    state["plan"] = chain_plan_for(state)
    squatter = dict(state["plan"]["request"])
    squatter["Tags"] = [{"Key": "team", "Value": "someone-else"}]
    project_aws.sagemaker.create_labeling_job(**squatter)
    with pytest.raises(ChainConflictError, match="gtchain:parent tag is missing"):
        create_child.handler(state, FakeContext())


def test_decision_is_recorded_and_notified_once(project_aws: ProjectAws) -> None:
    state = inspected_state(project_aws)
    state["plan"] = chain_plan_for(state)
    state["child"] = create_child.handler(state, FakeContext())

    first = record_outcome.handler(state, FakeContext())
    second = record_outcome.handler(state, FakeContext())

    assert first == {"recorded": True, "notified": True, "gave_up": False}
    assert second == {"recorded": False, "notified": False, "gave_up": False}
    notifications = project_aws.notifications()
    assert len(notifications) == 1
    assert "resumed as Streetscenes-Job1-chain-1" in notifications[0]["Subject"]
    assert (
        "labeled 30, human labeled 30, machine labeled 0, failed 0, remaining 20"
        in notifications[0]["Message"]
    )
    decision = chain_context().ledger.decision(ROOT)
    assert decision is not None and decision["decision"] == "CHAIN"
    assert decision["child_name"] == "Streetscenes-Job1-chain-1"
    assert decision["counts"]["remaining"] == 20


def test_a_decision_whose_record_step_died_before_publishing_is_announced_by_record_failure(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = inspected_state(project_aws)
    state["plan"] = chain_plan_for(state)
    state["child"] = create_child.handler(state, FakeContext())
    notifier = chain_context().notifier

    def dies(subject: str, message: str) -> str:
        raise RuntimeError("the Lambda died after the ledger write")

    monkeypatch.setattr(notifier, "notify", dies)
    with pytest.raises(RuntimeError):
        record_outcome.handler(state, FakeContext())
    monkeypatch.undo()
    assert project_aws.notifications() == []

    # The state machine's Catch runs Record failure for the same execution.
    failed = {**state, "error": {"Error": "Sandbox.Timedout", "Cause": "the worker died"}}
    assert record_outcome.handler(failed, FakeContext()) == {
        "recorded": False,
        "notified": True,
        "gave_up": False,
    }
    (message,) = project_aws.notifications()
    assert "resumed as Streetscenes-Job1-chain-1" in message["Subject"]
    assert chain_context().ledger.failure_count(ROOT) == 0
    # Announced once: another retry publishes nothing.
    assert record_outcome.handler(failed, FakeContext())["notified"] is False
    assert project_aws.notifications() == []


def test_give_up_notification_says_what_to_do(project_aws: ProjectAws) -> None:
    state = inspected_state(project_aws)
    state["plan"] = {
        **chain_plan_for(state),
        "decision": "GIVE_UP",
        "reason": "Streetscenes-Job1 carries the tag gtchain:resume=false. To do: remove the tag.",
        "request": None,
    }
    assert record_outcome.handler(state, FakeContext())["notified"] is True
    (message,) = project_aws.notifications()
    assert "needs a person" in message["Subject"]
    assert "To do: remove the tag" in message["Message"]


def test_three_failed_executions_give_up_and_the_sweep_leaves_the_job(project_aws: ProjectAws) -> None:
    state = inspected_state(project_aws)
    for attempt in range(1, 4):
        failed = {**state, "id": f"event-{attempt}", "error": {"Error": "States.TaskFailed", "Cause": "boom"}}
        # The third failure exhausts the attempts: that write gives the job up.
        expected = {"recorded": True, "notified": True, "gave_up": attempt == 3}
        assert record_outcome.handler(failed, FakeContext()) == expected
    # The same execution recorded twice is one failure.
    assert record_outcome.handler(failed, FakeContext()) == {
        "recorded": False,
        "notified": False,
        "gave_up": False,
    }
    ledger = chain_context().ledger
    assert ledger.failure_count(ROOT) == 3
    decision = ledger.decision(ROOT)
    assert decision is not None and decision["decision"] == "GIVE_UP"
    assert "3 executions failed" in decision["reason"]
    assert "gave up after 3 failed attempts" in project_aws.notifications()[-1]["Message"]


def test_sweep_starts_one_execution_per_undecided_job(project_aws: ProjectAws) -> None:
    finished_root(project_aws)
    ctx = chain_context()
    ctx.clock = lambda: datetime.now(UTC) + timedelta(hours=1)

    first = sweep_jobs.handler({}, FakeContext())
    second = sweep_jobs.handler({}, FakeContext())

    # Same deterministic name and input: StartExecution is idempotent (or ExecutionAlreadyExists).
    assert first["started"] == [ROOT]
    assert second["started"] in ([ROOT], [])
    sfn = boto3.client("stepfunctions", region_name=REGION)
    executions = sfn.list_executions(stateMachineArn=ctx.settings.state_machine_arn)["executions"]
    assert len(executions) == 1
    started = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert '"source": "gtchain.sweep"' in started["input"]


def test_sweep_skips_jobs_with_a_decision_and_recent_jobs(project_aws: ProjectAws) -> None:
    finished_root(project_aws)
    ctx = chain_context()
    # Within the grace period the event-driven execution has the job.
    assert sweep_jobs.handler({}, FakeContext())["started"] == []
    ctx.clock = lambda: datetime.now(UTC) + timedelta(hours=1)
    ctx.ledger.record_decision(ROOT, ROOT, {"decision": "COMPLETE", "reason": "done"})
    result = sweep_jobs.handler({}, FakeContext())
    assert result["started"] == []
    assert result["skipped"][ROOT] == "decision already recorded"


def test_a_sweep_execution_that_ended_without_a_decision_is_followed_by_the_next_attempt(
    project_aws: ProjectAws,
) -> None:
    # A person stops the sweep's execution (or it times out): nothing is recorded, and the name
    # of that attempt stays taken for 90 days (ExecutionAlreadyExists), so the next sweep must
    # move on to attempt 2 instead of reporting "already started" forever.
    finished_root(project_aws)
    ctx = chain_context()
    ctx.clock = lambda: datetime.now(UTC) + timedelta(hours=1)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = state_machine_arn_of_the_project()

    names = []
    for _ in range(3):
        assert sweep_jobs.handler({}, FakeContext())["started"] == [ROOT]
        stop_running_executions(machine)
        names = sorted(e["name"] for e in sfn.list_executions(stateMachineArn=machine)["executions"])
    assert [name.rsplit("-", 1)[-1] for name in names] == ["1", "2", "3"]

    # Each ended attempt was counted as a failed execution; the third gives the job up, recorded
    # as its decision, and the sweep starts nothing more.
    last = sweep_jobs.handler({}, FakeContext())
    assert last["started"] == []
    assert (
        last["skipped"][ROOT]
        == f"given up: {names[-1]} ABORTED ended without a decision (3 failed executions)"
    )
    ended = {e["name"]: e["status"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    assert set(ended.values()) == {"ABORTED"} and len(ended) == 3
    assert ctx.ledger.failure_count(ROOT) == 3
    decision = ctx.ledger.decision(ROOT)
    assert decision is not None and decision["decision"] == "GIVE_UP"
    assert "ExecutionAborted" in decision["reason"]
    assert sweep_jobs.handler({}, FakeContext())["skipped"][ROOT] == "decision already recorded"
