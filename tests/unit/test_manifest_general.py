"""The general path past one key-table block: shuffled output, input-only and output-only objects,
repeated keys far apart, a bad size estimate; on real files (positional reads) and in memory."""

from __future__ import annotations

import io
import json
import os
import random
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from gtchain_runtime.domain.manifest import ManifestPlan, diff_manifests, general
from gtchain_runtime.domain.manifest.keys import BLOCK_LINES, KeyTable
from tests.support.manifests import AM, A, line, reference_plan

BLOCK = BLOCK_LINES
OBJECTS = 3 * BLOCK + 17  # several blocks: the key table grows while the lines stream


def _record(index: int, rng: random.Random, pad: int = 0) -> dict[str, Any]:
    """An object in one of the label states; now and then keyed by "source"."""
    key = "source" if index % 29 == 0 else "source-ref"
    record: dict[str, Any] = {key: f"s3://b/{index}.jpg", "pad": "x" * pad}
    roll = rng.random()
    if roll < 0.5:
        record[A] = index
        record[AM] = {"human-annotated": "no" if roll < 0.1 else "yes"}
    elif roll < 0.6:
        record[AM] = {"failure-reason": "ClientError: timed out"}
    elif roll < 0.65:
        record[A] = None  # residue: unlabeled, A removed from the chained line
    return record


def _plan(
    inputs: list[bytes], outputs: list[bytes] | None, tmp_path: Path, on_disk: bool
) -> tuple[ManifestPlan, bytes, bytes]:
    """diff_manifests on files (os.pread for out-of-order lines) or on in-memory streams."""
    if not on_disk:
        chained, rejects = io.BytesIO(), io.BytesIO()
        output = io.BytesIO(b"".join(outputs)) if outputs is not None else None
        plan = diff_manifests(io.BytesIO(b"".join(inputs)), output, A, chained, rejects)
        return plan, chained.getvalue(), rejects.getvalue()
    with ExitStack() as stack:
        input_file = stack.enter_context(_written(tmp_path / "input", inputs))
        output_file = (
            stack.enter_context(_written(tmp_path / "output", outputs)) if outputs is not None else None
        )
        chained_file = stack.enter_context((tmp_path / "chained").open("w+b"))
        rejects_file = stack.enter_context((tmp_path / "rejects").open("w+b"))
        plan = diff_manifests(input_file, output_file, A, chained_file, rejects_file)
    return plan, (tmp_path / "chained").read_bytes(), (tmp_path / "rejects").read_bytes()


def _written(path: Path, lines: list[bytes]) -> BinaryIO:
    path.write_bytes(b"".join(lines))
    return path.open("rb")


def _check(inputs: list[bytes], outputs: list[bytes] | None, tmp_path: Path, on_disk: bool) -> ManifestPlan:
    plan, chained, rejects = _plan(inputs, outputs, tmp_path, on_disk)
    expected, counts, unused = reference_plan(inputs, outputs, A)
    assert [json.loads(x) for x in chained.splitlines()] == expected
    reported = [json.loads(x) for x in rejects.splitlines()]
    assert {(r["file"], r["line"]) for r in reported} == unused
    assert len(reported) == plan.rejected
    assert (plan.human_labeled, plan.machine_labeled) == (counts["human"], counts["machine"])
    assert (plan.failed, plan.unlabeled) == (counts["failed"], counts["unlabeled"])
    assert plan.input_labeled == counts["input_labeled"]
    assert plan.total == len(expected)
    return plan


@pytest.fixture
def preads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the positional reads of the output (each call appends the length read)."""
    calls: list[int] = []
    real_pread = os.pread

    def counting_pread(fd: int, length: int, offset: int) -> bytes:
        calls.append(length)
        return real_pread(fd, length, offset)

    monkeypatch.setattr(general.os, "pread", counting_pread)
    return calls


@pytest.mark.parametrize("on_disk", [True, False], ids=["file", "memory"])
def test_shuffled_output(tmp_path: Path, on_disk: bool, preads: list[int]) -> None:
    rng = random.Random(1)
    records = [_record(i, rng) for i in range(OBJECTS)]
    inputs = [line({k: v for k, v in r.items() if k not in (A, AM)}) for r in records]
    inputs[5] = line(records[5])  # a third-party label the output keeps
    outputs = [line(r) for r in records]
    rng.shuffle(outputs)
    plan = _check(inputs, outputs, tmp_path, on_disk)
    assert plan.total == OBJECTS and plan.repeated_keys == plan.rejected == 0
    assert (len(preads) > OBJECTS // 2) is on_disk  # the out-of-order lines, one read each


@pytest.mark.parametrize("on_disk", [True, False], ids=["file", "memory"])
def test_partial_overlap_with_repeated_keys_far_apart(tmp_path: Path, on_disk: bool) -> None:
    rng = random.Random(2)
    records = [_record(i, rng) for i in range(OBJECTS)]
    # The input holds the first two thirds, the output the last two thirds (shuffled): input-only
    # objects outgrow a block, output-only ones are appended from far apart output lines.
    inputs = [line(r) for r in records[: 2 * OBJECTS // 3]]
    outputs = [line(r) for r in records[OBJECTS // 3 :]]
    rng.shuffle(outputs)
    inputs += [inputs[3], inputs[-1], b"{bad json\n", b"\n"]  # repeats of an input-only, a common object
    outputs.insert(BLOCK + 5, outputs[2])  # an output repeat, a block away
    outputs.append(b'{"source-ref": 5}\n')
    plan = _check(inputs, outputs, tmp_path, on_disk)
    assert plan.repeated_keys == 3 and plan.rejected == 2


def test_no_output_sizes_the_table_from_the_input(tmp_path: Path) -> None:
    rng = random.Random(3)
    inputs = [line(_record(i, rng)) for i in range(OBJECTS)]
    inputs.append(inputs[BLOCK + 1])
    plan = _check(inputs, None, tmp_path, on_disk=True)
    assert plan.total == OBJECTS + 1 and plan.repeated_keys == 1


def test_the_table_grows_past_a_low_estimate(tmp_path: Path) -> None:
    """Long lines in the first block make the file look like it holds few objects."""
    rng = random.Random(4)
    records = [_record(i, rng, pad=2000 if i < BLOCK else 0) for i in range(OBJECTS)]
    outputs = [line(r) for r in records]
    inputs = [line(r) for r in reversed(records)]
    plan = _check(inputs, outputs, tmp_path, on_disk=True)
    assert plan.total == OBJECTS


def test_key_table_finds_every_key_after_rehashing() -> None:
    table = KeyTable()
    # Keys sharing their low bits (long probe chains), negative keys, and zero.
    keys = [i << 40 for i in range(1, 600)] + [-(i << 40) - 1 for i in range(600)] + [0]
    for value, key in enumerate(keys, 1):
        table.reserve(table.size + 1)
        slot = table.slot(key)
        assert table.values[slot] == 0
        table.keys[slot], table.values[slot] = key, value
        table.size += 1
    table.reserve(4 * len(keys))
    assert [table.values[table.slot(key)] for key in keys] == list(range(1, len(keys) + 1))
    assert 2 * table.size <= len(table.values)
