"""S3 at the edge of the manifest engine: streaming reads into temp files, multipart uploads.

The domain reads seekable local files; these helpers turn an ``s3://`` URI (or a local path)
into one, and upload a finished file back.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from gtchain_runtime.adapters.errors import error_code
from gtchain_runtime.domain.aws_ids import S3UriError, is_s3_uri, s3_uri, split_s3_uri

if TYPE_CHECKING:  # the stubs are a dev dependency: the Lambda runtime only has boto3
    from mypy_boto3_s3 import S3Client

_CHUNK_BYTES = 1024 * 1024
# Parts of 16 MiB from 64 MiB on: few requests for big manifests, one PUT for small ones.
TRANSFER_CONFIG = TransferConfig(
    multipart_threshold=64 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024, max_concurrency=4
)
_SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
_MISSING = {"NoSuchKey", "404", "NotFound", "NoSuchBucket"}
_DENIED = {"AccessDenied", "403", "Forbidden", "AllAccessDisabled"}


class S3LocationError(ValueError):
    """A location that cannot be read or written, worded for the person who gave it."""


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key) (domain.aws_ids); a clear error for anything else."""
    try:
        return split_s3_uri(uri)
    except S3UriError as error:
        raise S3LocationError(str(error)) from None


def _client(s3_client: S3Client | None) -> S3Client:
    # boto3 honours AWS_ENDPOINT_URL (the offline sandbox) on its own.
    return s3_client if s3_client is not None else boto3.client("s3")


def _owner_args(expected_owner: str | None) -> dict[str, Any]:
    """ExpectedBucketOwner: S3 refuses the call (403) when another account owns the bucket."""
    return {} if expected_owner is None else {"ExpectedBucketOwner": expected_owner}


def _explain(error: ClientError, uri: str, action: str) -> S3LocationError:
    code = error_code(error)
    if code in _MISSING:
        return S3LocationError(f"{uri}: no such object (cannot {action} it)")
    if code in _DENIED:
        return S3LocationError(f"{uri}: access denied (cannot {action} it)")
    message = error.response.get("Error", {}).get("Message", "")
    return S3LocationError(f"{uri}: cannot {action} it: {code} {message}".rstrip())


@contextmanager
def open_source(
    location: str, s3_client: S3Client | None = None, *, expected_owner: str | None = None
) -> Iterator[BinaryIO]:
    """A seekable binary file for a local path or an s3:// URI (streamed into a temp file).

    ``expected_owner``: the account that must own the bucket (ExpectedBucketOwner).
    """
    if not is_s3_uri(location):
        path = Path(location)
        if not path.is_file():
            raise S3LocationError(f"{location}: no such file")
        with path.open("rb") as handle:
            yield handle
        return
    bucket, key = parse_s3_uri(location)
    try:
        response = _client(s3_client).get_object(Bucket=bucket, Key=key, **_owner_args(expected_owner))
    except ClientError as error:
        raise _explain(error, location, "read") from None
    body = response["Body"]
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY_BYTES) as spool:
        try:
            for chunk in body.iter_chunks(_CHUNK_BYTES):
                spool.write(chunk)
        finally:
            body.close()
        spool.seek(0)
        yield spool  # type: ignore[misc]


def upload_file(
    fileobj: IO[bytes],
    uri: str,
    s3_client: S3Client | None = None,
    *,
    expected_owner: str | None = None,
    content_type: str | None = None,
) -> None:
    """Upload a binary file from its start (multipart above the threshold).

    ``expected_owner`` goes to PutObject, or CreateMultipartUpload, UploadPart and
    CompleteMultipartUpload (s3transfer does not pass it to its clean-up AbortMultipartUpload).
    ``content_type``: the object's Content-Type (a page the console opens in the browser).
    """
    bucket, key = parse_s3_uri(uri)
    fileobj.seek(0)
    extra_args = _owner_args(expected_owner) | ({"ContentType": content_type} if content_type else {})
    try:
        _client(s3_client).upload_fileobj(
            fileobj, bucket, key, ExtraArgs=extra_args or None, Config=TRANSFER_CONFIG
        )
    except ClientError as error:
        raise _explain(error, uri, "write") from None
    except Exception as error:  # boto3's S3UploadFailedError wraps the ClientError
        cause = error.__cause__ or error.__context__
        if isinstance(cause, ClientError):
            raise _explain(cause, uri, "write") from None
        raise


@contextmanager
def open_destination(location: str, s3_client: S3Client | None = None) -> Iterator[BinaryIO]:
    """A writable, seekable binary file; for an s3:// URI it is uploaded when the block ends."""
    if not is_s3_uri(location):
        with Path(location).open("w+b") as handle:
            yield handle
        return
    parse_s3_uri(location)  # fail before doing the work
    with tempfile.TemporaryFile() as spool:
        yield spool
        upload_file(spool, location, s3_client)


class BucketObjects:
    """The use cases' view of S3: manifests and chain files by s3:// URI, on one injected client.

    With ``expected_owner`` (the stack's account, BUCKET_OWNER_ACCOUNT) every call carries
    ExpectedBucketOwner, so a bucket of another account is never read or written.
    """

    def __init__(self, client: S3Client, expected_owner: str | None = None) -> None:
        self._client = client
        self._expected_owner = expected_owner

    def exists(self, uri: str) -> bool:
        """HeadObject; False for a missing key (a job that failed early has no output manifest)."""
        bucket, key = parse_s3_uri(uri)
        try:
            self._client.head_object(Bucket=bucket, Key=key, **_owner_args(self._expected_owner))
        except ClientError as error:
            if error_code(error) in _MISSING:
                return False
            raise _explain(error, uri, "read") from None
        return True

    def keys(self, prefix_uri: str) -> Iterator[str]:
        """The s3:// URIs of the objects under a prefix (ListObjectsV2, page by page)."""
        bucket, prefix = parse_s3_uri(prefix_uri)
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", ()):
                    yield s3_uri(bucket, item["Key"])
        except ClientError as error:
            raise _explain(error, prefix_uri, "list") from None

    def open(self, uri: str) -> AbstractContextManager[BinaryIO]:
        return open_source(uri, s3_client=self._client, expected_owner=self._expected_owner)

    def upload(self, fileobj: IO[bytes], uri: str) -> None:
        upload_file(fileobj, uri, self._client, expected_owner=self._expected_owner)

    def put_json(self, uri: str, document: Mapping[str, Any]) -> None:
        with tempfile.TemporaryFile() as spool:
            spool.write(json.dumps(document, indent=2, default=str).encode("utf-8"))
            upload_file(spool, uri, self._client, expected_owner=self._expected_owner)

    def put_text(self, uri: str, text: str, content_type: str) -> None:
        """A UTF-8 document, e.g. a page with content type "text/html; charset=utf-8"."""
        with tempfile.TemporaryFile() as spool:
            spool.write(text.encode("utf-8"))
            upload_file(
                spool, uri, self._client, expected_owner=self._expected_owner, content_type=content_type
            )
