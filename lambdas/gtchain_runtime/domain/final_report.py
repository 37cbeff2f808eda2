"""report.json (chains/<root>/final/report.json): the consolidation's counts and the chain's cost.

Written by Finalize chain (usecases/finalize.py); read by `gtchain chain report` and the report
page (usecases/report.py) and carried in `$.final.report`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_serializer

from gtchain_runtime.domain.consolidate import ChainReport
from gtchain_runtime.domain.layout import FinalLocations


class FinalTotals(BaseModel):
    """Where the chain's objects stand in the final manifest."""

    total: int
    labeled: int
    human_labeled: int
    machine_labeled: int
    failed: int
    unlabeled: int


class ChainReportDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    root: str
    # The chain's job names, root first; their consolidation counts in the same order.
    jobs: list[str]
    job_counts: list[dict[str, Any]]
    totals: FinalTotals
    never_resent: int
    conflict_count: int
    conflicts: list[dict[str, Any]]
    # domain.cost.ChainCost.to_dict() as the plan of the chain's last job computed it.
    cost: dict[str, Any] | None
    final_manifest_uri: str
    rejects_uri: str
    finalized_at: datetime

    @field_serializer("finalized_at")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def final_report(
    consolidated: ChainReport,
    locations: FinalLocations,
    *,
    cost: dict[str, Any] | None,
    finalized_at: datetime,
) -> ChainReportDocument:
    counts = consolidated.to_dict()
    return ChainReportDocument(
        root=locations.root,
        jobs=[job["job"] for job in counts["jobs"]],
        job_counts=counts["jobs"],
        totals=FinalTotals(**counts["totals"]),
        never_resent=counts["never_resent"],
        conflict_count=counts["conflict_count"],
        conflicts=counts["conflicts"],
        cost=cost,
        final_manifest_uri=locations.manifest_uri,
        rejects_uri=locations.rejects_uri,
        finalized_at=finalized_at,
    )
