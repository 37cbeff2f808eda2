"""Step Functions: start an execution of the project's state machine, at most once per name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from gtchain.runtime.adapters.errors import error_code


class Executions:
    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn

    def start(self, name: str, execution_input: Mapping[str, Any]) -> bool:
        """StartExecution; False when an execution of that name already exists (a concurrent sweep)."""
        try:
            self._client.start_execution(
                stateMachineArn=self._state_machine_arn, name=name, input=json.dumps(execution_input)
            )
        except ClientError as error:
            if error_code(error) == "ExecutionAlreadyExists":
                return False
            raise
        return True
