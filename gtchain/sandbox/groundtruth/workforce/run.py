"""One job's run: which objects get which fate, and the workforce's progress through them.

StoppingConditions (CreateLabelingJob's ``LabelingJobStoppingConditions``,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobStoppingConditions.html):
"If any of the conditions are met, the job is automatically stopped." The workforce stops a
job (Stopping, then Stopped with the output a stopped job writes) once

* ``MaxHumanLabeledObjectCount`` ("the maximum number of objects that can be labeled by human
  workers", minimum 1): this job's human labels (LabelCounters.HumanLabeled) reach it;
* ``MaxPercentageOfInputDatasetLabeled`` ("the maximum number of input data objects that should
  be labeled", 1..100): the labels this job produced (human + machine) reach that percentage of
  the objects of its input manifest, rounded down so that the maximum is never exceeded. The
  page does not say whether objects that arrive already labeled (a chained job's input) count;
  the sandbox counts only this job's labels, so that a chained job is not stopped before its
  first label by the labels its parent paid for.

A condition met by the very label that finishes the dataset ends the job Completed: nothing
is left to stop. Streaming jobs have no dataset size: only the human-label count applies.
The range checks (minimum 1, maximum 100) come from botocore's model through the request
validation (``validation/requests.py``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from gtchain.sandbox.groundtruth.outputs.labels import LabelMaker
from gtchain.sandbox.groundtruth.outputs.sequences import Frame
from gtchain.sandbox.groundtruth.outputs.writer import OutputWriter
from gtchain.sandbox.groundtruth.validation.automation import sample_fails, sample_failure_reason
from gtchain.sandbox.groundtruth.variants import GroundTruthVariants
from gtchain.sandbox.groundtruth.workforce.behaviour import JobBehaviour


class Fate(Enum):
    HUMAN = "human"
    MACHINE = "machine"
    FAIL = "fail"
    EXPIRE = "expire"


@dataclass
class JobRun:
    """The workforce's progress on one job (only the stepping thread touches it)."""

    behaviour: JobBehaviour
    records: list[dict[str, Any]]
    plan: list[tuple[int, Fate]]
    maker: LabelMaker
    writer: OutputWriter
    pre_labeled: int
    automated: bool
    # Streaming jobs (SNS data source) get objects over time: they never run out of work.
    streaming: bool = False
    model_arn: str | None = None
    variants: GroundTruthVariants = field(default_factory=GroundTruthVariants)
    workers_per_object: int = 1
    # The records as manifest lines, kept up to date batch by batch (the intermediate manifest
    # is rewritten after every batch without serializing every record again), and the lines of
    # the records this job labeled, in order (annotations/intermediate).
    lines: list[str] = field(default_factory=list)
    labeled_lines: list[str] = field(default_factory=list)
    # The frames of each object's sequence file, by line (video frame and 3D tracking tasks).
    sequences: dict[int, tuple[Frame, ...]] = field(default_factory=dict)
    # The request's StoppingConditions as limits on this job's own labels (None: no limit).
    max_human_labeled: int | None = None
    max_labeled: int | None = None
    # Automated labeling's human sample: the plan position after which the job fails because
    # more than 10% of the sample failed (validation/automation.py), and its FailureReason.
    sample_failure_at: int | None = None
    sample_failure_reason: str = ""
    position: int = 0
    labeled: int = 0
    human_labeled: int = 0
    batch: int = 0

    @property
    def finished(self) -> bool:
        return not self.streaming and self.position >= len(self.plan)

    @property
    def stopping_condition_met(self) -> bool:
        """A StoppingConditions limit is reached (the job stops automatically)."""
        return (self.max_human_labeled is not None and self.human_labeled >= self.max_human_labeled) or (
            self.max_labeled is not None and self.labeled >= self.max_labeled
        )

    @property
    def sample_failed(self) -> bool:
        """The automated job's human sample is done and too much of it failed."""
        return self.sample_failure_at is not None and self.position >= self.sample_failure_at


def plan_fates(
    seed: str, to_label: list[int], behaviour: JobBehaviour, *, automated: bool, has_initial_model: bool
) -> list[tuple[int, Fate]]:
    """Which objects fail, expire, or get a human or a machine label; reproducible per job."""
    rng = random.Random(seed)
    count = len(to_label)
    failing = set(rng.sample(range(count), round(count * behaviour.object_failure_share)))
    others = [position for position in range(count) if position not in failing]
    expiring = set(rng.sample(others, min(len(others), round(count * behaviour.expire_share))))
    labeled_count = count - len(failing) - len(expiring)
    if not automated:
        human_count = labeled_count
    elif has_initial_model:
        human_count = 0
    else:
        human_count = math.ceil(labeled_count * behaviour.human_validation_share)
    plan: list[tuple[int, Fate]] = []
    labels_planned = 0
    for position, index in enumerate(to_label):
        if position in failing:
            plan.append((index, Fate.FAIL))
        elif position in expiring:
            plan.append((index, Fate.EXPIRE))
        else:
            plan.append((index, Fate.HUMAN if labels_planned < human_count else Fate.MACHINE))
            labels_planned += 1
    return plan


def human_sample_failure(
    plan: list[tuple[int, Fate]], variants: GroundTruthVariants
) -> tuple[int | None, str]:
    """Where the job fails because of its human sample (None: it does not), and the reason.

    The sample is what the plan sends to humans before the first machine label; its failures are
    the objects planned to fail in it (expired tasks are left to the expired_tasks variant)."""
    fates = [fate for _, fate in plan]
    end = fates.index(Fate.MACHINE) if Fate.MACHINE in fates else len(fates)
    sample = [fate for fate in fates[:end] if fate in (Fate.HUMAN, Fate.FAIL)]
    failed = sample.count(Fate.FAIL)
    if not sample_fails(failed, len(sample)):
        return None, ""
    return end, sample_failure_reason(failed, len(sample), variants.automation_failure_wording)


def stopping_limits(request: dict[str, Any], *, dataset_size: int | None) -> tuple[int | None, int | None]:
    """(max human labels, max labels of this job) from the request's StoppingConditions."""
    conditions = request.get("StoppingConditions") or {}
    max_human = conditions.get("MaxHumanLabeledObjectCount")
    percentage = conditions.get("MaxPercentageOfInputDatasetLabeled")
    max_labeled = None
    if percentage is not None and dataset_size is not None:
        max_labeled = dataset_size * int(percentage) // 100
    return (int(max_human) if max_human is not None else None), max_labeled
