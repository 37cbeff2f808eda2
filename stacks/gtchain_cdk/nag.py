"""Acknowledging cdk-nag findings, each with a written reason.

cdk-nag 3 reads CDK's native acknowledgments (``Validations.of(scope).acknowledge``), so the
stacks never import cdk-nag (a dev dependency). IAM5 findings are granular: their id holds
the flattened resource or action, computed here exactly the way cdk-nag flattens it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct


def flatten_reference(node: Any) -> str:  # noqa: PLR0911 - one answer per kind of CloudFormation reference
    """cdk-nag's flattenCfnReference: a resolved CloudFormation value as one string."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def acknowledge(scope: IConstruct, finding_id: str, reason: str) -> None:
    """Acknowledge one finding (e.g. ``AwsSolutions-SQS3``) on scope and everything below it."""
    if not reason.strip():
        raise ValueError(f"acknowledging {finding_id} needs a reason")
    Validations.of(scope).acknowledge(Acknowledgment(id=finding_id, reason=reason))


def acknowledge_wildcard_resources(scope: IConstruct, resources: Iterable[str], reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5[Resource::...]`` for each (possibly tokenized) ARN."""
    stack = Stack.of(scope)
    for resource in resources:
        flattened = flatten_reference(stack.resolve(resource))
        acknowledge(scope, f"AwsSolutions-IAM5[Resource::{flattened}]", reason)


def acknowledge_wildcard_actions(scope: IConstruct, actions: Iterable[str], reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5[Action::...]`` for each action pattern."""
    for action in actions:
        acknowledge(scope, f"AwsSolutions-IAM5[Action::{action}]", reason)
