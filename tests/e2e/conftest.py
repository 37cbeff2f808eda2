"""The e2e tier: the app deployed into the offline sandbox with the real CDK CLI, once.

Every scenario's root job is created up front and the chains run concurrently (the
simulated workforce advances all jobs each tick), so the tier costs about one deploy plus
the longest chain, not their sum.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gtchain_sandbox import Sandbox
from gtchain_sandbox.labeling.workforce import JobBehaviour
from gtchain_sandbox.scenarios import (
    IGNORED,
    SCENARIOS,
    Scenario,
    ScenarioResult,
    ScenarioRunner,
    guard_rail,
)
from stacks.config import load_projects
from tests.integration.handler_env import state_change_event

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECTS_FILE = REPO_ROOT / "projects.json"

# Scenarios only the e2e tier plays: duplicate delivery of the final event.
DUPLICATE_EVENT = Scenario(
    name="duplicate-event",
    description="The stopped event is delivered twice: exactly one chained job",
    root_job="Streetscenes-Duplicate-Event",
    objects=600,
    behaviour=JobBehaviour(stop_after=200, duplicate_final_event=True),
)
RACE = Scenario(
    name="racing-executions",
    description="Two more executions race the event-driven one for the same stopped job",
    root_job="Streetscenes-Racing",
    objects=600,
    behaviour=JobBehaviour(stop_after=200),
)

# A job of no project of ours: ignored today (its name lacks the prefix), so the runner's
# IGNORED watch is exercised whatever the ownership rule for "StreetscenesV2-" becomes.
ANOTHER_PROJECT = guard_rail(
    "another-project",
    "A stopped job of another project: gtchain leaves it alone",
    "Vineyards-Job1",
    objects=200,
    expected_decision=IGNORED,
)


def e2e_scenarios() -> dict[str, Scenario]:
    """The demo's scenarios on smaller datasets (automated labeling keeps >= 1,250 objects);
    the seed itself is played at full size, as the demo does."""
    played = dict(SCENARIOS)
    smaller = {
        "non-al-to-al": {"objects": 1600, "behaviour": JobBehaviour(stop_after=400)},
        "al-to-non-al": {"objects": 1600, "behaviour": JobBehaviour(stop_after=600)},
        "al-to-al": {"objects": 1600, "behaviour": JobBehaviour(stop_after=600)},
        "third-party-to-non-al": {"objects": 800, "pre_labeled": 300},
        "third-party-to-al": {"objects": 1600, "pre_labeled": 300},
        "failed-retryable": {"objects": 800, "behaviour": JobBehaviour(fail_after=300)},
        "expired-and-failed-objects": {"objects": 800},
        "config-failure": {"objects": 200},
        # max_depth + 1 jobs of 100 labels each leave objects unlabeled: the chain must give up.
        "max-depth": {"objects": 1200, "behaviour": JobBehaviour(stop_after=100)},
    }
    for name, changes in smaller.items():
        played[name] = dataclasses.replace(SCENARIOS[name], **changes)
    return {
        **played,
        DUPLICATE_EVENT.name: DUPLICATE_EVENT,
        RACE.name: RACE,
        ANOTHER_PROJECT.name: ANOTHER_PROJECT,
    }


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture(scope="session")
def deployed(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = load_projects(PROJECTS_FILE)[0]
    outputs = sandbox.deploy(projects_file=PROJECTS_FILE, stacks=[project.stack_name])[project.stack_name]
    return {"project": project, "outputs": outputs}


@pytest.fixture(scope="session")
def runner(sandbox: Sandbox, deployed: dict[str, Any]) -> ScenarioRunner:
    return ScenarioRunner(sandbox, deployed["outputs"], deployed["project"].labeling_role_arn)


@pytest.fixture(scope="session")
def played(
    sandbox: Sandbox, runner: ScenarioRunner, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, ScenarioResult]:
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
    return {
        name: runner.wait(scenario, timeout=240, download_to=downloads)
        for name, scenario in scenarios.items()
    }


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
    """The fault suite (tests/e2e/fault_play.py), played once."""
    from tests.e2e.fault_play import play_faults

    return play_faults(
        sandbox, runner, deployed["project"].stack_name, deployed["outputs"]["LedgerTableName"]
    )
