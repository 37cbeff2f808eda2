"""domain/input_limits: a chained manifest over a documented input limit is named before
CreateLabelingJob (sms-input-data-input-manifest, input-data-limits)."""

from __future__ import annotations

import json
from typing import Any

from gtchain_runtime.domain.input_limits import (
    MAX_ATTRIBUTE_CHARS,
    MAX_VIDEO_FRAME_SEQUENCES,
    chained_manifest_problems,
    max_objects,
)


def line(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode() + b"\n"


def _cuboids(count: int) -> dict[str, Any]:
    """An inline 3D point cloud detection label of ``count`` cuboids (about 240 characters each)."""
    cuboid = {
        "label": "Car",
        "position": {"x": -2.7161461413869947, "y": 116.25822288149078, "z": 1.8348751887989483},
        "dimensions": {"length": 4.0, "width": 1.8, "height": 1.5},
        "rotation": {"x": 0.0, "y": 0.0, "z": 1.5707963267948966},
        "attributes": {"occluded": "partially"},
    }
    return {"annotationsFromAllWorkers": [], "detectedObjects": [cuboid] * count}


def test_a_manifest_within_every_limit_has_no_problem() -> None:
    lines = [line({"source-ref": f"s3://b/{i}.pcd", "cars": _cuboids(10)}) for i in range(3)]
    assert chained_manifest_problems(lines, "PRE-3DPointCloudObjectDetection") == []


def test_a_carried_label_over_the_attribute_limit_is_named_with_its_object() -> None:
    big = _cuboids(90)
    assert len(json.dumps(big, separators=(",", ":"))) > MAX_ATTRIBUTE_CHARS
    lines = [line({"source-ref": "s3://b/0.pcd"}), line({"source-ref": "s3://b/1.pcd", "cars": big})]
    (problem,) = chained_manifest_problems(lines, "PRE-3DPointCloudObjectDetection")
    assert "1 object(s) over the 20,000-character attribute limit" in problem
    assert "line 2 (s3://b/1.pcd) attribute 'cars'" in problem


def test_a_long_line_and_many_offenders_are_counted_and_the_first_named() -> None:
    lines = [line({"source": f"text {i}", "pad": "x" * 25_000, "more": "y" * 80_000}) for i in range(7)]
    long_lines, long_attributes = chained_manifest_problems(lines, "PRE-NamedEntityRecognition")
    assert long_lines.startswith("7 object(s) over the 100,000-character line limit")
    assert "and 2 more" in long_lines and "line 1 (text 0)" in long_lines
    assert long_attributes.startswith("14 object(s) over the 20,000-character attribute limit")


def test_dataset_quotas_per_task_type() -> None:
    assert max_objects("PRE-SemanticSegmentation") == 20_000
    assert max_objects("PRE-VerificationSemanticSegmentation") == 20_000
    assert max_objects("PRE-3DPointCloudSemanticSegmentation") == 100_000
    assert max_objects("PRE-BoundingBox") == max_objects(None) == 100_000
    lines = [b'{"source-ref": "s3://b/x.png"}\n'] * 20_001
    (problem,) = chained_manifest_problems(lines, "PRE-SemanticSegmentation")
    assert "20,001 objects, over the 20,000-object quota of PRE-SemanticSegmentation" in problem
    assert chained_manifest_problems(lines, "PRE-BoundingBox") == []


def test_video_frame_sequences_per_manifest() -> None:
    lines = [line({"source-ref": f"s3://b/seq{i}.json"}) for i in range(MAX_VIDEO_FRAME_SEQUENCES + 1)]
    (problem,) = chained_manifest_problems(lines, "PRE-VideoObjectTracking")
    assert f"lists {MAX_VIDEO_FRAME_SEQUENCES + 1} video frame sequences" in problem
    assert chained_manifest_problems(lines[:-1], "PRE-VideoObjectTracking") == []
    assert chained_manifest_problems(lines, "PRE-BoundingBox") == []
