"""Labeling jobs held by moto's SageMaker backend, and the backend operations on them.

The jobs live on each ``SageMakerModelBackend`` (one per account and region), so moto's
reset clears them with the rest of its state. The simulated workforce advances them from
another thread: every read or write of a job's mutable fields holds ``STATE_LOCK``.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from moto.core.base_backend import backend_lock
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.utilities.utils import get_partition

from gtchain.sandbox.groundtruth.variants import REGISTRY

if TYPE_CHECKING:
    from gtchain.sandbox.groundtruth.workforce.run import JobRun

STATE_LOCK = threading.RLock()

INITIALIZING = "Initializing"
IN_PROGRESS = "InProgress"
STOPPING = "Stopping"
COMPLETED = "Completed"
FAILED = "Failed"
STOPPED = "Stopped"
FINAL_STATUSES = frozenset({COMPLETED, FAILED, STOPPED})
ACTIVE_STATUSES = frozenset({INITIALIZING, IN_PROGRESS, STOPPING})

LIST_SORT_KEYS = ("Name", "CreationTime", "Status")
_JOBS_ATTRIBUTE = "gtchain_labeling_jobs"


def utcnow() -> datetime:
    return datetime.now(UTC)


def labeling_job_arn(name: str, account_id: str, region_name: str, *, as_named: bool = False) -> str:
    # The case of the name inside the ARN is undocumented: a knob (variants.py, arn_case).
    resource = name if as_named else name.lower()
    return f"arn:{get_partition(region_name)}:sagemaker:{region_name}:{account_id}:labeling-job/{resource}"


@dataclass
class LabelCounters:
    """LabelCounters of DescribeLabelingJob.

    ``total_labeled`` includes objects that arrived already labeled (the chained job's
    console counter starts at the parent's count); ``human_labeled`` + ``machine_labeled``
    are the labels this job produced.
    """

    total_labeled: int = 0
    human_labeled: int = 0
    machine_labeled: int = 0
    failed_non_retryable_error: int = 0
    unlabeled: int = 0

    def to_response(self) -> dict[str, int]:
        return {
            "TotalLabeled": self.total_labeled,
            "HumanLabeled": self.human_labeled,
            "MachineLabeled": self.machine_labeled,
            "FailedNonRetryableError": self.failed_non_retryable_error,
            "Unlabeled": self.unlabeled,
        }


@dataclass
class LabelingJob:
    name: str
    arn: str
    account_id: str
    region_name: str
    # CreateLabelingJob's inputs as received, Tags excepted (they are mutable through AddTags).
    request: dict[str, Any]
    tags: list[dict[str, str]]
    creation_time: datetime
    last_modified_time: datetime
    job_reference_code: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: str = INITIALIZING
    counters: LabelCounters = field(default_factory=LabelCounters)
    failure_reason: str | None = None
    output: dict[str, str] | None = None
    stop_requested: bool = False
    # The workforce's private progress; None until its first tick on this job.
    run: JobRun | None = None

    def set_status(self, status: str, failure_reason: str | None = None) -> None:
        self.status = status
        if failure_reason is not None:
            self.failure_reason = failure_reason
        self.last_modified_time = utcnow()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def describe(self) -> dict[str, Any]:
        response: dict[str, Any] = copy.deepcopy(self.request)
        response.update(
            {
                "LabelingJobName": self.name,
                "LabelingJobArn": self.arn,
                "LabelingJobStatus": self.status,
                "LabelCounters": self.counters.to_response(),
                "CreationTime": self.creation_time,
                "LastModifiedTime": self.last_modified_time,
                "JobReferenceCode": self.job_reference_code,
                "Tags": copy.deepcopy(self.tags),
            }
        )
        if self.failure_reason is not None:
            response["FailureReason"] = self.failure_reason
        if self.output is not None:
            response["LabelingJobOutput"] = dict(self.output)
        return response

    def summary(self) -> dict[str, Any]:
        human_task = self.request["HumanTaskConfig"]
        summary: dict[str, Any] = {
            "LabelingJobName": self.name,
            "LabelingJobArn": self.arn,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "LabelingJobStatus": self.status,
            "LabelCounters": self.counters.to_response(),
            "WorkteamArn": human_task["WorkteamArn"],
            "InputConfig": copy.deepcopy(self.request["InputConfig"]),
        }
        if "PreHumanTaskLambdaArn" in human_task:
            summary["PreHumanTaskLambdaArn"] = human_task["PreHumanTaskLambdaArn"]
        consolidation = human_task.get("AnnotationConsolidationConfig")
        if consolidation:
            summary["AnnotationConsolidationLambdaArn"] = consolidation["AnnotationConsolidationLambdaArn"]
        if self.failure_reason is not None:
            summary["FailureReason"] = self.failure_reason
        if self.output is not None:
            summary["LabelingJobOutput"] = dict(self.output)
        return summary


def jobs_of(backend: SageMakerModelBackend) -> dict[str, LabelingJob]:
    """The labeling jobs of one backend, keyed by lower-case name (names are case-insensitive)."""
    jobs: dict[str, LabelingJob] = backend.__dict__.setdefault(_JOBS_ATTRIBUTE, {})
    return jobs


def request_of_job(account_id: str, region_name: str) -> Callable[[str], dict[str, Any] | None]:
    """A lookup of the CreateLabelingJob request of a job of this account and region, by name."""
    backend = sagemaker_backends[account_id][region_name]

    def request_of(name: str) -> dict[str, Any] | None:
        with STATE_LOCK:
            job = jobs_of(backend).get(name.lower())
        return None if job is None else job.request

    return request_of


def all_jobs() -> Iterator[LabelingJob]:
    """Every labeling job of every account and region that moto has created a backend for."""
    with backend_lock:
        backends = [
            backend for regions in list(sagemaker_backends.values()) for backend in list(regions.values())
        ]
    for backend in backends:
        with STATE_LOCK:
            jobs = list(jobs_of(backend).values())
        yield from jobs


def _find_job(backend: SageMakerModelBackend, name: str) -> LabelingJob:
    job = jobs_of(backend).get(name.lower())
    if job is None:
        arn = labeling_job_arn(name, backend.account_id, backend.region_name)
        raise ResourceNotFound(f"Could not find labeling job '{arn}'.")
    return job


# The functions below are attached to SageMakerModelBackend by install(): `self` is the backend.


def create_labeling_job(self: SageMakerModelBackend, request: dict[str, Any]) -> LabelingJob:
    name: str = request["LabelingJobName"]
    as_named = REGISTRY.for_job(name).arn_case == "as-named"
    arn = labeling_job_arn(name, self.account_id, self.region_name, as_named=as_named)
    stored_request = {key: copy.deepcopy(value) for key, value in request.items() if key != "Tags"}
    now = utcnow()
    with STATE_LOCK:
        jobs = jobs_of(self)
        if name.lower() in jobs:
            raise ResourceInUseException(f"Labeling job with name {name} already exists: {arn}")
        job = LabelingJob(
            name=name,
            arn=arn,
            account_id=self.account_id,
            region_name=self.region_name,
            request=stored_request,
            tags=copy.deepcopy(request.get("Tags") or []),
            creation_time=now,
            last_modified_time=now,
        )
        jobs[name.lower()] = job
    return job


def describe_labeling_job(self: SageMakerModelBackend, name: str) -> dict[str, Any]:
    with STATE_LOCK:
        return _find_job(self, name).describe()


def stop_labeling_job(self: SageMakerModelBackend, name: str) -> None:
    # Ground Truth stops at its next step (Stopping -> Stopped); stopping a finished job is a no-op.
    with STATE_LOCK:
        job = _find_job(self, name)
        if job.status in {INITIALIZING, IN_PROGRESS}:
            job.stop_requested = True
            job.set_status(STOPPING)


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValidationError(f"Invalid pagination token: {token}") from error
    if not isinstance(offset, int) or offset < 0:
        raise ValidationError(f"Invalid pagination token: {token}")
    return offset


def _sort_key(sort_by: str, job: LabelingJob) -> tuple[Any, ...]:
    # Name breaks ties so that pages stay stable between calls.
    if sort_by == "Name":
        return (job.name.lower(),)
    if sort_by == "Status":
        return (job.status, job.name.lower())
    return (job.creation_time, job.name.lower())


def list_labeling_jobs(
    self: SageMakerModelBackend,
    *,
    name_contains: str | None = None,
    status_equals: str | None = None,
    creation_time_after: datetime | None = None,
    creation_time_before: datetime | None = None,
    last_modified_time_after: datetime | None = None,
    last_modified_time_before: datetime | None = None,
    sort_by: str = "CreationTime",
    sort_order: str = "Ascending",
    max_results: int | None = None,
    next_token: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    with STATE_LOCK:
        jobs = list(jobs_of(self).values())
        selected = [
            job
            for job in jobs
            if (name_contains is None or name_contains.lower() in job.name.lower())
            and (status_equals is None or job.status == status_equals)
            and (creation_time_after is None or job.creation_time > creation_time_after)
            and (creation_time_before is None or job.creation_time < creation_time_before)
            and (last_modified_time_after is None or job.last_modified_time > last_modified_time_after)
            and (last_modified_time_before is None or job.last_modified_time < last_modified_time_before)
        ]
        selected.sort(key=lambda job: _sort_key(sort_by, job), reverse=sort_order == "Descending")
        start = _decode_token(next_token) if next_token else 0
        page_size = max_results or 10
        page = selected[start : start + page_size]
        following = start + page_size
        return [job.summary() for job in page], (
            _encode_token(following) if following < len(selected) else None
        )


def labeling_job_by_arn(self: SageMakerModelBackend, arn: str) -> LabelingJob:
    """The job an ARN names (for the tagging operations)."""
    name = arn.rsplit("/", 1)[-1]
    with STATE_LOCK:
        job = jobs_of(self).get(name.lower())
    if job is None or job.arn.lower() != arn.lower():
        raise ValidationError(f"Could not find labeling-job with ARN {arn}")
    return job
