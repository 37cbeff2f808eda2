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

from gtchain.checkout_app import checkout_app
from gtchain.demo.runner import ScenarioResult, ScenarioRunner
from gtchain.demo.scenarios import IGNORED, SCENARIOS, Scenario, guard_rail
from gtchain.sandbox import Sandbox
from gtchain.sandbox.errors import SandboxError
from gtchain.sandbox.groundtruth import JobBehaviour
from gtchain.sandbox.groundtruth.variants import every_variant
from gtchain_cdk.config import load_projects
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


# The three triggers of a chain, each played under every Ground Truth variant that bears on it
# (gtchain/sandbox/groundtruth/variants.py) on a small dataset: gtchain must end with the same
# result under all. A failed root job carries a retryable text of the FailureReason corpus.
VARIANT_OBJECTS = 300
VARIANT_SLUGS = {
    "default": "Default",
    "final_manifest=absent": "NoFinal",
    "final_manifest=described-missing": "FinalMissing",
    "expired_tasks=failure-reason": "ExpiredFail",
    "arn_case=as-named": "ArnAsNamed",
}
CORPUS_RETRYABLE_REASON = 2  # "ClientError: The labeling job exceeded the maximum duration of 30 days."
# The default variants are what the demo's own stopped, failed-retryable and expired scenarios
# play; the IAM problem of arn_case=as-named (tests/e2e/test_variants.py) shows on one trigger.
VARIANT_TRIGGERS: dict[str, tuple[JobBehaviour, tuple[str, ...]]] = {
    "stop": (
        JobBehaviour(stop_after=100),
        ("final_manifest=absent", "final_manifest=described-missing", "arn_case=as-named"),
    ),
    "fail": (JobBehaviour(fail_after=100), ("final_manifest=absent", "final_manifest=described-missing")),
    "expire": (JobBehaviour(expire_share=0.15, object_failure_share=0.05), ("expired_tasks=failure-reason",)),
}


def variant_scenarios() -> dict[str, tuple[Scenario, str]]:
    """name -> (scenario, variant id) for every trigger and variant of VARIANT_TRIGGERS."""
    played: dict[str, tuple[Scenario, str]] = {}
    for trigger, (behaviour, variant_ids) in VARIANT_TRIGGERS.items():
        for variant_id in variant_ids:
            variants = every_variant()[variant_id]
            if trigger == "fail":
                variants = dataclasses.replace(variants, failure_reason=CORPUS_RETRYABLE_REASON)
            name = f"{trigger}/{variant_id}"
            played[name] = (
                Scenario(
                    name=name,
                    description=f"{trigger} under the Ground Truth variant {variant_id}",
                    root_job=f"Streetscenes-{trigger.capitalize()}-{VARIANT_SLUGS[variant_id]}",
                    objects=VARIANT_OBJECTS,
                    behaviour=behaviour,
                    variants=variants,
                ),
                variant_id,
            )
    return played


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
        **{name: scenario for name, (scenario, _) in variant_scenarios().items()},
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
    """The fault suite (tests/e2e/fault_play.py), played once."""
    from tests.e2e.fault_play import play_faults

    return play_faults(
        sandbox, runner, deployed["project"].stack_name, deployed["outputs"]["LedgerTableName"]
    )
