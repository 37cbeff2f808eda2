"""Inspect job: DescribeLabelingJob + ListTags, and whether the job is this project's to handle.

A job is the project's by its name (domain.naming.owns_job_name); a job with lineage tags is
a chained job only when the ledger records it as its parent's child (written by Create chained
job before CreateLabelingJob; domain.lineage.unrecorded_lineage), never by its tags alone.
For an event (`event_id` given), a job that ended before the project's adoption start is left
alone too (usecases/adoption.py); `gtchain job resume|plan` inspect any job on purpose.
"""

from __future__ import annotations

import logging

from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.aws_ids import job_name_of
from gtchain_runtime.domain.labeling_job import FINISHED_STATUSES
from gtchain_runtime.domain.lineage import lineage_from_tags, tags_to_dict, unrecorded_lineage
from gtchain_runtime.domain.naming import ownership_rule, owns_job_name
from gtchain_runtime.payloads import Inspection
from gtchain_runtime.usecases.adoption import ignore_if_ended_before_adoption

_log = logging.getLogger(__name__)


def inspect_job(
    ctx: ChainContext, job_name_or_arn: str, reported_status: str = "", *, event_id: str | None = None
) -> Inspection:
    """`reported_status` is the event's, for a job that is ignored before it is described;
    `event_id`: the event's id, when the adoption start applies (recorded with an ignored job)."""
    settings = ctx.settings
    prefix = settings.job_name_prefix
    is_arn = job_name_or_arn.startswith("arn:")
    job_name = job_name_of(job_name_or_arn)
    # Ownership is decided by the name, before any call: the project's roles may not even
    # describe another project's jobs (IAM scopes them to the prefix).
    if not owns_job_name(prefix, job_name):
        reason = f"{job_name} is not a job of project {settings.project_name}: {ownership_rule(prefix)}"
        _log.info("job ignored: %s", reason)
        return Inspection(
            relevant=False,
            reason=reason,
            job_name=job_name,
            job_arn=job_name_or_arn if is_arn else "",
            status=reported_status or "not described",
            root=job_name,
        )
    job = ctx.jobs.describe(job_name)
    job_name = job.name  # the real case: the ARN lower-cases it
    job_arn = str(job.arn)
    tags = tags_to_dict(ctx.jobs.tags(job_arn))
    status = job.status

    def ignored(reason: str) -> Inspection:
        _log.info("job ignored: %s", reason)
        return Inspection(
            relevant=False,
            reason=reason,
            job_name=job_name,
            job_arn=job_arn,
            status=status,
            root=job_name,
            job=job,
            tags=tags,
        )

    if status not in FINISHED_STATUSES:
        return ignored(f"{job_name} is {status}, not finished")
    if event_id is not None:
        before_adoption = ignore_if_ended_before_adoption(ctx, job.raw, event_id)
        if before_adoption is not None:
            return ignored(before_adoption)
    lineage = lineage_from_tags(job_name, tags)
    if lineage.parent is not None:
        forged = unrecorded_lineage(lineage, ctx.ledger.recorded_child(lineage.parent))
        if forged is not None:
            _log.warning("lineage tags not confirmed by the ledger: %s", forged)
            return ignored(f"{forged}; not a job of project {settings.project_name} to resume")
    return Inspection(
        relevant=True,
        reason=f"{job_name} ended {status}",
        job_name=job_name,
        job_arn=job_arn,
        status=status,
        root=lineage.root,
        parent=lineage.parent,
        depth=lineage.depth,
        job=job,
        tags=tags,
    )
