"""Fault knob of Step Functions executions: time them out early.

``time_out_executions(job, after_seconds, count=1)``: executions about the job end with
``ExecutionTimedOut`` after ``after_seconds`` instead of their definition's ``TimeoutSeconds``
(https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html; see
:mod:`.patches`): the sandbox's clock runs fast for them, so the deployed two-hour limit can
pass during a test. A definition without ``TimeoutSeconds`` never times out, knob or not.
"""

from __future__ import annotations

import json
from typing import Any

from gtchain.sandbox.fault_book import Fault, FaultBook, fits, job_of_event


class ExecutionFaults(FaultBook):
    def time_out_executions(self, job: str, after_seconds: int, *, count: int = 1) -> Fault:
        if not job:
            raise ValueError("name the job whose executions time out (job=)")
        if after_seconds < 1:
            raise ValueError(f"after_seconds must be at least 1, got {after_seconds}")
        return self._add(Fault("timeout", job=job, seconds=after_seconds, count=count))

    def execution_timeout(self, execution_input: Any) -> int | None:
        """The ``time_out_executions`` limit for an execution with this input, if a knob names its job."""
        if isinstance(execution_input, str):
            try:
                execution_input = json.loads(execution_input)
            except ValueError:
                return None
        job = job_of_event(execution_input)
        fault = self._take("timeout", lambda f: bool(job) and fits(f.job, job))
        return None if fault is None else fault.seconds
