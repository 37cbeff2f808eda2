"""Fault injection knobs: AWS errors, lost events, crashed and misbehaving Lambda workers.

One :class:`Faults` per process (``faults()``, ``Sandbox.faults``). Every knob returns a
:class:`Fault` handle whose ``fired`` counts what it did, so a test can prove the fault hit.

- ``inject(service, operation, error, count=|rate=, match=, status=)``: answer a request with
  the service's own error shape before moto sees it (the same WSGI dispatcher the IAM guard
  wraps, :mod:`gtchain.sandbox.http.faults`). Only calls signed by a role session (the
  deployed Lambdas, the Step Functions executor) are faulted: the tests, the CDK CLI and the
  operator CLI are not. ``match`` (case-insensitive) must occur in the request's path, query
  or body, e.g. a job name, to aim at one job while others run. ``service`` is the signing
  name (``sagemaker``, ``s3``, ``dynamodb``, ``sns``, ``lambda``, ``states``); ``operation``
  the API name (S3: ``GetObject``, ``PutObject``, ``HeadObject``, ...). The HTTP status comes
  from the error code (:data:`ERROR_STATUS`) unless given.
- ``crash(function, after=(service, operation), job=)``: when that call of a function whose
  name matches succeeds in moto (a call naming the job), the worker process running the
  invocation (its event about a matching job) is killed before the response reaches it: the
  side effect stays, the handler runs no further, and the caller gets ``Runtime.ExitError``,
  as from a runtime that died.
- ``corrupt_result(function, update, job=)``: the invocation's result dict is updated with
  ``update`` before it is returned (a handler answering outside its contract).
- ``lose_events(job)``: EventBridge never receives Ground Truth's state-change events of the
  jobs whose name matches (fnmatch, case-insensitive): only the sweep can find them.
- ``stall(function, job=)``: an invocation of a matching function about the job waits, before
  it reaches a worker, until ``Fault.release()`` (or ``reset()``): a step that hangs, so that a
  person can stop its execution, or the execution's time limit can pass, while it runs. Once
  released it runs on, as an invocation Step Functions no longer waits for does in Lambda.
- ``time_out_executions(job, after_seconds, count=1)``: executions about the job end with
  ``ExecutionTimedOut`` after ``after_seconds`` instead of their definition's ``TimeoutSeconds``
  (see :mod:`gtchain.sandbox.stepfunctions.patches`): the sandbox's clock runs fast for them, so
  the deployed two-hour limit can pass during a test. A definition without ``TimeoutSeconds``
  never times out, knob or not.
- ``age_job(name, by)``: shift a labeling job's CreationTime and LastModifiedTime back, so
  that the sweep's grace period (15 minutes) is over without waiting.

``job`` patterns match the job named in the invocation's event (``resources[0]``).
``reset()`` forgets every knob; the Sandbox resets on stop.
"""

from __future__ import annotations

import fnmatch
import json
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from xml.sax.saxutils import escape

# The HTTP status AWS answers each error code with (SNS Throttled: its model says 429).
ERROR_STATUS: dict[str, int] = {
    "ThrottlingException": 400,
    "Throttling": 400,
    "ProvisionedThroughputExceededException": 400,
    "RequestLimitExceeded": 400,
    "Throttled": 429,
    "TooManyRequestsException": 429,
    "SlowDown": 503,
    "InternalFailure": 500,
    "InternalError": 500,
    "InternalServerError": 500,
    "InternalServerException": 500,
    "ServiceUnavailable": 503,
    "ServiceUnavailableException": 503,
}
_REASONS = {
    400: "Bad Request",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_JSON_1_0 = {"dynamodb", "states"}


@dataclass
class Fault:
    """One knob; ``fired`` counts the requests or invocations it changed."""

    kind: str
    service: str = ""
    operation: str = ""
    error: str = ""
    status: int = 0
    count: int | None = None
    rate: float | None = None
    match: str = ""
    function: str = ""
    job: str = ""
    after: tuple[str, str] = ("", "")
    update: Mapping[str, Any] = field(default_factory=dict)
    seconds: int = 0
    fired: int = 0
    released: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def release(self) -> None:
        """Let the invocations a ``stall`` knob holds go on (and the next ones through)."""
        self.released.set()

    @property
    def spent(self) -> bool:
        return self.count is not None and self.fired >= self.count


def _fits(pattern: str, name: str) -> bool:
    return not pattern or fnmatch.fnmatch(name.lower(), pattern.lower())


def job_of_event(event: Any) -> str:
    """The labeling job an execution state (or event) is about: the name in ``resources[0]``."""
    if isinstance(event, Mapping):
        resources = event.get("resources") or []
        if resources and isinstance(resources[0], str):
            return resources[0].rsplit("/", 1)[-1]
    return ""


class Faults:
    def __init__(self, seed: int = 11) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._random = random.Random(seed)
        # Set by the Lambda runtime patch: kill(function name, accepts(event)) -> killed one.
        self.killer: Callable[[str, Callable[[Any], bool]], bool] | None = None

    # -- knobs -----------------------------------------------------------------------------
    def inject(
        self,
        service: str,
        operation: str,
        error: str,
        *,
        count: int | None = None,
        rate: float | None = None,
        match: str = "",
        status: int | None = None,
    ) -> Fault:
        if (count is None) == (rate is None):
            raise ValueError("give exactly one of count= or rate=")
        if rate is not None and not 0.0 < rate <= 1.0:
            raise ValueError(f"rate must be in (0, 1], got {rate}")
        if count is not None and count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        resolved = status or ERROR_STATUS.get(error)
        if resolved is None:
            raise ValueError(f"no known HTTP status for {error}: pass status=")
        fault = Fault("error", service.lower(), operation, error, resolved, count, rate, match=match.lower())
        return self._add(fault)

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

    def time_out_executions(self, job: str, after_seconds: int, *, count: int = 1) -> Fault:
        if not job:
            raise ValueError("name the job whose executions time out (job=)")
        if after_seconds < 1:
            raise ValueError(f"after_seconds must be at least 1, got {after_seconds}")
        return self._add(Fault("timeout", job=job, seconds=after_seconds, count=count))

    def lose_events(self, job: str) -> Fault:
        return self._add(Fault("lose-events", job=job))

    def age_job(self, name: str, by: timedelta) -> None:
        from gtchain.sandbox.groundtruth.lifecycle import models

        for job in models.all_jobs():
            if job.name.lower() == name.lower():
                with models.STATE_LOCK:
                    job.creation_time -= by
                    job.last_modified_time -= by
                return
        raise LookupError(f"no labeling job named {name}")

    def reset(self) -> None:
        with self._lock:
            for fault in self._faults:
                fault.release()  # no invocation stays held by a forgotten knob
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return [fault for fault in self._faults if not fault.spent]

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def _take(self, kinds: str, accept: Callable[[Fault], bool]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind != kinds or fault.spent or not accept(fault):
                    continue
                if fault.rate is not None and self._random.random() >= fault.rate:
                    continue
                fault.fired += 1
                return fault
        return None

    # -- hooks -----------------------------------------------------------------------------
    def request_error(
        self, service: str, operation: str, text: str, protocol: str, method: str
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The error answer for a role session's request, or None to let it through."""
        lowered = text.lower()
        fault = self._take(
            "error",
            lambda f: (
                f.service == service.lower()
                and f.operation.lower() == operation.lower()
                and (not f.match or f.match in lowered)
            ),
        )
        return None if fault is None else error_answer(fault, protocol, method)

    def crash_on_success(self, session_name: str, service: str, operation: str, text: str = "") -> None:
        """A role session's call succeeded: kill the invocation an armed crash knob waits for.

        Every worker of a function signs with the same session, so the call must also name the
        knob's job (``text``: its path, query and body) to be that invocation's and not a
        concurrent one's about another job."""
        if self.killer is None:
            return
        with self._lock:
            armed = [
                f
                for f in self._faults
                if f.kind == "crash"
                and not f.spent
                and f.after == (service.lower(), operation.lower())
                and _fits(f.function, session_name)
                and (not f.job or fnmatch.fnmatch(text.lower(), f"*{f.job.lower()}*"))
            ]
        for fault in armed:

            def accepts(event: Any, pattern: str = fault.job) -> bool:
                return _fits(pattern, job_of_event(event))

            if self.killer(session_name, accepts):
                with self._lock:
                    fault.fired += 1
                return

    def corrupt(self, function_name: str, event: Any, payload: Any) -> Any:
        job = job_of_event(event)
        if not isinstance(payload, dict):
            return payload
        fault = self._take("corrupt", lambda f: _fits(f.function, function_name) and _fits(f.job, job))
        return payload if fault is None else {**payload, **fault.update}

    def hold(self, function_name: str, event: Any) -> None:
        """Wait here while a ``stall`` knob holds this invocation (its function and job)."""
        job = job_of_event(event)
        fault = self._take("stall", lambda f: _fits(f.function, function_name) and _fits(f.job, job))
        if fault is not None:
            fault.released.wait()

    def execution_timeout(self, execution_input: Any) -> int | None:
        """The ``time_out_executions`` limit for an execution with this input, if a knob names its job."""
        if isinstance(execution_input, str):
            try:
                execution_input = json.loads(execution_input)
            except ValueError:
                return None
        job = job_of_event(execution_input)
        fault = self._take("timeout", lambda f: bool(job) and _fits(f.job, job))
        return None if fault is None else fault.seconds

    def event_lost(self, entry: Mapping[str, Any]) -> bool:
        names = [str(arn).rsplit("/", 1)[-1] for arn in entry.get("Resources") or []]
        for name in names:

            def accept(fault: Fault, name: str = name) -> bool:
                return _fits(fault.job, name)

            if self._take("lose-events", accept) is not None:
                return True
        return False


def error_answer(fault: Fault, protocol: str, method: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of ``fault.error`` in the shape of the service's protocol."""
    status = f"{fault.status} {_REASONS.get(fault.status, 'Error')}"
    message = {
        "SlowDown": "Please reduce your request rate.",
        "Throttled": "Rate exceeded",
        "ThrottlingException": "Rate exceeded",
        "ProvisionedThroughputExceededException": "The level of configured provisioned throughput for "
        "the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    }.get(fault.error, "We encountered an internal error. Please try again.")
    request_id = "gtchain-sandbox-fault"
    if protocol == "rest-xml":  # S3
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        if method == "HEAD":
            return status, headers, b""
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{fault.error}</Code>'
            f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return status, headers, xml.encode()
    if protocol == "query":  # SNS
        kind = "Receiver" if fault.status >= 500 else "Sender"
        xml = (
            '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
            f"<Error><Type>{kind}</Type><Code>{fault.error}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()
    if protocol == "rest-json":  # Lambda
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", fault.error),
            ("x-amzn-RequestId", request_id),
        ]
        return status, headers, json.dumps({"Type": "Service", "message": message}).encode()
    error_type = fault.error
    if fault.service == "dynamodb":
        error_type = f"com.amazonaws.dynamodb.v20120810#{fault.error}"
    content_type = (
        "application/x-amz-json-1.0" if fault.service in _JSON_1_0 else "application/x-amz-json-1.1"
    )
    body = json.dumps({"__type": error_type, "message": message}).encode()
    return status, [("Content-Type", content_type), ("x-amzn-RequestId", request_id)], body


_FAULTS = Faults()


def faults() -> Faults:
    """The process's fault knobs (the sandbox's server runs in this process)."""
    return _FAULTS
