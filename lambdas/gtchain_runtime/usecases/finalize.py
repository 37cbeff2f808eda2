"""Finalize chain: consolidate the outputs of every job of the chain into chains/<root>/final/.

Gather: the chain's earlier jobs (DescribeLabelingJob) and the best evidence of each job's labels
(usecases/evidence.py). Decide: the consolidation (domain.consolidate, streaming into temp files)
and report.json (domain.final_report). Persist: the final manifest, the rejects and report.json
first; then the report page, whose failure is logged and never fails the execution (the chain's
result is already written).
"""

from __future__ import annotations

import logging
import tempfile
from contextlib import ExitStack
from typing import BinaryIO, cast

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.consolidate import consolidate_chain
from gtchain_runtime.domain.cost import chain_cost_of
from gtchain_runtime.domain.final_report import ChainReportDocument, final_report
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.layout import FinalLocations
from gtchain_runtime.domain.report_page import chain_report_page
from gtchain_runtime.payloads import FinalizeInput, FinalResult
from gtchain_runtime.presentation.report_page import render_report_html
from gtchain_runtime.usecases.chain import chain_up_to
from gtchain_runtime.usecases.evidence import open_evidence

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
_log = logging.getLogger(__name__)


def finalize_chain(ctx: ChainContext, state: FinalizeInput) -> FinalResult:
    inspection = state.inspection
    lineage = inspection.lineage
    locations = FinalLocations(ctx.settings.bucket_name, lineage.root)
    # The finished job's own description is the one the plan used; the earlier ones are read now.
    earlier = chain_up_to(ctx, lineage.root, lineage.depth - 1) if lineage.depth else []
    jobs = [*earlier, inspection.described]
    with ExitStack() as stack:
        opened = [(job.name, output) for job in jobs if (output := _best_output(ctx, job, stack)) is not None]
        if not opened:
            raise ValueError(f"no job of chain {lineage.root} left an output manifest to consolidate")
        final = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        rejects = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        consolidated = consolidate_chain(opened, inspection.described.label_attribute, final, rejects)
        # Human-/machine-labeled, never re-sent objects and worker pay per job and for the
        # chain (domain.cost), as the plan of the chain's last job computed them.
        report = final_report(consolidated, locations, cost=state.plan.cost, finalized_at=ctx.clock())
        ctx.objects.upload(final, locations.manifest_uri)
        ctx.objects.upload(rejects, locations.rejects_uri)
    ctx.objects.put_json(locations.report_uri, report.to_json())
    _write_page(ctx, state, jobs, report, locations)
    return FinalResult(
        final_manifest_uri=locations.manifest_uri, report_uri=locations.report_uri, report=report
    )


def _write_page(
    ctx: ChainContext,
    state: FinalizeInput,
    jobs: list[LabelingJob],
    report: ChainReportDocument,
    locations: FinalLocations,
) -> None:
    """The report page: a convenience over report.json, so a failure here is logged, never raised."""
    # A plan without cost figures: the counters' own (no ledger read).
    cost = state.plan.cost or chain_cost_of(jobs, {}, ctx.settings.price_per_object_usd).to_dict()
    try:
        page = chain_report_page(
            jobs,
            cost,
            generated_at=report.finalized_at,
            decisions={state.inspection.job_name: state.plan.decision.value},
            final_totals=report.totals.model_dump(),
            final_manifest_uri=locations.manifest_uri,
        )
        ctx.objects.put_text(locations.report_page_uri, render_report_html(page), HTML_CONTENT_TYPE)
    except Exception:  # the chain's result is written; the page must not fail the execution
        _log.exception("report page of chain %s not written", report.root)


def _best_output(ctx: ChainContext, job: LabelingJob, stack: ExitStack) -> BinaryIO | None:
    """The job's final output manifest or, when it left none (a Stopped or Failed job), the best
    evidence of its labels that the plan used too (usecases/evidence.py)."""

    def input_manifest() -> BinaryIO:
        return cast(BinaryIO, stack.enter_context(ctx.objects.open(job.require_input_manifest())))

    return stack.enter_context(open_evidence(ctx.objects, job, input_manifest)).output
