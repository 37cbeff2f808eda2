"""Fixtures of the sandbox tier: one in-process sandbox per test module (MOTO_PORT is
process-wide, so two servers in one process would call back into each other; and other
modules' ``mock_aws`` resets moto's state, so the sandbox does not outlive a module)."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator

import pytest

from gtchain.sandbox import Sandbox
from tests.support.labeling import labeling_aws
from tests.support.sandbox_calls import zip_files

LAMBDA_ROLE = "arn:aws:iam::123456789012:role/sandbox-test-lambda"


@pytest.fixture(scope="module")
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """IAM enforcement is on, as for the deployed app, unless the module sets ENFORCE_IAM = False."""
    with Sandbox(enforce_iam=getattr(request.module, "ENFORCE_IAM", True)) as running:
        yield running


@pytest.fixture
def labeling_moto() -> Iterator[None]:
    """In-process moto with labeling jobs, the tests' bucket and a workforce without knobs, for
    the modules that test the labeling emulation alone (`pytestmark = usefixtures(...)`)."""
    with labeling_aws():
        yield


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
