"""Inspect job: DescribeLabelingJob + ListTags for the job of the event; is it ours?"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime.domain.aws_ids import job_name_from_arn
from gtchain_runtime.handlers.observability import chain_context, logger, step_handler
from gtchain_runtime.payloads import LabelingJobStateChange
from gtchain_runtime.usecases.inspect import inspect_job


@step_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    change = parse(event=event, model=LabelingJobStateChange)
    logger.set_correlation_id(job_name_from_arn(change.job_arn))
    inspection = inspect_job(
        chain_context(), change.job_arn, change.detail.LabelingJobStatus, event_id=change.id
    )
    logger.set_correlation_id(inspection.job_name)  # the real case; ARNs lower-case it
    logger.info(
        "inspected",
        extra={"relevant": inspection.relevant, "reason": inspection.reason, "depth": inspection.depth},
    )
    return inspection.model_dump(mode="json")
