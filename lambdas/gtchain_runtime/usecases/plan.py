"""Plan chain: gather the facts, decide (domain.chain_plan), persist the plan.

Gather: diff the job's input manifest against the best evidence of its labels (into temp files:
the chained manifest and the rejects), describe the chain's earlier jobs (DescribeLabelingJob)
and read their ledger decisions (GetItem) for the budget and the cost figures.
Decide: `domain.chain_plan.decide_plan`, pure.
Persist: the chained manifest (CHAIN only), the rejects and plan.json (domain.chain_plan.PlanDocument).
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from typing import BinaryIO, cast

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.chain_plan import ChainPlan, PlanDocument, PlanEvidence, PlanFacts, decide_plan
from gtchain_runtime.domain.evidence import FINAL
from gtchain_runtime.domain.input_limits import chained_manifest_problems
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.layout import ChildLocations
from gtchain_runtime.domain.manifest import ManifestPlan, diff_manifests
from gtchain_runtime.payloads import Inspection
from gtchain_runtime.usecases.chain import chain_up_to, recorded_never_resent
from gtchain_runtime.usecases.evidence import open_evidence


@dataclass(frozen=True)
class _Diff:
    """The manifest diff: counts and evidence, the chained manifest and rejects in temp files."""

    counts: ManifestPlan
    evidence: PlanEvidence
    output_manifest_uri: str | None  # the final output manifest, when that was the evidence
    chained: BinaryIO
    rejects: BinaryIO
    input_limit_problems: tuple[str, ...]  # domain.input_limits, when objects remain


def plan_chain(ctx: ChainContext, inspection: Inspection, *, dry_run: bool = False) -> ChainPlan:
    """The plan for a finished job; with dry_run nothing is written (`gtchain job plan`)."""
    job = inspection.described
    with ExitStack() as stack:
        diff = _diff(ctx, job, stack)
        earlier = chain_up_to(ctx, inspection.root, inspection.depth - 1) if inspection.depth else []
        facts = PlanFacts(
            job=job,
            lineage=inspection.lineage,
            tags=inspection.tags,
            counts=diff.counts,
            evidence=diff.evidence,
            earlier=tuple(earlier),
            recorded_never_resent=recorded_never_resent(ctx, earlier),
            input_limit_problems=diff.input_limit_problems,
        )
        plan = decide_plan(facts, ctx.settings.rules())
        if not dry_run:
            _persist(ctx, inspection, plan, diff)
        return plan


def _diff(ctx: ChainContext, job: LabelingJob, stack: ExitStack) -> _Diff:
    # Closed by the caller's ExitStack, after the plan is persisted.
    chained = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))  # noqa: SIM115
    rejects = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))  # noqa: SIM115
    source = stack.enter_context(ctx.objects.open(job.require_input_manifest()))
    # No final output manifest (a failed or stopped job): the best evidence it left instead.
    evidence = stack.enter_context(open_evidence(ctx.objects, job, lambda: source))
    counts = diff_manifests(source, evidence.output, job.label_attribute, chained, rejects)
    rejects.write(evidence.rejects)
    problems: tuple[str, ...] = ()
    if counts.remaining:  # the manifest a child would get: Ground Truth's documented limits
        chained.seek(0)
        problems = tuple(chained_manifest_problems(chained, job.human_task.task_type))
    return _Diff(
        counts=counts,
        evidence=PlanEvidence(**evidence.summary(counts.labeled, counts.input_labeled)),
        output_manifest_uri=evidence.uris[0] if evidence.source == FINAL else None,
        chained=chained,
        rejects=rejects,
        input_limit_problems=problems,
    )


def _persist(ctx: ChainContext, inspection: Inspection, plan: ChainPlan, diff: _Diff) -> None:
    locations = ChildLocations(ctx.settings.bucket_name, inspection.root, plan.child_name)
    if plan.chained_manifest_uri is not None:
        ctx.objects.upload(diff.chained, plan.chained_manifest_uri)
    ctx.objects.upload(diff.rejects, locations.rejects_uri)
    document = PlanDocument(
        **plan.model_dump(),
        job_name=inspection.job_name,
        status=inspection.status,
        root=inspection.root,
        depth=inspection.depth,
        input_manifest_uri=inspection.described.require_input_manifest(),
        output_manifest_uri=diff.output_manifest_uri,
        planned_at=ctx.clock(),
    )
    ctx.objects.put_json(locations.plan_uri, document.to_json())
