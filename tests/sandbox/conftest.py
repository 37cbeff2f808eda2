"""Fixtures of the sandbox tier: one in-process sandbox per test module (MOTO_PORT is
process-wide, so two servers in one process would call back into each other; and other
modules' ``mock_aws`` resets moto's state, so the sandbox does not outlive a module)."""

from __future__ import annotations

import contextlib
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gtchain.sandbox import Sandbox

LAMBDA_ROLE = "arn:aws:iam::123456789012:role/sandbox-test-lambda"


@pytest.fixture(scope="module")
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """IAM enforcement is on, as for the deployed app, unless the module sets ENFORCE_IAM = False."""
    with Sandbox(enforce_iam=getattr(request.module, "ENFORCE_IAM", True)) as running:
        yield running


def zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def make_function(sandbox: Sandbox) -> Callable[..., str]:
    """Create a Lambda function from source files; returns its ARN."""
    client = sandbox.client("lambda")
    iam = sandbox.client("iam")
    trust = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]
    }
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=LAMBDA_ROLE.rsplit("/", 1)[-1], AssumeRolePolicyDocument=json.dumps(trust))

    def make(
        files: dict[str, str],
        handler: str,
        environment: dict[str, str] | None = None,
        timeout: int = 10,
        layers: list[str] | None = None,
    ) -> str:
        name = f"test-{uuid.uuid4().hex[:12]}"
        response = client.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=LAMBDA_ROLE,
            Handler=handler,
            Code={"ZipFile": zip_files(files)},
            Environment={"Variables": environment or {}},
            Timeout=timeout,
            Layers=layers or [],
        )
        return str(response["FunctionArn"])

    return make


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
