"""Plan chain: diff the manifests, write the chained manifest and plan.json, decide."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime import service
from gtchain_runtime.handlers.observability import chain_context, logger, metrics, tracer
from gtchain_runtime.payloads import ExecutionState


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state = parse(event=event, model=ExecutionState)
    if state.inspection is None:
        raise ValueError("plan_chain needs $.inspection (the Inspect job step's result)")
    logger.set_correlation_id(state.inspection.job_name)
    plan = service.plan_chain(chain_context(), state.inspection)
    logger.info(
        "planned", extra={"decision": plan.decision.value, "reason": plan.reason, "counts": plan.counts}
    )
    return plan.model_dump(mode="json")
