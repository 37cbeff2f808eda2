"""Typed payloads of the state machine: the event, each state's input and each step's result.

The shapes are the contract of docs/architecture.md ("Payloads"). Each Lambda task gets the
whole execution state; its result lands at `$.inspection`, `$.plan`, `$.child`, `$.final` or
`$.record`, and a caught error at `$.error` as `{"Error", "Cause"}`. Each state parses its
input into a model that holds exactly the fields that state requires, so a step never
re-checks by hand what an earlier step must have produced.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, model_validator

from gtchain_runtime.domain.chain_plan import ChainPlan
from gtchain_runtime.domain.final_report import ChainReportDocument
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.lineage import Lineage
from gtchain_runtime.domain.manifest import ManifestPlan
from gtchain_runtime.domain.policy import Decision


class _Payload(BaseModel):
    # Each state sees the whole execution state: fields of other steps are ignored.
    model_config = ConfigDict(extra="ignore")


class LabelingJobStateDetail(_Payload):
    LabelingJobStatus: str


class LabelingJobStateChange(EventBridgeModel):
    """The Ground Truth event (or the sweep's copy of it): only the status and the job ARN."""

    source: Literal["aws.sagemaker", "gtchain.sweep"]  # EVENT_SOURCE, SWEEP_SOURCE
    detail: LabelingJobStateDetail
    resources: list[str] = Field(min_length=1)

    @property
    def job_arn(self) -> str:
        return self.resources[0]


# Step results ----------------------------------------------------------------------------


def _labeling_job(value: Any) -> LabelingJob:
    return value if isinstance(value, LabelingJob) else LabelingJob.from_describe(value)


# A job travels between the states as its DescribeLabelingJob response (JSON) and is parsed
# back into the value object on arrival.
DescribedJob = Annotated[
    LabelingJob,
    PlainValidator(_labeling_job),
    PlainSerializer(lambda job: dict(job.raw), return_type=dict[str, Any]),
]


class Inspection(_Payload):
    """The job of the event, described, and whether it is this project's to handle.

    `root`, `parent` and `depth` are the job's lineage; a job that is not ours is its own root.
    """

    relevant: bool
    reason: str
    job_name: str
    job_arn: str
    status: str
    root: str
    parent: str | None = None
    depth: int = 0
    # The described job; None for a job ignored before it was described (not the project's).
    job: DescribedJob | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def described(self) -> LabelingJob:
        """The job, for the steps that run only after Inspect described it."""
        if self.job is None:
            raise ValueError(f"{self.job_name} was not described by Inspect job")
        return self.job

    @property
    def lineage(self) -> Lineage:
        return Lineage(job_name=self.job_name, root=self.root, parent=self.parent, depth=self.depth)


# The plan and its parts are the domain's (domain/chain_plan.py); the counts are the manifest
# diff's own dataclass, which pydantic validates and serializes as a model.
PlanCounts = ManifestPlan


class ChildResult(_Payload):
    child_name: str
    child_arn: str
    # False when the deterministic name already existed as this parent's child (a duplicate execution).
    created: bool


class FinalResult(_Payload):
    final_manifest_uri: str
    report_uri: str
    report: ChainReportDocument


class RecordResult(_Payload):
    recorded: bool
    notified: bool
    # This write gave the job up (a GIVE_UP decision, or the failure that exhausted the attempts).
    gave_up: bool = False


class CaughtError(_Payload):
    Error: str = "Unknown"
    Cause: str = ""


class SweepResult(_Payload):
    started: list[str]
    # job name -> why the sweep left it alone
    skipped: dict[str, str]
    # The project's adoption start the sweep applied (usecases/adoption.SweepAdoption.to_dict()).
    adoption_start: dict[str, Any] | None = None


class ResumeOutcome(_Payload):
    """One execution's steps run in-process (`gtchain job resume`); plan is None for a job not ours."""

    inspection: Inspection
    plan: ChainPlan | None = None
    child: ChildResult | None = None
    final: FinalResult | None = None
    record: RecordResult | None = None


# State inputs ----------------------------------------------------------------------------


class _StateInput(_Payload):
    # The EventBridge event's id: the sweep makes it the execution name, so it names one execution.
    id: str = ""
    resources: list[str] = Field(default_factory=list)


class PlanInput(_StateInput):
    """Plan chain runs only for a job the Inspect step found relevant."""

    inspection: Inspection

    @model_validator(mode="after")
    def _relevant(self) -> Self:
        if not self.inspection.relevant:
            raise ValueError(f"{self.inspection.job_name} is not to be planned: {self.inspection.reason}")
        return self


class _PlannedInput(_StateInput):
    inspection: Inspection
    plan: ChainPlan

    def _require(self, decision: Decision, state: str) -> Self:
        if self.plan.decision is not decision:
            raise ValueError(f"{state} runs for a {decision} plan; the plan is {self.plan.decision}")
        return self


class CreateInput(_PlannedInput):
    @model_validator(mode="after")
    def _chain(self) -> Self:
        return self._require(Decision.CHAIN, "Create chained job")

    @property
    def request(self) -> dict[str, Any]:
        assert self.plan.request is not None  # the plan's own validator guarantees it for CHAIN
        return self.plan.request


class FinalizeInput(_PlannedInput):
    @model_validator(mode="after")
    def _complete(self) -> Self:
        return self._require(Decision.COMPLETE, "Finalize chain")


class DecisionInput(_PlannedInput):
    """Record decision: the plan, and the result of the step its decision ran."""

    child: ChildResult | None = None
    final: FinalResult | None = None

    @model_validator(mode="after")
    def _step_result(self) -> Self:
        if self.plan.decision is Decision.CHAIN and self.child is None:
            raise ValueError("a CHAIN decision is recorded after Create chained job ($.child)")
        if self.plan.decision is Decision.COMPLETE and self.final is None:
            raise ValueError("a COMPLETE decision is recorded after Finalize chain ($.final)")
        return self


class FailureInput(_StateInput):
    """Record failure: the caught error, and whatever the execution knew of the job."""

    error: CaughtError
    inspection: Inspection | None = None


RecordInput = DecisionInput | FailureInput


def record_input(event: dict[str, Any]) -> RecordInput:
    """The one task that serves two states tells them apart by `$.error`."""
    if event.get("error") is not None:
        return FailureInput.model_validate(event)
    return DecisionInput.model_validate(event)
