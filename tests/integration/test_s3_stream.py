"""The S3 edge of the manifest engine against moto."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from gtchain.cli.errors import CliError
from gtchain.cli.manifest_cmd import app
from gtchain_runtime.adapters import s3_stream
from gtchain_runtime.adapters.s3_stream import S3LocationError, open_source, parse_s3_uri, upload_file

BUCKET = "gtchain-test-bucket"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("/local/path", "not an s3:// URI"),
        ("s3://", "not a valid bucket name"),
        ("s3://Upper/key", "not a valid bucket name"),
        ("s3://bucket", "no object key"),
        ("s3://bucket/", "no object key"),
    ],
)
def test_parse_s3_uri_errors(uri: str, problem: str) -> None:
    with pytest.raises(S3LocationError, match=problem):
        parse_s3_uri(uri)


def test_parse_s3_uri() -> None:
    assert parse_s3_uri("s3://my.bucket-1/chains/root/x/input.manifest") == (
        "my.bucket-1",
        "chains/root/x/input.manifest",
    )


def test_open_source_streams_an_object(s3: Any) -> None:
    body = b"".join(b'{"source-ref": "s3://b/%d"}\n' % i for i in range(200_000))  # > spool memory size
    s3.put_object(Bucket=BUCKET, Key="inputs/in.manifest", Body=body)
    with open_source(f"s3://{BUCKET}/inputs/in.manifest", s3) as handle:
        assert handle.read() == body
        handle.seek(0)
        assert handle.readline() == b'{"source-ref": "s3://b/0"}\n'


def test_open_source_local_and_missing(tmp_path: Path, s3: Any) -> None:
    path = tmp_path / "m.manifest"
    path.write_bytes(b"x\n")
    with open_source(str(path)) as handle:
        assert handle.read() == b"x\n"
    with pytest.raises(S3LocationError, match="no such file"), open_source(str(tmp_path / "nope")):
        pass
    with pytest.raises(S3LocationError, match="no such object"), open_source(f"s3://{BUCKET}/nope", s3):
        pass
    with pytest.raises(S3LocationError, match="no such object"), open_source("s3://no-such-bucket-x/k", s3):
        pass


def test_access_denied_is_explained(s3: Any) -> None:
    class DeniedClient:
        def get_object(self, **_: Any) -> Any:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")

    denied: Any = DeniedClient()
    with (
        pytest.raises(S3LocationError, match="access denied"),
        open_source(f"s3://{BUCKET}/k", denied),
    ):
        pass


def test_upload_file_multipart(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from boto3.s3.transfer import TransferConfig

    small_parts = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    monkeypatch.setattr(s3_stream, "TRANSFER_CONFIG", small_parts)
    data = b"y" * (11 * 1024 * 1024)
    upload_file(io.BytesIO(data), f"s3://{BUCKET}/chains/r/c/input.manifest", s3)
    head = s3.head_object(Bucket=BUCKET, Key="chains/r/c/input.manifest")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith("-3")  # three parts: a multipart upload
    with pytest.raises(S3LocationError, match=r"no such object|cannot write"):
        upload_file(io.BytesIO(b"x"), "s3://no-such-bucket-x/k", s3)


def test_cli_plan_reads_and_writes_s3(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="inputs/in.manifest", Body=b'{"source-ref": "s3://b/1"}\n')
    s3.put_object(
        Bucket=BUCKET,
        Key="jobs/j/output.manifest",
        Body=b'{"source-ref": "s3://b/1", "a": 1, "a-metadata": {"human-annotated": "no"}}\n',
    )
    result = CliRunner().invoke(
        app,
        [
            "plan",
            f"s3://{BUCKET}/inputs/in.manifest",
            f"s3://{BUCKET}/jobs/j/output.manifest",
            "-a",
            "a",
            "--chained-out",
            f"s3://{BUCKET}/chains/j/j-chain-1/input.manifest",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["machine_labeled"] == 1
    chained = s3.get_object(Bucket=BUCKET, Key="chains/j/j-chain-1/input.manifest")["Body"].read()
    assert json.loads(chained)["a"] == 1
    assert s3.get_object(Bucket=BUCKET, Key="chains/j/j-chain-1/rejects.jsonl")["Body"].read() == b""

    missing = CliRunner().invoke(app, ["stats", f"s3://{BUCKET}/inputs/missing.manifest", "-a", "a"])
    assert isinstance(missing.exception, CliError)
    assert "no such object" in str(missing.exception)
