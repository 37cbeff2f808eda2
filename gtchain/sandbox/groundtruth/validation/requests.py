"""Server-side request validation for the emulated labeling-job operations.

Real SageMaker checks every constraint of its service model on the server and answers
``ValidationException`` with one message per violated constraint. botocore's
``ParamValidator`` checks types, required members and minimums, but skips patterns,
maximums and enums, so the constraints are read from the loaded service model by walking
the input shape (nothing is hand-listed here; the walk is :mod:`.service_model`) and reported
in AWS's wording.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botocore.model import Shape
from moto.sagemaker.exceptions import ValidationError

from gtchain.sandbox.groundtruth.outputs.labels import built_in_task_type
from gtchain.sandbox.groundtruth.validation.documented_limits import documented_limit_errors
from gtchain.sandbox.groundtruth.validation.service_model import (
    Violation,
    operation_model,
    param_validator_problems,
    violations,
)

__all__ = ["constraint_violations", "operation_model", "validate_create_semantics", "validate_request"]

METADATA_SUFFIX = "-metadata"
REF_SUFFIX = "-ref"
RESERVED_LABEL_ATTRIBUTES = frozenset({"source", "source-ref"})
# CreateLabelingJob's LabelAttributeName (botocore's model documentation, and
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateLabelingJob.html): the
# attribute name "must end with -ref" for these built-in task types (their pre-annotation
# Lambda is PRE-<task type>); "If the task type you are using is not listed below, the
# attribute name must not end with -ref" (the developer guide's sms-data-output.html says the
# same). VerificationSemanticSegmentation "must not end with -ref" (the newer wording).
REF_TASK_TYPES = frozenset(
    {
        "semanticsegmentation",
        "adjustmentsemanticsegmentation",
        "videoobjectdetection",
        "adjustmentvideoobjectdetection",
        "videoobjecttracking",
        "adjustmentvideoobjecttracking",
        "3dpointcloudsemanticsegmentation",
        "adjustment3dpointcloudsemanticsegmentation",
        "3dpointcloudobjecttracking",
        "adjustment3dpointcloudobjecttracking",
    }
)
SEMANTIC_SEGMENTATION_TASK_TYPES = frozenset(
    {"semanticsegmentation", "adjustmentsemanticsegmentation", "verificationsemanticsegmentation"}
)


def _field_path(violation: Violation) -> str:
    # AWS names fields in lowerCamelCase dotted paths: humanTaskConfig.taskTitle, tags.1.member.key
    parts: list[str] = []
    for kind, part in violation.path:
        if kind == "member":
            parts.append(part[:1].lower() + part[1:])
        elif kind == "item":
            parts.append(f"{part + 1}.member")
        else:  # a map's "key" or "value"
            parts.append(f"{part}.{kind}")
    return ".".join(parts)


def _render(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    return str(value)


def _constraint(violation: Violation) -> str:
    limit = violation.limit
    if violation.constraint == "required":
        return "must not be null"
    if violation.constraint == "enum":
        return f"must satisfy enum value set: [{', '.join(limit)}]"
    if violation.constraint == "pattern":
        return f"must satisfy regular expression pattern: {limit}"
    measure = "length" if isinstance(violation.value, str | list) else "value"
    relation = "greater" if violation.constraint == "min" else "less"
    return f"must have {measure} {relation} than or equal to {limit}"


def constraint_violations(shape: Shape, value: Any) -> Iterator[str]:
    """Every constraint of `shape` that `value` breaks, in AWS's wording, depth first.

    Values of an unexpected type are left to botocore's ParamValidator.
    """
    for violation in violations(shape, value):
        shown = "null" if violation.value is None else f"'{_render(violation.value)}'"
        where = _field_path(violation)
        yield f"Value {shown} at '{where}' failed to satisfy constraint: Member {_constraint(violation)}"


def raise_for_errors(errors: list[str]) -> None:
    if not errors:
        return
    noun = "error" if len(errors) == 1 else "errors"
    raise ValidationError(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


def validate_request(operation_name: str, params: Mapping[str, Any]) -> None:
    """Raise moto's ValidationException (code ``ValidationException``) naming each bad field."""
    input_shape = operation_model(operation_name).input_shape
    if input_shape is None:
        return
    # Constraint violations first: they carry AWS's wording. botocore's report covers the
    # rest (wrong types, unknown members), which AWS's own parser would reject as well.
    raise_for_errors(list(constraint_violations(input_shape, params)))
    raise_for_errors(param_validator_problems(input_shape, params))


def validate_create_semantics(params: Mapping[str, Any]) -> None:
    """Rules CreateLabelingJob enforces beyond the service model's shapes. LabelAttributeName
    ``source`` and ``source-ref`` are refused: "The names source and source-ref are reserved and
    can't be used" (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-reusing-data.html)."""
    errors: list[str] = []
    attribute = params.get("LabelAttributeName")
    if isinstance(attribute, str) and attribute.endswith(METADATA_SUFFIX):
        errors.append(f"LabelAttributeName '{attribute}' must not end with '{METADATA_SUFFIX}'")
    task_type = built_in_task_type(params)
    if isinstance(attribute, str) and not attribute.endswith(METADATA_SUFFIX):
        if task_type in REF_TASK_TYPES and not attribute.endswith(REF_SUFFIX):
            errors.append(f"LabelAttributeName '{attribute}' must end with '{REF_SUFFIX}' for this task type")
        elif task_type not in REF_TASK_TYPES and attribute.endswith(REF_SUFFIX):
            errors.append(
                f"LabelAttributeName '{attribute}' must not end with '{REF_SUFFIX}' for this task type"
            )
        elif attribute in RESERVED_LABEL_ATTRIBUTES:
            errors.append(
                f"LabelAttributeName '{attribute}' is reserved for the data object of a manifest line"
            )
    data_source = params.get("InputConfig", {}).get("DataSource", {})
    sources = [name for name in ("S3DataSource", "SnsDataSource") if data_source.get(name) is not None]
    if len(sources) != 1:
        errors.append(
            "InputConfig.DataSource must set exactly one of S3DataSource or SnsDataSource"
            f" (got {', '.join(sources) or 'none'})"
        )
    errors += documented_limit_errors(params, task_type)
    ui_config = params.get("HumanTaskConfig", {}).get("UiConfig", {})
    if not ui_config.get("UiTemplateS3Uri") and not ui_config.get("HumanTaskUiArn"):
        errors.append("HumanTaskConfig.UiConfig must set UiTemplateS3Uri or HumanTaskUiArn")
    raise_for_errors(errors)
