"""Resource types CDK emits that moto 5.2.5's CloudFormation does not model (it skips them).

``AWS::SQS::QueuePolicy``, ``AWS::S3::BucketPolicy``, ``AWS::CDK::Metadata``,
``AWS::SNS::TopicPolicy``, ``AWS::SNS::Subscription`` and ``AWS::CloudWatch::Alarm``, each as
its page of the CloudFormation template reference describes it
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
Defining them is enough: moto finds ``CloudFormationModel`` subclasses by reflection.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random as random


class _AttachmentResource:
    """Shared behaviour of the resources below (no attributes, no names). A mixin, not a
    CloudFormationModel subclass: moto finds models by *direct* subclasses."""

    resource_type: ClassVar[str]

    def __init__(self, targets: list[str], policy: dict[str, Any]) -> None:
        self.targets = targets
        self.policy = policy
        self.id = f"{random.get_random_hex(8)}-{random.get_random_hex(4)}"

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.resource_type

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        cls.delete_from_cloudformation_json(  # type: ignore[attr-defined]
            original_resource.id,
            {"Properties": {"_targets": original_resource.targets}},
            account_id,
            region_name,
        )
        return cls.create_from_cloudformation_json(  # type: ignore[attr-defined]
            new_resource_name, cloudformation_json, account_id, region_name
        )


class QueuePolicy(_AttachmentResource, CloudFormationModel):
    """``AWS::SQS::QueuePolicy``: sets the ``Policy`` attribute of each listed queue."""

    resource_type = "AWS::SQS::QueuePolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> QueuePolicy:
        from moto.sqs import sqs_backends

        properties = cloudformation_json["Properties"]
        queue_urls = [str(url) for url in properties["Queues"]]
        policy = properties["PolicyDocument"]
        for url in queue_urls:
            sqs_backends[account_id][region_name].set_queue_attributes(
                url.rsplit("/", 1)[-1], {"Policy": json.dumps(policy)}
            )
        return cls(queue_urls, policy)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        from moto.sqs import sqs_backends

        properties = cloudformation_json.get("Properties", {})
        for url in properties.get("_targets", properties.get("Queues", [])):
            try:
                sqs_backends[account_id][region_name].set_queue_attributes(
                    str(url).rsplit("/", 1)[-1], {"Policy": ""}
                )
            except Exception:  # the queue is gone already: nothing left to detach
                continue


class BucketPolicy(_AttachmentResource, CloudFormationModel):
    """``AWS::S3::BucketPolicy``: PutBucketPolicy on the bucket."""

    resource_type = "AWS::S3::BucketPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> BucketPolicy:
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        properties = cloudformation_json["Properties"]
        bucket = str(properties["Bucket"])
        policy = properties["PolicyDocument"]
        s3_backends[account_id][get_partition(region_name)].put_bucket_policy(
            bucket, json.dumps(policy).encode()
        )
        return cls([bucket], policy)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        properties = cloudformation_json.get("Properties", {})
        for bucket in properties.get("_targets", [properties.get("Bucket")]):
            try:
                s3_backends[account_id][get_partition(region_name)].delete_bucket_policy(str(bucket))
            except Exception:  # the bucket is gone already
                continue


class CdkMetadata(_AttachmentResource, CloudFormationModel):
    """``AWS::CDK::Metadata``: CloudFormation accepts it and does nothing."""

    resource_type = "AWS::CDK::Metadata"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> CdkMetadata:
        return cls([], {})

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        return None


class TopicPolicy(_AttachmentResource, CloudFormationModel):
    """``AWS::SNS::TopicPolicy``: sets the ``Policy`` attribute of each listed topic."""

    resource_type = "AWS::SNS::TopicPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> TopicPolicy:
        from moto.sns.models import sns_backends

        properties = cloudformation_json["Properties"]
        topics = [str(arn) for arn in properties["Topics"]]
        policy = properties["PolicyDocument"]
        for arn in topics:
            sns_backends[account_id][region_name].set_topic_attribute(arn, "Policy", json.dumps(policy))
        return cls(topics, policy)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        return None  # the topic keeps its default policy; deleting the topic removes it


class TopicSubscription(_AttachmentResource, CloudFormationModel):
    """``AWS::SNS::Subscription``: Subscribe (with its attributes, e.g. RedrivePolicy)."""

    resource_type = "AWS::SNS::Subscription"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> TopicSubscription:
        from moto.sns.models import sns_backends

        backend = sns_backends[account_id][region_name]
        properties = cloudformation_json["Properties"]
        subscription = backend.subscribe(
            str(properties["TopicArn"]), str(properties["Endpoint"]), str(properties["Protocol"])
        )
        for name in ("RedrivePolicy", "FilterPolicy", "DeliveryPolicy"):
            if name in properties:
                backend.set_subscription_attributes(subscription.arn, name, json.dumps(properties[name]))
        created = cls([subscription.arn], {})
        created.id = subscription.arn
        return created

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        from moto.sns.models import sns_backends

        properties = cloudformation_json.get("Properties", {})
        for arn in properties.get("_targets", []):
            sns_backends[account_id][region_name].unsubscribe(str(arn))


class MetricAlarm(CloudFormationModel):
    """``AWS::CloudWatch::Alarm`` (single-metric alarms): PutMetricAlarm."""

    def __init__(self, alarm: Any) -> None:
        self.alarm = alarm

    @property
    def physical_resource_id(self) -> str:
        return str(self.alarm.name)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return str(self.alarm.alarm_arn)
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> MetricAlarm:
        from moto.cloudwatch.models import cloudwatch_backends

        p = cloudformation_json["Properties"]
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=p.get("AlarmName", resource_name),
            namespace=p["Namespace"],
            metric_name=p["MetricName"],
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=int(p["Period"]),
            threshold=float(p["Threshold"]),
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription", ""),
            dimensions=[{"Name": d["Name"], "Value": str(d["Value"])} for d in p.get("Dimensions", [])],
            alarm_actions=[str(arn) for arn in p.get("AlarmActions", [])],
            ok_actions=[str(arn) for arn in p.get("OKActions", [])],
            treat_missing_data=p.get("TreatMissingData"),
            datapoints_to_alarm=p.get("DatapointsToAlarm"),
            tags=[{"Key": t["Key"], "Value": t["Value"]} for t in p.get("Tags", [])],
        )
        return cls(alarm)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        from moto.cloudwatch.models import cloudwatch_backends

        cloudwatch_backends[account_id][region_name].delete_alarms([resource_name])

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> MetricAlarm:
        # PutMetricAlarm with the same name replaces the alarm, as an update does.
        return cls.create_from_cloudformation_json(
            original_resource.alarm.name, cloudformation_json, account_id, region_name
        )
