"""moto 5.2.5 additions gtchain needs offline: every service's patches, in order.

Each service package documents what moto lacks and why its patch looks the way it does:
:mod:`.http.routing` (moto's router built under a lock), :mod:`.awslambda.runtime` (Lambda
without Docker), :mod:`.eventbridge.patches` (EventBridge targets, lost events),
:mod:`.stepfunctions.patches` (executing CloudFormation-made state machines, AWS error names),
:mod:`.cloudformation.patches` (what ``cdk deploy`` needs), :mod:`.s3.patches` (TLS-only bucket
policies), :mod:`.iam.patches` (IAM enforcement hooks), :mod:`.http.fault_guard` (fault
injection, outside the IAM guard: installed after it). The labeling-job emulation
(:mod:`gtchain.sandbox.groundtruth`) is installed last. Each is a
:class:`~gtchain.sandbox.patching.PatchSet`: ``undo_all()`` restores moto as it was.
"""

from __future__ import annotations

import threading

from gtchain.sandbox import groundtruth
from gtchain.sandbox.awslambda import runtime as awslambda
from gtchain.sandbox.cloudformation import patches as cloudformation
from gtchain.sandbox.eventbridge import patches as eventbridge
from gtchain.sandbox.http import fault_guard, routing
from gtchain.sandbox.iam import patches as iam
from gtchain.sandbox.patching import PatchSet
from gtchain.sandbox.s3 import patches as s3
from gtchain.sandbox.stepfunctions import patches as stepfunctions

SERVICE_PATCHES: tuple[PatchSet, ...] = (
    routing.PATCHES,
    awslambda.PATCHES,
    eventbridge.PATCHES,
    stepfunctions.PATCHES,
    cloudformation.PATCHES,
    s3.PATCHES,
    iam.PATCHES,
    fault_guard.PATCHES,
    groundtruth.PATCHES,
)
_lock = threading.Lock()


def apply_all() -> None:
    """Patch moto in this process (idempotent; thread-safe). Raises MotoVersionError on a moto
    version the patches were not written for."""
    with _lock:
        for patch_set in SERVICE_PATCHES:
            patch_set.install()


def undo_all() -> None:
    """Put back every original the patches replaced, newest first."""
    with _lock:
        for patch_set in reversed(SERVICE_PATCHES):
            patch_set.undo()


def applied() -> bool:
    return all(patch_set.installed for patch_set in SERVICE_PATCHES)
