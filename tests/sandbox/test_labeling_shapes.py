"""Video frame, 3D point cloud and adjustment label shapes (labels.py, sequences.py), as
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html shows them."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest

from gtchain.sandbox.groundtruth import workforce
from gtchain.sandbox.groundtruth.outputs.labels import LabelMaker
from gtchain.sandbox.groundtruth.variants import GroundTruthVariants
from tests.support.labeling import (
    BUCKET,
    describe,
    images,
    job_request,
    put_manifest,
    read_manifest,
    s3,
    sagemaker,
)

PRE = "arn:aws:lambda:us-east-1:432418664414:function:PRE-{}"
UI = "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/{}"


pytestmark = pytest.mark.usefixtures("labeling_moto")


def sequence(name: str, frames: int, *, point_cloud: bool = False) -> dict[str, str]:
    """A sequence file and the manifest line naming it: a video frame sequence
    (sms-video-manual-data-setup: ``frame-no``) or a point cloud sequence
    (sms-point-cloud-multi-frame-input-data: ``unix-timestamp``, ``frame-no`` optional)."""
    stamp = "unix-timestamp" if point_cloud else "frame-no"
    document = {
        "seq-no": 1,
        "prefix": f"s3://{BUCKET}/frames/{name}/",
        "number-of-frames": frames,
        "frames": [
            {
                stamp: 1566861644.759115 + number if point_cloud else str(number),
                "frame": f"frame_{number:04d}.jpeg",
            }
            for number in range(frames)
        ],
    }
    s3().put_object(Bucket=BUCKET, Key=f"sequences/{name}.json", Body=json.dumps(document))
    return {"source-ref": f"s3://{BUCKET}/sequences/{name}.json"}


def run_task(
    name: str, attribute: str, task_type: str, records: list[dict[str, Any]], *, ui: str | None = None
) -> dict[str, Any]:
    s3().put_object(
        Bucket=BUCKET, Key="inputs/c.json", Body=json.dumps({"labels": [{"label": "car"}, {"label": "bus"}]})
    )
    request = job_request(
        name,
        put_manifest(f"inputs/{name}.manifest", records),
        LabelAttributeName=attribute,
        LabelCategoryConfigS3Uri=f"s3://{BUCKET}/inputs/c.json",
    )
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = PRE.format(task_type)
    if ui is not None:
        request["HumanTaskConfig"]["UiConfig"] = {"HumanTaskUiArn": UI.format(ui)}
    sagemaker().create_labeling_job(**request)
    workforce().run_until_idle()
    return describe(name)


def output(name: str) -> list[dict[str, Any]]:
    return read_manifest(describe(name)["LabelingJobOutput"]["OutputDatasetS3Uri"])


def body(uri: str) -> bytes:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    data: bytes = s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    return data


# -- video frames: sms-data-output.html, "Video Frame Object Detection/Tracking Output" ----------


@pytest.mark.parametrize(
    ("task_type", "output_type", "list_name"),
    [
        ("VideoObjectDetection", "groundtruth/video-object-detection", "detection-annotations"),
        ("VideoObjectTracking", "groundtruth/video-object-tracking", "tracking-annotations"),
    ],
)
def test_video_frame_labels_point_to_a_seqlabel_file_per_sequence(
    task_type: str, output_type: str, list_name: str
) -> None:
    job = run_task("Video-1", "cars-ref", task_type, [sequence("a", 3), sequence("b", 2)])

    assert job["LabelingJobStatus"] == "Completed"
    first, second = output("Video-1")
    assert (
        first["cars-ref"]
        == f"s3://{BUCKET}/jobs/Video-1/annotations/consolidated-annotation/output/0/SeqLabel.json"
    )
    metadata = first["cars-ref-metadata"]
    assert metadata["type"] == output_type
    assert set(metadata["class-map"].values()) <= {"car", "bus"}
    frames = json.loads(body(first["cars-ref"]))[list_name]
    assert [(frame["frame-no"], frame["frame"]) for frame in frames] == [
        ("0", "frame_0000.jpeg"),
        ("1", "frame_0001.jpeg"),
        ("2", "frame_0002.jpeg"),
    ]
    box = frames[0]["annotations"][0]
    assert {"height", "width", "top", "left", "class-id", "label-category-attributes"} <= set(box)
    assert box["class-id"] in metadata["class-map"]
    assert len(json.loads(body(second["cars-ref"]))[list_name]) == 2


def test_video_object_tracking_keeps_one_object_id_across_frames() -> None:
    run_task("Track-1", "cars-ref", "VideoObjectTracking", [sequence("a", 3)])

    [record] = output("Track-1")
    frames = json.loads(body(record["cars-ref"]))["tracking-annotations"]
    assert len({frame["annotations"][0]["object-id"] for frame in frames}) == 1
    assert frames[0]["annotations"][0]["object-name"].split(":")[0] in {"car", "bus"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"number-of-frames": 5}, "number-of-frames"),
        ({"prefix": "s3://bucket/no-slash"}, "prefix"),
        ({"frames": [{"frame": "f.jpeg"}]}, "frame-no"),
    ],
)
def test_a_bad_sequence_file_fails_the_job_naming_the_problem(change: dict[str, Any], problem: str) -> None:
    line = sequence("a", 1)
    document = json.loads(body(line["source-ref"])) | change
    if "frames" in change:
        document["number-of-frames"] = len(change["frames"])
    s3().put_object(Bucket=BUCKET, Key="sequences/a.json", Body=json.dumps(document))

    job = run_task("Video-Bad", "cars-ref", "VideoObjectDetection", [line])

    assert job["LabelingJobStatus"] == "Failed"
    assert problem in job["FailureReason"] and "sequences/a.json" in job["FailureReason"]


def test_a_missing_sequence_file_fails_the_job() -> None:
    job = run_task(
        "Video-Gone", "cars-ref", "VideoObjectTracking", [{"source-ref": f"s3://{BUCKET}/no.json"}]
    )

    assert job["LabelingJobStatus"] == "Failed"
    assert "sequence file" in job["FailureReason"] and "does not exist" in job["FailureReason"]


# -- 3D point clouds: sms-data-output.html, "3D Point Cloud ... Output" ---------------------------


def point_cloud_frames(count: int) -> list[dict[str, Any]]:
    """Point cloud frame manifest lines (sms-point-cloud-single-frame-input-data.html)."""
    return [
        {
            "source-ref": f"s3://{BUCKET}/lidar/frame{index}.bin",
            "source-ref-metadata": {"format": "binary/xyzi"},
        }
        for index in range(count)
    ]


def test_point_cloud_object_detection_labels_hold_the_cuboids() -> None:
    run_task("Lidar-1", "cuboids", "3DPointCloudObjectDetection", point_cloud_frames(1))

    [record] = output("Lidar-1")
    assert record["source-ref-metadata"] == {"format": "binary/xyzi"}
    [cuboid] = record["cuboids"]["annotations"]
    keys = {"object-name", "class-id", "center-x", "center-y", "center-z", "length", "width", "height"}
    assert keys | {"roll", "pitch", "yaw", "label-category-attributes"} <= set(cuboid)
    metadata = record["cuboids-metadata"]
    assert metadata["type"] == "groundtruth/point_cloud_object_detection"
    assert metadata["objects"] == []
    assert metadata["class_map"][str(cuboid["class-id"])] == cuboid["object-name"].split(":")[0]


def test_point_cloud_object_tracking_labels_point_to_a_seqlabel_file() -> None:
    run_task("Lidar-Track", "lidar-ref", "3DPointCloudObjectTracking", [sequence("s", 2, point_cloud=True)])

    [record] = output("Lidar-Track")
    assert record["lidar-ref"].endswith(
        "/Lidar-Track/annotations/consolidated-annotation/output/0/SeqLabel.json"
    )
    frames = json.loads(body(record["lidar-ref"]))["tracking-annotations"]
    assert [(frame["frame-number"], frame["frame-name"]) for frame in frames] == [
        (0, "frame_0000.jpeg"),
        (1, "frame_0001.jpeg"),
    ]
    assert len({frame["annotations"][0]["object-id"] for frame in frames}) == 1
    metadata = record["lidar-ref-metadata"]
    assert metadata["type"] == "groundtruth/point_cloud_object_tracking"
    assert metadata["objects"] == [{"frame-no": 0, "confidence": []}, {"frame-no": 1, "confidence": []}]


def test_point_cloud_semantic_segmentation_labels_are_zlib_class_arrays() -> None:
    run_task("Lidar-Seg", "lidar-ref", "3DPointCloudSemanticSegmentation", point_cloud_frames(1))

    [record] = output("Lidar-Seg")
    assert record["lidar-ref"].endswith(".zlib")
    metadata = record["lidar-ref-metadata"]
    assert metadata["type"] == "groundtruth/point_cloud_single_frame_semantic_segmentation"
    color_map = metadata["color-map"]
    assert [color_map[key]["class-name"] for key in ("0", "1", "2")] == ["Background", "car", "bus"]
    classes = zlib.decompress(body(record["lidar-ref"]))
    assert classes and all(str(value) in color_map for value in classes)


def test_the_worker_ui_names_the_task_when_the_pre_lambda_is_not_built_in() -> None:
    request_type = "custom"  # a PRE- name Ground Truth does not have
    run_task("Lidar-Ui", "cuboids", request_type, point_cloud_frames(1), ui="PointCloudObjectDetection")

    [record] = output("Lidar-Ui")
    assert record["cuboids-metadata"]["type"] == "groundtruth/point_cloud_object_detection"


# -- adjustment: "adjustment-status" ------------------------------------------------------------


def test_bounding_box_adjustment_says_adjusted_or_unadjusted_and_keeps_the_type() -> None:
    run_task("Adjust-1", "adjusted-boxes", "AdjustmentBoundingBox", images(12))

    records = output("Adjust-1")
    statuses = {record["adjusted-boxes-metadata"]["adjustment-status"] for record in records}
    assert statuses == {"adjusted", "unadjusted"}
    assert {record["adjusted-boxes-metadata"]["type"] for record in records} == {
        "groundtruth/object-detection"
    }


@pytest.mark.parametrize(("variant", "unadjusted"), [("absent", None), ("unadjusted", "unadjusted")])
def test_video_adjustment_marks_modified_labels_and_the_rest_per_variant(
    variant: str, unadjusted: str | None
) -> None:
    workforce().set_variants(GroundTruthVariants(unadjusted_status=variant))

    run_task(
        "Adjust-V", "adjusted-ref", "AdjustmentVideoObjectTracking", [sequence(str(n), 1) for n in range(10)]
    )

    records = output("Adjust-V")
    statuses = [record["adjusted-ref-metadata"].get("adjustment-status") for record in records]
    assert "adjusted" in statuses
    assert set(statuses) == {"adjusted", unadjusted}
    assert {record["adjusted-ref-metadata"]["type"] for record in records} == {
        "groundtruth/video-object-tracking"
    }


def test_semantic_segmentation_adjustment_keeps_the_mask_shape() -> None:
    run_task("Adjust-S", "adjusted-ref", "AdjustmentSemanticSegmentation", images(1))

    [record] = output("Adjust-S")
    assert record["adjusted-ref"].endswith(".png")
    assert record["adjusted-ref-metadata"]["type"] == "groundtruth/semantic-segmentation"


def test_a_missing_sequence_file_is_refused_at_create_under_create_refuses() -> None:
    workforce().set_variants(GroundTruthVariants(manifest_errors="create-refuses"))

    with pytest.raises(sagemaker().exceptions.ClientError) as caught:
        run_task(
            "Video-Refused", "cars-ref", "VideoObjectDetection", [{"source-ref": f"s3://{BUCKET}/no.json"}]
        )

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "sequence file" in caught.value.response["Error"]["Message"]


def test_a_point_cloud_sequence_needs_unix_timestamps_not_frame_numbers() -> None:
    """sms-point-cloud-multi-frame-input-data: ``unix-timestamp`` is required, ``frame-no`` is not."""
    failure = run_task("Lidar-Video-Style", "lidar-ref", "3DPointCloudObjectTracking", [sequence("v", 2)])[
        "FailureReason"
    ]
    assert "needs 'unix-timestamp'" in failure


def test_over_10_video_sequences_or_500_point_cloud_frames_fail_the_job() -> None:
    """input-data-limits: 10 video frame sequences per manifest, 500 frames per point cloud sequence."""
    videos = [sequence(f"s{i}", 1) for i in range(11)]
    assert (
        "11 video frame sequences"
        in run_task("Video-11", "cars-ref", "VideoObjectTracking", videos)["FailureReason"]
    )
    clouds = [sequence("p", 501, point_cloud=True)]
    assert (
        "lists 501 frames"
        in run_task("Lidar-501", "lidar-ref", "3DPointCloudObjectTracking", clouds)["FailureReason"]
    )


@pytest.mark.parametrize("task_type", ["image-classification", "text-classification", "text-span"])
def test_a_single_workers_confidence_is_zero_for_classification_and_ner(task_type: str) -> None:
    """sms-data-output: "If a single worker annotates a task ... the confidence score is set to 0.00"."""

    def confidences(workers: int) -> list[float]:
        maker = LabelMaker(task_type, "a", ("x", "y"), "job", workers_per_object=workers)
        metadata = maker.label("some text", human=True, when=datetime(2024, 1, 1, tzinfo=UTC)).metadata
        return [entity["confidence"] for entity in metadata.get("entities", [metadata])]

    assert confidences(1) == [0.0]
    assert all(0.9 <= confidence <= 0.99 for confidence in confidences(3))
