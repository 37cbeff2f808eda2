"""Create chained job: CreateLabelingJob under the deterministic name, exactly once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime import metric_names
from gtchain_runtime.handlers.observability import MetricUnit, chain_context, logger, metrics, step_handler
from gtchain_runtime.payloads import CreateInput
from gtchain_runtime.usecases.create import create_child


@step_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state = parse(event=event, model=CreateInput)
    logger.set_correlation_id(state.inspection.job_name)
    child = create_child(chain_context(), state)
    if child.created:
        counts = state.plan.counts
        metrics.add_metric(name=metric_names.CHAINS_STARTED, unit=MetricUnit.Count, value=1)
        metrics.add_metric(name=metric_names.OBJECTS_RESENT, unit=MetricUnit.Count, value=counts.remaining)
        metrics.add_metric(name=metric_names.OBJECTS_SKIPPED, unit=MetricUnit.Count, value=counts.labeled)
    logger.info("child job", extra={"child_name": child.child_name, "child_created": child.created})
    return child.model_dump(mode="json")
