"""The ledger (DynamoDB): one decision per finished job, one failure record per failed execution.

Conditional writes make every record happen once, whatever the number of executions or
retries for the same job; callers notify only when their write was the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from gtchain_runtime.adapters.errors import error_code
from gtchain_runtime.adapters.ledger_schema import (
    ADOPTION_START_RECORD,
    BY_ROOT_INDEX,
    BY_ROOT_PARTITION_KEY,
    BY_ROOT_SORT_KEY,
    CHILD_CLAIM_RECORD,
    DECISION_RECORD,
    FAILURE_RECORD_PREFIX,
    IGNORED_RECORD,
    PARTITION_KEY,
    PROJECT_KEY,
    SORT_KEY,
)

if TYPE_CHECKING:  # the stubs are a dev dependency: the Lambda runtime only has boto3
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _to_item(attributes: Mapping[str, Any]) -> dict[str, Any]:
    # DynamoDB has no null-free maps of None; absent means unknown.
    return {k: _serializer.serialize(v) for k, v in attributes.items() if v is not None}


def _from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    plain = {k: _deserializer.deserialize(v) for k, v in item.items()}
    return _plain_numbers(plain)


def _plain_numbers(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


class Ledger:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _put_once(self, attributes: Mapping[str, Any]) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_to_item(attributes),
                ConditionExpression=f"attribute_not_exists({PARTITION_KEY})",
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_decision(self, job_name: str, root: str, attributes: Mapping[str, Any]) -> bool:
        """Write the job's decision unless one exists; True when this call wrote it."""
        return self._put_once(
            {
                **attributes,
                PARTITION_KEY: job_name,
                SORT_KEY: DECISION_RECORD,
                BY_ROOT_PARTITION_KEY: root,
                BY_ROOT_SORT_KEY: attributes.get(BY_ROOT_SORT_KEY) or now_iso(),
            }
        )

    def record_failure(self, job_name: str, root: str, execution: str, error: str, cause: str) -> bool:
        """One failure record per execution; True when this call wrote it."""
        return self._put_once(
            {
                PARTITION_KEY: job_name,
                SORT_KEY: FAILURE_RECORD_PREFIX + execution,
                BY_ROOT_PARTITION_KEY: root,
                "execution": execution,
                "error": error,
                "cause": cause,
                BY_ROOT_SORT_KEY: now_iso(),
            }
        )

    def claim_child(self, parent: str, root: str, child_name: str, execution: str) -> None:
        """Record, before creating it, that `child_name` is the child gtchain creates for `parent`.

        Idempotent: a retried or duplicate execution finds the claim already written (the child
        name is deterministic, so an existing claim names the same child).
        """
        self._put_once(
            {
                PARTITION_KEY: parent,
                SORT_KEY: CHILD_CLAIM_RECORD,
                BY_ROOT_PARTITION_KEY: root,
                "child_name": child_name,
                "execution": execution,
                BY_ROOT_SORT_KEY: now_iso(),
            }
        )

    def decision(self, job_name: str) -> dict[str, Any] | None:
        return self._get(job_name, DECISION_RECORD)

    def record_ignored(self, job_name: str, reason: str, execution: str) -> bool:
        """Once per job: gtchain saw it end and left it alone (not a decision: `gtchain job resume`
        may still decide it). Outside the by-root index, so chains do not list it."""
        return self._put_once(
            {
                PARTITION_KEY: job_name,
                SORT_KEY: IGNORED_RECORD,
                "reason": reason,
                "execution": execution,
                BY_ROOT_SORT_KEY: now_iso(),
            }
        )

    def ignored(self, job_name: str) -> dict[str, Any] | None:
        return self._get(job_name, IGNORED_RECORD)

    def record_adoption_start(self, adopted_after: str, source: str) -> bool:
        """The project's adoption start, written once (conditional put): two first sweeps at once
        agree on the first writer's value; True when this call wrote it."""
        return self._put_once(
            {
                PARTITION_KEY: PROJECT_KEY,
                SORT_KEY: ADOPTION_START_RECORD,
                "adopted_after": adopted_after,
                "source": source,
                BY_ROOT_SORT_KEY: now_iso(),
            }
        )

    def adoption_start(self) -> dict[str, Any] | None:
        return self._get(PROJECT_KEY, ADOPTION_START_RECORD)

    def created_at(self) -> datetime:
        """The table's CreationDateTime (DescribeTable): when gtchain was first deployed for the project."""
        created = self._client.describe_table(TableName=self._table)["Table"]["CreationDateTime"]
        return created if isinstance(created, datetime) else datetime.fromtimestamp(float(created), UTC)

    def mark_notified(self, job_name: str) -> None:
        """The decision's notification was published (a retry must not lose or repeat it)."""
        self._client.update_item(
            TableName=self._table,
            Key={PARTITION_KEY: {"S": job_name}, SORT_KEY: {"S": DECISION_RECORD}},
            UpdateExpression="SET notified = :yes",
            ConditionExpression=f"attribute_exists({PARTITION_KEY})",
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )

    def recorded_child(self, parent: str) -> str | None:
        """The child gtchain created for `parent`: the claim Create chained job wrote before it."""
        item = self._get(parent, CHILD_CLAIM_RECORD)
        return str(item["child_name"]) if item and item.get("child_name") else None

    def _get(self, job_name: str, record: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={PARTITION_KEY: {"S": job_name}, SORT_KEY: {"S": record}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _from_item(item) if item else None

    def failure_count(self, job_name: str) -> int:
        count = 0
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#job = :job AND begins_with(#record, :prefix)",
            "ExpressionAttributeNames": {"#job": PARTITION_KEY, "#record": SORT_KEY},
            "ExpressionAttributeValues": {":job": {"S": job_name}, ":prefix": {"S": FAILURE_RECORD_PREFIX}},
            "Select": "COUNT",
            "ConsistentRead": True,
        }
        while True:
            page = self._client.query(**kwargs)
            count += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return count
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def chain_records(self, root: str) -> list[dict[str, Any]]:
        """Every record of a chain, oldest first (GSI by-root)."""
        records: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_ROOT_INDEX,
            "KeyConditionExpression": "#root = :root",
            "ExpressionAttributeNames": {"#root": BY_ROOT_PARTITION_KEY},
            "ExpressionAttributeValues": {":root": {"S": root}},
        }
        while True:
            page = self._client.query(**kwargs)
            records.extend(_from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return records
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
