"""Hourly sweep: start the state machine for finished jobs that have no recorded decision."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime.handlers.observability import chain_context, logger, metrics, tracer
from gtchain_runtime.usecases.sweep import sweep_jobs


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = sweep_jobs(chain_context()).model_dump(mode="json")
    logger.info("sweep done", extra=result)
    return result
