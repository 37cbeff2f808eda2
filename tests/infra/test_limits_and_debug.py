"""Reserved concurrency of the manifest functions, and the debug switches (off by default)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gtchain_cdk.config import parse_projects
from gtchain_cdk.state_machine import LAMBDA_THROTTLED, THROTTLE_RETRY_ATTEMPTS
from tests.support.synth import EXAMPLE_PROJECT, Synthesized, only_resource, resources_of, synthesize

PROJECTS = ["streetscenes", "pedestrians"]


def _functions_by_module(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f["Properties"]["Handler"].split(".")[-2]: f["Properties"]
        for f in resources_of(template, "AWS::Lambda::Function").values()
    }


@pytest.fixture(scope="module")
def debugging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    project = {
        **EXAMPLE_PROJECT,
        "limits": {"manifest_concurrency": 2},
        "debug": {"capture_responses": True, "execution_data_in_logs": True},
    }
    yield synthesize(tmp_path_factory.mktemp("cdk-out-debug"), parse_projects({"projects": [project]}))


@pytest.mark.parametrize("project", PROJECTS)
def test_manifest_functions_have_a_reserved_concurrency(synthesized: Synthesized, project: str) -> None:
    for module, props in _functions_by_module(synthesized.templates[project]).items():
        if module in {"plan_chain", "finalize_chain"}:
            assert props["ReservedConcurrentExecutions"] == 5, module
        else:
            assert "ReservedConcurrentExecutions" not in props, module


def test_reserved_concurrency_follows_the_config(debugging: Synthesized) -> None:
    by_module = _functions_by_module(debugging.templates["streetscenes"])
    assert by_module["plan_chain"]["ReservedConcurrentExecutions"] == 2
    assert by_module["finalize_chain"]["ReservedConcurrentExecutions"] == 2


def test_throttled_invocations_wait_in_the_state_machine(synthesized: Synthesized) -> None:
    """A throttled plan or finalize is retried (queued behind the reserved concurrency) by its
    own retrier, evaluated before the transient-error one; see docs/architecture.md."""
    import json

    _, machine = only_resource(synthesized.templates["streetscenes"], "AWS::StepFunctions::StateMachine")
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    definition = json.loads("".join(p if isinstance(p, str) else "0" for p in parts))
    for name in ("Plan chain", "Finalize chain"):
        throttled, transient = definition["States"][name]["Retry"]
        assert throttled["ErrorEquals"] == [LAMBDA_THROTTLED]
        assert throttled["MaxAttempts"] == THROTTLE_RETRY_ATTEMPTS
        assert LAMBDA_THROTTLED not in transient["ErrorEquals"]


@pytest.mark.parametrize("project", PROJECTS)
def test_debug_switches_are_off_by_default(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    for props in _functions_by_module(template).values():
        variables = props["Environment"]["Variables"]
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
        assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "true"
    _, machine = only_resource(template, "AWS::StepFunctions::StateMachine")
    logging = machine["Properties"]["LoggingConfiguration"]
    assert (logging["Level"], logging["IncludeExecutionData"]) == ("ERROR", False)


def test_debug_switches_turn_on_responses_and_execution_data(debugging: Synthesized) -> None:
    template = debugging.templates["streetscenes"]
    for props in _functions_by_module(template).values():
        variables = props["Environment"]["Variables"]
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "true"
        assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "true"
    _, machine = only_resource(template, "AWS::StepFunctions::StateMachine")
    logging = machine["Properties"]["LoggingConfiguration"]
    assert (logging["Level"], logging["IncludeExecutionData"]) == ("ALL", True)


@pytest.mark.parametrize("limit", [0, 101])
def test_manifest_concurrency_is_bounded(limit: int) -> None:
    from gtchain_cdk.config import ConfigError

    with pytest.raises(ConfigError, match=r"limits\.manifest_concurrency"):
        parse_projects({"projects": [{**EXAMPLE_PROJECT, "limits": {"manifest_concurrency": limit}}]})
