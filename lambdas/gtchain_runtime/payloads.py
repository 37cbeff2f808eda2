"""Parser models for the state machine: the EventBridge event and each step's result.

The shapes are the contract of docs/architecture.md ("Payloads"): each Lambda task gets the
whole execution state and its result lands at `$.inspection`, `$.plan`, `$.child`, `$.final`
or `$.record`; a caught error lands at `$.error` as `{"Error", "Cause"}`.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field

from gtchain_runtime.domain.policy import Decision

EVENT_DETAIL_TYPE = "SageMaker Ground Truth Labeling Job State Change"
SAGEMAKER_SOURCE = "aws.sagemaker"
SWEEP_SOURCE = "gtchain.sweep"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LabelingJobStateDetail(_Payload):
    LabelingJobStatus: str


class LabelingJobStateChange(EventBridgeModel):
    """The Ground Truth event (or the sweep's copy of it): only the status and the job ARN."""

    source: Literal["aws.sagemaker", "gtchain.sweep"]
    detail: LabelingJobStateDetail
    resources: list[str] = Field(min_length=1)

    @property
    def job_arn(self) -> str:
        return self.resources[0]


class Inspection(_Payload):
    relevant: bool
    reason: str
    job_name: str
    job_arn: str
    status: str
    root: str | None = None
    parent: str | None = None
    depth: int = 0
    describe: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)


class ChainPlan(_Payload):
    decision: Decision
    reason: str
    counts: dict[str, int]
    child_name: str
    chained_manifest_uri: str | None
    rejects_uri: str | None
    plan_uri: str | None
    request: dict[str, Any] | None = None
    labeling_mode: str | None = None
    mode_reason: str | None = None


class ChildResult(_Payload):
    child_name: str
    child_arn: str
    created: bool


class FinalResult(_Payload):
    final_manifest_uri: str
    report_uri: str
    report: dict[str, Any]


class RecordResult(_Payload):
    recorded: bool
    notified: bool
    # This write gave the job up (a GIVE_UP decision, or the failure that exhausted the attempts).
    gave_up: bool = False


class CaughtError(_Payload):
    Error: str = "Unknown"
    Cause: str = ""


class ExecutionState(_Payload):
    """What a task sees: the event plus the results of the steps so far."""

    id: str = ""
    inspection: Inspection | None = None
    plan: ChainPlan | None = None
    child: ChildResult | None = None
    final: FinalResult | None = None
    error: CaughtError | None = None
    resources: list[str] = Field(default_factory=list)
