"""Fault injection hooks (the knobs: :mod:`gtchain.sandbox.faults`).

- the server's WSGI dispatcher (``DomainDispatcherApplication.__call__``, outside the IAM
  guard): a role session's request that an ``inject`` knob matches is answered with the
  service's error shape and never reaches moto; after a successful one, a ``crash`` knob
  for that session (session name = the Lambda function's name) kills the invoking worker;
- EventBridge's ``PutEvents`` backend: entries of jobs whose events are lost are dropped;
- the Lambda runtime (:mod:`.lambda_runtime`) registers its worker killer and lets the
  ``corrupt_result`` knob rewrite results.
"""

from __future__ import annotations

from typing import Any

from gtchain.sandbox.faults import faults
from gtchain.sandbox.iam.credentials import session_for
from gtchain.sandbox.iam.enforcement import _credential_scope, _path, _read_body, parse_call


def _request_text(environ: dict[str, Any]) -> str:
    body = _read_body(environ)
    return f"{_path(environ)}?{environ.get('QUERY_STRING', '')}\n{body.decode('utf-8', 'replace')}"


def fault_guard(app_call: Any) -> Any:
    def faulted_call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        scope = _credential_scope(environ)
        session = session_for(scope[0]) if scope else None
        if scope is None or session is None:
            return app_call(self, environ, start_response)
        service = scope[2]
        text = _request_text(environ)
        call = parse_call(environ, service)
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        answer = faults().request_error(service, call.operation, text, call.protocol, method)
        if answer is not None:
            status, headers, body = answer
            start_response(status, [*headers, ("Content-Length", str(len(body)))])
            return [body]
        seen: list[str] = []

        def recording_start_response(status: str, headers: Any, *args: Any) -> Any:
            seen.append(status)
            return start_response(status, headers, *args)

        result = app_call(self, environ, recording_start_response)
        if seen and seen[0][:1] == "2":  # done in moto; the caller has not read the answer yet
            faults().crash_on_success(session.session_name, service, call.operation, text)
        return result

    faulted_call._gtchain_faulted = True  # type: ignore[attr-defined]
    return faulted_call


def _make_put_events(original: Any) -> Any:
    def put_events(self: Any, events: list[dict[str, Any]]) -> Any:
        kept = [entry for entry in events if not faults().event_lost(entry)]
        if not kept:
            return [{"EventId": "gtchain-sandbox-lost-event"} for _ in events]
        return original(self, kept)

    put_events._gtchain_faulted = True  # type: ignore[attr-defined]
    return put_events


def install() -> None:
    from moto.events.models import EventsBackend

    from gtchain.sandbox.awslambda import runtime as lambda_runtime

    faults().killer = lambda_runtime.POOL.kill_busy
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    if not hasattr(DomainDispatcherApplication.__call__, "_gtchain_faulted"):
        DomainDispatcherApplication.__call__ = fault_guard(DomainDispatcherApplication.__call__)  # type: ignore[method-assign]
    if not hasattr(EventsBackend.put_events, "_gtchain_faulted"):
        EventsBackend.put_events = _make_put_events(EventsBackend.put_events)  # type: ignore[method-assign]
