"""GroundTruthChaining: everything one labeling project needs, composed from small constructs."""

from __future__ import annotations

from constructs import Construct

from stacks.config import ProjectConfig
from stacks.functions import ChainFunctions
from stacks.ledger import Ledger
from stacks.monitoring import Monitoring
from stacks.notifications import Notifications
from stacks.state_machine import ResumeStateMachine
from stacks.storage import ProjectStorage
from stacks.triggers import DeadLetterQueue, Triggers


class GroundTruthChaining(Construct):
    """Resumes the project's finished labeling jobs hands-off.

    The construct ids below are part of the logical ids of stateful resources
    (bucket, ledger table): renaming one replaces the resource on the next deploy.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: ProjectConfig) -> None:
        super().__init__(scope, construct_id)
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
        self.functions.sweep_jobs.add_environment(
            "STATE_MACHINE_ARN", self.resume.state_machine.state_machine_arn
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
