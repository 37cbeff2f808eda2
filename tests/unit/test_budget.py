"""The chain's budget (domain.budget) and the budget stop in the policy."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtchain_runtime.domain.budget import BudgetCheck, check_budget
from gtchain_runtime.domain.labeling_job import LabelingJob, StoppingConditions, human_labels_spent
from gtchain_runtime.domain.policy import Decision, decide
from tests.support.described import described
from tests.support.policy import POLICY_BASE


def check(**overrides: object) -> BudgetCheck:
    arguments: dict[str, object] = {
        "chain_budget": None,
        "root_stopping_conditions": None,
        "spent": 30,
        "labeled": 30,
        "dataset_objects": 50,
        "remaining": 20,
    }
    root = overrides.get("root_stopping_conditions")
    if isinstance(root, dict):
        overrides["root_stopping_conditions"] = stopping(root)
    return check_budget(**{**arguments, **overrides})  # type: ignore[arg-type]


def stopping(conditions: dict[str, int]) -> StoppingConditions:
    """StoppingConditions as the job parses them from DescribeLabelingJob."""
    job: LabelingJob = described(StoppingConditions=conditions)
    return job.stopping_conditions


def test_no_budget_means_no_cap() -> None:
    result = check(root_stopping_conditions={"MaxPercentageOfInputDatasetLabeled": 100})
    assert result.stop is None and result.child_stopping_conditions == {} and result.note is None


def test_the_roots_count_is_the_chains_budget() -> None:
    result = check(root_stopping_conditions={"MaxHumanLabeledObjectCount": 40})
    assert result.stop is None
    assert result.child_stopping_conditions == {"MaxHumanLabeledObjectCount": 10}
    assert result.note is not None
    assert "10 left of a budget of 40 (the root's MaxHumanLabeledObjectCount; 30 spent)" in result.note


def test_a_budget_reached_is_a_stop_with_the_counts() -> None:
    result = check(root_stopping_conditions={"MaxHumanLabeledObjectCount": 30})
    assert result.stop == (
        "budget reached: 30 human-labeled objects spent of a budget of 30 "
        "(the root's MaxHumanLabeledObjectCount); 20 objects remaining"
    )


def test_the_projects_larger_chain_budget_leaves_room() -> None:
    result = check(chain_budget=45, root_stopping_conditions={"MaxHumanLabeledObjectCount": 30})
    assert result.stop is None and result.child_stopping_conditions == {"MaxHumanLabeledObjectCount": 15}


def test_the_projects_smaller_chain_budget_stops() -> None:
    result = check(chain_budget=25, root_stopping_conditions={"MaxHumanLabeledObjectCount": 100})
    assert result.stop is not None and "of a budget of 25 (chain_human_label_budget)" in result.stop


def test_the_roots_percentage_is_a_share_of_the_root_dataset_for_the_whole_chain() -> None:
    # 70% of 50 objects = 35 may be labeled; 30 are: the child may label 5 more.
    result = check(root_stopping_conditions={"MaxPercentageOfInputDatasetLabeled": 70})
    assert result.child_stopping_conditions == {"MaxHumanLabeledObjectCount": 5}
    # floor(33% of 50) = 16 <= 30 labeled: a stop.
    stopped = check(root_stopping_conditions={"MaxPercentageOfInputDatasetLabeled": 33})
    assert stopped.stop is not None and "33%" in stopped.stop and "16 of 50" in stopped.stop


def test_the_smaller_cap_wins_and_the_percentage_is_dropped() -> None:
    result = check(
        root_stopping_conditions={"MaxHumanLabeledObjectCount": 100, "MaxPercentageOfInputDatasetLabeled": 80}
    )
    assert result.child_stopping_conditions == {"MaxHumanLabeledObjectCount": 10}


def test_spent_sums_human_labels_over_the_chain() -> None:
    jobs = [
        described(LabelCounters={"HumanLabeled": 30}),
        described(LabelCounters={"HumanLabeled": 12}),
        described(),
    ]
    assert human_labels_spent(jobs) == 42


@given(
    budget=st.integers(min_value=1, max_value=10_000),
    spent=st.integers(min_value=0, max_value=10_000),
    percentage=st.integers(min_value=1, max_value=100),
    dataset=st.integers(min_value=1, max_value=10_000),
    labeled_share=st.floats(min_value=0, max_value=1),
)
def test_a_child_can_never_exceed_the_chains_budget(
    budget: int, spent: int, percentage: int, dataset: int, labeled_share: float
) -> None:
    labeled = int(dataset * labeled_share)
    result = check_budget(
        chain_budget=budget,
        root_stopping_conditions=stopping({"MaxPercentageOfInputDatasetLabeled": percentage}),
        spent=spent,
        labeled=labeled,
        dataset_objects=dataset,
        remaining=dataset - labeled,
    )
    if result.stop is None:
        cap = result.child_stopping_conditions["MaxHumanLabeledObjectCount"]
        assert 1 <= cap <= budget - spent  # Ground Truth's minimum is 1
        assert percentage == 100 or labeled + cap <= percentage * dataset // 100
    else:
        assert spent >= budget or labeled >= percentage * dataset // 100


BASE = replace(
    POLICY_BASE,
    status="Stopped",
    remaining=20,
    labeled=30,
    budget_stop="budget reached: 30 human-labeled objects spent of a budget of 30; 20 objects remaining",
)


@pytest.mark.parametrize("status", ["Stopped", "Completed"])
def test_a_budget_stop_gives_up_whatever_the_final_status(status: str) -> None:
    verdict = decide(replace(BASE, status=status))
    assert verdict.decision is Decision.GIVE_UP
    assert "budget reached: 30 human-labeled objects spent of a budget of 30" in verdict.reason
    assert "chain_human_label_budget" in verdict.reason


def test_a_budget_stop_with_nothing_left_completes() -> None:
    assert decide(replace(BASE, remaining=0, labeled=50)).decision is Decision.COMPLETE
