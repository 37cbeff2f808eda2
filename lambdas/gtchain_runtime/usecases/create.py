"""Create chained job: CreateLabelingJob under the deterministic name, exactly once.

A second execution for the same parent collides on the name (ResourceInUse); the existing job
is accepted only when its lineage tag names this parent.
"""

from __future__ import annotations

from gtchain_runtime.adapters.sagemaker import LabelingJobExistsError
from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.lineage import PARENT_TAG, tags_to_dict
from gtchain_runtime.payloads import ChildResult, CreateInput


class ChainConflictError(RuntimeError):
    """The deterministic child name is taken by a job that is not this parent's child."""


def create_child(ctx: ChainContext, state: CreateInput) -> ChildResult:
    parent = state.inspection.job_name
    # Claimed before it exists: the child's own events may arrive before Record decision runs.
    ctx.ledger.claim_child(parent, state.inspection.root, state.plan.child_name, execution=state.id)
    try:
        child_arn = ctx.jobs.create(state.request)
        return ChildResult(child_name=state.plan.child_name, child_arn=child_arn, created=True)
    except LabelingJobExistsError:
        existing = ctx.jobs.describe(state.plan.child_name)
        existing_tags = tags_to_dict(ctx.jobs.tags(str(existing.arn)))
        claimed_parent = existing_tags.get(PARENT_TAG, "")
        if claimed_parent.lower() != parent.lower():
            raise ChainConflictError(
                f"a labeling job named {existing.name} already exists but its "
                f"{PARENT_TAG} tag is {claimed_parent or 'missing'}, not {parent}: "
                "rename or delete that job, then resume"
            ) from None
        return ChildResult(
            child_name=existing.name,
            child_arn=str(existing.arn),
            created=False,
        )
