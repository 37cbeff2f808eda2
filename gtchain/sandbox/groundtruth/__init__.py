"""Ground Truth labeling-job emulation for moto 5.2.5 (which has none).

``install()`` adds CreateLabelingJob, DescribeLabelingJob, StopLabelingJob and
ListLabelingJobs to moto's SageMaker, and labeling-job ARNs to its ListTags / AddTags /
DeleteTags (``PATCHES.undo()`` takes them away). ``workforce()`` is the simulated workforce that
advances the jobs. Submodules: ``lifecycle`` (the jobs, the API, the state-change event),
``workforce``, ``outputs`` (what a job reads and writes in S3), ``validation`` (what Ground Truth
refuses), ``variants`` (where AWS's documentation leaves a choice open), ``faults``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from gtchain.sandbox.groundtruth.lifecycle import models
from gtchain.sandbox.groundtruth.lifecycle.events import EVENT_DETAIL_TYPE, EVENT_SOURCE
from gtchain.sandbox.groundtruth.lifecycle.responses import RESPONSE_METHODS
from gtchain.sandbox.groundtruth.validation.requests import validate_request
from gtchain.sandbox.groundtruth.workforce.behaviour import JobBehaviour
from gtchain.sandbox.groundtruth.workforce.driver import JobSnapshot, Workforce, workforce
from gtchain.sandbox.patching import PatchSet

__all__ = [
    "EVENT_DETAIL_TYPE",
    "EVENT_SOURCE",
    "PATCHES",
    "JobBehaviour",
    "JobSnapshot",
    "Workforce",
    "install",
    "workforce",
]

_LABELING_JOB_RESOURCE = ":labeling-job/"


def _is_labeling_job_arn(arn: Any) -> bool:
    return isinstance(arn, str) and _LABELING_JOB_RESOURCE in arn


def _with_labeling_jobs(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's ARN -> resource lookup, extended to labeling jobs (used by its tag operations)."""

    def get_resource_from_arn(self: SageMakerModelBackend, arn: str) -> Any:
        if _is_labeling_job_arn(arn):
            return models.labeling_job_by_arn(self, arn)
        return original(self, arn)

    return get_resource_from_arn


def _upserting_add_tags(original: Callable[..., Any]) -> Callable[..., Any]:
    # AWS replaces the value of a key that is already there; moto appends a duplicate.
    def add_tags(self: SageMakerModelBackend, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        if not _is_labeling_job_arn(arn):
            result: list[dict[str, str]] = original(self, arn, tags)
            return result
        job = models.labeling_job_by_arn(self, arn)
        with models.STATE_LOCK:
            new_keys = {tag["Key"] for tag in tags}
            job.tags = [tag for tag in job.tags if tag["Key"] not in new_keys] + [dict(tag) for tag in tags]
            return list(job.tags)

    return add_tags


def _validated(operation_name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def respond(self: SageMakerResponse) -> Any:
        validate_request(operation_name, self._get_params())
        return original(self)

    return respond


def _validating(operation_name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return lambda original: _validated(operation_name, original)


def register(patches: PatchSet) -> None:
    """Teach moto's SageMaker labeling jobs."""
    backend_functions: dict[str, Callable[..., Any]] = {
        "create_labeling_job": models.create_labeling_job,
        "describe_labeling_job": models.describe_labeling_job,
        "stop_labeling_job": models.stop_labeling_job,
        "list_labeling_jobs": models.list_labeling_jobs,
    }
    for name, function in backend_functions.items():
        patches.replace(SageMakerModelBackend, name, function)
    patches.wrap(SageMakerModelBackend, "_get_resource_from_arn", _with_labeling_jobs)
    patches.wrap(SageMakerModelBackend, "add_tags", _upserting_add_tags)
    for name, method in RESPONSE_METHODS.items():
        patches.replace(SageMakerResponse, name, method)
    for name, operation in (
        ("list_tags", "ListTags"),
        ("add_tags", "AddTags"),
        ("delete_tags", "DeleteTags"),
    ):
        patches.wrap(SageMakerResponse, name, _validating(operation))


PATCHES = PatchSet("groundtruth", register)


def install() -> None:
    """Teach moto's SageMaker labeling jobs. Idempotent; call before the first request."""
    PATCHES.install()
