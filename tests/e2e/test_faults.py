"""End to end under faults (tests/support/fault_play.py plays them, concurrently): AWS throttling and
5xx on the calls the Lambdas make, a Create step that dies after CreateLabelingJob succeeded,
a Record step that dies after the ledger write, a plan answering an unknown decision, an
event that never arrived, the same events delivered many times and out of order, an execution
a person stopped before it decided, an execution that timed out.

Each chain must end with exactly one child per parent, one decision per job, a notification
of each decision, every object labeled, and no object sent to workers twice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gtchain.sandbox import Sandbox
from gtchain_runtime.adapters.ledger import Ledger
from tests.support.deployed_reads import listed_jobs, manifest_records, notifications
from tests.support.fault_play import (
    ALL,
    AWS_FAULTS,
    CREATE_CRASH,
    EVENT_STORM,
    LOST_EVENT,
    OBJECTS,
    OPERATOR_STOP,
    STOPPED_EXECUTION,
    SWEPT,
    TIMED_OUT_EXECUTION,
    UNKNOWN_DECISION,
    FaultPlay,
    failure_records,
    wait_until,
)

pytestmark = pytest.mark.e2e


def ledger_of(sandbox: Sandbox, deployed: dict[str, Any]) -> Ledger:
    return Ledger(sandbox.client("dynamodb"), deployed["outputs"]["LedgerTableName"])


@pytest.mark.parametrize("name", ALL)
def test_the_fault_fired_and_the_chain_ended_with_one_child_and_every_object_labeled(
    name: str, faulted: FaultPlay, sandbox: Sandbox
) -> None:
    assert all(knob.fired >= 1 for knob in faulted.knobs.get(name, [])), faulted.knobs.get(name)
    result = faulted.results[name]
    root = faulted.scenarios[name].root_job
    child = f"{root}-chain-1"
    assert listed_jobs(sandbox, root) == [root, child]
    assert {d["job_name"]: d["decision"] for d in result.decisions} == {root: "CHAIN", child: "COMPLETE"}
    assert result.labeled_objects == result.total_objects == OBJECTS
    records = manifest_records(result.final_manifest or "")
    assert len({r["source-ref"] for r in records}) == OBJECTS
    # No label re-sent: the child labels exactly what the root left.
    root_job, child_job = result.jobs
    assert root_job["counters"]["HumanLabeled"] + child_job["counters"]["HumanLabeled"] == OBJECTS


@pytest.mark.parametrize(
    "name",
    ALL,
)
def test_every_decision_is_notified_once(name: str, faulted: FaultPlay, deployed: dict[str, Any]) -> None:
    root = faulted.scenarios[name].root_job
    bodies = [message for _, message in notifications(deployed["outputs"]["TopicArn"])]
    resumed = f"Labeling job {root} was resumed: gtchain created the chained job {root}-chain-1."
    completed = f"The labeling chain that started with {root} is complete"
    assert sum(resumed in body for body in bodies) == 1
    assert sum(completed in body for body in bodies) == 1


def test_aws_faults_were_absorbed_by_retries_without_failed_executions(
    faulted: FaultPlay, sandbox: Sandbox, deployed: dict[str, Any]
) -> None:
    ledger = ledger_of(sandbox, deployed)
    failed = {name: failure_records(ledger, faulted.scenarios[name].root_job) for name in AWS_FAULTS}
    assert {name: records for name, records in failed.items() if records} == {}


def test_the_create_crash_failed_one_execution_and_the_sweep_adopted_the_child(
    faulted: FaultPlay, sandbox: Sandbox, deployed: dict[str, Any]
) -> None:
    root = faulted.scenarios[CREATE_CRASH].root_job
    failures = failure_records(ledger_of(sandbox, deployed), root)
    assert [f["job_name"] for f in failures] == [root]
    assert "Runtime.ExitError" in str(failures[0].get("error"))


def test_an_unknown_decision_is_recorded_as_a_failure(
    faulted: FaultPlay, sandbox: Sandbox, deployed: dict[str, Any]
) -> None:
    root = faulted.scenarios[UNKNOWN_DECISION].root_job
    failures = failure_records(ledger_of(sandbox, deployed), root)
    assert [f.get("error") for f in failures] == ["GtChain.UnknownDecision"]


def _sweep_invocations(sandbox: Sandbox) -> list[str]:
    """START lines of every sweep function's log: how many times a sweep ran, and when."""
    logs = sandbox.client("logs")
    lines = []
    for group in logs.describe_log_groups()["logGroups"]:
        if "SweepJobs" in group["logGroupName"]:
            events = logs.filter_log_events(logGroupName=group["logGroupName"])["events"]
            lines += [f"{e['timestamp']} {e['message'][:80]}" for e in events if "RequestId" in e["message"]]
    return lines


def test_the_sweep_catches_what_no_event_started_once(
    faulted: FaultPlay, runner: Any, sandbox: Sandbox
) -> None:
    first, second = faulted.sweeps
    swept = sorted(faulted.scenarios[name].root_job for name in SWEPT)
    assert sorted(first["started"]) == swept, json.dumps(
        [first, {j: runner.executions_for(j) for j in swept}, _sweep_invocations(sandbox)],
        indent=1,
        default=str,
    )
    assert second["started"] == []
    assert all(second["skipped"][job] == "decision already recorded" for job in swept)
    assert faulted.knobs[LOST_EVENT][0].fired >= 1


def test_repeated_and_late_events_change_nothing(faulted: FaultPlay, sandbox: Sandbox, runner: Any) -> None:
    root = faulted.scenarios[EVENT_STORM].root_job
    assert faulted.storm_events == 12
    executions = runner.executions_for(root) + runner.executions_for(f"{root}-chain-1")
    assert len(executions) >= 1 + 5 + 1 + 2 + 3 + 2 - 2  # the events did start executions
    assert all(execution["status"] != "FAILED" for execution in executions)


def test_an_execution_for_another_projects_job_is_ignored(
    faulted: FaultPlay, sandbox: Sandbox, deployed: dict[str, Any]
) -> None:
    client = sandbox.client("stepfunctions")
    arn = faulted.other_project_execution
    wait_until(lambda: client.describe_execution(executionArn=arn)["status"] != "RUNNING", "the execution")
    assert client.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    history = client.get_execution_history(executionArn=arn)["events"]
    entered = _entered_states(history)
    assert entered[-1] == "Ignore job"
    assert ledger_of(sandbox, deployed).chain_records("vineyards-flt-redriven") == []


def test_the_stopped_execution_says_who_stopped_it_and_the_sweep_resumed_the_job(
    faulted: FaultPlay, sandbox: Sandbox, deployed: dict[str, Any], runner: Any
) -> None:
    root = faulted.scenarios[STOPPED_EXECUTION].root_job
    client = sandbox.client("stepfunctions")
    stopped = faulted.interrupted[STOPPED_EXECUTION]
    assert client.describe_execution(executionArn=stopped)["status"] == "ABORTED"
    history = client.get_execution_history(executionArn=stopped)["events"]
    entered = _entered_states(history)
    assert entered == ["Inspect job", "Is it ours?", "Plan chain"]  # stopped before it decided
    assert history[-1]["executionAbortedEventDetails"] == OPERATOR_STOP
    # Nothing of it reached the ledger: the sweep's execution made the one decision.
    assert failure_records(ledger_of(sandbox, deployed), root) == []
    assert _executions_of_root(runner, root) == [("ABORTED", False), ("SUCCEEDED", True)]


def test_the_timed_out_execution_ends_timed_out_and_the_sweep_resumed_the_job(
    faulted: FaultPlay, sandbox: Sandbox, deployed: dict[str, Any], runner: Any
) -> None:
    root = faulted.scenarios[TIMED_OUT_EXECUTION].root_job
    client = sandbox.client("stepfunctions")
    timed_out = faulted.interrupted[TIMED_OUT_EXECUTION]
    assert client.describe_execution(executionArn=timed_out)["status"] == "TIMED_OUT"
    history = client.get_execution_history(executionArn=timed_out)["events"]
    entered = _entered_states(history)
    assert entered == ["Inspect job"]
    assert history[-1]["type"] == "ExecutionTimedOut"
    assert failure_records(ledger_of(sandbox, deployed), root) == []
    assert _executions_of_root(runner, root) == [("SUCCEEDED", True), ("TIMED_OUT", False)]


def _entered_states(history: list[dict[str, Any]]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]


def _executions_of_root(runner: Any, root: str) -> list[tuple[str, bool]]:
    """(status, started by the sweep) of each execution about the root job, sorted."""
    return sorted((e["status"], e["name"].startswith("sweep-")) for e in runner.executions_for(root))
