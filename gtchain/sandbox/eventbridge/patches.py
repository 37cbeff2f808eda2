"""EventBridge: deliver events to Step Functions and Lambda targets, as AWS does.

What moto 5.2.5 lacks (``moto.events.models.Rule.send_to_targets``):
- a Step Functions or Lambda target raises NotImplementedError;
- ``Input`` and ``InputPath`` are ignored, and ``InputTransformer`` values are pasted into
  the template unquoted (a string value makes invalid JSON);
- ``time`` is a Unix float where AWS sends ISO-8601 (``2024-05-01T12:00:00Z``);
- a failed delivery is lost, where AWS sends it to the target's ``DeadLetterConfig`` queue;
- ``TestEventPattern`` answers without a ``Result`` although moto's matcher works.

The replacement computes each target's input once (``Input`` | ``InputPath`` |
``InputTransformer`` | the whole event), then delivers: Step Functions -> StartExecution with
a generated execution name, as the target's ``RoleArn`` (with IAM enforcement on,
``states:StartExecution`` is evaluated against that role's policies; a denial goes to the
DLQ with ``ERROR_CODE`` ``NO_PERMISSIONS``); Lambda -> an asynchronous invocation; SQS and CloudWatch Logs
-> the transformed input. Other target types keep moto's own delivery.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from gtchain.sandbox.patching import PatchSet

logger = logging.getLogger(__name__)

_RESERVED_PLACEHOLDERS = ("aws.events.event.json", "aws.events.event", "aws.events.rule-arn")


class TargetInputError(ValueError):
    """The target's input configuration cannot produce an input for this event."""


def iso_time(value: Any) -> str:
    """EventBridge's event ``time``: ISO-8601 UTC to the second."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _json_path_value(path: str, event: dict[str, Any]) -> tuple[bool, Any]:
    from jsonpath_ng.ext import parse

    try:
        matches = parse(path).find(event)
    except Exception as error:  # jsonpath_ng raises several unrelated types
        raise TargetInputError(f"invalid JSONPath {path!r}: {error}") from None
    if not matches:
        return False, None
    if len(matches) > 1:
        return True, [match.value for match in matches]
    return True, matches[0].value


def render_input_template(
    template: str, paths_map: dict[str, str], event: dict[str, Any], rule_arn: str
) -> str:
    """Fill ``<name>`` placeholders the way EventBridge does.

    Outside a JSON string a placeholder becomes the value's JSON (strings quoted); inside
    one, the value's text is inserted JSON-escaped without quotes. A path that matches
    nothing gives null (or an empty text inside a string).
    """
    values: dict[str, tuple[bool, Any]] = {
        name: _json_path_value(path, event) for name, path in paths_map.items()
    }
    values["aws.events.event"] = (True, event)
    values["aws.events.event.json"] = (True, event)
    values["aws.events.rule-arn"] = (True, rule_arn)
    values["aws.events.rule-name"] = (True, rule_arn.rsplit("/", 1)[-1])
    values["aws.events.event.ingestion-time"] = (True, event.get("time"))

    output: list[str] = []
    in_string = False
    index = 0
    while index < len(template):
        char = template[index]
        if char == "\\" and in_string:
            output.append(template[index : index + 2])
            index += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "<":
            end = template.find(">", index)
            name = template[index + 1 : end] if end != -1 else ""
            if name in values:
                found, value = values[name]
                if in_string:
                    text = value if isinstance(value, str) else ("" if not found else json.dumps(value))
                    output.append(json.dumps(text)[1:-1])
                else:
                    output.append(json.dumps(value if found else None))
                index = end + 1
                continue
        output.append(char)
        index += 1
    return "".join(output)


def target_input(target: dict[str, Any], event: dict[str, Any], rule_arn: str) -> str:
    """The text a target receives for ``event`` (JSON, or plain text from a template)."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        found, value = _json_path_value(target["InputPath"], event)
        return json.dumps(value if found else None)
    transformer = target.get("InputTransformer")
    if transformer:
        return render_input_template(
            transformer["InputTemplate"], transformer.get("InputPathsMap") or {}, event, rule_arn
        )
    return json.dumps(event)


class NoPermissionsError(RuntimeError):
    """The target's role may not start the execution (EventBridge's NO_PERMISSIONS)."""

    code = "NO_PERMISSIONS"


def _authorize_start_execution(rule: Any, target: dict[str, Any], arn: str) -> None:
    """EventBridge calls StartExecution as the target's role: evaluate it (IAM enforcement)."""
    from gtchain.sandbox.iam import enforcement

    role_arn = target.get("RoleArn")
    if not enforcement.enabled():
        return
    if not role_arn:
        raise NoPermissionsError(f"target {target.get('Id')} of {rule.arn} has no RoleArn to start {arn}")
    try:
        enforcement.authorize(
            role_arn,
            "gtchain-sandbox-events",
            region=rule.region_name,
            service="states",
            operation="StartExecution",
            params={"stateMachineArn": arn},
        )
    except enforcement.AccessDeniedError as error:
        raise NoPermissionsError(str(error)) from None


def _deliver_to_state_machine(
    rule: Any, arn: str, payload: str, target: dict[str, Any] | None = None
) -> None:
    from moto.stepfunctions.responses import get_backend

    _authorize_start_execution(rule, target or {}, arn)

    # EventBridge names each execution itself; moto would name it "None".
    get_backend(rule.account_id, rule.region_name).start_execution(
        arn, name=str(uuid.uuid4()), execution_input=payload
    )


def _deliver_to_function(rule: Any, arn: str, payload: str) -> None:
    from moto.awslambda.utils import get_backend

    function = get_backend(rule.account_id, rule.region_name).get_function(arn)

    def run() -> None:
        # Asynchronous invocation: errors stay with the function (its logs), as in AWS.
        try:
            function.invoke(payload, {"x-amz-invocation-type": "Event"}, {})
        except Exception:
            logger.exception("asynchronous invocation of %s failed", arn)

    threading.Thread(target=run, name=f"eventbridge->{function.function_name}", daemon=True).start()


def _deliver_to_queue(rule: Any, arn: str, payload: str, target: dict[str, Any]) -> None:
    from moto.sqs import sqs_backends

    queue_name = arn.rsplit(":", 1)[-1]
    group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
    sqs_backends[rule.account_id][rule.region_name].send_message(
        queue_name=queue_name, message_body=payload, group_id=group_id
    )


def _deliver_to_log_group(rule: Any, arn: str, payload: str) -> None:
    from moto.logs import logs_backends

    group_name = arn.split(":log-group:", 1)[1].removesuffix(":*")
    backend = logs_backends[rule.account_id][rule.region_name]
    stream = str(uuid.uuid4())
    backend.create_log_stream(group_name, stream)
    now_ms = int(datetime.now(tz=UTC).timestamp() * 1000)
    backend.put_log_events(group_name, stream, [{"timestamp": now_ms, "message": payload}])


def _send_to_dead_letter_queue(
    rule: Any, target: dict[str, Any], event: dict[str, Any], error: Exception
) -> bool:
    """AWS puts the undeliverable event in the target's DLQ with the reason as attributes."""
    from moto.sqs import sqs_backends

    dlq_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not dlq_arn:
        return False
    _, _, _, region, account, queue_name = dlq_arn.split(":", 5)
    code = getattr(error, "code", None) or type(error).__name__
    attributes = {
        "RULE_ARN": rule.arn,
        "TARGET_ARN": target["Arn"],
        "ERROR_CODE": str(code),
        "ERROR_MESSAGE": str(error)[:1000],
    }
    sqs_backends[account][region].send_message(
        queue_name=queue_name,
        message_body=json.dumps(event),
        message_attributes={
            key: {"DataType": "String", "StringValue": value} for key, value in attributes.items()
        },
    )
    return True


def _make_send_to_targets(moto_send_to_targets: Any) -> Any:
    def send_to_targets(self: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
        # A rule with a schedule runs on its schedule only, never on events: "a rule can run in
        # response to an event or at certain time intervals" (EventBridge user guide,
        # eb-rules.html; eb-create-rule-schedule.html). moto's matcher takes a rule without an
        # event pattern as matching every event, which ran the hourly sweep on every event put.
        if getattr(self, "scheduled_expression", None):
            return
        if not self.event_pattern.matches_event(original_event):
            return
        event = copy.deepcopy(dict(original_event))
        event.pop("ingestion-time", None)
        if "time" in event:
            event["time"] = iso_time(event["time"])
        for target in self.targets:
            arn: str = target["Arn"]
            service = arn.split(":")[2]
            try:
                payload = target_input(target, event, self.arn) if transform_input else json.dumps(event)
                if service == "states":
                    _deliver_to_state_machine(self, arn, payload, target)
                elif service == "lambda":
                    _deliver_to_function(self, arn, payload)
                elif service == "sqs":
                    _deliver_to_queue(self, arn, payload, target)
                elif service == "logs":
                    _deliver_to_log_group(self, arn, payload)
                else:
                    single_target_rule = copy.copy(self)
                    single_target_rule.targets = [target]
                    moto_send_to_targets(single_target_rule, original_event, transform_input)
            except Exception as error:
                if not _send_to_dead_letter_queue(self, target, event, error):
                    logger.warning("event %s not delivered to %s: %s", event.get("id"), arn, error)

    send_to_targets.__doc__ = "Deliver a matching event to every target (gtchain sandbox patch)."
    return send_to_targets


def _test_event_pattern(self: Any) -> str:
    """TestEventPattern: moto's matcher, with the ``Result`` AWS returns."""
    from moto.events.exceptions import ValidationException
    from moto.events.models import EventPattern

    pattern = EventPattern.load(self._get_param("EventPattern"))
    try:
        event = json.loads(self._get_param("Event"))
    except (TypeError, ValueError):
        raise ValidationException("Parameter Event is not valid.") from None
    if not isinstance(event, dict):
        raise ValidationException("Parameter Event is not valid.")
    missing = [k for k in ("id", "account", "source", "time", "region", "detail-type") if k not in event]
    if missing:
        raise ValidationException(f"Parameter Event is not valid: missing {', '.join(missing)}.")
    return json.dumps({"Result": pattern.matches_event(event)})  # type: ignore[arg-type]


def _losing_events(original: Any) -> Any:
    """PutEvents that drops the entries of jobs whose events a ``lose_events`` knob loses."""

    def put_events(self: Any, events: list[dict[str, Any]]) -> Any:
        from gtchain.sandbox.faults import faults

        kept = [entry for entry in events if not faults().event_lost(entry)]
        if not kept:
            return [{"EventId": "gtchain-sandbox-lost-event"} for _ in events]
        return original(self, kept)

    return put_events


def register(patches: PatchSet) -> None:
    from moto.events.models import EventsBackend, Rule
    from moto.events.responses import EventsHandler

    patches.wrap(Rule, "send_to_targets", _make_send_to_targets)
    patches.replace(EventsHandler, "test_event_pattern", _test_event_pattern)
    patches.wrap(EventsBackend, "put_events", _losing_events)


PATCHES = PatchSet("eventbridge", register)
