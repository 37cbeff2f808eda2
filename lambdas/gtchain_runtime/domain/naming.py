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


def owns_job_name(prefix: str, job_name: str) -> bool:
    """Whether `job_name` is a job of the project whose job-name prefix is `prefix`.

    The rule (the stack's event rule and IAM scoping import this same function):
    the name starts with the prefix, compared case-insensitively because SageMaker job
    names are unique case-insensitively, and the prefix is followed by `-` or by the end
    of the name. So with prefix `Streetscenes`, `Streetscenes`, `Streetscenes-Job1` and
    `streetscenes-job1` are the project's, and `StreetscenesV2-Job1` is not (another
    project's prefix that merely starts the same way). A prefix that already ends in `-`
    (`Team-`) owns every name that starts with it (`Team-x`). An empty prefix owns nothing.
    """
    if not prefix:
        return False
    name, owned = job_name.lower(), prefix.lower()
    if not name.startswith(owned):
        return False
    rest = name[len(owned) :]
    return not rest or rest.startswith("-") or owned.endswith("-")


def ownership_rule(prefix: str) -> str:
    """The rule of owns_job_name in words, for refusals."""
    if prefix.endswith("-"):
        return f"its name must start with {prefix!r} (case-insensitive)"
    return f"its name must be {prefix!r} or start with '{prefix}-' (case-insensitive)"
