"""The jobs of one chain, found by their deterministic names (domain.naming.chain_job_names)."""

from __future__ import annotations

from typing import Any

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.cost import ChainCost, job_cost
from gtchain_runtime.domain.lineage import lineage_from_tags, tags_to_dict
from gtchain_runtime.domain.naming import chain_job_names


def chain_of(ctx: ChainContext, any_job: str) -> list[dict[str, Any]]:
    """Descriptions of the chain that `any_job` belongs to, root first, up to its last job."""
    first = ctx.jobs.describe(any_job)
    lineage = lineage_from_tags(
        str(first["LabelingJobName"]), tags_to_dict(ctx.jobs.tags(str(first["LabelingJobArn"])))
    )
    chain: list[dict[str, Any]] = []
    for name in chain_job_names(lineage.root):
        describe = ctx.jobs.find(name)
        if describe is None:
            break
        chain.append(describe)
    return chain


def decisions_of(ctx: ChainContext, describes: list[dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
    """The ledger's decision record of each described job (None: no decision recorded yet)."""
    return {str(d["LabelingJobName"]): ctx.ledger.decision(str(d["LabelingJobName"])) for d in describes}


def chain_up_to(ctx: ChainContext, root: str, depth: int) -> list[dict[str, Any]]:
    """Descriptions of the chain's jobs from the root to `depth` that exist under their names.

    A link created by hand under another name is missing here; its output reached the next job.
    """
    return [describe for name in chain_job_names(root, depth) if (describe := ctx.jobs.find(name))]


def chain_cost(
    ctx: ChainContext, describes: list[dict[str, Any]], *, last_never_resent: int | None = None
) -> ChainCost:
    """Cost figures of the described jobs (domain.cost).

    Objects never re-sent come from gtchain's own diff of each job's input where it has one: the
    ledger decision's counts (GetItem per job), or `last_never_resent` for the job being planned.
    """
    price = ctx.settings.price_per_object_usd
    jobs = []
    for index, describe in enumerate(describes):
        never_resent = last_never_resent if index == len(describes) - 1 else None
        if never_resent is None:
            recorded = (ctx.ledger.decision(str(describe["LabelingJobName"])) or {}).get("counts") or {}
            if recorded.get("input_labeled") is not None:
                never_resent = int(recorded["input_labeled"])
        jobs.append(job_cost(describe, never_resent=never_resent, fallback_price=price))
    return ChainCost(tuple(jobs))
