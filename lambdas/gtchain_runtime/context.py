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
from botocore.config import Config

from gtchain_runtime.adapters.executions import Executions
from gtchain_runtime.adapters.ledger import Ledger
from gtchain_runtime.adapters.notifier import Notifier
from gtchain_runtime.adapters.s3_stream import BucketObjects
from gtchain_runtime.adapters.sagemaker import LabelingJobs
from gtchain_runtime.settings import RuntimeSettings

# Pinned, not left to the botocore version: the standard mode retries throttling and 5xx answers
# with exponential backoff and full jitter
# (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})

# (service, operation, retries) of a call that needed retries: handlers count them as a metric.
RetryObserver = Callable[[str, str, int], None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def observe_retries(client: Any, on_retries: RetryObserver) -> None:
    """Report every call of `client` that botocore retried, after its last attempt (even a failed one)."""
    service = client.meta.service_model.service_name

    def after_call(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        retries = int((parsed or {}).get("ResponseMetadata", {}).get("RetryAttempts") or 0)
        if retries:
            on_retries(service, model.name, retries)

    client.meta.events.register("after-call", after_call)


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
    def from_session(
        cls,
        settings: RuntimeSettings,
        session: Any | None = None,
        *,
        on_retries: RetryObserver | None = None,
    ) -> ChainContext:
        """Clients from a boto3 session; AWS_ENDPOINT_URL (the offline sandbox) applies to each."""
        session = session or boto3.session.Session()

        def client(service: str) -> Any:
            made = session.client(service, config=CLIENT_CONFIG)
            if on_retries is not None:
                observe_retries(made, on_retries)
            return made

        executions = None
        if settings.state_machine_arn:
            executions = Executions(client("stepfunctions"), settings.state_machine_arn)
        return cls(
            settings=settings,
            jobs=LabelingJobs(client("sagemaker")),
            ledger=Ledger(client("dynamodb"), settings.ledger_table_name),
            notifier=Notifier(client("sns"), settings.topic_arn),
            objects=BucketObjects(client("s3"), expected_owner=settings.bucket_owner_account),
            executions=executions,
        )
