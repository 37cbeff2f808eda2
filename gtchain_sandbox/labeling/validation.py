"""Server-side request validation for the emulated labeling-job operations.

Real SageMaker checks every constraint of its service model on the server and answers
``ValidationException`` with one message per violated constraint. botocore's
``ParamValidator`` checks types, required members and minimums, but skips patterns,
maximums and enums, so the constraints are read from the loaded service model by walking
the input shape (nothing is hand-listed here) and reported in AWS's wording.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import regex
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.session import get_session
from botocore.validate import ParamValidator
from moto.sagemaker.exceptions import ValidationError

SERVICE_NAME = "sagemaker"
METADATA_SUFFIX = "-metadata"


@cache
def operation_model(operation_name: str) -> OperationModel:
    return get_session().get_service_model(SERVICE_NAME).operation_model(operation_name)


@cache
def _compiled_pattern(pattern: str) -> regex.Pattern[str]:
    # The model's patterns are Java regular expressions (\p{L} and friends); the `regex`
    # module reads that dialect, `re` does not.
    return regex.compile(pattern)


def _field_path(parent: str, member: str) -> str:
    # AWS names fields in lowerCamelCase dotted paths: humanTaskConfig.taskTitle, tags.1.member.key
    name = member[:1].lower() + member[1:]
    return f"{parent}.{name}" if parent else name


def _render(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    return str(value)


def _violation(value: Any, path: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{_render(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: Member {constraint}"


def _scalar_violations(shape: Shape, value: Any, path: str) -> Iterator[str]:
    metadata = shape.metadata
    if shape.type_name == "string" and isinstance(value, str):
        if "enum" in metadata and value not in metadata["enum"]:
            allowed = "[" + ", ".join(metadata["enum"]) + "]"
            yield _violation(value, path, f"must satisfy enum value set: {allowed}")
        if "min" in metadata and len(value) < metadata["min"]:
            yield _violation(value, path, f"must have length greater than or equal to {metadata['min']}")
        if "max" in metadata and len(value) > metadata["max"]:
            yield _violation(value, path, f"must have length less than or equal to {metadata['max']}")
        pattern = metadata.get("pattern")
        if pattern is not None and _compiled_pattern(pattern).fullmatch(value) is None:
            yield _violation(value, path, f"must satisfy regular expression pattern: {pattern}")
    elif shape.type_name in {"integer", "long", "float", "double"} and isinstance(value, int | float):
        if "min" in metadata and value < metadata["min"]:
            yield _violation(value, path, f"must have value greater than or equal to {metadata['min']}")
        if "max" in metadata and value > metadata["max"]:
            yield _violation(value, path, f"must have value less than or equal to {metadata['max']}")


def constraint_violations(shape: Shape, value: Any, path: str = "") -> Iterator[str]:
    """Every constraint of `shape` that `value` breaks, in AWS's wording, depth first.

    Values of an unexpected type are left to botocore's ParamValidator.
    """
    if isinstance(shape, StructureShape):
        if not isinstance(value, Mapping):
            return
        for member_name, member_shape in shape.members.items():
            member_path = _field_path(path, member_name)
            member_value = value.get(member_name)
            if member_value is None:
                if member_name in shape.required_members:
                    yield _violation(None, member_path, "must not be null")
                continue
            yield from constraint_violations(member_shape, member_value, member_path)
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            return
        metadata = shape.metadata
        if "min" in metadata and len(value) < metadata["min"]:
            yield _violation(value, path, f"must have length greater than or equal to {metadata['min']}")
        if "max" in metadata and len(value) > metadata["max"]:
            yield _violation(value, path, f"must have length less than or equal to {metadata['max']}")
        for index, item in enumerate(value, start=1):
            yield from constraint_violations(shape.member, item, f"{path}.{index}.member")
    elif isinstance(shape, MapShape):
        if not isinstance(value, Mapping):
            return
        for key, item in value.items():
            yield from constraint_violations(shape.key, key, f"{path}.{key}.key")
            yield from constraint_violations(shape.value, item, f"{path}.{key}.value")
    else:
        yield from _scalar_violations(shape, value, path)


def _type_errors(shape: Shape, params: Mapping[str, Any]) -> list[str]:
    report = ParamValidator().validate(dict(params), shape)
    if not report.has_errors():
        return []
    return [line.strip() for line in report.generate_report().splitlines() if line.strip()]


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
    raise_for_errors(_type_errors(input_shape, params))


def validate_create_semantics(params: Mapping[str, Any]) -> None:
    """Rules CreateLabelingJob enforces beyond the service model's shapes."""
    errors: list[str] = []
    attribute = params.get("LabelAttributeName")
    if isinstance(attribute, str) and attribute.endswith(METADATA_SUFFIX):
        errors.append(f"LabelAttributeName '{attribute}' must not end with '{METADATA_SUFFIX}'")
    data_source = params.get("InputConfig", {}).get("DataSource", {})
    sources = [name for name in ("S3DataSource", "SnsDataSource") if data_source.get(name) is not None]
    if len(sources) != 1:
        errors.append(
            "InputConfig.DataSource must set exactly one of S3DataSource or SnsDataSource"
            f" (got {', '.join(sources) or 'none'})"
        )
    ui_config = params.get("HumanTaskConfig", {}).get("UiConfig", {})
    if not ui_config.get("UiTemplateS3Uri") and not ui_config.get("HumanTaskUiArn"):
        errors.append("HumanTaskConfig.UiConfig must set UiTemplateS3Uri or HumanTaskUiArn")
    raise_for_errors(errors)
