"""Plan chain: diff the job's manifests, decide once, and write the chained manifest and plan.json.

Everything that can make a chain impossible (a request that cannot be built from the parent,
a bad override tag, the identity guard rails, a spent budget, a chained manifest over one of
Ground Truth's input limits) is found before the decision and
handed to the policy as an input: the policy's verdict is final, nothing corrects it afterwards.
The chain's earlier jobs are described (DescribeLabelingJob) for the budget and the cost figures,
and their ledger decisions read (GetItem) for the objects they never re-sent.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from typing import Any, BinaryIO, cast

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.budget import BudgetCheck, check_budget, human_labels_spent
from gtchain_runtime.domain.evidence import FINAL
from gtchain_runtime.domain.guards import IdentityCheck, ProjectIdentity, check_identity
from gtchain_runtime.domain.input_limits import chained_manifest_problems
from gtchain_runtime.domain.layout import ChildLocations, input_manifest_uri, jobs_output_path
from gtchain_runtime.domain.lineage import Lineage, LineageError, labeling_mode_override, resume_opted_out
from gtchain_runtime.domain.manifest import diff_manifests
from gtchain_runtime.domain.policy import Decision, PolicyInput, decide
from gtchain_runtime.domain.requests import ChildRequest, RequestBuildError, build_child_request, task_type
from gtchain_runtime.payloads import ChainPlan, Inspection, PlanCounts, PlanEvidence
from gtchain_runtime.usecases.chain import chain_cost, chain_up_to
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
        counts = diff_manifests(
            source, evidence.output, str(describe["LabelAttributeName"]), chained, rejects
        )
        rejects.write(evidence.rejects)

        settings = ctx.settings
        earlier = chain_up_to(ctx, child.root, inspection.depth - 1) if inspection.depth else []
        cost = chain_cost(ctx, [*earlier, describe], last_never_resent=counts.input_labeled)
        identity = check_identity(
            describe,
            ProjectIdentity(
                labeling_role_arn=settings.labeling_role_arn,
                workteam_arn=settings.workteam_arn,
                allow_external_workforce=settings.allow_external_workforce,
            ),
        )
        root = _root_of(child.root, earlier, describe)
        blockers: tuple[str, ...] = ()
        if root is None and settings.chain_human_label_budget is None:
            blockers = (
                f"the chain's root job {child.root} cannot be described, so its stopping conditions "
                "(the chain's budget) are unknown",
            )
        budget = check_budget(
            chain_budget=settings.chain_human_label_budget,
            root_stopping_conditions=(root or {}).get("StoppingConditions"),
            spent=human_labels_spent([*earlier, describe]),
            labeled=counts.labeled,
            dataset_objects=counts.total,
            remaining=counts.remaining,
        )

        if counts.remaining and not blockers:
            # Ground Truth's input limits, on the manifest the child would get: refused here,
            # before CreateLabelingJob, rather than failed by AWS with a text gtchain cannot read.
            chained.seek(0)
            blockers = tuple(chained_manifest_problems(chained, task_type(describe)))
        built: ChildRequest | None = None
        if counts.remaining and not blockers:
            try:
                built = _child_request(
                    ctx,
                    inspection,
                    child=child,
                    locations=locations,
                    counts=counts,
                    identity=identity,
                    budget=budget,
                )
            except (RequestBuildError, LineageError) as error:
                blockers = (str(error),)
        verdict = decide(
            _policy_input(ctx, inspection, counts=counts, blockers=blockers, identity=identity, budget=budget)
        )

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
            workforce_note=identity.workforce_note if chains else None,
            budget_note=budget.note if chains else None,
            cost=cost.to_dict(),
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


def _root_of(root: str, earlier: list[dict[str, Any]], describe: dict[str, Any]) -> dict[str, Any] | None:
    """The root job's description: the finished job itself at depth 0, else the chain's first."""
    for candidate in [describe] if not earlier else earlier[:1]:
        if str(candidate.get("LabelingJobName", "")).lower() == root.lower():
            return candidate
    return None


def _child_request(
    ctx: ChainContext,
    inspection: Inspection,
    *,
    child: Lineage,
    locations: ChildLocations,
    counts: PlanCounts,
    identity: IdentityCheck,
    budget: BudgetCheck,
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
        role_arn=identity.role_arn,
        workteam_arn=identity.workteam_arn,
        stopping_conditions=budget.child_stopping_conditions,
    )


def _policy_input(
    ctx: ChainContext,
    inspection: Inspection,
    *,
    counts: PlanCounts,
    blockers: tuple[str, ...],
    identity: IdentityCheck,
    budget: BudgetCheck,
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
        identity_blockers=identity.blockers,
        budget_stop=budget.stop,
    )
