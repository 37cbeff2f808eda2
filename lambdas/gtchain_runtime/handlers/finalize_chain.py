"""Finalize chain: consolidate every job's output into chains/<root>/final/."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime import metric_names
from gtchain_runtime.handlers.observability import MetricUnit, chain_context, logger, metrics, step_handler
from gtchain_runtime.payloads import FinalizeInput
from gtchain_runtime.usecases.finalize import finalize_chain


@step_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state = parse(event=event, model=FinalizeInput)
    logger.set_correlation_id(state.inspection.job_name)
    final = finalize_chain(chain_context(), state)
    metrics.add_metric(name=metric_names.CHAINS_COMPLETED, unit=MetricUnit.Count, value=1)
    logger.info("chain finalized", extra={"final_manifest_uri": final.final_manifest_uri})
    return final.model_dump(mode="json")
