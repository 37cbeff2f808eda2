"""Manifest builders for the unit tier: a simple, slow reference of the chain planner, the
planner run on in-memory files, and a hypothesis strategy of manifest records."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import strategies as st

from gtchain_runtime.domain.manifest import ManifestPlan, diff_manifests

A = "animal"


AM = f"{A}-metadata"


MAX_CHARS = 100_000


# ---------------------------------------------------------------- the reference (simple, slow)
def _ref_status(record: dict[str, Any], attribute: str) -> str:
    metadata = record.get(f"{attribute}-metadata")
    if isinstance(metadata, dict) and "failure-reason" in metadata:
        return "failed"
    if record.get(attribute) is not None:
        machine = isinstance(metadata, dict) and metadata.get("human-annotated") == "no"
        return "machine" if machine else "human"
    return "unlabeled"


def _ref_strip(record: dict[str, Any], attribute: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in (attribute, f"{attribute}-metadata")}


def _ref_key(record: Any) -> tuple[str, str] | None:
    if not isinstance(record, dict):
        return None
    if record.get("source-ref") is not None:
        value, kind = record["source-ref"], "r"
    else:
        value, kind = record.get("source"), "s"
    return (kind, value) if isinstance(value, str) and value else None


def _ref_read(lines: list[bytes], file: str) -> tuple[dict[Any, dict[str, Any]], set[tuple[str, int]]]:
    """Objects by (key kind, key, occurrence of the key): one line is one object."""
    objects: dict[Any, dict[str, Any]] = {}
    occurrences: dict[tuple[str, str], int] = {}
    unused: set[tuple[str, int]] = set()
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
            record = json.loads(text) if len(text) <= MAX_CHARS else None
        except ValueError:
            record = None
        key = _ref_key(record)
        if key is None:
            unused.add((file, number))
            continue
        assert isinstance(record, dict)
        occurrence = occurrences[key] = occurrences.get(key, -1) + 1
        objects[(*key, occurrence)] = record
    return objects, unused


def reference_plan(
    input_lines: list[bytes], output_lines: list[bytes] | None, attribute: str
) -> tuple[list[dict[str, Any]], dict[str, int], set[tuple[str, int]]]:
    inputs, unused = _ref_read(input_lines, "input")
    outputs, unused_out = _ref_read(output_lines or [], "output")
    chained: list[dict[str, Any]] = []
    counts = {"human": 0, "machine": 0, "failed": 0, "unlabeled": 0, "input_labeled": 0}
    for key in list(inputs) + [k for k in outputs if k not in inputs]:
        out, inp = outputs.get(key), inputs.get(key)
        out_status = _ref_status(out, attribute) if out is not None else None
        in_status = _ref_status(inp, attribute) if inp is not None else None
        if out is not None and out_status in ("human", "machine", "failed"):
            line, status = (
                (out, out_status) if out_status != "failed" else (_ref_strip(out, attribute), "failed")
            )
        elif out is not None and inp is not None and in_status in ("human", "machine"):
            line = _ref_strip(out, attribute) | {attribute: inp[attribute]}
            if f"{attribute}-metadata" in inp:
                line[f"{attribute}-metadata"] = inp[f"{attribute}-metadata"]
            status = in_status
        else:
            base = out if out is not None else inp
            assert base is not None
            status = _ref_status(base, attribute)
            line = base if status in ("human", "machine") else _ref_strip(base, attribute)
        chained.append(line)
        counts[status] += 1
        counts["input_labeled"] += status in ("human", "machine") and in_status in ("human", "machine")
    return chained, counts, unused | unused_out


def _ref_distinct_keys(input_lines: list[bytes], output_lines: list[bytes] | None) -> set[Any]:
    inputs, _ = _ref_read(input_lines, "input")
    outputs, _ = _ref_read(output_lines or [], "output")
    return {key[:2] for key in (*inputs, *outputs)}


def line(record: Any) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def run(
    inputs: list[bytes], outputs: list[bytes] | None, attribute: str = A
) -> tuple[ManifestPlan, list[dict[str, Any]], list[dict[str, Any]]]:
    chained, rejects = io.BytesIO(), io.BytesIO()
    output_file = io.BytesIO(b"".join(outputs)) if outputs is not None else None
    plan = diff_manifests(io.BytesIO(b"".join(inputs)), output_file, attribute, chained, rejects)
    return (
        plan,
        [json.loads(x) for x in chained.getvalue().splitlines()],
        [json.loads(x) for x in rejects.getvalue().splitlines()],
    )


def check_against_reference(inputs: list[bytes], outputs: list[bytes] | None, attribute: str = A) -> None:
    plan, chained, rejects = run(inputs, outputs, attribute)
    expected, counts, unused = reference_plan(inputs, outputs, attribute)
    assert chained == expected  # every object once, in order, no label lost, only failed stripped
    assert {(r["file"], r["line"]) for r in rejects} == unused  # every unused line is reported
    assert len(rejects) == len(unused) == plan.rejected
    assert plan.repeated_keys == len(expected) - len(_ref_distinct_keys(inputs, outputs))
    assert plan.human_labeled == counts["human"]
    assert plan.machine_labeled == counts["machine"]
    assert plan.failed == counts["failed"]
    assert plan.unlabeled == counts["unlabeled"]
    assert plan.input_labeled == counts["input_labeled"]
    assert plan.total == len(expected) == plan.labeled + plan.remaining
    assert plan.remaining == plan.failed + plan.unlabeled


_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8)


JSON_VALUES = st.recursive(
    _SCALARS | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


_METADATA = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            "failure-reason": JSON_VALUES,
            "human-annotated": st.sampled_from(["yes", "no", None, 0]),
            "confidence": st.floats(0, 1),
        },
    ),
)


@st.composite
def label_records(draw: st.DrawFn) -> dict[str, Any]:
    """A manifest record with or without a label and metadata of any JSON shape, and other keys."""
    record: dict[str, Any] = {"source-ref": draw(st.text(min_size=1, max_size=12))}
    if draw(st.booleans()):
        record[A] = draw(JSON_VALUES)
    if draw(st.booleans()):
        record[AM] = draw(_METADATA)
    record.update(draw(st.dictionaries(st.sampled_from(["other", "other-metadata", "source"]), JSON_VALUES)))
    return record
