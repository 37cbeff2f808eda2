"""CreateLabelingJob refuses what SageMaker refuses, with ValidationException (plain boto3).

LabelAttributeName: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateLabelingJob.html
(and botocore's model documentation of it). Manifest rules:
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-input-data-input-manifest.html and
https://docs.aws.amazon.com/sagemaker/latest/dg/input-data-limits.html; whether they are
enforced at create time or fail the job is a variant (variants.py, manifest_errors).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from gtchain.sandbox.groundtruth import workforce
from gtchain.sandbox.groundtruth.variants import GroundTruthVariants
from tests.support.labeling import (
    create_job,
    describe,
    images,
    job_request,
    put_manifest,
    sagemaker,
)

PRE = "arn:aws:lambda:us-east-1:432418664414:function:PRE-{}"


pytestmark = pytest.mark.usefixtures("labeling_moto")


def with_task(
    name: str, attribute: str, task_type: str, manifest: str = "s3://b/m.manifest"
) -> dict[str, Any]:
    request = job_request(name, manifest, LabelAttributeName=attribute)
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = PRE.format(task_type)
    return request


def refused(request: dict[str, Any]) -> str:
    with pytest.raises(ClientError) as caught:
        sagemaker().create_labeling_job(**request)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return str(caught.value.response["Error"]["Message"])


@pytest.mark.parametrize(
    "task_type",
    [
        "SemanticSegmentation",
        "AdjustmentSemanticSegmentation",
        "VideoObjectDetection",
        "AdjustmentVideoObjectTracking",
        "3DPointCloudSemanticSegmentation",
        "3DPointCloudObjectTracking",
    ],
)
def test_ref_task_types_require_a_ref_attribute(task_type: str) -> None:
    assert "must end with '-ref'" in refused(with_task("Job-1", "streets", task_type))
    sagemaker().create_labeling_job(**with_task("Job-2", "streets-ref", task_type))


@pytest.mark.parametrize(
    "task_type",
    ["ImageMultiClass", "BoundingBox", "NamedEntityRecognition", "VerificationSemanticSegmentation"],
)
def test_other_task_types_refuse_a_ref_attribute(task_type: str) -> None:
    assert "must not end with '-ref'" in refused(with_task("Job-1", "streets-ref", task_type))


def test_source_ref_is_refused_by_the_ref_rule_for_other_task_types() -> None:
    assert "must not end with '-ref'" in refused(with_task("Job-1", "source-ref", "ImageMultiClass"))


@pytest.mark.parametrize(
    ("attribute", "task_type"), [("source", "ImageMultiClass"), ("source-ref", "SemanticSegmentation")]
)
def test_reserved_attributes_are_always_refused(attribute: str, task_type: str) -> None:
    """sms-reusing-data: "The names source and source-ref are reserved and can't be used"."""
    assert "reserved" in refused(with_task("Job-1", attribute, task_type))


def long_line() -> list[dict[str, Any]]:
    return [{"source-ref": "s3://x/0.jpg", "notes": "n" * 20_001}, *images(2, start=1)]


def dollar_line() -> list[dict[str, Any]]:
    return [{"source-ref": "s3://x/0.jpg", "$bad": 1}]


@pytest.mark.parametrize(
    ("records", "words"),
    [(long_line, "larger than 20000 characters"), (dollar_line, "beginning with '$'")],
)
def test_bad_manifest_lines_fail_the_job_or_refuse_the_create_per_variant(records: Any, words: str) -> None:
    manifest = put_manifest("inputs/m.manifest", records())
    create_job("Job-1", manifest)
    workforce().run_until_idle()
    assert describe("Job-1")["LabelingJobStatus"] == "Failed"
    assert words in describe("Job-1")["FailureReason"]

    workforce().set_variants(GroundTruthVariants(manifest_errors="create-refuses"))
    assert words in refused(job_request("Job-2", manifest))


def test_semantic_segmentation_over_20000_objects_is_refused_per_variant() -> None:
    manifest = put_manifest("inputs/big.manifest", images(20_001))
    workforce().set_variants(GroundTruthVariants(manifest_errors="create-refuses"))
    assert "more than 20000 objects" in refused(
        with_task("Job-1", "streets-ref", "SemanticSegmentation", manifest)
    )
    # Other task types have the 100,000 quota.
    sagemaker().create_labeling_job(**with_task("Job-2", "streets", "ImageMultiClass", manifest))


def test_semantic_segmentation_over_20000_objects_fails_the_job_by_default() -> None:
    manifest = put_manifest("inputs/big.manifest", images(20_001))
    sagemaker().create_labeling_job(**with_task("Job-1", "streets-ref", "SemanticSegmentation", manifest))
    workforce().step()
    assert describe("Job-1")["LabelingJobStatus"] == "Failed"
    assert "more than 20000 objects" in describe("Job-1")["FailureReason"]


@pytest.mark.parametrize(
    ("field", "value", "task_type", "words"),
    [
        ("MaxConcurrentTaskCount", 1001, "BoundingBox", "over 1000"),
        ("TaskTimeLimitInSeconds", 28_801, "BoundingBox", "over 28800 (8 hours)"),
        ("TaskTimeLimitInSeconds", 28_801, "NamedEntityRecognition", "over 28800 (8 hours)"),
    ],
)
def test_documented_limits_the_model_does_not_carry_are_refused(
    field: str, value: int, task_type: str, words: str
) -> None:
    """sms-batching (1,000 concurrent tasks) and HumanTaskConfig's reference (8-hour tasks)."""
    request = with_task("Job-1", "streets", task_type)
    request["HumanTaskConfig"][field] = value
    assert words in refused(request)
    request["HumanTaskConfig"][field] = value - 1
    sagemaker().create_labeling_job(**request)


def test_video_and_3d_tasks_may_take_longer_than_8_hours() -> None:
    request = with_task("Job-1", "streets-ref", "VideoObjectDetection")
    request["HumanTaskConfig"]["TaskTimeLimitInSeconds"] = 86_400
    sagemaker().create_labeling_job(**request)


def test_mechanical_turk_tasks_live_at_most_12_hours() -> None:
    request = with_task("Job-1", "streets", "BoundingBox")
    human = request["HumanTaskConfig"]
    human["WorkteamArn"] = "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"
    human["PublicWorkforceTaskPrice"] = {
        "AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}
    }
    request["InputConfig"]["DataAttributes"] = {
        "ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent"]
    }
    human["TaskAvailabilityLifetimeInSeconds"] = 43_201
    assert "the maximum for Amazon Mechanical Turk" in refused(request)
    human["TaskAvailabilityLifetimeInSeconds"] = 43_200
    sagemaker().create_labeling_job(**request)
