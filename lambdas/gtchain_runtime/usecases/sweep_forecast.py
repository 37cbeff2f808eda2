"""The sweep's dry run (`gtchain chain sweep --dry-run`): what the next sweep would start, what it
would leave alone and why, and for each job it would chain the remaining objects and the
estimated worker pay. Nothing is written: no execution, no ledger record (not even the adoption
start: when none is recorded, the one the first real sweep would record is shown), no S3 object.

It runs the sweep's own selection (usecases/sweep.sweep_candidates) and, for each job it would
start, the execution's Inspect and Plan steps in dry-run mode (as `gtchain job plan` does), so
the forecast is the decision the execution would reach, not a guess.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.adoption import PayForecast, forecast_pay, job_ended_at
from gtchain_runtime.domain.chain_plan import ChainPlan
from gtchain_runtime.domain.cost import price_per_object
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.policy import Decision
from gtchain_runtime.usecases.adoption import adoption_for_sweep
from gtchain_runtime.usecases.inspect import inspect_job
from gtchain_runtime.usecases.plan import plan_chain
from gtchain_runtime.usecases.sweep import SWEEP_GRACE, SWEEP_LOOKBACK, start_next_attempt, sweep_candidates


def forecast_sweep(ctx: ChainContext) -> dict[str, Any]:
    """{"project", "adoption_start", "window", "would_start": [...], "left_alone": [...], "total"}."""
    if ctx.executions is None:
        raise ValueError("the sweep's dry run needs STATE_MACHINE_ARN (the sweep function's settings)")
    now = ctx.clock()
    adoption = adoption_for_sweep(ctx, dry_run=True)
    would_start: list[dict[str, Any]] = []
    left_alone: list[dict[str, Any]] = []
    for candidate in sweep_candidates(ctx, adoption.start):
        job = {
            "job_name": candidate.name,
            "status": candidate.summary.get("LabelingJobStatus"),
            "ended_at": job_ended_at(candidate.summary).isoformat(),
        }
        reason = candidate.skip or start_next_attempt(
            ctx, ctx.executions, candidate.summary, candidate.next_attempt, dry_run=True
        )
        if reason is not None:
            left_alone.append({**job, "reason": reason})
        else:
            would_start.append({**job, **_execution_outcome(ctx, candidate.name)})
    return {
        "project": ctx.settings.project_name,
        "adoption_start": adoption.to_dict(),
        "window": {
            "ended_after": (now - SWEEP_LOOKBACK).isoformat(),
            "ended_before": (now - SWEEP_GRACE).isoformat(),
        },
        "would_start": would_start,
        "left_alone": left_alone,
        "total": _total(would_start),
    }


def _execution_outcome(ctx: ChainContext, job_name: str) -> dict[str, Any]:
    """What the started execution would decide, with the forecast of a CHAIN."""
    try:
        inspection = inspect_job(ctx, job_name)
        if not inspection.relevant:
            return {"decision": "IGNORE", "reason": inspection.reason, "forecast": None}
        plan = plan_chain(ctx, inspection, dry_run=True)
    except Exception as error:  # the execution would fail the same way: recorded, retried by the sweep
        return {"decision": None, "reason": f"the execution would fail: {error}", "forecast": None}
    forecast = _pay_forecast(ctx, inspection.described, plan) if plan.decision is Decision.CHAIN else None
    return {
        "decision": plan.decision.value,
        "reason": plan.reason,
        "forecast": forecast.to_dict() if forecast else None,
    }


def _pay_forecast(ctx: ChainContext, parent: LabelingJob, plan: ChainPlan) -> PayForecast:
    # A chained job runs on its parent's workforce (a parent on another team than the project's
    # is given up, domain/guards.py), so it is paid the parent's price per object; the budget
    # left is the child's MaxHumanLabeledObjectCount (domain/budget.py).
    request = plan.request or {}
    budget_left = (request.get("StoppingConditions") or {}).get("MaxHumanLabeledObjectCount")
    return forecast_pay(
        plan.counts.remaining,
        price_per_object(parent, ctx.settings.price_per_object_usd),
        None if budget_left is None else int(budget_left),
    )


def _total(would_start: list[dict[str, Any]]) -> dict[str, Any]:
    forecasts = [(job["job_name"], job["forecast"]) for job in would_start if job.get("forecast")]
    priced = [Decimal(f["worker_pay_usd"]) for _, f in forecasts if f["worker_pay_usd"] is not None]
    return {
        "jobs_to_chain": len(forecasts),
        "objects_to_pay": sum(f["objects_to_pay"] for _, f in forecasts),
        "worker_pay_usd": str(sum(priced, Decimal(0))) if priced else None,
        "unpriced_jobs": [name for name, f in forecasts if f["worker_pay_usd"] is None],
    }
