"""Least privilege: scoped resources, the PassRole condition, and no unexplained "*"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gtchain_cdk.config import parse_projects
from gtchain_cdk.functions import workforce_condition
from tests.support.iam_statements import PROJECTS, as_list, statements_by_function
from tests.support.synth import (
    EXAMPLE_PROJECT,
    TEAM_PROJECT,
    Synthesized,
    job_arn_join,
    resources_of,
    synthesize,
)

# Actions that support no resource-level permissions: "*" is their only valid resource.
ACTIONS_THAT_NEED_STAR = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "sagemaker:ListLabelingJobs",
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
}


def all_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in resources_of(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def with_action(statements: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [s for s in statements if action in as_list(s["Action"])]


def same_resources(actual: Any, expected: list[Any]) -> bool:
    """Resource lists compared regardless of order (CDK orders them itself)."""
    return sorted(map(json.dumps, as_list(actual))) == sorted(map(json.dumps, expected))


def job_arn_pattern(template_project: str) -> list[Any]:
    """labeling-job/<prefix>-* and labeling-job/<prefix> (domain.naming.owns_job_name), both cases."""
    if template_project == "pedestrians":
        return [
            "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/pedcount-*",
            "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/pedcount",
            "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/PedCount-*",
            "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/PedCount",
        ]

    # The prefix as configured too: the case of job names inside ARNs is undocumented.
    return [
        job_arn_join("streetscenes-*"),
        job_arn_join("streetscenes"),
        job_arn_join("Streetscenes-*"),
        job_arn_join("Streetscenes"),
    ]


@pytest.mark.parametrize("project", PROJECTS)
def test_only_create_child_passes_the_labeling_role(synthesized: Synthesized, project: str) -> None:
    by_function = statements_by_function(synthesized.templates[project])
    for module, statements in by_function.items():
        passes = with_action(statements, "iam:PassRole")
        if module != "create_child":
            assert passes == [], module
            continue
        assert passes == [
            {
                "Sid": "PassLabelingRoleToSageMaker",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": synthesized.projects[project].labeling_role_arn,
                "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            }
        ]


def test_without_team_only_private_work_teams_may_be_hired(synthesized: Synthesized) -> None:
    statements = statements_by_function(synthesized.templates["streetscenes"])["create_child"]
    (create,) = with_action(statements, "sagemaker:CreateLabelingJob")
    assert as_list(create["Action"]) == ["sagemaker:CreateLabelingJob"]
    assert same_resources(create["Resource"], job_arn_pattern("streetscenes"))
    assert create["Condition"] == {"StringEquals": {"sagemaker:WorkteamType": "private-crowd"}}


def test_with_team_only_that_team_may_be_hired(synthesized: Synthesized) -> None:
    statements = statements_by_function(synthesized.templates["pedestrians"])["create_child"]
    (create,) = with_action(statements, "sagemaker:CreateLabelingJob")
    assert as_list(create["Action"]) == ["sagemaker:CreateLabelingJob"]
    assert same_resources(create["Resource"], job_arn_pattern("pedestrians"))
    # sagemaker:WorkteamArn is ARN-typed: an Arn* operator.
    assert create["Condition"] == {
        "ArnEquals": {"sagemaker:WorkteamArn": synthesized.projects["pedestrians"].workteam_arn}
    }


def test_opted_in_projects_may_hire_the_public_crowd_and_vendors(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    opted_in = {**EXAMPLE_PROJECT, "policy": {"allow_external_workforce": True}}
    synthesized = synthesize(
        tmp_path_factory.mktemp("cdk-out-external"), parse_projects({"projects": [opted_in]})
    )
    statements = statements_by_function(synthesized.templates["streetscenes"])["create_child"]
    (create,) = with_action(statements, "sagemaker:CreateLabelingJob")
    assert create["Condition"] == {
        "StringEquals": {"sagemaker:WorkteamType": ["private-crowd", "public-crowd", "vendor-crowd"]}
    }


def test_a_configured_team_wins_over_the_opt_in() -> None:
    team = parse_projects({"projects": [{**TEAM_PROJECT, "policy": {"allow_external_workforce": True}}]})[0]
    assert workforce_condition(team) == {"ArnEquals": {"sagemaker:WorkteamArn": team.workteam_arn}}


@pytest.mark.parametrize("project", PROJECTS)
def test_tags_only_as_part_of_creating_a_job(synthesized: Synthesized, project: str) -> None:
    for module, statements in statements_by_function(synthesized.templates[project]).items():
        tagging = with_action(statements, "sagemaker:AddTags")
        if module != "create_child":
            assert tagging == [], module
            continue
        (tag,) = tagging
        # Its own statement: the workforce keys do not apply to AddTags.
        assert as_list(tag["Action"]) == ["sagemaker:AddTags"]
        assert same_resources(tag["Resource"], job_arn_pattern(project))
        assert tag["Condition"] == {"StringEquals": {"sagemaker:TaggingAction": "CreateLabelingJob"}}


@pytest.mark.parametrize("project", PROJECTS)
def test_sagemaker_actions_are_scoped_or_explained(synthesized: Synthesized, project: str) -> None:
    for statement in all_statements(synthesized.templates[project]):
        actions = [a for a in as_list(statement["Action"]) if a.startswith("sagemaker:")]
        if not actions:
            continue
        if actions == ["sagemaker:ListLabelingJobs"]:
            assert statement["Resource"] == "*"
        else:
            assert same_resources(statement["Resource"], job_arn_pattern(project)), actions


@pytest.mark.parametrize("project", PROJECTS)
def test_star_resources_only_for_actions_without_resource_permissions(
    synthesized: Synthesized, project: str
) -> None:
    for statement in all_statements(synthesized.templates[project]):
        if "*" in as_list(statement["Resource"]):
            unexplained = set(as_list(statement["Action"])) - ACTIONS_THAT_NEED_STAR
            assert not unexplained, f"'*' resource for {sorted(unexplained)}"
        for action in as_list(statement["Action"]):
            # Wildcard actions only where CDK's grant uses a documented family (KMS data keys).
            assert "*" not in action or action == "kms:GenerateDataKey*", action


def _object_suffixes(resources: list[Any], bucket_arn: Any) -> set[str]:
    suffixes = set()
    for resource in resources:
        if isinstance(resource, str):
            prefix = f"{bucket_arn}/"
            assert resource.startswith(prefix), resource
            suffixes.add(resource.removeprefix(prefix))
        else:
            head, tail = resource["Fn::Join"][1]
            assert head == bucket_arn, resource
            suffixes.add(tail.removeprefix("/"))
    return suffixes


@pytest.mark.parametrize("project", PROJECTS)
def test_s3_access_scoped_to_the_layout(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    if project == "pedestrians":
        bucket_arn: Any = "arn:aws:s3:::ped-labeling-data"
    else:
        bucket_id = next(k for k in resources_of(template, "AWS::S3::Bucket") if "StorageBucket" in k)
        bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    by_function = statements_by_function(template)
    for module, statements in by_function.items():
        s3_statements = [s for s in statements if any(a.startswith("s3:") for a in as_list(s["Action"]))]
        if module not in {"plan_chain", "finalize_chain"}:
            assert s3_statements == [], module
            continue
        # Pinned to the stack's account: an imported bucket of another account is denied.
        account: Any = "123456789012" if project == "pedestrians" else {"Ref": "AWS::AccountId"}
        for statement in s3_statements:
            assert statement["Condition"]["StringEquals"] == {"s3:ResourceAccount": account}, statement
        (read,) = with_action(s3_statements, "s3:GetObject")
        assert _object_suffixes(as_list(read["Resource"]), bucket_arn) == {"inputs/*", "jobs/*", "chains/*"}
        (write,) = with_action(s3_statements, "s3:PutObject")
        assert _object_suffixes(as_list(write["Resource"]), bucket_arn) == {"chains/*"}
        assert set(as_list(write["Action"])) == {"s3:PutObject", "s3:AbortMultipartUpload"}
        (listing,) = with_action(s3_statements, "s3:ListBucket")
        assert listing["Resource"] == bucket_arn
        assert listing["Condition"] == {
            "StringLike": {"s3:prefix": ["inputs/*", "jobs/*", "chains/*"]},
            "StringEquals": {"s3:ResourceAccount": account},
        }
        assert {a for s in s3_statements for a in as_list(s["Action"])} == {
            "s3:GetObject",
            "s3:PutObject",
            "s3:AbortMultipartUpload",
            "s3:ListBucket",
        }


def test_each_function_gets_only_its_services(synthesized: Synthesized) -> None:
    by_function = statements_by_function(synthesized.templates["streetscenes"])

    def services(module: str) -> set[str]:
        return {a.split(":")[0] for s in by_function[module] for a in as_list(s["Action"])}

    # Inspect reads the parent's decision to confirm a chained job is ours.
    assert services("inspect_job") == {"logs", "xray", "sagemaker", "dynamodb"}
    # Plan reads the chain's earlier jobs and decisions for its budget and cost.
    assert services("plan_chain") == {"logs", "xray", "s3", "sagemaker", "dynamodb"}
    # Create claims the child in the ledger before CreateLabelingJob.
    assert services("create_child") == {"logs", "xray", "sagemaker", "iam", "dynamodb"}
    # Finalize describes the chain's earlier jobs for their output manifests.
    assert services("finalize_chain") == {"logs", "xray", "sagemaker", "s3"}
    assert services("record_outcome") == {"logs", "xray", "dynamodb", "sns", "kms"}
    # The sweep records executions that ended without a decision as failures, and announces them.
    assert services("sweep_jobs") == {"logs", "xray", "sagemaker", "dynamodb", "states", "sqs", "sns", "kms"}
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    for module, statements in by_function.items():
        granted = {a for s in statements for a in as_list(s["Action"])}
        # Record writes decisions and failures, the sweep failures of executions that ended without
        # a decision and the adoption start (PutItem); Create writes one thing, the child claim;
        # Inspect one, a job ignored because it ended before the adoption start (PutItem).
        expected = {"dynamodb:PutItem"} if module in ("create_child", "sweep_jobs", "inspect_job") else set()
        if module == "record_outcome":
            # UpdateItem marks a decision's notification as published.
            expected = {"dynamodb:PutItem", "dynamodb:UpdateItem"}
        assert granted & writes == expected, module


@pytest.mark.parametrize("project", PROJECTS)
def test_no_managed_policies(synthesized: Synthesized, project: str) -> None:
    for logical_id, role in resources_of(synthesized.templates[project], "AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], logical_id
