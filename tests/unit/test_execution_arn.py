"""The execution ARN the sweep looks up when its attempt's name is already taken."""

from __future__ import annotations

import pytest

from gtchain_runtime.adapters.executions import execution_arn


def test_the_execution_arn_names_the_state_machine_and_the_execution() -> None:
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:Resume-abc"
    assert execution_arn(machine, "sweep-job-1") == (
        "arn:aws:states:us-east-1:123456789012:execution:Resume-abc:sweep-job-1"
    )


def test_a_state_machine_arn_is_required() -> None:
    with pytest.raises(ValueError, match="not a state machine ARN: arn:aws:sns"):
        execution_arn("arn:aws:sns:us-east-1:123456789012:topic", "x")
