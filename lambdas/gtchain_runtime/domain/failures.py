"""A failed job's FailureReason: a cause a retry cannot fix (GIVE_UP, with what a person must
do), or a reason a chained job may succeed (CHAIN). Every reading names the rule that decided it.

AWS documents no list of FailureReason texts (DescribeLabelingJob: "If the job failed, the reason
that it failed"). The rules follow the corpus gtchain/sandbox/groundtruth/failure_reasons.jsonl:
each text with its public source, whether it is verbatim, and the rule that must decide it; a test runs every
text through :func:`read_failure` (docs/architecture.md, "Failure reasons", has the counts).

Reading is case-insensitive and whitespace-insensitive (runs of spaces, tabs and line breaks are
one space): the same reason logged, wrapped or re-cased must not change the decision.

Unknown reasons are retryable: the default is CHAIN, on purpose, for whoever pays for labels. A
chained job never pays for a label twice (the plan carries every label already paid for), the
failures Ground Truth reports without a known cause are mostly transient (internal errors,
throttling, capacity, the 30-day limit below), and a chain of retries is bounded anyway: by the
project's max_depth and by the rule that gives up on a chained job that labeled nothing new
(domain/policy.py). Giving up on an unknown reason would instead leave a whole job's remaining
objects unlabeled until a person looks, which costs more than one more job that fails early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The rules of a reason that names no known cause, and of no reason at all: both chain.
UNKNOWN_REASON = "unknown reason"
NO_REASON = "no reason given"


@dataclass(frozen=True)
class FailureCause:
    """A failure a retry cannot fix, and what a person must do about it. ``kind`` is also the
    name of the rule that found it."""

    kind: str
    fix: str


@dataclass(frozen=True)
class FailureReading:
    """How a FailureReason was read: the rule that decided, and the cause when a retry cannot fix it."""

    rule: str
    cause: FailureCause | None

    @property
    def retryable(self) -> bool:
        return self.cause is None


# Checked first, by name: failures a chained job does not repeat, whatever other words the text
# holds ("manifest", "permission", "invalid" appear in transient reasons too).
_RETRYABLE: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Labeling jobs fail after 30 days with an appropriate client error message"
    # (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobStoppingConditions.html):
    # the time limit is per job, so the chained job starts a new 30 days.
    (
        re.compile(r"\b30 days\b|\bthirty days\b|\bmaximum (run(ning)? ?time|duration)\b", re.I),
        "time limit",
    ),
    (re.compile(r"internal ?(server ?|service ?)?(error|failure)", re.I), "internal error"),
    # S3's 503 Slow Down "Reducing your request rate will decrease or eliminate errors of this
    # type" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ErrorBestPractices.html);
    # Lambda's TooManyRequestsException is a concurrency limit, not a broken function.
    (
        re.compile(r"throttl|rate exceeded|too ?many ?requests|slow ?down|reduce your request rate", re.I),
        "throttling",
    ),
    (re.compile(r"service ?(is )?unavailable|temporary failure", re.I), "unavailable"),
    (re.compile(r"capacity", re.I), "capacity"),
    (re.compile(r"\btimed? ?out\b", re.I), "timeout"),
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
    # "If you use Mechanical Turk and do not specify that your input data is free of PII using the
    # FreeOfPersonallyIdentifiableInformation flag, your labeling job will fail" (developer guide,
    # sms-workforce-management-public): the flag is in the request the chained job copies.
    (
        re.compile(r"personally ?identifiable|\bPII\b", re.I),
        FailureCause(
            "content classifiers",
            "declare FreeOfPersonallyIdentifiableInformation in InputConfig.DataAttributes if the data "
            "is free of it, or label it with a private or vendor work team",
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
            r"|is empty|is invalid|invalid|malformed|not valid|has no data objects|has more than"
            r"|is longer than)"
            r"|(invalid|malformed|empty|unreadable) (input )?manifest",
            re.I,
        ),
        FailureCause(
            "manifest",
            "check that the input manifest exists and is valid JSON Lines (one object per line, "
            "each with source-ref or source) within the task type's quotas",
        ),
    ),
    (
        re.compile(r"template|ui ?config|human ?task ?ui|liquid", re.I),
        FailureCause("template", "fix the worker task template (UiConfig) so that it renders"),
    ),
    (
        re.compile(r"label ?category ?config", re.I),
        FailureCause(
            "label categories",
            "fix the label category configuration file (LabelCategoryConfigS3Uri): JSON with a "
            '"labels" list of {"label": ...} objects',
        ),
    ),
    (
        re.compile(r"\brole\b.*\b(assume|trust)|\bassume ?(the )?role|trust (relationship|policy)", re.I),
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
    # The two rules of automated data labeling
    # (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-automated-labeling.html). A chained job
    # carries the same dataset, so it cannot reach the 1,250 objects either. More than 10% of the
    # human sample failing points at the task setup, which a chained job repeats while paying
    # workers for the failed objects again: a person should look first.
    (
        re.compile(r"\b1,?250\b.*\bautomat|\bautomat.*\b1,?250\b", re.I),
        FailureCause(
            "automated labeling minimum",
            "automated data labeling needs at least 1,250 objects in the input manifest: add objects, "
            "or resume without LabelingJobAlgorithmsConfig (tag the job gtchain:labeling-mode=human)",
        ),
    ),
    # Automated labeling "is available only for the following Ground Truth built-in task types"
    # (same page), each with its own algorithm ARN (API_LabelingJobAlgorithmsConfig.html): a
    # chained job would copy the same LabelingJobAlgorithmsConfig and fail the same way.
    (
        re.compile(
            r"\b(automat\w*|auto-?label\w*)\b.{0,80}\b(not available|does not support|not supported)\b"
            r"|\bdoes not support auto-?label",
            re.I,
        ),
        FailureCause(
            "automated labeling task type",
            "automated data labeling supports only image classification (single label), bounding box, "
            "semantic segmentation and text classification, each with its own "
            "LabelingJobAlgorithmSpecificationArn: fix the algorithm, or resume without "
            "LabelingJobAlgorithmsConfig (tag the job gtchain:labeling-mode=human)",
        ),
    ),
    # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-verify-start-api.html: an adjustment
    # or verification job "must use a different LabelAttributeName than the original labeling
    # job"; a chained job keeps the attribute, so it would break the rule again.
    (
        re.compile(
            r"different label ?attribute ?name|label ?attribute ?name .{0,160}\boriginal (labeling )?job",
            re.I,
        ),
        FailureCause(
            "review label attribute",
            "an adjustment or verification job must use a LabelAttributeName different from the "
            "original labeling job's: create it again with a new LabelAttributeName",
        ),
    ),
    (
        re.compile(r"\b(more than|over|exceed(s|ed|ing)?) 10 ?(%|percent)", re.I),
        FailureCause(
            "automated labeling sample",
            "more than 10% of the objects of automated labeling's human sample failed: check that the "
            "data displays in the worker UI, that the instructions are clear and that "
            "TaskTimeLimitInSeconds gives workers enough time, then resume",
        ),
    ),
)

RULES: tuple[str, ...] = (
    *(rule for _, rule in _RETRYABLE),
    *(cause.kind for _, cause in _PERMANENT),
    UNKNOWN_REASON,
    NO_REASON,
)


def read_failure(failure_reason: str | None) -> FailureReading:
    """The rule that decides `failure_reason`, with its permanent cause if it has one."""
    text = " ".join((failure_reason or "").split())
    if not text:
        return FailureReading(NO_REASON, None)
    for pattern, rule in _RETRYABLE:
        if pattern.search(text):
            return FailureReading(rule, None)
    for pattern, cause in _PERMANENT:
        if pattern.search(text):
            return FailureReading(cause.kind, cause)
    return FailureReading(UNKNOWN_REASON, None)


def classify_failure(failure_reason: str | None) -> FailureCause | None:
    """The permanent cause of a failure, or None when a retry may succeed (unknown included)."""
    return read_failure(failure_reason).cause
