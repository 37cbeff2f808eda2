"""An outsider's check of a Ground Truth endpoint: plain boto3, no gtchain module.

    python tests/outsider/check_ground_truth.py --endpoint http://localhost:PORT

For each built-in task type it creates a labeling job with the documented inputs, waits for it to
finish, and checks what the SageMaker developer guide documents: the output manifest's label shape
per task type, the per-object worker responses, the consolidation and intermediate files. Then it
checks that CreateLabelingJob refuses what the documentation forbids with ValidationException.
Every expectation cites the page it comes from; none comes from the sandbox's code.
Exit status 0 when every check passes; otherwise each failure is printed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

OUTPUT_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html"
API_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateLabelingJob.html"
MANIFEST_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-input-data-input-manifest.html"
VIDEO_INPUT_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-video-manual-data-setup.html"
AUTOMATION_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-automated-labeling.html"
REVIEW_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-verify-start-api.html"
POINT_CLOUD_INPUT_DOC = (
    "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-point-cloud-single-frame-input-data.html"
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUILT_IN_ACCOUNT = "432418664414"  # us-east-1's account of the PRE-/ACS- Lambdas (API_HumanTaskConfig)
UI_ACCOUNT = "394669845002"  # HumanTaskUiArn's account (API_UiConfig)
BUCKET = "outsider-check"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/OutsiderGroundTruthRole"
WORKTEAM_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/outsiders"
CLASSES = ("car", "bus")
# API_HumanTaskConfig: NumberOfHumanWorkersPerDataObject; each worker's answer is in the response file.
WORKERS = 2


class CheckFailedError(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailedError(message)


# -- expected shapes, one per section of sms-data-output.html -----------------------------------


def base_metadata(metadata: dict[str, Any], output_type: str | None) -> None:
    # "Output Metadata": job-name, human-annotated, creation-date, type (and confidence).
    for key in ("job-name", "human-annotated", "creation-date"):
        expect(key in metadata, f"metadata lacks {key!r} ({OUTPUT_DOC}#sms-output-metadata)")
    expect(metadata["human-annotated"] in ("yes", "no"), "human-annotated is yes or no")
    if output_type is not None:
        expect(metadata.get("type") == output_type, f"type {metadata.get('type')!r} != {output_type!r}")


def classification(output_type: str) -> Callable[[Any, dict[str, Any], S3Reader], None]:
    # "Classification Job Output": the label is the class index, metadata class-name + confidence.
    def check(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
        base_metadata(metadata, output_type)
        expect(str(value).isdigit(), f"classification label {value!r} is a class index")
        expect(metadata.get("class-name") in CLASSES, "class-name is one of the label categories")
        expect(isinstance(metadata.get("confidence"), int | float), "confidence is a number")

    return check


def multilabel(output_type: str) -> Callable[[Any, dict[str, Any], S3Reader], None]:
    # "Multi-label Classification Job Output": an array of indexes, class-map, confidence-map.
    def check(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
        base_metadata(metadata, output_type)
        expect(
            isinstance(value, list) and all(isinstance(item, int) for item in value), "label is [index, ...]"
        )
        expect(
            set(metadata["class-map"]) == {str(item) for item in value},
            "class-map keys are the label's indexes",
        )
        expect(set(metadata["confidence-map"]) == set(metadata["class-map"]), "confidence-map per class")

    return check


def bounding_box(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # "Bounding Box Job Output": image_size, annotations of class_id/left/top/width/height;
    # metadata objects (a confidence per box) and class-map.
    base_metadata(metadata, "groundtruth/object-detection")
    expect({"width", "height", "depth"} <= set(value["image_size"][0]), "image_size has width/height/depth")
    for box in value["annotations"]:
        expect(
            {"class_id", "left", "top", "width", "height"} <= set(box), f"box {box} has the documented keys"
        )
        expect(str(box["class_id"]) in metadata["class-map"], "class-map names every box's class_id")
    expect(len(metadata["objects"]) == len(value["annotations"]), "one objects[] confidence per box")


def adjusted_bounding_box(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # Bounding box adjustment: "the job's type doesn't change, but an adjustment-status field is
    # added. This field has the value of adjusted or unadjusted".
    bounding_box(value, metadata, s3)
    expect(metadata.get("adjustment-status") in ("adjusted", "unadjusted"), "adjustment-status")


def verification(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # "Label Verification Job Output": a class index as a string, class-name, confidence.
    base_metadata(metadata, "groundtruth/label-verification")
    expect(isinstance(value, str) and value.isdigit(), f"verification label {value!r} is an index string")
    expect("class-name" in metadata and "confidence" in metadata, "class-name and confidence")
    # sms-data-verify-manifest.html: worker-feedback, "an array of comment values. This property is
    # added when the worker enters comments. If there are no comments, the field doesn't appear."
    if "worker-feedback" in metadata:
        comments = metadata["worker-feedback"]
        expect(isinstance(comments, list) and bool(comments), "worker-feedback is a non-empty list")
        for item in comments:
            expect(isinstance(item.get("comment"), str), f"worker-feedback item {item} has a comment")


def semantic_segmentation(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # "Semantic Segmentation Job Output": the label is "a reference to a PNG file in an Amazon S3
    # bucket"; internal-color-map of class-name/confidence/hex-color, "0" = BACKGROUND;
    # "Confidence scores are the same across all classes within an image".
    base_metadata(metadata, "groundtruth/semantic-segmentation")
    expect(s3.read(value).startswith(b"\x89PNG"), f"{value} is a PNG")
    color_map = metadata["internal-color-map"]
    expect(color_map["0"]["class-name"] == "BACKGROUND", "class 0 is BACKGROUND")
    for entry in color_map.values():
        expect({"class-name", "confidence", "hex-color"} <= set(entry), "color map entries")
    expect(len({entry["confidence"] for entry in color_map.values()}) == 1, "one confidence per image")


def named_entities(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # "Named Entity Recognition": annotations.labels and annotations.entities (label,
    # startOffset, endOffset); metadata entities of confidences; type groundtruth/text-span.
    base_metadata(metadata, "groundtruth/text-span")
    labels = {item["label"] for item in value["annotations"]["labels"]}
    for entity in value["annotations"]["entities"]:
        expect(entity["label"] in labels, "entity label is one of annotations.labels")
        expect(0 <= entity["startOffset"] < entity["endOffset"], "startOffset < endOffset")
    expect(len(metadata["entities"]) == len(value["annotations"]["entities"]), "a confidence per entity")


def video_frames(list_name: str, output_type: str) -> Callable[[Any, dict[str, Any], S3Reader], None]:
    # "Video Frame Object Detection/Tracking Output": the label is the S3 URI of SeqLabel.json
    # under annotations/consolidated-annotation/output/<n>/; per frame frame-no, frame,
    # annotations (height, width, top, left, class-id; tracking adds object-id, object-name).
    def check(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
        base_metadata(metadata, output_type)
        expect(
            re.search(r"/annotations/consolidated-annotation/output/\d+/SeqLabel\.json$", value) is not None,
            value,
        )
        frames = json.loads(s3.read(value))[list_name]
        expect(len(frames) == 2, "one entry per frame of the sequence file")
        for frame in frames:
            expect({"frame-no", "frame", "annotations"} <= set(frame), f"frame keys {sorted(frame)}")
            for box in frame["annotations"]:
                expect({"height", "width", "top", "left", "class-id"} <= set(box), f"box keys {sorted(box)}")
                expect(box["class-id"] in metadata["class-map"], "class-map names every class-id")
                if list_name == "tracking-annotations":
                    expect({"object-id", "object-name"} <= set(box), "tracking boxes carry object-id/name")

    return check


def point_cloud_detection(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # "3D Point Cloud Object Detection Output": cuboids in annotations; metadata class_map.
    base_metadata(metadata, "groundtruth/point_cloud_object_detection")
    for cuboid in value["annotations"]:
        keys = {
            "object-name",
            "class-id",
            "center-x",
            "center-y",
            "center-z",
            "length",
            "width",
            "height",
            "yaw",
        }
        expect(keys <= set(cuboid), f"cuboid keys {sorted(cuboid)}")
        expect(str(cuboid["class-id"]) in metadata["class_map"], "class_map names every class-id")


def point_cloud_tracking(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # "3D Point Cloud Object Tracking Output": SeqLabel.json with tracking-annotations per frame
    # (frame-number, frame-name, annotations with object-id); metadata objects per frame.
    base_metadata(metadata, "groundtruth/point_cloud_object_tracking")
    expect(value.endswith("/SeqLabel.json"), value)
    frames = json.loads(s3.read(value))["tracking-annotations"]
    for frame in frames:
        expect({"frame-number", "frame-name", "annotations"} <= set(frame), f"frame keys {sorted(frame)}")
        expect(all("object-id" in cuboid for cuboid in frame["annotations"]), "cuboids carry object-id")
    expect(
        [item["frame-no"] for item in metadata["objects"]] == [f["frame-number"] for f in frames], "objects"
    )


def custom(value: Any, metadata: dict[str, Any], s3: S3Reader) -> None:
    # A custom task's label is whatever its consolidation Lambda returns (sms-custom-templates-step3);
    # only the "Output Metadata" elements are documented for every job.
    base_metadata(metadata, None)


# -- the check ----------------------------------------------------------------------------------


class S3Reader:
    def __init__(self, client: Any) -> None:
        self.client = client

    def read(self, uri: str) -> bytes:
        bucket, key = uri.removeprefix("s3://").split("/", 1)
        data: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return data

    def keys(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def put(self, key: str, body: str) -> str:
        self.client.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
        return f"s3://{BUCKET}/{key}"


def images(count: int) -> list[dict[str, Any]]:
    return [{"source-ref": f"s3://{BUCKET}/images/image{index}.jpg"} for index in range(count)]


def texts(count: int) -> list[dict[str, Any]]:
    return [{"source": f"Amazon SageMaker example sentence number {index}"} for index in range(count)]


def sequences(s3: S3Reader, count: int, *, point_cloud: bool = False) -> list[dict[str, Any]]:
    # sms-video-manual-data-setup.html: seq-no, prefix (ending in /), number-of-frames, frames;
    # a point cloud sequence's frames carry unix-timestamp (sms-point-cloud-multi-frame-input-data).
    kind = "point-cloud-sequences" if point_cloud else "sequences"
    lines = []
    for index in range(count):
        frames: list[dict[str, Any]] = [
            {"frame-no": number, "frame": f"frame{number:04d}.{'bin' if point_cloud else 'jpg'}"}
            for number in (1, 2)
        ]
        if point_cloud:
            for number, frame in enumerate(frames):
                frame["unix-timestamp"] = 1566861644.759115 + number
        document = {
            "seq-no": index + 1,
            "prefix": f"s3://{BUCKET}/frames/{kind}{index}/",
            "number-of-frames": 2,
            "frames": frames,
        }
        lines.append({"source-ref": s3.put(f"{kind}/seq{index}.json", json.dumps(document))})
    return lines


def point_clouds(count: int) -> list[dict[str, Any]]:
    # sms-point-cloud-single-frame-input-data.html: source-ref to a point cloud frame file.
    return [
        {
            "source-ref": f"s3://{BUCKET}/lidar/frame{index}.bin",
            "source-ref-metadata": {"format": "binary/xyzi"},
        }
        for index in range(count)
    ]


# (task type name, PRE-<TaskType> or None for custom, attribute, HumanTaskUiArn name, data, check)
Task = tuple[str, str | None, str, str | None, str, Callable[[Any, dict[str, Any], S3Reader], None]]
TASKS: tuple[Task, ...] = (
    (
        "image-classification",
        "ImageMultiClass",
        "sport",
        None,
        "images",
        classification("groundtruth/image-classification"),
    ),
    (
        "image-multilabel",
        "ImageMultiClassMultiLabel",
        "tags",
        None,
        "images",
        multilabel("groundtruth/image-classification-multilabel"),
    ),
    ("bounding-box", "BoundingBox", "bounding-box", None, "images", bounding_box),
    (
        "semantic-segmentation",
        "SemanticSegmentation",
        "city-streets-ref",
        None,
        "images",
        semantic_segmentation,
    ),
    (
        "text-classification",
        "TextMultiClass",
        "mood",
        None,
        "texts",
        classification("groundtruth/text-classification"),
    ),
    (
        "text-multilabel",
        "TextMultiClassMultiLabel",
        "moods",
        None,
        "texts",
        multilabel("groundtruth/text-classification-multilabel"),
    ),
    (
        "named-entities",
        "NamedEntityRecognition",
        "entities",
        "NamedEntityRecognition",
        "texts",
        named_entities,
    ),
    ("label-verification", "VerificationBoundingBox", "verify-bounding-box", None, "images", verification),
    (
        "bounding-box-adjustment",
        "AdjustmentBoundingBox",
        "adjusted-bounding-box",
        None,
        "images",
        adjusted_bounding_box,
    ),
    (
        "video-detection",
        "VideoObjectDetection",
        "CarObjectDetection-ref",
        "VideoObjectDetection",
        "sequences",
        video_frames("detection-annotations", "groundtruth/video-object-detection"),
    ),
    (
        "video-tracking",
        "VideoObjectTracking",
        "CarObjectTracking-ref",
        "VideoObjectTracking",
        "sequences",
        video_frames("tracking-annotations", "groundtruth/video-object-tracking"),
    ),
    (
        "point-cloud-detection",
        "3DPointCloudObjectDetection",
        "3d-bounding-box",
        "PointCloudObjectDetection",
        "point_clouds",
        point_cloud_detection,
    ),
    (
        "point-cloud-tracking",
        "3DPointCloudObjectTracking",
        "lidar-label-attribute-ref",
        "PointCloudObjectTracking",
        "point_cloud_sequences",
        point_cloud_tracking,
    ),
    ("custom", None, "answer", None, "images", custom),
)


def job_request(name: str, task: str | None, attribute: str, ui: str | None, manifest: str) -> dict[str, Any]:
    lambda_prefix = f"arn:aws:lambda:{REGION}:{BUILT_IN_ACCOUNT}:function:"
    pre = f"{lambda_prefix}PRE-{task}" if task else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-pre"
    acs = f"{lambda_prefix}ACS-{task}" if task else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-acs"
    ui_config = (
        {"HumanTaskUiArn": f"arn:aws:sagemaker:{REGION}:{UI_ACCOUNT}:human-task-ui/{ui}"}
        if ui
        else {"UiTemplateS3Uri": f"s3://{BUCKET}/template.liquid"}
    )
    return {
        "LabelingJobName": name,
        "LabelAttributeName": attribute,
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": manifest}}},
        "OutputConfig": {"S3OutputPath": f"s3://{BUCKET}/output/"},
        "RoleArn": ROLE_ARN,
        "LabelCategoryConfigS3Uri": f"s3://{BUCKET}/categories.json",
        "HumanTaskConfig": {
            "WorkteamArn": WORKTEAM_ARN,
            "UiConfig": ui_config,
            "PreHumanTaskLambdaArn": pre,
            "TaskTitle": "Outsider check",
            "TaskDescription": "Label the data object",
            "NumberOfHumanWorkersPerDataObject": WORKERS,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": acs},
        },
    }


def wait_for(sagemaker: Any, name: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = sagemaker.describe_labeling_job(LabelingJobName=name)
        if job["LabelingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return job
        if time.monotonic() > deadline:
            raise CheckFailedError(f"{name} still {job['LabelingJobStatus']} after {timeout} s")
        time.sleep(0.5)


def check_worker_responses(s3: S3Reader, name: str, count: int) -> None:
    # "Annotations Directory": worker-response/iteration-<n>/<object>/<timestamped>.json;
    # "Worker Metadata": acceptanceTime/submissionTime as YYYY-MM-DDTHH:MM:SS.mmmZ,
    # timeSpentInSeconds, workerId, workerMetadata.identityData for a private workforce.
    keys = s3.keys(f"output/{name}/annotations/worker-response/iteration-1/")
    objects = {key.split("/")[-2] for key in keys}
    expect(len(objects) == count, f"{name}: a worker-response folder per object ({len(objects)} of {count})")
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
    for key in keys:
        expect(key.endswith(".json"), f"{key} is a JSON file")
        answers = json.loads(s3.read(f"s3://{BUCKET}/{key}"))["answers"]
        expect(len(answers) == WORKERS, f"{key}: one answer per worker")
        for answer in answers:
            expect(bool(stamp.fullmatch(answer["acceptanceTime"])), "acceptanceTime format")
            expect(bool(stamp.fullmatch(answer["submissionTime"])), "submissionTime format")
            expect(isinstance(answer["timeSpentInSeconds"], int | float), "timeSpentInSeconds")
            expect(bool(answer["workerId"]) and "answerContent" in answer, "workerId and answerContent")
            identity = answer["workerMetadata"]["identityData"]
            expect({"identityProviderType", "issuer", "sub"} <= set(identity), "workerMetadata.identityData")


def run_task(
    sagemaker: Any,
    s3: S3Reader,
    task: Task,
    *,
    data: dict[str, list[dict[str, Any]]],
    run_id: str,
    timeout: float,
) -> None:
    label, pre, attribute, ui, kind, check = task
    name = f"outsider-{label}-{run_id}"
    lines = data[kind]
    manifest = s3.put(f"inputs/{name}.manifest", "".join(json.dumps(line) + "\n" for line in lines))
    sagemaker.create_labeling_job(**job_request(name, pre, attribute, ui, manifest))
    job = wait_for(sagemaker, name, timeout)
    expect(
        job["LabelingJobStatus"] == "Completed",
        f"{name}: {job['LabelingJobStatus']} {job.get('FailureReason', '')}",
    )
    # "Manifest Directory": manifests/output/output.manifest; each line is the input line plus
    # the label attribute and <attribute>-metadata ("Any key-value pair ... is unchanged").
    output = s3.read(job["LabelingJobOutput"]["OutputDatasetS3Uri"]).decode().splitlines()
    expect(
        job["LabelingJobOutput"]["OutputDatasetS3Uri"].endswith(f"/{name}/manifests/output/output.manifest"),
        "output manifest path",
    )
    expect(len(output) == len(lines), f"{name}: one output line per input line")
    for line, source in zip(output, lines, strict=True):
        record = json.loads(line)
        for key, value in source.items():
            expect(record.get(key) == value, f"{name}: input key {key!r} kept unchanged")
        check(record[attribute], record[f"{attribute}-metadata"], s3)
    check_worker_responses(s3, name, len(lines))
    # "Annotations Directory": consolidated-annotation and intermediate subdirectories.
    for folder in ("annotations/consolidated-annotation/", "annotations/intermediate/"):
        expect(bool(s3.keys(f"output/{name}/{folder}")), f"{name}: {folder} has files")


REFUSALS: tuple[tuple[str, str, str, str | None], ...] = (
    # (why, task, attribute, HumanTaskUiArn name): API_CreateLabelingJob LabelAttributeName.
    ("source-ref as LabelAttributeName", "ImageMultiClass", "source-ref", None),
    ("no -ref for semantic segmentation", "SemanticSegmentation", "city-streets", None),
    ("no -ref for video frame tracking", "VideoObjectTracking", "cars", "VideoObjectTracking"),
    (
        "no -ref for 3D point cloud tracking",
        "3DPointCloudObjectTracking",
        "lidar",
        "PointCloudObjectTracking",
    ),
    ("-ref on bounding boxes", "BoundingBox", "boxes-ref", None),
    ("-ref on image classification", "ImageMultiClass", "sport-ref", None),
)


def check_refusals(sagemaker: Any, s3: S3Reader, run_id: str, timeout: float) -> None:
    manifest = s3.put("inputs/refusals.manifest", json.dumps(images(1)[0]) + "\n")
    for index, (why, task, attribute, ui) in enumerate(REFUSALS):
        try:
            sagemaker.create_labeling_job(
                **job_request(f"outsider-refused-{index}-{run_id}", task, attribute, ui, manifest)
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            expect(code == "ValidationException", f"{why}: {code} instead of ValidationException")
        else:
            raise CheckFailedError(f"{why}: CreateLabelingJob accepted it ({API_DOC})")
    # sms-input-data-input-manifest.html: "Each JSON object in the manifest file can be no larger
    # than 100,000 characters". The page does not say whether CreateLabelingJob refuses it or the
    # job fails on it: either is accepted, a Completed job is not.
    long_line = json.dumps(
        {
            "source-ref": f"s3://{BUCKET}/images/big.jpg",
            "note": "x" * 19_000,
            **{f"n{i}": "y" * 19_000 for i in range(5)},
        }
    )
    expect(len(long_line) > 100_000, "the long line is over the limit")
    name = f"outsider-long-line-{run_id}"
    manifest = s3.put(f"inputs/{name}.manifest", long_line + "\n")
    request = job_request(name, "ImageMultiClass", "sport", None, manifest)
    refused_or_failed(sagemaker, request, timeout, f"a line over 100,000 characters ({MANIFEST_DOC})")
    # sms-automated-labeling.html: "Automated data labeling is available only for the following
    # Ground Truth built-in task types: Image classification (Single label), Semantic
    # segmentation, Bounding box, Text classification". 1,250 objects: the page's minimum is met.
    name = f"outsider-ner-automated-{run_id}"
    manifest = s3.put(f"inputs/{name}.manifest", "".join(json.dumps(line) + "\n" for line in texts(1250)))
    request = job_request(name, "NamedEntityRecognition", "entities", "NamedEntityRecognition", manifest)
    request["LabelingJobAlgorithmsConfig"] = {
        "LabelingJobAlgorithmSpecificationArn": f"arn:aws:sagemaker:{REGION}:027400017018:"
        "labeling-job-algorithm-specification/text-classification"
    }
    refused_or_failed(sagemaker, request, timeout, f"automated labeling of named entities ({AUTOMATION_DOC})")
    # sms-data-verify-start-api.html: an adjustment or verification job "must use a different
    # LabelAttributeName than the original labeling job" (here: the bounding box job of TASKS).
    original = sagemaker.describe_labeling_job(LabelingJobName=f"outsider-bounding-box-{run_id}")
    name = f"outsider-adjust-same-attribute-{run_id}"
    reviewed = original["LabelingJobOutput"]["OutputDatasetS3Uri"]
    request = job_request(name, "AdjustmentBoundingBox", original["LabelAttributeName"], None, reviewed)
    refused_or_failed(
        sagemaker, request, timeout, f"an adjustment job on the original attribute ({REVIEW_DOC})"
    )


def refused_or_failed(sagemaker: Any, request: dict[str, Any], timeout: float, why: str) -> None:
    """The pages state these rules, not whether CreateLabelingJob refuses or the job fails: either
    is accepted, a Completed job is not."""
    try:
        sagemaker.create_labeling_job(**request)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        expect(code == "ValidationException", f"{why}: {code} instead of ValidationException")
        return
    job = wait_for(sagemaker, request["LabelingJobName"], timeout)
    expect(job["LabelingJobStatus"] == "Failed", f"{why}: {job['LabelingJobStatus']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the endpoint `gtchain sandbox up` printed")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each job")
    args = parser.parse_args(argv)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    sagemaker = session.client("sagemaker", endpoint_url=args.endpoint)
    s3 = S3Reader(session.client("s3", endpoint_url=args.endpoint))
    s3.client.create_bucket(Bucket=BUCKET)
    # sms-label-cat-config-attributes.html: {"document-version": ..., "labels": [{"label": ...}]}
    s3.put(
        "categories.json",
        json.dumps({"document-version": "2018-11-28", "labels": [{"label": c} for c in CLASSES]}),
    )
    s3.put("template.liquid", "<crowd-form></crowd-form>")
    data = {
        "images": images(3),
        "texts": texts(3),
        "sequences": sequences(s3, 2),
        "point_cloud_sequences": sequences(s3, 2, point_cloud=True),
        "point_clouds": point_clouds(2),
    }
    run_id = uuid.uuid4().hex[:8]
    failures = []
    for task in TASKS:
        try:
            run_task(sagemaker, s3, task, data=data, run_id=run_id, timeout=args.timeout)
            print(f"ok    {task[0]}")
        except (CheckFailedError, ClientError, KeyError, TypeError, ValueError) as error:
            failures.append(task[0])
            print(f"FAIL  {task[0]}: {type(error).__name__}: {error}")
    try:
        check_refusals(sagemaker, s3, run_id, args.timeout)
        print("ok    refusals")
    except (CheckFailedError, ClientError, KeyError) as error:
        failures.append("refusals")
        print(f"FAIL  refusals: {error}")
    print(f"{len(TASKS) + 1 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
