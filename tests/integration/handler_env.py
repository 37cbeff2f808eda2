"""A project's AWS resources in moto, with the sandbox's labeling-job emulation, for handler tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from gtchain_runtime.domain.service_model import input_shape, prune_to_shape
from gtchain_runtime.settings import get_settings
from moto import mock_aws

REGION = "us-east-1"
BUCKET = "gtchain-streetscenes-data"
TABLE = "gtchain-streetscenes-ledger"
ROLE = "arn:aws:iam::123456789012:role/GroundTruthLabelingRole"
KEY_ATTRIBUTES = ("job_name", "record", "root", "recorded_at")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "describe"


class FakeContext:
    function_name = "gtchain-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:gtchain-test"
    aws_request_id = "req-1"


@dataclass
class ProjectAws:
    s3: Any
    sagemaker: Any
    sqs: Any
    queue_url: str
    dynamodb: Any

    def notifications(self) -> list[dict[str, Any]]:
        messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        return [json.loads(m["Body"]) for m in messages]

    def put_manifest(self, key: str, lines: list[dict[str, Any]]) -> str:
        body = "".join(json.dumps(line) + "\n" for line in lines)
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
        return f"s3://{BUCKET}/{key}"

    def create_root_job(self, name: str, objects: int, fixture: str = "image_classification_non_al") -> None:
        describe = json.loads((FIXTURES / f"{fixture}.json").read_text())
        manifest = self.put_manifest(
            f"inputs/{name}/dataset.manifest",
            [{"source-ref": f"s3://{BUCKET}/inputs/{name}/img{i:05d}.jpg"} for i in range(objects)],
        )
        self.s3.put_object(
            Bucket=BUCKET,
            Key=f"inputs/{name}/label-categories.json",
            Body=json.dumps(
                {"document-version": "2018-11-28", "labels": [{"label": "vehicle"}, {"label": "pedestrian"}]}
            ),
        )
        request = prune_to_shape(describe, input_shape("CreateLabelingJob"))
        request["LabelingJobName"] = name
        request["LabelAttributeName"] = name
        request["InputConfig"]["DataSource"] = {"S3DataSource": {"ManifestS3Uri": manifest}}
        request["LabelCategoryConfigS3Uri"] = f"s3://{BUCKET}/inputs/{name}/label-categories.json"
        request["OutputConfig"] = {"S3OutputPath": f"s3://{BUCKET}/jobs/"}
        request["Tags"] = [t for t in request["Tags"] if not t["Key"].startswith("aws:")]
        self.sagemaker.create_labeling_job(**request)


@pytest.fixture
def project_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProjectAws]:
    labeling = pytest.importorskip("gtchain_sandbox.labeling")
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "gtchain",
        "POWERTOOLS_METRICS_NAMESPACE": "GtChain",
        "PROJECT_NAME": "streetscenes",
        "JOB_NAME_PREFIX": "Streetscenes",
        "BUCKET_NAME": BUCKET,
        "LEDGER_TABLE_NAME": TABLE,
        "LABELING_ROLE_ARN": ROLE,
        "RESUME_STOPPED": "true",
        "MAX_DEPTH": "5",
        "CHAINED_LABELING_MODE": "inherit",
        "ALGORITHM_SPECIFICATION_ARN": "",
        # moto's account: every S3 call of the handlers carries ExpectedBucketOwner.
        "BUCKET_OWNER_ACCOUNT": "123456789012",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        labeling.install()
        labeling.workforce().reset()
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"}
                for n in ("job_name", "record", "root", "recorded_at")
            ],
            KeySchema=[
                {"AttributeName": "job_name", "KeyType": "HASH"},
                {"AttributeName": "record", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-root",
                    "KeySchema": [
                        {"AttributeName": "root", "KeyType": "HASH"},
                        {"AttributeName": "recorded_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        sns = boto3.client("sns", region_name=REGION)
        topic_arn = sns.create_topic(Name="gtchain-streetscenes")["TopicArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        monkeypatch.setenv("TOPIC_ARN", topic_arn)
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = sfn.create_state_machine(
            name="resume-labeling-job",
            definition=json.dumps({"StartAt": "Wait", "States": {"Wait": {"Type": "Pass", "End": True}}}),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )
        monkeypatch.setenv("STATE_MACHINE_ARN", machine["stateMachineArn"])

        from gtchain_runtime.handlers.observability import chain_context

        get_settings.cache_clear()
        chain_context.cache_clear()
        yield ProjectAws(
            s3=s3,
            sagemaker=boto3.client("sagemaker", region_name=REGION),
            sqs=sqs,
            queue_url=queue_url,
            dynamodb=dynamodb,
        )
        labeling.workforce().reset()
        get_settings.cache_clear()
        chain_context.cache_clear()


def state_change_event(job_arn: str, status: str, event_id: str = "event-1") -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "SageMaker Ground Truth Labeling Job State Change",
        "source": "aws.sagemaker",
        "account": "123456789012",
        "time": "2024-04-10T01:37:07Z",
        "region": REGION,
        "resources": [job_arn],
        "detail": {"LabelingJobStatus": status},
    }
