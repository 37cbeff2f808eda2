"""The status rule's inlined copies agree with the rule: the lockstep path's loop reads the
status of the output line and whether the input line is labeled without calling
``view_status``, for speed; here each generated pair of lines goes through that loop."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import assume, given

from gtchain_runtime.domain.manifest.lockstep import plan_in_lockstep
from gtchain_runtime.domain.manifest.status import (
    FAILED,
    HUMAN,
    LABELED_STATUSES,
    MACHINE,
    UNLABELED,
    classify,
    status_of,
)
from tests.support.manifests import AM, A, label_records


def _expected_status(out_record: dict[str, Any], in_record: dict[str, Any]) -> int:
    """The chained line's status by the rule: the output's label wins, else the input's."""
    out_status, in_status = classify(out_record, A, AM), classify(in_record, A, AM)
    if out_status in LABELED_STATUSES or out_status == FAILED:
        return out_status
    return in_status if in_status in LABELED_STATUSES else UNLABELED


@given(out_record=label_records(), in_record=label_records())
def test_the_lockstep_loop_classifies_like_the_rule(
    out_record: dict[str, Any], in_record: dict[str, Any]
) -> None:
    in_record["source-ref"] = out_record["source-ref"]  # one object in both files
    in_record.pop("source", None)
    plan = plan_in_lockstep(
        io.BytesIO(json.dumps(in_record).encode() + b"\n"),
        io.BytesIO(json.dumps(out_record).encode() + b"\n"),
        A,
        io.BytesIO(),
        None,
    )
    assume(plan is not None)  # outside the views' shape: the general path's business
    assert plan is not None
    status = _expected_status(out_record, in_record)
    in_labeled = classify(in_record, A, AM) in LABELED_STATUSES
    assert (plan.human_labeled, plan.machine_labeled, plan.failed, plan.unlabeled) == (
        status == HUMAN,
        status == MACHINE,
        status == FAILED,
        status not in (HUMAN, MACHINE, FAILED),
    )
    assert plan.input_labeled == (status in LABELED_STATUSES and in_labeled)


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ((True, True, True, True), FAILED),  # a failure-reason beats a label
        ((False, True, True, True), MACHINE),
        ((False, True, False, True), HUMAN),
        ((False, False, False, True), 4),  # a null label or stray metadata: the residue
        ((False, False, False, False), UNLABELED),
    ],
)
def test_status_of(facts: tuple[bool, bool, bool, bool], status: int) -> None:
    assert status_of(*facts) == status
