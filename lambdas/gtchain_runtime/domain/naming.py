"""Job names: deterministic child names that are always valid Ground Truth job names.

A second attempt to chain the same parent must produce the same name, so that
CreateLabelingJob collides (ResourceInUse) instead of creating a twin that pays workers twice.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator

MAX_JOB_NAME_LENGTH = 63
JOB_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_HASH_LENGTH = 8


class InvalidJobNameError(ValueError):
    """A name that Ground Truth would reject."""


def is_valid_job_name(name: str) -> bool:
    return len(name) <= MAX_JOB_NAME_LENGTH and JOB_NAME_PATTERN.fullmatch(name) is not None


def require_valid_job_name(name: str) -> str:
    if not is_valid_job_name(name):
        raise InvalidJobNameError(
            f"{name!r} is not a valid labeling job name "
            f"(1-{MAX_JOB_NAME_LENGTH} characters, letters, digits and inner hyphens)"
        )
    return name


def child_job_name(root: str, depth: int) -> str:
    """`<root>-chain-<depth>`; when too long, the root is cut and a stable hash of it keeps names unique."""
    require_valid_job_name(root)
    if depth < 1:
        raise ValueError(f"a chained job has depth >= 1, got {depth}")
    suffix = f"-chain-{depth}"
    candidate = root + suffix
    if len(candidate) <= MAX_JOB_NAME_LENGTH:
        return candidate
    # Names are unique case-insensitively, so the hash ignores case too.
    digest = hashlib.sha256(root.lower().encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    hashed_suffix = f"-{digest}{suffix}"
    trunk = root[: MAX_JOB_NAME_LENGTH - len(hashed_suffix)].rstrip("-")
    return require_valid_job_name(trunk + hashed_suffix)


def chain_job_names(root: str, depth: int | None = None) -> Iterator[str]:
    """The names of a chain's jobs, root first, up to `depth` (or without end)."""
    yield root
    depths = itertools.count(1) if depth is None else range(1, depth + 1)
    for child_depth in depths:
        yield child_job_name(root, child_depth)


def has_project_prefix(job_name: str, prefix: str) -> bool:
    """Job names are case-insensitive in SageMaker, so is the project's prefix."""
    return bool(prefix) and job_name.lower().startswith(prefix.lower())


def job_name_from_arn(job_arn: str) -> str:
    """`arn:aws:sagemaker:<region>:<account>:labeling-job/<name>` -> `<name>` (lower-cased by SageMaker)."""
    resource = job_arn.rsplit(":", 1)[-1]
    kind, _, name = resource.partition("/")
    if kind != "labeling-job" or not name:
        raise ValueError(f"{job_arn!r} is not a labeling job ARN")
    return name
