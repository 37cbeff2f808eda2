"""The jobs of one chain, found by their deterministic names (domain.naming.chain_job_names)."""

from __future__ import annotations

from typing import Any

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.cost import ChainCost, chain_cost_of
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.lineage import lineage_from_tags, tags_to_dict
from gtchain_runtime.domain.naming import chain_job_names


def chain_of(ctx: ChainContext, any_job: str) -> list[LabelingJob]:
    """The chain that `any_job` belongs to, root first, up to its last job."""
    first = ctx.jobs.describe(any_job)
    lineage = lineage_from_tags(first.name, tags_to_dict(ctx.jobs.tags(str(first.arn))))
    chain: list[LabelingJob] = []
    for name in chain_job_names(lineage.root):
        job = ctx.jobs.find(name)
        if job is None:
            break
        chain.append(job)
    return chain


def decisions_of(ctx: ChainContext, jobs: list[LabelingJob]) -> dict[str, dict[str, Any] | None]:
    """The ledger's decision record of each job (None: no decision recorded yet)."""
    return {job.name: ctx.ledger.decision(job.name) for job in jobs}


def chain_up_to(ctx: ChainContext, root: str, depth: int) -> list[LabelingJob]:
    """The chain's jobs from the root to `depth` that exist under their names.

    A link created by hand under another name is missing here; its output reached the next job.
    """
    return [job for name in chain_job_names(root, depth) if (job := ctx.jobs.find(name))]


def recorded_never_resent(ctx: ChainContext, jobs: list[LabelingJob]) -> dict[str, int]:
    """Objects each job never re-sent, by gtchain's own diff of its input where it has one: the
    ledger decision's counts (GetItem per job)."""
    never_resent = {}
    for job in jobs:
        recorded = (ctx.ledger.decision(job.name) or {}).get("counts") or {}
        if recorded.get("input_labeled") is not None:
            never_resent[job.name] = int(recorded["input_labeled"])
    return never_resent


def chain_cost(
    ctx: ChainContext, jobs: list[LabelingJob], *, last_never_resent: int | None = None
) -> ChainCost:
    """Cost figures of the jobs (domain.cost); `last_never_resent` for the job being planned."""
    recorded = recorded_never_resent(ctx, jobs[:-1] if last_never_resent is not None else jobs)
    if jobs and last_never_resent is not None:
        recorded[jobs[-1].name] = last_never_resent
    return chain_cost_of(jobs, recorded, ctx.settings.price_per_object_usd)
