"""DescribeLabelingJob response -> CreateLabelingJob request for the chained child.

A near round-trip: every create input Describe returns is kept (the allowed shape comes
from botocore's CreateLabelingJob model, not a hand list), then the child gets its name,
the chained manifest, the project's output path, lineage tags and its labeling mode.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gtchain_runtime.domain.aws_ids import is_s3_uri
from gtchain_runtime.domain.labeling_job import ChildMode, LabelingJob, LabelingMode
from gtchain_runtime.domain.lineage import Lineage, inheritable_tags
from gtchain_runtime.domain.service_model import input_shape, prune_to_shape, validate_against_model

CREATE_OPERATION = "CreateLabelingJob"
MAX_TAGS = 50
# Ground Truth's documented minimum for automated data labeling (5,000 recommended).
AUTOMATED_LABELING_MIN_OBJECTS = 1250

# Built-in task types (the pre-annotation Lambda's name) that support automated labeling,
# with the algorithm they need (the last part of the algorithm specification ARN): "Automated
# data labeling is available only for the following Ground Truth built-in task types: Image
# classification (Single label), Semantic segmentation, Bounding box, Text classification"
# (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-automated-labeling.html), one algorithm
# ARN each (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobAlgorithmsConfig.html).
_AUTOMATABLE_TASKS = {
    "PRE-ImageMultiClass": "image-classification",
    "PRE-BoundingBox": "object-detection",
    "PRE-SemanticSegmentation": "semantic-segmentation",
    "PRE-TextMultiClass": "text-classification",
}


class RequestBuildError(ValueError):
    """The parent's description cannot become a valid child request; the message says why."""


@dataclass(frozen=True)
class ChildRequest:
    request: dict[str, Any]
    labeling_mode: ChildMode
    # Why the mode is what it is (fallbacks included), for plan.json and notifications.
    mode_reason: str


@dataclass(frozen=True)
class _ModeChoice:
    mode: ChildMode
    reason: str
    algorithms: dict[str, Any] | None = None


def _algorithm_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _unsupported_automation(task: str | None, algorithm_specification_arn: str) -> str | None:
    """Why automated labeling with this algorithm cannot run on `task`, or None."""
    needed = _AUTOMATABLE_TASKS.get(task or "")
    if needed is None:
        return (
            f"task type {task or 'custom'} does not support automated labeling "
            f"(only {', '.join(sorted(_AUTOMATABLE_TASKS.values()))})"
        )
    if _algorithm_of(algorithm_specification_arn) != needed:
        return (
            f"the algorithm {_algorithm_of(algorithm_specification_arn)} does not fit task type {task} "
            f"(needs {needed})"
        )
    return None


def _choose_mode(
    parent: LabelingJob,
    requested: LabelingMode,
    algorithm_specification_arn: str | None,
    dataset_size: int | None,
) -> _ModeChoice:
    parent_algorithm = parent.algorithm_arn or ""
    parent_kind = "automated" if parent_algorithm else "human-only"

    if requested == "human" or (requested == "inherit" and not parent_algorithm):
        return _ModeChoice("human", f"human labeling ({requested} mode, parent was {parent_kind})")

    task = parent.human_task.task_type
    if parent_algorithm:
        # A parent Ground Truth refused automation to (it failed before any work) must not pass
        # its LabelingJobAlgorithmsConfig on: the child would fail the same way.
        unsupported = _unsupported_automation(task, parent_algorithm)
        if unsupported is not None:
            return _ModeChoice(
                "human", f"human labeling: the parent's automated labeling cannot run: {unsupported}"
            )
        # The parent's whole LabelingJobAlgorithmsConfig (resource and VPC settings included).
        algorithms = copy.deepcopy(dict(parent.raw.get("LabelingJobAlgorithmsConfig") or {}))
        final_model = parent.final_model_arn
        if final_model:
            # Reusing the parent's model saves the training it already paid for.
            algorithms["InitialActiveLearningModelArn"] = final_model
            reason = "automated labeling, starting from the parent's final active learning model"
        else:
            reason = "automated labeling with the parent's algorithm (the parent produced no model)"
    else:
        if not algorithm_specification_arn:
            return _ModeChoice(
                "human",
                "human labeling: automated labeling was asked for but the project has no "
                "algorithm specification ARN (ALGORITHM_SPECIFICATION_ARN) for a human-only parent",
            )
        unsupported = _unsupported_automation(task, algorithm_specification_arn)
        if unsupported is not None:
            return _ModeChoice("human", f"human labeling: {unsupported}")
        algorithms = {"LabelingJobAlgorithmSpecificationArn": algorithm_specification_arn}
        reason = "automated labeling with the project's algorithm (the parent was human-only)"

    if dataset_size is not None and dataset_size < AUTOMATED_LABELING_MIN_OBJECTS:
        return _ModeChoice(
            "human",
            f"human labeling: automated labeling needs at least {AUTOMATED_LABELING_MIN_OBJECTS} "
            f"objects and the chained dataset has {dataset_size}",
        )
    return _ModeChoice("automated", reason, algorithms)


def build_child_request(
    parent: LabelingJob,
    *,
    child: Lineage,
    chained_manifest_uri: str,
    output_path: str,
    parent_tags: Iterable[Mapping[str, str]] | None = None,
    requested_mode: LabelingMode = "inherit",
    algorithm_specification_arn: str | None = None,
    dataset_size: int | None = None,
    role_arn: str | None = None,
    workteam_arn: str | None = None,
    stopping_conditions: Mapping[str, int] | None = None,
) -> ChildRequest:
    """The CreateLabelingJob request that resumes the described parent as `child`.

    `parent_tags` defaults to the Tags of the parent's description (ListTags is more reliable).
    `dataset_size` is the number of objects in the chained manifest (the automated-labeling floor).
    `role_arn` and `workteam_arn` replace the parent's (the project's identity, domain.guards);
    `stopping_conditions` replaces the parent's (the chain's budget, domain.budget; `{}` = none).
    None keeps the parent's value (the offline `gtchain job request`).
    """
    for label, uri in (("chained manifest", chained_manifest_uri), ("output path", output_path)):
        if not is_s3_uri(uri):
            raise RequestBuildError(f"the {label} must be an s3:// URI, got {uri!r}")
    shape = input_shape(CREATE_OPERATION)
    request: dict[str, Any] = prune_to_shape(parent.raw, shape) or {}
    parent_name = parent.name

    request["LabelingJobName"] = child.job_name
    # Same LabelAttributeName: Ground Truth skips the objects that already carry it.
    input_config = request.setdefault("InputConfig", {})
    input_config["DataSource"] = {"S3DataSource": {"ManifestS3Uri": chained_manifest_uri}}
    request.setdefault("OutputConfig", {})["S3OutputPath"] = output_path
    if role_arn is not None:
        request["RoleArn"] = role_arn
    if workteam_arn is not None:
        request.setdefault("HumanTaskConfig", {})["WorkteamArn"] = workteam_arn
    if stopping_conditions is not None:
        request.pop("StoppingConditions", None)
        if stopping_conditions:
            request["StoppingConditions"] = dict(stopping_conditions)

    choice = _choose_mode(parent, requested_mode, algorithm_specification_arn, dataset_size)
    request.pop("LabelingJobAlgorithmsConfig", None)
    if choice.algorithms is not None:
        request["LabelingJobAlgorithmsConfig"] = prune_to_shape(
            choice.algorithms, shape.members["LabelingJobAlgorithmsConfig"]
        )

    source_tags = (
        parent_tags
        if parent_tags is not None
        else [{"Key": key, "Value": value} for key, value in parent.tags]
    )
    tags = inheritable_tags(source_tags) + child.tags()
    if len(tags) > MAX_TAGS:
        raise RequestBuildError(
            f"{parent_name} has {len(tags) - len(child.tags())} tags; with the 3 lineage tags the child "
            f"would have {len(tags)}, above SageMaker's {MAX_TAGS}. Remove some tags from the parent."
        )
    request["Tags"] = tags

    problems = validate_against_model(CREATE_OPERATION, request)
    if problems:
        raise RequestBuildError(
            f"the request built from {parent_name} is not valid for CreateLabelingJob: " + "; ".join(problems)
        )
    return ChildRequest(request=request, labeling_mode=choice.mode, mode_reason=choice.reason)
