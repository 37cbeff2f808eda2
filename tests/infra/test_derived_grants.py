"""Grants follow calls: each function's role allows exactly the IAM actions its handler's AWS
calls need, derived by running the handlers (tests/support/aws_calls.py), plus the
platform grants below, each with its reason.

One module runs the handlers against moto and synthesizes the stacks, so the comparison does
not depend on which tests ran before it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.aws_calls import (
    HANDLER_MODULES,
    CallRecorder,
    derived_actions,
    exercise_every_handler,
    queries_an_index,
)
from tests.support.handler_env import ProjectAws
from tests.support.iam_statements import PROJECTS, statements_by_function
from tests.support.synth import Synthesized, resources_of

_LOGS = "Lambda writes the function's logs to its own log group with the function's role."
_XRAY = "Active tracing: the Lambda runtime sends trace segments with the function's role."
_KMS = (
    "SNS encrypts what record_outcome and sweep_jobs publish with the topic's customer managed key, "
    "using the publisher's permissions on that key."
)
_DLQ = "Lambda sends an asynchronous invocation that failed its retries to the dead-letter queue."
# Actions that no handler calls but the platform needs from the function's role.
PLATFORM_GRANTS: dict[str, dict[str, str]] = {
    module: {
        "logs:CreateLogStream": _LOGS,
        "logs:PutLogEvents": _LOGS,
        "xray:PutTraceSegments": _XRAY,
        "xray:PutTelemetryRecords": _XRAY,
    }
    for module in HANDLER_MODULES
}
PLATFORM_GRANTS["record_outcome"] |= {"kms:Decrypt": _KMS, "kms:GenerateDataKey*": _KMS}
PLATFORM_GRANTS["sweep_jobs"] |= {"sqs:SendMessage": _DLQ, "kms:Decrypt": _KMS, "kms:GenerateDataKey*": _KMS}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted_actions(template: dict[str, Any]) -> dict[str, set[str]]:
    return {
        module: {action for statement in statements for action in _as_list(statement["Action"])}
        for module, statements in statements_by_function(template).items()
    }


@pytest.fixture
def recorded(project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch) -> CallRecorder:
    return exercise_every_handler(project_aws, monkeypatch)


def test_every_handler_made_calls(recorded: CallRecorder) -> None:
    silent = [module for module, calls in recorded.calls.items() if not calls]
    assert silent == [], f"the scenario never ran {silent}"


def test_each_role_allows_exactly_what_its_handler_calls(
    recorded: CallRecorder, synthesized: Synthesized
) -> None:
    derived = derived_actions(recorded)
    problems: list[str] = []
    for project in PROJECTS:
        granted = granted_actions(synthesized.templates[project])
        assert set(granted) == set(HANDLER_MODULES), sorted(granted)
        for module in HANDLER_MODULES:
            expected = derived[module] | set(PLATFORM_GRANTS[module])
            missing = sorted(expected - granted[module])
            extra = sorted(granted[module] - expected)
            if missing or extra:
                problems.append(f"{project} {module}: missing {missing}, extra {extra}")
    assert not problems, "role policies differ from the handlers' calls:\n" + "\n".join(problems)


@pytest.mark.parametrize("project", PROJECTS)
def test_ledger_index_only_for_index_queries(
    recorded: CallRecorder, synthesized: Synthesized, project: str
) -> None:
    template = synthesized.templates[project]
    table_id = next(iter(resources_of(template, "AWS::DynamoDB::Table")))
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    index_arn = {"Fn::Join": ["", [table_arn, "/index/*"]]}
    for module, statements in statements_by_function(template).items():
        resources = [
            resource
            for statement in statements
            if any(a.startswith("dynamodb:") for a in _as_list(statement["Action"]))
            for resource in _as_list(statement["Resource"])
        ]
        if not resources:
            continue
        expected = [table_arn, index_arn] if queries_an_index(recorded, module) else [table_arn]
        assert resources == expected, module
