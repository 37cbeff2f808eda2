"""SageMaker's request shapes from botocore's service model, and a full validator for them.

botocore's ParamValidator checks types, required members and minimums but skips maximums,
patterns and enums, which SageMaker enforces. `validate_against_model` checks all of them, so
the request builder, the tests and the offline sandbox agree with AWS on what is valid.
Pure: reads the model shipped inside botocore, never calls AWS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape
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


def validate_against_model(operation_name: str, params: Mapping[str, Any]) -> list[str]:
    """Every reason SageMaker would reject `params` for `operation_name`; empty when valid."""
    shape = input_shape(operation_name)
    problems: list[str] = []
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        problems.extend(line.strip() for line in report.generate_report().splitlines() if line.strip())
    _check_constraints(params, shape, operation_name, problems)
    return problems


def _check_constraints(value: Any, shape: Shape, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        if isinstance(value, Mapping):
            for name, member_value in value.items():
                if name in shape.members:
                    _check_constraints(member_value, shape.members[name], f"{path}.{name}", problems)
        return
    if isinstance(shape, ListShape):
        if isinstance(value, list):
            if "max" in meta and len(value) > meta["max"]:
                problems.append(f"{path}: {len(value)} items, at most {meta['max']} allowed")
            for index, item in enumerate(value):
                _check_constraints(item, shape.member, f"{path}[{index}]", problems)
        return
    if isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} characters, at most {meta['max']} allowed")
        if "pattern" in meta and _compiled(meta["pattern"]).fullmatch(value) is None:
            problems.append(f"{path}: {value!r} does not match {meta['pattern']}")
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")
    elif isinstance(value, int) and not isinstance(value, bool) and "max" in meta and value > meta["max"]:
        problems.append(f"{path}: {value} is above the maximum {meta['max']}")
