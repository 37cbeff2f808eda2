"""Identity guard rails: a chained job runs as the project, on a workforce the project named.

Pure functions over the parent job (domain.labeling_job) and the project's settings.
Each returns the reasons a chain is impossible (inputs of domain.policy.decide, never a
correction after it) and what the child request must carry instead of the parent's values.

Work-team ARNs (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-security-workforce-authentication.html,
whose `sagemaker:WorkteamType` condition key has the same three values):
- public (Amazon Mechanical Turk): `arn:aws:sagemaker:<region>:394669845002:workteam/public-crowd/default`
- private: `arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<team>`
- vendor (AWS Marketplace): `arn:aws:sagemaker:<region>:<account>:workteam/vendor-crowd/<team>`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from gtchain_runtime.domain.aws_ids import Arn
from gtchain_runtime.domain.labeling_job import LabelingJob


class WorkforceType(StrEnum):
    PUBLIC = "public-crowd"
    PRIVATE = "private-crowd"
    VENDOR = "vendor-crowd"


EXTERNAL_WORKFORCES = frozenset({WorkforceType.PUBLIC, WorkforceType.VENDOR})
_WORKFORCE_WORDS = {
    WorkforceType.PUBLIC: "the public crowd (Amazon Mechanical Turk)",
    WorkforceType.PRIVATE: "a private work team",
    WorkforceType.VENDOR: "a vendor work team (AWS Marketplace)",
}

# The accounts that own Ground Truth's built-in pre-annotation (PRE-*) and annotation
# consolidation (ACS-*) Lambdas, per region, as botocore's SageMaker model documents them for
# HumanTaskConfig.PreHumanTaskLambdaArn and AnnotationConsolidationConfig
# (tests/unit/test_guards.py checks this table against the installed botocore).
BUILT_IN_LAMBDA_ACCOUNTS: Mapping[str, str] = {
    "us-east-1": "432418664414",
    "us-east-2": "266458841044",
    "us-west-2": "081040173940",
    "ca-central-1": "918755190332",
    "eu-west-1": "568282634449",
    "eu-west-2": "487402164563",
    "eu-central-1": "203001061592",
    "ap-northeast-1": "477331159723",
    "ap-northeast-2": "845288260483",
    "ap-south-1": "565803892007",
    "ap-southeast-1": "377565633583",
    "ap-southeast-2": "454466003867",
}


def workforce_type(workteam_arn: str) -> WorkforceType | None:
    """The workforce type a work-team ARN names (see the module docstring), None if unknown."""
    arn = Arn.parse_or_none(workteam_arn)
    if arn is None or arn.service != "sagemaker":
        return None
    kind, _, rest = arn.resource.partition("/")
    crowd, _, team = rest.partition("/")
    if kind != "workteam" or not team:
        return None
    try:
        return WorkforceType(crowd)
    except ValueError:
        return None


@dataclass(frozen=True)
class ProjectIdentity:
    """What the project names: its labeling role, its work team (optional), its opt-in."""

    labeling_role_arn: str
    workteam_arn: str | None = None
    allow_external_workforce: bool = False

    @property
    def account(self) -> str | None:
        arn = Arn.parse_or_none(self.labeling_role_arn)
        return arn.account if arn else None


@dataclass(frozen=True)
class IdentityCheck:
    """The child's identity: why there can be no child, else the role and work team it runs with."""

    blockers: tuple[str, ...]
    role_arn: str
    workteam_arn: str | None
    workforce: WorkforceType | None
    # One sentence for plan.json and the CHAIN notification (the task price of an external crowd).
    workforce_note: str | None


def check_identity(parent: LabelingJob, project: ProjectIdentity) -> IdentityCheck:
    """Role, work team and Lambdas of the parent against what the project named."""
    name = parent.name
    parent_team = parent.human_task.workteam_arn
    kind = workforce_type(parent_team)
    blockers = [
        *_role_blockers(name, parent, project),
        *_workforce_blockers(name, parent_team, kind, project),
        *_lambda_blockers(name, parent, project),
    ]
    note = None
    if kind is WorkforceType.PUBLIC:
        note = _public_price_note(parent)
    elif kind is not None:
        note = f"Workforce: {_WORKFORCE_WORDS[kind]} {parent_team}"
    return IdentityCheck(
        blockers=tuple(blockers),
        role_arn=project.labeling_role_arn,
        workteam_arn=project.workteam_arn or parent_team or None,
        workforce=kind,
        workforce_note=note,
    )


def _role_blockers(name: str, parent: LabelingJob, project: ProjectIdentity) -> list[str]:
    parent_role = parent.role_arn
    # Exact comparison: IAM role names are case-sensitive in ARNs, and a near match is a different role.
    if parent_role == project.labeling_role_arn:
        return []
    return [
        f"{name} runs as role {parent_role or '(none)'}, not the project's labeling role "
        f"{project.labeling_role_arn}; gtchain creates jobs only as the project's role"
    ]


def _workforce_blockers(
    name: str, parent_team: str, kind: WorkforceType | None, project: ProjectIdentity
) -> list[str]:
    if project.workteam_arn:
        if parent_team == project.workteam_arn:
            return []
        return [
            f"{name} ran on work team {parent_team or '(none)'}, not the project's work team "
            f"{project.workteam_arn}; gtchain never moves labeling to another workforce"
        ]
    if kind is None:
        return [f"{name} ran on work team {parent_team or '(none)'}, which is not a work-team ARN"]
    if kind in EXTERNAL_WORKFORCES and not project.allow_external_workforce:
        return [
            f"{name} ran on {_WORKFORCE_WORDS[kind]} ({parent_team}) and the project does not allow "
            "external workforces (allow_external_workforce=false); set it, or workteam_arn, in the "
            "project config to chain onto it"
        ]
    return []


def _lambda_blockers(name: str, parent: LabelingJob, project: ProjectIdentity) -> list[str]:
    region = parent.arn.region
    blockers = []
    for label, prefix, arn in (
        ("pre-annotation Lambda", "PRE-", parent.human_task.pre_human_task_lambda_arn),
        ("annotation consolidation Lambda", "ACS-", parent.human_task.consolidation_lambda_arn),
    ):
        problem = lambda_problem(arn, prefix, region, project.account) if arn else None
        if problem:
            blockers.append(f"{name}'s {label} {problem}")
    return blockers


def _public_price_note(parent: LabelingJob) -> str:
    human = parent.human_task
    if human.task_price_usd is None or human.price_per_object_usd is None:
        return "Workforce: the public crowd (Amazon Mechanical Turk); the parent states no task price"
    return (
        f"Workforce: the public crowd (Amazon Mechanical Turk) at the parent's task price, "
        f"${human.task_price_usd} per task x {human.workers_per_object} workers per object = "
        f"${human.price_per_object_usd} per object"
    )


def is_built_in_lambda(arn: str, function_prefix: str, region: str) -> bool:
    """A Ground Truth built-in Lambda of `region`: its documented account and a PRE-/ACS- name."""
    parsed = Arn.parse_or_none(arn)
    if parsed is None or parsed.service != "lambda" or parsed.region != region:
        return False
    function = parsed.resource.removeprefix("function:")
    return function.startswith(function_prefix) and BUILT_IN_LAMBDA_ACCOUNTS.get(region) == parsed.account


def lambda_problem(arn: str, function_prefix: str, region: str, project_account: str | None) -> str | None:
    """Why the child may not run this Lambda, or None: built-in, or a custom one of the project's account."""
    if is_built_in_lambda(arn, function_prefix, region):
        return None
    parsed = Arn.parse_or_none(arn)
    if parsed is None or parsed.service != "lambda":
        return f"{arn} is not a Lambda function ARN"
    if project_account and parsed.account == project_account:
        return None
    return (
        f"{arn} is in account {parsed.account}: neither a Ground Truth built-in Lambda of {region} "
        f"nor a function of the project's account {project_account or '(unknown)'}"
    )
