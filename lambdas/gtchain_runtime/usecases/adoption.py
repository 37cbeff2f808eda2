"""The project's adoption start (domain/adoption.py) read from, and recorded in, the ledger."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.adoption import (
    AdoptionStart,
    effective_adoption_start,
    ended_before_adoption,
    first_adoption_start,
    job_ended_at,
)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepAdoption:
    """The start a sweep applies, and the project record behind it."""

    start: AdoptionStart
    # The ledger's record (None: none yet, and a dry run did not write the one it shows).
    recorded: AdoptionStart | None
    # This sweep wrote the record (the first sweep of the project).
    recorded_now: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.start.to_dict(),
            "recorded": self.recorded.to_dict() if self.recorded else None,
            "recorded_now": self.recorded_now,
        }


def recorded_adoption_start(ctx: ChainContext) -> AdoptionStart | None:
    record = ctx.ledger.adoption_start()
    return AdoptionStart.from_record(record) if record else None


def adoption_for_sweep(ctx: ChainContext, *, dry_run: bool = False) -> SweepAdoption:
    """The recorded start, recording the first one if none is (unless dry_run: then the one the
    first real sweep would record is shown, nothing is written)."""
    configured = ctx.settings.adopt_jobs_ended_after
    recorded = recorded_adoption_start(ctx)
    recorded_now = False
    if recorded is None:
        first = first_adoption_start(configured, ctx.ledger.created_at())
        if dry_run:
            return SweepAdoption(start=first, recorded=None)
        recorded_now = ctx.ledger.record_adoption_start(first.at.isoformat(), first.source)
        # A concurrent first sweep may have written first: its value is the project's.
        recorded = recorded_adoption_start(ctx) or first
        if recorded_now:
            _log.info("adoption start recorded: %s", recorded.to_dict())
    start = effective_adoption_start(configured, recorded)
    return SweepAdoption(start=start or recorded, recorded=recorded, recorded_now=recorded_now)


def ignore_if_ended_before_adoption(
    ctx: ChainContext, describe: Mapping[str, Any], execution: str
) -> str | None:
    """The rule path: why a finished job is left alone (recorded once in the ledger), or None.
    Without a configured time and before the first sweep recorded one, every job is handled."""
    start = effective_adoption_start(ctx.settings.adopt_jobs_ended_after, recorded_adoption_start(ctx))
    name = str(describe["LabelingJobName"])
    reason = ended_before_adoption(name, job_ended_at(describe), start)
    if reason is not None and ctx.ledger.record_ignored(name, reason, execution):
        _log.info("job ignored before the adoption start, recorded: %s", reason)
    return reason
