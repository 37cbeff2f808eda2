"""Hourly sweep: start the state machine for finished jobs of the project with no recorded decision.

It catches events that never arrived and executions that ended without a decision. Execution
names are deterministic per job and attempt, so two sweeps at once collide on StartExecution
instead of starting twins. An attempt whose execution ended without a decision (stopped by a
person, timed out, failed) holds its name for 90 days: the sweep records it as a failed execution
(once per execution; a stopped or timed-out one recorded nothing itself) and moves on to the next
attempt, so the third such execution gives the job up with a notification, as failures do. One
that succeeded decided the job, even if the decision was not there when this sweep looked.

Jobs that ended before the project's adoption start are left alone; the first sweep records
that start in the ledger (usecases/adoption.py). `sweep_candidates` is the one place that says
which jobs a sweep starts: the sweep itself and its dry run (usecases/sweep_forecast.py) use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gtchain_runtime.adapters.executions import STARTED, Executions
from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.adoption import AdoptionStart, ended_before_adoption, job_ended_at
from gtchain_runtime.domain.labeling_job import EVENT_DETAIL_TYPE, SWEEP_SOURCE
from gtchain_runtime.domain.naming import ownership_rule, owns_job_name
from gtchain_runtime.payloads import SweepResult
from gtchain_runtime.usecases.adoption import adoption_for_sweep
from gtchain_runtime.usecases.record import MAX_FAILED_ATTEMPTS, record_ended_execution

# Recent jobs are left to their own event-driven execution; older ones are out of reach.
SWEEP_GRACE = timedelta(minutes=15)
SWEEP_LOOKBACK = timedelta(days=7)
# Statuses of an execution that still has the job (PENDING_REDRIVE: an operator redrove it).
STILL_RUNNING = frozenset({"RUNNING", "PENDING_REDRIVE"})
SUCCEEDED = "SUCCEEDED"


def sweep_execution_name(job_name: str, attempt: int) -> str:
    digest = hashlib.sha256(job_name.lower().encode()).hexdigest()[:8]
    return f"sweep-{job_name.lower()[:55]}-{digest}-{attempt}"


def sweep_event(summary: dict[str, Any], execution_name: str, region: str, account: str) -> dict[str, Any]:
    """The EventBridge event's shape, the same for one job and attempt (same name, same input)."""
    return {
        "version": "0",
        "id": execution_name,
        "detail-type": EVENT_DETAIL_TYPE,
        "source": SWEEP_SOURCE,
        "account": account,
        "time": str(summary.get("LastModifiedTime", "")),
        "region": region,
        "resources": [summary["LabelingJobArn"]],
        "detail": {"LabelingJobStatus": summary["LabelingJobStatus"]},
    }


@dataclass(frozen=True)
class SweepCandidate:
    """A finished job of the sweep's window: started from `next_attempt`, or left alone (`skip`)."""

    summary: dict[str, Any]
    skip: str | None
    next_attempt: int

    @property
    def name(self) -> str:
        return str(self.summary["LabelingJobName"])


def sweep_candidates(ctx: ChainContext, start: AdoptionStart) -> Iterator[SweepCandidate]:
    """Every job that ended in the sweep's window, with why it is left alone or its next attempt.
    Read-only: the ledger's decisions and failure counts."""
    now = ctx.clock()
    for summary in ctx.jobs.finished_jobs(
        ctx.settings.job_name_prefix, now - SWEEP_LOOKBACK, now - SWEEP_GRACE
    ):
        skip, attempts = _left_alone(ctx, summary, start)
        yield SweepCandidate(summary=summary, skip=skip, next_attempt=attempts + 1)


def _left_alone(ctx: ChainContext, summary: dict[str, Any], start: AdoptionStart) -> tuple[str | None, int]:
    """Why the sweep leaves the job alone (None: it starts the job), and its failed executions."""
    prefix = ctx.settings.job_name_prefix
    name = str(summary["LabelingJobName"])
    if not owns_job_name(prefix, name):
        return f"not a job of the project: {ownership_rule(prefix)}", 0
    before_adoption = ended_before_adoption(name, job_ended_at(summary), start)
    if before_adoption is not None:
        return before_adoption, 0
    if ctx.ledger.decision(name) is not None:
        return "decision already recorded", 0
    attempts = ctx.ledger.failure_count(name)
    if attempts >= MAX_FAILED_ATTEMPTS:
        return f"{attempts} failed executions: given up", attempts
    return None, attempts


def sweep_jobs(ctx: ChainContext) -> SweepResult:
    if ctx.executions is None:
        raise ValueError("the sweep needs STATE_MACHINE_ARN")
    adoption = adoption_for_sweep(ctx)
    result = SweepResult(started=[], skipped={}, adoption_start=adoption.to_dict())
    for candidate in sweep_candidates(ctx, adoption.start):
        name = candidate.name
        if candidate.skip is not None:
            result.skipped[name] = candidate.skip
            continue
        refusal = start_next_attempt(ctx, ctx.executions, candidate.summary, candidate.next_attempt)
        if refusal is None:
            result.started.append(name)
        else:
            result.skipped[name] = refusal
    return result


def start_next_attempt(
    ctx: ChainContext,
    executions: Executions,
    summary: dict[str, Any],
    first_attempt: int,
    *,
    dry_run: bool = False,
) -> str | None:
    """Start the first attempt from ``first_attempt`` whose name is free; None when one started,
    else why not. Attempts beyond MAX_FAILED_ATTEMPTS are not made: failed or not, that many
    executions without a decision are enough. With dry_run, only looks (DescribeExecution):
    None when an attempt would start; nothing is started or recorded."""
    name = str(summary["LabelingJobName"])
    _, _, _, region, account, _ = str(summary["LabelingJobArn"]).split(":", 5)
    ended: list[str] = []
    for attempt in range(first_attempt, MAX_FAILED_ATTEMPTS + 1):
        execution_name = sweep_execution_name(name, attempt)
        if dry_run:
            status = executions.status(execution_name) or STARTED
        else:
            status = executions.start(execution_name, sweep_event(summary, execution_name, region, account))
        if status == STARTED:
            return None
        if status in STILL_RUNNING:
            return f"execution {execution_name} already started ({status})"
        if status == SUCCEEDED:
            # It recorded the job's decision after this sweep looked (a concurrent sweep started
            # it): another attempt would decide the job twice.
            return f"execution {execution_name} already succeeded"
        ended.append(f"{execution_name} {status}")
        # Each ended attempt is one more failed execution: the attempt number is their count.
        gave_up = (
            attempt >= MAX_FAILED_ATTEMPTS
            if dry_run
            else record_ended_execution(ctx, name, execution_name, status).gave_up
        )
        if gave_up:
            return f"given up: {', '.join(ended)} ended without a decision ({attempt} failed executions)"
    return (
        f"given up: {', '.join(ended)} ended without a decision "
        f"and no attempt is left (at most {MAX_FAILED_ATTEMPTS})"
    )
