"""Consolidation of a finished chain into one final manifest and a report."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from gtchain_runtime.domain.consolidate import consolidate_chain
from gtchain_runtime.domain.manifest import ManifestError

A = "animal"
AM = f"{A}-metadata"


def line(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode() + b"\n"


def labeled(key: str, value: int, human: str = "yes", *, field: str = "source-ref") -> bytes:
    return line({field: key, A: value, AM: {"human-annotated": human}})


def consolidate(*jobs: list[bytes]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    final, rejects = io.BytesIO(), io.BytesIO()
    outputs = [(f"job-{i}", io.BytesIO(b"".join(lines))) for i, lines in enumerate(jobs)]
    report = consolidate_chain(outputs, A, final, rejects)
    return (
        report.to_dict(),
        [json.loads(x) for x in final.getvalue().splitlines()],
        [json.loads(x) for x in rejects.getvalue().splitlines()],
    )


def test_a_two_job_chain() -> None:
    root = [
        labeled("s3://b/1", 0),
        line({"source-ref": "s3://b/2", AM: {"failure-reason": "timeout"}}),
        line({"source-ref": "s3://b/3"}),
    ]
    child = [labeled("s3://b/1", 0), labeled("s3://b/2", 1, human="no"), line({"source-ref": "s3://b/3"})]
    report, final, rejects = consolidate(root, child)
    assert [r["source-ref"] for r in final] == ["s3://b/1", "s3://b/2", "s3://b/3"]
    assert final[1][A] == 1
    assert report["totals"] == {
        "total": 3,
        "labeled": 2,
        "human_labeled": 1,
        "machine_labeled": 1,
        "failed": 0,
        "unlabeled": 1,
    }
    root_counts, child_counts = report["jobs"]
    assert (root_counts["labeled"], root_counts["failed"], root_counts["new_labels"]) == (1, 1, 1)
    assert (child_counts["labeled"], child_counts["new_labels"], child_counts["carried_labels"]) == (2, 1, 1)
    assert report["never_resent"] == 1
    assert report["conflict_count"] == 0 and rejects == []
    json.dumps(report)  # JSON-safe


def test_conflicts_are_reported_and_the_latest_label_wins() -> None:
    report, final, _ = consolidate([labeled("s3://b/1", 0)], [labeled("s3://b/1", 2)])
    assert final[0][A] == 2
    assert report["conflict_count"] == 1
    assert report["conflicts"][0] | {} == {
        "object": "s3://b/1",
        "first_job": "job-0",
        "first_label": 0,
        "later_job": "job-1",
        "later_label": 2,
    }


def test_a_label_survives_a_later_failed_line_and_failed_objects_are_stripped() -> None:
    failed = line({"source-ref": "s3://b/1", A: 3, AM: {"failure-reason": "x"}})
    report, final, _ = consolidate([labeled("s3://b/1", 0)], [failed])
    assert final == [{"source-ref": "s3://b/1", A: 0, AM: {"human-annotated": "yes"}}]
    report, final, _ = consolidate([failed])
    assert final == [{"source-ref": "s3://b/1"}] and report["totals"]["failed"] == 1


def test_objects_of_every_job_appear_once_in_first_appearance_order() -> None:
    report, final, rejects = consolidate(
        [line({"source-ref": "s3://b/2"}), b"not json\n"],
        [line({"source": "text"}), labeled("s3://b/2", 1)],
    )
    assert final == [{"source-ref": "s3://b/2", A: 1, AM: {"human-annotated": "yes"}}, {"source": "text"}]
    assert rejects == [{"file": "job-0", "line": 2, "reason": rejects[0]["reason"]}]
    assert report["jobs"][0]["rejected"] == 1


def test_bad_arguments() -> None:
    with pytest.raises(ManifestError, match="no job output"):
        consolidate_chain([], A, io.BytesIO(), io.BytesIO())
    with pytest.raises(ManifestError, match="-metadata"):
        consolidate_chain([("j", io.BytesIO())], "x-metadata", io.BytesIO(), io.BytesIO())


def test_a_repeated_key_is_one_object_per_line_across_the_chain() -> None:
    """Two lines of the same text are two objects: each keeps its own label (the n-th line of a
    key in one job is the n-th line of that key in the next)."""
    first = line({"source": "same"})
    report, final, rejects = consolidate(
        [labeled("same", 1, field="source"), first, line({"source": "other"})],
        [labeled("same", 1, field="source"), labeled("same", 2, field="source"), line({"source": "other"})],
    )
    assert [record.get(A) for record in final] == [1, 2, None] and rejects == []
    assert report["totals"]["total"] == 3 and report["totals"]["labeled"] == 2
    assert [job["repeated_keys"] for job in report["jobs"]] == [1, 1]
    assert report["conflict_count"] == 0
