"""Alarms that reach the project topic, and the project's dashboard.

Plain AWS::CloudWatch::Alarm / Dashboard resources: nothing here needs a custom resource.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from gtchain_runtime import metric_names
from gtchain_runtime.metric_names import POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME

# Emitted by the handlers through Powertools Metrics when a chain is given up.
GIVE_UPS_METRIC_NAME = metric_names.GIVE_UPS
ALARM_PERIOD = Duration.minutes(5)


def handler_metric(project_name: str, metric_name: str, period: Duration = ALARM_PERIOD) -> cloudwatch.Metric:
    """A count the handlers emit through Powertools Metrics (handlers/observability.py)."""
    # A metric is identified by all its dimensions: Powertools adds "service" to every metric,
    # and the handlers add "project", so each project graphs and alarms on its own.
    return cloudwatch.Metric(
        namespace=POWERTOOLS_METRICS_NAMESPACE,
        metric_name=metric_name,
        dimensions_map={"service": POWERTOOLS_SERVICE_NAME, "project": project_name},
        statistic=cloudwatch.Stats.SUM,
        period=period,
    )


def give_ups_metric(project_name: str, period: Duration = ALARM_PERIOD) -> cloudwatch.Metric:
    return handler_metric(project_name, GIVE_UPS_METRIC_NAME, period)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project_name: str,
        state_machine: sfn.StateMachine,
        dead_letter_queue: sqs.Queue,
        functions: Mapping[str, lambda_.Function],
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        executions_failed = state_machine.metric_failed(period=ALARM_PERIOD, statistic=cloudwatch.Stats.SUM)
        executions_timed_out = state_machine.metric_timed_out(
            period=ALARM_PERIOD, statistic=cloudwatch.Stats.SUM
        )
        dead_letters = dead_letter_queue.metric_approximate_number_of_messages_visible(
            period=ALARM_PERIOD, statistic=cloudwatch.Stats.MAXIMUM
        )
        give_ups = give_ups_metric(project_name)

        self.alarms = [
            self._alarm(
                "ExecutionsFailedAlarm",
                executions_failed,
                f"gtchain {project_name}: an execution failed; the ledger has its failure record.",
            ),
            # A timed-out execution skips the catch-all: this alarm is its notification.
            self._alarm(
                "ExecutionsTimedOutAlarm",
                executions_timed_out,
                f"gtchain {project_name}: an execution timed out before recording an outcome.",
            ),
            self._alarm(
                "DeadLetterQueueNotEmptyAlarm",
                dead_letters,
                f"gtchain {project_name}: undelivered events or notifications are in the dead-letter queue.",
            ),
            self._alarm(
                "GiveUpsAlarm",
                give_ups,
                f"gtchain {project_name}: a chain was given up and needs a person (see the topic).",
            ),
        ]
        action = cloudwatch_actions.SnsAction(topic)
        for alarm in self.alarms:
            alarm.add_alarm_action(action)

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.days(7))
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Executions",
                width=12,
                left=[
                    state_machine.metric_started(period=ALARM_PERIOD),
                    state_machine.metric_succeeded(period=ALARM_PERIOD),
                    executions_failed,
                    executions_timed_out,
                ],
            ),
            cloudwatch.GraphWidget(
                title="Give-ups and dead letters", width=12, left=[give_ups], right=[dead_letters]
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Lambda errors",
                width=12,
                left=[function.metric_errors(label=module) for module, function in functions.items()],
            ),
            cloudwatch.GraphWidget(
                title="Lambda duration (p99)",
                width=12,
                left=[
                    function.metric_duration(label=module, statistic="p99")
                    for module, function in functions.items()
                ],
            ),
        )

        def counted(name: str) -> cloudwatch.Metric:
            return handler_metric(project_name, name)

        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Chains started, completed, given up",
                width=12,
                left=[counted(metric_names.CHAINS_STARTED), counted(metric_names.CHAINS_COMPLETED), give_ups],
            ),
            cloudwatch.GraphWidget(
                title="Objects re-sent and never re-sent; AWS calls retried",
                width=12,
                left=[counted(metric_names.OBJECTS_RESENT), counted(metric_names.OBJECTS_SKIPPED)],
                right=[counted(metric_names.AWS_RETRIES)],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", width=24, alarms=list(self.alarms))
        )

    def _alarm(self, construct_id: str, metric: cloudwatch.Metric, description: str) -> cloudwatch.Alarm:
        return metric.create_alarm(
            self,
            construct_id,
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
