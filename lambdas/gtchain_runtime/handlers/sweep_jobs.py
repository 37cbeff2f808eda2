"""Hourly sweep: start the state machine for finished jobs that have no recorded decision."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime.handlers.observability import chain_context, logger, step_handler
from gtchain_runtime.usecases.sweep import sweep_jobs


@step_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = sweep_jobs(chain_context()).model_dump(mode="json")
    logger.info("sweep done", extra=result)
    return result
