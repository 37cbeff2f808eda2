"""Ground Truth facts that the stack, the runtime and the sandbox must agree on, in one place.

- The labeling-job states gtchain acts on (the event rule's pattern, the sweep, the policy).
- The state-change event's source and detail-type
  (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-job-status-cloudwatch-events.html),
  and the source the sweep puts on its copies of that event.
"""

from __future__ import annotations

FINISHED_STATUSES: tuple[str, ...] = ("Completed", "Failed", "Stopped")

EVENT_SOURCE = "aws.sagemaker"
EVENT_DETAIL_TYPE = "SageMaker Ground Truth Labeling Job State Change"
SWEEP_SOURCE = "gtchain.sweep"
