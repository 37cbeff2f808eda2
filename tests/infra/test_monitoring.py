"""Alarms that reach the topic, and the dashboard."""

from __future__ import annotations

from typing import Any

from tests.support.synth import Synthesized, only_resource, resources_of


def _alarms(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources_of(template, "AWS::CloudWatch::Alarm").values()]


def test_alarms_cover_failures_timeouts_dead_letters_and_give_ups(synthesized: Synthesized) -> None:
    template = synthesized.templates["streetscenes"]
    machine_id, _ = only_resource(template, "AWS::StepFunctions::StateMachine")
    queue_id, _ = only_resource(template, "AWS::SQS::Queue")
    by_metric = {(a["Namespace"], a["MetricName"]): a for a in _alarms(template)}
    assert set(by_metric) == {
        ("AWS/States", "ExecutionsFailed"),
        ("AWS/States", "ExecutionsTimedOut"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("GtChain", "GiveUps"),
    }
    for namespace_metric in [("AWS/States", "ExecutionsFailed"), ("AWS/States", "ExecutionsTimedOut")]:
        assert by_metric[namespace_metric]["Dimensions"] == [
            {"Name": "StateMachineArn", "Value": {"Ref": machine_id}}
        ]
    dlq = by_metric[("AWS/SQS", "ApproximateNumberOfMessagesVisible")]
    assert dlq["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}]
    give_ups = by_metric[("GtChain", "GiveUps")]
    # The same dimensions the handlers emit (Powertools' service + the project default dimension).
    assert sorted(give_ups["Dimensions"], key=lambda d: d["Name"]) == [
        {"Name": "project", "Value": "streetscenes"},
        {"Name": "service", "Value": "gtchain"},
    ]
    assert give_ups["Statistic"] == "Sum"


def test_alarms_fire_on_the_first_occurrence_and_notify_the_topic(synthesized: Synthesized) -> None:
    template = synthesized.templates["streetscenes"]
    topic_id, _ = only_resource(template, "AWS::SNS::Topic")
    for alarm in _alarms(template):
        assert alarm["Threshold"] == 1
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["EvaluationPeriods"] == 1
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]


def test_dashboard(synthesized: Synthesized) -> None:
    _, dashboard = only_resource(synthesized.templates["streetscenes"], "AWS::CloudWatch::Dashboard")
    body = dashboard["Properties"]["DashboardBody"]
    rendered = "".join(part if isinstance(part, str) else "<token>" for part in body["Fn::Join"][1])
    for expected in (
        "Executions",
        "GiveUps",
        "Lambda errors",
        "ApproximateNumberOfMessagesVisible",
        "alarm",
        "ChainsStarted",
        "ChainsCompleted",
        "ObjectsResent",
        "ObjectsSkipped",
        "AwsRetries",
    ):
        assert expected in rendered
