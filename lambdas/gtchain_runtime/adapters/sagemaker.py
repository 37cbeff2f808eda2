"""SageMaker labeling jobs: the calls gtchain makes, with JSON-safe results."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gtchain_runtime.adapters.errors import error_code
from gtchain_runtime.domain.labeling_job import FINISHED_STATUSES, LabelingJob

if TYPE_CHECKING:  # the stubs are a dev dependency: the Lambda runtime only has boto3
    from mypy_boto3_sagemaker import SageMakerClient


class LabelingJobNotFoundError(LookupError):
    def __init__(self, job_name: str) -> None:
        super().__init__(f"labeling job {job_name} does not exist")
        self.job_name = job_name


class LabelingJobExistsError(RuntimeError):
    """CreateLabelingJob answered ResourceInUse: the name is taken (case-insensitively)."""

    def __init__(self, job_name: str) -> None:
        super().__init__(f"labeling job {job_name} already exists")
        self.job_name = job_name


def json_safe(value: Any) -> Any:
    """Datetimes as ISO strings, recursively: the state machine's payloads are JSON (docs/architecture.md)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


class LabelingJobs:
    """A thin wrapper over a boto3 SageMaker client (injected, so tests pass stubs or moto)."""

    def __init__(self, client: SageMakerClient) -> None:
        self._client = client

    def describe(self, job_name: str) -> LabelingJob:
        """DescribeLabelingJob, parsed (the response kept without ResponseMetadata, datetimes as ISO
        strings: it travels in the state machine's JSON payloads)."""
        try:
            response = self._client.describe_labeling_job(LabelingJobName=job_name)
        except ClientError as error:
            if error_code(error) == "ResourceNotFound":
                raise LabelingJobNotFoundError(job_name) from error
            raise
        plain: dict[str, Any] = dict(response)
        plain.pop("ResponseMetadata", None)
        return LabelingJob.from_describe(json_safe(plain))

    def find(self, job_name: str) -> LabelingJob | None:
        try:
            return self.describe(job_name)
        except LabelingJobNotFoundError:
            return None

    def tags(self, job_arn: str) -> list[dict[str, str]]:
        tags: list[dict[str, str]] = []
        kwargs: dict[str, Any] = {"ResourceArn": job_arn}
        while True:
            page = self._client.list_tags(**kwargs)
            tags.extend({"Key": t["Key"], "Value": t.get("Value", "")} for t in page.get("Tags", []))
            if not page.get("NextToken"):
                return tags
            kwargs["NextToken"] = page["NextToken"]

    def create(self, request: Mapping[str, Any]) -> str:
        """CreateLabelingJob; the new job's ARN."""
        try:
            response = self._client.create_labeling_job(**request)
        except ClientError as error:
            if error_code(error) == "ResourceInUse":
                raise LabelingJobExistsError(str(request["LabelingJobName"])) from error
            raise
        return str(response["LabelingJobArn"])

    def finished_jobs(
        self, name_contains: str, modified_after: datetime, modified_before: datetime
    ) -> Iterator[dict[str, Any]]:
        """Summaries of jobs that ended (Completed, Failed, Stopped) in the window, newest first."""
        for status in FINISHED_STATUSES:
            kwargs: dict[str, Any] = {
                "NameContains": name_contains,
                "StatusEquals": status,
                "LastModifiedTimeAfter": modified_after,
                "LastModifiedTimeBefore": modified_before,
                "SortBy": "CreationTime",
                "SortOrder": "Descending",
                "MaxResults": 100,
            }
            while True:
                page = self._client.list_labeling_jobs(**kwargs)
                for summary in page.get("LabelingJobSummaryList", []):
                    yield dict(json_safe(summary))
                if not page.get("NextToken"):
                    break
                kwargs["NextToken"] = page["NextToken"]
