"""A warm Lambda execution environment: one long-lived process per function + code sha.

Run as ``python -S worker.py`` (``-S``: no site hooks) by
:mod:`gtchain.sandbox.awslambda.runtime`. Only the standard library is imported here;
``sys.path`` is set from the parent's instructions so the function's handler is imported from
the *deployed asset* directory, then the host's site-packages (standing in for the layer,
whose wheels are built for arm64). The editable install's import hook (a ``.pth`` file)
is deliberately not processed, so the project source tree cannot shadow the asset.

Protocol (one JSON object per line): the parent writes
``{"event": ..., "request_id": ..., "deadline_ms": ...}`` on stdin; the worker answers on the
file descriptor given in ``GTCHAIN_LAMBDA_RESULT_FD`` with
``{"ok": bool, "payload": <result or Lambda error shape>, "logs": str}``.
Anything the function prints is captured per invocation and returned as ``logs``.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes and method of the Python runtime's context object that handlers use."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ["GTCHAIN_LAMBDA_FUNCTION_ARN"]
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = request_id
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


class _CaptureStream(io.StringIO):
    """One stream object for the whole process life: loggers keep a reference to the stream
    they were created with, so it is drained per invocation instead of replaced."""

    def drain(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate(0)
        return text


def _error_shape(error: BaseException) -> dict[str, Any]:
    # Lambda's Python runtime error document; Step Functions reads errorType.
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def _load_handler(handler_string: str) -> Any:
    module_name, _, function_name = handler_string.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{handler_string}': expected <module>.<function>")
    module = importlib.import_module(module_name.replace("/", "."))
    return getattr(module, function_name)


def main() -> None:
    sys.path[:0] = json.loads(os.environ["GTCHAIN_LAMBDA_SYS_PATH"])
    result_channel = os.fdopen(int(os.environ["GTCHAIN_LAMBDA_RESULT_FD"]), "w", encoding="utf-8")
    capture = _CaptureStream()
    sys.stdout = sys.stderr = capture
    os.chdir(sys.path[0])

    handler: Any = None
    init_error: dict[str, Any] | None = None
    try:
        handler = _load_handler(os.environ["_HANDLER"])
    except Exception as error:  # an import error is reported on every invocation, as Lambda does
        init_error = _error_shape(error)
        if isinstance(error, ImportError):
            init_error["errorType"] = "Runtime.ImportModuleError"
        elif isinstance(error, AttributeError):
            init_error["errorType"] = "Runtime.HandlerNotFound"

    # The Init phase is over: from here on the parent times each invocation.
    result_channel.write(json.dumps({"initialized": True}) + "\n")
    result_channel.flush()
    for line in sys.stdin:
        request = json.loads(line)
        context = LambdaContext(request["request_id"], request["deadline_ms"])
        answer: dict[str, Any]
        if init_error is not None:
            answer = {"ok": False, "payload": init_error}
        else:
            try:
                answer = {"ok": True, "payload": handler(request["event"], context)}
            except Exception as error:
                answer = {"ok": False, "payload": _error_shape(error)}
            try:
                json.dumps(answer["payload"])
            except (TypeError, ValueError) as error:  # Lambda cannot serialize the result either
                answer = {"ok": False, "payload": _error_shape(error)}
                answer["payload"]["errorType"] = "Runtime.MarshalError"
        answer["logs"] = capture.drain()
        result_channel.write(json.dumps(answer) + "\n")
        result_channel.flush()


if __name__ == "__main__":
    main()
