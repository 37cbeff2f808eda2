"""Fault knob of the HTTP layer: answer a role session's request with an AWS error.

``inject(service, operation, error, count=|rate=, match=, status=)`` answers a request with
the service's own error shape before moto sees it (the WSGI dispatcher the IAM guard wraps,
:mod:`.fault_guard`). Only calls signed by a role session (the deployed Lambdas, the Step
Functions executor) are faulted: the tests, the CDK CLI and the operator CLI are not.
``match`` (case-insensitive) must occur in the request's path, query or body, e.g. a job name,
to aim at one job while others run. ``service`` is the signing name (``sagemaker``, ``s3``,
``dynamodb``, ``sns``, ``lambda``, ``states``); ``operation`` the API name (S3: ``GetObject``,
``PutObject``, ``HeadObject``, ...). The HTTP status comes from the error code
(:data:`ERROR_STATUS`) unless given. Error shapes per protocol: each service's API reference,
"Common Errors" (S3: ErrorResponses; SNS: CommonErrors; Lambda and the JSON services: the
``x-amzn-ErrorType`` / ``__type`` members botocore's parsers read).
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from gtchain.sandbox.fault_book import Fault, FaultBook

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


class RequestFaults(FaultBook):
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
