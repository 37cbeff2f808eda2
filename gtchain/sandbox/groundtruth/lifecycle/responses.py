"""Methods attached to moto's ``SageMakerResponse`` by install().

moto dispatches an action to the response method of the same snake_case name, whether the
call came from boto3 under ``mock_aws``, the moto server, or a Step Functions
``aws-sdk:sagemaker`` task. Parameters arrive parsed against botocore's model
(``automated_parameter_parsing``); each request is validated before the backend sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse

from gtchain.sandbox.groundtruth.lifecycle import models
from gtchain.sandbox.groundtruth.outputs.manifest import ManifestError
from gtchain.sandbox.groundtruth.outputs.writer import S3Store, read_input_manifest, read_sequences
from gtchain.sandbox.groundtruth.validation.job_rules import automation_problem, input_manifest_problem
from gtchain.sandbox.groundtruth.validation.requests import validate_create_semantics, validate_request
from gtchain.sandbox.groundtruth.variants import REGISTRY
from gtchain.sandbox.groundtruth.workforce.driver import workforce


def _request(response: SageMakerResponse, operation_name: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(response._get_params())
    validate_request(operation_name, params)
    return params


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def create_labeling_job(self: SageMakerResponse) -> ActionResult:
    params = _request(self, "CreateLabelingJob")
    name = str(params["LabelingJobName"])
    variants = REGISTRY.for_job(name)
    validate_create_semantics(params)
    backend = self.sagemaker_backend
    if variants.unsupported_automation == "create-refuses":
        raise_for_problem(automation_problem(params, variants))
    if variants.manifest_errors == "create-refuses":
        try:
            store = S3Store(backend.account_id, backend.region_name)
            objects = read_input_manifest(store, params)
            read_sequences(store, params, objects)
        except ManifestError as error:
            raise ValidationError(str(error)) from None
        problem = input_manifest_problem(
            params,
            [item.record for item in objects],
            automation_min_objects=workforce().behaviour_for(name).automation_min_objects,
            variants=variants,
            request_of=models.request_of_job(backend.account_id, backend.region_name),
        )
        raise_for_problem(problem)
    job = models.create_labeling_job(backend, params)
    return ActionResult({"LabelingJobArn": job.arn})


def raise_for_problem(problem: str | None) -> None:
    if problem is not None:
        raise ValidationError(problem)


def describe_labeling_job(self: SageMakerResponse) -> ActionResult:
    params = _request(self, "DescribeLabelingJob")
    return ActionResult(models.describe_labeling_job(self.sagemaker_backend, params["LabelingJobName"]))


def stop_labeling_job(self: SageMakerResponse) -> EmptyResult:
    params = _request(self, "StopLabelingJob")
    models.stop_labeling_job(self.sagemaker_backend, params["LabelingJobName"])
    return EmptyResult()


def list_labeling_jobs(self: SageMakerResponse) -> ActionResult:
    params = _request(self, "ListLabelingJobs")
    summaries, next_token = models.list_labeling_jobs(
        self.sagemaker_backend,
        name_contains=params.get("NameContains"),
        status_equals=params.get("StatusEquals"),
        creation_time_after=_as_utc(params.get("CreationTimeAfter")),
        creation_time_before=_as_utc(params.get("CreationTimeBefore")),
        last_modified_time_after=_as_utc(params.get("LastModifiedTimeAfter")),
        last_modified_time_before=_as_utc(params.get("LastModifiedTimeBefore")),
        sort_by=params.get("SortBy") or "CreationTime",
        sort_order=params.get("SortOrder") or "Ascending",
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    result: dict[str, Any] = {"LabelingJobSummaryList": summaries}
    if next_token is not None:
        result["NextToken"] = next_token
    return ActionResult(result)


RESPONSE_METHODS = {
    "create_labeling_job": create_labeling_job,
    "describe_labeling_job": describe_labeling_job,
    "stop_labeling_job": stop_labeling_job,
    "list_labeling_jobs": list_labeling_jobs,
}
