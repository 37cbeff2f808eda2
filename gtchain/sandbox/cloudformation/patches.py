"""CloudFormation: what the real ``cdk deploy`` (create and update) needs from moto 5.2.5.

What moto lacks or gets wrong:
- ExecuteChangeSet updates resources but not the stack's outputs (the outputs map was built
  from the empty template of the REVIEW_IN_PROGRESS stack): ``cdk deploy`` prints no outputs.
- DeleteChangeSet of an unknown change set is a 500 (KeyError); the CLI deletes the empty
  change set of a no-op deploy. AWS answers ChangeSetNotFound (404).
- DescribeChangeSet of an unknown change set answers ValidationError "Stack with id ... does
  not exist"; the CLI expects ``ChangeSetNotFound``.
- On update, an ``AWS::SSM::Parameter::Value<...>`` parameter passed with UsePreviousValue
  gets the previous *resolved value* (``Stack.stack_parameters``) where CloudFormation keeps
  the parameter *name*; the value is then looked up as a name and the update fails with a
  500. Here the previous value of such a parameter is its name.
- Resource types CDK always emits that moto does not model (its CloudFormation then skips
  them silently): ``AWS::SQS::QueuePolicy`` (EventBridge DLQ permissions),
  ``AWS::S3::BucketPolicy`` (enforce SSL, bootstrap), ``AWS::CDK::Metadata``,
  ``AWS::SNS::TopicPolicy`` (TLS-only topic), ``AWS::SNS::Subscription`` (e-mail
  notifications), ``AWS::CloudWatch::Alarm`` (monitoring);
  ``AWS::Lambda::LayerVersion`` has no physical id (``Ref`` must give the version ARN); and
  ``AWS::Lambda::Function`` drops its ``Layers`` property; ``AWS::Lambda::Permission`` has
  no physical id (so it looks as if it had not been created).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from moto.cloudformation.exceptions import CloudFormationError
from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random as random

from gtchain.sandbox.patching import PatchSet


class ChangeSetNotFoundError(CloudFormationError):
    """AWS's error for an unknown change set (the CLI matches on this code)."""

    code = "ChangeSetNotFound"

    def __init__(self, change_set_name: str) -> None:
        super().__init__(f"ChangeSet [{change_set_name}] does not exist")


# moto's error serializer looks the class up by module.
ChangeSetNotFoundError.__module__ = "moto.cloudformation.exceptions"


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


def _find_change_set(backend: Any, change_set_name: str) -> Any:
    if change_set_name in backend.change_sets:  # an ARN
        return backend.change_sets[change_set_name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == change_set_name:
            return change_set
    raise ChangeSetNotFoundError(change_set_name)


def _describe_change_set(self: Any, change_set_name: str) -> Any:
    return _find_change_set(self, change_set_name)


def _delete_change_set(self: Any, change_set_name: str) -> None:
    change_set = _find_change_set(self, change_set_name)
    del self.change_sets[change_set.change_set_id]


def _make_execute_change_set(moto_execute_change_set: Any) -> Any:
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = _find_change_set(self, change_set_name)
        moto_execute_change_set(self, change_set.change_set_id, stack_name)
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        # What UsePreviousValue must reuse next time: the values as passed, not as resolved.
        stack.parameters = dict(change_set.parameters or {})

    return execute_change_set


def _stack_parameters(self: Any) -> dict[str, Any]:
    """Parameter values to reuse on UsePreviousValue: resolved, except SSM-typed parameters,
    whose previous value is the parameter *name* (CloudFormation resolves it again)."""
    values = dict(self.resource_map.resolved_parameters)
    for key, slot in (self.template_dict or {}).get("Parameters", {}).items():
        if str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::"):
            raw = self.resource_map.input_parameters.get(key, slot.get("Default"))
            if raw is not None:
                values[key] = raw
    return values


def _with_function_layers(moto_method: Any, template_position: int) -> Any:
    """Wrap the Function's create/update hook so the ``Layers`` property is applied.
    ``template_position``: where the hook takes ``cloudformation_json`` positionally."""

    def hook(cls: Any, *args: Any, **kwargs: Any) -> Any:
        function = moto_method.__func__(cls, *args, **kwargs)
        cloudformation_json = kwargs.get("cloudformation_json") or args[template_position]
        layers = cloudformation_json.get("Properties", {}).get("Layers")
        if layers is not None:
            function.layers = function._get_layers_data([str(arn) for arn in layers])
        return function

    return classmethod(hook)


def _layer_physical_resource_id(self: Any) -> str:
    return str(self.arn)


def _permission_physical_resource_id(self: Any) -> str:
    # CloudFormation names a permission "<stack>-<logical id>-<random>"; any stable id will do.
    if not hasattr(self, "_sandbox_id"):
        self._sandbox_id = f"permission-{random.get_random_hex(12)}"
    return str(self._sandbox_id)


def _with_kms_tag_shape(moto_method: Any) -> Any:
    """moto's KMS Key hook passes CloudFormation's ``{"Key", "Value"}`` tags straight to
    create_key, which wants KMS's ``{"TagKey", "TagValue"}`` and fails with KeyError."""

    def hook(cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        properties = dict(cloudformation_json.get("Properties", {}))
        properties["Tags"] = [
            {"TagKey": tag["Key"], "TagValue": tag["Value"]} if "Key" in tag else tag
            for tag in properties.get("Tags", [])
        ]
        converted = {**cloudformation_json, "Properties": properties}
        return moto_method.__func__(cls, resource_name, converted, *args, **kwargs)

    return classmethod(hook)


def register(patches: PatchSet) -> None:
    from moto.awslambda.models import LambdaFunction, LayerVersion, Permission
    from moto.cloudformation import parsing
    from moto.cloudformation.models import CloudFormationBackend, Stack
    from moto.kms.models import Key

    patches.replace(CloudFormationBackend, "describe_change_set", _describe_change_set)
    patches.replace(CloudFormationBackend, "delete_change_set", _delete_change_set)
    patches.wrap(CloudFormationBackend, "execute_change_set", _make_execute_change_set)
    patches.replace(Stack, "stack_parameters", property(_stack_parameters))
    patches.wrap(
        LambdaFunction, "create_from_cloudformation_json", lambda original: _with_function_layers(original, 1)
    )
    patches.wrap(
        LambdaFunction, "update_from_cloudformation_json", lambda original: _with_function_layers(original, 2)
    )
    patches.wrap(Key, "create_from_cloudformation_json", _with_kms_tag_shape)
    patches.replace(Permission, "physical_resource_id", property(_permission_physical_resource_id))
    patches.replace(LayerVersion, "physical_resource_id", property(_layer_physical_resource_id))

    def rebuild_model_maps() -> None:
        # The model map is cached from CloudFormationModel.__subclasses__(): rebuild it with ours.
        parsing.get_model_map.cache_clear()
        parsing.get_name_type_map.cache_clear()

    patches.after_change(rebuild_model_maps)


PATCHES = PatchSet("cloudformation", register)
