"""CloudFormation: what the real ``cdk deploy`` (create and update) needs from moto 5.2.5.

What moto lacks or gets wrong:
- ExecuteChangeSet updates resources but not the stack's outputs (the outputs map was built
  from the empty template of the REVIEW_IN_PROGRESS stack): ``cdk deploy`` prints no outputs.
- DeleteChangeSet of an unknown change set is a 500 (KeyError); the CLI deletes the empty
  change set of a no-op deploy. AWS answers ChangeSetNotFound (404).
- DescribeChangeSet of an unknown change set answers ValidationError "Stack with id ... does
  not exist"; the CLI expects ``ChangeSetNotFound``.
- A change set name is unique per stack (API_CreateChangeSet: "unique among all change sets
  that are associated with the specified stack"), and the CLI names every change set
  ``cdk-deploy-change-set``; moto finds a change set by name across all stacks, so the second
  stack deployed executes the first stack's change set and stays REVIEW_IN_PROGRESS. Here the
  request's StackName picks the stack's own change set (the newest of that name otherwise).
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

The resource types moto lacks are modelled in :mod:`.resources`: moto finds them by
reflection (``CloudFormationModel.__subclasses__()``) once its model maps are rebuilt.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import CloudFormationError
from moto.moto_api._internal import mock_random as random

from gtchain.sandbox.cloudformation import resources  # noqa: F401 - defines the models moto finds
from gtchain.sandbox.patching import PatchSet


class ChangeSetNotFoundError(CloudFormationError):
    """AWS's error for an unknown change set (the CLI matches on this code)."""

    code = "ChangeSetNotFound"

    def __init__(self, change_set_name: str) -> None:
        super().__init__(f"ChangeSet [{change_set_name}] does not exist")


# moto's error serializer looks the class up by module.
ChangeSetNotFoundError.__module__ = "moto.cloudformation.exceptions"


def _find_change_set(backend: Any, change_set_name: str, stack_name: str | None = None) -> Any:
    if change_set_name in backend.change_sets:  # an ARN
        return backend.change_sets[change_set_name]
    named = [cs for cs in backend.change_sets.values() if cs.change_set_name == change_set_name]
    if stack_name:
        named = [
            cs
            for cs in named
            if stack_name in (cs.stack_id, getattr(backend.stacks.get(cs.stack_id), "name", None))
        ]
    if not named:
        raise ChangeSetNotFoundError(change_set_name)
    return named[-1]  # the newest: change sets are kept in creation order


def _describe_change_set(self: Any, change_set_name: str) -> Any:
    return _find_change_set(self, change_set_name)


def _delete_change_set(self: Any, change_set_name: str) -> None:
    change_set = _find_change_set(self, change_set_name)
    del self.change_sets[change_set.change_set_id]


def _make_execute_change_set(moto_execute_change_set: Any) -> Any:
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = _find_change_set(self, change_set_name, stack_name)
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
