"""End to end: real executions of the deployed app, asserted on manifests and the ledger."""

from __future__ import annotations

from typing import Any

import pytest

from gtchain.demo.runner import ScenarioResult
from gtchain.demo.scenarios import THIRD_PARTY_ATTRIBUTE
from tests.support.deployed_reads import decisions_by_job, manifest_records, notifications
from tests.support.e2e_scenarios import e2e_scenarios

pytestmark = pytest.mark.e2e

ACCOUNT, REGION = "123456789012", "us-east-1"
RESUMED_TO_COMPLETION = [
    "streetscenes",
    "non-al-to-al",
    "al-to-non-al",
    "al-to-al",
    "third-party-to-non-al",
    "third-party-to-al",
    "failed-retryable",
    "expired-and-failed-objects",
]


@pytest.mark.parametrize("name", RESUMED_TO_COMPLETION)
def test_chain_resumes_the_job_and_ends_with_every_object_labeled(
    name: str, played: dict[str, ScenarioResult]
) -> None:
    result = played[name]
    scenario = e2e_scenarios()[name]
    root, child = scenario.root_job, f"{scenario.root_job}-chain-1"

    assert [job["name"] for job in result.jobs] == [root, child]
    assert decisions_by_job(result) == {root: "CHAIN", child: "COMPLETE"}
    assert result.final_decision == "COMPLETE"
    assert result.total_objects == scenario.objects
    assert result.labeled_objects == scenario.objects

    records = manifest_records(result.final_manifest or "")
    assert len(records) == scenario.objects
    assert len({r["source-ref"] for r in records}) == scenario.objects
    assert all(
        scenario.attribute in r and "failure-reason" not in r[f"{scenario.attribute}-metadata"]
        for r in records
    )

    # Chaining never sends a labeled object to workers again: the child labels exactly the rest.
    root_job, child_job = result.jobs
    produced_by_root = root_job["counters"]["HumanLabeled"] + root_job["counters"]["MachineLabeled"]
    produced_by_child = child_job["counters"]["HumanLabeled"] + child_job["counters"]["MachineLabeled"]
    assert produced_by_root + produced_by_child + scenario.pre_labeled == scenario.objects
    assert (result.report or {})["never_resent"] >= produced_by_root + scenario.pre_labeled
    assert child_job["input_manifest"].endswith(f"chains/{root}/{child}/input.manifest")


def test_seed_scenario_resumes_streetscenes_after_1000_labels(played: dict[str, ScenarioResult]) -> None:
    result = played["streetscenes"]
    root_job, child_job = result.jobs
    assert root_job["status"] == "Stopped"
    assert root_job["counters"]["HumanLabeled"] == 1000
    assert child_job["status"] == "Completed"
    assert child_job["counters"]["HumanLabeled"] == 3547 - 1000
    assert not child_job["automated"]
    assert result.labeled_objects == 3547
    # final/report.json: the jobs by name and what each did, in chain order.
    report = result.report or {}
    assert report["jobs"] == [root_job["name"], child_job["name"]]
    root_counts, child_counts = report["job_counts"]
    assert (root_counts["job"], root_counts["new_labels"], root_counts["unlabeled"]) == (
        root_job["name"],
        1000,
        3547 - 1000,
    )
    assert (child_counts["job"], child_counts["new_labels"], child_counts["carried_labels"]) == (
        child_job["name"],
        3547 - 1000,
        1000,
    )


def test_automated_labeling_modes(played: dict[str, ScenarioResult]) -> None:
    non_al_to_al = played["non-al-to-al"].jobs
    assert not non_al_to_al[0]["automated"] and non_al_to_al[1]["automated"]
    assert non_al_to_al[1]["counters"]["MachineLabeled"] > 0

    al_to_non_al = played["al-to-non-al"].jobs
    assert al_to_non_al[0]["automated"] and not al_to_non_al[1]["automated"]
    assert al_to_non_al[1]["counters"]["MachineLabeled"] == 0

    al_to_al = played["al-to-al"].jobs
    assert al_to_al[0]["final_model"], "the stopped AL job reported its model"
    assert al_to_al[1]["initial_model"] == al_to_al[0]["final_model"], "the child reuses the parent's model"


@pytest.mark.parametrize("name", ["third-party-to-non-al", "third-party-to-al"])
def test_third_party_labels_survive_untouched(name: str, played: dict[str, ScenarioResult]) -> None:
    scenario = e2e_scenarios()[name]
    records = manifest_records(played[name].final_manifest or "")
    third_party = [
        r
        for r in records
        if r[f"{THIRD_PARTY_ATTRIBUTE}-metadata"]["job-name"].endswith(THIRD_PARTY_ATTRIBUTE)
    ]
    assert len(third_party) == scenario.pre_labeled


def test_failed_objects_and_expired_tasks_are_sent_again(played: dict[str, ScenarioResult]) -> None:
    result = played["expired-and-failed-objects"]
    root_job, child_job = result.jobs
    assert root_job["status"] == "Completed"
    left_by_root = root_job["counters"]["FailedNonRetryableError"] + root_job["counters"]["Unlabeled"]
    assert left_by_root > 0
    assert child_job["counters"]["HumanLabeled"] == left_by_root


def test_configuration_failure_gives_up_notifies_and_resumes_nothing(
    played: dict[str, ScenarioResult], deployed: dict[str, Any]
) -> None:
    result = played["config-failure"]
    root = e2e_scenarios()["config-failure"].root_job
    assert [job["name"] for job in result.jobs] == [root]
    assert decisions_by_job(result) == {root: "GIVE_UP"}
    assert "access" in result.final_reason.lower() or "permission" in result.final_reason.lower()
    sent = notifications(deployed["outputs"]["TopicArn"])
    assert any(root in (subject or "") + message for subject, message in sent)


def test_chain_gives_up_at_max_depth(played: dict[str, ScenarioResult], deployed: dict[str, Any]) -> None:
    result = played["max-depth"]
    max_depth = deployed["project"].policy.max_depth
    assert len(result.jobs) == max_depth + 1
    decisions = decisions_by_job(result)
    deepest = result.jobs[-1]["name"]
    assert decisions.pop(deepest) == "GIVE_UP"
    assert set(decisions.values()) == {"CHAIN"}
    assert "depth" in result.final_reason.lower()


@pytest.mark.parametrize("name", ["duplicate-event", "racing-executions"])
def test_repeated_or_racing_executions_create_one_child(name: str, played: dict[str, ScenarioResult]) -> None:
    result = played[name]
    root = e2e_scenarios()[name].root_job
    assert [job["name"] for job in result.jobs] == [root, f"{root}-chain-1"]
    assert [d["job_name"] for d in result.decisions].count(root) == 1
    assert result.labeled_objects == result.total_objects == e2e_scenarios()[name].objects
