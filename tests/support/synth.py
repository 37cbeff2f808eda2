"""The infra tier's projects and synth helpers.

Two projects cover both shapes of the construct: the example project (bucket created, no
work team) and one with an imported bucket, a private work team and automated labeling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from gtchain_cdk.app_factory import add_project_stacks, create_app
from gtchain_cdk.config import ProjectConfig
from gtchain_cdk.project_stack import GtChainProjectStack

ACCOUNT = "123456789012"
EXAMPLE_PROJECT: dict[str, Any] = {
    "name": "streetscenes",
    "job_name_prefix": "Streetscenes",
    "labeling_role_arn": f"arn:aws:iam::{ACCOUNT}:role/GroundTruthLabelingRole",
    "notification_emails": ["labeling-team@example.com"],
}
TEAM_PROJECT: dict[str, Any] = {
    "name": "pedestrians",
    "job_name_prefix": "PedCount",
    "labeling_role_arn": f"arn:aws:iam::{ACCOUNT}:role/service-role/PedLabeling",
    "workteam_arn": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:workteam/private-crowd/ped-team",
    "existing_bucket_name": "ped-labeling-data",
    "notification_emails": ["a@example.com", "b@example.com"],
    "policy": {
        "resume_stopped": False,
        "max_depth": 3,
        "labeling_mode": "automated",
        "algorithm_specification_arn": (
            "arn:aws:sagemaker:eu-west-1:027400017018:labeling-job-algorithm-specification/object-detection"
        ),
    },
    "env": {"account": ACCOUNT, "region": "eu-west-1"},
}
PROJECTS_RAW: dict[str, Any] = {"projects": [EXAMPLE_PROJECT, TEAM_PROJECT]}
# The job-state rule's name: the unique id of <stack>/Chaining/Triggers (path, then its hash).
JOB_RULE_NAMES = {
    "streetscenes": "GtChain-streetscenes-Chaining-Triggers-C0B91D07-JobStateChange",
    "pedestrians": "GtChain-pedestrians-Chaining-Triggers-702B23E2-JobStateChange",
}


@dataclass(frozen=True)
class Synthesized:
    app: cdk.App
    stacks: dict[str, GtChainProjectStack]
    projects: dict[str, ProjectConfig]
    templates: dict[str, dict[str, Any]]
    outdir: Path

    def template(self, project: str) -> Template:
        return Template.from_json(self.templates[project])


def synthesize(outdir: Path, projects: tuple[ProjectConfig, ...]) -> Synthesized:
    app = create_app(outdir=str(outdir))
    stacks = add_project_stacks(app, projects)
    assembly = app.synth()
    templates = {
        stack.node.id.removeprefix("GtChain-"): assembly.get_stack_by_name(stack.stack_name).template
        for stack in stacks
    }
    return Synthesized(
        app=app,
        stacks={s.node.id.removeprefix("GtChain-"): s for s in stacks},
        projects={p.name: p for p in projects},
        templates=templates,
        outdir=outdir,
    )


def resources_of(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def only_resource(template: Mapping[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    found = resources_of(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


def job_arn_join(name: str) -> dict[str, Any]:
    """The synthesized form of a labeling-job ARN of the stack's own account and region."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":sagemaker:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":labeling-job/{name}",
            ],
        ]
    }
