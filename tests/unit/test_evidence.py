"""domain/evidence: finding a job's evidence files and joining consolidated annotations to the input."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtchain_runtime.domain import evidence as ev
from gtchain_runtime.domain.manifest import diff_manifests

A = "label"
JOB = "s3://b/jobs/job-1/"
RESPONSE = (
    JOB + "annotations/consolidated-annotation/consolidation-response/iteration-1/2024-01-01_00:00:00.json"
)


def manifest(*records: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def response(object_id: Any, label: Any = 1, *, metadata: bool = True, **content: Any) -> dict[str, Any]:
    body: dict[str, Any] = {A: label, **content}
    if metadata:
        body[f"{A}-metadata"] = {"human-annotated": "yes", "class-name": "x"}
    return {"datasetObjectId": object_id, "consolidatedAnnotation": {"content": body}}


def join(
    input_bytes: bytes, items: list[Any], named: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    rejects = ev.JoinRejects()
    annotations = list(ev.read_annotations(items, RESPONSE, A, named or {}, rejects))
    out = io.BytesIO()
    stats = ev.join_annotations(io.BytesIO(input_bytes), annotations, A, "job-1", out=out, rejects=rejects)
    lines = [_parsed(line) for line in out.getvalue().splitlines()]
    return lines, rejects.records, stats.joined


def _parsed(line: bytes) -> Any:
    try:
        return json.loads(line) if line.strip() else {}
    except ValueError:
        return line  # a bad line passes through as it was


def test_the_newest_intermediate_manifest_has_the_highest_iteration_number() -> None:
    uris = [JOB + f"manifests/intermediate/{n}/output.manifest" for n in (1, 10, 2)]
    assert ev.newest_intermediate_manifest([*uris, JOB + "manifests/intermediate/99/other.json"]) == uris[1]
    assert ev.newest_intermediate_manifest([]) is None


def test_consolidation_files_are_ordered_by_iteration_then_batch_and_paired_with_requests() -> None:
    folder = JOB + "annotations/consolidated-annotation/"
    uris = [
        folder + "consolidation-response/iteration-10/a.json",
        folder + "consolidation-response/iteration-2/b.json",
        folder + "consolidation-response/iteration-2/a.json",
        folder + "consolidation-request/iteration-2/a.json",
    ]
    files = ev.consolidation_files(uris)
    assert files.responses == (uris[2], uris[1], uris[0])
    assert files.requests == {uris[2]: uris[3]}


@pytest.mark.parametrize(
    "data",
    [
        b'[{"datasetObjectId": "0"}, {"datasetObjectId": "1"}]',  # one JSON list (the documented shape)
        b'[{"datasetObjectId": "0"}]\n[{"datasetObjectId": "1"}]\n',  # JSON Lines of lists
        b'{"datasetObjectId": "0"}\n\n{"datasetObjectId": "1"}\n',  # JSON Lines of objects
        b'\xef\xbb\xbf[{"datasetObjectId": "0"}, {"datasetObjectId": "1"}]',  # with a BOM
    ],
)
def test_every_plausible_batch_file_shape_is_read(data: bytes) -> None:
    assert [item["datasetObjectId"] for item in ev.read_batch_file(data, "f")] == ["0", "1"]


def test_a_batch_file_that_is_not_json_is_refused_with_its_line() -> None:
    with pytest.raises(ev.EvidenceError, match="line 2"):
        ev.read_batch_file(b'{"a": 1}\n{nope\n', "f")


def test_ids_are_0_based_line_numbers_as_strings_or_numbers_and_every_input_field_is_kept() -> None:
    source = manifest(
        {"source-ref": "s3://b/0.jpg", "extra": {"k": 1}},
        {"source-ref": "s3://b/1.jpg", "other-metadata": "x"},
        {"source-ref": "s3://b/2.jpg"},
    )
    lines, rejects, joined = join(source, [response("0", 5), response(2, 7)])
    assert joined == 2 and rejects == []
    assert lines[0] == {
        "source-ref": "s3://b/0.jpg",
        "extra": {"k": 1},
        A: 5,
        f"{A}-metadata": {"human-annotated": "yes", "class-name": "x"},
    }
    assert lines[1] == {"source-ref": "s3://b/1.jpg", "other-metadata": "x"}
    assert lines[2][A] == 7


def test_the_consolidation_request_names_the_object_whatever_the_id_means() -> None:
    source = manifest({"source-ref": "s3://b/0.jpg"}, {"source": "some text"})
    # 1-based or opaque ids: the request's dataObject says which object each one is.
    named = ev.request_objects(
        [
            {"datasetObjectId": "1", "dataObject": {"s3Uri": "s3://b/0.jpg"}},
            {"datasetObjectId": "opaque", "dataObject": {"content": "some text"}},
        ]
    )
    lines, rejects, joined = join(source, [response("1", "a"), response("opaque", "b")], named)
    assert joined == 2 and rejects == []
    assert lines[0][A] == "a" and lines[1][A] == "b"


def test_a_source_ref_in_the_consolidated_content_names_the_object_too() -> None:
    source = manifest({"source-ref": "s3://b/0.jpg"}, {"source-ref": "s3://b/1.jpg"})
    answer = response("0", "x")
    answer["consolidatedAnnotation"]["content"]["source-ref"] = "s3://b/1.jpg"
    lines, _, joined = join(source, [answer])
    assert joined == 1 and A not in lines[0] and lines[1][A] == "x"


def test_missing_metadata_is_written_by_gtchain_and_marks_the_evidence() -> None:
    lines, _, _ = join(manifest({"source-ref": "s3://b/0.jpg"}), [response("0", 3, metadata=False)])
    assert lines[0][f"{A}-metadata"] == {
        "job-name": "labeling-job/job-1",
        "human-annotated": "yes",
        ev.EVIDENCE_MARK: "consolidated-annotations",
    }


def test_the_newest_annotation_of_an_object_wins() -> None:
    lines, _, joined = join(
        manifest({"source-ref": "s3://b/0.jpg"}), [response("0", "old"), response("0", "new")]
    )
    assert joined == 1 and lines[0][A] == "new"


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (response("7"), "names no line of the input manifest"),
        (response("opaque"), "is not a line number"),
        ({"consolidatedAnnotation": {"content": {A: 1}}}, "no datasetObjectId"),
        ({"datasetObjectId": "0"}, "no consolidatedAnnotation.content"),
        (response("0", None), "no label for 'label'"),
        ("text", "not a JSON object"),
    ],
)
def test_annotations_that_cannot_be_joined_go_to_rejects_with_a_reason(item: Any, reason: str) -> None:
    lines, rejects, joined = join(manifest({"source-ref": "s3://b/0.jpg"}), [item])
    assert joined == 0 and lines == [{"source-ref": "s3://b/0.jpg"}]
    assert len(rejects) == 1 and reason in rejects[0]["reason"] and rejects[0]["file"] == RESPONSE


def test_an_object_the_request_names_but_the_input_lacks_is_rejected() -> None:
    named = {"0": "r:s3://b/elsewhere.jpg"}
    _, rejects, joined = join(manifest({"source-ref": "s3://b/0.jpg"}), [response("0")], named)
    assert joined == 0 and "s3://b/elsewhere.jpg" in rejects[0]["reason"]


def test_a_line_number_after_a_blank_line_is_ambiguous_without_a_request() -> None:
    source = b'{"source-ref": "s3://b/0.jpg"}\n\n{"source-ref": "s3://b/2.jpg"}\n'
    lines, rejects, joined = join(source, [response("0", "a"), response("2", "b")])
    assert joined == 1 and lines[0][A] == "a" and A not in lines[2]
    assert "ambiguous" in rejects[0]["reason"]
    # With the request, the object is known: joined.
    lines, rejects, joined = join(source, [response("2", "b")], {"2": "r:s3://b/2.jpg"})
    assert joined == 1 and lines[2][A] == "b" and rejects == []


def test_bad_and_duplicate_input_lines_pass_through_for_the_diff_to_reject() -> None:
    source = b'not json\n{"source-ref": "s3://b/1.jpg"}\n{"source-ref": "s3://b/1.jpg", "n": 2}\n'
    named = {"5": "r:s3://b/1.jpg"}
    out_lines, _, joined = join(source, [response("5", "x")], named)
    assert joined == 1 and out_lines[1][A] == "x" and A not in out_lines[2]
    assert out_lines[0] == b"not json"


def test_two_lines_of_one_text_are_two_objects_each_with_its_label() -> None:
    """One line is one object: the request names both ids by the same text; each id is its line."""
    source = manifest({"source": "same"}, {"source": "other"}, {"source": "same"})
    named = {"0": "s:same", "2": "s:same"}
    lines, rejects, joined = join(source, [response("2", "second"), response("0", "first")], named)
    assert joined == 2 and rejects == []
    assert [line.get(A) for line in lines] == ["first", None, "second"]
    # Opaque ids of one text go to its lines in id order.
    named = {"id-a": "s:same", "id-b": "s:same"}
    lines, rejects, joined = join(source, [response("id-b", "b"), response("id-a", "a")], named)
    assert joined == 2 and [line.get(A) for line in lines] == ["a", None, "b"]


_objects = st.lists(
    st.fixed_dictionaries(
        {"source-ref": st.from_regex(r"s3://b/[a-z]{1,6}\.jpg", fullmatch=True)},
        optional={"meta": st.integers(), "note": st.text(max_size=5)},
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda r: r["source-ref"],
)


@settings(max_examples=60, deadline=None)
@given(records=_objects, ids=st.lists(st.integers(min_value=0, max_value=20), max_size=15))
def test_joining_never_loses_an_input_field_and_never_invents_an_object(
    records: list[dict[str, Any]], ids: list[int]
) -> None:
    source = manifest(*records)
    lines, rejects, joined = join(source, [response(i, i) for i in ids])
    assert len(lines) == len(records)
    for record, line in zip(records, lines, strict=True):
        assert {k: line[k] for k in record} == record  # every input field, unchanged
        assert set(line) - set(record) <= {A, f"{A}-metadata"}
    known = {i for i in ids if i < len(records)}
    assert joined == len(known)
    assert len(rejects) == len({i for i in ids if i >= len(records)})
    # The diff then re-sends exactly the objects no annotation labeled.
    chained, diff_rejects = io.BytesIO(), io.BytesIO()
    plan = diff_manifests(
        io.BytesIO(source),
        io.BytesIO(b"".join(json.dumps(line).encode() + b"\n" for line in lines)),
        A,
        chained,
        diff_rejects,
    )
    assert plan.labeled == len(known) and plan.remaining == len(records) - len(known)
