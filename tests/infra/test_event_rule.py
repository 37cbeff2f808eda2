"""The EventBridge rule that starts executions, and the hourly sweep."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from gtchain_runtime.domain.naming import owns_job_name
from tests.support.synth import ACCOUNT, JOB_RULE_NAMES, Synthesized, job_arn_join, resources_of


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
        # The project's jobs: "<prefix>-..." or exactly "<prefix>", ignoring case (SageMaker
        # lower-cases job names inside ARNs).
        "resources": [
            {"prefix": {"equals-ignore-case": job_arn_join("streetscenes-")}},
            {"equals-ignore-case": job_arn_join("streetscenes")},
        ],
    }


def test_event_pattern_uses_the_stack_environment(synthesized: Synthesized) -> None:
    job_rule, _ = _rules(synthesized.templates["pedestrians"])
    assert job_rule["EventPattern"]["resources"] == [
        {"prefix": {"equals-ignore-case": "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/pedcount-"}},
        {"equals-ignore-case": "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/pedcount"},
    ]


_PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": ACCOUNT}


def _resolve(node: Any) -> Any:
    """The deployed value of a synthesized pattern: Fn::Join of pseudo parameters."""
    if isinstance(node, dict):
        if set(node) == {"Ref"}:
            return _PSEUDO[node["Ref"]]
        if set(node) == {"Fn::Join"}:
            delimiter, parts = node["Fn::Join"]
            return delimiter.join(_resolve(part) for part in parts)
        return {key: _resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    return node


def _state_change(job_name: str, status: str = "Completed") -> dict[str, Any]:
    return {
        "version": "0",
        "id": "8d6d1f1e-0000-0000-0000-000000000000",
        "detail-type": "SageMaker Ground Truth Labeling Job State Change",
        "source": "aws.sagemaker",
        "account": ACCOUNT,
        "time": "2024-05-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:labeling-job/{job_name}"],
        "detail": {"LabelingJobStatus": status},
    }


@pytest.mark.parametrize(
    ("job_name", "matches"),
    [
        # SageMaker's lower-cased names, and the names as created (ignore-case operators).
        ("streetscenes-job1", True),
        ("Streetscenes-Job1", True),
        ("streetscenes", True),
        ("Streetscenes", True),
        ("streetscenes-job1-chain-2", True),
        ("streetscenesv2-job1", False),
        ("StreetscenesV2-Job1", False),
        ("streetscenesv2", False),
        ("other-streetscenes-job1", False),
        ("streetscene", False),
    ],
)
def test_event_pattern_follows_the_ownership_rule(
    synthesized: Synthesized, job_name: str, matches: bool
) -> None:
    """The deployed pattern, evaluated by moto's matcher (the one the sandbox delivers with),
    agrees with gtchain_runtime.domain.naming.owns_job_name."""
    from moto.events.models import EventPattern

    job_rule, _ = _rules(synthesized.templates["streetscenes"])
    pattern = EventPattern.load(json.dumps(_resolve(job_rule["EventPattern"])))
    assert owns_job_name("Streetscenes", job_name) is matches
    assert pattern.matches_event(_state_change(job_name)) is matches  # type: ignore[arg-type]
    assert not pattern.matches_event(_state_change(job_name, status="InProgress"))  # type: ignore[arg-type]


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
        rule_arn: Any = f"arn:aws:events:eu-west-1:123456789012:rule/{JOB_RULE_NAMES['pedestrians']}"
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
                    f":rule/{JOB_RULE_NAMES['streetscenes']}",
                ],
            ]
        }
    assert job_rule["Name"] == JOB_RULE_NAMES[project]
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
