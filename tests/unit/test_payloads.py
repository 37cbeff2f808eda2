"""Each state's input model holds what that state requires: a missing step result is refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gtchain_runtime.payloads import (
    ChainPlan,
    CreateInput,
    DecisionInput,
    FailureInput,
    FinalizeInput,
    PlanInput,
    record_input,
)

COUNTS = {
    "total": 10,
    "labeled": 6,
    "human_labeled": 6,
    "machine_labeled": 0,
    "failed": 1,
    "unlabeled": 3,
    "remaining": 4,
    "repeated_keys": 0,
    "rejected": 0,
    "input_labeled": 0,
}


def inspection(relevant: bool = True) -> dict[str, Any]:
    return {
        "relevant": relevant,
        "reason": "ended Stopped" if relevant else "not ours",
        "job_name": "Streetscenes-Job1",
        "job_arn": "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/streetscenes-job1",
        "status": "Stopped",
        "root": "Streetscenes-Job1",
    }


def plan(decision: str, **overrides: Any) -> dict[str, Any]:
    chain = decision == "CHAIN"
    return {
        "decision": decision,
        "reason": "why",
        "counts": COUNTS,
        "child_name": "Streetscenes-Job1-chain-1",
        "chained_manifest_uri": "s3://b/chains/x/input.manifest" if chain else None,
        "rejects_uri": None,
        "plan_uri": None,
        "cost": {"jobs": [], "total": {}},
        "request": {"LabelingJobName": "Streetscenes-Job1-chain-1"} if chain else None,
        **overrides,
    }


def test_plan_input_refuses_a_job_that_is_not_relevant() -> None:
    with pytest.raises(ValidationError, match="not to be planned: not ours"):
        PlanInput.model_validate({"inspection": inspection(relevant=False)})


def test_a_chain_plan_without_its_request_is_refused() -> None:
    with pytest.raises(ValidationError, match="CHAIN plan carries the child's request"):
        ChainPlan.model_validate(plan("CHAIN", request=None))


def test_counts_are_typed_and_complete() -> None:
    with pytest.raises(ValidationError, match="remaining"):
        ChainPlan.model_validate(plan("GIVE_UP", counts={**COUNTS, "remaining": None}))
    assert ChainPlan.model_validate(plan("GIVE_UP")).counts.remaining == 4


@pytest.mark.parametrize(
    ("model", "decision"),
    [
        (CreateInput, "COMPLETE"),
        (CreateInput, "GIVE_UP"),
        (FinalizeInput, "CHAIN"),
        (FinalizeInput, "GIVE_UP"),
    ],
)
def test_create_and_finalize_run_only_for_their_decision(model: Any, decision: str) -> None:
    with pytest.raises(ValidationError, match=f"the plan is {decision}"):
        model.model_validate({"inspection": inspection(), "plan": plan(decision)})


def test_create_input_exposes_the_request() -> None:
    state = CreateInput.model_validate({"inspection": inspection(), "plan": plan("CHAIN")})
    assert state.request == {"LabelingJobName": "Streetscenes-Job1-chain-1"}


@pytest.mark.parametrize(("decision", "missing"), [("CHAIN", r"\$\.child"), ("COMPLETE", r"\$\.final")])
def test_a_decision_is_recorded_only_after_its_step(decision: str, missing: str) -> None:
    with pytest.raises(ValidationError, match=missing):
        DecisionInput.model_validate({"inspection": inspection(), "plan": plan(decision)})


def test_record_input_tells_failure_from_decision() -> None:
    failure = record_input({"error": {"Error": "States.Timeout", "Cause": "slow"}, "resources": ["arn"]})
    assert isinstance(failure, FailureInput) and failure.inspection is None
    decided = record_input({"inspection": inspection(), "plan": plan("GIVE_UP")})
    assert isinstance(decided, DecisionInput)
