"""Shared builders for the labeling-emulation tests (no tests here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws

from gtchain.sandbox.groundtruth import install, workforce

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "gtchain-labeling-tests"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/GroundTruthRole"
WORKTEAM_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/team"
PRE_LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:PRE-ImageMultiClass"
ACS_LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:ACS-ImageMultiClass"
ALGORITHM_ARN = (
    "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/image-classification"
)


@contextmanager
def labeling_aws() -> Iterator[None]:
    """moto with labeling jobs installed, a bucket, and a workforce without knobs."""
    install()
    workforce().reset()
    _clients.clear()
    with mock_aws():
        s3().create_bucket(Bucket=BUCKET)
        yield
    _clients.clear()
    workforce().reset()


# One session for the whole tier keeps botocore's loaded models (a fresh default session costs
# about 0.1 s per client); clients are still made per test, inside the test's mock.
_SESSION = boto3.Session(region_name=REGION)
_clients: dict[str, Any] = {}


def client(service: str, **kwargs: Any) -> Any:
    if kwargs:
        return _SESSION.client(service, **kwargs)
    if service not in _clients:
        _clients[service] = _SESSION.client(service)
    return _clients[service]


def sagemaker() -> Any:
    return client("sagemaker")


def s3() -> Any:
    return client("s3")


def put_manifest(key: str, records: list[dict[str, Any]]) -> str:
    s3().put_object(Bucket=BUCKET, Key=key, Body="".join(json.dumps(r) + "\n" for r in records))
    return f"s3://{BUCKET}/{key}"


def images(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"source-ref": f"s3://{BUCKET}/datasets/SSDB{index:05d}.JPG"} for index in range(start, start + count)
    ]


def read_manifest(uri: str) -> list[dict[str, Any]]:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body = s3().get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


def keys_under(prefix: str) -> list[str]:
    pages = s3().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def job_request(name: str, manifest_uri: str, **overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "LabelingJobName": name,
        "LabelAttributeName": name,
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": manifest_uri}}},
        "OutputConfig": {"S3OutputPath": f"s3://{BUCKET}/jobs/"},
        "RoleArn": ROLE_ARN,
        "HumanTaskConfig": {
            "WorkteamArn": WORKTEAM_ARN,
            "UiConfig": {"UiTemplateS3Uri": f"s3://{BUCKET}/template.liquid"},
            "PreHumanTaskLambdaArn": PRE_LAMBDA,
            "TaskTitle": "Street scenes",
            "TaskDescription": "Classify the main object of the picture",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": ACS_LAMBDA},
        },
    }
    request.update(overrides)
    return request


def create_job(name: str, manifest_uri: str, **overrides: Any) -> str:
    arn: str = sagemaker().create_labeling_job(**job_request(name, manifest_uri, **overrides))[
        "LabelingJobArn"
    ]
    return arn


def describe(name: str) -> dict[str, Any]:
    response: dict[str, Any] = sagemaker().describe_labeling_job(LabelingJobName=name)
    response.pop("ResponseMetadata", None)
    return response


def event_queue() -> str:
    """An SQS queue that receives every Ground Truth state-change event (moto delivers to SQS)."""
    sqs = client("sqs")
    queue_url: str = sqs.create_queue(QueueName="labeling-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = client("events")
    events.put_rule(
        Name="labeling-jobs",
        EventPattern=json.dumps(
            {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Ground Truth Labeling Job State Change"]}
        ),
    )
    events.put_targets(Rule="labeling-jobs", Targets=[{"Id": "queue", "Arn": queue_arn}])
    return queue_url


def received_events(queue_url: str) -> list[dict[str, Any]]:
    messages = client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]
