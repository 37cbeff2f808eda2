"""Guard rails through the handlers (issue 9): identity, workforce, budget, ownership, cost figures."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import pytest

from gtchain.cli import job_cmd, main
from gtchain_runtime.handlers.observability import chain_context
from gtchain_runtime.settings import get_settings
from tests.support.chain_steps import execute, run_until_finished, s3_text
from tests.support.handler_env import BUCKET, ROLE, ProjectAws, state_change_event

ROOT = "Streetscenes-Job1"
CHILD = f"{ROOT}-chain-1"
PUBLIC_CROWD = "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"
PRIVATE_TEAM = "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/streetscenes"


def configure(monkeypatch: pytest.MonkeyPatch, **environment: str) -> None:
    """Change the project's settings (the Lambdas' environment) for this test."""
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    chain_context.cache_clear()


def finished_root(project: ProjectAws, objects: int = 50, **behaviour: Any) -> dict[str, Any]:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(ROOT, JobBehaviour(**behaviour))
    project.create_root_job(ROOT, objects)
    return run_until_finished(project, ROOT)


def run(root: dict[str, Any], event_id: str = "event-root") -> dict[str, Any]:
    return execute(state_change_event(root["LabelingJobArn"], root["LabelingJobStatus"], event_id))


# Identity ---------------------------------------------------------------------------------


def test_a_parent_on_another_role_is_given_up_naming_both_roles(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_role = "arn:aws:iam::123456789012:role/StreetscenesLabeling"
    configure(monkeypatch, LABELING_ROLE_ARN=project_role)
    state = run(finished_root(project_aws, stop_after=30))
    plan = state["plan"]
    assert plan["decision"] == "GIVE_UP" and plan["request"] is None and "child" not in state
    assert ROLE in plan["reason"] and project_role in plan["reason"]
    (message,) = project_aws.notifications()
    assert ROLE in message["Message"] and project_role in message["Message"]


def test_the_child_runs_as_the_projects_role_and_work_team(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, WORKTEAM_ARN=PUBLIC_CROWD)
    state = run(finished_root(project_aws, stop_after=30))
    assert state["plan"]["decision"] == "CHAIN", state["plan"]["reason"]
    child = project_aws.sagemaker.describe_labeling_job(LabelingJobName=CHILD)
    assert child["RoleArn"] == ROLE
    assert child["HumanTaskConfig"]["WorkteamArn"] == PUBLIC_CROWD


def test_a_parent_on_another_work_team_than_the_configured_one_is_given_up(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, WORKTEAM_ARN=PRIVATE_TEAM)
    plan = run(finished_root(project_aws, stop_after=30))["plan"]
    assert plan["decision"] == "GIVE_UP"
    assert PRIVATE_TEAM in plan["reason"] and PUBLIC_CROWD in plan["reason"]


# Workforce --------------------------------------------------------------------------------


def test_the_public_crowd_without_the_opt_in_is_given_up(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ALLOW_EXTERNAL_WORKFORCE="false")
    state = run(finished_root(project_aws, stop_after=30))
    assert state["plan"]["decision"] == "GIVE_UP" and state["record"]["gave_up"] is True
    assert "public crowd" in state["plan"]["reason"]
    assert "allow_external_workforce=false" in state["plan"]["reason"]


def test_the_public_crowd_with_the_opt_in_chains_at_the_parents_task_price(project_aws: ProjectAws) -> None:
    state = run(finished_root(project_aws, stop_after=30))
    assert state["plan"]["decision"] == "CHAIN", state["plan"]["reason"]
    assert "$0.036 per task x 3 workers" in state["plan"]["workforce_note"]
    child = project_aws.sagemaker.describe_labeling_job(LabelingJobName=CHILD)
    assert child["HumanTaskConfig"]["PublicWorkforceTaskPrice"] == {
        "AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}
    }
    (message,) = project_aws.notifications()
    assert "$0.036 per task x 3 workers per object = $0.108 per object" in message["Message"]


# Budget -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "behaviour",
    [{"stop_after": 30}, {"expire_share": 0.4}],
    ids=["ends-stopped", "ends-completed"],
)
def test_a_spent_budget_is_a_stop_with_the_counts(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch, behaviour: dict[str, Any]
) -> None:
    configure(monkeypatch, CHAIN_HUMAN_LABEL_BUDGET="30")
    root = finished_root(project_aws, **behaviour)
    assert root["LabelCounters"]["HumanLabeled"] == 30
    state = run(root)
    plan = state["plan"]
    assert plan["decision"] == "GIVE_UP" and "child" not in state
    assert "budget reached: 30 human-labeled objects spent of a budget of 30" in plan["reason"]
    assert "20 objects remaining" in plan["reason"]


def test_the_child_may_label_only_what_is_left_of_the_budget(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, CHAIN_HUMAN_LABEL_BUDGET="40")
    state = run(finished_root(project_aws, stop_after=30))
    plan = state["plan"]
    assert plan["decision"] == "CHAIN", plan["reason"]
    # The root's MaxPercentageOfInputDatasetLabeled (100) is folded in and dropped.
    assert plan["request"]["StoppingConditions"] == {"MaxHumanLabeledObjectCount": 10}
    child = project_aws.sagemaker.describe_labeling_job(LabelingJobName=CHILD)
    assert child["StoppingConditions"] == {"MaxHumanLabeledObjectCount": 10}
    assert "stops after 10 human-labeled objects" in project_aws.notifications()[0]["Message"]


# Ownership --------------------------------------------------------------------------------


def test_a_job_of_a_longer_prefix_is_not_ours(project_aws: ProjectAws) -> None:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure("StreetscenesV2-Job1", JobBehaviour(stop_after=5))
    project_aws.create_root_job("StreetscenesV2-Job1", 10)
    other = run_until_finished(project_aws, "StreetscenesV2-Job1")
    state = run(other)
    assert state["inspection"]["relevant"] is False and "plan" not in state
    assert "not a job of project streetscenes" in state["inspection"]["reason"]


def forge_lineage(project: ProjectAws, job: dict[str, Any]) -> None:
    """Tag a job as if it were ROOT's first child: anyone allowed to tag jobs can."""
    tags = {"gtchain:root": ROOT, "gtchain:parent": ROOT, "gtchain:depth": "1"}
    project.sagemaker.add_tags(
        ResourceArn=job["LabelingJobArn"], Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


def test_forged_lineage_tags_are_not_trusted(project_aws: ProjectAws) -> None:
    forged = "Streetscenes-Forged"
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(forged, JobBehaviour(stop_after=5))
    project_aws.create_root_job(forged, 10)
    job = run_until_finished(project_aws, forged)
    forge_lineage(project_aws, job)
    state = run(job, "event-forged")
    assert state["inspection"]["relevant"] is False
    assert f"records no child for {ROOT}" in state["inspection"]["reason"]
    assert project_aws.notifications() == []


def test_a_child_confirmed_by_the_ledger_is_ours_and_a_forged_sibling_is_not(project_aws: ProjectAws) -> None:
    first = run(finished_root(project_aws, stop_after=30))
    assert first["child"]["created"] is True
    child = run_until_finished(project_aws, CHILD)
    assert run(child, "event-child")["inspection"]["relevant"] is True

    forged = f"{ROOT}-chain-7"
    project_aws.create_root_job(forged, 5)
    job = run_until_finished(project_aws, forged)
    forge_lineage(project_aws, job)
    inspection = run(job, "event-forged")["inspection"]
    assert inspection["relevant"] is False and f"records child {CHILD}" in inspection["reason"]


@pytest.mark.parametrize("command", ["resume", "plan"])
def test_the_cli_refuses_a_job_of_another_project_in_one_line(
    project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    monkeypatch.setattr(job_cmd, "context_for", lambda stack: chain_context())
    monkeypatch.setattr(sys, "argv", ["gtchain", "job", command, "StreetscenesV2-Job1"])
    with pytest.raises(SystemExit) as exited:
        main.app()
    assert exited.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: StreetscenesV2-Job1 is not a job of project streetscenes: its name must be "
        "'Streetscenes' or start with 'Streetscenes-' (case-insensitive)"
    ]


# Cost -------------------------------------------------------------------------------------


def test_the_final_report_and_notifications_state_labels_and_money(project_aws: ProjectAws) -> None:
    run(finished_root(project_aws, stop_after=30))
    chained = project_aws.notifications()[0]["Message"]
    assert (
        f"{ROOT}: human-labeled 30, machine-labeled 0, never re-sent 0, spent $3.24, saved $0.00" in chained
    )

    child = run_until_finished(project_aws, CHILD)
    second = run(child, "event-child")
    assert second["plan"]["decision"] == "COMPLETE", second["plan"]["reason"]
    report = json.loads(s3_text(project_aws, second["final"]["report_uri"]))
    per_object = Decimal("0.108")
    jobs = {job["job_name"]: job for job in report["cost"]["jobs"]}
    assert jobs[CHILD]["human_labeled"] == 20 and jobs[CHILD]["never_resent"] == 30
    assert Decimal(jobs[CHILD]["saved_usd"]) == (30 * per_object).quantize(Decimal("0.01"))
    assert report["cost"]["total"] == {
        "human_labeled": 50,
        "machine_labeled": 0,
        "never_resent": 30,
        "spent_usd": "5.40",
        "saved_usd": "3.24",
        "unpriced_jobs": [],
    }
    completed = project_aws.notifications()[0]["Message"]
    assert "Chain total: human-labeled 50, machine-labeled 0, never re-sent 30, spent $5.40" in completed
    assert report["final_manifest_uri"].startswith(f"s3://{BUCKET}/chains/{ROOT}/final/")
