"""moto 5.2.5 additions gtchain needs offline, applied once per process.

Each service package documents what moto lacks and why its patch looks the way it does:
:mod:`.http.routing` (moto's router built under a lock), :mod:`.awslambda.runtime` (Lambda
without Docker), :mod:`.eventbridge.patches` (EventBridge targets),
:mod:`.stepfunctions.patches` (executing CloudFormation-made state machines, AWS error names),
:mod:`.cloudformation.patches` (what ``cdk deploy`` needs), :mod:`.s3.patches` (TLS-only bucket
policies), :mod:`.iam.patches` (IAM enforcement hooks), :mod:`.http.faults` (fault injection,
outside the IAM guard). The labeling-job emulation (:mod:`gtchain.sandbox.groundtruth`) is
installed last.
"""

from __future__ import annotations

import threading

from gtchain.sandbox import groundtruth
from gtchain.sandbox.awslambda import runtime as lambda_runtime
from gtchain.sandbox.cloudformation import patches as cloudformation
from gtchain.sandbox.eventbridge import patches as events
from gtchain.sandbox.http import faults, routing
from gtchain.sandbox.iam import patches as iam
from gtchain.sandbox.s3 import patches as s3
from gtchain.sandbox.stepfunctions import patches as stepfunctions

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
        groundtruth.install()
        _applied = True


def applied() -> bool:
    return _applied
