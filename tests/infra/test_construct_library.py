"""gtchain.cdk.GtChainProject in a stack that is not gtchain's: several projects per stack,
configured by model or by keyword arguments, nag-clean with the acknowledgements it carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from gtchain.cdk import ConfigError, GtChainProject, ProjectConfig
from gtchain_cdk.config import parse_projects
from tests.support.nag import nag_findings
from tests.support.synth import EXAMPLE_PROJECT, PROJECTS_RAW, TEAM_PROJECT, resources_of

PLATFORM_ENV = cdk.Environment(account="123456789012", region="eu-west-1")


def _platform_stack(tmp_path: Path) -> cdk.Stack:
    app = cdk.App(outdir=str(tmp_path))
    return cdk.Stack(app, "LabelingPlatform", env=PLATFORM_ENV)


@pytest.fixture(scope="module")
def shared_stack(tmp_path_factory: pytest.TempPathFactory) -> cdk.Stack:
    """Both test projects (one on an imported bucket) in one stack of the platform team's."""
    stack = _platform_stack(tmp_path_factory.mktemp("platform"))
    for config in parse_projects(PROJECTS_RAW):
        GtChainProject(stack, config.name.title(), config=config)
    return stack


def test_two_projects_share_a_stack_without_colliding_names(shared_stack: cdk.Stack) -> None:
    template = Template.from_stack(shared_stack).to_json()
    rules = resources_of(template, "AWS::Events::Rule")
    names = [rule["Properties"]["Name"] for rule in rules.values() if "Name" in rule["Properties"]]
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(name) <= 64 for name in names)
    assert len(resources_of(template, "AWS::StepFunctions::StateMachine")) == 2
    # One project creates its bucket (and the access-log bucket); the other imports its own.
    assert len(resources_of(template, "AWS::S3::Bucket")) == 2


def test_its_nag_acknowledgements_travel_with_it(shared_stack: cdk.Stack) -> None:
    findings = nag_findings(shared_stack)
    assert findings == [], "\n".join(f"{f.rule} at {f.construct_path}" for f in findings)


def test_each_project_tags_its_own_resources(shared_stack: cdk.Stack) -> None:
    template = Template.from_stack(shared_stack).to_json()
    tagged_projects = [
        tag["Value"]
        for table in resources_of(template, "AWS::DynamoDB::GlobalTable").values()
        for replica in table["Properties"]["Replicas"]
        for tag in replica.get("Tags", [])
        if tag["Key"] == "gtchain:project"
    ] or [
        tag["Value"]
        for table in resources_of(template, "AWS::DynamoDB::Table").values()
        for tag in table["Properties"].get("Tags", [])
        if tag["Key"] == "gtchain:project"
    ]
    assert sorted(tagged_projects) == sorted([EXAMPLE_PROJECT["name"], TEAM_PROJECT["name"]])


def _template_of(tmp_path: Path, **construct_arguments: Any) -> dict[str, Any]:
    stack = _platform_stack(tmp_path)
    GtChainProject(stack, "Project", **construct_arguments)
    return dict(Template.from_stack(stack).to_json())


def test_keyword_arguments_and_the_model_build_the_same_project(tmp_path: Path) -> None:
    by_model = _template_of(tmp_path / "model", config=ProjectConfig.model_validate(TEAM_PROJECT))
    by_keywords = _template_of(tmp_path / "keywords", **TEAM_PROJECT)
    assert by_keywords == by_model


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {**EXAMPLE_PROJECT, "job_name_prefix": "bad_prefix"},
            "GtChainProject: job_name_prefix: 'bad_prefix'",
        ),
        ({**EXAMPLE_PROJECT, "max_depth": 3}, "GtChainProject: max_depth: Extra inputs are not permitted"),
        ({"name": "x"}, "GtChainProject: job_name_prefix: Field required"),
        (
            {"config": ProjectConfig.model_validate(EXAMPLE_PROJECT), "name": "other"},
            "give either config or keyword settings, not both (got config and name)",
        ),
    ],
)
def test_a_configuration_mistake_is_one_error_naming_the_field(
    tmp_path: Path, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        _template_of(tmp_path, **arguments)
    assert message in str(raised.value)
