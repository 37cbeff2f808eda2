"""The project's SNS topic: chain decisions, give-ups, failures and alarms."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class Notifications(Construct):
    """Encrypted, TLS-only topic with the configured e-mail subscriptions.

    A customer managed key (not alias/aws/sns): CloudWatch alarms can only publish to an
    encrypted topic whose key policy lets cloudwatch.amazonaws.com use the key.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        emails: Sequence[str],
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the gtchain notification topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Only on behalf of this account's alarms in this region (confused deputy): CloudWatch
        # sends aws:SourceAccount and aws:SourceArn (the alarm) with its KMS requests.
        stack = Stack.of(self)
        alarms = stack.format_arn(
            service="cloudwatch",
            resource="alarm",
            resource_name="*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": alarms},
                },
            )
        )
        self.topic = sns.Topic(self, "Topic", master_key=self.key, enforce_ssl=True)
        # Undeliverable notifications are kept (and alarmed on) instead of lost.
        for email in emails:
            self.topic.add_subscription(
                subscriptions.EmailSubscription(email, dead_letter_queue=dead_letter_queue)
            )
