"""GtChainProject: everything one labeling project needs, composed from small constructs.

The public construct of the library (``from gtchain.cdk import GtChainProject``): place it in
any stack of any CDK app, once per labeling project.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Tags
from constructs import Construct

from gtchain_cdk.config import ProjectConfig, project_config
from gtchain_cdk.functions import ChainFunctions
from gtchain_cdk.ledger import Ledger
from gtchain_cdk.monitoring import Monitoring
from gtchain_cdk.nag import acknowledge_wildcard_resources
from gtchain_cdk.notifications import Notifications
from gtchain_cdk.state_machine import ResumeStateMachine
from gtchain_cdk.storage import ProjectStorage
from gtchain_cdk.triggers import DeadLetterQueue, Triggers
from gtchain_runtime.settings import setting_variable


class GtChainProject(Construct):
    """Resumes one labeling project's finished Ground Truth jobs hands-off.

    Configure it with the model of one ``projects.json`` entry, ``config=ProjectConfig(...)``,
    or with the same fields as keyword arguments (``name=..., job_name_prefix=...,
    labeling_role_arn=..., policy={...}``); both are validated the same way and a mistake
    raises :class:`gtchain.cdk.ConfigError` naming the field. The stack that holds the
    construct decides account and region (a config's ``env`` is for ``app.py``'s stacks).

    Its cdk-nag acknowledgements, each with its reason, are attached to its own resources,
    so they hold in any app that runs cdk-nag.

    The construct ids below are part of the logical ids of stateful resources
    (bucket, ledger table): renaming one replaces the resource on the next deploy.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ProjectConfig | None = None,
        **settings: Any,
    ) -> None:
        config = project_config(config, settings)
        super().__init__(scope, construct_id)
        self.config = config
        Tags.of(self).add("gtchain:project", config.name)
        self.storage = ProjectStorage(self, "Storage", existing_bucket_name=config.existing_bucket_name)
        self.ledger = Ledger(self, "Ledger")
        self.dead_letters = DeadLetterQueue(self, "DeadLetters")
        self.notifications = Notifications(
            self,
            "Notifications",
            emails=config.notification_emails,
            dead_letter_queue=self.dead_letters.queue,
        )
        self.functions = ChainFunctions(
            self,
            "Functions",
            config=config,
            bucket=self.storage.bucket,
            table=self.ledger.table,
            topic=self.notifications.topic,
            sweep_dead_letter_queue=self.dead_letters.queue,
        )
        self.resume = ResumeStateMachine(
            self,
            "Resume",
            functions=self.functions,
            execution_data_in_logs=config.debug.execution_data_in_logs,
        )
        # Only the sweep starts executions itself (the rule uses its own role).
        self.resume.state_machine.grant_start_execution(self.functions.sweep_jobs)
        # To tell a running execution of a sweep attempt from one that ended (stopped, timed out).
        described = self.resume.state_machine.grant_execution(
            self.functions.sweep_jobs, "states:DescribeExecution"
        )
        acknowledge_wildcard_resources(
            self.functions.sweep_jobs.role or self.functions.sweep_jobs,
            [arn for statement in described.principal_statements for arn in statement.resources],
            "DescribeExecution of this state machine's executions only (names are made per job and attempt).",
        )
        self.functions.sweep_jobs.add_environment(
            setting_variable("state_machine_arn"), self.resume.state_machine.state_machine_arn
        )
        self.triggers = Triggers(
            self,
            "Triggers",
            job_name_prefix=config.job_name_prefix,
            state_machine=self.resume.state_machine,
            sweep=self.functions.sweep_jobs,
            dead_letter_queue=self.dead_letters.queue,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            project_name=config.name,
            state_machine=self.resume.state_machine,
            dead_letter_queue=self.dead_letters.queue,
            functions=self.functions.by_module,
            topic=self.notifications.topic,
        )
