"""Identity guard rails: role, work team, workforce type, Lambdas (domain.guards)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from gtchain_runtime.domain.guards import (
    BUILT_IN_LAMBDA_ACCOUNTS,
    ProjectIdentity,
    WorkforceType,
    check_identity,
    lambda_problem,
    workforce_type,
)
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.policy import Decision, decide
from tests.support.policy import POLICY_BASE

FIXTURES = Path(__file__).parent.parent / "fixtures" / "describe"
ROLE = "arn:aws:iam::123456789012:role/GroundTruthLabelingRole"
PUBLIC = "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"
PRIVATE = "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/streetscenes"
VENDOR = "arn:aws:sagemaker:us-east-1:123456789012:workteam/vendor-crowd/acme-labeling"
PROJECT = ProjectIdentity(labeling_role_arn=ROLE, allow_external_workforce=True)


def describe(fixture: str = "image_classification_non_al") -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / f"{fixture}.json").read_text()))


@pytest.mark.parametrize(
    ("arn", "kind"),
    [
        (PUBLIC, WorkforceType.PUBLIC),
        ("arn:aws:sagemaker:eu-west-1:394669845002:workteam/public-crowd/default", WorkforceType.PUBLIC),
        (PRIVATE, WorkforceType.PRIVATE),
        (VENDOR, WorkforceType.VENDOR),
        ("arn:aws-cn:sagemaker:cn-north-1:123456789012:workteam/private-crowd/t", WorkforceType.PRIVATE),
        ("arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd", None),
        ("arn:aws:sagemaker:us-east-1:123456789012:workteam/other-crowd/t", None),
        ("arn:aws:s3:::bucket/workteam/private-crowd/t", None),
        ("", None),
    ],
)
def test_workforce_type_from_the_arn(arn: str, kind: WorkforceType | None) -> None:
    assert workforce_type(arn) is kind


def test_the_projects_own_parent_chains_as_the_project() -> None:
    check = check_identity(LabelingJob.from_describe(describe()), PROJECT)
    assert check.blockers == () and check.role_arn == ROLE and check.workteam_arn == PUBLIC


def test_a_parent_on_another_role_names_both_roles() -> None:
    parent = describe()
    other = "arn:aws:iam::123456789012:role/groundtruthlabelingrole"  # case differs: another role
    parent["RoleArn"] = other
    (blocker,) = check_identity(LabelingJob.from_describe(parent), PROJECT).blockers
    assert other in blocker and ROLE in blocker


def test_the_configured_work_team_must_be_the_parents() -> None:
    check = check_identity(LabelingJob.from_describe(describe()), replace(PROJECT, workteam_arn=PRIVATE))
    (blocker,) = check.blockers
    assert PRIVATE in blocker and PUBLIC in blocker
    parent = describe()
    parent["HumanTaskConfig"]["WorkteamArn"] = PRIVATE
    check = check_identity(
        LabelingJob.from_describe(parent),
        replace(PROJECT, workteam_arn=PRIVATE, allow_external_workforce=False),
    )
    assert check.blockers == () and check.workteam_arn == PRIVATE


@pytest.mark.parametrize(("team", "words"), [(PUBLIC, "public crowd"), (VENDOR, "vendor work team")])
def test_external_workforces_need_the_opt_in(team: str, words: str) -> None:
    parent = describe()
    parent["HumanTaskConfig"]["WorkteamArn"] = team
    (blocker,) = check_identity(
        LabelingJob.from_describe(parent), replace(PROJECT, allow_external_workforce=False)
    ).blockers
    assert words in blocker and "allow_external_workforce=false" in blocker
    assert check_identity(LabelingJob.from_describe(parent), PROJECT).blockers == ()


def test_a_private_team_is_always_fine_and_an_unknown_team_is_not() -> None:
    parent = describe()
    parent["HumanTaskConfig"]["WorkteamArn"] = PRIVATE
    assert (
        check_identity(
            LabelingJob.from_describe(parent), replace(PROJECT, allow_external_workforce=False)
        ).blockers
        == ()
    )
    parent["HumanTaskConfig"]["WorkteamArn"] = "not-an-arn"
    (blocker,) = check_identity(LabelingJob.from_describe(parent), PROJECT).blockers
    assert "not a work-team ARN" in blocker


def test_the_public_crowd_note_states_the_parents_price() -> None:
    note = check_identity(LabelingJob.from_describe(describe()), PROJECT).workforce_note
    assert note is not None
    assert "$0.036 per task x 3 workers per object = $0.108 per object" in note
    assert LabelingJob.from_describe(describe()).human_task.task_price_usd == Decimal("0.036")


def test_built_in_lambdas_are_kept_in_every_documented_region() -> None:
    for region, account in BUILT_IN_LAMBDA_ACCOUNTS.items():
        assert (
            lambda_problem(f"arn:aws:lambda:{region}:{account}:function:PRE-BoundingBox", "PRE-", region, "1")
            is None
        )
        assert (
            lambda_problem(f"arn:aws:lambda:{region}:{account}:function:ACS-BoundingBox", "ACS-", region, "1")
            is None
        )


def test_a_lambda_of_a_foreign_account_is_named() -> None:
    foreign = "arn:aws:lambda:us-east-1:999999999999:function:PRE-BoundingBox"
    problem = lambda_problem(foreign, "PRE-", "us-east-1", "123456789012")
    assert problem is not None and foreign in problem and "999999999999" in problem
    # The built-in account of another region is not a built-in here.
    other_region = "arn:aws:lambda:us-east-1:266458841044:function:PRE-BoundingBox"
    assert lambda_problem(other_region, "PRE-", "us-east-1", "123456789012") is not None


def test_a_custom_lambda_of_the_projects_account_is_kept() -> None:
    custom = "arn:aws:lambda:us-east-1:123456789012:function:my-pre-annotation"
    assert lambda_problem(custom, "PRE-", "us-east-1", "123456789012") is None


def test_a_parent_with_a_foreign_consolidation_lambda_is_blocked() -> None:
    parent = describe()
    foreign = "arn:aws:lambda:us-east-1:999999999999:function:steal-labels"
    parent["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] = foreign
    (blocker,) = check_identity(LabelingJob.from_describe(parent), PROJECT).blockers
    assert "annotation consolidation Lambda" in blocker and foreign in blocker


def test_the_built_in_accounts_are_botocores() -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    documented = model.shape_for("HumanTaskConfig").members["PreHumanTaskLambdaArn"].documentation
    pairs = set(re.findall(r"arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:PRE-", documented))
    assert pairs == set(BUILT_IN_LAMBDA_ACCOUNTS.items())


def test_identity_blockers_are_decided_once_as_a_give_up() -> None:
    facts = replace(
        POLICY_BASE,
        status="Stopped",
        identity_blockers=("runs as role A, not the project's labeling role B",),
    )
    verdict = decide(facts)
    assert verdict.decision is Decision.GIVE_UP
    assert "chains only as the project" in verdict.reason and "role A" in verdict.reason
    assert decide(replace(facts, remaining=0)).decision is Decision.COMPLETE


def test_the_child_request_carries_the_projects_identity_and_the_chains_caps() -> None:
    from gtchain_runtime.domain.lineage import Lineage
    from gtchain_runtime.domain.requests import build_child_request

    parent = describe()
    parent["StoppingConditions"] = {
        "MaxHumanLabeledObjectCount": 900,
        "MaxPercentageOfInputDatasetLabeled": 50,
    }
    name = parent["LabelingJobName"]
    child = Lineage(job_name=name, root=name, parent=None, depth=0).child()
    common: dict[str, Any] = {
        "child": child,
        "chained_manifest_uri": "s3://b/chains/x/input.manifest",
        "output_path": "s3://b/jobs/",
    }
    built = build_child_request(
        LabelingJob.from_describe(parent),
        **common,
        role_arn="arn:aws:iam::123456789012:role/Project",
        workteam_arn=PRIVATE,
        stopping_conditions={"MaxHumanLabeledObjectCount": 12},
    )
    assert built.request["RoleArn"] == "arn:aws:iam::123456789012:role/Project"
    assert built.request["HumanTaskConfig"]["WorkteamArn"] == PRIVATE
    assert built.request["StoppingConditions"] == {"MaxHumanLabeledObjectCount": 12}
    uncapped = build_child_request(LabelingJob.from_describe(parent), **common, stopping_conditions={})
    assert "StoppingConditions" not in uncapped.request
    # Without overrides (the offline `gtchain job request`), the parent's values are kept.
    kept = build_child_request(LabelingJob.from_describe(parent), **common)
    assert kept.request["StoppingConditions"] == parent["StoppingConditions"]
