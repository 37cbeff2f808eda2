"""The AWS identifiers gtchain reads: ARNs, `s3://` URIs, labeling-job names or ARNs.

One parser each, so every part of the runtime reads them the same way.
- ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
- S3 URI: `s3://<bucket>/<key>`, the bucket named by the rules of
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html.
- Labeling-job ARN: `arn:aws:sagemaker:<region>:<account>:labeling-job/<name>`, the name
  lower-cased by SageMaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

S3_SCHEME = "s3://"
_BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
LABELING_JOB_RESOURCE = "labeling-job"


class ArnError(ValueError):
    """A text that is not the ARN it was expected to be."""


class S3UriError(ValueError):
    """A text that is not an `s3://bucket/key` URI, worded for the person who gave it."""


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            raise ArnError(
                f"{text!r} is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"
            )
        return cls(*parts[1:])

    @classmethod
    def parse_or_none(cls, text: str | None) -> Arn | None:
        try:
            return cls.parse(text or "")
        except ArnError:
            return None

    @property
    def resource_type(self) -> str:
        """`labeling-job` of `labeling-job/<name>`, `function` of `function:<name>`."""
        return re.split(r"[/:]", self.resource, maxsplit=1)[0]

    @property
    def resource_name(self) -> str:
        """What follows the resource type (`<name>` of `labeling-job/<name>`), else the resource."""
        parts = re.split(r"[/:]", self.resource, maxsplit=1)
        return parts[1] if len(parts) == 2 else self.resource

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def is_s3_uri(location: str) -> bool:
    return location.startswith(S3_SCHEME)


def s3_uri(bucket: str, key: str) -> str:
    return f"{S3_SCHEME}{bucket}/{key}"


def split_s3_uri(uri: str, *, check_bucket_name: bool = True) -> tuple[str, str]:
    """`s3://bucket/key` -> (bucket, key); a clear error for anything else.

    `check_bucket_name=False` only asks for a non-empty bucket (a link to show, not a call to make).
    """
    if not is_s3_uri(uri):
        raise S3UriError(f"{uri!r} is not an s3:// URI")
    bucket, _, key = uri[len(S3_SCHEME) :].partition("/")
    if not (_BUCKET_PATTERN.match(bucket) if check_bucket_name else bucket):
        raise S3UriError(f"{uri!r}: {bucket!r} is not a valid bucket name")
    if not key:
        raise S3UriError(f"{uri!r} names a bucket but no object key")
    return bucket, key


def job_name_from_arn(job_arn: str) -> str:
    """`arn:aws:sagemaker:<region>:<account>:labeling-job/<name>` -> `<name>` (lower-cased by SageMaker)."""
    arn = Arn.parse_or_none(job_arn)
    if (
        arn is None
        or arn.resource_type != LABELING_JOB_RESOURCE
        or "/" not in arn.resource
        or not arn.resource_name
    ):
        raise ArnError(f"{job_arn!r} is not a labeling job ARN")
    return arn.resource_name


def job_name_of(name_or_arn: str) -> str:
    """A labeling job's name from its name or its ARN (whose name SageMaker lower-cases)."""
    return job_name_from_arn(name_or_arn) if name_or_arn.startswith("arn:") else name_or_arn
