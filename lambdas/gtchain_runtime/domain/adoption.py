"""The adoption start of a project: jobs that ended before it are never chained by gtchain on
its own (the sweep and the rule leave them alone; `gtchain job resume` still works on purpose).

When a job "ended": SageMaker states no end time. DescribeLabelingJob and ListLabelingJobs'
LabelingJobSummary carry `CreationTime` and `LastModifiedTime`, "the date and time that the
labeling job was last updated" (botocore's sagemaker model; API_DescribeLabelingJob). A job
that reached Completed, Failed or Stopped is not updated again, so its LastModifiedTime is
when it ended; it is also what ListLabelingJobs' `LastModifiedTimeAfter` filters on, the
sweep's window.

Where the start comes from, first match wins:
1. `policy.adopt_jobs_ended_after` in the project's configuration (a team that wants jobs of
   the days before the deploy resumed);
2. the ledger's project record, written once by the first sweep: the ledger table's
   `CreationDateTime` (DynamoDB DescribeTable), i.e. the moment gtchain was first deployed
   for the project, or the configured time if one was set then.
Before that record exists (the first hour after a deploy) and without a configured time, the
rule handles every event as it always did: the jobs that end then end after the deploy.

Also here: the worker-pay forecast of `gtchain chain sweep --dry-run`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, cast

from gtchain_runtime.domain.cost import CENT

AdoptionSource = Literal["configuration", "first-deploy"]
ADOPTION_SOURCES: tuple[AdoptionSource, ...] = ("configuration", "first-deploy")


class AdoptionStartError(ValueError):
    """A time that cannot be an adoption start or a job's end (no time zone, not a time)."""


def as_utc(value: datetime | str, what: str) -> datetime:
    """An aware datetime in UTC from a datetime or ISO 8601 text; naive times are refused (the
    zone they mean is a guess)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise AdoptionStartError(f"{what}: {value!r} is not an ISO 8601 date and time") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise AdoptionStartError(f"{what}: {value.isoformat()} has no time zone (add Z or +00:00)")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class AdoptionStart:
    at: datetime
    source: AdoptionSource

    def to_dict(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "source": self.source}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> AdoptionStart:
        source = str(record.get("source", ""))
        if source not in ADOPTION_SOURCES:
            raise AdoptionStartError(
                f"adoption start record: source {source!r} is not one of {ADOPTION_SOURCES}"
            )
        at = as_utc(str(record.get("adopted_after", "")), "adoption start record")
        return cls(at=at, source=cast(AdoptionSource, source))


def first_adoption_start(configured: datetime | None, ledger_created: datetime) -> AdoptionStart:
    """What the first sweep records: the configured time, else the ledger's creation (the deploy)."""
    if configured is not None:
        return AdoptionStart(as_utc(configured, "adopt_jobs_ended_after"), "configuration")
    return AdoptionStart(as_utc(ledger_created, "ledger CreationDateTime"), "first-deploy")


def effective_adoption_start(
    configured: datetime | None, recorded: AdoptionStart | None
) -> AdoptionStart | None:
    """The start that applies now: a configured time overrides the record (a team that sets an
    earlier time after its first deploy wants those jobs resumed); None: nothing is known yet."""
    if configured is not None:
        return AdoptionStart(as_utc(configured, "adopt_jobs_ended_after"), "configuration")
    return recorded


def job_ended_at(job: Mapping[str, Any]) -> datetime:
    """LastModifiedTime of a finished job's description or summary (see the module docstring)."""
    name = job.get("LabelingJobName", "?")
    value = job.get("LastModifiedTime")
    if value in (None, ""):
        raise AdoptionStartError(f"labeling job {name}: no LastModifiedTime, so when it ended is unknown")
    return as_utc(value, f"labeling job {name} LastModifiedTime")


def ended_before_adoption(job_name: str, ended: datetime, start: AdoptionStart | None) -> str | None:
    """Why gtchain leaves the job alone, or None when the job is its to resume."""
    if start is None or ended >= start.at:
        return None
    origin = (
        "the project's adopt_jobs_ended_after"
        if start.source == "configuration"
        else "gtchain's first deploy for the project"
    )
    return (
        f"{job_name} ended at {ended.isoformat()}, before the adoption start {start.at.isoformat()} "
        f"({origin}): gtchain does not resume it on its own. To resume it: `gtchain job resume {job_name}`"
    )


@dataclass(frozen=True)
class PayForecast:
    """Worker pay of a chained job: price x the objects workers may label, at most the budget left."""

    remaining_objects: int
    objects_to_pay: int
    price_per_object_usd: Decimal | None
    # The chain's budget left (the child's MaxHumanLabeledObjectCount), None without a budget.
    budget_left: int | None

    @property
    def worker_pay_usd(self) -> Decimal | None:
        price = self.price_per_object_usd
        return None if price is None else price * self.objects_to_pay

    def to_dict(self) -> dict[str, Any]:
        pay = self.worker_pay_usd
        return {
            "remaining_objects": self.remaining_objects,
            "objects_to_pay": self.objects_to_pay,
            "budget_left": self.budget_left,
            "price_per_object_usd": None
            if self.price_per_object_usd is None
            else str(self.price_per_object_usd),
            "worker_pay_usd": None if pay is None else str(pay.quantize(CENT, rounding=ROUND_HALF_UP)),
        }


def forecast_pay(remaining: int, price_per_object: Decimal | None, budget_left: int | None) -> PayForecast:
    """An upper bound: automated labeling may label some of the objects for less."""
    if remaining < 0 or (budget_left is not None and budget_left < 0):
        raise ValueError(f"negative counts: remaining {remaining}, budget left {budget_left}")
    to_pay = remaining if budget_left is None else min(remaining, budget_left)
    return PayForecast(
        remaining_objects=remaining,
        objects_to_pay=to_pay,
        price_per_object_usd=price_per_object,
        budget_left=budget_left,
    )
