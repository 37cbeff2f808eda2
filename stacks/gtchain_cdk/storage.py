"""The project bucket (the S3 layout of docs/architecture.md) and its access-log bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from gtchain_runtime.domain.layout import CHAINS_PREFIX


class ProjectStorage(Construct):
    """Creates the project bucket, or imports an existing one when a name is configured.

    A created bucket is TLS only, S3-encrypted, private, versioned and access-logged to
    a separate bucket. Both are retained on stack deletion: they hold labels people paid for.
    """

    def __init__(self, scope: Construct, construct_id: str, *, existing_bucket_name: str | None) -> None:
        super().__init__(scope, construct_id)
        self.created = existing_bucket_name is None
        if existing_bucket_name is not None:
            self.bucket: s3.IBucket = s3.Bucket.from_bucket_name(self, "Bucket", existing_bucket_name)
            return

        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            # Log delivery only supports S3-managed keys on the target bucket.
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            versioned=True,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(365),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
        )

        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="project-bucket/",
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
                # Chained manifests are rewritten when an execution is retried; keep the
                # superseded versions only long enough to investigate a bad chain.
                s3.LifecycleRule(
                    id="expire-superseded-chain-files",
                    prefix=CHAINS_PREFIX,
                    noncurrent_version_expiration=Duration.days(30),
                ),
            ],
        )
