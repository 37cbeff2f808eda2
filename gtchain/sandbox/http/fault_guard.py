"""The fault guard on the server's WSGI dispatcher (the knobs: :mod:`gtchain.sandbox.faults`).

``DomainDispatcherApplication.__call__``, outside the IAM guard: a role session's request that
an ``inject`` knob matches is answered with the service's error shape and never reaches moto;
after a successful one, a ``crash`` knob for that session (session name = the Lambda
function's name) kills the invoking worker (:mod:`gtchain.sandbox.awslambda.faults`).
"""

from __future__ import annotations

from typing import Any

from gtchain.sandbox.faults import faults
from gtchain.sandbox.http.requests import credential_scope, parse_call, read_body, request_path
from gtchain.sandbox.iam.credentials import session_for
from gtchain.sandbox.patching import PatchSet


def _request_text(environ: dict[str, Any]) -> str:
    body = read_body(environ)
    return f"{request_path(environ)}?{environ.get('QUERY_STRING', '')}\n{body.decode('utf-8', 'replace')}"


def fault_guard(app_call: Any) -> Any:
    def faulted_call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        scope = credential_scope(environ)
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

    return faulted_call


def register(patches: PatchSet) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    patches.wrap(DomainDispatcherApplication, "__call__", fault_guard)


PATCHES = PatchSet("http.fault_guard", register)
