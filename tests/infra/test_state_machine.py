"""Every state of "resume labeling job" with its Retry/Catch, as docs/architecture.md fixes it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import Synthesized, only_resource, resources_of

# Throttling first (the manifest functions have a reserved concurrency: executions queue here),
# then the transient service errors.
THROTTLE_RETRY = {
    "ErrorEquals": ["Lambda.TooManyRequestsException"],
    "IntervalSeconds": 5,
    "MaxAttempts": 40,
    "BackoffRate": 2,
    "MaxDelaySeconds": 120,
    "JitterStrategy": "FULL",
}
LAMBDA_RETRY = {
    "ErrorEquals": [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
    ],
    "IntervalSeconds": 2,
    "MaxAttempts": 6,
    "BackoffRate": 2,
    "JitterStrategy": "FULL",
}
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Record failure"}]

# state -> (handler module, ResultPath, Next)
LAMBDA_STATES = {
    "Inspect job": ("inspect_job", "$.inspection", "Is it ours?"),
    "Plan chain": ("plan_chain", "$.plan", "Decide"),
    "Create chained job": ("create_child", "$.child", "Record decision"),
    "Finalize chain": ("finalize_chain", "$.final", "Record decision"),
    "Record decision": ("record_outcome", "$.record", "Done"),
    "Record failure": ("record_outcome", "$.record", "Execution failed"),
}


def _flatten(part: Any) -> str:
    """Renders Fn::GetAtt pieces of the definition as <LogicalId>."""
    if isinstance(part, str):
        return part
    if "Fn::GetAtt" in part:
        return f"<{part['Fn::GetAtt'][0]}>"
    if "Ref" in part:
        return f"<{part['Ref']}>"
    raise AssertionError(f"unexpected token in the definition: {part}")


@pytest.fixture(scope="module")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.templates["streetscenes"]


@pytest.fixture(scope="module")
def machine(template: dict[str, Any]) -> dict[str, Any]:
    return only_resource(template, "AWS::StepFunctions::StateMachine")[1]["Properties"]


@pytest.fixture(scope="module")
def definition(machine: dict[str, Any]) -> dict[str, Any]:
    delimiter, parts = machine["DefinitionString"]["Fn::Join"]
    parsed: dict[str, Any] = json.loads(delimiter.join(_flatten(p) for p in parts))
    return parsed


@pytest.fixture(scope="module")
def function_by_module(template: dict[str, Any]) -> dict[str, str]:
    return {
        props["Properties"]["Handler"].split(".")[-2]: logical_id
        for logical_id, props in resources_of(template, "AWS::Lambda::Function").items()
    }


def test_exactly_the_contract_states(definition: dict[str, Any]) -> None:
    assert definition["StartAt"] == "Inspect job"
    assert set(definition["States"]) == {
        *LAMBDA_STATES,
        "Is it ours?",
        "Ignore job",
        "Decide",
        "Unknown decision",
        "Done",
        "Execution failed",
    }


@pytest.mark.parametrize("state_name", sorted(LAMBDA_STATES))
def test_lambda_state(
    definition: dict[str, Any], function_by_module: dict[str, str], state_name: str
) -> None:
    module, result_path, next_state = LAMBDA_STATES[state_name]
    state = definition["States"][state_name]
    assert state["Type"] == "Task"
    # The function gets the whole state; its return value is stored as is at ResultPath.
    assert state["Resource"] == f"<{function_by_module[module]}>"
    assert "Parameters" not in state and "InputPath" not in state and "OutputPath" not in state
    assert state["ResultPath"] == result_path
    assert state["Next"] == next_state
    assert state["Retry"] == [THROTTLE_RETRY, LAMBDA_RETRY]
    if state_name == "Record failure":
        # Its own failure fails the execution (ExecutionsFailed alarm), never loops.
        assert "Catch" not in state
    else:
        assert state["Catch"] == CATCH_ALL


def test_is_it_ours(definition: dict[str, Any]) -> None:
    state = definition["States"]["Is it ours?"]
    assert state["Type"] == "Choice"
    assert state["Choices"] == [
        {"Variable": "$.inspection.relevant", "BooleanEquals": False, "Next": "Ignore job"}
    ]
    assert state["Default"] == "Plan chain"
    assert definition["States"]["Ignore job"] == {"Type": "Succeed"}


def test_decide(definition: dict[str, Any]) -> None:
    state = definition["States"]["Decide"]
    assert state["Type"] == "Choice"
    assert state["Choices"] == [
        {"Variable": "$.plan.decision", "StringEquals": "CHAIN", "Next": "Create chained job"},
        {"Variable": "$.plan.decision", "StringEquals": "COMPLETE", "Next": "Finalize chain"},
        {"Variable": "$.plan.decision", "StringEquals": "GIVE_UP", "Next": "Record decision"},
    ]
    assert state["Default"] == "Unknown decision"


def test_unknown_decision_becomes_a_recorded_failure(definition: dict[str, Any]) -> None:
    state = definition["States"]["Unknown decision"]
    assert state["Type"] == "Pass"
    assert state["ResultPath"] == "$.error"
    assert state["Parameters"]["Error"] == "GtChain.UnknownDecision"
    assert state["Next"] == "Record failure"


def test_terminal_states(definition: dict[str, Any]) -> None:
    assert definition["States"]["Done"] == {"Type": "Succeed"}
    failed = definition["States"]["Execution failed"]
    assert failed["Type"] == "Fail" and failed["Error"] == "GtChain.ExecutionFailed"


def test_no_execution_ends_silently(definition: dict[str, Any]) -> None:
    """Every path that is not a Succeed passes through a Record state or ends in a Fail
    reached only through Record failure: walk the graph from StartAt."""
    states = definition["States"]
    reached_fail_from = {
        name
        for name, s in states.items()
        if s.get("Next") == "Execution failed" or s.get("Default") == "Execution failed"
    }
    assert reached_fail_from == {"Record failure"}
    for name, state in states.items():
        if state["Type"] == "Task" and name != "Record failure":
            assert state.get("Catch") == CATCH_ALL, name


def test_standard_type_logging_and_tracing(template: dict[str, Any], machine: dict[str, Any]) -> None:
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    logging = machine["LoggingConfiguration"]
    assert logging["Level"] == "ERROR"
    assert logging["IncludeExecutionData"] is False
    log_group_id = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert template["Resources"][log_group_id]["Type"] == "AWS::Logs::LogGroup"
    assert "StateMachineName" not in machine  # generated physical name
