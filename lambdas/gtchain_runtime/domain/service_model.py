"""SageMaker's request shapes from botocore's service model, and a full validator for them.

botocore's ParamValidator checks types, required members and minimums but skips maximums,
patterns and enums, which SageMaker enforces. `validate_against_model` checks all of them, so
the request builder, the tests and the offline sandbox agree with AWS on what is valid.
Pure: reads the model shipped inside botocore, never calls AWS. This is the one domain module
that imports botocore (tests/unit/test_domain_purity.py): SageMaker's shapes and constraints are
botocore's model, and the Lambda Python runtime ships botocore, so reading it here keeps one source
of truth without reaching for the AWS SDK's clients.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator

# Python's re has no Unicode property classes; these stand-ins are used only inside the
# character classes SageMaker's tag patterns are made of.
_UNICODE_CLASSES = {
    r"\p{L}": r"\w",  # letters; \w also admits digits and "_", which these classes allow anyway
    r"\p{N}": r"\d",
    r"\p{Z}": r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
}


@lru_cache(maxsize=1)
def sagemaker_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


def operation(name: str) -> OperationModel:
    return sagemaker_model().operation_model(name)


def input_shape(operation_name: str) -> StructureShape:
    shape = operation(operation_name).input_shape
    if shape is None:  # every SageMaker operation has one; keeps mypy honest
        raise ValueError(f"{operation_name} has no input shape")
    return shape


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    for prop, replacement in _UNICODE_CLASSES.items():
        pattern = pattern.replace(prop, replacement)
    return re.compile(pattern)


def prune_to_shape(value: Any, shape: Shape) -> Any:
    """Keep only what `shape` accepts; drop None, empty strings and empty containers.

    Returns None when nothing is left, so callers drop the member.
    """
    if isinstance(shape, StructureShape):
        if not isinstance(value, Mapping):
            return None
        kept = {}
        for member_name, member_shape in shape.members.items():
            if member_name in value:
                pruned = prune_to_shape(value[member_name], member_shape)
                if pruned is not None:
                    kept[member_name] = pruned
        return kept or None
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return None
        items = [p for p in (prune_to_shape(item, shape.member) for item in value) if p is not None]
        return items or None
    if value is None or value == "":
        return None
    return value


# One step of a violation's path: ("member", name), ("item", index from 0), ("key", map key)
# or ("value", map key). Each caller renders paths in its own wording.
PathStep = tuple[str, Any]
_NUMBER_TYPES = frozenset({"integer", "long", "float", "double"})


@dataclass(frozen=True)
class Violation:
    """One constraint of the service model that a value breaks."""

    path: tuple[PathStep, ...]
    value: Any  # None for a missing required member
    constraint: str  # "required", "enum", "min", "max" or "pattern"
    limit: Any = None  # the bound, the pattern or the enum values


def model_violations(  # noqa: C901, PLR0912 - one branch per kind of shape in botocore's model
    shape: Shape,
    value: Any,
    *,
    compile_pattern: Callable[[str], Any] = _compiled,
    path: tuple[PathStep, ...] = (),
) -> Iterator[Violation]:
    """Every constraint of `shape` that `value` breaks, depth first in the model's member order.

    Values of an unexpected type are left to botocore's ParamValidator. `compile_pattern`
    turns a model pattern into an object with `fullmatch` (the sandbox reads the Java dialect
    with the `regex` package, which the Lambda layer does not ship).
    """
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        if not isinstance(value, Mapping):
            return
        for name, member_shape in shape.members.items():
            member_path = (*path, ("member", name))
            member_value = value.get(name)
            if member_value is None:
                if name in shape.required_members:
                    yield Violation(member_path, None, "required")
                continue
            yield from model_violations(
                member_shape, member_value, compile_pattern=compile_pattern, path=member_path
            )
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            return
        yield from _bounds(meta, value, len(value), path)
        for index, item in enumerate(value):
            yield from model_violations(
                shape.member, item, compile_pattern=compile_pattern, path=(*path, ("item", index))
            )
    elif isinstance(shape, MapShape):
        if not isinstance(value, Mapping):
            return
        for key, item in value.items():
            yield from model_violations(
                shape.key, key, compile_pattern=compile_pattern, path=(*path, ("key", key))
            )
            yield from model_violations(
                shape.value, item, compile_pattern=compile_pattern, path=(*path, ("value", key))
            )
    elif shape.type_name == "string" and isinstance(value, str):
        if "enum" in meta and value not in meta["enum"]:
            yield Violation(path, value, "enum", meta["enum"])
        yield from _bounds(meta, value, len(value), path)
        pattern = meta.get("pattern")
        if pattern is not None and compile_pattern(pattern).fullmatch(value) is None:
            yield Violation(path, value, "pattern", pattern)
    elif shape.type_name in _NUMBER_TYPES and isinstance(value, int | float):
        yield from _bounds(meta, value, value, path)


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


def validate_against_model(operation_name: str, params: Mapping[str, Any]) -> list[str]:
    """Every reason SageMaker would reject `params` for `operation_name`; empty when valid."""
    shape = input_shape(operation_name)
    problems = param_validator_problems(shape, params)
    # ParamValidator already reports missing members and minimums.
    problems.extend(
        _describe(operation_name, violation)
        for violation in model_violations(shape, params)
        if violation.constraint in ("max", "pattern", "enum")
    )
    return problems


def _describe(operation_name: str, violation: Violation) -> str:
    path = operation_name + "".join(
        f"[{part}]" if kind == "item" else f"[{part!r}]" if kind in ("key", "value") else f".{part}"
        for kind, part in violation.path
    )
    value, limit = violation.value, violation.limit
    if violation.constraint == "pattern":
        return f"{path}: {value!r} does not match {limit}"
    if violation.constraint == "enum":
        return f"{path}: {value!r} is not one of {', '.join(limit)}"
    if isinstance(value, list):
        return f"{path}: {len(value)} items, at most {limit} allowed"
    if isinstance(value, str):
        return f"{path}: {len(value)} characters, at most {limit} allowed"
    return f"{path}: {value} is above the maximum {limit}"
