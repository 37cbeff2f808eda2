"""IAM enforcement through the server: role sessions are evaluated, answers have AWS's shapes,
and the Lambda runtime, the Step Functions executor and EventBridge call as their roles."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from gtchain.sandbox import Sandbox, iam
from gtchain.sandbox.iam import credentials_for
from tests.support.sandbox_calls import invoke, wait_for_execution, wait_until

ACCOUNT = "123456789012"
REGION = "us-east-1"
ACS_LAMBDA = f"arn:aws:lambda:{REGION}:432418664414:function:ACS-ImageMultiClass"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def make_role(sandbox: Sandbox) -> Callable[..., str]:
    client = sandbox.client("iam")

    def make(*statements: dict[str, Any], service: str = "lambda.amazonaws.com") -> str:
        name = f"iam-test-{uuid.uuid4().hex[:10]}"
        trust = {
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
        }
        arn = str(
            client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        )
        if statements:
            client.put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=_policy(*statements))
        return arn

    return make


def _as(sandbox: Sandbox, role_arn: str, service: str) -> Any:
    credentials = credentials_for(role_arn, "test-session")
    return boto3.client(
        service,
        endpoint_url=sandbox.endpoint,
        region_name=REGION,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
    )


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call()
    return {
        "status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
        **raised.value.response["Error"],
    }


@pytest.fixture
def bucket(sandbox: Sandbox) -> str:
    name = f"iam-{uuid.uuid4().hex[:12]}"
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=name)
    for key in ("inputs/a.manifest", "jobs/a.manifest"):
        s3.put_object(Bucket=name, Key=key, Body=b"{}\n")
    return name


@pytest.fixture
def enforcement_off() -> Iterator[None]:
    iam.enable(False)
    try:
        yield
    finally:
        iam.enable(True)


def test_enforcement_is_on_by_default(sandbox: Sandbox) -> None:
    assert sandbox.enforce_iam and iam.enabled()


def test_s3_calls_are_evaluated_with_object_arns_and_the_prefix(
    sandbox: Sandbox, make_role: Callable[..., str], bucket: str
) -> None:
    role = make_role(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/inputs/*"},
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": ["inputs/*"]}},
        },
    )
    s3 = _as(sandbox, role, "s3")
    assert s3.get_object(Bucket=bucket, Key="inputs/a.manifest")["Body"].read() == b"{}\n"
    assert s3.list_objects_v2(Bucket=bucket, Prefix="inputs/")["KeyCount"] == 1

    denied = _error(lambda: s3.get_object(Bucket=bucket, Key="jobs/a.manifest"))
    assert (denied["status"], denied["Code"]) == (403, "AccessDenied")
    assert "assumed-role/" in denied["Message"]
    assert f'on resource: "arn:aws:s3:::{bucket}/jobs/a.manifest"' in denied["Message"]
    assert _error(lambda: s3.head_object(Bucket=bucket, Key="jobs/a.manifest"))["Code"] == "403"
    assert _error(lambda: s3.list_objects_v2(Bucket=bucket, Prefix="jobs/"))["Code"] == "AccessDenied"
    assert _error(lambda: s3.put_object(Bucket=bucket, Key="inputs/b", Body=b"x"))["Code"] == "AccessDenied"


def test_json_services_answer_access_denied_exception_like_aws(
    sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    role = make_role()
    denied = _error(lambda: _as(sandbox, role, "sagemaker").describe_labeling_job(LabelingJobName="Some-Job"))
    assert denied["Code"] == "AccessDeniedException"
    role_name = role.rsplit("/", 1)[-1]
    assert denied["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/test-session is not authorized to perform: "
        "sagemaker:DescribeLabelingJob on resource: "
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/some-job "
        "because no identity-based policy allows the sagemaker:DescribeLabelingJob action"
    )
    dynamodb = _as(sandbox, role, "dynamodb")
    assert (
        _error(lambda: dynamodb.get_item(TableName="t", Key={"k": {"S": "v"}}))["Code"]
        == "AccessDeniedException"
    )
    invoke_denied = _error(lambda: _as(sandbox, role, "lambda").invoke(FunctionName="f"))
    assert (invoke_denied["status"], invoke_denied["Code"]) == (403, "AccessDeniedException")


def test_an_explicit_deny_wins_and_says_so(sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    role = make_role(
        {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sagemaker:DescribeLabelingJob", "Resource": "*"},
    )
    denied = _error(lambda: _as(sandbox, role, "sagemaker").describe_labeling_job(LabelingJobName="j"))
    assert "with an explicit deny in an identity-based policy" in denied["Message"]


def test_create_labeling_job_needs_pass_role_to_sagemaker(
    sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    jobs = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/*"
    role = make_role(
        {"Effect": "Allow", "Action": ["sagemaker:CreateLabelingJob", "sagemaker:AddTags"], "Resource": jobs}
    )
    request = {
        "LabelingJobName": "Pass-Role-Test",
        "LabelAttributeName": "label",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/inputs/m"}}},
        "OutputConfig": {"S3OutputPath": "s3://b/jobs/"},
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/labeling",
        "HumanTaskConfig": {
            "WorkteamArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/team",
            "UiConfig": {"UiTemplateS3Uri": "s3://b/t.liquid"},
            "PreHumanTaskLambdaArn": f"arn:aws:lambda:{REGION}:432418664414:function:PRE-ImageMultiClass",
            "TaskTitle": "t",
            "TaskDescription": "d",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": ACS_LAMBDA},
        },
    }
    denied = _error(lambda: _as(sandbox, role, "sagemaker").create_labeling_job(**request))
    assert denied["Code"] == "AccessDeniedException"
    assert f"iam:PassRole on resource: arn:aws:iam::{ACCOUNT}:role/labeling" in denied["Message"]


def test_publishing_to_an_encrypted_topic_needs_the_key(
    sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    key_arn = sandbox.client("kms").create_key()["KeyMetadata"]["Arn"]
    topic = sandbox.client("sns").create_topic(
        Name=f"t-{uuid.uuid4().hex[:8]}", Attributes={"KmsMasterKeyId": key_arn}
    )
    topic_arn = topic["TopicArn"]
    publish_only = make_role({"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn})
    denied = _error(lambda: _as(sandbox, publish_only, "sns").publish(TopicArn=topic_arn, Message="m"))
    assert denied["Code"] == "KMSAccessDenied"
    assert "kms:GenerateDataKey" in denied["Message"]
    with_key = make_role(
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": key_arn},
    )
    assert _as(sandbox, with_key, "sns").publish(TopicArn=topic_arn, Message="m")["MessageId"]
    no_publish = make_role()
    assert _error(lambda: _as(sandbox, no_publish, "sns").publish(TopicArn=topic_arn, Message="m"))[
        "Code"
    ] == ("AuthorizationError")


def test_operations_missing_from_the_map_are_refused_by_name(
    sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    role = make_role({"Effect": "Allow", "Action": "*", "Resource": "*"})
    denied = _error(lambda: _as(sandbox, role, "sqs").list_queues())
    assert "sqs:ListQueues is not in the IAM request map" in denied["Message"]


def test_other_credentials_and_enforcement_off_are_not_evaluated(
    sandbox: Sandbox, make_role: Callable[..., str], bucket: str, enforcement_off: None
) -> None:
    role = make_role()
    assert _as(sandbox, role, "s3").get_object(Bucket=bucket, Key="jobs/a.manifest")["Body"].read() == b"{}\n"
    assert sandbox.client("s3").get_object(Bucket=bucket, Key="jobs/a.manifest")


LAMBDA_CODE = (
    "import boto3, os\n"
    "def handler(event, context):\n"
    "    boto3.client('s3').put_object(Bucket=os.environ['B'], Key=event['key'], Body=b'x')\n"
    "    return 'ok'\n"
)


def test_a_lambda_calls_as_its_execution_role(
    sandbox: Sandbox, make_role: Callable[..., str], bucket: str
) -> None:
    role = make_role(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/chains/*"}
    )
    name = f"iam-fn-{uuid.uuid4().hex[:8]}"
    sandbox.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="fn.handler",
        Code={"ZipFile": _zip({"fn.py": LAMBDA_CODE})},
        Environment={"Variables": {"B": bucket}},
        Timeout=60,
    )
    assert invoke(sandbox, name, {"key": "chains/x"}) == (None, "ok")
    error, payload = invoke(sandbox, name, {"key": "inputs/x"})
    assert error == "Unhandled"
    assert "AccessDenied" in payload["errorMessage"]
    assert f"assumed-role/{role.rsplit('/', 1)[-1]}/{name}" in payload["errorMessage"]


def _zip(files: dict[str, str]) -> bytes:
    from tests.support.sandbox_calls import zip_files

    return zip_files(files)


def test_the_state_machine_invokes_lambdas_as_its_role(
    sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    function_role = make_role()
    name = f"iam-sfn-fn-{uuid.uuid4().hex[:8]}"
    function_arn = sandbox.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=function_role,
        Handler="fn.handler",
        Code={"ZipFile": _zip({"fn.py": "def handler(event, context):\n    return {'ran': True}\n"})},
        Timeout=60,
    )["FunctionArn"]
    definition = json.dumps(
        {"StartAt": "Run", "States": {"Run": {"Type": "Task", "Resource": function_arn, "End": True}}}
    )
    stepfunctions = sandbox.client("stepfunctions")

    def run(role: str) -> dict[str, Any]:
        machine = stepfunctions.create_state_machine(
            name=f"iam-sm-{uuid.uuid4().hex[:8]}", definition=definition, roleArn=role
        )["stateMachineArn"]
        started = stepfunctions.start_execution(stateMachineArn=machine)
        return wait_for_execution(sandbox, started["executionArn"])

    allowed = make_role(
        {
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": [function_arn, f"{function_arn}:*"],
        },
        service="states.amazonaws.com",
    )
    assert run(allowed)["status"] == "SUCCEEDED"
    denied = run(make_role(service="states.amazonaws.com"))
    assert denied["status"] == "FAILED"
    assert "lambda:InvokeFunction" in denied.get("cause", ""), denied


def test_event_rules_start_executions_as_the_targets_role(
    sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    stepfunctions = sandbox.client("stepfunctions")
    machine = stepfunctions.create_state_machine(
        name=f"iam-pass-{uuid.uuid4().hex[:8]}",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn=make_role(service="states.amazonaws.com"),
    )["stateMachineArn"]
    sqs = sandbox.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"iam-dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = sandbox.client("events")
    source = f"iam.test.{uuid.uuid4().hex[:8]}"
    rule = f"iam-rule-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=rule,
        Targets=[
            {
                "Id": "machine",
                "Arn": machine,
                "RoleArn": make_role(service="events.amazonaws.com"),  # no states:StartExecution
                "DeadLetterConfig": {"Arn": queue_arn},
            }
        ],
    )
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])

    def dead_letter() -> Any:
        messages = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"]).get("Messages")
        return messages[0] if messages else None

    message = wait_until(dead_letter, what="the undelivered event in the DLQ")
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"
    assert "states:StartExecution" in message["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"]
    assert stepfunctions.list_executions(stateMachineArn=machine)["executions"] == []
