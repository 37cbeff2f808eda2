"""One stack per labeling project: ``cdk deploy GtChain-<project>`` deploys just that one."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Environment, Stack
from constructs import Construct

from gtchain_cdk.chaining import GtChainProject
from gtchain_cdk.config import ProjectConfig


class GtChainProjectStack(Stack):
    """One GtChainProject and the stack outputs the operator CLI reads (stable ids)."""

    def __init__(self, scope: Construct, config: ProjectConfig, **kwargs: Any) -> None:
        env = None
        if config.env.account or config.env.region:
            env = Environment(account=config.env.account, region=config.env.region)
        super().__init__(
            scope,
            config.stack_name,
            env=env,
            description=f"gtchain: resumes Ground Truth labeling jobs of project {config.name}",
            **kwargs,
        )
        self.chaining = GtChainProject(self, "Chaining", config=config)

        outputs = {
            "BucketName": self.chaining.storage.bucket.bucket_name,
            "LedgerTableName": self.chaining.ledger.table.table_name,
            "TopicArn": self.chaining.notifications.topic.topic_arn,
            "StateMachineArn": self.chaining.resume.state_machine.state_machine_arn,
            "DeadLetterQueueUrl": self.chaining.dead_letters.queue.queue_url,
            "EventRuleName": self.chaining.triggers.job_state_rule.rule_name,
        }
        for output_id, value in outputs.items():
            CfnOutput(self, output_id, value=value)
