"""The "resume labeling job" state machine (docs/architecture.md, section State machine)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from gtchain_cdk.functions import LOG_RETENTION, ChainFunctions
from gtchain_cdk.nag import acknowledge, acknowledge_wildcard_resources
from gtchain_runtime.domain.policy import Decision

# Transient Lambda service errors worth retrying; handler errors are not retried here.
LAMBDA_TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
]
# Throttling has its own, longer Retry (evaluated first): plan_chain and finalize_chain have a
# reserved concurrency (limits.manifest_concurrency), so when many jobs finish together the
# executions beyond it wait here for a free instance. 5 s doubling up to 2 minutes, full
# jitter, 40 attempts: about 36 minutes of waiting on average, 73 at most, within the
# execution timeout. An execution still throttled after that fails like any other (recorded,
# notified) and the hourly sweep starts it again (a job without a decision, fewer than 3 failures).
LAMBDA_THROTTLED = "Lambda.TooManyRequestsException"
THROTTLE_RETRY_INTERVAL = Duration.seconds(5)
THROTTLE_RETRY_MAX_DELAY = Duration.minutes(2)
THROTTLE_RETRY_ATTEMPTS = 40
DECISIONS = tuple(decision.value for decision in Decision)
UNKNOWN_DECISION_ERROR = "GtChain.UnknownDecision"
EXECUTION_FAILED_ERROR = "GtChain.ExecutionFailed"
# Plan and finalize may each run up to 14 minutes, with retries: generous but bounded.
EXECUTION_TIMEOUT = Duration.hours(2)


class ResumeStateMachine(Construct):
    """Inspect -> Plan -> Decide -> Create | Finalize | Give up -> Record; every error is
    caught, recorded in the ledger and notified before the execution fails."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: ChainFunctions,
        execution_data_in_logs: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self._execution_data_in_logs = execution_data_in_logs
        self._invoked_functions: list[lambda_.IFunction] = []

        record_failure = self._lambda_step(
            "RecordFailure", "Record failure", functions.record_outcome, "$.record"
        )
        record_failure.next(
            sfn.Fail(
                self,
                "ExecutionFailed",
                state_name="Execution failed",
                error=EXECUTION_FAILED_ERROR,
                comment="The failure is in the ledger (record failure#<execution>) and was notified.",
                cause="gtchain could not finish this labeling job; see the ledger failure record.",
            )
        )

        def caught(step: tasks.LambdaInvoke) -> tasks.LambdaInvoke:
            step.add_catch(record_failure, errors=["States.ALL"], result_path="$.error")
            return step

        inspect_job = caught(
            self._lambda_step("InspectJob", "Inspect job", functions.inspect_job, "$.inspection")
        )
        plan_chain = caught(self._lambda_step("PlanChain", "Plan chain", functions.plan_chain, "$.plan"))
        create_child = caught(
            self._lambda_step("CreateChainedJob", "Create chained job", functions.create_child, "$.child")
        )
        finalize_chain = caught(
            self._lambda_step("FinalizeChain", "Finalize chain", functions.finalize_chain, "$.final")
        )
        record_decision = caught(
            self._lambda_step("RecordDecision", "Record decision", functions.record_outcome, "$.record")
        )
        record_decision.next(sfn.Succeed(self, "Done", state_name="Done"))
        create_child.next(record_decision)
        finalize_chain.next(record_decision)

        # A decision outside the contract must not end the execution quietly: it becomes
        # an error that "Record failure" records and notifies like any other.
        unknown_decision = sfn.Pass(
            self,
            "UnknownDecision",
            state_name="Unknown decision",
            parameters={
                "Error": UNKNOWN_DECISION_ERROR,
                "Cause": f"plan_chain returned a decision other than {', '.join(DECISIONS)}",
            },
            result_path="$.error",
        ).next(record_failure)

        decide = (
            sfn.Choice(self, "Decide", state_name="Decide")
            .when(sfn.Condition.string_equals("$.plan.decision", Decision.CHAIN.value), create_child)
            .when(sfn.Condition.string_equals("$.plan.decision", Decision.COMPLETE.value), finalize_chain)
            .when(sfn.Condition.string_equals("$.plan.decision", Decision.GIVE_UP.value), record_decision)
            .otherwise(unknown_decision)
        )
        is_it_ours = (
            sfn.Choice(self, "IsItOurs", state_name="Is it ours?")
            .when(
                sfn.Condition.boolean_equals("$.inspection.relevant", False),
                sfn.Succeed(self, "IgnoreJob", state_name="Ignore job"),
            )
            .otherwise(plan_chain.next(decide))
        )
        definition = inspect_job.next(is_it_ours)

        self.log_group = logs.LogGroup(
            self, "ExecutionLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment="gtchain: resume a finished Ground Truth labeling job",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=EXECUTION_TIMEOUT,
            tracing_enabled=True,
            # Failures only, without execution data: the states hold job descriptions, tags and
            # manifest locations; the execution history keeps every step for 90 days.
            # debug.execution_data_in_logs logs everything with the data, to investigate.
            logs=sfn.LogOptions(
                destination=self.log_group,
                level=sfn.LogLevel.ALL if execution_data_in_logs else sfn.LogLevel.ERROR,
                include_execution_data=execution_data_in_logs,
            ),
        )
        self._acknowledge_findings()

    def _lambda_step(
        self, construct_id: str, state_name: str, function: lambda_.IFunction, result_path: str
    ) -> tasks.LambdaInvoke:
        # payload_response_only: the function gets the whole state as its event and its
        # return value lands at result_path as is (no Payload/StatusCode envelope), which
        # is what the Choice states read.
        step = tasks.LambdaInvoke(
            self,
            construct_id,
            state_name=state_name,
            lambda_function=function,
            payload_response_only=True,
            retry_on_service_exceptions=False,
            result_path=result_path,
        )
        if function not in self._invoked_functions:
            self._invoked_functions.append(function)
        step.add_retry(
            errors=[LAMBDA_THROTTLED],
            interval=THROTTLE_RETRY_INTERVAL,
            backoff_rate=2,
            max_delay=THROTTLE_RETRY_MAX_DELAY,
            max_attempts=THROTTLE_RETRY_ATTEMPTS,
            jitter_strategy=sfn.JitterType.FULL,
        )
        step.add_retry(
            errors=LAMBDA_TRANSIENT_ERRORS,
            interval=Duration.seconds(2),
            backoff_rate=2,
            max_attempts=6,
            jitter_strategy=sfn.JitterType.FULL,
        )
        return step

    def _acknowledge_findings(self) -> None:
        if not self._execution_data_in_logs:
            acknowledge(
                self.state_machine,
                "AwsSolutions-SF1",
                "Logs at ERROR without execution data on purpose (security review): the states carry "
                "job descriptions, tags and manifest locations. Every step stays in the Standard "
                "execution history (90 days), failures are logged, recorded in the ledger and alarmed "
                "on. debug.execution_data_in_logs switches to ALL with data while investigating.",
            )
        role = self.state_machine.role
        acknowledge_wildcard_resources(
            role,
            [f"{function.function_arn}:*" for function in self._invoked_functions],
            "Invoking a Lambda task: CDK's grant also allows the function's versions and aliases (<arn>:*).",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray tracing "
            "support no resource-level permissions.",
        )
