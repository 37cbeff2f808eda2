"""IAM is enforced in the sandbox: a grant missing from the deployed stack fails the chain
with AccessDenied, recorded in the ledger by the state machine's catch-all.

The grant is removed from the *deployed template* and the stack updated through
CloudFormation (a change set, as ``cdk deploy`` does): the roles' policies are then exactly
what a template without that statement creates, without touching ``stacks/`` or patching
constructs. The original template is restored afterwards for the rest of the tier.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gtchain.demo.runner import ScenarioRunner
from gtchain.demo.scenarios import Scenario
from gtchain.sandbox import Sandbox
from gtchain.sandbox.groundtruth import JobBehaviour

pytestmark = pytest.mark.e2e

DENIED = Scenario(
    name="iam-missing-grant",
    description="plan_chain may not write chains/: the chain fails with AccessDenied",
    root_job="Streetscenes-Iam-Denied",
    objects=200,
    behaviour=JobBehaviour(stop_after=50),
)


def _template(sandbox: Sandbox, stack_name: str) -> dict[str, Any]:
    body = sandbox.client("cloudformation").get_template(StackName=stack_name)["TemplateBody"]
    return dict(json.loads(body) if isinstance(body, str) else body)


def _update_stack(sandbox: Sandbox, stack_name: str, template: dict[str, Any]) -> None:
    """Update the deployed stack with ``template`` through a change set, as the CDK CLI does."""
    cloudformation = sandbox.client("cloudformation")
    parameters = [{"ParameterKey": key, "UsePreviousValue": True} for key in template.get("Parameters", {})]
    name = f"iam-test-{int(time.time() * 1000)}"
    cloudformation.create_change_set(
        StackName=stack_name,
        ChangeSetName=name,
        ChangeSetType="UPDATE",
        TemplateBody=json.dumps(template),
        Parameters=parameters,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cloudformation.execute_change_set(StackName=stack_name, ChangeSetName=name)
    deadline = time.monotonic() + 60
    while True:
        status = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
        if status == "UPDATE_COMPLETE":
            return
        if status.endswith(("FAILED", "ROLLBACK_COMPLETE")) or time.monotonic() > deadline:
            raise AssertionError(f"stack update ended {status}")
        time.sleep(0.2)


def without_statement(template: dict[str, Any], role_fragment: str, action: str) -> dict[str, Any]:
    """A copy of ``template`` whose policies attached to the role with ``role_fragment`` in
    its logical id no longer contain the statement(s) granting ``action``."""
    edited = copy.deepcopy(template)
    removed = 0
    for resource in edited["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        roles = [
            ref.get("Ref", "") for ref in resource["Properties"].get("Roles", []) if isinstance(ref, dict)
        ]
        if not any(role_fragment in role for role in roles):
            continue
        statements = resource["Properties"]["PolicyDocument"]["Statement"]
        kept = [
            s
            for s in statements
            if action not in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        ]
        removed += len(statements) - len(kept)
        resource["Properties"]["PolicyDocument"]["Statement"] = kept
    assert removed == 1, f"expected one {action} statement for {role_fragment}, removed {removed}"
    return edited


@pytest.fixture
def plan_may_not_write(sandbox: Sandbox, deployed: dict[str, Any]) -> Iterator[None]:
    stack_name = deployed["project"].stack_name
    original = _template(sandbox, stack_name)
    _update_stack(sandbox, stack_name, without_statement(original, "PlanChainRole", "s3:PutObject"))
    try:
        yield
    finally:
        _update_stack(sandbox, stack_name, original)


def _wait_for_failure(runner: ScenarioRunner, root: str, timeout: float = 120.0) -> dict[str, Any]:
    ledger = runner._ledger  # the runner's ledger adapter, on the sandbox's admin credentials
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        failures = [r for r in ledger.chain_records(root) if str(r["record"]).startswith("failure#")]
        if failures:
            return failures[0]
        time.sleep(0.25)
    raise AssertionError(f"no failure record for {root} after {timeout} s")


def test_a_missing_grant_fails_the_chain_with_access_denied_in_the_ledger(
    sandbox: Sandbox, deployed: dict[str, Any], runner: ScenarioRunner, plan_may_not_write: None
) -> None:
    assert sandbox.enforce_iam
    runner.start(DENIED)
    sandbox.workforce.start()

    failure = _wait_for_failure(runner, DENIED.root_job)

    assert failure["job_name"] == DENIED.root_job
    assert failure["record"].startswith("failure#")
    # The runtime turns S3's 403 AccessDenied into its own error naming the location.
    cause = str(failure["cause"])
    assert "access denied (cannot write it)" in cause
    assert f"s3://{runner.bucket}/chains/{DENIED.root_job}/" in cause
    # The sandbox refused exactly that call, made by plan_chain's own role.
    denials = [d for d in sandbox.iam_denials if d.action == "s3:PutObject" and "PlanChainRole" in d.role_arn]
    assert denials, sandbox.iam_denials
    assert denials[0].resource.startswith(f"arn:aws:s3:::{runner.bucket}/chains/{DENIED.root_job}/")
    assert "is not authorized to perform: s3:PutObject" in denials[0].message
    # Nothing was chained: the decision was never recorded.
    records = runner._ledger.chain_records(DENIED.root_job)
    assert not [r for r in records if r["record"] == "decision"]
