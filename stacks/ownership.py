"""Which labeling jobs belong to a project (no CDK import: the config model uses it too)."""

from __future__ import annotations


def owns_job_name(prefix: str, job_name: str) -> bool:
    """A job belongs to the project when its name is the prefix followed by ``-`` or by the end
    of the name, case-insensitively (``Streetscenes`` owns ``streetscenes-job1`` and
    ``Streetscenes``, not ``StreetscenesV2-job1``); a prefix that already ends in ``-`` owns the
    names that start with it.

    This mirrors the runtime's ownership rule (``owns_job_name`` in
    gtchain_runtime.domain.naming): the event rule, the IAM resources and the projects file's
    overlap check must agree with what the handlers accept.
    """
    stem = prefix.lower()
    name = job_name.lower()
    if not stem:
        return False
    if stem.endswith("-"):
        return name.startswith(stem)
    return name == stem or name.startswith(f"{stem}-")
