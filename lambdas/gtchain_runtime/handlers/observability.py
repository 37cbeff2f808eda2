"""Powertools Logger, Tracer and Metrics shared by the handlers, and the per-process context.

Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime import metric_names
from gtchain_runtime.context import ChainContext
from gtchain_runtime.metric_names import POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME
from gtchain_runtime.settings import get_settings

# The stack sets both variables; the defaults are the same names, for local runs and tests.
SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME", POWERTOOLS_SERVICE_NAME)
METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", POWERTOOLS_METRICS_NAMESPACE)

logger = Logger(service=SERVICE_NAME)
tracer = Tracer(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

__all__ = ["MetricUnit", "chain_context", "logger", "metrics", "step_handler", "tracer"]

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def step_handler(handler: Handler) -> Handler:
    """Powertools for one step's handler: Lambda context in the logs, metrics flushed, a trace."""
    return logger.inject_lambda_context(metrics.log_metrics(tracer.capture_lambda_handler(handler)))


def count_retries(service: str, operation: str, retries: int) -> None:
    """AWS calls that needed retries (throttling, 5xx): the AwsRetries metric and a log line."""
    metrics.add_metric(name=metric_names.AWS_RETRIES, unit=MetricUnit.Count, value=retries)
    logger.info(
        "aws call retried", extra={"aws_service": service, "operation": operation, "retries": retries}
    )


@lru_cache(maxsize=1)
def chain_context() -> ChainContext:
    """Clients and settings, built once per cold start (tests call `chain_context.cache_clear()`)."""
    settings = get_settings()
    metrics.set_default_dimensions(project=settings.project_name)
    return ChainContext.from_session(settings, on_retries=count_retries)
