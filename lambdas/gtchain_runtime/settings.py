"""Typed environment of the Lambdas, validated once per cold start.

The names are the contract between stacks/ (which sets them) and the handlers.
"""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gtchain_runtime.domain.chain_plan import ProjectRules
from gtchain_runtime.domain.labeling_job import LabelingMode


class RuntimeSettings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    project_name: str = Field(alias="PROJECT_NAME")
    job_name_prefix: str = Field(alias="JOB_NAME_PREFIX")
    bucket_name: str = Field(alias="BUCKET_NAME")
    ledger_table_name: str = Field(alias="LEDGER_TABLE_NAME")
    topic_arn: str = Field(alias="TOPIC_ARN")
    labeling_role_arn: str = Field(alias="LABELING_ROLE_ARN")
    workteam_arn: str | None = Field(default=None, alias="WORKTEAM_ARN")
    resume_stopped: bool = Field(default=True, alias="RESUME_STOPPED")
    max_depth: int = Field(default=5, ge=1, alias="MAX_DEPTH")
    labeling_mode: LabelingMode = Field(default="inherit", alias="CHAINED_LABELING_MODE")
    algorithm_specification_arn: str | None = Field(default=None, alias="ALGORITHM_SPECIFICATION_ARN")
    allow_external_workforce: bool = Field(default=False, alias="ALLOW_EXTERNAL_WORKFORCE")
    chain_human_label_budget: int | None = Field(default=None, ge=1, alias="CHAIN_HUMAN_LABEL_BUDGET")
    price_per_object_usd: Decimal | None = Field(default=None, ge=0, alias="PRICE_PER_OBJECT_USD")
    # Jobs that ended before it are not chained by the sweep or the rule (domain/adoption.py);
    # None: the first deploy, as recorded in the ledger by the first sweep.
    adopt_jobs_ended_after: AwareDatetime | None = Field(default=None, alias="ADOPT_JOBS_ENDED_AFTER")
    # The account that must own the project bucket: sent as ExpectedBucketOwner on every S3 call
    # (None: not checked, e.g. tests and the CLI without a deployed stack).
    bucket_owner_account: str | None = Field(default=None, pattern=r"^\d{12}$", alias="BUCKET_OWNER_ACCOUNT")
    # Only the sweep Lambda needs it.
    state_machine_arn: str | None = Field(default=None, alias="STATE_MACHINE_ARN")

    def rules(self) -> ProjectRules:
        """What the domain's planner reads of the settings."""
        return ProjectRules(
            bucket_name=self.bucket_name,
            labeling_role_arn=self.labeling_role_arn,
            workteam_arn=self.workteam_arn,
            allow_external_workforce=self.allow_external_workforce,
            chain_human_label_budget=self.chain_human_label_budget,
            price_per_object_usd=self.price_per_object_usd,
            max_depth=self.max_depth,
            resume_stopped=self.resume_stopped,
            labeling_mode=self.labeling_mode,
            algorithm_specification_arn=self.algorithm_specification_arn,
        )


def _environment_text(value: object) -> str:
    """A setting as the Lambda environment holds it (settings_from reads it back)."""
    if value is None:
        return ""  # not configured (CloudFormation cannot omit a variable conditionally)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def lambda_environment(**values: object) -> dict[str, str]:
    """The Lambda environment of these settings, given by field name: the one place the stack
    learns the variables' names (docs/architecture.md, "Environment variables")."""
    fields = RuntimeSettings.model_fields
    unknown = sorted(values.keys() - fields.keys())
    if unknown:
        raise ValueError(f"not settings of the runtime: {', '.join(unknown)}")
    missing = sorted(name for name, field in fields.items() if field.is_required() and name not in values)
    if missing:
        raise ValueError(f"the runtime needs settings {', '.join(missing)}")
    return {str(fields[name].alias): _environment_text(value) for name, value in values.items()}


def setting_variable(name: str) -> str:
    """The environment variable of one setting (by field name)."""
    return str(RuntimeSettings.model_fields[name].alias)


def settings_from(environ: dict[str, str]) -> RuntimeSettings:
    # Empty strings mean "not configured" (CloudFormation cannot omit a variable conditionally).
    return RuntimeSettings.model_validate({k: v for k, v in environ.items() if v != ""})


@lru_cache(maxsize=1)
def get_settings() -> RuntimeSettings:
    return settings_from(dict(os.environ))
