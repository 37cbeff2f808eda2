"""Plan chain: diff the job's manifests, decide once, and write the chained manifest and plan.json.

Everything that can make a chain impossible (a request that cannot be built from the parent,
a bad override tag) is found before the decision and handed to the policy as a blocker: the
policy's verdict is final, nothing corrects it afterwards.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from typing import BinaryIO, cast

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.evidence import FINAL
from gtchain_runtime.domain.layout import ChildLocations, input_manifest_uri, jobs_output_path
from gtchain_runtime.domain.lineage import Lineage, LineageError, labeling_mode_override, resume_opted_out
from gtchain_runtime.domain.manifest import diff_manifests
from gtchain_runtime.domain.policy import Decision, PolicyInput, decide
from gtchain_runtime.domain.requests import ChildRequest, RequestBuildError, build_child_request
from gtchain_runtime.payloads import ChainPlan, Inspection, PlanCounts, PlanEvidence
from gtchain_runtime.usecases.evidence import open_evidence


def plan_chain(ctx: ChainContext, inspection: Inspection, *, dry_run: bool = False) -> ChainPlan:
    """The plan for a finished job; with dry_run nothing is written (`gtchain job plan`)."""
    describe = inspection.describe
    child = inspection.lineage.child()
    locations = ChildLocations(ctx.settings.bucket_name, child.root, child.job_name)
    source_uri = input_manifest_uri(describe)

    with ExitStack() as stack:
        chained = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        rejects = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        source = stack.enter_context(ctx.objects.open(source_uri))
        # No final output manifest (a failed or stopped job): the best evidence it left instead.
        evidence = stack.enter_context(open_evidence(ctx.objects, describe, source))
        counts = PlanCounts.of(
            diff_manifests(source, evidence.output, str(describe["LabelAttributeName"]), chained, rejects)
        )
        rejects.write(evidence.rejects)

        built: ChildRequest | None = None
        blockers: tuple[str, ...] = ()
        if counts.remaining:
            try:
                built = _child_request(ctx, inspection, child, locations, counts)
            except (RequestBuildError, LineageError) as error:
                blockers = (str(error),)
        verdict = decide(_policy_input(ctx, inspection, counts, blockers))

        chains = verdict.decision is Decision.CHAIN
        plan = ChainPlan(
            decision=verdict.decision,
            reason=verdict.reason,
            counts=counts,
            child_name=child.job_name,
            chained_manifest_uri=locations.chained_manifest_uri if chains else None,
            rejects_uri=locations.rejects_uri,
            plan_uri=locations.plan_uri,
            request=built.request if chains and built else None,
            labeling_mode=built.labeling_mode if chains and built else None,
            mode_reason=built.mode_reason if chains and built else None,
            evidence=PlanEvidence(**evidence.summary(counts.labeled, counts.input_labeled)),
        )
        if dry_run:
            return plan
        if chains:
            ctx.objects.upload(chained, locations.chained_manifest_uri)
        ctx.objects.upload(rejects, locations.rejects_uri)
        ctx.objects.put_json(
            locations.plan_uri,
            {
                **plan.model_dump(mode="json", exclude={"request"}),
                "job_name": inspection.job_name,
                "status": inspection.status,
                "root": child.root,
                "depth": inspection.depth,
                "input_manifest_uri": source_uri,
                "output_manifest_uri": evidence.uris[0] if evidence.source == FINAL else None,
                "planned_at": ctx.clock().isoformat(),
            },
        )
        return plan


def _child_request(
    ctx: ChainContext, inspection: Inspection, child: Lineage, locations: ChildLocations, counts: PlanCounts
) -> ChildRequest:
    settings = ctx.settings
    return build_child_request(
        inspection.describe,
        child=child,
        chained_manifest_uri=locations.chained_manifest_uri,
        output_path=jobs_output_path(settings.bucket_name),
        parent_tags=[{"Key": key, "Value": value} for key, value in inspection.tags.items()],
        requested_mode=labeling_mode_override(inspection.tags) or settings.labeling_mode,
        algorithm_specification_arn=settings.algorithm_specification_arn,
        dataset_size=counts.total,
    )


def _policy_input(
    ctx: ChainContext, inspection: Inspection, counts: PlanCounts, blockers: tuple[str, ...]
) -> PolicyInput:
    return PolicyInput(
        job_name=inspection.job_name,
        status=inspection.status,
        failure_reason=inspection.describe.get("FailureReason"),
        depth=inspection.depth,
        max_depth=ctx.settings.max_depth,
        resume_stopped=ctx.settings.resume_stopped,
        opted_out=resume_opted_out(inspection.tags),
        remaining=counts.remaining,
        labeled=counts.labeled,
        input_labeled=counts.input_labeled,
        chain_blockers=blockers,
    )
