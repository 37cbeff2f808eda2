"""The plan for a finished job, decided once from facts gathered beforehand (pure).

usecases/plan.py gathers the facts (the manifest diff's counts, where the labels were read, the
chain's earlier jobs and what the ledger recorded of them); `decide_plan` turns them into the
plan; the use case persists it (the chained manifest, the rejects and plan.json).

Everything that can make a chain impossible (the chain's root cannot be described and no budget
is configured, a chained manifest over one of Ground Truth's input limits (domain.input_limits,
checked by the use case on the manifest it wrote), a request that cannot be built from the
parent, a bad override tag, the identity guard rails, a spent budget) is found here before
`domain.policy.decide` and handed to it as an input: the policy's verdict is final, nothing
corrects it afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, field_serializer, model_validator

from gtchain_runtime.domain.budget import BudgetCheck, check_budget
from gtchain_runtime.domain.cost import chain_cost_of
from gtchain_runtime.domain.guards import IdentityCheck, ProjectIdentity, check_identity
from gtchain_runtime.domain.labeling_job import LabelingJob, LabelingMode, human_labels_spent
from gtchain_runtime.domain.layout import ChildLocations, jobs_output_path
from gtchain_runtime.domain.lineage import Lineage, LineageError, labeling_mode_override, resume_opted_out
from gtchain_runtime.domain.manifest import ManifestPlan
from gtchain_runtime.domain.policy import Decision, PolicyInput, decide
from gtchain_runtime.domain.requests import ChildRequest, RequestBuildError, build_child_request


class _Model(BaseModel):
    # Each state sees the whole execution state: fields of other steps are ignored.
    model_config = ConfigDict(extra="ignore")


class PlanEvidence(_Model):
    """Where the labels a job paid for were read (usecases/evidence.py)."""

    source: str  # final | intermediate | consolidated-annotations | input-only
    uris: list[str]
    labels: int
    rejected: int = 0


class ChainPlan(_Model):
    decision: Decision
    reason: str
    # The manifest diff's counts: the domain's own dataclass, validated as a model by pydantic.
    counts: ManifestPlan
    child_name: str
    chained_manifest_uri: str | None
    rejects_uri: str | None
    plan_uri: str | None
    # domain.cost.ChainCost.to_dict() of the chain up to this job (per job and total); decide_plan
    # always sets it, a plan written by hand (`gtchain job resume` tests) may leave it out.
    cost: dict[str, Any] | None = None
    # The CreateLabelingJob request (botocore's shape), for CHAIN only.
    request: dict[str, Any] | None = None
    labeling_mode: str | None = None
    mode_reason: str | None = None
    # CHAIN only: the child's workforce (with the task price of an external crowd) and budget cap.
    workforce_note: str | None = None
    budget_note: str | None = None
    evidence: PlanEvidence | None = None

    @model_validator(mode="after")
    def _chain_has_a_request(self) -> Self:
        if self.decision is Decision.CHAIN and (self.request is None or self.chained_manifest_uri is None):
            raise ValueError("a CHAIN plan carries the child's request and its chained manifest URI")
        return self


class PlanDocument(ChainPlan):
    """plan.json (chains/<root>/<child>/plan.json): the plan without the request, and the job's facts."""

    job_name: str
    status: str
    root: str
    depth: int
    input_manifest_uri: str
    # The job's final output manifest, when the diff read it (not other evidence).
    output_manifest_uri: str | None
    planned_at: datetime

    @field_serializer("planned_at")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"request"})


@dataclass(frozen=True)
class ProjectRules:
    """What the project's settings say about chaining (settings.RuntimeSettings.rules())."""

    bucket_name: str
    labeling_role_arn: str
    workteam_arn: str | None
    allow_external_workforce: bool
    chain_human_label_budget: int | None
    price_per_object_usd: Decimal | None
    max_depth: int
    resume_stopped: bool
    labeling_mode: LabelingMode
    algorithm_specification_arn: str | None


@dataclass(frozen=True)
class PlanFacts:
    """Everything the decision reads, gathered by usecases/plan.py."""

    job: LabelingJob
    lineage: Lineage  # the finished job's
    tags: Mapping[str, str]  # the finished job's (ListTags)
    counts: ManifestPlan
    evidence: PlanEvidence
    # The chain's jobs before this one that exist under their names, root first.
    earlier: tuple[LabelingJob, ...]
    # Objects each earlier job never re-sent, by gtchain's own diff recorded in the ledger.
    recorded_never_resent: Mapping[str, int]
    # The documented input limits the chained manifest breaks (domain.input_limits), each naming
    # its objects: the child would fail after CreateLabelingJob, so the chain gives up before.
    input_limit_problems: tuple[str, ...] = ()


def decide_plan(facts: PlanFacts, rules: ProjectRules) -> ChainPlan:
    """The plan: the decision, and for CHAIN the child's request (see the module docstring)."""
    job, counts = facts.job, facts.counts
    child = facts.lineage.child()
    locations = ChildLocations(rules.bucket_name, child.root, child.job_name)
    chain = [*facts.earlier, job]
    cost = chain_cost_of(
        chain, {**facts.recorded_never_resent, job.name: counts.input_labeled}, rules.price_per_object_usd
    )
    identity = check_identity(
        job,
        ProjectIdentity(
            labeling_role_arn=rules.labeling_role_arn,
            workteam_arn=rules.workteam_arn,
            allow_external_workforce=rules.allow_external_workforce,
        ),
    )
    root = root_job(child.root, facts)
    blockers: tuple[str, ...] = ()
    if root is None and rules.chain_human_label_budget is None:
        blockers = (
            f"the chain's root job {child.root} cannot be described, so its stopping conditions "
            "(the chain's budget) are unknown",
        )
    budget = check_budget(
        chain_budget=rules.chain_human_label_budget,
        root_stopping_conditions=root.stopping_conditions if root else None,
        spent=human_labels_spent(chain),
        labeled=counts.labeled,
        dataset_objects=counts.total,
        remaining=counts.remaining,
    )
    if counts.remaining and not blockers:
        blockers = facts.input_limit_problems
    built: ChildRequest | None = None
    if counts.remaining and not blockers:
        try:
            built = _child_request(
                facts, rules, child=child, locations=locations, identity=identity, budget=budget
            )
        except (RequestBuildError, LineageError) as error:
            blockers = (str(error),)
    verdict = decide(_policy_input(facts, rules, blockers, identity, budget))
    chains = verdict.decision is Decision.CHAIN
    return ChainPlan(
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
        evidence=facts.evidence,
    )


def root_job(root: str, facts: PlanFacts) -> LabelingJob | None:
    """The root job: the finished job itself at depth 0, else the chain's first (if it exists)."""
    candidate = facts.earlier[0] if facts.earlier else facts.job
    return candidate if candidate.name.lower() == root.lower() else None


def _child_request(
    facts: PlanFacts,
    rules: ProjectRules,
    *,
    child: Lineage,
    locations: ChildLocations,
    identity: IdentityCheck,
    budget: BudgetCheck,
) -> ChildRequest:
    return build_child_request(
        facts.job,
        child=child,
        chained_manifest_uri=locations.chained_manifest_uri,
        output_path=jobs_output_path(rules.bucket_name),
        parent_tags=[{"Key": key, "Value": value} for key, value in facts.tags.items()],
        requested_mode=labeling_mode_override(facts.tags) or rules.labeling_mode,
        algorithm_specification_arn=rules.algorithm_specification_arn,
        dataset_size=facts.counts.total,
        role_arn=identity.role_arn,
        workteam_arn=identity.workteam_arn,
        stopping_conditions=budget.child_stopping_conditions,
    )


def _policy_input(
    facts: PlanFacts,
    rules: ProjectRules,
    blockers: tuple[str, ...],
    identity: IdentityCheck,
    budget: BudgetCheck,
) -> PolicyInput:
    counts = facts.counts
    return PolicyInput(
        job_name=facts.job.name,
        status=facts.job.status,
        failure_reason=facts.job.failure_reason,
        depth=facts.lineage.depth,
        max_depth=rules.max_depth,
        resume_stopped=rules.resume_stopped,
        opted_out=resume_opted_out(facts.tags),
        remaining=counts.remaining,
        labeled=counts.labeled,
        input_labeled=counts.input_labeled,
        chain_blockers=blockers,
        identity_blockers=identity.blockers,
        budget_stop=budget.stop,
    )
