"""Labels and money per job and for the chain (domain.cost)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gtchain_runtime.domain.cost import ChainCost, JobCost, cost_lines, job_cost, money, price_per_object
from gtchain_runtime.domain.labeling_job import LabelingJob
from tests.support.described import described

FIXTURES = Path(__file__).parent.parent / "fixtures" / "describe"


def describe(fixture: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / f"{fixture}.json").read_text()))


def test_public_crowd_price_is_task_price_times_workers() -> None:
    assert price_per_object(
        LabelingJob.from_describe(describe("image_classification_non_al")), Decimal("9")
    ) == Decimal("0.108")


def test_private_team_uses_the_projects_price() -> None:
    private = describe("point_cloud_object_detection")
    assert price_per_object(LabelingJob.from_describe(private), Decimal("0.25")) == Decimal("0.25")
    assert price_per_object(LabelingJob.from_describe(private), None) is None


def test_job_cost_from_the_counters() -> None:
    cost = job_cost(
        LabelingJob.from_describe(describe("image_classification_third_party")), fallback_price=None
    )
    # TotalLabeled 3000, HumanLabeled 2011, MachineLabeled 0: 989 arrived labeled.
    assert (cost.human_labeled, cost.machine_labeled, cost.never_resent) == (2011, 0, 989)
    assert cost.spent_usd == 2011 * Decimal("0.108") and cost.saved_usd == 989 * Decimal("0.108")


def test_job_cost_prefers_gtchains_own_count_of_what_arrived_labeled() -> None:
    assert (
        job_cost(LabelingJob.from_describe(describe("image_classification_al")), never_resent=7).never_resent
        == 7
    )


def test_half_up_to_cents_for_display() -> None:
    assert money(Decimal("0.005")) == "$0.01"
    assert money(Decimal("3.2449")) == "$3.24"
    assert money(None) == "n/a"


def test_cost_lines_per_job_and_for_the_chain() -> None:
    chain = ChainCost(
        (
            JobCost("Root", 30, 0, 0, Decimal("0.108")),
            JobCost("Root-chain-1", 20, 5, 30, Decimal("0.108")),
        )
    )
    assert cost_lines(chain.to_dict()) == [
        "Root: human-labeled 30, machine-labeled 0, never re-sent 0, spent $3.24, saved $0.00",
        "Root-chain-1: human-labeled 20, machine-labeled 5, never re-sent 30, spent $2.16, saved $3.24",
        "Chain total: human-labeled 50, machine-labeled 5, never re-sent 30, spent $5.40, saved $3.24",
    ]
    unpriced = ChainCost((JobCost("Root", 3, 0, 0, None),))
    assert (
        cost_lines(unpriced.to_dict())[-1]
        == "Chain total: human-labeled 3, machine-labeled 0, never re-sent 0"
    )
    assert unpriced.to_dict()["total"]["unpriced_jobs"] == ["Root"]


prices = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=4, allow_nan=False))
jobs = st.builds(
    JobCost,
    job_name=st.text(min_size=1, max_size=5),
    human_labeled=st.integers(min_value=0, max_value=100_000),
    machine_labeled=st.integers(min_value=0, max_value=100_000),
    never_resent=st.integers(min_value=0, max_value=100_000),
    price_per_object_usd=prices,
)


@given(st.lists(jobs, max_size=8))
def test_totals_are_the_sums_of_the_jobs(chain_jobs: list[JobCost]) -> None:
    chain = ChainCost(tuple(chain_jobs))
    assert chain.human_labeled == sum(job.human_labeled for job in chain_jobs)
    assert chain.never_resent == sum(job.never_resent for job in chain_jobs)
    spent = [job.spent_usd for job in chain_jobs if job.spent_usd is not None]
    assert chain.spent_usd == (sum(spent, Decimal(0)) if spent else None)
    saved = [job.saved_usd for job in chain_jobs if job.saved_usd is not None]
    assert chain.saved_usd == (sum(saved, Decimal(0)) if saved else None)


@given(
    counters=st.fixed_dictionaries(
        {
            "TotalLabeled": st.integers(min_value=-5, max_value=1000),
            "HumanLabeled": st.integers(min_value=-5, max_value=1000),
            "MachineLabeled": st.integers(min_value=-5, max_value=1000),
        }
    ),
    price=prices,
)
def test_spent_and_saved_are_never_negative(counters: dict[str, int], price: Decimal | None) -> None:
    cost = job_cost(described(LabelingJobName="J", LabelCounters=counters), fallback_price=price)
    assert min(cost.human_labeled, cost.machine_labeled, cost.never_resent) >= 0
    for amount in (cost.spent_usd, cost.saved_usd):
        assert amount is None or amount >= 0
