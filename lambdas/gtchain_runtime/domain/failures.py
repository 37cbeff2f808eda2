"""A failed job's FailureReason: a cause a retry cannot fix (GIVE_UP, with what a person must
do), or None (a chained job may succeed).

AWS documents no list of FailureReason texts. The rules were checked against the texts in
gtchain/sandbox/labeling/failure_reasons.jsonl (each with its public source); a test runs every text through
:func:`classify_failure`.

Unknown reasons are retryable: the default is CHAIN, on purpose. A chained job never pays for a
label twice (the plan carries every label already paid for), most failures Ground Truth reports
without a known cause are transient (internal errors, throttling, capacity, the 30-day limit
below), and a chain of retries is bounded anyway: by the project's max_depth and by the rule that
gives up on a chained job that labeled nothing new (domain/policy.py). Giving up on an unknown
reason would instead leave a whole job's remaining objects unlabeled until a person looks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FailureCause:
    """A failure a retry cannot fix, and what a person must do about it."""

    kind: str
    fix: str


# Checked first: failures a chained job does not repeat, whatever other words the text holds.
# "Labeling jobs fail after 30 days with an appropriate client error message"
# (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobStoppingConditions.html):
# the time limit is per job, so the chained job starts a new 30 days.
_RETRYABLE = re.compile(
    r"\b30 days\b|\bthirty days\b|\bmaximum (run(ning)? ?time|duration)\b|\btimed? ?out\b"
    r"|internal (server )?(error|failure)|InternalServerError|InternalFailure|ServiceUnavailable"
    r"|service (is )?unavailable|throttl|rate exceeded|too many requests|capacity",
    re.I,
)

# Checked in order: the first match classifies the FailureReason. Words that any text may hold
# ("manifest", "invalid", "must be") are not enough on their own.
_PERMANENT: tuple[tuple[re.Pattern[str], FailureCause], ...] = (
    (
        re.compile(
            r"invoking the lambda|LambdaErrorCode|lambda function\b.*\b(failed|error|exception)", re.I
        ),
        FailureCause(
            "Lambda",
            "fix the pre-annotation or annotation-consolidation Lambda named above: it must exist, the "
            "labeling role must be allowed to invoke it, and it must not raise",
        ),
    ),
    (
        re.compile(r"access ?denied|not authori[sz]ed|forbidden|\bpermissions?\b|unauthori[sz]ed", re.I),
        FailureCause(
            "permission",
            "grant the labeling role access to the input manifest, data objects, output path and "
            "any KMS key, then resume the job",
        ),
    ),
    (
        re.compile(r"\bkms\b|kms key|key policy", re.I),
        FailureCause("kms", "check the KMS key ARN and that its key policy lets the labeling role use it"),
    ),
    (
        re.compile(
            r"manifest\b[^.]*\b(not found|does not exist|could not be (read|parsed)|cannot be (read|parsed)"
            r"|is empty|is invalid|invalid|malformed|not valid)"
            r"|(invalid|malformed|empty|unreadable) (input )?manifest",
            re.I,
        ),
        FailureCause(
            "manifest",
            "check that the input manifest exists and is valid JSON Lines (one object per line, "
            "each with source-ref or source)",
        ),
    ),
    (
        re.compile(r"template|ui ?config|human ?task ?ui|liquid", re.I),
        FailureCause("template", "fix the worker task template (UiConfig) so that it renders"),
    ),
    (
        re.compile(r"\brole\b.*\b(assume|trust)|assume ?role|trust (relationship|policy)", re.I),
        FailureCause("role", "check the labeling role ARN and its trust policy for sagemaker.amazonaws.com"),
    ),
    (
        re.compile(r"no ?such ?(key|bucket)|does not exist|not found|cannot find|could not find", re.I),
        FailureCause("missing resource", "create or point the job at the missing resource named above"),
    ),
    (
        re.compile(r"ValidationException|validation error", re.I),
        FailureCause("validation", "correct the job configuration named in the failure reason"),
    ),
)


def classify_failure(failure_reason: str | None) -> FailureCause | None:
    """The permanent cause of a failure, or None when a retry may succeed (unknown included)."""
    if not failure_reason or _RETRYABLE.search(failure_reason):
        return None
    for pattern, cause in _PERMANENT:
        if pattern.search(failure_reason):
            return cause
    return None
