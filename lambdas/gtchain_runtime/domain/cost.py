"""What a chain's labels cost and what chaining saved, per job and for the chain.

- human-labeled / machine-labeled: the job's LabelCounters.HumanLabeled / MachineLabeled.
- never re-sent: objects that arrived labeled in the job's input, so Ground Truth did not
  send them to workers again (gtchain's own diff of the job's input when it has one, else
  LabelCounters.TotalLabeled - HumanLabeled - MachineLabeled).
- price per object: on the public crowd the job's PublicWorkforceTaskPrice (per task) x
  NumberOfHumanWorkersPerDataObject; on a private or vendor work team the project's
  `price_per_object_usd`; unknown otherwise.
- spent = human-labeled x price per object; saved = never re-sent x price per object of the
  job that would have re-labeled them. Worker pay only: Ground Truth's own per-object charge
  and automated-labeling training are not included.
Amounts are exact Decimals; `usd` rounds half-up to cents for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gtchain_runtime.domain.guards import WorkforceType, workforce_type
from gtchain_runtime.domain.labeling_job import LabelingJob

CENT = Decimal("0.01")


def money(amount: Decimal | str | None) -> str:
    """`$1.23` (a Decimal half-up to cents; a string as the cost figures have it); `n/a` when unknown."""
    if amount is None:
        return "n/a"
    return f"${_cents(amount) if isinstance(amount, Decimal) else amount}"


def price_per_object(job: LabelingJob, fallback: Decimal | None) -> Decimal | None:
    human = job.human_task
    if workforce_type(human.workteam_arn) is WorkforceType.PUBLIC and human.price_per_object_usd is not None:
        return human.price_per_object_usd
    return fallback


@dataclass(frozen=True)
class JobCost:
    job_name: str
    human_labeled: int
    machine_labeled: int
    never_resent: int
    price_per_object_usd: Decimal | None

    @property
    def spent_usd(self) -> Decimal | None:
        price = self.price_per_object_usd
        return None if price is None else self.human_labeled * price

    @property
    def saved_usd(self) -> Decimal | None:
        price = self.price_per_object_usd
        return None if price is None else self.never_resent * price

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_name": self.job_name,
            "human_labeled": self.human_labeled,
            "machine_labeled": self.machine_labeled,
            "never_resent": self.never_resent,
            "price_per_object_usd": _text(self.price_per_object_usd),
            "spent_usd": _cents(self.spent_usd),
            "saved_usd": _cents(self.saved_usd),
        }


def job_cost(
    job: LabelingJob, *, never_resent: int | None = None, fallback_price: Decimal | None = None
) -> JobCost:
    counters = job.counters
    return JobCost(
        job_name=job.name,
        human_labeled=counters.human_labeled,
        machine_labeled=counters.machine_labeled,
        never_resent=max(0, counters.inherited if never_resent is None else never_resent),
        price_per_object_usd=price_per_object(job, fallback_price),
    )


def _sum(amounts: Iterable[Decimal | None]) -> Decimal | None:
    known = [amount for amount in amounts if amount is not None]
    return sum(known, Decimal(0)) if known else None


@dataclass(frozen=True)
class ChainCost:
    jobs: tuple[JobCost, ...]

    @property
    def human_labeled(self) -> int:
        return sum(job.human_labeled for job in self.jobs)

    @property
    def machine_labeled(self) -> int:
        return sum(job.machine_labeled for job in self.jobs)

    @property
    def never_resent(self) -> int:
        return sum(job.never_resent for job in self.jobs)

    @property
    def spent_usd(self) -> Decimal | None:
        """Over the jobs with a price; None when no job has one."""
        return _sum(job.spent_usd for job in self.jobs)

    @property
    def saved_usd(self) -> Decimal | None:
        return _sum(job.saved_usd for job in self.jobs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "jobs": [job.to_dict() for job in self.jobs],
            "total": {
                "human_labeled": self.human_labeled,
                "machine_labeled": self.machine_labeled,
                "never_resent": self.never_resent,
                "spent_usd": _cents(self.spent_usd),
                "saved_usd": _cents(self.saved_usd),
                "unpriced_jobs": [job.job_name for job in self.jobs if job.price_per_object_usd is None],
            },
        }


def chain_cost_of(
    jobs: Iterable[LabelingJob], never_resent: Mapping[str, int], fallback_price: Decimal | None
) -> ChainCost:
    """The chain's cost; `never_resent` by job name where gtchain diffed the job's input itself."""
    return ChainCost(
        tuple(
            job_cost(job, never_resent=never_resent.get(job.name), fallback_price=fallback_price)
            for job in jobs
        )
    )


def cost_lines(cost: Mapping[str, Any] | None) -> list[str]:
    """ChainCost.to_dict() in words, one line per job and one for the chain (notifications, CLI)."""
    if not cost:
        return []
    rows = [*cost.get("jobs", []), {**cost.get("total", {}), "job_name": "Chain total"}]
    return [_cost_line(row) for row in rows]


def _cost_line(row: Mapping[str, Any]) -> str:
    spent = row.get("spent_usd")
    figures = f", spent {money(spent)}, saved {money(row.get('saved_usd'))}" if spent is not None else ""
    return (
        f"{row['job_name']}: human-labeled {row['human_labeled']}, machine-labeled "
        f"{row['machine_labeled']}, never re-sent {row['never_resent']}{figures}"
    )


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _cents(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount.quantize(CENT, rounding=ROUND_HALF_UP))
