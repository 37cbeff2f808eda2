"""IAM enforcement in the sandbox: the switch, the role's policies, and the HTTP check.

Where it hooks in (installed by :mod:`gtchain.sandbox.iam.patches`):
- every HTTP request to the sandbox server passes :func:`check_wsgi_request` before moto
  sees it. A request signed with a role session's access key
  (:mod:`gtchain.sandbox.iam.credentials`) is parsed into (service, operation, params),
  mapped to what IAM authorizes (:mod:`gtchain.sandbox.iam.requests`) and evaluated
  against the role's policies (:mod:`gtchain.sandbox.iam.evaluate`); a denied call gets
  the service's own AccessDenied answer and never reaches moto. Requests with any other
  key (CDK CLI, tests, operator) pass unevaluated.
- calls the sandbox's patches make in-process for a service (EventBridge ->
  StartExecution) use :func:`authorize` with the role ARN of the deployed resource.

The role's policies are read per call from moto's IAM backend, i.e. as CloudFormation
created them from the deployed template: the role's inline policies (its ``Policies``
property and every ``AWS::IAM::Policy`` attached to it) and its attached managed policies.

Not modelled: resource-based policies (S3 bucket policies, KMS key policies, SNS topic
policies, SQS queue policies, Lambda permissions - so EventBridge -> Lambda targets are
not checked), permission boundaries, session policies, SCPs/RCPs, VPC endpoint policies,
the role's trust policy (a role is assumed as deployed), signature verification, S3's
403-instead-of-404 for a missing key without s3:ListBucket, the logs/X-Ray writes the
Lambda and Step Functions services make with the role, and condition keys beyond those
listed in :mod:`gtchain.sandbox.iam.requests`.
"""

from __future__ import annotations

import collections
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from gtchain.sandbox.http.requests import ParsedCall, credential_scope, parse_call
from gtchain.sandbox.iam.credentials import RoleSession, session_for
from gtchain.sandbox.iam.evaluate import Decision, Evaluation, PolicyError, evaluate
from gtchain.sandbox.iam.requests import Caller, UnmappedOperationError, authorization_requests

_state_lock = threading.Lock()
_enabled = False
_MAX_DENIALS = 500


@dataclass(frozen=True)
class Denial:
    """One refused call, kept for tests and debugging (``Sandbox.iam_denials``)."""

    role_arn: str
    service: str
    operation: str
    action: str
    resource: str
    message: str


DENIALS: collections.deque[Denial] = collections.deque(maxlen=_MAX_DENIALS)
# (role ARN, action, deciding statement Sid) -> allowed calls: which grants are used at all.
GRANTS_USED: collections.Counter[tuple[str, str, str]] = collections.Counter()


def enable(on: bool = True) -> None:
    global _enabled  # noqa: PLW0603 - one process-wide switch, like the server
    with _state_lock:
        _enabled = on


def enabled() -> bool:
    return _enabled


class AccessDeniedError(Exception):
    """A call the role may not make (raised by :func:`authorize` for in-process callers)."""

    code = "AccessDeniedException"

    def __init__(self, message: str, evaluation: Evaluation | None = None) -> None:
        super().__init__(message)
        self.evaluation = evaluation


# -- the role's policies (moto's IAM backend) --------------------------------------------


def role_policies(role_arn: str) -> list[str] | None:
    """The policy documents of a deployed role (inline + attached managed), None if no
    such role exists."""
    from moto.iam.models import iam_backends

    parts = role_arn.split(":")
    if len(parts) < 6:
        return None
    try:
        backend = iam_backends[parts[4]][parts[1]]
        role = backend.get_role_by_arn(role_arn)
    except Exception:  # moto's NotFoundException and friends
        return None
    documents: list[Any] = list(role.policies.values())
    for policy in list(role.managed_policies.values()):
        default = next((v for v in policy.versions if v.is_default), None)
        if default is not None:
            documents.append(default.document)
    # moto keeps what it was given: JSON text, URL-encoded JSON text, or a dict.
    texts = [d if isinstance(d, str) else json.dumps(d) for d in documents]
    return [unquote(t) if t.startswith("%7B") else t for t in texts]


class MotoLookups:
    """:class:`gtchain.sandbox.iam.requests.Lookups` from moto's SNS and KMS backends."""

    def topic_key_arn(self, topic_arn: str) -> str | None:
        from moto.kms.models import kms_backends
        from moto.sns.models import sns_backends

        parts = topic_arn.split(":")
        if len(parts) < 6:
            return None
        account, region = parts[4], parts[3]
        try:
            topic = sns_backends[account][region].get_topic(topic_arn)
        except Exception:
            return None
        key_id = getattr(topic, "kms_master_key_id", None) or ""
        if not key_id:
            return None
        kms = kms_backends[account][region]
        try:
            key = kms.describe_key(key_id)
        except Exception:
            return None
        if getattr(key, "key_manager", "CUSTOMER") != "CUSTOMER":
            return None  # an AWS managed key's policy lets SNS use it for the account
        return str(key.arn)


# -- deciding ----------------------------------------------------------------------------


def denial_message(caller: Caller, evaluation: Evaluation, *, quote_resource: bool = False) -> str:
    request = evaluation.request
    resource = f'"{request.resource}"' if quote_resource else request.resource
    why = (
        "with an explicit deny in an identity-based policy"
        if evaluation.decision is Decision.EXPLICIT_DENY
        else f"because no identity-based policy allows the {request.action} action"
    )
    who = f"User: {caller.session_arn} is not authorized to perform: {request.action}"
    return f"{who} on resource: {resource} {why}"


def decide(
    session: RoleSession, region: str, service: str, operation: str, params: Mapping[str, Any]
) -> tuple[Caller, Evaluation | None, str | None]:
    """(caller, the denied evaluation or None, a refusal message when the call cannot be
    evaluated at all)."""
    caller = Caller(session.role_arn, session.session_name, session.account, region, session.partition)
    try:
        requests = authorization_requests(service, operation, params, caller=caller, lookups=MotoLookups())
    except UnmappedOperationError as error:
        return caller, None, str(error)
    policies = role_policies(session.role_arn)
    if policies is None:
        return caller, None, f"gtchain sandbox: the role {session.role_arn} does not exist"
    try:
        for request in requests:
            evaluation = evaluate(policies, request)
            if not evaluation.allowed:
                return caller, evaluation, None
            GRANTS_USED[(session.role_arn, request.action, evaluation.statement_id or "")] += 1
        return caller, None, None
    except PolicyError as error:
        return caller, None, f"gtchain sandbox: cannot evaluate the policies of {session.role_arn}: {error}"


def authorize(
    role_arn: str,
    session_name: str,
    *,
    region: str,
    service: str,
    operation: str,
    params: Mapping[str, Any],
) -> None:
    """For the sandbox's in-process callers (EventBridge -> StartExecution): raise
    :class:`AccessDenied` unless the role may make the call. No-op while enforcement is off."""
    if not enabled():
        return
    parts = role_arn.split(":")
    session = RoleSession(role_arn, session_name)
    if len(parts) < 6:
        raise AccessDeniedError(f"gtchain sandbox: {role_arn!r} is not a role ARN")
    caller, evaluation, refusal = decide(session, region, service, operation, params)
    if evaluation is None and refusal is None:
        return
    message = refusal or denial_message(caller, evaluation)  # type: ignore[arg-type]
    action = evaluation.request.action if evaluation else f"{service}:{operation}"
    resource = evaluation.request.resource if evaluation else ""
    DENIALS.append(Denial(role_arn, service, operation, action, resource, message))
    raise AccessDeniedError(message, evaluation)


# -- HTTP: the service's AccessDenied answer ---------------------------------------------

_JSON_CONTENT_TYPES = {"dynamodb": "application/x-amz-json-1.0", "states": "application/x-amz-json-1.0"}


def error_response(
    call: ParsedCall, message: str, *, kms: bool = False, method: str = "GET"
) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of the AccessDenied AWS answers for ``call``."""
    request_id = "gtchain-sandbox-iam"
    if call.protocol == "rest-xml":
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        if method == "HEAD":  # S3 answers HEAD errors without a body
            return "403 Forbidden", headers, b""
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId>"
            f"<HostId>{request_id}</HostId></Error>"
        )
        return "403 Forbidden", headers, xml.encode()
    if call.protocol == "query":
        code, status = ("AuthorizationError", "403 Forbidden")
        if kms:  # SNS answers a denied key with its own error
            code, status = "KMSAccessDenied", "400 Bad Request"
        xml = (
            '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()
    if call.protocol == "rest-json":
        body = json.dumps({"Type": "User", "Message": message}).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "AccessDeniedException"),
            ("x-amzn-RequestId", request_id),
        ]
        return "403 Forbidden", headers, body
    error_type = "AccessDeniedException"
    if call.service == "dynamodb":
        error_type = "com.amazonaws.dynamodb.v20120810#AccessDeniedException"
    content_type = _JSON_CONTENT_TYPES.get(call.service, "application/x-amz-json-1.1")
    body = json.dumps({"__type": error_type, "message": message, "Message": message}).encode()
    return "400 Bad Request", [("Content-Type", content_type), ("x-amzn-RequestId", request_id)], body


def check_wsgi_request(environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """None when the request may proceed to moto; else the AccessDenied answer to send."""
    if not enabled():
        return None
    scope = credential_scope(environ)
    if scope is None:
        return None
    access_key_id, region, service = scope
    session = session_for(access_key_id)
    if session is None:
        return None
    call = parse_call(environ, service)
    caller, evaluation, refusal = decide(session, region, service, call.operation, call.params)
    if evaluation is None and refusal is None:
        return None
    if refusal is not None:
        message, action, resource, kms = refusal, f"{service}:{call.operation}", "", False
    else:
        assert evaluation is not None
        message = denial_message(caller, evaluation, quote_resource=call.protocol == "rest-xml")
        action, resource = evaluation.request.action, evaluation.request.resource
        kms = service != "kms" and action.lower().startswith("kms:")
    DENIALS.append(Denial(session.role_arn, service, call.operation, action, resource, message))
    return error_response(call, message, kms=kms, method=str(environ.get("REQUEST_METHOD", "GET")).upper())


def wsgi_guard(app_call: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a WSGI ``__call__(self, environ, start_response)`` with :func:`check_wsgi_request`."""

    def guarded_call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        answer = check_wsgi_request(environ)
        if answer is None:
            return app_call(self, environ, start_response)
        status, headers, body = answer
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return guarded_call
