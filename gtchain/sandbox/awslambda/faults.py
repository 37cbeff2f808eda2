"""Fault knobs of Lambda invocations: crashed and misbehaving workers, steps that hang.

- ``crash(function, after=(service, operation), job=)``: when that call of a function whose
  name matches succeeds in moto (a call naming the job), the worker process running the
  invocation (its event about a matching job) is killed before the response reaches it: the
  side effect stays, the handler runs no further, and the caller gets ``Runtime.ExitError``,
  as from a runtime that died (https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html).
- ``corrupt_result(function, update, job=)``: the invocation's result dict is updated with
  ``update`` before it is returned (a handler answering outside its contract).
- ``stall(function, job=)``: an invocation of a matching function about the job waits, before
  it reaches a worker, until ``Fault.release()`` (or ``reset()``): a step that hangs, so that a
  person can stop its execution, or the execution's time limit can pass, while it runs. Once
  released it runs on, as an invocation Step Functions no longer waits for does in Lambda.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from typing import Any

from gtchain.sandbox.fault_book import Fault, FaultBook, fits, job_of_event


class InvocationFaults(FaultBook):
    def __init__(self, seed: int = 11) -> None:
        super().__init__(seed)
        # Set by the Lambda runtime's patches: kill(function name, accepts(event)) -> killed one.
        self.killer: Callable[[str, Callable[[Any], bool]], bool] | None = None

    def crash(self, function: str, *, after: tuple[str, str], job: str = "", count: int = 1) -> Fault:
        return self._add(
            Fault(
                "crash", function=function, after=(after[0].lower(), after[1].lower()), job=job, count=count
            )
        )

    def corrupt_result(
        self, function: str, update: Mapping[str, Any], *, job: str = "", count: int = 1
    ) -> Fault:
        return self._add(Fault("corrupt", function=function, update=dict(update), job=job, count=count))

    def stall(self, function: str, *, job: str, count: int = 1) -> Fault:
        if not job:
            raise ValueError("a stall must name the job it holds (job=): other jobs' steps must run")
        return self._add(Fault("stall", function=function, job=job, count=count))

    # -- hooks -----------------------------------------------------------------------------
    def crash_on_success(self, session_name: str, service: str, operation: str, text: str = "") -> None:
        """A role session's call succeeded: kill the invocation an armed crash knob waits for.

        Every worker of a function signs with the same session, so the call must also name the
        knob's job (``text``: its path, query and body) to be that invocation's and not a
        concurrent one's about another job."""
        if self.killer is None:
            return
        armed = self._armed(
            "crash",
            lambda f: (
                f.after == (service.lower(), operation.lower())
                and fits(f.function, session_name)
                and (not f.job or fnmatch.fnmatch(text.lower(), f"*{f.job.lower()}*"))
            ),
        )
        for fault in armed:

            def accepts(event: Any, pattern: str = fault.job) -> bool:
                return fits(pattern, job_of_event(event))

            if self.killer(session_name, accepts):
                self._count_fired(fault)
                return

    def corrupt(self, function_name: str, event: Any, payload: Any) -> Any:
        job = job_of_event(event)
        if not isinstance(payload, dict):
            return payload
        fault = self._take("corrupt", lambda f: fits(f.function, function_name) and fits(f.job, job))
        return payload if fault is None else {**payload, **fault.update}

    def hold(self, function_name: str, event: Any) -> None:
        """Wait here while a ``stall`` knob holds this invocation (its function and job)."""
        job = job_of_event(event)
        fault = self._take("stall", lambda f: fits(f.function, function_name) and fits(f.job, job))
        if fault is not None:
            fault.released.wait()
