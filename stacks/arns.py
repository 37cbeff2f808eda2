"""ARNs built from the stack's own partition, region and account tokens."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from constructs import Construct


@dataclass(frozen=True)
class OwnedJobArns:
    """The labeling-job ARNs of a project, in the two shapes ``gtchain_runtime.domain.naming.owns_job_name``
    accepts.

    SageMaker lower-cases job names inside ARNs (Streetscenes-Job1 ->
    labeling-job/streetscenes-job1), so both are lower-cased.
    """

    # ARN prefix of the jobs named ``<prefix>-...``: ``.../labeling-job/<prefix>-``.
    children_prefix: str
    # ARN of the job named exactly ``<prefix>``; None when the prefix ends in ``-`` (no such job name).
    exact: str | None

    @property
    def iam_resources(self) -> list[str]:
        """IAM Resource patterns: ``labeling-job/<prefix>-*`` and ``labeling-job/<prefix>``."""
        resources = [f"{self.children_prefix}*"]
        if self.exact is not None:
            resources.append(self.exact)
        return resources


def owned_job_arns(scope: Construct, job_name_prefix: str) -> OwnedJobArns:
    stack = Stack.of(scope)
    stem = job_name_prefix.lower()

    def job_arn(name: str) -> str:
        return stack.format_arn(service="sagemaker", resource="labeling-job", resource_name=name)

    if stem.endswith("-"):
        return OwnedJobArns(children_prefix=job_arn(stem), exact=None)
    return OwnedJobArns(children_prefix=job_arn(f"{stem}-"), exact=job_arn(stem))
