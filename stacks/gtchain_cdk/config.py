"""Typed, validated project configuration: read once, at the top of app.py.

A platform team lists its labeling projects in one JSON file (``projects.json`` by
default; cdk.json context ``gtchain:projectsFile`` points elsewhere). Every mistake
fails synth with one message naming the file and the field. No AWS call happens here.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gtchain_runtime.domain.labeling_job import LabelingMode
from gtchain_runtime.domain.naming import owns_job_name

# Ground Truth job names: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}. The prefix leaves room for
# the "-chain-<n>" suffix that chained jobs get.
# A trailing "-" is allowed (`Team-` owns `Team-x`): such prefixes were valid before the ownership
# rule (prefix, then "-" or the end of the name) and keep working under it.
JOB_NAME_PREFIX_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,39}-?$"
ROLE_ARN_PATTERN = r"^arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$"
WORKTEAM_ARN_PATTERN = r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:\d{12}:workteam/.*$"
ALGORITHM_ARN_PATTERN = (
    r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:\d{12}:labeling-job-algorithm-specification/.*$"
)
BUCKET_NAME_PATTERN = r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PROJECT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9\-]{0,39}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ChainingPolicy(_Strict):
    """When and how a finished labeling job is resumed."""

    resume_stopped: bool = True
    max_depth: Annotated[int, Field(ge=1, le=50)] = 5
    labeling_mode: LabelingMode = "inherit"
    # Needed to turn a human-only parent into an automated child (Non-AL -> AL).
    algorithm_specification_arn: Annotated[str, Field(pattern=ALGORITHM_ARN_PATTERN)] | None = None
    # Without a configured workteam_arn, a parent on the public crowd (Amazon Mechanical Turk) or a
    # vendor workforce is chained there only when the project opts in, at the parent's task price.
    allow_external_workforce: bool = False
    # Human-labeled objects the whole chain may pay for. None: the root job's own
    # StoppingConditions.MaxHumanLabeledObjectCount (no limit if the root has none).
    chain_human_label_budget: Annotated[int, Field(ge=1)] | None = None
    # USD per human-labeled object on private or vendor work teams, for the cost figures
    # (public-crowd jobs state their own task price).
    price_per_object_usd: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=5)] | None = None
    # Jobs that ended before this time are never chained by the sweep or the rule
    # (gtchain_runtime/domain/adoption.py). None: the moment gtchain was first deployed for the
    # project. An earlier time resumes the jobs that ended since then (the sweep looks back 7 days).
    adopt_jobs_ended_after: AwareDatetime | None = None

    @model_validator(mode="after")
    def _automated_needs_an_algorithm(self) -> ChainingPolicy:
        if self.labeling_mode == "automated" and self.algorithm_specification_arn is None:
            raise ValueError(
                "labeling_mode 'automated' needs algorithm_specification_arn "
                "(the labeling-job-algorithm-specification ARN of your task type and region)"
            )
        return self


class Limits(_Strict):
    """How much the project may run at once."""

    # Reserved concurrency of plan_chain and finalize_chain, the functions that stream manifests
    # (1769 MB, up to 14 minutes each): at most this many run at once, whatever the number of
    # jobs finishing together. The others wait in their state's Retry on
    # Lambda.TooManyRequestsException (docs/architecture.md, "State machine").
    manifest_concurrency: Annotated[int, Field(ge=1, le=100)] = 5


class DebugOptions(_Strict):
    """Switches for investigating a problem; both off in normal operation because what they
    record (job descriptions, tags, manifest locations) is more than operators need to see."""

    # Powertools Tracer stores each handler's return value in its X-Ray trace.
    capture_responses: bool = False
    # The state machine logs every event with its input and output (ALL, execution data)
    # instead of failures without data (ERROR).
    execution_data_in_logs: bool = False


class Environment(_Strict):
    account: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] | None = None


class ProjectConfig(_Strict):
    """One labeling project: one stack, isolated resources."""

    name: Annotated[str, Field(pattern=PROJECT_NAME_PATTERN)]
    job_name_prefix: Annotated[str, Field(pattern=JOB_NAME_PREFIX_PATTERN)]
    labeling_role_arn: Annotated[str, Field(pattern=ROLE_ARN_PATTERN)]
    workteam_arn: Annotated[str, Field(pattern=WORKTEAM_ARN_PATTERN)] | None = None
    # None: the stack creates the project bucket. A name: an existing bucket is imported.
    existing_bucket_name: Annotated[str, Field(pattern=BUCKET_NAME_PATTERN)] | None = None
    notification_emails: tuple[Annotated[str, Field(pattern=EMAIL_PATTERN)], ...] = ()
    policy: ChainingPolicy = ChainingPolicy()
    limits: Limits = Limits()
    debug: DebugOptions = DebugOptions()
    env: Environment = Environment()

    @property
    def stack_name(self) -> str:
        return f"GtChain-{self.name}"

    @field_validator("notification_emails")
    @classmethod
    def _distinct_emails(cls, emails: tuple[str, ...]) -> tuple[str, ...]:
        lowered = [e.lower() for e in emails]
        if len(set(lowered)) != len(lowered):
            raise ValueError("lists the same address twice")
        return emails


class ProjectsFile(_Strict):
    projects: Annotated[tuple[ProjectConfig, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _distinct_names_and_prefixes(self) -> ProjectsFile:
        names = [p.name.lower() for p in self.projects]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"project names must be unique, repeated: {', '.join(duplicates)}")
        # Two projects must never both claim (and chain) the same job. Under the ownership rule
        # (the prefix, then "-" or the end of the name, case-insensitively) two prefixes share a
        # job name exactly when one owns the other as a name: "streetscenes" and "streetscenes-eu"
        # overlap (streetscenes-eu-job1), "Streetscenes" and "StreetscenesV2" do not.
        prefixes = sorted((p.job_name_prefix for p in self.projects), key=str.lower)
        for first, second in itertools.combinations(prefixes, 2):
            if owns_job_name(first, second) or owns_job_name(second, first):
                raise ValueError(f"job_name_prefix '{first.lower()}' overlaps '{second.lower()}'")
        return self


class ConfigError(Exception):
    """A configuration mistake, worded for the person who made it."""


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _config_error(error: ValidationError, source: str) -> ConfigError:
    """The first problem of a validation error, as one line naming the field."""
    first = error.errors()[0]
    where = _field_path(tuple(first["loc"])) or "(top level)"
    message = re.sub(r"^(Value error, |Assertion failed, )", "", first["msg"])
    if first["type"] == "string_pattern_mismatch":
        message = f"{first['input']!r} does not match {first['ctx']['pattern']}"
    elif first["type"] == "too_short":
        message = f"needs at least {first['ctx']['min_length']} entry, found none"
    return ConfigError(f"{source}: {where}: {message}")


def parse_projects(raw: object, source: str = "projects") -> tuple[ProjectConfig, ...]:
    """Validate raw configuration; the first problem becomes one clear ConfigError."""
    try:
        return ProjectsFile.model_validate(raw).projects
    except ValidationError as error:
        raise _config_error(error, source) from None


def project_config(config: ProjectConfig | None, settings: Mapping[str, object]) -> ProjectConfig:
    """One project's configuration, given as a model or as its fields (keyword arguments)."""
    if config is not None:
        if settings:
            raise ConfigError(
                f"GtChainProject: give either config or keyword settings, not both "
                f"(got config and {', '.join(sorted(settings))})"
            )
        return config
    try:
        return ProjectConfig.model_validate(dict(settings))
    except ValidationError as error:
        raise _config_error(error, "GtChainProject") from None


def load_projects(path: Path) -> tuple[ProjectConfig, ...]:
    """Read and validate a projects file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: projects file not found") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None
    return parse_projects(raw, source=str(path))
