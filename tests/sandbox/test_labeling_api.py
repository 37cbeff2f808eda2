"""The emulated labeling-job API: validation, AWS error codes, describe, list, tags."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.sagemaker.responses import SageMakerResponse

from gtchain.sandbox.groundtruth import install
from gtchain.sandbox.groundtruth.validation.requests import constraint_violations, operation_model
from tests.support.labeling import (
    ACCOUNT,
    ACS_LAMBDA,
    ALGORITHM_ARN,
    BUCKET,
    REGION,
    client,
    create_job,
    describe,
    images,
    job_request,
    put_manifest,
    sagemaker,
)

pytestmark = pytest.mark.usefixtures("labeling_moto")


def unvalidated_sagemaker() -> Any:
    # Skips botocore's client-side checks so that the request reaches the emulated service.
    return client("sagemaker", config=Config(parameter_validation=False))


def error_of(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error: dict[str, str] = raised.value.response["Error"]
    return error


def full_request(name: str) -> dict[str, Any]:
    """Every CreateLabelingJob input set, to check that DescribeLabelingJob echoes them all."""
    manifest = put_manifest("inputs/full.manifest", images(3))
    return job_request(
        name,
        manifest,
        InputConfig={
            "DataSource": {"S3DataSource": {"ManifestS3Uri": manifest}},
            "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
        },
        OutputConfig={
            "S3OutputPath": f"s3://{BUCKET}/jobs/",
            "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abcd",
            "SnsTopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:labels",
        },
        LabelCategoryConfigS3Uri=f"s3://{BUCKET}/categories.json",
        StoppingConditions={"MaxHumanLabeledObjectCount": 500, "MaxPercentageOfInputDatasetLabeled": 100},
        LabelingJobAlgorithmsConfig={
            "LabelingJobAlgorithmSpecificationArn": ALGORITHM_ARN,
            "InitialActiveLearningModelArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/previous",
            "LabelingJobResourceConfig": {
                "VolumeKmsKeyId": "key-1",
                "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
            },
        },
        HumanTaskConfig={
            "WorkteamArn": "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default",
            "UiConfig": {"UiTemplateS3Uri": f"s3://{BUCKET}/template.liquid"},
            "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-ImageMultiClass",
            "TaskKeywords": ["Images", "classification"],
            "TaskTitle": "Image Categorization",
            "TaskDescription": "Categorize images into specific classes",
            "NumberOfHumanWorkersPerDataObject": 3,
            "TaskTimeLimitInSeconds": 300,
            "TaskAvailabilityLifetimeInSeconds": 21600,
            "MaxConcurrentTaskCount": 1000,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": ACS_LAMBDA},
            "PublicWorkforceTaskPrice": {
                "AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}
            },
        },
        Tags=[{"Key": "team", "Value": "vision"}, {"Key": "cost-centre", "Value": "ml"}],
    )


def test_describe_echoes_every_create_input_and_reports_a_fresh_job() -> None:
    request = full_request("Streetscenes-Job1")

    arn = sagemaker().create_labeling_job(**request)["LabelingJobArn"]
    described = describe("Streetscenes-Job1")

    assert arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/streetscenes-job1"
    for key, value in request.items():
        assert described[key] == value, key
    assert described["LabelingJobArn"] == arn
    assert described["LabelingJobStatus"] == "Initializing"
    assert described["LabelCounters"] == {
        "TotalLabeled": 0,
        "HumanLabeled": 0,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 0,
    }
    assert described["JobReferenceCode"]
    assert isinstance(described["CreationTime"], dt.datetime)
    assert described["LastModifiedTime"] >= described["CreationTime"]
    assert "LabelingJobOutput" not in described
    assert "FailureReason" not in described


@pytest.mark.parametrize(
    "workteam",
    [
        # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-workforce-management.html: a private
        # work team of the account, the Amazon Mechanical Turk crowd (whose ARN
        # sms-workforce-management-public.html gives), or a vendor's team from AWS Marketplace.
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/streetscenes-labelers",
        f"arn:aws:sagemaker:{REGION}:394669845002:workteam/public-crowd/default",
        f"arn:aws:sagemaker:{REGION}:123456789098:workteam/vendor-crowd/acme-labeling",
    ],
)
def test_private_public_and_vendor_work_teams_are_accepted(workteam: str) -> None:
    request = job_request("Job-1", put_manifest("inputs/m.manifest", images(2)))
    request["HumanTaskConfig"]["WorkteamArn"] = workteam

    sagemaker().create_labeling_job(**request)

    assert describe("Job-1")["HumanTaskConfig"]["WorkteamArn"] == workteam
    [summary] = sagemaker().list_labeling_jobs()["LabelingJobSummaryList"]
    assert summary["WorkteamArn"] == workteam


def test_job_names_are_unique_regardless_of_case() -> None:
    manifest = put_manifest("inputs/a.manifest", images(2))
    create_job("Streetscenes-Job1", manifest)

    error = error_of(sagemaker().create_labeling_job, **job_request("STREETSCENES-job1", manifest))

    assert error["Code"] == "ResourceInUse"
    assert "STREETSCENES-job1" in error["Message"]
    assert describe("streetscenes-JOB1")["LabelingJobName"] == "Streetscenes-Job1"


@pytest.mark.parametrize("operation", ["describe_labeling_job", "stop_labeling_job"])
def test_unknown_jobs_are_resource_not_found(operation: str) -> None:
    error = error_of(getattr(sagemaker(), operation), LabelingJobName="no-such-job")

    assert error["Code"] == "ResourceNotFound"
    assert "labeling-job/no-such-job" in error["Message"]


def _set(request: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, leaf = path.split(".")
    target = request
    for part in parents:
        target = target[part]
    if value is None:
        del target[leaf]
    else:
        target[leaf] = value
    return request


@pytest.mark.parametrize(
    ("path", "value", "field", "constraint"),
    [
        ("LabelingJobName", "bad_name", "labelingJobName", "regular expression pattern"),
        ("LabelingJobName", "a" * 64, "labelingJobName", "length less than or equal to 63"),
        ("LabelAttributeName", "", "labelAttributeName", "length greater than or equal to 1"),
        ("RoleArn", "arn:aws:iam::12345:role/short-account", "roleArn", "regular expression pattern"),
        (
            "HumanTaskConfig.WorkteamArn",
            "arn:aws:sagemaker:us-east-1:123:team/x",
            "humanTaskConfig.workteamArn",
            "pattern",
        ),
        ("OutputConfig.S3OutputPath", "ftp://bucket/jobs", "outputConfig.s3OutputPath", "pattern"),
        (
            "HumanTaskConfig.NumberOfHumanWorkersPerDataObject",
            10,
            "humanTaskConfig.numberOfHumanWorkersPerDataObject",
            "value less than or equal to 9",
        ),
        (
            "HumanTaskConfig.TaskTimeLimitInSeconds",
            29,
            "humanTaskConfig.taskTimeLimitInSeconds",
            "value greater than or equal to 30",
        ),
        (
            "HumanTaskConfig.TaskKeywords",
            ["a"] * 6,
            "humanTaskConfig.taskKeywords",
            "length less than or equal to 5",
        ),
        (
            "HumanTaskConfig.TaskKeywords",
            ["bad-keyword!"],
            "humanTaskConfig.taskKeywords.1.member",
            "pattern",
        ),
        ("RoleArn", None, "roleArn", "must not be null"),
        ("HumanTaskConfig.TaskTitle", None, "humanTaskConfig.taskTitle", "must not be null"),
        ("Tags", [{"Key": "k"}], "tags.1.member.value", "must not be null"),
        # API_LabelingJobStoppingConditions: MaxHumanLabeledObjectCount >= 1, percentage 1..100.
        (
            "StoppingConditions",
            {"MaxHumanLabeledObjectCount": 0},
            "stoppingConditions.maxHumanLabeledObjectCount",
            "value greater than or equal to 1",
        ),
        (
            "StoppingConditions",
            {"MaxPercentageOfInputDatasetLabeled": 101},
            "stoppingConditions.maxPercentageOfInputDatasetLabeled",
            "value less than or equal to 100",
        ),
    ],
)
def test_bad_create_requests_are_validation_errors_naming_the_field(
    path: str, value: Any, field: str, constraint: str
) -> None:
    request = _set(job_request("Job-1", f"s3://{BUCKET}/inputs/m.manifest"), path, value)

    error = error_of(unvalidated_sagemaker().create_labeling_job, **request)

    assert error["Code"] == "ValidationException"
    assert f"at '{field}' failed to satisfy constraint: Member " in error["Message"]
    assert constraint in error["Message"]


def test_enum_violations_list_the_allowed_values() -> None:
    request = job_request(
        "Job-1",
        f"s3://{BUCKET}/inputs/m.manifest",
        InputConfig={
            "DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://{BUCKET}/m"}},
            "DataAttributes": {"ContentClassifiers": ["MaybeAdult"]},
        },
    )

    error = error_of(unvalidated_sagemaker().create_labeling_job, **request)

    assert error["Code"] == "ValidationException"
    assert (
        "Value 'MaybeAdult' at 'inputConfig.dataAttributes.contentClassifiers.1.member'" in error["Message"]
    )
    assert "FreeOfPersonallyIdentifiableInformation, FreeOfAdultContent" in error["Message"]


def test_several_violations_are_reported_together() -> None:
    request = job_request(
        "bad_name", f"s3://{BUCKET}/inputs/m.manifest", LabelAttributeName="labels", RoleArn="nope"
    )

    message = error_of(unvalidated_sagemaker().create_labeling_job, **request)["Message"]

    assert message.startswith("3 validation errors detected: ")
    assert "'labelingJobName'" in message
    assert message.count("'roleArn'") == 2


def test_wrong_types_are_validation_errors() -> None:
    request = job_request("Job-1", f"s3://{BUCKET}/inputs/m.manifest")
    request["HumanTaskConfig"]["TaskTitle"] = {"not": "a string"}

    error = error_of(unvalidated_sagemaker().create_labeling_job, **request)

    assert error["Code"] == "ValidationException"
    assert "Invalid type for parameter HumanTaskConfig.TaskTitle" in error["Message"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"LabelAttributeName": "labels-metadata"}, "must not end with '-metadata'"),
        ({"InputConfig": {"DataSource": {}}}, "exactly one of S3DataSource or SnsDataSource (got none)"),
    ],
)
def test_rules_beyond_the_model_are_enforced(overrides: dict[str, Any], expected: str) -> None:
    request = job_request("Job-1", f"s3://{BUCKET}/inputs/m.manifest", **overrides)

    error = error_of(sagemaker().create_labeling_job, **request)

    assert error["Code"] == "ValidationException"
    assert expected in error["Message"]


def test_describe_validates_the_name() -> None:
    error = error_of(unvalidated_sagemaker().describe_labeling_job, LabelingJobName="no spaces allowed")

    assert error["Code"] == "ValidationException"
    assert "'labelingJobName'" in error["Message"]


def test_java_style_patterns_accept_unicode_tag_values() -> None:
    shape = operation_model("AddTags").input_shape
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/x"

    good = {"ResourceArn": arn, "Tags": [{"Key": "équipe", "Value": "vision 2"}]}
    bad = {"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "semi;colon"}]}

    assert list(constraint_violations(shape, good)) == []
    assert [violation.split(" failed")[0] for violation in constraint_violations(shape, bad)] == [
        "Value 'semi;colon' at 'tags.1.member.value'"
    ]


def _names(**filters: Any) -> list[str]:
    summaries = sagemaker().list_labeling_jobs(**filters)["LabelingJobSummaryList"]
    return [summary["LabelingJobName"] for summary in summaries]


def test_list_filters_sorts_and_pages() -> None:
    manifest = put_manifest("inputs/a.manifest", images(2))
    for name in ("Alpha-Job", "beta-job", "Gamma-Run"):
        create_job(name, manifest)
    sagemaker().stop_labeling_job(LabelingJobName="beta-job")
    created = describe("Alpha-Job")["CreationTime"]

    assert _names() == ["Alpha-Job", "beta-job", "Gamma-Run"]
    assert _names(NameContains="JOB") == ["Alpha-Job", "beta-job"]
    assert _names(StatusEquals="Stopping") == ["beta-job"]
    assert _names(SortBy="Name", SortOrder="Descending") == ["Gamma-Run", "beta-job", "Alpha-Job"]
    assert _names(CreationTimeBefore=created - dt.timedelta(seconds=1)) == []
    assert len(_names(CreationTimeAfter=created - dt.timedelta(seconds=1))) == 3
    assert _names(LastModifiedTimeAfter=created + dt.timedelta(days=1)) == []
    assert len(_names(LastModifiedTimeBefore=created + dt.timedelta(days=1))) == 3

    first = sagemaker().list_labeling_jobs(MaxResults=2, SortBy="Name")
    second = sagemaker().list_labeling_jobs(MaxResults=2, SortBy="Name", NextToken=first["NextToken"])
    assert [s["LabelingJobName"] for s in first["LabelingJobSummaryList"]] == ["Alpha-Job", "beta-job"]
    assert [s["LabelingJobName"] for s in second["LabelingJobSummaryList"]] == ["Gamma-Run"]
    assert "NextToken" not in second
    paged = sagemaker().get_paginator("list_labeling_jobs").paginate(PaginationConfig={"PageSize": 1})
    assert sum(len(page["LabelingJobSummaryList"]) for page in paged) == 3

    summary = sagemaker().list_labeling_jobs(NameContains="Gamma")["LabelingJobSummaryList"][0]
    assert summary["WorkteamArn"].endswith(":workteam/private-crowd/team")
    assert summary["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] == manifest


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"SortBy": "Size"}, "sortBy"),
        ({"StatusEquals": "Done"}, "statusEquals"),
        ({"MaxResults": 101}, "maxResults"),
    ],
)
def test_list_rejects_bad_filters(filters: dict[str, Any], field: str) -> None:
    error = error_of(unvalidated_sagemaker().list_labeling_jobs, **filters)

    assert error["Code"] == "ValidationException"
    assert f"'{field}'" in error["Message"]


def test_list_rejects_a_forged_token() -> None:
    error = error_of(sagemaker().list_labeling_jobs, NextToken="not-a-token")

    assert error["Code"] == "ValidationException"


def test_tags_of_labeling_jobs_can_be_listed_added_and_removed() -> None:
    arn = create_job(
        "Job-1", put_manifest("inputs/a.manifest", images(1)), Tags=[{"Key": "team", "Value": "a"}]
    )
    client = sagemaker()

    client.add_tags(
        ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "gtchain:root", "Value": "Job-1"}]
    )
    client.delete_tags(ResourceArn=arn, TagKeys=["gtchain:root"])

    assert client.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "b"}]
    assert describe("Job-1")["Tags"] == [{"Key": "team", "Value": "b"}]


def test_tags_of_an_unknown_labeling_job_are_a_validation_error() -> None:
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/missing"

    error = error_of(sagemaker().list_tags, ResourceArn=arn)

    assert error["Code"] == "ValidationException"
    assert arn in error["Message"]


def test_install_is_idempotent() -> None:
    list_tags = SageMakerResponse.list_tags

    install()

    assert SageMakerResponse.list_tags is list_tags
