"""What starts the state machine: the Ground Truth state-change rule and the hourly sweep."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Names, RemovalPolicy, Stack, Token
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from gtchain_cdk.arns import owned_job_arns
from gtchain_cdk.nag import acknowledge
from gtchain_runtime.domain.labeling_job import EVENT_DETAIL_TYPE, EVENT_SOURCE, FINISHED_STATUSES

SWEEP_INTERVAL = Duration.hours(1)


class DeadLetterQueue(Construct):
    """Where undeliverable work is kept: events that could not start an execution or run the
    sweep, and notifications the topic could not deliver."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            # What it holds is work still to do: deleting the stack must not drop it.
            removal_policy=RemovalPolicy.RETAIN,
        )
        reason = (
            "This queue is itself the dead-letter queue of the EventBridge targets, the sweep Lambda "
            "and the e-mail subscriptions; a dead-letter queue of a dead-letter queue adds nothing. "
            "The DLQ alarm watches it."
        )
        acknowledge(self.queue, "Serverless-SQSRedrivePolicy", reason)


# EventBridge rule names: at most 64 characters of [.-_A-Za-z0-9] (events:PutRule).
RULE_NAME_MAX_LENGTH = 64
RULE_NAME_SUFFIX = "-JobStateChange"


class Triggers(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        job_name_prefix: str,
        state_machine: sfn.IStateMachine,
        sweep: lambda_.IFunction,
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # A name fixed at synth: the target role's trust policy names the rule's ARN, and a
        # reference to the rule would be a cycle (the rule's target names the role). It is this
        # construct's unique id (its path, then a hash of it), so several projects can share a
        # stack and an account: "GtChain-streetscenes-Chaining-Triggers-C0B91D07-JobStateChange".
        if Token.is_unresolved(stack.stack_name):
            raise ValueError("the event rule's name needs a literal stack name")
        rule_name = (
            Names.unique_resource_name(
                self,
                max_length=RULE_NAME_MAX_LENGTH - len(RULE_NAME_SUFFIX),
                separator="-",
                allowed_special_characters="-",
            )
            + RULE_NAME_SUFFIX
        )
        rule_arn = stack.format_arn(
            service="events",
            resource="rule",
            resource_name=rule_name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        # The project's jobs (gtchain_runtime.domain.naming.owns_job_name): ".../labeling-job/<prefix>-..." or
        # exactly ".../labeling-job/<prefix>". SageMaker lower-cases names in ARNs; matching while
        # ignoring case keeps the rule right if an event ever carries the name as created.
        # Operators: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
        # ("Begins with (ignore case)", "Equals (ignore case)").
        owned = owned_job_arns(self, job_name_prefix)
        resource_matchers = [events.Match.prefix_equals_ignore_case(owned.children_prefix)]
        if owned.exact is not None:
            resource_matchers.append(events.Match.equals_ignore_case(owned.exact))
        self.job_state_rule = events.Rule(
            self,
            "JobStateChange",
            rule_name=rule_name,
            description="A labeling job of this project finished: resume it",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE],
                detail_type=[EVENT_DETAIL_TYPE],
                detail={"LabelingJobStatus": list(FINISHED_STATUSES)},
                resources=events.Match.any_of(*resource_matchers),
            ),
        )
        # EventBridge assumes this role only for this rule (confused deputy).
        self.job_state_role = iam.Role(
            self,
            "JobStateChangeRole",
            description="EventBridge: start the resume state machine for the job state-change rule",
            assumed_by=iam.ServicePrincipal(
                "events.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": stack.account, "aws:SourceArn": rule_arn}},
            ),
        )
        # The event is passed unchanged: it is the execution input of the contract.
        self.job_state_rule.add_target(
            targets.SfnStateMachine(
                state_machine,
                role=self.job_state_role,
                dead_letter_queue=dead_letter_queue,
                retry_attempts=10,
                max_event_age=Duration.hours(6),
            )
        )

        # Events are best effort: the sweep starts executions for finished jobs that have
        # no decision in the ledger.
        self.sweep_rule = events.Rule(
            self,
            "HourlySweep",
            description="Resume finished labeling jobs of this project whose event was lost",
            schedule=events.Schedule.rate(SWEEP_INTERVAL),
        )
        self.sweep_rule.add_target(
            targets.LambdaFunction(
                sweep,
                dead_letter_queue=dead_letter_queue,
                retry_attempts=2,
                max_event_age=Duration.hours(1),
            )
        )
