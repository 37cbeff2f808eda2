"""A label verification or adjustment job must not reuse the original job's LabelAttributeName.

https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-verify-start-api.html: "When you create
an adjustment or verification labeling job using the Ground Truth API, you *must* use a different
``LabelAttributeName`` than the original labeling job. The original labeling job is the job used
to create the labels you want adjusted or verified." CreateLabelingJob's LabelAttributeName
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateLabelingJob.html) says the
same. The labels a review job reads are in its input manifest
(sms-data-verify-adjust-prereq.html: "The input manifest file you use must contain the label
attribute name (``LabelAttributeName``) of the labels that you want adjusted"), each with the
``job-name`` of the job that made it in ``<attribute>-metadata`` (sms-data-output.html).

So a review job breaks the rule when lines of its input manifest carry labels under its own
LabelAttributeName made by a job that was not itself a review job: those are the original
job's labels. Labels under that attribute made by a review job are that job's own output, which
a chained review job resumes (Ground Truth skips objects that already carry the attribute).
Labels of a job the sandbox does not know cannot be told apart and are not refused.

The pages state the rule, not when it is enforced: the manifest_errors variant (variants.py)
decides, as for the input manifest's other rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gtchain.sandbox.groundtruth.outputs.labels import built_in_task_type

REVIEW_PREFIXES = ("adjustment", "verification")
JOB_REFERENCE_PREFIX = "labeling-job/"

# The CreateLabelingJob request of a job the sandbox knows, by its name (any case), else None.
RequestOfJob = Callable[[str], Mapping[str, Any] | None]


def is_review_job(request: Mapping[str, Any]) -> bool:
    """An Adjustment<TaskType> or Verification<TaskType> job (its PRE- Lambda says so)."""
    return (built_in_task_type(request) or "").startswith(REVIEW_PREFIXES)


def _original_job(
    records: Iterable[Mapping[str, Any]], attribute: str, request_of: RequestOfJob
) -> str | None:
    for record in records:
        metadata = record.get(f"{attribute}-metadata")
        if attribute not in record or not isinstance(metadata, Mapping):
            continue
        name = str(metadata.get("job-name", "")).removeprefix(JOB_REFERENCE_PREFIX)
        maker = request_of(name) if name else None
        if maker is not None and not is_review_job(maker):
            return name
    return None


def reused_attribute_reason(
    request: Mapping[str, Any], records: Iterable[Mapping[str, Any]], request_of: RequestOfJob
) -> str | None:
    """Why review job `request` may not run on `records` (its input manifest), or None."""
    if not is_review_job(request):
        return None
    attribute = str(request["LabelAttributeName"])
    original = _original_job(records, attribute, request_of)
    if original is None:
        return None
    return (
        f"ClientError: LabelAttributeName '{attribute}' is the label attribute of labeling job "
        f"{original}, whose labels this job reviews: an adjustment or verification job must use a "
        "different LabelAttributeName than the original labeling job"
    )
