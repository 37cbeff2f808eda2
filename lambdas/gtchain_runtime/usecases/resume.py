"""One execution's steps in-process: the console's "Chain" button (`gtchain job resume`)."""

from __future__ import annotations

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.policy import Decision
from gtchain_runtime.payloads import (
    CaughtError,
    CreateInput,
    DecisionInput,
    FailureInput,
    FinalizeInput,
    ResumeOutcome,
)
from gtchain_runtime.usecases.create import create_child
from gtchain_runtime.usecases.finalize import finalize_chain
from gtchain_runtime.usecases.inspect import inspect_job
from gtchain_runtime.usecases.plan import plan_chain
from gtchain_runtime.usecases.record import record_decision, record_failure


def resume_job(ctx: ChainContext, job_name: str, execution: str) -> ResumeOutcome:
    """Inspect, plan, create or finalize, record: what the state machine does, with its failure path."""
    inspection = inspect_job(ctx, job_name)
    if not inspection.relevant:
        return ResumeOutcome(inspection=inspection)
    plan = plan_chain(ctx, inspection)
    child = final = None
    try:
        if plan.decision is Decision.CHAIN:
            child = create_child(ctx, CreateInput(inspection=inspection, plan=plan))
        elif plan.decision is Decision.COMPLETE:
            final = finalize_chain(ctx, FinalizeInput(inspection=inspection, plan=plan))
    except Exception as error:
        failure = FailureInput(
            id=execution,
            resources=[inspection.job_arn],
            inspection=inspection,
            error=CaughtError(Error=type(error).__name__, Cause=str(error)),
        )
        record_failure(ctx, failure, execution)
        raise
    decided = DecisionInput(
        id=execution,
        resources=[inspection.job_arn],
        inspection=inspection,
        plan=plan,
        child=child,
        final=final,
    )
    record = record_decision(ctx, decided, execution)
    return ResumeOutcome(inspection=inspection, plan=plan, child=child, final=final, record=record)
