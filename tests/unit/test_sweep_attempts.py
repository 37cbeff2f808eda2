"""The sweep's next attempt: which ended executions let it start another, and which do not; an
execution that ended without a decision counts as a failed one, the third gives the job up."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from gtchain_runtime.adapters.executions import STARTED
from gtchain_runtime.usecases.sweep import start_next_attempt, sweep_execution_name

JOB = "Streetscenes-Job1"
SUMMARY = {
    "LabelingJobName": JOB,
    "LabelingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:labeling-job/{JOB.lower()}",
    "LabelingJobStatus": "Stopped",
}


class TakenNames:
    """Step Functions' names of one state machine: a taken name answers its execution's status."""

    def __init__(self, taken: dict[str, str]) -> None:
        self.taken = taken
        self.started: list[str] = []

    def status(self, name: str) -> str | None:
        return self.taken.get(name)

    def start(self, name: str, execution_input: Any) -> str:
        if name in self.taken:
            return self.taken[name]
        self.started.append(name)
        return STARTED


@dataclass
class Ledger:
    """The ledger calls of Record failure: one failure per execution, decisions written once."""

    failures: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def record_failure(self, job_name: str, root: str, execution: str, error: str, cause: str) -> bool:
        if execution in self.failures:
            return False
        self.failures[execution] = error
        return True

    def failure_count(self, job_name: str) -> int:
        return len(self.failures)

    def record_decision(self, job_name: str, root: str, attributes: dict[str, Any]) -> bool:
        return self.decisions.setdefault(job_name, dict(attributes)) is not None


def _context() -> Any:
    notices: list[tuple[str, str]] = []
    return SimpleNamespace(
        ledger=Ledger(),
        notifier=SimpleNamespace(notify=lambda subject, body: notices.append((subject, body))),
        settings=SimpleNamespace(project_name="streetscenes"),
        notices=notices,
    )


@pytest.mark.parametrize("ended", ["ABORTED", "TIMED_OUT", "FAILED"])
def test_an_attempt_that_ended_without_deciding_moves_on_to_the_next(ended: str) -> None:
    ctx = _context()
    executions = TakenNames({sweep_execution_name(JOB, 1): ended})
    assert start_next_attempt(ctx, executions, SUMMARY, 1) is None  # type: ignore[arg-type]
    assert executions.started == [sweep_execution_name(JOB, 2)]
    # The ended attempt is counted and announced once, as a failed execution.
    assert list(ctx.ledger.failures) == [sweep_execution_name(JOB, 1)]
    ((subject, body),) = ctx.notices
    assert JOB in subject and f"ended {ended} before it recorded a decision" in body
    assert "1 of 3 attempts used" in body


def test_the_third_execution_without_a_decision_gives_the_job_up_and_says_so() -> None:
    ctx = _context()
    ended = {sweep_execution_name(JOB, attempt): "ABORTED" for attempt in (1, 2, 3)}
    executions = TakenNames(ended)
    refusal = start_next_attempt(ctx, executions, SUMMARY, 1)  # type: ignore[arg-type]
    assert refusal is not None and refusal.startswith("given up: ")
    assert executions.started == []
    assert ctx.ledger.decisions[JOB]["decision"] == "GIVE_UP"
    assert "3 executions failed" in ctx.ledger.decisions[JOB]["reason"]
    assert "gave up after 3 failed attempts" in ctx.notices[-1][1]


def test_a_failed_execution_that_recorded_its_own_failure_is_not_counted_twice() -> None:
    ctx = _context()
    ctx.ledger.failures[sweep_execution_name(JOB, 1)] = "States.TaskFailed"  # its Record failure step
    executions = TakenNames({sweep_execution_name(JOB, 1): "FAILED"})
    assert start_next_attempt(ctx, executions, SUMMARY, 1) is None  # type: ignore[arg-type]
    assert ctx.ledger.failure_count(JOB) == 1 and ctx.notices == []


def test_an_attempt_that_succeeded_decided_the_job_and_none_is_started() -> None:
    # A concurrent sweep's execution finished between this sweep's ledger read and its start.
    executions = TakenNames({sweep_execution_name(JOB, 1): "SUCCEEDED"})
    refusal = start_next_attempt(_context(), executions, SUMMARY, 1)  # type: ignore[arg-type]
    assert refusal == f"execution {sweep_execution_name(JOB, 1)} already succeeded"
    assert executions.started == []


def test_a_running_attempt_is_left_to_run() -> None:
    executions = TakenNames({sweep_execution_name(JOB, 1): "RUNNING"})
    refusal = start_next_attempt(_context(), executions, SUMMARY, 1)  # type: ignore[arg-type]
    assert refusal == f"execution {sweep_execution_name(JOB, 1)} already started (RUNNING)"
    assert executions.started == []


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        ({}, None),
        ({1: "ABORTED"}, None),
        ({1: "RUNNING"}, "already started (RUNNING)"),
        ({1: "TIMED_OUT", 2: "SUCCEEDED"}, "already succeeded"),
        ({1: "ABORTED", 2: "FAILED", 3: "TIMED_OUT"}, "given up: "),
    ],
)
def test_a_dry_run_says_what_the_sweep_would_do_and_starts_or_records_nothing(
    taken: dict[int, str], expected: str | None
) -> None:
    ctx = _context()
    executions = TakenNames({sweep_execution_name(JOB, attempt): status for attempt, status in taken.items()})
    refusal = start_next_attempt(ctx, executions, SUMMARY, 1, dry_run=True)  # type: ignore[arg-type]
    if expected is None:
        assert refusal is None
    else:
        assert refusal is not None and expected in refusal
    assert executions.started == [] and ctx.ledger.failures == {} and ctx.ledger.decisions == {}
    assert ctx.notices == []
