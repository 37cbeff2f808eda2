"""S3: bucket policies that deny plain-HTTP requests must not deny the sandbox.

What moto 5.2.5 gets wrong: ``FakeBucket.get_permission`` evaluates a bucket policy while
ignoring its ``Condition`` blocks, so the statement every CDK bootstrap bucket (and every
``enforce_ssl`` bucket) carries - Deny ``s3:*`` when ``aws:SecureTransport`` is false -
denies *every* PutObject, and asset publishing fails with 403.

The sandbox's plain-HTTP localhost endpoint stands in for AWS's TLS endpoint, so requests
are treated as secure: statements conditioned only on ``aws:SecureTransport`` being false
are left out of the evaluation. Every other statement is evaluated as moto does.
"""

from __future__ import annotations

import json
from typing import Any

from gtchain.sandbox.patching import PatchSet


def _denies_only_insecure_transport(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition") or {}
    if list(condition) != ["Bool"] or list(condition["Bool"]) != ["aws:SecureTransport"]:
        return False
    value = condition["Bool"]["aws:SecureTransport"]
    values = value if isinstance(value, list) else [value]
    return all(str(v).lower() == "false" for v in values)


def policy_for_secure_requests(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy as it applies to a request made over TLS."""
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [s for s in statements if not _denies_only_insecure_transport(s)]
    return {**policy, "Statement": kept}


def _get_permission(self: Any, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = policy_for_secure_requests(json.loads(self.policy.decode()))
    if not policy["Statement"]:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)


def register(patches: PatchSet) -> None:
    from moto.s3.models import FakeBucket

    patches.replace(FakeBucket, "get_permission", _get_permission)


PATCHES = PatchSet("s3", register)
