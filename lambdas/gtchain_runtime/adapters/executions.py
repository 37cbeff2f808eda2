"""Step Functions: start an execution of the project's state machine, at most once per name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gtchain_runtime.adapters.errors import error_code

if TYPE_CHECKING:  # the stubs are a dev dependency: the Lambda runtime only has boto3
    from mypy_boto3_stepfunctions import SFNClient

STARTED = "STARTED"


def execution_arn(state_machine_arn: str, execution_name: str) -> str:
    """arn:aws:states:<region>:<account>:execution:<state machine name>:<execution name>."""
    prefix, separator, machine = state_machine_arn.rpartition(":stateMachine:")
    if not separator or not machine:
        raise ValueError(f"not a state machine ARN: {state_machine_arn}")
    return f"{prefix}:execution:{machine}:{execution_name}"


class Executions:
    def __init__(self, client: SFNClient, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn

    def status(self, name: str) -> str | None:
        """DescribeExecution's status of the execution with this name; None when there is none."""
        try:
            described = self._client.describe_execution(
                executionArn=execution_arn(self._state_machine_arn, name)
            )
        except ClientError as error:
            if error_code(error) == "ExecutionDoesNotExist":
                return None
            raise
        return str(described["status"])

    def start(self, name: str, execution_input: Mapping[str, Any]) -> str:
        """StartExecution: STARTED, or the status of the execution that already has the name (a
        concurrent sweep's RUNNING one, or an earlier one that ended: ABORTED, TIMED_OUT, ...).

        A Standard workflow answers ExecutionAlreadyExists for a name in use by a closed
        execution, or by a running one with another input (names are reusable after 90 days)."""
        try:
            self._client.start_execution(
                stateMachineArn=self._state_machine_arn, name=name, input=json.dumps(execution_input)
            )
        except ClientError as error:
            if error_code(error) != "ExecutionAlreadyExists":
                raise
            arn = execution_arn(self._state_machine_arn, name)
            return str(self._client.describe_execution(executionArn=arn)["status"])
        return STARTED
