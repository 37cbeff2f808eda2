"""parliament and cloudsplaining over every identity policy of the project stacks.

Each AWS::IAM::Policy and each role's inline policy is rendered with concrete ARNs (the
stack's tokens replaced by ARNs of the right service and resource type, so parliament can
check that every action applies to its resources) and analysed by:

- parliament, with its community auditors: malformed statements, actions that do not apply
  to their resources, condition keys unknown to an action or used with an operator of the
  wrong type, permissions-management actions;
- cloudsplaining, without its default exclusions and flagging conditioned statements too:
  privilege escalation, data exfiltration, resource exposure, credentials exposure and
  infrastructure modification on unconstrained resources. (Its flag_resource_arn_statements
  mode, which lists every ARN-scoped statement, is not used: it reports each grant the
  functions need and says nothing about their scope.)

Any finding not in tests/infra/iam_findings_accepted.json fails, and so does an accepted entry
that matches no finding any more: the list stays short and true.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.synth import Synthesized, resources_of

parliament = pytest.importorskip("parliament")
scan_policy_file = pytest.importorskip("cloudsplaining.command.scan_policy_file")

ACCEPTED_FILE = Path(__file__).with_name("iam_findings_accepted.json")
PROJECTS = ["streetscenes", "pedestrians"]
REGION = "eu-west-1"
ACCOUNT = "123456789012"
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
}
# The ARN a resource's Ref (topics, state machines) or Fn::GetAtt Arn stands for.
ARN_FORMATS = {
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{{name}}",
    "AWS::Lambda::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{{name}}",
    "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{{name}}",
    "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{{name}}",
    "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{{name}}:*",
    "AWS::SNS::Topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{{name}}",
    "AWS::StepFunctions::StateMachine": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{{name}}",
}
_LOGICAL_ID_HASH = re.compile(r"[0-9A-F]{8}$")


def _arn_of(resources: dict[str, Any], logical_id: str) -> str:
    resource_type = resources[logical_id]["Type"]
    if resource_type not in ARN_FORMATS:
        raise AssertionError(f"no ARN format for {resource_type} ({logical_id}): add one")
    return ARN_FORMATS[resource_type].format(name=logical_id.lower())


def render(node: Any, resources: dict[str, Any]) -> Any:
    """A policy document with every CloudFormation token replaced by a concrete value."""
    if isinstance(node, dict):
        if len(node) == 1 and (set(node) == {"Ref"} or next(iter(node)).startswith("Fn::")):
            return _render_intrinsic(node, resources)
        return {key: render(value, resources) for key, value in node.items()}
    if isinstance(node, list):
        return [render(item, resources) for item in node]
    return node


def _render_intrinsic(node: dict[str, Any], resources: dict[str, Any]) -> Any:
    ((function, argument),) = node.items()
    if function == "Ref":
        return PSEUDO_PARAMETERS.get(argument) or _arn_of(resources, argument)
    if function == "Fn::GetAtt":
        logical_id, attribute = argument
        assert attribute == "Arn", node
        return _arn_of(resources, logical_id)
    if function == "Fn::Join":
        delimiter, parts = argument
        return delimiter.join(render(part, resources) for part in parts)
    if function == "Fn::Split":  # e.g. a state machine's name out of its ARN
        delimiter, text = argument
        return str(render(text, resources)).split(delimiter)
    assert function == "Fn::Select", node
    index, items = argument
    return render(items, resources)[int(index)]


def identity_policies(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Policy name (logical id without CDK's hash, or role/policy name) -> rendered document."""
    resources = template["Resources"]
    policies: dict[str, dict[str, Any]] = {}
    for logical_id, policy in resources_of(template, "AWS::IAM::Policy").items():
        name = _LOGICAL_ID_HASH.sub("", logical_id)
        policies[name] = render(policy["Properties"]["PolicyDocument"], resources)
    for logical_id, role in resources_of(template, "AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            name = f"{_LOGICAL_ID_HASH.sub('', logical_id)}/{inline['PolicyName']}"
            policies[name] = render(inline["PolicyDocument"], resources)
    return policies


def findings(document: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(tool, finding, actions) of one policy document."""
    found: list[tuple[str, str, tuple[str, ...]]] = []
    analysed = parliament.analyze_policy_string(json.dumps(document), include_community_auditors=True)
    for finding in analysed.findings:
        location = finding.location if isinstance(finding.location, dict) else {}
        actions = tuple(sorted(str(a) for a in location.get("actions", []) or []))
        found.append(("parliament", f"{finding.issue}: {finding.detail}".rstrip(": "), actions))
    results = scan_policy_file.scan_policy(document, exclusions_config={}, flag_conditional_statements=True)
    for category, result in results.items():
        flagged = result.get("findings") if isinstance(result, dict) else result
        if flagged:
            found.append(("cloudsplaining", category, tuple(sorted(str(a) for a in flagged))))
    return found


def _accepted() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(ACCEPTED_FILE.read_text(encoding="utf-8"))["accepted"]
    for entry in entries:
        assert len(entry["reason"]) > 40, f"an accepted finding needs a real reason: {entry}"
    return entries


def _is_accepted(entry: dict[str, Any], policy: str, finding: tuple[str, str, tuple[str, ...]]) -> bool:
    tool, issue, actions = finding
    return (
        entry["tool"] == tool
        and entry["policy"] == policy
        and issue.split(":")[0] == entry["finding"]
        and tuple(sorted(entry["actions"])) == actions
    )


def test_every_finding_is_accepted_with_a_reason(synthesized: Synthesized) -> None:
    accepted = _accepted()
    used: set[int] = set()
    problems: list[str] = []
    for project in PROJECTS:
        policies = identity_policies(synthesized.templates[project])
        assert policies, project
        for policy, document in sorted(policies.items()):
            for finding in findings(document):
                matches = [i for i, entry in enumerate(accepted) if _is_accepted(entry, policy, finding)]
                if matches:
                    used.update(matches)
                else:
                    problems.append(f"{project} {policy}: {finding}")
    stale = [entry for i, entry in enumerate(accepted) if i not in used]
    assert not problems, "findings not in iam_findings_accepted.json:\n" + "\n".join(problems)
    assert not stale, f"accepted findings that no longer occur (remove them): {stale}"


def test_the_linters_catch_a_wrongly_typed_condition() -> None:
    """The scan has teeth: an ARN-typed key under a String operator, and an unknown key."""
    statement = {
        "Effect": "Allow",
        "Action": "sagemaker:CreateLabelingJob",
        "Resource": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/streetscenes-*",
    }
    wrong_type = {
        **statement,
        "Condition": {
            "StringEquals": {"sagemaker:WorkteamArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/x"}
        },
    }
    unknown_key = {**statement, "Condition": {"StringEquals": {"sagemaker:NoSuchKey": "x"}}}
    for bad, issue in ((wrong_type, "MISMATCHED_TYPE"), (unknown_key, "UNKNOWN_CONDITION_FOR_ACTION")):
        issues = [
            i
            for tool, i, _ in findings({"Version": "2012-10-17", "Statement": [bad]})
            if tool == "parliament"
        ]
        assert any(i.startswith(issue) for i in issues), issues
