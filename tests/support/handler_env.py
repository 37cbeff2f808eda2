"""A project's AWS resources in moto, for handler tests: names and helpers.

The `project_aws` fixture (tests/support/project_aws.py) creates them, with the sandbox's
labeling-job emulation.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime.domain.service_model import input_shape, prune_to_shape
from tests.support.paths import DESCRIBE_FIXTURES

REGION = "us-east-1"
BUCKET = "gtchain-streetscenes-data"
TABLE = "gtchain-streetscenes-ledger"
ROLE = "arn:aws:iam::123456789012:role/GroundTruthLabelingRole"
KEY_ATTRIBUTES = ("job_name", "record", "root", "recorded_at")
FIXTURES = DESCRIBE_FIXTURES


class FakeContext(LambdaContext):
    """The Lambda context fields the handlers and Powertools read."""

    def __init__(self) -> None:
        self._function_name = "gtchain-test"
        self._memory_limit_in_mb = 512
        self._invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:gtchain-test"
        self._aws_request_id = "req-1"


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


def state_machine_arn_of_the_project() -> str:
    """The state machine `project_aws` created (the sweep's settings name it)."""
    from gtchain_runtime.handlers.observability import chain_context

    arn = chain_context().settings.state_machine_arn
    assert arn, "STATE_MACHINE_ARN is not set: use the project_aws fixture"
    return arn


def stop_running_executions(state_machine_arn: str) -> None:
    """Stop the state machine's running executions as a person would, and wait until they ended:
    moto's interpreter ends a stopped execution in its own thread, and until it has, a start with
    the same name and input is answered with the running execution (idempotent)."""
    stepfunctions = boto3.client("stepfunctions", region_name=REGION)
    for execution in stepfunctions.list_executions(stateMachineArn=state_machine_arn)["executions"]:
        if execution["status"] == "RUNNING":
            stepfunctions.stop_execution(
                executionArn=execution["executionArn"], error="Operator", cause="stopped"
            )
    for _ in range(200):
        executions = stepfunctions.list_executions(stateMachineArn=state_machine_arn)["executions"]
        if all(execution["status"] != "RUNNING" for execution in executions):
            return
        time.sleep(0.05)
    raise AssertionError("a stopped execution is still RUNNING after 10 s")
