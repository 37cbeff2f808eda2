"""Fault injection knobs: AWS errors, lost events, crashed and misbehaving Lambda workers.

One :class:`Faults` per process (``faults()``, ``Sandbox.faults``). Every knob returns a
:class:`Fault` handle whose ``fired`` counts what it did, so a test can prove the fault hit.
Each knob sits beside the service it affects, where its documentation is:

- ``inject``: an AWS error answered by the HTTP layer (:mod:`gtchain.sandbox.http.faults`);
- ``crash``, ``corrupt_result``, ``stall``: Lambda invocations (:mod:`gtchain.sandbox.awslambda.faults`);
- ``time_out_executions``: Step Functions (:mod:`gtchain.sandbox.stepfunctions.faults`);
- ``lose_events``: EventBridge (:mod:`gtchain.sandbox.eventbridge.faults`);
- ``age_job``: Ground Truth (:mod:`gtchain.sandbox.groundtruth.faults`).

``job`` patterns match the job named in the invocation's event (``resources[0]``).
``reset()`` forgets every knob; the Sandbox resets on stop.
"""

from __future__ import annotations

from gtchain.sandbox.awslambda.faults import InvocationFaults
from gtchain.sandbox.eventbridge.faults import EventFaults
from gtchain.sandbox.fault_book import Fault, job_of_event
from gtchain.sandbox.groundtruth.faults import JobFaults
from gtchain.sandbox.http.faults import ERROR_STATUS, RequestFaults, error_answer
from gtchain.sandbox.stepfunctions.faults import ExecutionFaults

__all__ = ["ERROR_STATUS", "Fault", "Faults", "error_answer", "faults", "job_of_event"]


class Faults(RequestFaults, InvocationFaults, ExecutionFaults, EventFaults, JobFaults):
    """Every knob of every service, sharing one book (one lock, one list, one reset)."""


_FAULTS = Faults()


def faults() -> Faults:
    """The process's fault knobs (the sandbox's server runs in this process)."""
    return _FAULTS
