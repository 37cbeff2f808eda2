"""SageMaker's service model as the server sees it: every constraint a request breaks.

Real SageMaker checks every constraint of its service model on the server (required members,
enums, lengths, ranges and patterns; https://docs.aws.amazon.com/sagemaker/latest/APIReference/CommonErrors.html,
``ValidationError``). botocore ships the same model; its ``ParamValidator`` checks types,
required members and minimums but skips patterns, maximums and enums, so this module walks the
input shape itself. The model's patterns are Java regular expressions (``\\p{L}`` and friends):
the ``regex`` package reads that dialect, ``re`` does not.

The emulator's own walk: the runtime checks its requests against the same model with its own
code, so that the two cannot agree by sharing a mistake.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
import regex
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator

# One step of a violation's path: ("member", name), ("item", index from 0), ("key", map key)
# or ("value", map key).
PathStep = tuple[str, Any]
_NUMBER_TYPES = frozenset({"integer", "long", "float", "double"})


@dataclass(frozen=True)
class Violation:
    """One constraint of the service model that a value breaks."""

    path: tuple[PathStep, ...]
    value: Any  # None for a missing required member
    constraint: str  # "required", "enum", "min", "max" or "pattern"
    limit: Any = None  # the bound, the pattern or the enum values


@cache
def sagemaker_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


def operation_model(name: str) -> OperationModel:
    return sagemaker_model().operation_model(name)


@cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def violations(shape: Shape, value: Any, path: tuple[PathStep, ...] = ()) -> Iterator[Violation]:
    """Every constraint of `shape` that `value` breaks, depth first in the model's member order.

    Values of an unexpected type are left to botocore's ParamValidator."""
    if isinstance(shape, StructureShape):
        yield from _structure_violations(shape, value, path)
    elif isinstance(shape, ListShape):
        if isinstance(value, list):
            yield from _bounds(shape.metadata, value, len(value), path)
            for index, item in enumerate(value):
                yield from violations(shape.member, item, (*path, ("item", index)))
    elif isinstance(shape, MapShape):
        if isinstance(value, Mapping):
            for key, item in value.items():
                yield from violations(shape.key, key, (*path, ("key", key)))
                yield from violations(shape.value, item, (*path, ("value", key)))
    elif shape.type_name == "string" and isinstance(value, str):
        yield from _string_violations(shape.metadata, value, path)
    elif shape.type_name in _NUMBER_TYPES and isinstance(value, int | float):
        yield from _bounds(shape.metadata, value, value, path)


def _structure_violations(
    shape: StructureShape, value: Any, path: tuple[PathStep, ...]
) -> Iterator[Violation]:
    if not isinstance(value, Mapping):
        return
    for name, member_shape in shape.members.items():
        member_path = (*path, ("member", name))
        member_value = value.get(name)
        if member_value is None:
            if name in shape.required_members:
                yield Violation(member_path, None, "required")
            continue
        yield from violations(member_shape, member_value, member_path)


def _string_violations(
    meta: Mapping[str, Any], value: str, path: tuple[PathStep, ...]
) -> Iterator[Violation]:
    if "enum" in meta and value not in meta["enum"]:
        yield Violation(path, value, "enum", meta["enum"])
    yield from _bounds(meta, value, len(value), path)
    pattern = meta.get("pattern")
    if pattern is not None and _compiled(pattern).fullmatch(value) is None:
        yield Violation(path, value, "pattern", pattern)


def _bounds(
    meta: Mapping[str, Any], value: Any, size: float, path: tuple[PathStep, ...]
) -> Iterator[Violation]:
    if "min" in meta and size < meta["min"]:
        yield Violation(path, value, "min", meta["min"])
    if "max" in meta and size > meta["max"]:
        yield Violation(path, value, "max", meta["max"])


def param_validator_problems(shape: Shape, params: Mapping[str, Any]) -> list[str]:
    """botocore's ParamValidator report (types, required members, minimums), one line each."""
    report = ParamValidator().validate(dict(params), shape)
    if not report.has_errors():
        return []
    return [line.strip() for line in report.generate_report().splitlines() if line.strip()]
