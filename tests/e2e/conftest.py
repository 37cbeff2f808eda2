"""The e2e tier: the app deployed into the offline sandbox with the real CDK CLI, once.

Every scenario's root job is created up front and the chains run concurrently (the
simulated workforce advances all jobs each tick), so the tier costs about one deploy plus
the longest chain, not their sum.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gtchain.checkout_app import checkout_app
from gtchain.demo.runner import ScenarioResult, ScenarioRunner
from gtchain.sandbox import Sandbox
from gtchain.sandbox.errors import SandboxError
from gtchain_cdk.config import load_projects
from tests.support.e2e_scenarios import (
    RACE,
    e2e_scenarios,
)
from tests.support.handler_env import state_change_event

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECTS_FILE = REPO_ROOT / "projects.json"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture(scope="session")
def deployed(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = load_projects(PROJECTS_FILE)[0]
    outputs = sandbox.deploy(checkout_app(), projects_file=PROJECTS_FILE, stacks=[project.stack_name])[
        project.stack_name
    ]
    return {"project": project, "outputs": outputs}


@pytest.fixture(scope="session")
def runner(sandbox: Sandbox, deployed: dict[str, Any]) -> ScenarioRunner:
    return ScenarioRunner(sandbox, deployed["outputs"], deployed["project"].labeling_role_arn)


@pytest.fixture(scope="session")
def played(
    sandbox: Sandbox, runner: ScenarioRunner, tmp_path_factory: pytest.TempPathFactory
) -> PlayedResults:
    """Start every scenario, then collect each chain's result."""
    scenarios = e2e_scenarios()
    for scenario in scenarios.values():
        runner.start(scenario)
    racer = threading.Thread(
        target=race_when_stopped, args=(sandbox, runner.state_machine_arn, RACE.root_job), daemon=True
    )
    racer.start()
    sandbox.workforce.start()
    racer.join(timeout=120)
    downloads = tmp_path_factory.mktemp("final-manifests")
    results = PlayedResults()
    for name, scenario in scenarios.items():
        try:
            results[name] = runner.wait(scenario, timeout=240, download_to=downloads)
        except SandboxError as error:  # that scenario's tests fail with it; the others still run
            results[name] = error
    return results


class PlayedResults(dict[str, ScenarioResult | SandboxError]):
    """Each scenario's result, or the error that ended its chain (raised when it is looked up)."""

    def __getitem__(self, name: str) -> ScenarioResult:
        value = super().__getitem__(name)
        if isinstance(value, SandboxError):
            raise value
        return value


def race_when_stopped(sandbox: Sandbox, state_machine_arn: str, job_name: str) -> None:
    """As soon as the job stops, start two more executions with its event, concurrently with
    the one EventBridge starts: gtchain must still create exactly one chained job."""
    sagemaker, stepfunctions = sandbox.client("sagemaker"), sandbox.client("stepfunctions")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        described = sagemaker.describe_labeling_job(LabelingJobName=job_name)
        if described["LabelingJobStatus"] == "Stopped":
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"{job_name} never stopped")

    def start(attempt: int) -> None:
        event = state_change_event(described["LabelingJobArn"], "Stopped", f"race-{attempt}")
        stepfunctions.start_execution(
            stateMachineArn=state_machine_arn, name=f"race-{attempt}", input=json.dumps(event)
        )

    racers = [threading.Thread(target=start, args=(attempt,)) for attempt in (1, 2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()


@pytest.fixture(scope="session")
def faulted(sandbox: Sandbox, runner: ScenarioRunner, deployed: dict[str, Any]) -> Any:
    """The fault suite (tests/support/fault_play.py), played once."""
    from tests.support.fault_play import play_faults

    return play_faults(
        sandbox, runner, deployed["project"].stack_name, deployed["outputs"]["LedgerTableName"]
    )
