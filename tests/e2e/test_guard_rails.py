"""End to end: the guard rails of issue 9 (identity, workforce, budget, ownership).

Each guard-rail scenario's root job is played with the others (tests/e2e/conftest.py) and
asserted through the ledger, SageMaker (DescribeLabelingJob / ListLabelingJobs) and the
messages published to the project's topic. Reasons are matched on stable words only: the
role ARNs, "allow_external_workforce", "budget".
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from gtchain.demo.runner import ScenarioResult, ScenarioRunner
from gtchain.demo.scenarios import IGNORED, OTHER_TEAM_ROLE, PRIVATE_WORKTEAM, Scenario
from gtchain.sandbox import Sandbox
from tests.support.deployed_reads import decisions_by_job, listed_jobs, notifications
from tests.support.e2e_scenarios import e2e_scenarios
from tests.support.handler_env import state_change_event

pytestmark = pytest.mark.e2e

GIVEN_UP_WITHOUT_A_CHILD = ["foreign-role", "public-crowd", "budget-reached"]


def expected_words(scenario: Scenario, deployed: dict[str, Any]) -> list[str]:
    words = list(scenario.expected_reason)
    if scenario.name == "foreign-role":
        words.append(deployed["project"].labeling_role_arn)
    return words


def assert_reason_names(reason: str, words: list[str]) -> None:
    missing = [word for word in words if word.lower() not in reason.lower()]
    assert not missing, f"reason {reason!r} does not name {missing}"


def assert_notified(deployed: dict[str, Any], job: str, words: list[str]) -> None:
    sent = [
        (subject or "") + "\n" + message
        for subject, message in notifications(deployed["outputs"]["TopicArn"])
    ]
    about_job = [text for text in sent if job in text]
    assert about_job, f"no notification names {job}"
    assert any(all(word.lower() in text.lower() for word in words) for text in about_job), about_job


@pytest.mark.parametrize("name", GIVEN_UP_WITHOUT_A_CHILD)
def test_guard_rail_gives_up_names_the_rule_and_creates_no_child(
    name: str, played: dict[str, ScenarioResult], deployed: dict[str, Any], sandbox: Sandbox
) -> None:
    scenario = e2e_scenarios()[name]
    result = played[name]
    root = scenario.root_job
    words = expected_words(scenario, deployed)

    assert decisions_by_job(result) == {root: "GIVE_UP"}
    assert result.final_decision == scenario.expected_decision == "GIVE_UP"
    assert_reason_names(result.final_reason, words)
    assert [job["name"] for job in result.jobs] == [root]
    assert listed_jobs(sandbox, root) == [root]
    assert result.failures == []
    assert_notified(deployed, root, words)


def test_foreign_role_job_ran_with_the_other_teams_role(played: dict[str, ScenarioResult]) -> None:
    root_job = played["foreign-role"].jobs[0]
    assert root_job["role_arn"] == OTHER_TEAM_ROLE
    assert root_job["status"] == "Stopped"


def test_public_crowd_job_states_a_task_price(played: dict[str, ScenarioResult], sandbox: Sandbox) -> None:
    root = played["public-crowd"].root_job
    described = sandbox.client("sagemaker").describe_labeling_job(LabelingJobName=root)
    assert ":workteam/public-crowd/" in described["HumanTaskConfig"]["WorkteamArn"]
    assert described["HumanTaskConfig"]["PublicWorkforceTaskPrice"]["AmountInUsd"]


def test_budget_reached_the_workforce_stopped_the_job_at_its_budget(
    played: dict[str, ScenarioResult],
) -> None:
    scenario = e2e_scenarios()["budget-reached"]
    root_job = played["budget-reached"].jobs[0]
    assert root_job["status"] == "Stopped"
    assert root_job["stopping_conditions"] == scenario.stopping_conditions
    assert root_job["counters"]["HumanLabeled"] == scenario.stopping_conditions["MaxHumanLabeledObjectCount"]
    assert root_job["counters"]["Unlabeled"] > 0


def test_budget_chain_gives_the_child_what_is_left_of_the_budget(
    played: dict[str, ScenarioResult], deployed: dict[str, Any], sandbox: Sandbox
) -> None:
    scenario = e2e_scenarios()["budget-chain"]
    result = played["budget-chain"]
    root, child = scenario.root_job, f"{scenario.root_job}-chain-1"
    budget = scenario.stopping_conditions["MaxHumanLabeledObjectCount"]

    assert [job["name"] for job in result.jobs] == [root, child]
    assert listed_jobs(sandbox, root) == [root, child]
    root_job, child_job = result.jobs
    labeled_by_root = root_job["counters"]["HumanLabeled"]
    assert 0 < labeled_by_root < budget
    assert child_job["stopping_conditions"]["MaxHumanLabeledObjectCount"] == budget - labeled_by_root
    # The workforce stops the child at its share: the chain paid for exactly the budget.
    assert child_job["status"] == "Stopped"
    assert labeled_by_root + child_job["counters"]["HumanLabeled"] == budget
    assert decisions_by_job(result) == {root: "CHAIN", child: "GIVE_UP"}
    assert_reason_names(result.final_reason, list(scenario.expected_reason))
    assert_notified(deployed, child, list(scenario.expected_reason))


def test_a_job_of_another_prefix_is_ignored(
    played: dict[str, ScenarioResult], deployed: dict[str, Any], sandbox: Sandbox
) -> None:
    scenario = e2e_scenarios()["other-prefix"]
    result = played["other-prefix"]
    root = scenario.root_job

    assert result.final_decision == IGNORED, result.final_reason
    assert result.decisions == [] and result.failures == []
    assert [job["name"] for job in result.jobs] == [root]
    assert listed_jobs(sandbox, root) == [root]
    # Either the event rule never started an execution, or Inspect job sent it to Ignore job.
    for execution in result.executions:
        assert execution["status"] == "SUCCEEDED", execution
        assert "Ignore job" in execution["states"], execution
        assert "Plan chain" not in execution["states"], execution
    sent = notifications(deployed["outputs"]["TopicArn"])
    assert not any(root in (subject or "") + message for subject, message in sent)


def test_an_ordinary_stopped_job_on_the_private_team_still_chains(
    played: dict[str, ScenarioResult], deployed: dict[str, Any]
) -> None:
    result = played["streetscenes"]
    root_job, child_job = result.jobs
    assert decisions_by_job(result)[root_job["name"]] == "CHAIN"
    for job in (root_job, child_job):
        assert job["workteam_arn"] == PRIVATE_WORKTEAM
        assert job["role_arn"] == deployed["project"].labeling_role_arn


def test_a_job_of_another_project_is_ignored_by_every_execution(
    played: dict[str, ScenarioResult], sandbox: Sandbox, runner: ScenarioRunner
) -> None:
    result = played["another-project"]
    root = result.root_job
    assert result.final_decision == IGNORED, result.final_reason
    assert result.decisions == [] and result.failures == []
    assert listed_jobs(sandbox, root) == [root]

    # As the sweep would: an execution started with the job's own event goes to Ignore job.
    described = sandbox.client("sagemaker").describe_labeling_job(LabelingJobName=root)
    event = state_change_event(described["LabelingJobArn"], described["LabelingJobStatus"], "ignored-1")
    stepfunctions = sandbox.client("stepfunctions")
    started = stepfunctions.start_execution(
        stateMachineArn=runner.state_machine_arn, name="ignored-1", input=json.dumps(event)
    )
    deadline = time.monotonic() + 30
    while stepfunctions.describe_execution(executionArn=started["executionArn"])["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.1)
    [execution] = [item for item in runner.executions_for(root) if item["name"] == "ignored-1"]
    assert execution["status"] == "SUCCEEDED"
    assert "Ignore job" in execution["states"] and "Plan chain" not in execution["states"]
    assert listed_jobs(sandbox, root) == [root]
