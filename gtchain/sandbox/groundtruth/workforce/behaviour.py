"""The workforce's knob: how one labeling job goes (``Workforce.configure``)."""

from __future__ import annotations

from dataclasses import dataclass

from gtchain.sandbox.groundtruth.validation.automation import AUTOMATION_MIN_OBJECTS

DEFAULT_JOB_FAILURE_REASON = (
    "InternalServerError: We encountered an internal error. Please try your request again."
)
DEFAULT_OBJECT_FAILURE_REASON = "ClientError: Annotation consolidation failed for this data object"


@dataclass(frozen=True)
class JobBehaviour:
    """What the workforce does with a job. The default labels everything.

    pace: objects processed per tick (None: the workforce's default pace).
    stop_after: workers stop the job after this many labels (Stopping -> Stopped).
    fail_after / failure_reason: the job fails with this FailureReason after that many labels;
        write_output_on_failure=False leaves no output manifest behind.
    object_failure_share: share of the objects to label that fail (failure-reason in metadata).
    expire_share: share of the objects to label whose tasks expire (left unlabeled; the job
        still completes).
    duplicate_final_event: emit the final state-change event twice (SageMaker "may send
        multiple events to EventBridge for each status change", automating-sagemaker-with-eventbridge).
    human_validation_share: with automated labeling and no InitialActiveLearningModelArn,
        the share humans label first (the validation set) before machine labels start.
    automation_min_objects: with automated labeling, smaller datasets fail the job
        (validation/automation.py: Ground Truth's minimum is 1,250; tests lower it to stay small).
    """

    pace: int | None = None
    stop_after: int | None = None
    fail_after: int | None = None
    failure_reason: str = DEFAULT_JOB_FAILURE_REASON
    write_output_on_failure: bool = True
    object_failure_share: float = 0.0
    object_failure_reason: str = DEFAULT_OBJECT_FAILURE_REASON
    expire_share: float = 0.0
    duplicate_final_event: bool = False
    human_validation_share: float = 0.1
    automation_min_objects: int = AUTOMATION_MIN_OBJECTS

    def __post_init__(self) -> None:
        if self.pace is not None and self.pace < 1:
            raise ValueError(f"JobBehaviour.pace must be at least 1, got {self.pace}")
        for name in ("stop_after", "fail_after"):
            count = getattr(self, name)
            if count is not None and count < 0:
                raise ValueError(f"JobBehaviour.{name} must not be negative, got {count}")
        for name in ("object_failure_share", "expire_share", "human_validation_share"):
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"JobBehaviour.{name} must be between 0 and 1, got {share}")
        if self.object_failure_share + self.expire_share > 1.0:
            raise ValueError("JobBehaviour.object_failure_share + expire_share must not exceed 1")
        if not self.failure_reason.strip() or not self.object_failure_reason.strip():
            raise ValueError("JobBehaviour.failure_reason and object_failure_reason must not be empty")
        if self.automation_min_objects < 0:
            raise ValueError(
                f"JobBehaviour.automation_min_objects must not be negative, got {self.automation_min_objects}"
            )
