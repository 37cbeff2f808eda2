"""Lineage of a chain (root, parent, depth) and the per-job override tags.

The root job is made by a person and carries no tags of ours (depth 0); every child
carries `gtchain:root`, `gtchain:parent` and `gtchain:depth` (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from gtchain_runtime.domain.labeling_job import LABELING_MODES, LabelingMode
from gtchain_runtime.domain.naming import child_job_name

ROOT_TAG = "gtchain:root"
PARENT_TAG = "gtchain:parent"
DEPTH_TAG = "gtchain:depth"
LINEAGE_TAGS = (ROOT_TAG, PARENT_TAG, DEPTH_TAG)
RESUME_TAG = "gtchain:resume"
LABELING_MODE_TAG = "gtchain:labeling-mode"
AWS_RESERVED_TAG_PREFIX = "aws:"


class LineageError(ValueError):
    """Tags that claim a lineage but do not describe a valid one."""


@dataclass(frozen=True)
class Lineage:
    """Where a job sits in its chain."""

    job_name: str
    root: str
    parent: str | None
    depth: int

    @property
    def is_root(self) -> bool:
        return self.depth == 0

    def child(self) -> Lineage:
        """The lineage of the job that resumes this one."""
        depth = self.depth + 1
        return Lineage(
            job_name=child_job_name(self.root, depth), root=self.root, parent=self.job_name, depth=depth
        )

    def tags(self) -> list[dict[str, str]]:
        """Lineage tags for CreateLabelingJob (a root job gets none)."""
        if self.is_root or self.parent is None:
            return []
        return [
            {"Key": ROOT_TAG, "Value": self.root},
            {"Key": PARENT_TAG, "Value": self.parent},
            {"Key": DEPTH_TAG, "Value": str(self.depth)},
        ]


def tags_to_dict(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """SageMaker's [{"Key", "Value"}] list as a dict."""
    return {tag["Key"]: tag.get("Value", "") for tag in tags or ()}


def has_lineage_tags(tags: Mapping[str, str]) -> bool:
    return any(key in tags for key in LINEAGE_TAGS)


def lineage_from_tags(job_name: str, tags: Mapping[str, str]) -> Lineage:
    """A job without lineage tags is a root; a child must carry all three, consistently."""
    if not has_lineage_tags(tags):
        return Lineage(job_name=job_name, root=job_name, parent=None, depth=0)
    missing = [key for key in LINEAGE_TAGS if not tags.get(key)]
    if missing:
        raise LineageError(f"job {job_name} has partial lineage tags: missing {', '.join(missing)}")
    raw_depth = tags[DEPTH_TAG]
    if not raw_depth.isdigit() or int(raw_depth) < 1:
        raise LineageError(f"job {job_name} has tag {DEPTH_TAG}={raw_depth!r}; expected an integer >= 1")
    return Lineage(job_name=job_name, root=tags[ROOT_TAG], parent=tags[PARENT_TAG], depth=int(raw_depth))


def resume_opted_out(tags: Mapping[str, str]) -> bool:
    return tags.get(RESUME_TAG, "").strip().lower() == "false"


def labeling_mode_override(tags: Mapping[str, str]) -> LabelingMode | None:
    """The per-job `gtchain:labeling-mode` tag, validated."""
    raw = tags.get(LABELING_MODE_TAG)
    if raw is None:
        return None
    mode = raw.strip().lower()
    if mode not in LABELING_MODES:
        raise LineageError(f"tag {LABELING_MODE_TAG}={raw!r} is not one of {', '.join(LABELING_MODES)}")
    return cast(LabelingMode, mode)


def inheritable_tags(tags: Iterable[Mapping[str, str]] | None) -> list[dict[str, str]]:
    """The parent's tags a child may carry: no `aws:*` (Create rejects them), no old lineage."""
    return [
        {"Key": tag["Key"], "Value": tag.get("Value", "")}
        for tag in tags or ()
        if not tag["Key"].lower().startswith(AWS_RESERVED_TAG_PREFIX) and tag["Key"] not in LINEAGE_TAGS
    ]


def unrecorded_lineage(lineage: Lineage, recorded_child: str | None) -> str | None:
    """Why a job's lineage tags are not to be trusted, or None when the ledger confirms them.

    Tags can be set by anyone who may tag a labeling job; the ledger is written only by
    gtchain, which records under the parent the child it is about to create (before
    CreateLabelingJob, so a child that finishes fast is never mistaken for a stranger). A job
    is a chained job of ours only when the child recorded for the parent its tags name is this
    job (case-insensitively: job names are). A root (no lineage tags) needs no confirmation.
    """
    if lineage.is_root or lineage.parent is None:
        return None
    if recorded_child is None:
        return (
            f"{lineage.job_name} carries lineage tags naming parent {lineage.parent}, but the ledger "
            f"records no child for {lineage.parent}: gtchain did not create it"
        )
    if recorded_child.lower() != lineage.job_name.lower():
        return (
            f"{lineage.job_name} carries lineage tags naming parent {lineage.parent}, but the ledger "
            f"records child {recorded_child} for {lineage.parent}: gtchain did not create it"
        )
    return None
