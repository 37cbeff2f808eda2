"""Step Functions: execute what CloudFormation creates, and answer like AWS.

What moto 5.2.5 gets wrong:
- ``AWS::StepFunctions::StateMachine`` resources are created in ``stepfunctions_backends``
  even when ``{"stepfunctions": {"execute_state_machine": True}}`` routes the API to the
  executing ``stepfunctions_parser_backends``: a deployed state machine is invisible to
  StartExecution. The CloudFormation hooks here use the backend the API uses.
- ``aws-sdk:*`` task results are kept as boto3 returns them, with ``datetime`` values that
  crash the JSON serialization of DescribeExecution/GetExecutionHistory. AWS returns
  ISO-8601 text; so does the patch.
- ``aws-sdk:*`` error names come out as ``s3.NoSuchKeyException``; AWS names them
  ``S3.NoSuchKeyException`` (the SDK's service class name, then the exception).
- StartExecution without a name (EventBridge, or a caller relying on AWS's generated name)
  makes an execution ARN ending in ``:None``; AWS generates a UUID name.
- StopExecution drops its ``error`` and ``cause``; AWS keeps them in the execution's
  ``ExecutionAborted`` event, where an operator's reason for stopping is read
  (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ExecutionAbortedEventDetails.html;
  botocore's StopExecutionInput has the same ``error`` and ``cause``).

Added for the ``time_out_executions`` fault knob (:mod:`gtchain.sandbox.faults`): moto honours a
definition's top-level ``TimeoutSeconds`` (the program thread is joined with that timeout, then
the execution is TIMED_OUT), so the knob shortens that limit for one job's executions, before
they start. Limits: the state in flight when the limit passes is not interrupted (neither is a
Lambda invocation in AWS) and moto writes the ``ExecutionTimedOut`` history event only once it
returns; the status is TIMED_OUT right away, as in AWS. State-level ``TimeoutSeconds`` are not
shortened.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from gtchain.sandbox.patching import PatchSet

# The AWS SDK (Java v2) service class names Step Functions uses as error prefixes.
_SERVICE_ERROR_PREFIXES = {
    "s3": "S3",
    "dynamodb": "DynamoDb",
    "sfn": "Sfn",
    "sagemaker": "SageMaker",
    "sns": "Sns",
    "sqs": "Sqs",
    "lambda": "Lambda",
    "ec2": "Ec2",
    "ssm": "Ssm",
    "iam": "Iam",
    "sts": "Sts",
    "eventbridge": "EventBridge",
    "secretsmanager": "SecretsManager",
    "cloudwatch": "CloudWatch",
    "cloudwatchlogs": "CloudWatchLogs",
    "kms": "Kms",
}


def service_error_prefix(service: str) -> str:
    """``s3`` -> ``S3``, ``sagemaker`` -> ``SageMaker``; unknown services get a capital."""
    lowered = service.lower()
    return _SERVICE_ERROR_PREFIXES.get(lowered, lowered[:1].upper() + lowered[1:])


def aws_sdk_error_name(service: str, error: Exception) -> str:
    """The error name a ``Catch`` sees for an aws-sdk task failure, e.g. ``S3.NoSuchKeyException``."""
    name = type(error).__name__
    if name == "ClientError" and isinstance(error, ClientError):  # not modelled: use the error code
        # botocore's error handling guide: the service's code is ``response["Error"]["Code"]``.
        name = str(error.response.get("Error", {}).get("Code", "")) or service_error_prefix(service)
    if not name.endswith("Exception"):
        name += "Exception"
    return f"{service_error_prefix(service)}.{name}"


def to_states_json(value: Any) -> Any:
    """Replace datetimes (anywhere in a boto3 response) with ISO-8601 UTC text, as Step Functions does.

    An ``aws-sdk:*`` task result must read as AWS writes it (milliseconds and ``Z``:
    ``2024-05-01T00:00:00.000Z``), not as gtchain writes its own payloads.
    """
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: to_states_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_states_json(item) for item in value]
    return value


def _active_backend(account_id: str, region_name: str) -> Any:
    from moto.stepfunctions.responses import get_backend

    return get_backend(account_id, region_name)


def _create_from_cloudformation_json(
    cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
) -> Any:
    from moto.stepfunctions.utils import cfn_to_api_tags

    properties = cloudformation_json["Properties"]
    return _active_backend(account_id, region_name).create_state_machine(
        properties.get("StateMachineName", resource_name),
        properties.get("DefinitionString", ""),
        properties.get("RoleArn", ""),
        tags=cfn_to_api_tags(properties.get("Tags", [])),
        sm_type=properties.get("StateMachineType"),
    )


def _delete_from_cloudformation_json(
    cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
) -> None:
    _active_backend(account_id, region_name).delete_state_machine(resource_name)


def _update_from_cloudformation_json(  # noqa: PLR0917 - moto's hook signature
    cls: Any,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Any:
    from moto.stepfunctions.utils import cfn_to_api_tags

    properties = cloudformation_json.get("Properties", {})
    name = properties.get("StateMachineName", original_resource.name)
    backend = _active_backend(account_id, region_name)
    if name != original_resource.name:  # a new name means replacement
        replacement = _create_from_cloudformation_json(
            cls, name, cloudformation_json, account_id, region_name
        )
        backend.delete_state_machine(original_resource.arn)
        return replacement
    state_machine = backend.update_state_machine(
        original_resource.arn,
        definition=properties.get("DefinitionString"),
        role_arn=properties.get("RoleArn"),
    )
    backend.tagger.tag_resource(state_machine.arn, cfn_to_api_tags(properties.get("Tags", [])))
    return state_machine


def _make_start_execution(moto_start_execution: Any) -> Any:
    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        return moto_start_execution(
            self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header
        )

    start_execution.__doc__ = "StartExecution; a missing name is generated, as AWS does."
    return start_execution


def _make_eval_service_task(moto_eval_service_task: Any) -> Any:
    def _eval_service_task(self: Any, env: Any, *args: Any, **kwargs: Any) -> None:
        moto_eval_service_task(self, env, *args, **kwargs)
        env.stack.append(to_states_json(env.stack.pop()))

    return _eval_service_task


def _make_program_eval(moto_program_eval: Any) -> Any:
    def program_eval(self: Any, env: Any) -> None:
        from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds

        from gtchain.sandbox.faults import faults

        if self.timeout_seconds is not None:  # no limit in the definition: nothing to shorten
            execution = env.states.context_object.context_object_data["Execution"]
            seconds = faults().execution_timeout(execution.get("Input"))
            if seconds is not None:  # this execution's own parsed program: nothing else sees it
                self.timeout_seconds = TimeoutSeconds(timeout_seconds=seconds)
        moto_program_eval(self, env)

    program_eval.__doc__ = "Program.eval, with the ``time_out_executions`` knob's limit if one applies."
    return program_eval


def _stop_execution_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    execution = self.stepfunction_backend.stop_execution(
        self._get_param("executionArn"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return ActionResult({"stopDate": execution.stop_date})


def _backend_stop_execution(
    self: Any, execution_arn: str, error: str | None = None, cause: str | None = None
) -> Any:
    self._validate_execution_arn(execution_arn)
    state_machine = self._get_state_machine_for_execution(execution_arn)
    return state_machine.stop_execution(execution_arn, error=error, cause=cause)


def _state_machine_stop_execution(
    self: Any, execution_arn: str, error: str | None = None, cause: str | None = None
) -> Any:
    from moto.core.utils import utcnow
    from moto.stepfunctions.exceptions import ExecutionDoesNotExist

    execution = next((x for x in self.executions if x.execution_arn == execution_arn), None)
    if not execution:
        raise ExecutionDoesNotExist("Execution Does Not Exist: '" + execution_arn + "'")
    execution.stop(stop_date=utcnow(), error=error or "", cause=cause or "")
    return execution


def _normalise_exception_name(norm_service_name: str, ex: Exception) -> str:
    return aws_sdk_error_name(norm_service_name, ex)


def register(patches: PatchSet) -> None:
    from moto.stepfunctions.models import StateMachine, StepFunctionBackend
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    patches.replace(
        StateMachine, "create_from_cloudformation_json", classmethod(_create_from_cloudformation_json)
    )
    patches.replace(
        StateMachine, "delete_from_cloudformation_json", classmethod(_delete_from_cloudformation_json)
    )
    patches.replace(
        StateMachine, "update_from_cloudformation_json", classmethod(_update_from_cloudformation_json)
    )
    patches.wrap(StepFunctionsParserBackend, "start_execution", _make_start_execution)
    patches.replace(StepFunctionResponse, "stop_execution", _stop_execution_response)
    patches.replace(StepFunctionBackend, "stop_execution", _backend_stop_execution)
    patches.replace(StateMachine, "stop_execution", _state_machine_stop_execution)
    patches.wrap(Program, "eval", _make_program_eval)
    task_class = aws_sdk.StateTaskServiceAwsSdk
    patches.wrap(task_class, "_eval_service_task", _make_eval_service_task)
    # The error name is built from the lower-case api name; keep moto's lookup, fix the casing.
    patches.replace(task_class, "_normalise_service_error_name", staticmethod(service_error_prefix))
    patches.replace(task_class, "_normalise_exception_name", staticmethod(_normalise_exception_name))


PATCHES = PatchSet("stepfunctions", register)
