"""CreateLabelingJob's documented limits that botocore's model does not carry (its ranges are
wider): the sandbox refuses a request over one, as AWS documents it invalid.

- ``HumanTaskConfig.MaxConcurrentTaskCount``: "the maximum number of data objects that can be
  labeled by human workers at the same time ... between 1 and 1000"
  (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-batching.html; the model allows 5,000);
- ``HumanTaskConfig.TaskTimeLimitInSeconds``: "For image and text labeling jobs, the maximum is
  8 hours (28,800 seconds)", and for a custom task; 3D point cloud and video frame tasks go to
  the model's maximum (CreateLabelingJob's HumanTaskConfig reference,
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HumanTaskConfig.html);
- ``HumanTaskConfig.TaskAvailabilityLifetimeInSeconds``: "If you choose the Amazon Mechanical
  Turk workforce, the maximum is 12 hours (43,200 seconds)" (the same page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_CONCURRENT_TASKS = 1000
MAX_TASK_TIME_SECONDS = 28_800
MAX_PUBLIC_CROWD_LIFETIME_SECONDS = 43_200
_LONG_TASK_MARKERS = ("3dpointcloud", "video")  # built-in task types with longer task limits
_PUBLIC_CROWD = ":workteam/public-crowd/"


def documented_limit_errors(params: Mapping[str, Any], task_type: str | None) -> list[str]:
    """Each documented limit the request breaks, as a sentence naming the field and the limit.
    ``task_type``: the built-in task type, lower-cased (None for a custom task)."""
    human = params.get("HumanTaskConfig")
    if not isinstance(human, Mapping):
        return []
    errors: list[str] = []
    concurrent = human.get("MaxConcurrentTaskCount")
    if isinstance(concurrent, int) and concurrent > MAX_CONCURRENT_TASKS:
        errors.append(
            f"HumanTaskConfig.MaxConcurrentTaskCount {concurrent} is over {MAX_CONCURRENT_TASKS}, "
            "the most objects workers can label at the same time"
        )
    task_time = human.get("TaskTimeLimitInSeconds")
    long_task = task_type is not None and any(marker in task_type for marker in _LONG_TASK_MARKERS)
    if isinstance(task_time, int) and task_time > MAX_TASK_TIME_SECONDS and not long_task:
        errors.append(
            f"HumanTaskConfig.TaskTimeLimitInSeconds {task_time} is over {MAX_TASK_TIME_SECONDS} "
            "(8 hours), the maximum for this task type"
        )
    lifetime = human.get("TaskAvailabilityLifetimeInSeconds")
    public_crowd = _PUBLIC_CROWD in str(human.get("WorkteamArn", ""))
    if public_crowd and isinstance(lifetime, int) and lifetime > MAX_PUBLIC_CROWD_LIFETIME_SECONDS:
        errors.append(
            f"HumanTaskConfig.TaskAvailabilityLifetimeInSeconds {lifetime} is over "
            f"{MAX_PUBLIC_CROWD_LIFETIME_SECONDS} (12 hours), the maximum for Amazon Mechanical Turk"
        )
    return errors
