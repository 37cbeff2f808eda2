"""Labeling scenarios played against gtchain deployed in the sandbox (runner.py plays them).

One place for what the demo shows and what the end-to-end tests assert: the seed's six
chaining scenarios, the three triggers (stopped, failed with a retryable reason, completed
with expired tasks) and the guard rails (configuration failure, max depth, a foreign role,
the public crowd without opt-in, a human-label budget reached, a job of another prefix), with
each scenario's inputs: its dataset manifest and its root job's CreateLabelingJob request
(image classification, the seed's HumanTaskConfig).

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gtchain.sandbox.groundtruth import JobBehaviour
from gtchain.sandbox.groundtruth.variants import GroundTruthVariants

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
    # workforce's global variants; gtchain/sandbox/groundtruth/variants.py).
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
