"""Plan chain: diff the manifests, decide, write the chained manifest and plan.json."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from gtchain_runtime.handlers.observability import chain_context, logger, step_handler
from gtchain_runtime.payloads import PlanInput
from gtchain_runtime.usecases.plan import plan_chain


@step_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state = parse(event=event, model=PlanInput)
    logger.set_correlation_id(state.inspection.job_name)
    plan = plan_chain(chain_context(), state.inspection)
    logger.info(
        "planned",
        extra={"decision": plan.decision.value, "reason": plan.reason, "counts": plan.counts.to_dict()},
    )
    return plan.model_dump(mode="json")
