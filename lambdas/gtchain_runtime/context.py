"""The adapters a use case works with, wired to boto3 clients in this one place.

Handlers build one `ChainContext` per cold start; the `gtchain` CLI builds one from the
deployed stack's settings; tests inject fakes or moto-backed clients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from gtchain_runtime.adapters.executions import Executions
from gtchain_runtime.adapters.ledger import Ledger
from gtchain_runtime.adapters.notifier import Notifier
from gtchain_runtime.adapters.s3_stream import BucketObjects
from gtchain_runtime.adapters.sagemaker import LabelingJobs
from gtchain_runtime.settings import RuntimeSettings


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ChainContext:
    settings: RuntimeSettings
    jobs: LabelingJobs
    ledger: Ledger
    notifier: Notifier
    objects: BucketObjects
    # Only the sweep starts executions (STATE_MACHINE_ARN is set for it alone).
    executions: Executions | None = None
    clock: Callable[[], datetime] = field(default=_utc_now)

    @classmethod
    def from_session(cls, settings: RuntimeSettings, session: Any | None = None) -> ChainContext:
        """Clients from a boto3 session; AWS_ENDPOINT_URL (the offline sandbox) applies to each."""
        session = session or boto3.session.Session()
        executions = None
        if settings.state_machine_arn:
            executions = Executions(session.client("stepfunctions"), settings.state_machine_arn)
        return cls(
            settings=settings,
            jobs=LabelingJobs(session.client("sagemaker")),
            ledger=Ledger(session.client("dynamodb"), settings.ledger_table_name),
            notifier=Notifier(session.client("sns"), settings.topic_arn),
            objects=BucketObjects(session.client("s3"), expected_owner=settings.bucket_owner_account),
            executions=executions,
        )
