"""ARNs built from the stack's own partition, region and account tokens."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from constructs import Construct


@dataclass(frozen=True)
class OwnedJobArns:
    """The labeling-job ARNs of a project, in the two shapes ``gtchain_runtime.domain.naming.owns_job_name``
    accepts.

    SageMaker is seen to lower-case job names inside ARNs (Streetscenes-Job1 ->
    labeling-job/streetscenes-job1), but the case is undocumented (the sandbox's ``arn_case``
    variant plays both). The event rule matches ignoring case; IAM compares resources
    case-sensitively, so its patterns name the lower-cased prefix and the prefix as configured.
    """

    # ARN prefix of the jobs named ``<prefix>-...``: ``.../labeling-job/<prefix>-`` (lower-cased).
    children_prefix: str
    # ARN of the job named exactly ``<prefix>``; None when the prefix ends in ``-`` (no such job name).
    exact: str | None
    # The same two shapes with the prefix as configured, when that is not all lower-case.
    as_named: tuple[str, ...] = ()

    @property
    def iam_resources(self) -> list[str]:
        """IAM Resource patterns: ``labeling-job/<prefix>-*`` and ``labeling-job/<prefix>``, in
        the lower-cased and the configured case."""
        resources = [f"{self.children_prefix}*"]
        if self.exact is not None:
            resources.append(self.exact)
        return resources + list(self.as_named)


def owned_job_arns(scope: Construct, job_name_prefix: str) -> OwnedJobArns:
    stack = Stack.of(scope)
    stem = job_name_prefix.lower()

    def job_arn(name: str) -> str:
        return stack.format_arn(service="sagemaker", resource="labeling-job", resource_name=name)

    named = job_name_prefix
    as_named: tuple[str, ...] = ()
    if stem.endswith("-"):
        if named != stem:
            as_named = (f"{job_arn(named)}*",)
        return OwnedJobArns(children_prefix=job_arn(stem), exact=None, as_named=as_named)
    if named != stem:
        as_named = (f"{job_arn(f'{named}-')}*", job_arn(named))
    return OwnedJobArns(children_prefix=job_arn(f"{stem}-"), exact=job_arn(stem), as_named=as_named)
