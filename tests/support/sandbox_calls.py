"""Calls into a running sandbox: invoke a function, wait for an execution or a condition."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any

from gtchain.sandbox import Sandbox


def zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def invoke(sandbox: Sandbox, function: str, event: Any) -> tuple[str | None, Any]:
    response = sandbox.client("lambda").invoke(FunctionName=function, Payload=json.dumps(event).encode())
    return response.get("FunctionError"), json.loads(response["Payload"].read())


def wait_for_execution(sandbox: Sandbox, execution_arn: str, timeout: float = 30.0) -> dict[str, Any]:
    client = sandbox.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        description: dict[str, Any] = client.describe_execution(executionArn=execution_arn)
        if description["status"] != "RUNNING":
            return description
        if time.monotonic() > deadline:
            raise AssertionError(f"execution still RUNNING after {timeout} s: {execution_arn}")
        time.sleep(0.05)


def history_events(sandbox: Sandbox, execution_arn: str) -> list[dict[str, Any]]:
    return list(sandbox.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"])


def wait_until(condition: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
