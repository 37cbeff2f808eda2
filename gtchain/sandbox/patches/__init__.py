"""moto 5.2.5 additions gtchain needs offline, applied once per process.

Each submodule documents what moto lacks and why its patch looks the way it does:
:mod:`.lambda_runtime` (Lambda without Docker), :mod:`.events` (EventBridge targets),
:mod:`.stepfunctions` (executing CloudFormation-made state machines, AWS error names),
:mod:`.cloudformation` (what ``cdk deploy`` needs),
:mod:`.s3` (TLS-only bucket policies), :mod:`.routing` (moto's router built under a lock),
:mod:`.iam` (IAM enforcement hooks, see
:mod:`gtchain.sandbox.iam`), :mod:`.faults` (fault injection, see
:mod:`gtchain.sandbox.faults`). The labeling-job emulation
(:mod:`gtchain.sandbox.labeling`) is installed last.
"""

from __future__ import annotations

import threading

from gtchain.sandbox import labeling
from gtchain.sandbox.patches import (
    cloudformation,
    events,
    faults,
    iam,
    lambda_runtime,
    routing,
    s3,
    stepfunctions,
)

_lock = threading.Lock()
_applied = False


def apply_all() -> None:
    """Patch moto in this process (idempotent; thread-safe)."""
    global _applied  # noqa: PLW0603 - one process-wide switch, by design
    with _lock:
        if _applied:
            return
        routing.install()
        lambda_runtime.install()
        events.install()
        stepfunctions.install()
        cloudformation.install()
        s3.install()
        iam.install()
        faults.install()  # outside the IAM guard
        labeling.install()
        _applied = True


def applied() -> bool:
    return _applied
