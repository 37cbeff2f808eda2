"""Output manifests that real Ground Truth jobs wrote (and the developer guide's examples), read
where they are: ``../shared/real_gt/`` relative to the project root (never copied here).

For every file and every label attribute it carries: stats, the plan of a job that labeled
all of it (full), part of it (partial), all of it in another order (shuffled), every other
object (sparse), and a chain of two jobs (chained), then consolidation. Every label comes back
byte for byte, every line is one object (a real NER job labels two lines of one text as two
objects). Skips when the folder is absent, except under ``CI=true``.
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from gtchain_runtime.domain.consolidate import consolidate_chain
from gtchain_runtime.domain.manifest import diff_manifests, manifest_stats

REAL_GT = Path(__file__).resolve().parents[2].parent / "shared" / "real_gt"


def _cases() -> list[Any]:
    if not REAL_GT.is_dir():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{REAL_GT} is missing: the real-output tier must run in CI")
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{REAL_GT} is absent"))]
    cases = []
    for path in sorted(REAL_GT.glob("cases/*/*.manifest")):
        for attribute in sorted(_label_attributes(path.read_bytes())):
            cases.append(pytest.param(path, attribute, id=f"{path.parent.name}/{path.name}:{attribute}"))
    if not cases:
        raise RuntimeError(f"{REAL_GT} holds no case/*.manifest file")
    return cases


def _label_attributes(data: bytes) -> set[str]:
    """Every attribute that has its ``-metadata`` next to it on some line."""
    names: set[str] = set()
    for raw in data.splitlines():
        if raw.strip():
            record = orjson.loads(raw)
            names |= {key[: -len("-metadata")] for key in record if key.endswith("-metadata")}
    return {name for name in names if name not in ("source", "source-ref")}


def _lines(data: bytes) -> list[bytes]:
    return [raw + b"\n" for raw in data.splitlines() if raw.strip()]


def _labeled(lines: list[bytes], attribute: str) -> list[bool]:
    """Per line: whether Ground Truth labeled it (the label present, no failure-reason)."""
    flags = []
    for raw in lines:
        record = orjson.loads(raw)
        metadata = record.get(f"{attribute}-metadata")
        failed = isinstance(metadata, dict) and "failure-reason" in metadata
        flags.append(record.get(attribute) is not None and not failed)
    return flags


def _unlabeled(line: bytes, attribute: str) -> bytes:
    record = orjson.loads(line)
    record.pop(attribute, None)
    record.pop(f"{attribute}-metadata", None)
    return orjson.dumps(record) + b"\n"


def _plan(inputs: list[bytes], outputs: list[bytes], attribute: str) -> tuple[Any, list[bytes]]:
    chained, rejects = io.BytesIO(), io.BytesIO()
    plan = diff_manifests(
        io.BytesIO(b"".join(inputs)), io.BytesIO(b"".join(outputs)), attribute, chained, rejects
    )
    assert rejects.getvalue() == b""
    return plan, chained.getvalue().splitlines(keepends=True)


CASES = _cases()


@pytest.mark.parametrize(("path", "attribute"), CASES)
def test_stats_count_every_line_as_an_object(path: Path, attribute: str) -> None:
    lines = _lines(path.read_bytes())
    stats = manifest_stats(io.BytesIO(b"".join(lines)), attribute)
    labeled = sum(_labeled(lines, attribute))
    assert (stats.objects, stats.labeled, stats.rejected) == (len(lines), labeled, 0)


@pytest.mark.parametrize(("path", "attribute"), CASES)
@pytest.mark.parametrize("shape", ["full", "partial", "shuffled", "sparse"])
def test_plan_keeps_every_label_byte_for_byte(path: Path, attribute: str, shape: str) -> None:
    outputs = _lines(path.read_bytes())
    inputs = [_unlabeled(line, attribute) for line in outputs]
    if shape == "partial":  # stopped part way: the output's later lines carry no label yet
        cut = len(outputs) // 2
        outputs = outputs[:cut] + inputs[cut:]
    elif shape == "sparse":  # every other object labeled
        outputs = [out if index % 2 == 0 else inputs[index] for index, out in enumerate(outputs)]
    written = list(outputs)
    if shape == "shuffled":
        random.Random(19).shuffle(written)
    plan, chained = _plan(inputs, written, attribute)
    # One line per input line, in input order, and each labeled line is the output's, byte for byte.
    assert len(chained) == len(inputs) == plan.total
    labeled = _labeled(outputs, attribute)
    for line, output, is_labeled in zip(chained, outputs, labeled, strict=True):
        if is_labeled:
            assert line == output
        else:
            assert orjson.loads(line) == orjson.loads(_unlabeled(output, attribute))
    assert plan.labeled == sum(labeled)


@pytest.mark.parametrize(("path", "attribute"), CASES)
def test_a_chain_of_two_jobs_consolidates_every_label(path: Path, attribute: str) -> None:
    outputs = _lines(path.read_bytes())
    inputs = [_unlabeled(line, attribute) for line in outputs]
    cut = (len(outputs) + 1) // 2
    first_job = outputs[:cut] + inputs[cut:]  # the root stopped half way
    _, chained = _plan(inputs, first_job, attribute)
    # The child labels the rest as the real job did: its output is the real file.
    labeled = _labeled(outputs, attribute)
    plan, _ = _plan(chained, outputs, attribute)
    assert plan.remaining == labeled.count(False)
    final, rejects = io.BytesIO(), io.BytesIO()
    report = consolidate_chain(
        [("root", io.BytesIO(b"".join(first_job))), ("child", io.BytesIO(b"".join(outputs)))],
        attribute,
        final,
        rejects,
    )
    assert rejects.getvalue() == b""
    final_lines = final.getvalue().splitlines(keepends=True)
    assert len(final_lines) == len(outputs) == report.total
    for line, output, is_labeled in zip(final_lines, outputs, labeled, strict=True):
        if is_labeled:
            assert line == output  # byte for byte: escapes, key order, odd characters
    assert report.labeled == sum(labeled)
