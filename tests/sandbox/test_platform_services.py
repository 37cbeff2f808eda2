"""EventBridge, Step Functions, CloudFormation and S3 patches, each against the running sandbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from gtchain.sandbox import Sandbox, SandboxError
from gtchain.sandbox.deploy import SynthesizedStack, verify_stack
from gtchain.sandbox.eventbridge.patches import iso_time, render_input_template, target_input
from gtchain.sandbox.s3.patches import policy_for_secure_requests
from gtchain.sandbox.stepfunctions.patches import aws_sdk_error_name, to_states_json
from tests.support.sandbox_calls import history_events, wait_for_execution, wait_until

# Mechanics of the platform with policy-less test roles: IAM enforcement has its own tests
# (test_iam_enforcement.py). The sandbox fixture reads this.
ENFORCE_IAM = False


RESOURCE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/job-1"
EVENT: dict[str, Any] = {
    "id": "e-1",
    "source": "aws.sagemaker",
    "detail-type": "SageMaker Ground Truth Labeling Job State Change",
    "time": "2024-05-01T12:00:00Z",
    "account": "123456789012",
    "region": "us-east-1",
    "resources": [RESOURCE_ARN],
    "detail": {"LabelingJobStatus": "Stopped", "Count": 3},
}
SFN_ROLE = "arn:aws:iam::123456789012:role/sandbox-test-sfn"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- EventBridge: pure input rendering ---------------------------------------------------------
def test_input_transformer_quotes_strings_outside_json_strings() -> None:
    rendered = render_input_template(
        '{"status": <status>, "arn": <arn>, "count": <count>, "missing": <missing>}',
        {
            "status": "$.detail.LabelingJobStatus",
            "arn": "$.resources[0]",
            "count": "$.detail.Count",
            "missing": "$.detail.Nope",
        },
        EVENT,
        "arn:aws:events:us-east-1:123456789012:rule/r",
    )
    assert json.loads(rendered) == {
        "status": "Stopped",
        "arn": RESOURCE_ARN,
        "count": 3,
        "missing": None,
    }


def test_input_transformer_inserts_text_inside_json_strings() -> None:
    rendered = render_input_template(
        '{"message": "job <arn> is \\"<status>\\"", "rule": "<aws.events.rule-name>"}',
        {"status": "$.detail.LabelingJobStatus", "arn": "$.resources[0]"},
        EVENT,
        "arn:aws:events:us-east-1:123456789012:rule/my-rule",
    )
    assert json.loads(rendered) == {"message": f'job {RESOURCE_ARN} is "Stopped"', "rule": "my-rule"}


def test_input_and_input_path_and_whole_event() -> None:
    rule_arn = "arn:aws:events:us-east-1:123456789012:rule/r"
    assert target_input({"Input": '{"fixed": 1}'}, EVENT, rule_arn) == '{"fixed": 1}'
    assert json.loads(target_input({"InputPath": "$.detail"}, EVENT, rule_arn)) == EVENT["detail"]
    assert json.loads(target_input({}, EVENT, rule_arn)) == EVENT
    assert (
        json.loads(
            target_input({"InputTransformer": {"InputTemplate": "<aws.events.event.json>"}}, EVENT, rule_arn)
        )
        == EVENT
    )


def test_event_time_is_iso_8601() -> None:
    assert iso_time(1714564800.25) == "2024-05-01T12:00:00Z"
    assert iso_time("2024-05-01T12:00:00Z") == "2024-05-01T12:00:00Z"


# -- EventBridge: delivery through the sandbox -------------------------------------------------
def _rule_with_target(sandbox: Sandbox, target: dict[str, Any], source: str) -> None:
    events = sandbox.client("events")
    rule = _unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "t", **target}])


def _put_event(sandbox: Sandbox, source: str, detail: dict[str, Any]) -> None:
    result = sandbox.client("events").put_events(
        Entries=[{"Source": source, "DetailType": "Test", "Detail": json.dumps(detail), "Resources": ["r-1"]}]
    )
    assert result["FailedEntryCount"] == 0


def _queue(sandbox: Sandbox) -> tuple[str, str]:
    sqs = sandbox.client("sqs")
    url = sqs.create_queue(QueueName=_unique("queue"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _receive(sandbox: Sandbox, url: str) -> list[dict[str, Any]]:
    response = sandbox.client("sqs").receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )
    return list(response.get("Messages", []))


def _pass_state_machine(sandbox: Sandbox) -> str:
    definition = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    response = sandbox.client("stepfunctions").create_state_machine(
        name=_unique("sm"), definition=json.dumps(definition), roleArn=SFN_ROLE
    )
    return str(response["stateMachineArn"])


def test_put_events_to_sqs_with_input_transformer_and_iso_time(sandbox: Sandbox) -> None:
    url, arn = _queue(sandbox)
    source = _unique("test.sqs")
    transformer = {
        "InputPathsMap": {"t": "$.time", "s": "$.source"},
        "InputTemplate": '{"time": <t>, "source": <s>}',
    }
    _rule_with_target(sandbox, {"Arn": arn, "InputTransformer": transformer}, source)
    _put_event(sandbox, source, {"a": 1})
    body = json.loads(_receive(sandbox, url)[0]["Body"])
    assert body["source"] == source
    assert body["time"].endswith("Z") and "T" in body["time"]


def test_a_scheduled_rule_runs_on_its_schedule_not_on_events(sandbox: Sandbox) -> None:
    # moto takes a rule without an event pattern as matching every event: the deployed hourly
    # sweep then ran on every event the sandbox put (three sweeps racing in the fault e2e).
    scheduled_url, scheduled_arn = _queue(sandbox)
    events = sandbox.client("events")
    scheduled = _unique("hourly")
    events.put_rule(Name=scheduled, ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule=scheduled, Targets=[{"Id": "q", "Arn": scheduled_arn}])
    matching_url, matching_arn = _queue(sandbox)
    source = _unique("test.schedule")
    _rule_with_target(sandbox, {"Arn": matching_arn}, source)
    _put_event(sandbox, source, {"a": 1})
    assert len(_receive(sandbox, matching_url)) == 1  # the event was delivered where it matches
    assert _receive(sandbox, scheduled_url) == []


def test_put_events_starts_a_named_execution_with_the_target_input(sandbox: Sandbox) -> None:
    state_machine = _pass_state_machine(sandbox)
    source = _unique("test.sfn")
    _rule_with_target(sandbox, {"Arn": state_machine, "InputPath": "$.detail"}, source)
    _put_event(sandbox, source, {"LabelingJobStatus": "Stopped"})
    stepfunctions = sandbox.client("stepfunctions")
    executions = wait_until(
        lambda: stepfunctions.list_executions(stateMachineArn=state_machine)["executions"],
        what="an execution",
    )
    execution = wait_for_execution(sandbox, executions[0]["executionArn"])
    assert execution["status"] == "SUCCEEDED"
    assert str(uuid.UUID(execution["name"])) == execution["name"]
    assert json.loads(execution["input"]) == {"LabelingJobStatus": "Stopped"}


def test_put_events_invokes_a_lambda_target(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    bucket = _unique("from-event")
    sandbox.client("s3").create_bucket(Bucket=bucket)
    code = (
        "import boto3, json, os\n"
        "def handler(event, context):\n"
        "    body = json.dumps(event)\n"
        "    boto3.client('s3').put_object(Bucket=os.environ['B'], Key='event.json', Body=body)\n"
    )
    function = make_function({"app.py": code}, "app.handler", {"B": bucket})
    source = _unique("test.lambda")
    _rule_with_target(sandbox, {"Arn": function}, source)
    _put_event(sandbox, source, {"hello": "world"})
    s3 = sandbox.client("s3")
    wait_until(lambda: s3.list_objects_v2(Bucket=bucket).get("KeyCount"), what="the function's object")
    delivered = json.loads(s3.get_object(Bucket=bucket, Key="event.json")["Body"].read())
    assert delivered["detail"] == {"hello": "world"}
    assert delivered["source"] == source


def test_undeliverable_event_goes_to_the_dead_letter_queue(sandbox: Sandbox) -> None:
    url, dlq_arn = _queue(sandbox)
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:does-not-exist"
    source = _unique("test.dlq")
    _rule_with_target(sandbox, {"Arn": missing, "DeadLetterConfig": {"Arn": dlq_arn}}, source)
    _put_event(sandbox, source, {"lost": True})
    (message,) = _receive(sandbox, url)
    assert json.loads(message["Body"])["detail"] == {"lost": True}
    assert message["MessageAttributes"]["TARGET_ARN"]["StringValue"] == missing
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"]


def test_test_event_pattern_answers_result(sandbox: Sandbox) -> None:
    events = sandbox.client("events")
    pattern = json.dumps(
        {"source": ["aws.sagemaker"], "detail": {"LabelingJobStatus": ["Stopped", "Failed"]}}
    )
    assert events.test_event_pattern(EventPattern=pattern, Event=json.dumps(EVENT))["Result"] is True
    other = {**EVENT, "detail": {"LabelingJobStatus": "InProgress"}}
    assert events.test_event_pattern(EventPattern=pattern, Event=json.dumps(other))["Result"] is False
    with pytest.raises(ClientError, match="Event is not valid"):
        events.test_event_pattern(EventPattern=pattern, Event=json.dumps({"source": "x"}))


# -- Step Functions ----------------------------------------------------------------------------
def test_aws_sdk_error_names_and_timestamps() -> None:
    class NoSuchKey(ClientError):  # noqa: N818 - botocore's modelled class name
        pass

    error = NoSuchKey({"Error": {"Code": "NoSuchKey", "Message": "gone"}}, "GetObject")
    assert aws_sdk_error_name("s3", error) == "S3.NoSuchKeyException"
    generic = ClientError({"Error": {"Code": "ResourceNotFound", "Message": "?"}}, "DescribeLabelingJob")
    assert aws_sdk_error_name("sagemaker", generic) == "SageMaker.ResourceNotFoundException"
    from datetime import UTC, datetime

    assert to_states_json({"t": [datetime(2024, 5, 1, tzinfo=UTC)]}) == {"t": ["2024-05-01T00:00:00.000Z"]}


def _run(sandbox: Sandbox, definition: dict[str, Any], execution_input: dict[str, Any]) -> dict[str, Any]:
    stepfunctions = sandbox.client("stepfunctions")
    arn = stepfunctions.create_state_machine(
        name=_unique("sm"), definition=json.dumps(definition), roleArn=SFN_ROLE
    )["stateMachineArn"]
    started = stepfunctions.start_execution(stateMachineArn=arn, input=json.dumps(execution_input))
    return wait_for_execution(sandbox, started["executionArn"])


def test_aws_sdk_task_timestamps_and_catch_by_aws_error_name(sandbox: Sandbox) -> None:
    bucket = _unique("sdk")
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="present", Body=b"x")
    definition = {
        "StartAt": "Head",
        "States": {
            "Head": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
                "Parameters": {"Bucket": bucket, "Key": "present"},
                "ResultPath": "$.head",
                "Next": "Get missing",
            },
            "Get missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": bucket, "Key": "absent"},
                "Catch": [
                    {"ErrorEquals": ["S3.NoSuchKeyException"], "ResultPath": "$.error", "Next": "Caught"}
                ],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    execution = _run(sandbox, definition, {})
    assert execution["status"] == "SUCCEEDED"
    output = json.loads(execution["output"])
    assert output["error"]["Error"] == "S3.NoSuchKeyException"
    assert output["head"]["LastModified"].endswith("Z")


def test_lambda_error_type_drives_retry_and_catch(
    sandbox: Sandbox, make_function: Callable[..., str]
) -> None:
    code = (
        "class LabelingError(Exception):\n    pass\n"
        "def handler(event, context):\n    raise LabelingError('no')\n"
    )
    function = make_function({"app.py": code}, "app.handler")
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function, "Payload.$": "$"},
                "Retry": [{"ErrorEquals": ["LabelingError"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    execution = _run(sandbox, definition, {"x": 1})
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["error"]["Error"] == "LabelingError"
    failures = [e for e in history_events(sandbox, execution["executionArn"]) if e["type"] == "TaskFailed"]
    assert len(failures) == 2  # the first attempt and its retry


def test_start_execution_without_a_name_gets_one(sandbox: Sandbox) -> None:
    started = sandbox.client("stepfunctions").start_execution(stateMachineArn=_pass_state_machine(sandbox))
    name = started["executionArn"].rsplit(":", 1)[-1]
    assert str(uuid.UUID(name)) == name


# -- CloudFormation ----------------------------------------------------------------------------
TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Version": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/sandbox-test/version"}
    },
    "Resources": {
        "Machine": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "DefinitionString": json.dumps(
                    {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
                ),
                "RoleArn": SFN_ROLE,
            },
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "QueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": {"Statement": []}},
        },
    },
    "Outputs": {"MachineArn": {"Value": {"Ref": "Machine"}}, "Version": {"Value": {"Ref": "Version"}}},
}


def _change_set(sandbox: Sandbox, stack: str, kind: str, template: dict[str, Any], previous: bool) -> None:
    cloudformation = sandbox.client("cloudformation")
    parameter = (
        {"ParameterKey": "Version", "UsePreviousValue": True}
        if previous
        else {"ParameterKey": "Version", "ParameterValue": "/sandbox-test/version"}
    )
    change_set = cloudformation.create_change_set(
        StackName=stack,
        ChangeSetName="cs",
        ChangeSetType=kind,
        TemplateBody=json.dumps(template),
        Parameters=[parameter],
    )
    cloudformation.execute_change_set(ChangeSetName=change_set["Id"])


def test_change_sets_create_and_update_with_outputs(sandbox: Sandbox) -> None:
    sandbox.client("ssm").put_parameter(
        Name="/sandbox-test/version", Value="21", Type="String", Overwrite=True
    )
    cloudformation = sandbox.client("cloudformation")
    stack = _unique("Stack")
    _change_set(sandbox, stack, "CREATE", TEMPLATE, previous=False)
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    }
    assert outputs["Version"] == "21"
    # Created through CloudFormation, the state machine runs.
    started = sandbox.client("stepfunctions").start_execution(
        stateMachineArn=outputs["MachineArn"], input="{}"
    )
    assert wait_for_execution(sandbox, started["executionArn"])["status"] == "SUCCEEDED"

    updated = json.loads(json.dumps(TEMPLATE))
    updated["Resources"]["Other"] = {"Type": "AWS::SQS::Queue"}
    updated["Outputs"]["Other"] = {"Value": {"Ref": "Other"}}
    _change_set(sandbox, stack, "UPDATE", updated, previous=True)
    description = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    assert description["StackStatus"] == "UPDATE_COMPLETE"
    assert {o["OutputKey"] for o in description["Outputs"]} == {"MachineArn", "Version", "Other"}


def test_each_stack_executes_its_own_change_set_of_a_shared_name(sandbox: Sandbox) -> None:
    # The CDK CLI names every change set cdk-deploy-change-set and executes it by name and stack.
    cloudformation = sandbox.client("cloudformation")
    stacks = [_unique("First"), _unique("Second")]
    template = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})
    for stack in stacks:
        cloudformation.create_change_set(
            StackName=stack,
            ChangeSetName="cdk-deploy-change-set",
            ChangeSetType="CREATE",
            TemplateBody=template,
        )
    for stack in stacks:
        cloudformation.execute_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack)
        assert (
            cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        )


def test_unknown_change_set_is_change_set_not_found(sandbox: Sandbox) -> None:
    cloudformation = sandbox.client("cloudformation")
    for call in (cloudformation.describe_change_set, cloudformation.delete_change_set):
        with pytest.raises(ClientError) as raised:
            call(ChangeSetName="nope", StackName="nope")
        assert raised.value.response["Error"]["Code"] == "ChangeSetNotFound"


def test_resources_the_sandbox_did_not_create_are_reported(sandbox: Sandbox) -> None:
    cloudformation = sandbox.client("cloudformation")
    stack = _unique("Skips")
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "TableV2": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "Properties": {
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "Replicas": [{"Region": "us-east-1"}],
                    "BillingMode": "PAY_PER_REQUEST",
                },
            },
        }
    }
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    with pytest.raises(
        SandboxError, match=r"did not create 1 resource\(s\): TableV2 \(AWS::DynamoDB::GlobalTable\)"
    ):
        verify_stack(cloudformation, SynthesizedStack(stack, template))


# -- S3 ----------------------------------------------------------------------------------------
def test_tls_only_bucket_policy_does_not_deny_the_sandbox(sandbox: Sandbox) -> None:
    bucket = _unique("tls-only")
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=bucket)
    deny_insecure = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny_insecure]})
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert policy_for_secure_requests({"Statement": [deny_insecure]})["Statement"] == []
    deny_all = {k: v for k, v in deny_insecure.items() if k != "Condition"}
    assert policy_for_secure_requests({"Statement": [deny_all]})["Statement"] == [deny_all]
