"""The chain report page of any chain, finished or not (`gtchain chain report`, `gtchain demo`).

Reads what `gtchain chain status` reads (the chain's descriptions, the ledger's decisions, the
cost figures) and, once the chain is finalized, its final/report.json for the final manifest's
totals. Finalize renders the same page from the data it has in hand (usecases/finalize.py).
"""

from __future__ import annotations

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.final_report import ChainReportDocument
from gtchain_runtime.domain.layout import FinalLocations
from gtchain_runtime.domain.report_page import ChainReportPage, chain_report_page
from gtchain_runtime.usecases.chain import chain_cost, chain_of, decisions_of


def report_page_of(ctx: ChainContext, any_job: str) -> ChainReportPage:
    jobs = chain_of(ctx, any_job)
    decisions = decisions_of(ctx, jobs)
    final = _final_report(ctx, FinalLocations(ctx.settings.bucket_name, jobs[0].name))
    return chain_report_page(
        jobs,
        chain_cost(ctx, jobs).to_dict(),
        generated_at=ctx.clock(),
        decisions={name: str(record["decision"]) for name, record in decisions.items() if record},
        final_totals=final.totals.model_dump() if final else None,
        final_manifest_uri=final.final_manifest_uri if final else None,
    )


def _final_report(ctx: ChainContext, locations: FinalLocations) -> ChainReportDocument | None:
    if not ctx.objects.exists(locations.report_uri):
        return None
    with ctx.objects.open(locations.report_uri) as handle:
        return ChainReportDocument.model_validate_json(handle.read())
