"""Project settings and clients for the operator commands, read from the deployed stack.

The CLI runs the Lambdas' own code, so it needs their settings: it reads the environment of
one of the stack's functions (CloudFormation ListStackResources + Lambda
GetFunctionConfiguration), which is exactly what the deployed Lambdas see. Credentials,
region and AWS_ENDPOINT_URL (the offline sandbox) come from the usual AWS environment.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from gtchain.cli.errors import CliError
from gtchain_runtime.context import ChainContext
from gtchain_runtime.settings import RuntimeSettings, settings_from

STACK_HELP = "Deployed gtchain stack (GtChain-<project>) whose settings to use; or set GTCHAIN_STACK."


def settings_from_stack(stack_name: str, session: Any, function_name: str | None = None) -> RuntimeSettings:
    """The settings of the stack's functions (of `function_name`, one of them, when given)."""
    function_name = function_name or stack_function_names(stack_name, session)[0]
    configuration = session.client("lambda").get_function_configuration(FunctionName=function_name)
    environment = configuration.get("Environment", {}).get("Variables", {})
    try:
        return settings_from(environment)
    except ValidationError as error:
        missing = ", ".join(str(e["loc"][0]) for e in error.errors())
        raise CliError(f"stack {stack_name}: its functions lack gtchain settings ({missing})") from None


SWEEP_HANDLER = "gtchain_runtime.handlers.sweep_jobs.handler"


def stack_function_names(stack_name: str, session: Any) -> list[str]:
    """Physical names of the stack's Lambda functions (CloudFormation ListStackResources)."""
    from botocore.exceptions import ClientError

    cloudformation = session.client("cloudformation")
    function_names: list[str] = []
    try:
        for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name):
            function_names += [
                r["PhysicalResourceId"]
                for r in page["StackResourceSummaries"]
                if r["ResourceType"] == "AWS::Lambda::Function"
            ]
    except ClientError as error:
        raise CliError(
            f"cannot read stack {stack_name}: {error.response['Error'].get('Message', error)}"
        ) from None
    if not function_names:
        raise CliError(f"stack {stack_name} has no Lambda function: is it a gtchain stack?")
    return sorted(function_names)


def sweep_function_name(stack_name: str, session: Any) -> str:
    """The stack's sweep function: the one whose handler is the sweep's."""
    client = session.client("lambda")
    for name in stack_function_names(stack_name, session):
        if client.get_function_configuration(FunctionName=name).get("Handler") == SWEEP_HANDLER:
            return name
    raise CliError(f"stack {stack_name} has no sweep function (handler {SWEEP_HANDLER})")


def aws_session() -> Any:
    import boto3

    session = boto3.session.Session()
    if session.region_name is None:
        raise CliError("no AWS region: set AWS_REGION or AWS_DEFAULT_REGION")
    return session


def context_for(stack_name: str | None, *, as_sweep: bool = False) -> ChainContext:
    """as_sweep: the sweep function's settings (the only ones naming the state machine)."""
    if not stack_name:
        raise CliError("no stack given: pass --stack GtChain-<project> or set GTCHAIN_STACK")
    session = aws_session()
    function_name = sweep_function_name(stack_name, session) if as_sweep else None
    return ChainContext.from_session(settings_from_stack(stack_name, session, function_name), session)
