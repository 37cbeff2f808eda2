"""Hourly sweep: start the state machine for finished jobs of the project with no recorded decision.

It catches events that never arrived and executions that ended without a decision. Execution
names are deterministic per job and attempt, so two sweeps at once collide on StartExecution
instead of starting twins. An attempt whose execution ended without a decision (stopped by a
person, timed out, failed) holds its name for 90 days: the sweep records it as a failed execution
(once per execution; a stopped or timed-out one recorded nothing itself) and moves on to the next
attempt, so the third such execution gives the job up with a notification, as failures do. One
that succeeded decided the job, even if the decision was not there when this sweep looked.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from gtchain_runtime.adapters.executions import STARTED, Executions
from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.labeling_job import EVENT_DETAIL_TYPE, SWEEP_SOURCE
from gtchain_runtime.domain.naming import ownership_rule, owns_job_name
from gtchain_runtime.payloads import SweepResult
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


def sweep_jobs(ctx: ChainContext) -> SweepResult:
    if ctx.executions is None:
        raise ValueError("the sweep needs STATE_MACHINE_ARN")
    now = ctx.clock()
    prefix = ctx.settings.job_name_prefix
    result = SweepResult(started=[], skipped={})
    for summary in ctx.jobs.finished_jobs(prefix, now - SWEEP_LOOKBACK, now - SWEEP_GRACE):
        name = str(summary["LabelingJobName"])
        if not owns_job_name(prefix, name):
            result.skipped[name] = f"not a job of the project: {ownership_rule(prefix)}"
            continue
        if ctx.ledger.decision(name) is not None:
            result.skipped[name] = "decision already recorded"
            continue
        attempts = ctx.ledger.failure_count(name)
        if attempts >= MAX_FAILED_ATTEMPTS:
            result.skipped[name] = f"{attempts} failed executions: given up"
            continue
        refusal = _start_next_attempt(ctx, ctx.executions, summary, attempts + 1)
        if refusal is None:
            result.started.append(name)
        else:
            result.skipped[name] = refusal
    return result


def _start_next_attempt(
    ctx: ChainContext, executions: Executions, summary: dict[str, Any], first_attempt: int
) -> str | None:
    """Start the first attempt from ``first_attempt`` whose name is free; None when one started,
    else why not. Attempts beyond MAX_FAILED_ATTEMPTS are not made: failed or not, that many
    executions without a decision are enough."""
    name = str(summary["LabelingJobName"])
    _, _, _, region, account, _ = str(summary["LabelingJobArn"]).split(":", 5)
    ended: list[str] = []
    for attempt in range(first_attempt, MAX_FAILED_ATTEMPTS + 1):
        execution_name = sweep_execution_name(name, attempt)
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
        if record_ended_execution(ctx, name, execution_name, status).gave_up:
            return f"given up: {', '.join(ended)} ended without a decision ({attempt} failed executions)"
    return (
        f"given up: {', '.join(ended)} ended without a decision "
        f"and no attempt is left (at most {MAX_FAILED_ATTEMPTS})"
    )
