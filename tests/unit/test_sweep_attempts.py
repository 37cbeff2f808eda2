"""The sweep's next attempt: which ended executions let it start another, and which do not."""

from __future__ import annotations

from typing import Any

import pytest

from gtchain.runtime.adapters.executions import STARTED
from gtchain.runtime.usecases.sweep import _start_next_attempt, sweep_execution_name

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

    def start(self, name: str, execution_input: Any) -> str:
        if name in self.taken:
            return self.taken[name]
        self.started.append(name)
        return STARTED


@pytest.mark.parametrize("ended", ["ABORTED", "TIMED_OUT", "FAILED"])
def test_an_attempt_that_ended_without_deciding_moves_on_to_the_next(ended: str) -> None:
    executions = TakenNames({sweep_execution_name(JOB, 1): ended})
    assert _start_next_attempt(executions, SUMMARY, 1) is None  # type: ignore[arg-type]
    assert executions.started == [sweep_execution_name(JOB, 2)]


def test_an_attempt_that_succeeded_decided_the_job_and_none_is_started() -> None:
    # A concurrent sweep's execution finished between this sweep's ledger read and its start.
    executions = TakenNames({sweep_execution_name(JOB, 1): "SUCCEEDED"})
    refusal = _start_next_attempt(executions, SUMMARY, 1)  # type: ignore[arg-type]
    assert refusal == f"execution {sweep_execution_name(JOB, 1)} already succeeded"
    assert executions.started == []


def test_a_running_attempt_is_left_to_run() -> None:
    executions = TakenNames({sweep_execution_name(JOB, 1): "RUNNING"})
    refusal = _start_next_attempt(executions, SUMMARY, 1)  # type: ignore[arg-type]
    assert refusal == f"execution {sweep_execution_name(JOB, 1)} already started (RUNNING)"
    assert executions.started == []
