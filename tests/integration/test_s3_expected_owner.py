"""Every S3 call the handlers make names the account that must own the bucket
(ExpectedBucketOwner), so an imported bucket of another account is never read or written."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from moto import mock_aws

from gtchain_runtime.adapters import s3_stream
from gtchain_runtime.adapters.s3_stream import BucketObjects
from gtchain_runtime.context import ChainContext
from gtchain_runtime.settings import settings_from

BUCKET = "gtchain-owner-test"
OWNER = "123456789012"


@pytest.fixture
def s3_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, list[tuple[str, dict[str, Any]]]]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # Parts of 5 MiB from 5 MiB on: the multipart calls are exercised too.
    monkeypatch.setattr(
        s3_stream,
        "TRANSFER_CONFIG",
        TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024),
    )
    with mock_aws():
        session = boto3.session.Session()
        client = session.client("s3")
        client.create_bucket(Bucket=BUCKET)
        calls: list[tuple[str, dict[str, Any]]] = []

        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            calls.append((model.name, dict(params)))

        client.meta.events.register("before-parameter-build.s3", record)
        yield client, calls


def test_every_call_of_bucket_objects_names_the_owner(s3_calls: tuple[Any, list[Any]]) -> None:
    client, calls = s3_calls
    objects = BucketObjects(client, expected_owner=OWNER)
    objects.put_json(f"s3://{BUCKET}/chains/root/plan.json", {"decision": "CHAIN"})
    objects.upload(io.BytesIO(b"x" * (11 * 1024 * 1024)), f"s3://{BUCKET}/chains/root/input.manifest")
    assert objects.exists(f"s3://{BUCKET}/chains/root/plan.json")
    assert not objects.exists(f"s3://{BUCKET}/jobs/missing/output.manifest")
    with objects.open(f"s3://{BUCKET}/chains/root/plan.json") as handle:
        assert b"CHAIN" in handle.read()

    operations = {operation for operation, _ in calls}
    assert {
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "HeadObject",
        "GetObject",
    } <= operations
    without_owner = [op for op, params in calls if params.get("ExpectedBucketOwner") != OWNER]
    assert without_owner == []


def test_without_an_owner_no_check_is_asked_for(s3_calls: tuple[Any, list[Any]]) -> None:
    client, calls = s3_calls
    objects = BucketObjects(client)
    objects.put_json(f"s3://{BUCKET}/chains/root/plan.json", {"decision": "CHAIN"})
    assert objects.exists(f"s3://{BUCKET}/chains/root/plan.json")
    assert calls and all("ExpectedBucketOwner" not in params for _, params in calls)


def test_the_context_takes_the_owner_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        {
            "PROJECT_NAME": "streetscenes",
            "JOB_NAME_PREFIX": "Streetscenes",
            "BUCKET_NAME": BUCKET,
            "LEDGER_TABLE_NAME": "ledger",
            "TOPIC_ARN": f"arn:aws:sns:us-east-1:{OWNER}:topic",
            "LABELING_ROLE_ARN": f"arn:aws:iam::{OWNER}:role/GroundTruthLabelingRole",
            "BUCKET_OWNER_ACCOUNT": OWNER,
        }
    )
    assert settings.bucket_owner_account == OWNER
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session()
        session.client("s3").create_bucket(Bucket=BUCKET)
        calls: list[dict[str, Any]] = []
        session.events.register("before-parameter-build.s3", lambda params, **_: calls.append(dict(params)))
        context = ChainContext.from_session(settings, session)
        assert not context.objects.exists(f"s3://{BUCKET}/jobs/none/output.manifest")
    assert [params.get("ExpectedBucketOwner") for params in calls] == [OWNER]


def test_the_owner_setting_is_an_account_id() -> None:
    with pytest.raises(ValueError, match="BUCKET_OWNER_ACCOUNT"):
        settings_from(
            {
                "PROJECT_NAME": "p",
                "JOB_NAME_PREFIX": "P",
                "BUCKET_NAME": BUCKET,
                "LEDGER_TABLE_NAME": "ledger",
                "TOPIC_ARN": "arn",
                "LABELING_ROLE_ARN": "arn",
                "BUCKET_OWNER_ACCOUNT": "not-an-account",
            }
        )
