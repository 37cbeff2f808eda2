"""Diff a job's input and output manifests into the chained input manifest: the entry point
that picks the path (lockstep when the output lists the input's objects line for line, else
the general path) and restarts on a key-hash collision. Semantics: the package docstring."""

from __future__ import annotations

import secrets
from typing import BinaryIO

from gtchain_runtime.domain.manifest.general import Planner
from gtchain_runtime.domain.manifest.keys import KeyHashCollisionError
from gtchain_runtime.domain.manifest.lines import validate_label_attribute
from gtchain_runtime.domain.manifest.lockstep import plan_in_lockstep
from gtchain_runtime.domain.manifest.plan import ManifestPlan, ProgressCallback


def diff_manifests(
    input_manifest: BinaryIO,
    output_manifest: BinaryIO | None,
    label_attribute: str,
    chained_out: BinaryIO,
    rejects_out: BinaryIO,
    *,
    progress: ProgressCallback | None = None,
) -> ManifestPlan:
    """Write the chained input manifest and the rejects; return the counts.

    ``input_manifest`` and ``output_manifest`` are seekable binary files (the S3 adapter spools
    objects to temporary files); ``output_manifest`` is None when the job wrote none (a failed
    job, or third-party labels only). ``chained_out`` and ``rejects_out`` must be seekable too
    (a key-hash collision, about once in 10**7 runs of a million objects, rewrites them).
    ``progress`` receives the number of bytes read so far, now and then.
    """
    validate_label_attribute(label_attribute)
    streams = (input_manifest, output_manifest, chained_out, rejects_out)
    if output_manifest is not None:
        plan = plan_in_lockstep(input_manifest, output_manifest, label_attribute, chained_out, progress)
        if plan is not None:
            return plan
        _rewind(*streams)  # not the common shape: start over on the general path
    salt = ""
    while True:
        try:
            return Planner(label_attribute, salt, progress).run(
                input_manifest, output_manifest, chained_out, rejects_out
            )
        except KeyHashCollisionError:
            salt = secrets.token_hex(8)
            _rewind(*streams)


def _rewind(
    input_manifest: BinaryIO, output_manifest: BinaryIO | None, chained_out: BinaryIO, rejects_out: BinaryIO
) -> None:
    """Back to the start of both manifests, with empty chained and rejects files."""
    for stream in (input_manifest, output_manifest, chained_out, rejects_out):
        if stream is not None:
            stream.seek(0)
    chained_out.truncate()
    rejects_out.truncate()
