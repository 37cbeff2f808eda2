"""The event Ground Truth sends when a labeling job reaches a final status.

https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html
("Events that Amazon SageMaker AI sends to Amazon EventBridge") and the EventBridge reference
(https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-sagemaker.html): source
``aws.sagemaker``, detail-type ``SageMaker Ground Truth Labeling Job State Change``, the job's
ARN in ``resources`` and its ``LabelingJobStatus`` in ``detail``. The emulator keeps its own
copy of these facts (it never imports the runtime, which reads the same page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from moto.events.models import events_backends

EVENT_SOURCE = "aws.sagemaker"
EVENT_DETAIL_TYPE = "SageMaker Ground Truth Labeling Job State Change"


@dataclass(frozen=True)
class StateChangeEvent:
    account_id: str
    region_name: str
    job_arn: str
    status: str

    def entry(self) -> dict[str, object]:
        """The event as a PutEvents entry."""
        return {
            "Source": EVENT_SOURCE,
            "DetailType": EVENT_DETAIL_TYPE,
            "Detail": json.dumps({"LabelingJobStatus": self.status}),
            "Resources": [self.job_arn],
        }


def emit(event: StateChangeEvent) -> None:
    """Put the event on the account's default event bus in moto."""
    events_backends[event.account_id][event.region_name].put_events([event.entry()])
