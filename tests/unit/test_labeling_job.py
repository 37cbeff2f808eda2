"""One labeling job parsed from DescribeLabelingJob (domain.labeling_job), and the identifiers
it is made of (domain.aws_ids)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtchain_runtime.domain.aws_ids import (
    Arn,
    ArnError,
    S3UriError,
    job_name_from_arn,
    job_name_of,
    split_s3_uri,
)
from gtchain_runtime.domain.labeling_job import LabelCounters, LabelingJob, LabelingJobError
from tests.support.described import described, fixture_describe


def test_a_recorded_response_becomes_the_typed_job() -> None:
    job = LabelingJob.from_describe(fixture_describe("bounding_box_al"))
    assert job.name == "Streetscenes-Boxes"
    assert job.arn.service == "sagemaker" and job.arn.resource_type == "labeling-job"
    assert job.human_task.task_type == "PRE-BoundingBox"
    assert job.human_task.workers_per_object == 3
    assert job.human_task.price_per_object_usd == Decimal("0.036") * 3
    assert job.algorithm_arn is not None and job.algorithm_arn.endswith("object-detection")
    assert job.raw["LabelingJobName"] == job.name  # kept for the request builder


def test_the_price_per_object_is_the_task_price_times_the_workers() -> None:
    price = {"AmountInUsd": {"Dollars": 1, "Cents": 2, "TenthFractionsOfACent": 3}}
    job = described(
        HumanTaskConfig={"PublicWorkforceTaskPrice": price, "NumberOfHumanWorkersPerDataObject": 2}
    )
    assert job.human_task.task_price_usd == Decimal("1.023")
    assert job.human_task.price_per_object_usd == Decimal("2.046")
    # The API's minimum is one worker per object: an absent or zero count is read as one.
    alone = described(
        HumanTaskConfig={"PublicWorkforceTaskPrice": price, "NumberOfHumanWorkersPerDataObject": 0}
    )
    assert alone.human_task.price_per_object_usd == Decimal("1.023")
    assert described().human_task.price_per_object_usd is None


def test_inherited_is_total_minus_human_minus_machine() -> None:
    counters = LabelCounters(total_labeled=10, human_labeled=4, machine_labeled=3)
    assert counters.inherited == 3 and counters.adds_up
    short = LabelCounters(total_labeled=5, human_labeled=4, machine_labeled=3)
    assert short.inherited == 0 and not short.adds_up


def test_a_counter_that_is_not_a_number_is_refused_by_name() -> None:
    with pytest.raises(LabelingJobError, match="HumanLabeled is 'many'"):
        described(LabelCounters={"HumanLabeled": "many"})


def test_a_response_without_a_name_or_arn_is_refused() -> None:
    with pytest.raises(LabelingJobError, match="no LabelingJobName"):
        LabelingJob.from_describe({"LabelingJobArn": "arn:aws:sagemaker:r:1:labeling-job/j"})
    with pytest.raises(LabelingJobError, match="LabelingJobArn"):
        described(LabelingJobArn="labeling-job/j")


def test_output_manifest_prefers_what_describe_reports() -> None:
    output = {"OutputDatasetS3Uri": "s3://b/elsewhere/output.manifest"}
    job = described(
        LabelingJobName="J", OutputConfig={"S3OutputPath": "s3://b/jobs"}, LabelingJobOutput=output
    )
    assert job.output_manifest_uri == "s3://b/elsewhere/output.manifest"
    unfinished = described(LabelingJobName="J", OutputConfig={"S3OutputPath": "s3://b/jobs"})
    assert unfinished.output_manifest_uri == "s3://b/jobs/J/manifests/output/output.manifest"
    assert unfinished.output_prefix == "s3://b/jobs/J/"


def test_streaming_job_has_no_input_manifest() -> None:
    job = described(InputConfig={"DataSource": {"SnsDataSource": {"SnsTopicArn": "arn:aws:sns:r:1:t"}}})
    assert job.sns_input_topic_arn == "arn:aws:sns:r:1:t"
    with pytest.raises(ValueError, match="streaming job"):
        job.require_input_manifest()


def test_arn_parts() -> None:
    arn = Arn.parse("arn:aws:lambda:us-east-1:123456789012:function:PRE-BoundingBox")
    assert (arn.service, arn.region, arn.account) == ("lambda", "us-east-1", "123456789012")
    assert (arn.resource_type, arn.resource_name) == ("function", "PRE-BoundingBox")
    assert Arn.parse_or_none("not-an-arn") is None
    with pytest.raises(ArnError, match="is not an ARN"):
        Arn.parse("arn:aws:s3")


@given(st.from_regex(r"\Aarn:aws:[a-z]+:[a-z0-9-]*:\d{0,12}:[a-z-]+/[\w-]+\Z"))
def test_an_arn_reads_back_as_it_was_written(text: str) -> None:
    assert str(Arn.parse(text)) == text


def test_job_name_from_arn() -> None:
    arn = "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/streetscenes-job1"
    assert job_name_from_arn(arn) == "streetscenes-job1"
    assert job_name_of(arn) == "streetscenes-job1" and job_name_of("Streetscenes-Job1") == "Streetscenes-Job1"
    with pytest.raises(ValueError, match="not a labeling job ARN"):
        job_name_from_arn("arn:aws:sagemaker:us-east-1:123456789012:training-job/x")


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("b/k", "not an s3:// URI"),
        ("s3://B_ad/k", "not a valid bucket name"),
        ("s3://bucket", "no object key"),
    ],
)
def test_s3_uris_are_split_with_a_clear_error(uri: str, problem: str) -> None:
    assert split_s3_uri("s3://bucket/a/key") == ("bucket", "a/key")
    with pytest.raises(S3UriError, match=problem):
        split_s3_uri(uri)
