"""Record decision / Record failure: a conditional ledger write, then notify on the first write."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime import metric_names
from gtchain_runtime.domain.aws_ids import job_name_from_arn
from gtchain_runtime.handlers.observability import MetricUnit, chain_context, logger, metrics, step_handler
from gtchain_runtime.payloads import FailureInput, record_input
from gtchain_runtime.usecases.record import record_outcome


@step_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state = record_input(event)
    if state.inspection is not None:
        logger.set_correlation_id(state.inspection.job_name)
    elif state.resources:
        logger.set_correlation_id(job_name_from_arn(state.resources[0]))
    # The event id is unique per EventBridge event, and the sweep uses its execution name:
    # one failure record per execution.
    result = record_outcome(chain_context(), state, execution=state.id or "unknown")
    if result.gave_up:
        metrics.add_metric(name=metric_names.GIVE_UPS, unit=MetricUnit.Count, value=1)
    if isinstance(state, FailureInput):
        logger.warning("execution failed", extra={"error": state.error.Error, "cause": state.error.Cause})
    logger.info("recorded", extra={"recorded": result.recorded, "notified": result.notified})
    return result.model_dump(mode="json")
