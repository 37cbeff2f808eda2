"""The scenarios' root jobs: valid requests on the workforce, role and budget each scenario is about."""

from __future__ import annotations

from typing import Any

import pytest

from gtchain.demo.scenarios import (
    IGNORED,
    OTHER_TEAM_ROLE,
    PRIVATE_WORKTEAM,
    PUBLIC_CROWD,
    SCENARIOS,
    root_job_request,
)
from gtchain.sandbox.groundtruth.validation.requests import validate_create_semantics, validate_request

PROJECT_ROLE = "arn:aws:iam::123456789012:role/GroundTruthLabelingRole"
BUCKET = "gtchain-streetscenes"


def request_of(name: str) -> dict[str, Any]:
    return root_job_request(
        SCENARIOS[name], BUCKET, PROJECT_ROLE, f"s3://{BUCKET}/inputs/{name}/dataset.manifest"
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_root_job_request_is_valid_for_the_service_model(name: str) -> None:
    request = request_of(name)
    validate_request("CreateLabelingJob", request)
    validate_create_semantics(request)


@pytest.mark.parametrize("name", [name for name in SCENARIOS if name != "public-crowd"])
def test_root_jobs_run_on_the_private_team_without_a_task_price(name: str) -> None:
    human_task = request_of(name)["HumanTaskConfig"]
    assert human_task["WorkteamArn"] == PRIVATE_WORKTEAM
    assert "PublicWorkforceTaskPrice" not in human_task


def test_the_public_crowd_job_states_its_task_price() -> None:
    human_task = request_of("public-crowd")["HumanTaskConfig"]
    assert human_task["WorkteamArn"] == PUBLIC_CROWD
    assert human_task["PublicWorkforceTaskPrice"]["AmountInUsd"]


def test_only_the_foreign_role_scenario_passes_another_role() -> None:
    roles = {name: request_of(name)["RoleArn"] for name in SCENARIOS}
    assert roles.pop("foreign-role") == OTHER_TEAM_ROLE
    assert set(roles.values()) == {PROJECT_ROLE}


def test_budget_scenarios_set_a_human_label_budget_the_others_label_the_whole_dataset() -> None:
    for name, scenario in SCENARIOS.items():
        conditions = request_of(name)["StoppingConditions"]
        if name.startswith("budget-"):
            assert 0 < conditions["MaxHumanLabeledObjectCount"] < scenario.objects
        else:
            assert conditions == {"MaxPercentageOfInputDatasetLabeled": 100}


def test_guard_rail_scenarios_expect_a_reason_or_no_decision() -> None:
    for name in ("foreign-role", "public-crowd", "budget-reached", "budget-chain"):
        assert SCENARIOS[name].expected_decision == "GIVE_UP" and SCENARIOS[name].expected_reason
    ignored = [name for name, scenario in SCENARIOS.items() if scenario.expected_decision == IGNORED]
    assert ignored == ["other-prefix"]
    # The ignored job starts with the project's prefix: only the "-" after it tells it apart.
    other = SCENARIOS["other-prefix"].root_job.lower()
    assert other.startswith("streetscenes") and not other.startswith("streetscenes-")
