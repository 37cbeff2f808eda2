"""Labeling scenarios played against gtchain deployed in the sandbox.

One place for what the demo shows and what the end-to-end tests assert: the seed's six
chaining scenarios, the three triggers (stopped, failed with a retryable reason, completed
with expired tasks) and the guard rails (configuration failure, max depth, a foreign role,
the public crowd without opt-in, a human-label budget reached, a job of another prefix).

A scenario uploads a dataset manifest to the project bucket, creates the root labeling job
exactly as a person would (image classification, the seed's HumanTaskConfig), tells the
simulated workforce how that job goes, and then only watches: everything after the root
job is gtchain's doing (EventBridge -> Step Functions -> Lambdas -> CreateLabelingJob).

Workforces (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-workforce-management.html):
root jobs run on a private work team of the sandbox account unless a scenario is about
another workforce. ``PublicWorkforceTaskPrice`` is "the price that you pay for each task
performed by an Amazon Mechanical Turk worker" (API_HumanTaskConfig), so only a job on the
public crowd (its ARN from sms-workforce-management-public.html) states one. moto 5.2.5 has
no work teams (no CreateWorkteam) and Ground Truth's emulation does not look them up, so
no work team is created first.

Stopping conditions (API_LabelingJobStoppingConditions): the simulated workforce stops a
job at its MaxHumanLabeledObjectCount, which the budget scenarios use.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtchain.sandbox.errors import SandboxError
from gtchain.sandbox.labeling.variants import GroundTruthVariants
from gtchain.sandbox.labeling.workforce import JobBehaviour
from gtchain_runtime.adapters.ledger import Ledger
from gtchain_runtime.adapters.ledger_schema import DECISION_RECORD, FAILURE_RECORD_PREFIX
from gtchain_runtime.domain.layout import FinalLocations
from gtchain_runtime.domain.manifest import manifest_stats

STREETSCENES_OBJECTS = 3547
LABEL_CLASSES = ("vehicles", "traffic signals", "pedestrians")
# Built-in Ground Truth resources of us-east-1 (the sandbox's region), as in the seed's CLI example.
PRE_HUMAN_TASK_LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:PRE-ImageMultiClass"
CONSOLIDATION_LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:ACS-ImageMultiClass"
IMAGE_CLASSIFICATION_ALGORITHM = (
    "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/image-classification"
)
THIRD_PARTY_ATTRIBUTE = "third-party-label"
UI_TEMPLATE = (
    b"<crowd-image-classifier name='category' src='{{ task.input.taskObject | grant_read_access }}'"
    b" categories='{{ task.input.labels | to_json | escape }}'></crowd-image-classifier>"
)
FINAL_DECISIONS = frozenset({"COMPLETE", "GIVE_UP"})
# What a scenario expects when gtchain must leave the job alone: no decision at all.
IGNORED = "IGNORED"

SANDBOX_ACCOUNT = "123456789012"
PRIVATE_WORKTEAM = (
    f"arn:aws:sagemaker:us-east-1:{SANDBOX_ACCOUNT}:workteam/private-crowd/streetscenes-labelers"
)
PUBLIC_CROWD = "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"
PUBLIC_CROWD_TASK_PRICE = {"AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}}
OTHER_TEAM_ROLE = f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OtherTeamLabelingRole"
# The seed's stopping condition: no limit but the dataset itself.
WHOLE_DATASET = {"MaxPercentageOfInputDatasetLabeled": 100}
# How long a scenario that gtchain must ignore is watched after its job ended.
IGNORE_SETTLE_SECONDS = 4.0


@dataclass(frozen=True)
class Scenario:
    """A root labeling job, how the workforce treats it, and what gtchain should end with."""

    name: str
    description: str
    root_job: str
    objects: int = STREETSCENES_OBJECTS
    # The workforce behaviour of the root job (and, with behaviour_for_chain, of every job).
    behaviour: JobBehaviour = field(default_factory=JobBehaviour)
    behaviour_for_chain: bool = False
    root_automated: bool = False
    # Tag gtchain:labeling-mode on the root job: how gtchain labels the chained jobs.
    chained_mode: str | None = None
    # Objects of the input manifest that already carry labels (third-party labels).
    pre_labeled: int = 0
    label_attribute: str | None = None  # default: the root job's name, as the console does
    # The root job's RoleArn (None: the project's labeling role), its work team (a private team
    # of the sandbox account unless the scenario is about another workforce) and its
    # StoppingConditions.
    role_arn: str | None = None
    workteam_arn: str = PRIVATE_WORKTEAM
    stopping_conditions: Mapping[str, int] = field(default_factory=lambda: dict(WHOLE_DATASET))
    # COMPLETE, GIVE_UP, or IGNORED (no decision recorded, no chained job).
    expected_decision: str = "COMPLETE"
    # Stable words the final decision's reason must contain (compared case-insensitively).
    expected_reason: tuple[str, ...] = ()
    # Jobs of the chain at the end, the root included (None: not part of the scenario).
    expected_jobs: int | None = None
    # The undocumented Ground Truth behaviours played for every job of the chain (None: the
    # workforce's global variants; labeling/variants.py).
    variants: GroundTruthVariants | None = None

    @property
    def attribute(self) -> str:
        return self.label_attribute or self.root_job


def guard_rail(
    name: str, description: str, root_job: str, *, reason: tuple[str, ...] = (), **changes: Any
) -> Scenario:
    """A guard-rail scenario: a small dataset stopped by workers after 100 labels, given up
    with a reason naming `reason`, no chained job; `changes` say what sets the rule off."""
    settings: dict[str, Any] = {
        "objects": 300,
        "behaviour": JobBehaviour(stop_after=100),
        "expected_decision": "GIVE_UP",
        "expected_reason": reason,
        "expected_jobs": 1,
    }
    return Scenario(name=name, description=description, root_job=root_job, **{**settings, **changes})


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            name="streetscenes",
            description="The seed: Streetscenes-Job1 (Non-AL) stopped by workers after 1,000 labels, "
            "resumed as Non-AL",
            root_job="Streetscenes-Job1",
            behaviour=JobBehaviour(stop_after=1000),
        ),
        Scenario(
            name="non-al-to-al",
            description="Non-AL job stopped after 1,000 labels, resumed with automated labeling",
            root_job="Streetscenes-NonAL-to-AL",
            behaviour=JobBehaviour(stop_after=1000),
            chained_mode="automated",
        ),
        Scenario(
            name="al-to-non-al",
            description="Automated-labeling job stopped after 1,500 labels, resumed by humans only",
            root_job="Streetscenes-AL-to-NonAL",
            behaviour=JobBehaviour(stop_after=1500),
            root_automated=True,
            chained_mode="human",
        ),
        Scenario(
            name="al-to-al",
            description="Automated-labeling job stopped after 1,500 labels, resumed with its model",
            root_job="Streetscenes-AL-to-AL",
            behaviour=JobBehaviour(stop_after=1500),
            root_automated=True,
        ),
        Scenario(
            name="third-party-to-non-al",
            description="989 third-party labels in the input; 10% of tasks expire; resumed as Non-AL",
            root_job="Streetscenes-ThirdParty-NonAL",
            pre_labeled=989,
            label_attribute=THIRD_PARTY_ATTRIBUTE,
            behaviour=JobBehaviour(expire_share=0.1),
        ),
        Scenario(
            name="third-party-to-al",
            description="989 third-party labels in the input; 10% of tasks expire; resumed with "
            "automated labeling",
            root_job="Streetscenes-ThirdParty-AL",
            pre_labeled=989,
            label_attribute=THIRD_PARTY_ATTRIBUTE,
            behaviour=JobBehaviour(expire_share=0.1),
            chained_mode="automated",
        ),
        Scenario(
            name="failed-retryable",
            description="The job fails with an internal error after 800 labels; gtchain resumes it",
            root_job="Streetscenes-Failed-Retryable",
            behaviour=JobBehaviour(fail_after=800),
        ),
        Scenario(
            name="expired-and-failed-objects",
            description="Completed with 15% of tasks expired and 5% of objects failed; gtchain "
            "re-sends exactly those",
            root_job="Streetscenes-Expired",
            behaviour=JobBehaviour(expire_share=0.15, object_failure_share=0.05),
        ),
        Scenario(
            name="config-failure",
            description="The job fails because its role cannot read the manifest; gtchain gives up "
            "and says what to fix",
            root_job="Streetscenes-Config-Failure",
            behaviour=JobBehaviour(
                fail_after=0,
                failure_reason="ClientError: Access Denied. Cannot access manifest file "
                "s3://bucket/inputs/dataset.manifest: check the execution role's permissions",
                write_output_on_failure=False,
            ),
            expected_decision="GIVE_UP",
        ),
        Scenario(
            name="max-depth",
            description="Every job of the chain is stopped after 300 labels; gtchain gives up at "
            "the project's max_depth",
            root_job="Streetscenes-Max-Depth",
            objects=3000,
            behaviour=JobBehaviour(stop_after=300),
            behaviour_for_chain=True,
            expected_decision="GIVE_UP",
        ),
        guard_rail(
            "foreign-role",
            "A job created with another team's execution role is stopped; gtchain gives up naming both roles",
            "Streetscenes-Foreign-Role",
            reason=(OTHER_TEAM_ROLE,),
            role_arn=OTHER_TEAM_ROLE,
        ),
        guard_rail(
            "public-crowd",
            "A job on the public crowd (Mechanical Turk) is stopped; the project did not set "
            "allow_external_workforce: gtchain gives up",
            "Streetscenes-Public-Crowd",
            reason=("allow_external_workforce",),
            workteam_arn=PUBLIC_CROWD,
        ),
        guard_rail(
            "budget-reached",
            "The job stops itself at its MaxHumanLabeledObjectCount (120 of 300 objects); a budget "
            "reached is a stop: gtchain gives up",
            "Streetscenes-Budget-Reached",
            reason=("budget",),
            stopping_conditions={"MaxHumanLabeledObjectCount": 120},
            behaviour=JobBehaviour(),
        ),
        guard_rail(
            "budget-chain",
            "Budget of 300 human labels for 400 objects, stopped after 100: the chained job may label "
            "the other 200 and stops there; gtchain gives up at the budget",
            "Streetscenes-Budget-Chain",
            reason=("budget",),
            objects=400,
            stopping_conditions={"MaxHumanLabeledObjectCount": 300},
            expected_jobs=2,
        ),
        guard_rail(
            "other-prefix",
            "StreetscenesV2-Job1 is stopped: the prefix Streetscenes is not followed by '-', so the job "
            "is not the project's; gtchain leaves it alone",
            "StreetscenesV2-Job1",
            expected_decision=IGNORED,
        ),
    )
}


@dataclass(frozen=True)
class JobProgress:
    name: str
    status: str
    labeled: int
    total: int


@dataclass
class ScenarioResult:
    scenario: str
    root_job: str
    final_decision: str
    final_reason: str
    jobs: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    total_objects: int
    labeled_objects: int
    final_manifest: str | None
    report: dict[str, Any] | None
    elapsed_seconds: float
    notifications: list[str] = field(default_factory=list)
    # IGNORED scenarios: the executions started for the root job, with the states they entered.
    executions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "jobs": [job["name"] for job in self.jobs],
            "job_details": self.jobs,
            "final_decision": self.final_decision,
            "final_reason": self.final_reason,
            "total_objects": self.total_objects,
            "labeled_objects": self.labeled_objects,
            "objects_never_resent": (self.report or {}).get("never_resent", 0),
            "final_manifest": self.final_manifest,
            "elapsed_seconds": round(self.elapsed_seconds, 2),
            "executions": self.executions,
        }


def dataset_lines(bucket: str, scenario: Scenario) -> list[bytes]:
    """The scenario's input manifest: StreetScenes image references, some with third-party labels."""
    lines = []
    for index in range(1, scenario.objects + 1):
        record: dict[str, Any] = {"source-ref": f"s3://{bucket}/inputs/streetscenes/SSDB{index:05d}.JPG"}
        if index <= scenario.pre_labeled:
            class_id = index % len(LABEL_CLASSES)
            record[scenario.attribute] = class_id
            record[f"{scenario.attribute}-metadata"] = {
                "confidence": 0.95,
                "job-name": f"labeling-job/{THIRD_PARTY_ATTRIBUTE}",
                "class-name": LABEL_CLASSES[class_id],
                "human-annotated": "yes",
                "creation-date": "2019-04-09T21:25:51.110794",
                "type": "groundtruth/image-classification",
            }
        lines.append(json.dumps(record, separators=(",", ":")).encode())
    return lines


def is_public_crowd(workteam_arn: str) -> bool:
    return ":workteam/public-crowd/" in workteam_arn


def root_job_request(scenario: Scenario, bucket: str, role_arn: str, manifest_uri: str) -> dict[str, Any]:
    """CreateLabelingJob for the root job, as the seed's CLI example creates Streetscenes-Job1,
    with the scenario's role, work team and stopping conditions."""
    request: dict[str, Any] = {
        "LabelingJobName": scenario.root_job,
        "LabelAttributeName": scenario.attribute,
        "InputConfig": {
            "DataSource": {"S3DataSource": {"ManifestS3Uri": manifest_uri}},
            "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
        },
        "OutputConfig": {"S3OutputPath": f"s3://{bucket}/jobs/"},
        "RoleArn": scenario.role_arn or role_arn,
        "LabelCategoryConfigS3Uri": f"s3://{bucket}/inputs/streetscenes/labels.json",
        "StoppingConditions": dict(scenario.stopping_conditions),
        "HumanTaskConfig": {
            "WorkteamArn": scenario.workteam_arn,
            "UiConfig": {"UiTemplateS3Uri": f"s3://{bucket}/inputs/streetscenes/template.liquid"},
            "PreHumanTaskLambdaArn": PRE_HUMAN_TASK_LAMBDA,
            "TaskKeywords": ["Images", "classification"],
            "TaskTitle": "Image Categorization",
            "TaskDescription": "Categorize images into specific classes",
            "NumberOfHumanWorkersPerDataObject": 3,
            "TaskTimeLimitInSeconds": 300,
            "TaskAvailabilityLifetimeInSeconds": 21600,
            "MaxConcurrentTaskCount": 1000,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": CONSOLIDATION_LAMBDA},
        },
        "Tags": [{"Key": "team", "Value": "perception"}],
    }
    if is_public_crowd(scenario.workteam_arn):
        request["HumanTaskConfig"]["PublicWorkforceTaskPrice"] = copy.deepcopy(PUBLIC_CROWD_TASK_PRICE)
    if scenario.root_automated:
        request["LabelingJobAlgorithmsConfig"] = {
            "LabelingJobAlgorithmSpecificationArn": IMAGE_CLASSIFICATION_ALGORITHM
        }
    if scenario.chained_mode:
        request["Tags"].append({"Key": "gtchain:labeling-mode", "Value": scenario.chained_mode})
    return request


ProgressCallback = Callable[[list[JobProgress], list[dict[str, Any]]], None]


class ScenarioRunner:
    """Plays scenarios against one deployed project stack in a running sandbox."""

    def __init__(self, sandbox: Any, outputs: dict[str, str], labeling_role_arn: str) -> None:
        self._sandbox = sandbox
        self._bucket = outputs["BucketName"]
        self._table = outputs["LedgerTableName"]
        self._state_machine = outputs["StateMachineArn"]
        self._role_arn = labeling_role_arn
        self._s3 = sandbox.client("s3")
        self._sagemaker = sandbox.client("sagemaker")
        self._stepfunctions = sandbox.client("stepfunctions")
        self._ledger = Ledger(sandbox.client("dynamodb"), self._table)
        self._execution_inputs: dict[str, dict[str, Any]] = {}

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def state_machine_arn(self) -> str:
        return self._state_machine

    def start(self, scenario: Scenario) -> None:
        """Upload the dataset and create the root job; gtchain takes it from there."""
        prefix = "inputs/streetscenes/"
        manifest_key = f"inputs/{scenario.root_job}/dataset.manifest"
        self._s3.put_object(
            Bucket=self._bucket,
            Key=manifest_key,
            Body=b"\n".join(dataset_lines(self._bucket, scenario)) + b"\n",
        )
        labels = {"document-version": "2018-11-28", "labels": [{"label": name} for name in LABEL_CLASSES]}
        self._s3.put_object(Bucket=self._bucket, Key=prefix + "labels.json", Body=json.dumps(labels).encode())
        self._s3.put_object(Bucket=self._bucket, Key=prefix + "template.liquid", Body=UI_TEMPLATE)
        pattern = f"{scenario.root_job}*" if scenario.behaviour_for_chain else scenario.root_job
        self._sandbox.workforce.configure(pattern, scenario.behaviour)
        if scenario.variants is not None:
            self._sandbox.workforce.set_variants(scenario.variants, f"{scenario.root_job}*")
        self._sagemaker.create_labeling_job(
            **root_job_request(scenario, self._bucket, self._role_arn, f"s3://{self._bucket}/{manifest_key}")
        )

    def chain_jobs(self, root: str) -> list[JobProgress]:
        """The jobs of a chain in chain order (root first), from the workforce's view."""
        jobs = [
            JobProgress(snap.name, snap.status, snap.labeled, snap.total)
            for snap in self._sandbox.workforce.snapshot()
            if snap.name == root or snap.name.lower().startswith(f"{root.lower()}-chain-")
        ]
        return sorted(jobs, key=lambda job: (job.name != root, len(job.name), job.name))

    def wait(
        self,
        scenario: Scenario,
        *,
        timeout: float = 150.0,
        on_progress: ProgressCallback | None = None,
        download_to: Path | None = None,
    ) -> ScenarioResult:
        """Watch until gtchain closes the chain (COMPLETE or GIVE_UP), then collect the results.

        A scenario that expects IGNORED is watched until its job ended, every execution started
        for it ended, and IGNORE_SETTLE_SECONDS passed without a ledger record; a decision
        recorded meanwhile ends the watch as for any other scenario.
        """
        started = time.monotonic()
        deadline = started + timeout
        if scenario.expected_decision == IGNORED:
            ignored = self._wait_ignored(scenario, deadline, on_progress)
            if ignored is not None:
                return ignored
        while True:
            records = self._ledger.chain_records(scenario.root_job)
            decisions = [r for r in records if r["record"] == DECISION_RECORD]
            failures = [r for r in records if str(r["record"]).startswith(FAILURE_RECORD_PREFIX)]
            if on_progress is not None:
                on_progress(self.chain_jobs(scenario.root_job), decisions)
            final = next((d for d in decisions if d.get("decision") in FINAL_DECISIONS), None)
            if final is not None or failures:
                break
            if time.monotonic() > deadline:
                raise SandboxError(
                    f"scenario {scenario.name}: the chain of {scenario.root_job} did not finish in "
                    f"{timeout:.0f} s (decisions so far: {[d.get('decision') for d in decisions]})"
                )
            time.sleep(0.25)
        if failures and final is None:
            first = failures[0]
            raise SandboxError(
                f"scenario {scenario.name}: an execution failed for {first['job_name']}: "
                f"{first.get('error')}: {first.get('cause')}"
            )
        assert final is not None
        return self._collect(
            scenario,
            final,
            decisions=decisions,
            failures=failures,
            elapsed=time.monotonic() - started,
            download_to=download_to,
        )

    def _wait_ignored(
        self, scenario: Scenario, deadline: float, on_progress: ProgressCallback | None
    ) -> ScenarioResult | None:
        """The IGNORED result, or None as soon as the ledger holds a record of the chain."""
        started = time.monotonic()
        root = scenario.root_job
        ended_at: float | None = None
        while True:
            if self._ledger.chain_records(root) or self._ledger.decision(root) is not None:
                return None
            if on_progress is not None:
                on_progress(self.chain_jobs(root), [])
            status = self._sagemaker.describe_labeling_job(LabelingJobName=root)["LabelingJobStatus"]
            if status in {"Completed", "Failed", "Stopped"} and ended_at is None:
                ended_at = time.monotonic()
            if ended_at is not None and time.monotonic() - ended_at >= IGNORE_SETTLE_SECONDS:
                executions = self.executions_for(root)
                if all(execution["status"] != "RUNNING" for execution in executions):
                    break
            if time.monotonic() > deadline:
                raise SandboxError(
                    f"scenario {scenario.name}: {root} (status {status}) or its executions did not "
                    "end in time"
                )
            time.sleep(0.25)
        if self._ledger.chain_records(root) or self._ledger.decision(root) is not None:
            return None
        jobs = self.chain_jobs(root)
        entered = sorted({state for execution in executions for state in execution["states"]})
        return ScenarioResult(
            scenario=scenario.name,
            root_job=root,
            final_decision=IGNORED,
            final_reason=(
                f"no decision recorded for {root}; {len(executions)} execution(s), states entered: "
                f"{', '.join(entered) or 'none'}"
            ),
            jobs=[self._job_details(job.name) for job in jobs],
            decisions=[],
            failures=[],
            total_objects=0,
            labeled_objects=0,
            final_manifest=None,
            report=None,
            elapsed_seconds=time.monotonic() - started,
            executions=executions,
        )

    def executions_for(self, job_name: str) -> list[dict[str, Any]]:
        """Executions of the state machine whose event names the job, with the states they entered."""
        arn = self._sagemaker.describe_labeling_job(LabelingJobName=job_name)["LabelingJobArn"]
        found = []
        pages = self._stepfunctions.get_paginator("list_executions").paginate(
            stateMachineArn=self._state_machine
        )
        for execution in (item for page in pages for item in page["executions"]):
            execution_arn = execution["executionArn"]
            if execution_arn not in self._execution_inputs:
                described = self._stepfunctions.describe_execution(executionArn=execution_arn)
                self._execution_inputs[execution_arn] = json.loads(described.get("input") or "{}")
            if arn not in (self._execution_inputs[execution_arn].get("resources") or []):
                continue
            history = self._stepfunctions.get_execution_history(executionArn=execution_arn)["events"]
            states = [
                event["stateEnteredEventDetails"]["name"]
                for event in history
                if "stateEnteredEventDetails" in event
            ]
            found.append({"name": execution["name"], "status": execution["status"], "states": states})
        return found

    def _job_details(self, name: str) -> dict[str, Any]:
        described = self._sagemaker.describe_labeling_job(LabelingJobName=name)
        return {
            "name": name,
            "status": described["LabelingJobStatus"],
            "counters": described["LabelCounters"],
            "automated": "LabelingJobAlgorithmsConfig" in described,
            "initial_model": described.get("LabelingJobAlgorithmsConfig", {}).get(
                "InitialActiveLearningModelArn"
            ),
            "final_model": described.get("LabelingJobOutput", {}).get("FinalActiveLearningModelArn"),
            "input_manifest": described["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"],
            "role_arn": described["RoleArn"],
            "workteam_arn": described["HumanTaskConfig"]["WorkteamArn"],
            "stopping_conditions": described.get("StoppingConditions", {}),
        }

    def _collect(
        self,
        scenario: Scenario,
        final: dict[str, Any],
        *,
        decisions: list[dict[str, Any]],
        failures: list[dict[str, Any]],
        elapsed: float,
        download_to: Path | None,
    ) -> ScenarioResult:
        jobs = [self._job_details(job.name) for job in self.chain_jobs(scenario.root_job)]
        final_manifest: str | None = None
        report: dict[str, Any] | None = None
        total = labeled = 0
        if final.get("decision") == "COMPLETE":
            locations = FinalLocations(self._bucket, scenario.root_job)
            manifest_key = locations.prefix + "output.manifest"
            body = self._s3.get_object(Bucket=self._bucket, Key=manifest_key)["Body"].read()
            report = json.loads(
                self._s3.get_object(Bucket=self._bucket, Key=locations.prefix + "report.json")["Body"].read()
            )
            target = (download_to or Path("demo-output")) / scenario.root_job / "output.manifest"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            (target.parent / "report.json").write_text(json.dumps(report, indent=2))
            final_manifest = str(target)
            with target.open("rb") as manifest:
                stats = manifest_stats(manifest, scenario.attribute)
            total, labeled = stats.objects, stats.labeled
        return ScenarioResult(
            scenario=scenario.name,
            root_job=scenario.root_job,
            final_decision=str(final.get("decision")),
            final_reason=str(final.get("reason", "")),
            jobs=jobs,
            decisions=decisions,
            failures=failures,
            total_objects=total,
            labeled_objects=labeled,
            final_manifest=final_manifest,
            report=report,
            elapsed_seconds=elapsed,
        )
