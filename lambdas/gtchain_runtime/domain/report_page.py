"""The chain report page's view model: what the page shows, computed from the chain's jobs.
(presentation/report_page.py renders it: a self-contained HTML document.)

Per job, in chain order, a stacked bar of its objects in five categories read from the job's
LabelCounters (the numbers `gtchain chain status` shows): labeled by people (HumanLabeled), by
machine (MachineLabeled), inherited from the parent (TotalLabeled - HumanLabeled -
MachineLabeled: objects that arrived labeled and were not sent to workers), failed
(FailedNonRetryableError) and left unlabeled (Unlabeled); they add up to the job's objects.
Counters that do not add up (TotalLabeled below HumanLabeled + MachineLabeled) are shown as
Ground Truth gave them, with the problem named, never refused: the page must not fail Finalize.
Money comes from the chain's cost figures (domain.cost, ChainCost.to_dict()); the chain's
outcome from the consolidated final manifest once the chain is finalized, else from its last job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gtchain_runtime.domain.labeling_job import LabelingJob


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    short: str  # the table's column heading
    colour: str


# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); the two
# kinds of new labels are saturated, inherited labels a light tint, what is missing warm or grey.
CATEGORIES = (
    Category("human", "Labeled by people", "People", "#0072B2"),
    Category("machine", "Labeled by machine", "Machine", "#009E73"),
    Category("inherited", "Inherited (arrived labeled)", "Inherited", "#9BD0F0"),
    Category("failed", "Failed", "Failed", "#D55E00"),
    Category("unlabeled", "Left unlabeled", "Left", "#CFCFCF"),
)


class ReportPageError(ValueError):
    """Report data the page cannot show truthfully."""


@dataclass(frozen=True)
class JobBar:
    job_name: str
    status: str
    human: int
    machine: int
    inherited: int
    failed: int
    unlabeled: int
    input_manifest_uri: str | None
    output_manifest_uri: str | None
    spent_usd: str | None
    saved_usd: str | None
    decision: str | None = None
    # Why the job's counters cannot be shown as five parts of its objects, when they cannot.
    counter_problem: str | None = None

    def count(self, category: Category) -> int:
        return int(getattr(self, category.key))

    @property
    def objects(self) -> int:
        return sum(self.count(category) for category in CATEGORIES)

    @property
    def labeled(self) -> int:
        return self.human + self.machine + self.inherited


@dataclass(frozen=True)
class ChainOutcome:
    """Where the chain's objects stand: in the final manifest, or in the last job so far."""

    objects: int
    labeled: int
    failed: int
    unlabeled: int


@dataclass(frozen=True)
class ChainReportPage:
    root: str
    region: str
    jobs: tuple[JobBar, ...]
    outcome: ChainOutcome
    human_labeled: int
    machine_labeled: int
    never_resent: int
    spent_usd: str | None
    saved_usd: str | None
    unpriced_jobs: tuple[str, ...]
    final_manifest_uri: str | None
    generated_at: datetime  # in UTC


def job_bar(job: LabelingJob, cost: Mapping[str, Any], decision: str | None = None) -> JobBar:
    """One job's bar from its LabelCounters and its row of ChainCost.to_dict()."""
    counters = job.counters
    problem = None
    if not counters.adds_up:
        # Shown as such: the page reports what Ground Truth counted, it does not repair it.
        problem = (
            f"LabelCounters do not add up: TotalLabeled {counters.total_labeled} is below HumanLabeled + "
            f"MachineLabeled ({counters.human_labeled + counters.machine_labeled})"
        )
    return JobBar(
        job_name=job.name,
        status=job.status,
        human=counters.human_labeled,
        machine=counters.machine_labeled,
        inherited=counters.inherited,
        failed=counters.failed_non_retryable,
        unlabeled=counters.unlabeled,
        input_manifest_uri=job.input_manifest_uri,
        output_manifest_uri=job.output_manifest_uri,
        spent_usd=cost.get("spent_usd"),
        saved_usd=cost.get("saved_usd"),
        decision=decision,
        counter_problem=problem,
    )


def chain_report_page(
    chain: Sequence[LabelingJob],
    cost: Mapping[str, Any],
    *,
    generated_at: datetime,
    decisions: Mapping[str, str] | None = None,
    final_totals: Mapping[str, Any] | None = None,
    final_manifest_uri: str | None = None,
) -> ChainReportPage:
    """The page of a chain: its jobs root first, its ChainCost.to_dict(), and, once
    finalized, the consolidated report's "totals" and the final manifest's URI."""
    if not chain:
        raise ReportPageError("a chain report needs at least one job")
    cost_rows = cost.get("jobs", [])
    if len(cost_rows) != len(chain):
        raise ReportPageError(f"cost figures for {len(cost_rows)} jobs, but the chain has {len(chain)}")
    decisions = decisions or {}
    jobs = tuple(
        job_bar(job, row, decisions.get(job.name)) for job, row in zip(chain, cost_rows, strict=True)
    )
    if final_totals is not None:
        outcome = ChainOutcome(
            objects=int(final_totals["total"]),
            labeled=int(final_totals["labeled"]),
            failed=int(final_totals["failed"]),
            unlabeled=int(final_totals["unlabeled"]),
        )
    else:
        last = jobs[-1]
        outcome = ChainOutcome(last.objects, last.labeled, last.failed, last.unlabeled)
    total = cost.get("total", {})
    return ChainReportPage(
        root=jobs[0].job_name,
        region=chain[0].arn.region or "us-east-1",
        jobs=jobs,
        outcome=outcome,
        human_labeled=sum(job.human for job in jobs),
        machine_labeled=sum(job.machine for job in jobs),
        never_resent=int(total.get("never_resent", 0)),
        spent_usd=total.get("spent_usd"),
        saved_usd=total.get("saved_usd"),
        unpriced_jobs=tuple(total.get("unpriced_jobs", ())),
        final_manifest_uri=final_manifest_uri,
        generated_at=_in_utc(generated_at),
    )


def _in_utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ReportPageError(
            f"report time {moment.isoformat()} has no time zone, so it cannot be shown in UTC"
        )
    return moment.astimezone(UTC)
