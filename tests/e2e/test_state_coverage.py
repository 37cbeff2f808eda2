"""Every state of the DEPLOYED state machine is entered by the e2e tier's executions.

The states come from DescribeStateMachine (what CloudFormation deployed, not the CDK code);
the entered ones from the StateEntered events of every execution in the sandbox. The test
asks for the fixtures that start executions (the scenarios and the fault suite), so it sees
them all whatever the order or the xdist worker it runs in; tests that start more only add.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gtchain.demo.runner import ScenarioResult
from gtchain.sandbox import Sandbox
from tests.support.fault_play import FaultPlay

pytestmark = pytest.mark.e2e

# State name -> why no e2e execution can enter it. Empty: "Unknown decision" is reached through
# the corrupt_result fault knob (plan_chain answering a decision outside CHAIN/COMPLETE/GIVE_UP).
UNREACHABLE: dict[str, str] = {}


def state_names(states: dict[str, Any]) -> set[str]:
    """Every state of a definition, those inside Parallel branches and Map processors included."""
    names = set(states)
    for state in states.values():
        for branch in state.get("Branches", []):
            names |= state_names(branch["States"])
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                names |= state_names(state[key]["States"])
    return names


def entered_states(sandbox: Sandbox, state_machine_arn: str) -> tuple[set[str], int]:
    client = sandbox.client("stepfunctions")
    entered: set[str] = set()
    executions = [
        execution["executionArn"]
        for page in client.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn)
        for execution in page["executions"]
    ]
    for arn in executions:
        for page in client.get_paginator("get_execution_history").paginate(executionArn=arn):
            entered |= {
                event["stateEnteredEventDetails"]["name"]
                for event in page["events"]
                if "stateEnteredEventDetails" in event
            }
    return entered, len(executions)


def test_every_deployed_state_is_entered_by_some_execution(
    sandbox: Sandbox,
    deployed: dict[str, Any],
    played: dict[str, ScenarioResult],
    faulted: FaultPlay,
) -> None:
    arn = deployed["outputs"]["StateMachineArn"]
    definition = json.loads(
        sandbox.client("stepfunctions").describe_state_machine(stateMachineArn=arn)["definition"]
    )
    states = state_names(definition["States"])
    assert {"Inspect job", "Record failure", "Unknown decision", "Execution failed"} <= states
    entered, executions = entered_states(sandbox, arn)
    never = sorted(states - entered - set(UNREACHABLE))
    assert not never, f"states never entered by the tier's {executions} executions: {never}"
    assert not set(UNREACHABLE) & entered, "a state listed as unreachable was entered: update UNREACHABLE"
