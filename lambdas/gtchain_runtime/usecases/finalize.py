"""Finalize chain: consolidate the outputs of every job of the chain into chains/<root>/final/."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from typing import Any, BinaryIO, cast

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.consolidate import consolidate_chain
from gtchain_runtime.domain.cost import ChainCost, job_cost
from gtchain_runtime.domain.layout import FinalLocations, input_manifest_uri, output_manifest_uri
from gtchain_runtime.domain.report_page import chain_report_page, render_report_html
from gtchain_runtime.payloads import FinalizeInput, FinalResult
from gtchain_runtime.usecases.chain import chain_up_to
from gtchain_runtime.usecases.evidence import open_evidence

HTML_CONTENT_TYPE = "text/html; charset=utf-8"


def finalize_chain(ctx: ChainContext, state: FinalizeInput) -> FinalResult:
    inspection = state.inspection
    lineage = inspection.lineage
    locations = FinalLocations(ctx.settings.bucket_name, lineage.root)
    # The finished job's own description is the one the plan used; the earlier ones are read now.
    earlier = chain_up_to(ctx, lineage.root, lineage.depth - 1) if lineage.depth else []
    describes = [*earlier, inspection.describe]
    # A plan made before the cost figures existed carries none: the counters' own (no ledger read).
    cost = state.plan.cost or _counters_cost(ctx, describes)
    with ExitStack() as stack:
        opened = [
            (str(describe["LabelingJobName"]), output)
            for describe in describes
            if (output := _best_output(ctx, describe, stack)) is not None
        ]
        if not opened:
            raise ValueError(f"no job of chain {lineage.root} left an output manifest to consolidate")
        final = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        rejects = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        consolidated = consolidate_chain(
            opened, str(inspection.describe["LabelAttributeName"]), final, rejects
        )
        finalized_at = ctx.clock()
        report = consolidated.to_dict()
        # "jobs" stays the chain's job names, as report.json has always had them; the per-job
        # counts of the consolidation move to "job_counts", in the same (chain) order.
        job_counts = report.pop("jobs")
        report |= {
            "root": lineage.root,
            "jobs": [counts["job"] for counts in job_counts],
            "job_counts": job_counts,
            # Human-/machine-labeled, never re-sent objects and worker pay per job and for the
            # chain (domain.cost), as the plan of the chain's last job computed them.
            "cost": state.plan.cost,
            "final_manifest_uri": locations.manifest_uri,
            "rejects_uri": locations.rejects_uri,
            "finalized_at": finalized_at.isoformat(),
        }
        ctx.objects.upload(final, locations.manifest_uri)
        ctx.objects.upload(rejects, locations.rejects_uri)
    ctx.objects.put_json(locations.report_uri, report)
    page = chain_report_page(
        describes,
        cost,
        generated_at=finalized_at,
        decisions={lineage.job_name: state.plan.decision.value},
        final_totals=report["totals"],
        final_manifest_uri=locations.manifest_uri,
    )
    ctx.objects.put_text(locations.report_page_uri, render_report_html(page), HTML_CONTENT_TYPE)
    return FinalResult(
        final_manifest_uri=locations.manifest_uri, report_uri=locations.report_uri, report=report
    )


def _counters_cost(ctx: ChainContext, describes: list[dict[str, Any]]) -> dict[str, Any]:
    price = ctx.settings.price_per_object_usd
    return ChainCost(tuple(job_cost(describe, fallback_price=price) for describe in describes)).to_dict()


def _best_output(ctx: ChainContext, describe: dict[str, Any], stack: ExitStack) -> BinaryIO | None:
    """The job's final output manifest or, when it left none (a Stopped or Failed job), the best
    evidence of its labels that the plan used too (usecases/evidence.py)."""
    uri = output_manifest_uri(describe)
    if ctx.objects.exists(uri):
        return stack.enter_context(ctx.objects.open(uri))
    source = stack.enter_context(ctx.objects.open(input_manifest_uri(describe)))
    return stack.enter_context(open_evidence(ctx.objects, describe, source)).output
