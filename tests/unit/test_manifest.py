"""The chain planner against a simple reference, Ground Truth output shapes, and bad lines."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gtchain_runtime.domain.manifest import (
    ManifestError,
    ManifestPlan,
    diff_manifests,
    keys,
    manifest_stats,
    validate_label_attribute,
)
from tests.support.manifests import AM, A, check_against_reference, line, run

# ---------------------------------------------------------------- helpers


# ---------------------------------------------------------------- property-based
_keys = st.sampled_from([f"s3://b/img-{i}.jpg" for i in range(8)] + ["s3://b/ünïcødé-🐱.jpg"])
_metadata = st.one_of(
    st.none(),
    st.fixed_dictionaries({"human-annotated": st.sampled_from(["yes", "no"]), "confidence": st.just(0.9)}),
    st.fixed_dictionaries({"failure-reason": st.just("ClientError: timed out")}),
    st.just("failure-reason as a string"),
)
_label = st.one_of(st.none(), st.integers(0, 3), st.just({"annotations": [{"left": 1}]}))


@st.composite
def _record_line(draw: st.DrawFn) -> bytes:
    record: dict[str, Any] = {}
    if draw(st.integers(0, 9)):  # now and then no key at all
        record["source" if draw(st.integers(0, 5)) == 0 else "source-ref"] = draw(_keys)
    if draw(st.booleans()):
        record[A] = draw(_label)
    metadata = draw(_metadata)
    if metadata is not None:
        record[AM] = metadata
    if draw(st.booleans()):  # another attribute's label, with the trap text
        record["other"] = 1
        record["other-metadata"] = {"failure-reason": "not ours"}
    return line(record)


_bad_line = st.sampled_from(
    [
        b"\xff\xfe not utf-8\n",
        b"{not json\n",
        b"[1, 2]\n",
        b'"a string"\n',
        b'{"no-key": 1}\n',
        b'{"source-ref": 5}\n',
        b'{"source-ref": ""}\n',
        b"\n",
        b"   \n",
        b'{"source-ref": NaN}\n',
    ]
)
_lines = st.lists(st.one_of(_record_line(), _record_line(), _record_line(), _bad_line), max_size=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inputs=_lines, outputs=st.one_of(st.none(), _lines))
def test_plan_matches_the_reference(decoder: str, inputs: list[bytes], outputs: list[bytes] | None) -> None:
    check_against_reference(inputs, outputs)


# ---------------------------------------------------------------- Ground Truth task types
def _md(task: str, human: str = "yes", **extra: Any) -> dict[str, Any]:
    return {"job-name": "labeling-job/j1", "human-annotated": human, "type": f"groundtruth/{task}"} | extra


TASK_SHAPES: dict[str, tuple[str, str, Any, dict[str, Any]]] = {
    # name: (attribute, key field, label value, metadata)
    "image classification": ("category", "source-ref", 1, _md("image-classification", "yes", confidence=0.9)),
    "multi-label": ("tags", "source-ref", [0, 2], _md("image-classification-multilabel", "no")),
    "bounding box": (
        "boxes",
        "source-ref",
        {"image_size": [{"width": 640, "height": 480, "depth": 3}], "annotations": [{"class_id": 0}]},
        _md("object-detection", "yes", objects=[{"confidence": 0.8}]),
    ),
    "semantic segmentation": ("city-ref", "source-ref", "s3://b/out/img-1.png", _md("semantic-segmentation")),
    "text classification": ("sentiment", "source", 2, _md("text-classification", "no")),
    "named entities": (
        "entities",
        "source",
        {"annotations": {"entities": [{"startOffset": 0, "endOffset": 5, "label": "person"}]}},
        _md("named-entity-recognition"),
    ),
    "label verification": ("verified", "source-ref", 1, _md("label-verification", "yes", worker_feedback=[])),
}


@pytest.mark.parametrize("task", sorted(TASK_SHAPES))
def test_every_task_type(decoder: str, task: str) -> None:
    attribute, key_field, label, metadata = TASK_SHAPES[task]
    keys = [f"s3://b/{task}/obj-{i}" if key_field == "source-ref" else f"text {i} ✓" for i in range(4)]
    inputs = [line({key_field: k, "prior": {"x": i}}) for i, k in enumerate(keys)]
    outputs = [
        line({key_field: keys[0], "prior": {"x": 0}, attribute: label, f"{attribute}-metadata": metadata}),
        line(
            {
                key_field: keys[1],
                "prior": {"x": 1},
                f"{attribute}-metadata": {"failure-reason": "ClientError: expired", "retry-count": 3},
            }
        ),
        line({key_field: keys[2], "prior": {"x": 2}}),
    ]
    check_against_reference(inputs, outputs, attribute)
    plan, chained, _ = run(inputs, outputs, attribute)
    assert chained[0][attribute] == label
    assert f"{attribute}-metadata" not in chained[1]
    assert chained[3] == {key_field: keys[3], "prior": {"x": 3}}
    assert (plan.labeled, plan.failed, plan.unlabeled) == (1, 1, 2)
    machine = metadata["human-annotated"] == "no"
    assert (plan.machine_labeled, plan.human_labeled) == ((1, 0) if machine else (0, 1))


def test_labeled_lines_are_copied_byte_for_byte() -> None:
    labeled = b'{ "source-ref" : "s3://b/1",  "animal": 0, "animal-metadata": {"human-annotated":"yes"} }\n'
    chained = io.BytesIO()
    diff_manifests(io.BytesIO(b'{"source-ref": "s3://b/1"}\n'), io.BytesIO(labeled), A, chained, io.BytesIO())
    assert chained.getvalue() == labeled


def test_third_party_labels_without_output(decoder: str) -> None:
    inputs = [
        line({"source-ref": "s3://b/1", A: 1, AM: {"human-annotated": "yes"}}),
        line({"source-ref": "s3://b/2"}),
    ]
    plan, chained, _ = run(inputs, None)
    assert (plan.total, plan.labeled, plan.input_labeled, plan.unlabeled) == (2, 1, 1, 1)
    assert chained[0][A] == 1


def test_output_label_wins_and_other_attributes_survive(decoder: str) -> None:
    inputs = [line({"source-ref": "s3://b/1", A: 1, AM: {"source": "vendor"}, "colour": 3})]
    outputs = [line({"source-ref": "s3://b/1", A: 2, AM: {"human-annotated": "yes"}, "colour": 3})]
    plan, chained, _ = run(inputs, outputs)
    assert chained == [{"source-ref": "s3://b/1", A: 2, AM: {"human-annotated": "yes"}, "colour": 3}]
    assert plan.input_labeled == 1  # already labeled in the input: not progress


def test_output_only_objects_come_last_in_output_order(decoder: str) -> None:
    inputs = [line({"source-ref": "s3://b/2"}), line({"source-ref": "s3://b/1"})]
    outputs = [line({"source-ref": f"s3://b/{i}"}) for i in (3, 1, 4, 2)]
    _, chained, _ = run(inputs, outputs)
    assert [c["source-ref"] for c in chained] == ["s3://b/2", "s3://b/1", "s3://b/3", "s3://b/4"]


def test_shuffled_output_is_matched(decoder: str) -> None:
    keys = [f"s3://b/{i}" for i in range(300)]
    inputs = [line({"source-ref": k}) for k in keys]
    outputs = [line({"source-ref": k, A: 1}) for k in reversed(keys)]
    check_against_reference(inputs, outputs)


def test_a_repeated_key_is_one_object_per_line_and_counted(decoder: str) -> None:
    """Ground Truth labels each line (datasetObjectId is the line's index): a real NER job
    labeled two lines of the same text differently. Both labels are kept, in input order."""
    inputs = [line({"source": "same text"}), line({"source": "same text"}), line({"source": "other"})]
    outputs = [
        line({"source": "same text", A: 1, AM: {"human-annotated": "yes"}}),
        line({"source": "same text", A: 2, AM: {"human-annotated": "yes"}}),
        line({"source": "other"}),
    ]
    random_order = [outputs[2], outputs[0], outputs[1]]  # the general path keeps each key's order
    for output in (outputs, random_order):
        plan, chained, rejects = run(inputs, output)
        assert (plan.total, plan.labeled, plan.repeated_keys, plan.rejected) == (3, 2, 1, 0)
        assert [record.get(A) for record in chained] == [1, 2, None] and rejects == []
    plan, chained, _ = run(inputs, outputs[:1])  # stopped after the first line: one label, two left
    assert (plan.total, plan.labeled, plan.remaining, plan.repeated_keys) == (3, 1, 2, 1)
    assert [record.get(A) for record in chained] == [1, None, None]


def test_long_lines(decoder: str) -> None:
    accepted = line({"source-ref": "s3://b/1", "pad": "é" * 89_950})
    rejected = line({"source-ref": "s3://b/2", "pad": "x" * 100_000})
    assert len(accepted.decode().rstrip("\n")) <= 90_000 < len(accepted)  # bytes exceed chars
    plan, chained, rejects = run([accepted, rejected], None)
    assert plan.total == 1 and chained[0]["source-ref"] == "s3://b/1"
    assert rejects[0]["line"] == 2 and "100,000" in rejects[0]["reason"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xc3\x28\n", "not valid UTF-8"),
        (b'{"source-ref": "s3://b/1",}\n', "not valid JSON"),
        (b"[1]\n", "not a JSON object (a JSON array)"),
        (b"null\n", "not a JSON object (a JSON null)"),
        (b'{"source": null}\n', '"source-ref" or "source"'),
        (b'{"source-ref": ["x"]}\n', "must be a non-empty string"),
    ],
)
def test_bad_lines_are_rejected_with_a_reason(decoder: str, raw: bytes, reason: str) -> None:
    plan, chained, rejects = run([raw, line({"source-ref": "s3://b/ok"})], [raw])
    assert chained == [{"source-ref": "s3://b/ok"}]
    assert plan.rejected == 2
    assert [(r["file"], r["line"]) for r in rejects] == [("output", 1), ("input", 1)]
    assert all(reason in r["reason"] for r in rejects)


def test_empty_files(decoder: str) -> None:
    plan, chained, rejects = run([], [])
    assert plan.to_dict() == dict.fromkeys(plan.to_dict(), 0)
    assert chained == rejects == []


def test_bom_crlf_and_missing_final_newline(decoder: str) -> None:
    inputs = [b'\xef\xbb\xbf{"source-ref": "s3://b/1"}\r\n', b'{"source-ref": "s3://b/2"}']
    chained = io.BytesIO()
    plan = diff_manifests(io.BytesIO(b"".join(inputs)), None, A, chained, io.BytesIO())
    assert plan.total == 2 and plan.rejected == 0
    assert chained.getvalue() == b'{"source-ref": "s3://b/1"}\r\n{"source-ref": "s3://b/2"}\n'


def test_null_label_and_stray_metadata_are_removed(decoder: str) -> None:
    inputs = [line({"source-ref": "s3://b/1", A: None}), line({"source-ref": "s3://b/2", AM: {"x": 1}})]
    plan, chained, _ = run(inputs, None)
    assert chained == [{"source-ref": "s3://b/1"}, {"source-ref": "s3://b/2"}]
    assert plan.unlabeled == 2


def test_source_and_source_ref_are_different_objects(decoder: str) -> None:
    plan, _, _ = run([line({"source-ref": "same"}), line({"source": "same"})], None)
    assert plan.total == 2 and plan.repeated_keys == 0


def test_a_first_hash_collision_restarts_with_a_salt(monkeypatch: pytest.MonkeyPatch) -> None:
    real_hash = hash

    # Every unsalted first hash collides; second hashes (and salted ones) stay distinct.
    def colliding_hash(text: str) -> int:
        return 42 if text.startswith("s3://") and not text.endswith("\x00r") else real_hash(text)

    monkeypatch.setattr(keys, "hash", colliding_hash, raising=False)
    check_against_reference([line({"source-ref": f"s3://b/{i}"}) for i in range(3)], None)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("a" * 128, "128 characters"),
        ("labels-metadata", "must not end in '-metadata'"),
        ("has space", "pattern"),
        ("-leading", "pattern"),
    ],
)
def test_label_attribute_validation(name: str, problem: str) -> None:
    with pytest.raises(ManifestError, match=problem):
        validate_label_attribute(name)
    with pytest.raises(ValueError, match=problem):
        diff_manifests(io.BytesIO(), None, name, io.BytesIO(), io.BytesIO())


def test_valid_label_attributes() -> None:
    for name in ("a", "city-ref", "x" * 127, "Streetscenes-Job1", "a--b"):
        validate_label_attribute(name)


def test_manifest_stats(decoder: str) -> None:
    data = b"".join(
        [
            line({"source-ref": "s3://b/1", A: 1, AM: {"human-annotated": "no"}}),
            line({"source-ref": "s3://b/2", AM: {"failure-reason": "x"}}),
            line({"source-ref": "s3://b/2"}),
            line({"source": "text"}),
            b"oops\n",
        ]
    )
    stats = manifest_stats(io.BytesIO(data), A)
    assert stats.to_dict() == {
        "lines": 5,
        "objects": 4,
        "labeled": 1,
        "human_labeled": 0,
        "machine_labeled": 1,
        "failed": 1,
        "unlabeled": 2,
        "repeated_keys": 1,
        "rejected": 1,
    }


BIG = b"123456789012345678901234567890"  # past 64 bits: orjson would read it as a float


def _plan_raw(
    inputs: list[bytes], outputs: list[bytes]
) -> tuple[ManifestPlan, list[bytes], list[dict[str, Any]]]:
    chained, rejects = io.BytesIO(), io.BytesIO()
    plan = diff_manifests(io.BytesIO(b"".join(inputs)), io.BytesIO(b"".join(outputs)), A, chained, rejects)
    return plan, chained.getvalue().splitlines(), [json.loads(x) for x in rejects.getvalue().splitlines()]


def test_rewritten_lines_keep_every_number(decoder: str) -> None:
    """A failed line is stripped and an input label merged (both rewritten, on the fast path):
    integers of any size keep every digit."""
    inputs = [
        b'{"source-ref": "s3://b/0", "id": %s}\n' % BIG,
        b'{"source-ref": "s3://b/1", "%s": %s, "%s": {"human-annotated": "yes"}}\n'
        % (A.encode(), BIG, AM.encode()),
    ]
    outputs = [
        b'{"source-ref": "s3://b/0", "id": %s, "%s": {"failure-reason": "x"}}\n' % (BIG, AM.encode()),
        b'{"source-ref": "s3://b/1"}\n',  # no label in the output: the input's is kept
    ]
    plan, chained, _ = _plan_raw(inputs, outputs)
    assert (plan.failed, plan.labeled, plan.input_labeled) == (1, 1, 1)
    assert json.loads(chained[0]) == {"source-ref": "s3://b/0", "id": int(BIG)}
    assert json.loads(chained[1])[A] == int(BIG)


def test_numbers_beyond_a_double_and_lone_surrogates_survive_rewriting(decoder: str) -> None:
    failed = b', "%s": {"failure-reason": "x"}}\n' % AM.encode()
    inputs = [b'{"source-ref": "s3://b/0"}\n', b'{"source-ref": "s3://b/1"}\n']
    outputs = [
        b'{"source-ref": "s3://b/0", "far": 1e999' + failed,
        b'{"source-ref": "s3://b/1", "odd": "\\ud800"' + failed,
    ]
    plan, chained, rejects = _plan_raw(inputs, outputs)
    assert b'"odd":"\\ud800"' in chained[1] and AM.encode() not in chained[1]
    if decoder == "stdlib":  # nothing there could write 1e999 back: the line is refused, and said so
        assert "beyond a double's range" in rejects[0]["reason"] and chained[0] == inputs[0].rstrip()
        return
    assert plan.failed == 2 and not rejects
    assert b'"far":1e999' in chained[0] and AM.encode() not in chained[0]
