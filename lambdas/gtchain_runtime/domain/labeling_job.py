"""One labeling job as gtchain reads it: DescribeLabelingJob parsed once, into a frozen value.

The SageMaker adapter parses the response (`LabelingJob.from_describe`); the domain and the
use cases read the typed fields. The response itself is kept (`raw`) only for the one place a
request is built from it (domain/requests.py: the child's CreateLabelingJob request is a near
round-trip of the parent's description) and to carry the job through the state machine.

Also the Ground Truth facts that the stack, the runtime and the sandbox must agree on: the job
states (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeLabelingJob.html),
the state-change event's source and detail-type
(https://docs.aws.amazon.com/sagemaker/latest/dg/sms-job-status-cloudwatch-events.html) and the
source the sweep puts on its copies of that event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, get_args

from gtchain_runtime.domain.aws_ids import Arn, ArnError

JobStatus = Literal["Initializing", "InProgress", "Completed", "Failed", "Stopping", "Stopped"]
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
FINISHED_STATUSES: tuple[str, ...] = ("Completed", "Failed", "Stopped")

EVENT_SOURCE = "aws.sagemaker"
EVENT_DETAIL_TYPE = "SageMaker Ground Truth Labeling Job State Change"
SWEEP_SOURCE = "gtchain.sweep"

# What a project asks of a chained job (`labeling_mode`, the `gtchain:labeling-mode` tag), and
# what the child gets once the request is built.
LabelingMode = Literal["inherit", "automated", "human"]
LABELING_MODES: tuple[str, ...] = get_args(LabelingMode)
ChildMode = Literal["automated", "human"]

# StoppingConditions members (API_LabelingJobStoppingConditions).
MAX_HUMAN_LABELED = "MaxHumanLabeledObjectCount"
MAX_PERCENTAGE = "MaxPercentageOfInputDatasetLabeled"


class LabelingJobError(ValueError):
    """A DescribeLabelingJob response gtchain cannot read; the message names the field."""


@dataclass(frozen=True)
class LabelCounters:
    """LabelCounters of a job, each a count >= 0 (API_LabelCounters)."""

    total_labeled: int = 0
    human_labeled: int = 0
    machine_labeled: int = 0
    failed_non_retryable: int = 0
    unlabeled: int = 0

    @property
    def adds_up(self) -> bool:
        """TotalLabeled includes the human- and machine-labeled objects, as Ground Truth counts them."""
        return self.total_labeled >= self.human_labeled + self.machine_labeled

    @property
    def inherited(self) -> int:
        """Objects that arrived labeled in the job's input: TotalLabeled - HumanLabeled - MachineLabeled
        (0 when the counters do not add up)."""
        return max(0, self.total_labeled - self.human_labeled - self.machine_labeled)


@dataclass(frozen=True)
class HumanTask:
    """The parts of HumanTaskConfig gtchain decides on (API_HumanTaskConfig)."""

    workteam_arn: str = ""
    # NumberOfHumanWorkersPerDataObject: 1 to 9 per the API; 1 when absent.
    workers_per_object: int = 1
    # PublicWorkforceTaskPrice.AmountInUsd, per task (exact dollars); None when absent.
    task_price_usd: Decimal | None = None
    pre_human_task_lambda_arn: str = ""
    consolidation_lambda_arn: str = ""

    @property
    def task_type(self) -> str | None:
        """The built-in task type from the pre-annotation Lambda ARN (`...:function:PRE-<Task>`)."""
        return self.pre_human_task_lambda_arn.rsplit(":", 1)[-1] or None

    @property
    def price_per_object_usd(self) -> Decimal | None:
        """PublicWorkforceTaskPrice is paid for each task performed, and each object is one task
        for each of its workers (API_PublicWorkforceTaskPrice, API_HumanTaskConfig)."""
        return None if self.task_price_usd is None else self.task_price_usd * self.workers_per_object


@dataclass(frozen=True)
class StoppingConditions:
    max_human_labeled: int | None = None
    max_percentage: int | None = None


@dataclass(frozen=True)
class LabelingJob:
    name: str
    arn: Arn
    status: str
    label_attribute: str
    role_arn: str
    # InputConfig.DataSource: a manifest, or an SNS topic for a streaming job.
    input_manifest_uri: str | None
    sns_input_topic_arn: str | None
    # OutputConfig.S3OutputPath, and what LabelingJobOutput reports once the job is finished.
    output_path: str
    reported_output_manifest_uri: str | None
    final_model_arn: str | None
    human_task: HumanTask
    algorithm_arn: str | None
    counters: LabelCounters
    stopping_conditions: StoppingConditions
    failure_reason: str | None
    tags: tuple[tuple[str, str], ...]
    # The response itself, for domain/requests.py and the state machine's payloads only.
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_describe(cls, response: Mapping[str, Any]) -> LabelingJob:
        """The job from a DescribeLabelingJob response (ResponseMetadata and datetimes left as given)."""
        name = _text(response, "LabelingJobName", required=True)
        try:
            arn = Arn.parse(_text(response, "LabelingJobArn", required=True))
        except ArnError as error:
            raise LabelingJobError(f"job {name}: LabelingJobArn: {error}") from error
        human = _mapping(response, "HumanTaskConfig")
        source = _mapping(_mapping(response, "InputConfig"), "DataSource")
        output = _mapping(response, "LabelingJobOutput")
        stopping = _mapping(response, "StoppingConditions")
        return cls(
            name=name,
            arn=arn,
            status=_text(response, "LabelingJobStatus", required=True),
            label_attribute=_text(response, "LabelAttributeName"),
            role_arn=_text(response, "RoleArn"),
            input_manifest_uri=_text(_mapping(source, "S3DataSource"), "ManifestS3Uri") or None,
            sns_input_topic_arn=_text(_mapping(source, "SnsDataSource"), "SnsTopicArn") or None,
            output_path=_text(_mapping(response, "OutputConfig"), "S3OutputPath"),
            reported_output_manifest_uri=_text(output, "OutputDatasetS3Uri") or None,
            final_model_arn=_text(output, "FinalActiveLearningModelArn") or None,
            human_task=HumanTask(
                workteam_arn=_text(human, "WorkteamArn"),
                workers_per_object=max(1, _count(name, human, "NumberOfHumanWorkersPerDataObject", 1)),
                task_price_usd=_task_price(
                    _mapping(_mapping(human, "PublicWorkforceTaskPrice"), "AmountInUsd")
                ),
                pre_human_task_lambda_arn=_text(human, "PreHumanTaskLambdaArn"),
                consolidation_lambda_arn=_text(
                    _mapping(human, "AnnotationConsolidationConfig"), "AnnotationConsolidationLambdaArn"
                ),
            ),
            algorithm_arn=_text(
                _mapping(response, "LabelingJobAlgorithmsConfig"), "LabelingJobAlgorithmSpecificationArn"
            )
            or None,
            counters=_counters(name, _mapping(response, "LabelCounters")),
            stopping_conditions=StoppingConditions(
                max_human_labeled=_optional_int(name, stopping, MAX_HUMAN_LABELED),
                max_percentage=_optional_int(name, stopping, MAX_PERCENTAGE),
            ),
            failure_reason=_text(response, "FailureReason") or None,
            tags=tuple(
                (str(tag.get("Key", "")), str(tag.get("Value", ""))) for tag in response.get("Tags") or ()
            ),
            raw=response,
        )

    @property
    def output_prefix(self) -> str:
        """`<S3OutputPath>/<job>/`: where Ground Truth writes everything of one job."""
        return f"{self.output_path.rstrip('/')}/{self.name}/" if self.output_path else f"{self.name}/"

    @property
    def output_manifest_uri(self) -> str:
        """Where Ground Truth writes the job's output manifest: Describe reports it for finished
        jobs; otherwise the documented `<S3OutputPath>/<job>/manifests/output/output.manifest`
        (which may not exist; sms-data-output)."""
        return self.reported_output_manifest_uri or f"{self.output_prefix}manifests/output/output.manifest"

    def require_input_manifest(self) -> str:
        """The manifest the job read; a streaming job (SNS input) has none and cannot be chained."""
        if self.input_manifest_uri is None:
            raise LabelingJobError(
                f"job {self.name} has no input manifest "
                "(a streaming job reads an SNS topic); gtchain chains manifest-based jobs only"
            )
        return self.input_manifest_uri


def human_labels_spent(jobs: tuple[LabelingJob, ...] | list[LabelingJob]) -> int:
    """Sum of LabelCounters.HumanLabeled over the given jobs."""
    return sum(job.counters.human_labeled for job in jobs)


def _mapping(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(parent: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = parent.get(key)
    if value is None or value == "":
        if required:
            raise LabelingJobError(f"the DescribeLabelingJob response has no {key}")
        return ""
    return str(value)


def _count(job: str, parent: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = parent.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise LabelingJobError(f"job {job}: {key} is {value!r}; expected a whole number")
    return value


def _optional_int(job: str, parent: Mapping[str, Any], key: str) -> int | None:
    return None if parent.get(key) is None else _count(job, parent, key)


def _counters(job: str, counters: Mapping[str, Any]) -> LabelCounters:
    def count(key: str) -> int:
        # A negative counter is not a count: read it as none rather than subtract it.
        return max(0, _count(job, counters, key))

    return LabelCounters(
        total_labeled=count("TotalLabeled"),
        human_labeled=count("HumanLabeled"),
        machine_labeled=count("MachineLabeled"),
        failed_non_retryable=count("FailedNonRetryableError"),
        unlabeled=count("Unlabeled"),
    )


def _task_price(amount: Mapping[str, Any]) -> Decimal | None:
    """AmountInUsd = Dollars + Cents / 100 + TenthFractionsOfACent / 1000 (API_USD)."""
    if not amount:
        return None
    return (
        Decimal(int(amount.get("Dollars", 0)))
        + Decimal(int(amount.get("Cents", 0))) / 100
        + Decimal(int(amount.get("TenthFractionsOfACent", 0))) / 1000
    )
