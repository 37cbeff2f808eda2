"""The DynamoDB ledger: chain lineage, one decision per finished job, failures."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from gtchain_runtime.adapters.ledger_schema import (
    BY_ROOT_INDEX,
    BY_ROOT_PARTITION_KEY,
    BY_ROOT_SORT_KEY,
    PARTITION_KEY,
    SORT_KEY,
)


class Ledger(Construct):
    """Key schema and index of docs/architecture.md. ``dynamodb.Table``, not TableV2: the
    offline sandbox (moto CloudFormation) silently skips AWS::DynamoDB::GlobalTable."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # The audit trail of every chain: never deleted with the stack, nor by a DeleteTable.
            removal_policy=RemovalPolicy.RETAIN,
            deletion_protection=True,
        )
        self.table.add_global_secondary_index(
            index_name=BY_ROOT_INDEX,
            partition_key=dynamodb.Attribute(name=BY_ROOT_PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=BY_ROOT_SORT_KEY, type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
