"""The "resume labeling job" state machine: its synthesized definition against a checked-in
snapshot (tests/infra/snapshots/state_machine.json), plus the properties no edit may break.

The snapshot is the definition of the example project's stack, normalised so that it changes
only when the states change: each Lambda function is named by its handler module
(`<function:plan_chain>`), any other resource by its type; no logical ids, hashes or tokens.
After an intended change of the state machine, refresh it and review the diff:

    GTCHAIN_UPDATE_SNAPSHOTS=1 python -m pytest -q tests/infra/test_state_machine.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gtchain_runtime.domain.policy import Decision
from tests.support.synth import Synthesized, only_resource, resources_of

SNAPSHOT = Path(__file__).parent / "snapshots" / "state_machine.json"
UPDATE_SNAPSHOTS = os.environ.get("GTCHAIN_UPDATE_SNAPSHOTS") == "1"
THROTTLED = "Lambda.TooManyRequestsException"


@pytest.fixture(scope="module")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.templates["streetscenes"]


@pytest.fixture(scope="module")
def machine(template: dict[str, Any]) -> dict[str, Any]:
    return only_resource(template, "AWS::StepFunctions::StateMachine")[1]["Properties"]


def normalised_definition(template: dict[str, Any], machine: dict[str, Any]) -> dict[str, Any]:
    """The definition with every reference to a resource rendered by what it is, not its id."""
    modules = {
        logical_id: resource["Properties"]["Handler"].split(".")[-2]
        for logical_id, resource in resources_of(template, "AWS::Lambda::Function").items()
    }

    def render(part: Any) -> str:
        if isinstance(part, str):
            return part
        reference = part.get("Fn::GetAtt", [None])[0] or part.get("Ref")
        if reference in modules:
            return f"<function:{modules[reference]}>"
        if reference in template["Resources"]:
            return f"<{template['Resources'][reference]['Type']}>"
        if isinstance(reference, str) and reference.startswith("AWS::"):
            return f"<{reference}>"
        raise AssertionError(f"unexpected token in the definition: {part}")

    delimiter, parts = machine["DefinitionString"]["Fn::Join"]
    definition: dict[str, Any] = json.loads(delimiter.join(render(part) for part in parts))
    return definition


@pytest.fixture(scope="module")
def definition(template: dict[str, Any], machine: dict[str, Any]) -> dict[str, Any]:
    return normalised_definition(template, machine)


def test_the_definition_is_the_snapshot(definition: dict[str, Any]) -> None:
    rendered = json.dumps(definition, indent=2, sort_keys=True) + "\n"
    if UPDATE_SNAPSHOTS:
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.exists(), f"no snapshot yet: run with GTCHAIN_UPDATE_SNAPSHOTS=1 to write {SNAPSHOT}"
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == definition, (
        f"the state machine changed: if intended, refresh {SNAPSHOT.name} with GTCHAIN_UPDATE_SNAPSHOTS=1 "
        "and review its diff"
    )


def test_lambda_tasks_get_the_whole_state_and_store_their_result(definition: dict[str, Any]) -> None:
    for name, state in definition["States"].items():
        if state["Type"] == "Task" and state["Resource"].startswith("<function:"):
            assert not {"Parameters", "InputPath", "OutputPath"} & set(state), name
            assert state["ResultPath"].startswith("$."), name


def test_throttling_is_retried_first_and_within_the_execution_timeout(definition: dict[str, Any]) -> None:
    """Executions queue in the throttling retry when the manifest functions' reserved concurrency
    is taken; its longest wait must end before the execution times out."""
    timeout = definition["TimeoutSeconds"]
    for name, state in definition["States"].items():
        if state["Type"] != "Task":
            continue
        throttle = state["Retry"][0]
        assert throttle["ErrorEquals"] == [THROTTLED], name
        delays = [
            min(throttle["IntervalSeconds"] * throttle["BackoffRate"] ** attempt, throttle["MaxDelaySeconds"])
            for attempt in range(throttle["MaxAttempts"])
        ]
        assert sum(delays) < timeout, f"{name}: {sum(delays)} s of retries past the {timeout} s timeout"


def test_every_decision_has_its_branch_and_anything_else_is_a_failure(definition: dict[str, Any]) -> None:
    state = definition["States"]["Decide"]
    assert {choice["StringEquals"] for choice in state["Choices"]} == {d.value for d in Decision}
    unknown = definition["States"][state["Default"]]
    assert unknown["Type"] == "Pass" and unknown["Next"] == "Record failure"


def test_no_execution_ends_silently(definition: dict[str, Any]) -> None:
    """Every task but Record failure is caught into Record failure; a Fail state is reached
    only through Record failure."""
    states = definition["States"]
    reached_fail_from = {
        name
        for name, s in states.items()
        if states.get(s.get("Next", ""), {}).get("Type") == "Fail"
        or states.get(s.get("Default", ""), {}).get("Type") == "Fail"
    }
    assert reached_fail_from == {"Record failure"}
    for name, state in states.items():
        if state["Type"] == "Task" and name != "Record failure":
            assert [c["ErrorEquals"] for c in state["Catch"]] == [["States.ALL"]], name
            assert state["Catch"][0]["Next"] == "Record failure", name
    assert "Catch" not in states["Record failure"]  # its own failure fails the execution, never loops


def test_standard_type_logging_and_tracing(template: dict[str, Any], machine: dict[str, Any]) -> None:
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    logging = machine["LoggingConfiguration"]
    assert logging["Level"] == "ERROR"
    assert logging["IncludeExecutionData"] is False
    log_group_id = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert template["Resources"][log_group_id]["Type"] == "AWS::Logs::LogGroup"
    assert "StateMachineName" not in machine  # generated physical name
