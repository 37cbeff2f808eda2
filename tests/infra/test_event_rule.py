"""The EventBridge rule that starts executions, and the hourly sweep."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.infra.conftest import Synthesized, resources_of


def _rules(template: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    rules = list(resources_of(template, "AWS::Events::Rule").values())
    assert len(rules) == 2
    pattern_rules = [r["Properties"] for r in rules if "EventPattern" in r["Properties"]]
    schedule_rules = [r["Properties"] for r in rules if "ScheduleExpression" in r["Properties"]]
    assert len(pattern_rules) == 1 and len(schedule_rules) == 1
    return pattern_rules[0], schedule_rules[0]


def test_event_pattern_content(synthesized: Synthesized) -> None:
    job_rule, _ = _rules(synthesized.templates["streetscenes"])
    assert job_rule["EventPattern"] == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Ground Truth Labeling Job State Change"],
        "detail": {"LabelingJobStatus": ["Completed", "Failed", "Stopped"]},
        "resources": [
            {
                # Lower-cased: SageMaker lower-cases job names inside ARNs.
                "prefix": {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            ":sagemaker:",
                            {"Ref": "AWS::Region"},
                            ":",
                            {"Ref": "AWS::AccountId"},
                            ":labeling-job/streetscenes",
                        ],
                    ]
                }
            }
        ],
    }


def test_event_pattern_uses_the_stack_environment(synthesized: Synthesized) -> None:
    job_rule, _ = _rules(synthesized.templates["pedestrians"])
    assert job_rule["EventPattern"]["resources"] == [
        {"prefix": "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/pedcount"}
    ]


def test_rule_targets_the_state_machine_with_dlq_and_retry(synthesized: Synthesized) -> None:
    template = synthesized.templates["streetscenes"]
    job_rule, _ = _rules(template)
    (target,) = job_rule["Targets"]
    machine_id = next(iter(resources_of(template, "AWS::StepFunctions::StateMachine")))
    queue_id = next(iter(resources_of(template, "AWS::SQS::Queue")))
    assert target["Arn"] == {"Ref": machine_id}
    assert "Input" not in target and "InputPath" not in target and "InputTransformer" not in target
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 3
    assert 3600 <= target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 86400


def test_hourly_sweep_invokes_the_sweep_function(synthesized: Synthesized) -> None:
    template = synthesized.templates["streetscenes"]
    _, sweep_rule = _rules(template)
    assert sweep_rule["ScheduleExpression"] == "rate(1 hour)"
    (target,) = sweep_rule["Targets"]
    function_id = target["Arn"]["Fn::GetAtt"][0]
    assert template["Resources"][function_id]["Properties"]["Handler"] == (
        "gtchain_runtime.handlers.sweep_jobs.handler"
    )
    assert "DeadLetterConfig" in target and "RetryPolicy" in target
    synthesized.template("streetscenes").has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "Principal": "events.amazonaws.com",
            "SourceArn": Match.any_value(),
        },
    )


def test_dead_letter_queue_is_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    template = synthesized.template("streetscenes")
    template.has_resource_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


@pytest.mark.parametrize("project", ["streetscenes", "pedestrians"])
def test_rule_role_is_assumable_only_for_this_rule(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    job_rule, _ = _rules(template)
    (target,) = job_rule["Targets"]
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    if project == "pedestrians":
        account: Any = "123456789012"
        rule_arn: Any = "arn:aws:events:eu-west-1:123456789012:rule/GtChain-pedestrians-JobStateChange"
    else:
        account = {"Ref": "AWS::AccountId"}
        rule_arn = {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":events:",
                    {"Ref": "AWS::Region"},
                    ":",
                    {"Ref": "AWS::AccountId"},
                    ":rule/GtChain-streetscenes-JobStateChange",
                ],
            ]
        }
    assert job_rule["Name"] == f"GtChain-{project}-JobStateChange"
    assert trust == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": account, "aws:SourceArn": rule_arn}},
        }
    ]
    # The role starts this state machine and nothing else.
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    (machine_id,) = resources_of(template, "AWS::StepFunctions::StateMachine")
    assert policies == [
        [{"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine_id}}]
    ]
