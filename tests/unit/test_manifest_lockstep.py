"""The planner's lockstep fast path (output lists the input's objects line for line) against the
reference of test_manifest, plus the surprises that must send it to the general path."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gtchain_runtime.domain.manifest import diff_manifests, general, keys, lockstep
from tests.support.manifests import AM, A, check_against_reference, line, run

_label = st.one_of(st.none(), st.integers(0, 3), st.just({"annotations": [{"left": 1}]}))
_metadata = st.one_of(
    st.none(),
    st.just(None).map(lambda _: "null"),  # the key present with a null value
    st.fixed_dictionaries({"human-annotated": st.sampled_from(["yes", "no"])}),
    st.fixed_dictionaries({"failure-reason": st.just("ClientError: timed out")}),
    st.just("failure-reason as a string"),
)


def _labeled(record: dict[str, Any], label: Any, metadata: Any, with_label: bool) -> dict[str, Any]:
    record = dict(record)
    if with_label:
        record[A] = label
    if metadata == "null":
        record[AM] = None
    elif metadata is not None:
        record[AM] = metadata
    return record


@st.composite
def _aligned_manifests(draw: st.DrawFn) -> tuple[list[bytes], list[bytes]]:
    """Input and output naming the same distinct objects in the same order."""
    count = draw(st.integers(0, 30))
    inputs, outputs = [], []
    for index in range(count):
        base = {"source-ref": f"s3://b/ü-{index}.jpg", "other": 1, "other-metadata": {"failure-reason": "x"}}
        inputs.append(line(_labeled(base, draw(_label), draw(_metadata), draw(st.booleans()))))
        outputs.append(line(_labeled(base, draw(_label), draw(_metadata), draw(st.booleans()))))
    return inputs, outputs


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=_aligned_manifests())
def test_lockstep_matches_the_reference(decoder: str, files: tuple[list[bytes], list[bytes]]) -> None:
    check_against_reference(*files)


def _aligned(count: int) -> tuple[list[bytes], list[bytes]]:
    keys = [f"s3://b/{i}" for i in range(count)]
    inputs = [line({"source-ref": k}) for k in keys]
    outputs = [line({"source-ref": k, A: i, AM: {"human-annotated": "yes"}}) for i, k in enumerate(keys)]
    return inputs, outputs


def test_the_common_shape_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_general_path(*_: object) -> None:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(general.Planner, "run", no_general_path)
    inputs, outputs = _aligned(200)  # several blocks
    plan, _, rejects = run(inputs, outputs)
    assert plan.labeled == plan.total == 200 and rejects == []


@pytest.mark.parametrize(
    "surprise",
    [
        "duplicate",
        "extra output line",
        "missing output line",
        "swapped",
        "blank",
        "bad json",
        "source key",
        "bad utf-8 in a skipped string",  # the views skip strings unchecked
        "null metadata",  # a valid object outside the views' shape
    ],
)
def test_surprises_fall_back_to_the_general_path(surprise: str) -> None:
    inputs, outputs = _aligned(150)  # the surprise lands after some lockstep blocks
    if surprise == "duplicate":
        inputs[140] = inputs[3]
        outputs[140] = outputs[3]
    elif surprise == "extra output line":
        outputs.append(line({"source-ref": "s3://b/only-in-output", A: 1}))
    elif surprise == "missing output line":
        del outputs[149]
    elif surprise == "swapped":
        outputs[100], outputs[101] = outputs[101], outputs[100]
    elif surprise == "blank":
        inputs.insert(120, b"\n")
    elif surprise == "bad json":
        outputs[130] = b"{oops\n"
    elif surprise == "source key":
        inputs[145] = line({"source": "text"})
    elif surprise == "bad utf-8 in a skipped string":
        outputs[120] = outputs[120].replace(b'"source-ref"', b'"note": "caf\xe9", "source-ref"')
    elif surprise == "null metadata":
        outputs[110] = line({"source-ref": "s3://b/110", AM: None})
    check_against_reference(inputs, outputs)


def test_unicode_lines_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_general_path(*_: object) -> None:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(general.Planner, "run", no_general_path)
    keys = [f"s3://b/ünïcode-🐈-{i}.jpg" for i in range(100)]
    inputs = [line({"source-ref": k, "note": "日本語"}) for k in keys]
    outputs = [line({"source-ref": k, "note": "日本語", A: 1}) for k in keys]
    plan, chained, _ = run(inputs, outputs)
    assert plan.labeled == 100 and [r["source-ref"] for r in chained] == keys


def test_last_output_line_without_newline_and_long_lines() -> None:
    inputs, outputs = _aligned(3)
    outputs[-1] = outputs[-1].rstrip(b"\n")
    chained = io.BytesIO()
    plan = diff_manifests(
        io.BytesIO(b"".join(inputs)), io.BytesIO(b"".join(outputs)), A, chained, io.BytesIO()
    )
    assert chained.getvalue() == b"".join(outputs) + b"\n" and plan.total == 3
    long_input = line({"source-ref": "s3://b/0", "pad": "é" * 60_000})  # > 100,000 bytes, valid
    check_against_reference([long_input, inputs[1]], _aligned(2)[1])


def test_a_key_hash_collision_in_lockstep_is_not_a_duplicate(monkeypatch: pytest.MonkeyPatch) -> None:
    real_hash = hash

    # Every key's unsalted first hash collides (the fast path's only hash); the general path's
    # second and salted hashes stay distinct, so it must find five objects.
    def colliding_hash(text: str) -> int:
        return 7 if text.startswith("s3://") and not text.endswith("\x00r") else real_hash(text)

    monkeypatch.setattr(lockstep, "hash", colliding_hash, raising=False)
    monkeypatch.setattr(keys, "hash", colliding_hash, raising=False)
    inputs, outputs = _aligned(5)
    plan, chained, rejects = run(inputs, outputs)
    assert plan.total == len(chained) == 5 and plan.repeated_keys == 0 and rejects == []


def test_rejects_stay_empty_after_a_fallback() -> None:
    inputs, outputs = _aligned(100)
    outputs[90] = b"[1]\n"
    plan, _, rejects = run(inputs, outputs)
    assert [(r["file"], r["line"]) for r in rejects] == [("output", 91)]
    assert json.dumps(plan.to_dict())
