"""ARNs built from the stack's own partition, region and account tokens."""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct


def labeling_job_arn_prefix(scope: Construct, job_name_prefix: str) -> str:
    """ARN prefix of every labeling job of a project.

    SageMaker lower-cases job names inside ARNs (Streetscenes-Job1 ->
    labeling-job/streetscenes-job1), so the prefix is lower-cased too.
    """
    return Stack.of(scope).format_arn(
        service="sagemaker", resource="labeling-job", resource_name=job_name_prefix.lower()
    )
