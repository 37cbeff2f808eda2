"""The fabricated worker answers of a human-labeled object (the worker-response files).

Fields and formats from https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html
("Worker Metadata"): one answer per worker with its content, submission and acceptance times,
time spent, worker id and the identity provider's data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

WORKER_IDS = ("a12b3cdefg4h5i67", "b23c4defgh5i6j78", "c34d5efghi6j7k89")
COGNITO_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_sandbox"


def worker_answers(answer_content: dict[str, Any], workers: int, when: datetime) -> list[dict[str, Any]]:
    """One answer per worker (``workers`` of them), all with ``answer_content``."""
    answers = []
    for worker in range(workers):
        worker_id = WORKER_IDS[worker % len(WORKER_IDS)]
        spent = 20.0 + 7 * worker
        answers.append(
            {
                "answerContent": answer_content,
                "submissionTime": iso_millis(when),
                "acceptanceTime": iso_millis(when - timedelta(seconds=spent + 2)),
                "timeSpentInSeconds": spent,
                "workerId": worker_id,
                "workerMetadata": {
                    "identityData": {
                        "identityProviderType": "Cognito",
                        "issuer": COGNITO_ISSUER,
                        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, worker_id)),
                    }
                },
            }
        )
    return answers


def iso_millis(moment: datetime) -> str:
    """YYYY-MM-DDTHH:MM:SS.mmmZ (sms-data-output.html, "Worker Metadata")."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
