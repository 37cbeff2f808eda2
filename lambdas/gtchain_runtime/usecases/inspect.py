"""Inspect job: DescribeLabelingJob + ListTags, and whether the job is this project's to handle."""

from __future__ import annotations

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.labeling_jobs import FINISHED_STATUSES
from gtchain_runtime.domain.lineage import has_lineage_tags, lineage_from_tags, tags_to_dict
from gtchain_runtime.domain.naming import has_project_prefix, job_name_from_arn
from gtchain_runtime.payloads import Inspection


def inspect_job(ctx: ChainContext, job_name_or_arn: str) -> Inspection:
    job_name = job_name_or_arn
    if job_name_or_arn.startswith("arn:"):
        job_name = job_name_from_arn(job_name_or_arn)
    describe = ctx.jobs.describe(job_name)
    job_name = str(describe["LabelingJobName"])  # the real case: the ARN lower-cases it
    job_arn = str(describe["LabelingJobArn"])
    tags = tags_to_dict(ctx.jobs.tags(job_arn))
    status = str(describe["LabelingJobStatus"])

    def ignored(reason: str) -> Inspection:
        return Inspection(
            relevant=False,
            reason=reason,
            job_name=job_name,
            job_arn=job_arn,
            status=status,
            root=job_name,
            describe=describe,
            tags=tags,
        )

    prefix = ctx.settings.job_name_prefix
    if not has_project_prefix(job_name, prefix) and not has_lineage_tags(tags):
        return ignored(f"{job_name} is not a job of project {ctx.settings.project_name} (prefix {prefix})")
    if status not in FINISHED_STATUSES:
        return ignored(f"{job_name} is {status}, not finished")
    lineage = lineage_from_tags(job_name, tags)
    return Inspection(
        relevant=True,
        reason=f"{job_name} ended {status}",
        job_name=job_name,
        job_arn=job_arn,
        status=status,
        root=lineage.root,
        parent=lineage.parent,
        depth=lineage.depth,
        describe=describe,
        tags=tags,
    )
