"""Record decision / Record failure: the ledger first (a conditional write), then notify.

Only the first write of a record notifies, so duplicate executions and retries send nothing
twice. The decision record keeps its notification until it is marked sent: when the execution
that wrote it dies before publishing (its Record step crashed), its retry or its Record failure
step publishes it, so no decision goes unannounced. After MAX_FAILED_ATTEMPTS failed executions
a job is given up, so the sweep stops retrying a permanent error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain import messages
from gtchain_runtime.domain.aws_ids import job_name_from_arn
from gtchain_runtime.domain.cost import cost_lines
from gtchain_runtime.domain.policy import Decision
from gtchain_runtime.payloads import CaughtError, DecisionInput, FailureInput, RecordInput, RecordResult

MAX_FAILED_ATTEMPTS = 3


def record_outcome(ctx: ChainContext, state: RecordInput, execution: str) -> RecordResult:
    if isinstance(state, FailureInput):
        return record_failure(ctx, state, execution)
    return record_decision(ctx, state, execution)


def record_decision(ctx: ChainContext, state: DecisionInput, execution: str) -> RecordResult:
    inspection, plan = state.inspection, state.plan
    lineage = inspection.lineage
    counts = plan.counts.to_dict()
    attributes: dict[str, Any] = {
        "parent": lineage.parent,
        "depth": lineage.depth,
        "status": inspection.status,
        "decision": plan.decision.value,
        "reason": plan.reason,
        "counts": counts,
        "execution": execution,
    }
    decided = messages.Decided(
        project=ctx.settings.project_name,
        job=inspection.job_name,
        reason=plan.reason,
        counts=counts,
        cost_lines=cost_lines(plan.cost),
    )
    if state.child is not None:
        attributes |= {
            "child_name": state.child.child_name,
            "chained_manifest_uri": plan.chained_manifest_uri,
        }
        message = messages.chain_started(
            decided,
            child=state.child.child_name,
            chained_manifest_uri=plan.chained_manifest_uri,
            mode_reason=plan.mode_reason,
            workforce_note=plan.workforce_note,
            budget_note=plan.budget_note,
        )
    elif state.final is not None:
        attributes["final_manifest_uri"] = state.final.final_manifest_uri
        message = messages.chain_completed(
            decided,
            root=lineage.root,
            final_manifest_uri=state.final.final_manifest_uri,
            report_uri=state.final.report_uri,
        )
    else:
        message = messages.gave_up(decided, plan_uri=plan.plan_uri)

    attributes["notification"] = {"subject": message.subject, "body": message.body}
    recorded = ctx.ledger.record_decision(inspection.job_name, lineage.root, attributes)
    if recorded:
        ctx.notifier.notify(message.subject, message.body)
        ctx.ledger.mark_notified(inspection.job_name)
        notified = True
    else:
        notified = _publish_pending(ctx, inspection.job_name, execution).published
    return RecordResult(
        recorded=recorded, notified=notified, gave_up=recorded and plan.decision is Decision.GIVE_UP
    )


@dataclass(frozen=True)
class _Pending:
    decided_here: bool  # this execution wrote the job's decision
    published: bool  # and its notification was published just now


def _publish_pending(ctx: ChainContext, job_name: str, execution: str) -> _Pending:
    """Publish the decision this execution recorded but never announced (it died in between)."""
    decision = ctx.ledger.decision(job_name)
    if decision is None or decision.get("execution") != execution:
        return _Pending(decided_here=False, published=False)
    notification = decision.get("notification") or {}
    if decision.get("notified") or not notification:
        return _Pending(decided_here=True, published=False)
    ctx.notifier.notify(str(notification["subject"]), str(notification["body"]))
    ctx.ledger.mark_notified(job_name)
    return _Pending(decided_here=True, published=True)


def record_failure(ctx: ChainContext, state: FailureInput, execution: str) -> RecordResult:
    """One failure record per execution; the one that reaches MAX_FAILED_ATTEMPTS gives the job up."""
    job_name, root = _job_of(state)
    error = state.error
    if state.inspection is not None:
        # The execution failed after it had recorded the job's decision (the Record step died):
        # the job is decided, so announce the decision instead of a failure.
        pending = _publish_pending(ctx, job_name, execution)
        if pending.decided_here:
            return RecordResult(recorded=False, notified=pending.published)
    return _count_failure(ctx, job_name, root, execution, error)


def _count_failure(
    ctx: ChainContext, job_name: str, root: str, execution: str, error: CaughtError
) -> RecordResult:
    """One failure record per execution, announced once; the one that reaches MAX_FAILED_ATTEMPTS
    records the job's GIVE_UP decision."""
    recorded = ctx.ledger.record_failure(job_name, root, execution, error.Error, error.Cause)
    if not recorded:
        return RecordResult(recorded=False, notified=False)
    attempts = ctx.ledger.failure_count(job_name)
    gave_up = False
    if attempts >= MAX_FAILED_ATTEMPTS:
        # A GIVE_UP decision makes the sweep leave the job alone.
        gave_up = ctx.ledger.record_decision(
            job_name,
            root,
            {
                "decision": Decision.GIVE_UP.value,
                "reason": f"{attempts} executions failed; last error {error.Error}: {error.Cause[:500]}",
                "execution": execution,
            },
        )
    message = messages.execution_failed(
        project=ctx.settings.project_name,
        job=job_name,
        error=error.Error,
        cause=error.Cause,
        attempts=attempts,
        max_attempts=MAX_FAILED_ATTEMPTS,
    )
    ctx.notifier.notify(message.subject, message.body)
    return RecordResult(recorded=True, notified=True, gave_up=gave_up)


def record_ended_execution(ctx: ChainContext, job_name: str, execution: str, status: str) -> RecordResult:
    """An execution found ended without a decision (stopped by a person, timed out, failed) counts
    as one failed execution of the job, recorded and announced once; a FAILED one that already
    recorded its own failure is not counted twice (one failure record per execution)."""
    error = CaughtError(
        Error=_ENDED_EVENTS.get(status, f"Execution{status.title()}"),
        Cause=f"execution {execution} ended {status} before it recorded a decision",
    )
    # The sweep knows the job by its name only: it is its own chain root here, as for an
    # execution that failed before its Inspect step.
    return _count_failure(ctx, job_name, job_name, execution, error)


# The history event that ends an execution in each closed status (Step Functions API reference,
# HistoryEvent: ExecutionAborted, ExecutionTimedOut, ExecutionFailed).
_ENDED_EVENTS = {"ABORTED": "ExecutionAborted", "TIMED_OUT": "ExecutionTimedOut", "FAILED": "ExecutionFailed"}


def _job_of(state: FailureInput) -> tuple[str, str]:
    """(job, root) of a failed execution: from the inspection when it ran, else the event's ARN."""
    if state.inspection is not None:
        return state.inspection.job_name, state.inspection.root
    name = job_name_from_arn(state.resources[0]) if state.resources else "unknown-job"
    return name, name
