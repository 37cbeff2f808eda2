"""The moto-backed `project_aws` fixture: a project's AWS resources in moto (in-process
`mock_aws`) with the sandbox's labeling-job emulation, for the integration tier and the infra
tier's derived-grants test (each registers it in its conftest)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from gtchain.sandbox import groundtruth
from gtchain_runtime.settings import get_settings
from tests.support.handler_env import BUCKET, REGION, ROLE, TABLE, ProjectAws


@pytest.fixture
def project_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProjectAws]:
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
        # The describe fixtures (and the seed's example) label on the public crowd: this test
        # project opts in explicitly; tests of the workforce guard rail switch it off.
        "ALLOW_EXTERNAL_WORKFORCE": "true",
        # moto's account: every S3 call of the handlers carries ExpectedBucketOwner.
        "BUCKET_OWNER_ACCOUNT": "123456789012",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        groundtruth.install()
        groundtruth.workforce().reset()
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
            # Executions wait (in a daemon thread of moto's interpreter) until a test stops them:
            # one that ended by itself would look like a run that decided the job.
            definition=json.dumps(
                {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}}
            ),
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
        groundtruth.workforce().reset()
        get_settings.cache_clear()
        chain_context.cache_clear()
