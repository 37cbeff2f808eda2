"""The documented rules a labeling job's request must meet beyond its shapes, in one place for
both moments they may be enforced: CreateLabelingJob (responses.py) and the job's start
(workforce/preparation.py). Which moment applies is a variant (variants.py), as the pages state the rules
but not when the service checks them. Each rule's page is quoted in its module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gtchain.sandbox.groundtruth.outputs.labels import built_in_task_type
from gtchain.sandbox.groundtruth.validation.automation import (
    below_minimum_reason,
    unsupported_automation_reason,
)
from gtchain.sandbox.groundtruth.validation.review import RequestOfJob, reused_attribute_reason
from gtchain.sandbox.groundtruth.variants import GroundTruthVariants


def automation_problem(request: Mapping[str, Any], variants: GroundTruthVariants) -> str | None:
    """Automated labeling asked for on a task type or with an algorithm it does not support."""
    algorithms = request.get("LabelingJobAlgorithmsConfig")
    if algorithms is None:
        return None
    arn = str(algorithms.get("LabelingJobAlgorithmSpecificationArn", ""))
    wording = variants.automation_failure_wording
    return unsupported_automation_reason(built_in_task_type(request), arn, wording)


def input_manifest_problem(
    request: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    *,
    automation_min_objects: int,
    variants: GroundTruthVariants,
    request_of: RequestOfJob,
) -> str | None:
    """A rule the input manifest's `records` break for `request`: automated labeling's minimum
    (automation.py), a review job reusing the original job's attribute (review.py)."""
    automated = request.get("LabelingJobAlgorithmsConfig") is not None
    if automated and len(records) < automation_min_objects:
        return below_minimum_reason(len(records), variants.automation_failure_wording)
    return reused_attribute_reason(request, records, request_of)
