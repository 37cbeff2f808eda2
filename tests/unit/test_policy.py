from __future__ import annotations

from dataclasses import replace

import pytest

from gtchain_runtime.domain.policy import Decision, classify_failure, decide
from tests.support.policy import POLICY_BASE as BASE


def test_completed_with_nothing_remaining_completes() -> None:
    verdict = decide(replace(BASE, remaining=0, labeled=100))
    assert verdict.decision is Decision.COMPLETE
    assert "every object labeled (100)" in verdict.reason


def test_completed_with_objects_remaining_chains() -> None:
    verdict = decide(BASE)
    assert verdict.decision is Decision.CHAIN
    assert "10 remaining objects" in verdict.reason and "90 labels" in verdict.reason


def test_stopped_chains_by_default() -> None:
    verdict = decide(replace(BASE, status="Stopped"))
    assert verdict.decision is Decision.CHAIN
    assert "stopped" in verdict.reason


def test_stopped_is_not_resumed_when_the_project_says_so() -> None:
    verdict = decide(replace(BASE, status="Stopped", resume_stopped=False))
    assert verdict.decision is Decision.GIVE_UP
    assert "resume_stopped=false" in verdict.reason


def test_opt_out_tag_gives_up() -> None:
    verdict = decide(replace(BASE, status="Stopped", opted_out=True))
    assert verdict.decision is Decision.GIVE_UP
    assert "gtchain:resume=false" in verdict.reason


def test_failed_for_a_configuration_error_gives_up_with_the_fix() -> None:
    verdict = decide(
        replace(
            BASE,
            status="Failed",
            failure_reason="ClientError: Access Denied (Service: Amazon S3; Status Code: 403)",
        )
    )
    assert verdict.decision is Decision.GIVE_UP
    assert "permission" in verdict.reason and "To do: grant the labeling role" in verdict.reason


def test_failed_for_a_transient_error_chains() -> None:
    verdict = decide(replace(BASE, status="Failed", failure_reason="Internal server error, please retry"))
    assert verdict.decision is Decision.CHAIN
    assert "a retry may fix" in verdict.reason


def test_failed_without_a_reason_chains() -> None:
    assert decide(replace(BASE, status="Failed")).decision is Decision.CHAIN


def test_max_depth_reached_gives_up() -> None:
    verdict = decide(replace(BASE, depth=5, input_labeled=10))
    assert verdict.decision is Decision.GIVE_UP
    assert "allows 5" in verdict.reason


def test_chained_job_without_progress_gives_up() -> None:
    verdict = decide(replace(BASE, depth=2, labeled=90, input_labeled=90))
    assert verdict.decision is Decision.GIVE_UP
    assert "labeled nothing new" in verdict.reason


def test_root_job_with_only_input_labels_still_chains() -> None:
    # Third-party labels in a root's input: no progress is required at depth 0.
    assert decide(replace(BASE, labeled=90, input_labeled=90)).decision is Decision.CHAIN


def test_unfinished_status_is_refused() -> None:
    with pytest.raises(ValueError, match="InProgress"):
        decide(replace(BASE, status="InProgress"))


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("AccessDenied: User is not authorized to perform s3:GetObject", "permission"),
        ("ClientError: Input manifest s3://b/x.manifest is not valid JSON", "manifest"),
        ("ClientError: Unable to render the UI template", "template"),
        ("Could not assume role arn:aws:iam::123456789012:role/x", "role"),
        ("KMS key arn:aws:kms:... is disabled", "kms"),
        ("ValidationException: 1 validation error detected", "validation"),
        ("NoSuchBucket: the bucket does not exist", "missing resource"),
    ],
)
def test_permanent_failures_are_classified(reason: str, kind: str) -> None:
    cause = classify_failure(reason)
    assert cause is not None and cause.kind == kind


@pytest.mark.parametrize(
    "reason",
    [None, "", "Internal error", "Throttling: rate exceeded", "Service unavailable, try again later"],
)
def test_transient_failures_are_not_classified(reason: str | None) -> None:
    assert classify_failure(reason) is None


def test_a_chain_that_cannot_be_created_gives_up_naming_every_blocker() -> None:
    verdict = decide(replace(BASE, chain_blockers=("the request is invalid", "tag x is bad")))
    assert verdict.decision is Decision.GIVE_UP
    assert "the request is invalid; tag x is bad" in verdict.reason and "To do:" in verdict.reason
    assert "10 objects left" in verdict.reason


def test_blockers_do_not_matter_when_nothing_is_left() -> None:
    verdict = decide(replace(BASE, remaining=0, labeled=100, chain_blockers=("the request is invalid",)))
    assert verdict.decision is Decision.COMPLETE
