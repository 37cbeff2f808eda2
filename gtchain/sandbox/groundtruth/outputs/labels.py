"""Labels that look like Ground Truth's output for the task type a request implies.

Shapes per https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html, section by
section: "Classification Job Output" (class index, ``class-name``, ``confidence``), "Multi-label
Classification Job Output" (indexes, ``class-map``, ``confidence-map``), "Bounding Box Job
Output" (``image_size``/``annotations``, ``objects``, ``class-map``; an adjustment job adds
``adjustment-status`` "``adjusted`` or ``unadjusted``"), "Named Entity Recognition"
(``annotations.labels`` and ``annotations.entities`` with ``label``/``startOffset``/``endOffset``;
metadata ``entities`` confidences, type ``groundtruth/text-span``), "Label Verification Job
Output" (a class index as a string, ``class-name``, ``confidence``, type
``groundtruth/label-verification``; sms-data-verify-manifest.html adds ``worker-feedback``, "an
array of ``comment`` values. This property is added when the worker enters comments. If there
are no comments, the field doesn't appear."), "Semantic Segmentation Job Output" (the label is the S3 URI
of a PNG mask; metadata ``internal-color-map`` of ``class-name``/``confidence``/``hex-color`` with
``0`` = ``BACKGROUND``; "Confidence scores are the same across all classes within an image"),
"Video Frame Object Detection Output" / "Video Frame Object Tracking Output" (the label is the S3
URI of ``annotations/consolidated-annotation/output/<n>/SeqLabel.json`` holding
``detection-annotations`` / ``tracking-annotations``: per frame ``frame-no``, ``frame``,
``frame-attributes`` and boxes with ``class-id`` and ``label-category-attributes``, plus
``object-id``/``object-name`` when tracking; metadata ``class-map`` of the classes used, type
``groundtruth/video-object-detection`` / ``groundtruth/video-object-tracking``), "3D Point Cloud
Semantic Segmentation Output" (the label is the S3 URI of a ``.zlib`` file of one class per point;
metadata ``color-map`` with ``0`` = ``Background``, type
``groundtruth/point_cloud_single_frame_semantic_segmentation``), "3D Point Cloud Object Detection
Output" (the label holds the cuboids in ``annotations``: ``object-name`` ``<class>:<n>``,
``class-id``, ``center-x/y/z``, ``length``/``width``/``height``, ``roll``/``pitch`` 0, ``yaw``;
metadata ``objects: []`` and ``class_map``, spelled with an underscore as on the page, type
``groundtruth/point_cloud_object_detection``) and "3D Point Cloud Object Tracking Output" (the
label is the S3 URI of ``SeqLabel.json`` with ``tracking-annotations``: per frame
``frame-number``, ``frame-name``, ``frame-attributes`` and cuboids with an ``object-id``;
metadata ``objects`` of ``frame-no``/``confidence``, ``class-map``, type
``groundtruth/point_cloud_object_tracking``).

Adjustment jobs: the video and 3D sections say "If one or more bounding boxes [cuboids] were
modified, there is an ``adjustment-status`` parameter ... set to ``adjusted``"; whether an
unmodified label carries ``unadjusted`` or nothing is not said (the image semantic segmentation
adjustment example shows neither): the unadjusted_status variant (variants.py).

Labels are deterministic: the same object gets the same class in every job, so test
expectations and chained jobs agree from run to run.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gtchain.sandbox.groundtruth.outputs.manifest import ManifestError
from gtchain.sandbox.groundtruth.outputs.sequences import Frame

GENERIC_CLASSES = ("category-1", "category-2", "category-3")

# Built-in task types: the pre-annotation Lambda's name after PRE- (botocore's model documents
# them under HumanTaskConfig.PreHumanTaskLambdaArn), lower-cased, without the "adjustment"
# prefix, to the documented output ``type`` (groundtruth/<type>).
_TASK_BY_BUILT_IN = {
    "imagemulticlass": "image-classification",
    "imagemulticlassmultilabel": "image-classification-multilabel",
    "textmulticlass": "text-classification",
    "textmulticlassmultilabel": "text-classification-multilabel",
    "boundingbox": "object-detection",
    "semanticsegmentation": "semantic-segmentation",
    "namedentityrecognition": "text-span",
    "verificationboundingbox": "label-verification",
    "verificationsemanticsegmentation": "label-verification",
    "videoobjectdetection": "video-object-detection",
    "videoobjecttracking": "video-object-tracking",
    "3dpointcloudobjectdetection": "point_cloud_object_detection",
    "3dpointcloudobjecttracking": "point_cloud_object_tracking",
    "3dpointcloudsemanticsegmentation": "point_cloud_single_frame_semantic_segmentation",
}
# UiConfig.HumanTaskUiArn (botocore's model: ...:394669845002:human-task-ui/<Name>) names the
# task of video frame, 3D point cloud and NER jobs whatever their pre-annotation Lambda.
_BUILT_IN_BY_UI = {
    "pointcloudobjectdetection": "3dpointcloudobjectdetection",
    "pointcloudobjecttracking": "3dpointcloudobjecttracking",
    "pointcloudsemanticsegmentation": "3dpointcloudsemanticsegmentation",
    "videoobjectdetection": "videoobjectdetection",
    "videoobjecttracking": "videoobjecttracking",
    "namedentityrecognition": "namedentityrecognition",
}
ADJUSTMENT_PREFIX = "adjustment"
VERIFICATION_CLASSES = ("good", "bad")
# One verified object in four gets workers' comments (the sandbox's workers; AWS's depend on people).
WORKER_COMMENT_EVERY = 4
# sms-data-output.html's example colors, then more.
HEX_COLORS = ("#ffffff", "#2acf59", "#f28333", "#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2")
_TASK_BY_ALGORITHM = {
    "image-classification": "image-classification",
    "text-classification": "text-classification",
    "object-detection": "object-detection",
    "semantic-segmentation": "semantic-segmentation",
}
MULTILABEL_TASKS = frozenset({"image-classification-multilabel", "text-classification-multilabel"})
# Tasks whose data object is a sequence file (sequences.py) and whose label is a SeqLabel.json.
SEQUENCE_TASKS = frozenset({"video-object-detection", "video-object-tracking", "point_cloud_object_tracking"})
LABEL_FILE_FOLDER = "annotations/consolidated-annotation/output"
POINTS_PER_SANDBOX_CLOUD = 16


def built_in_task_type(request: Mapping[str, Any]) -> str | None:
    """The built-in task type a request names by its PRE-<TaskType> Lambda, lower-cased."""
    arn = str(request.get("HumanTaskConfig", {}).get("PreHumanTaskLambdaArn") or "")
    function = arn.rsplit(":", 1)[-1]
    return function[4:].lower() if function.upper().startswith("PRE-") else None


def _built_in_task(request: Mapping[str, Any]) -> str | None:
    """The built-in task named by the pre-annotation Lambda, else by the worker UI's ARN."""
    named = built_in_task_type(request)
    if named is not None and named.removeprefix(ADJUSTMENT_PREFIX) in _TASK_BY_BUILT_IN:
        return named
    ui_arn = str(request.get("HumanTaskConfig", {}).get("UiConfig", {}).get("HumanTaskUiArn") or "")
    if ":human-task-ui/" in ui_arn:
        return _BUILT_IN_BY_UI.get(ui_arn.rsplit("/", 1)[-1].lower(), named)
    return named


def is_adjustment(request: Mapping[str, Any]) -> bool:
    return (built_in_task_type(request) or "").startswith(ADJUSTMENT_PREFIX)


def infer_task_type(request: Mapping[str, Any]) -> str:
    """The documented output type (image-classification, ...), or "custom" (labelled like a
    classification)."""
    algorithms = request.get("LabelingJobAlgorithmsConfig") or {}
    algorithm = str(algorithms.get("LabelingJobAlgorithmSpecificationArn", "")).rsplit("/", 1)[-1]
    if algorithm in _TASK_BY_ALGORITHM:
        return _TASK_BY_ALGORITHM[algorithm]
    task = _built_in_task(request)
    if task is not None:
        known = _TASK_BY_BUILT_IN.get(task.removeprefix(ADJUSTMENT_PREFIX))
        if known is not None:
            return known
    if not request.get("HumanTaskConfig", {}).get("PreHumanTaskLambdaArn") and not algorithm:
        return "image-classification"
    return "custom"


def parse_label_categories(text: str, uri: str) -> tuple[str, ...]:
    """The class names of a label category configuration file ({"labels": [{"label": ...}]})."""
    try:
        document = json.loads(text)
        names = tuple(str(entry["label"]) for entry in document["labels"])
    except (ValueError, KeyError, TypeError) as error:
        raise ManifestError(
            f"ClientError: label category configuration {uri} is not valid: it needs "
            '{"labels": [{"label": "<name>"}, ...]}'
        ) from error
    if not names:
        raise ManifestError(f"ClientError: label category configuration {uri} lists no labels")
    return names


def _stable_number(*parts: str) -> int:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return int(digest[:12], 16)


@dataclass(frozen=True)
class LabelFile:
    """A file a label points to, relative to the job's output folder."""

    relative_path: str
    content: bytes


@dataclass(frozen=True)
class Label:
    value: Any
    metadata: dict[str, Any]
    files: tuple[LabelFile, ...] = ()


# "If a single worker annotates a task ... the confidence score is set to 0.00" (sms-data-output,
# https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html, for classification and
# named entity recognition output).
SINGLE_WORKER_TASKS = frozenset(
    {
        "image-classification",
        "text-classification",
        "image-classification-multilabel",
        "text-classification-multilabel",
        "text-span",
    }
)


@dataclass(frozen=True)
class _Draw:
    """What one object's label is made of: a stable seed, its class and confidence."""

    identity: str
    dataset_object_id: str
    seed: int
    class_id: int
    confidence: float
    when: datetime
    frames: tuple[Frame, ...]


@dataclass(frozen=True)
class LabelMaker:
    task_type: str
    attribute: str
    classes: tuple[str, ...]
    job_name: str
    # An Adjustment<TaskType> job; `unadjusted_status` is the variant (variants.py).
    adjustment: bool = False
    unadjusted_status: str = "absent"
    # The S3 URI of <S3OutputPath>/<job name>: where label files go.
    output_root: str = ""
    # HumanTaskConfig.NumberOfHumanWorkersPerDataObject: one worker means no agreement to
    # measure, so classification and NER confidences are 0.00 (see SINGLE_WORKER_TASKS).
    workers_per_object: int = 3

    @property
    def job_reference(self) -> str:
        return f"labeling-job/{self.job_name.lower()}"

    def _base_metadata(self, *, human: bool, when: datetime) -> dict[str, Any]:
        return {
            "job-name": self.job_reference,
            "human-annotated": "yes" if human else "no",
            "creation-date": when.replace(tzinfo=None).isoformat(timespec="microseconds"),
            "type": f"groundtruth/{self.task_type}",
        }

    def label(
        self,
        identity: str,
        *,
        human: bool,
        when: datetime,
        dataset_object_id: str = "0",
        frames: tuple[Frame, ...] = (),
    ) -> Label:
        """One object's label, its ``<attribute>-metadata`` and the files it points to
        (`frames`: the object's sequence, for SEQUENCE_TASKS)."""
        seed = _stable_number(identity, self.attribute)
        # Humans agree more than the model: 0.90-0.99 versus 0.80-0.99.
        confidence = round((0.90 if human else 0.80) + (seed // 7 % 10) / (100 if human else 50), 2)
        if human and self.workers_per_object == 1 and self.task_type in SINGLE_WORKER_TASKS:
            confidence = 0.0
        draw = _Draw(
            identity, dataset_object_id, seed, seed % len(self.classes), min(confidence, 0.99), when, frames
        )
        metadata = self._base_metadata(human=human, when=when)
        make = _MAKERS.get(self.task_type, LabelMaker._classification)
        label = make(self, draw, metadata)
        if self.adjustment:
            self._mark_adjustment(label.metadata, seed)
        return label

    def _mark_adjustment(self, metadata: dict[str, Any], seed: int) -> None:
        # One object in three comes back as the worker found it.
        adjusted = seed % 3 != 0
        if adjusted:
            metadata["adjustment-status"] = "adjusted"
        elif self.task_type == "object-detection" or self.unadjusted_status == "unadjusted":
            metadata["adjustment-status"] = "unadjusted"

    def _file(self, draw: _Draw, name: str, content: bytes) -> tuple[str, LabelFile]:
        relative = f"{LABEL_FILE_FOLDER}/{draw.dataset_object_id}/{name}"
        return f"{self.output_root.rstrip('/')}/{relative}", LabelFile(relative, content)

    def _classification(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        metadata["class-name"] = self.classes[draw.class_id]
        metadata["confidence"] = draw.confidence
        return Label(draw.class_id, metadata)

    def _multilabel(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        spread = max(len(self.classes) - 1, 1)
        second = (draw.class_id + 1 + draw.seed // 13 % spread) % len(self.classes)
        chosen = sorted({draw.class_id, second})
        metadata["class-map"] = {str(index): self.classes[index] for index in chosen}
        metadata["confidence-map"] = {str(index): draw.confidence for index in chosen}
        return Label(chosen, metadata)

    def _semantic_segmentation(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        metadata["internal-color-map"] = self._color_map(("BACKGROUND", *self.classes), draw.confidence)
        stamp = draw.when.strftime("%Y-%m-%dT%H-%M-%S")
        # The image's mask: a 1x1 placeholder PNG, in the folder of the page's label files.
        relative = f"{LABEL_FILE_FOLDER}/{draw.dataset_object_id}_{stamp}.png"
        uri = f"{self.output_root.rstrip('/')}/{relative}"
        return Label(uri, metadata, (LabelFile(relative, PLACEHOLDER_PNG),))

    def _color_map(self, names: tuple[str, ...], confidence: float) -> dict[str, dict[str, Any]]:
        return {
            str(index): {
                "class-name": name,
                "confidence": confidence,
                "hex-color": HEX_COLORS[index % len(HEX_COLORS)],
            }
            for index, name in enumerate(names)
        }

    def _text_span(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        length = max(len(draw.identity), 2)
        start = draw.seed % (length - 1)
        entity = {
            "label": self.classes[draw.class_id],
            "startOffset": start,
            "endOffset": min(start + 1 + draw.seed % 9, length),
        }
        metadata["entities"] = [{"confidence": draw.confidence}]
        labels = [{"label": name} for name in self.classes]
        return Label({"annotations": {"labels": labels, "entities": [entity]}}, metadata)

    def _verification(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        verdict = draw.seed % len(VERIFICATION_CLASSES)
        metadata["class-name"] = VERIFICATION_CLASSES[verdict]
        metadata["confidence"] = draw.confidence
        # Not the verdict's bits of the seed: both verdicts get comments.
        if draw.seed // 5 % WORKER_COMMENT_EVERY == 0:
            # Only when workers comment: "If there are no comments, the field doesn't appear."
            metadata["worker-feedback"] = [
                {"comment": f"The label looks {VERIFICATION_CLASSES[verdict]} to me."},
                {"comment": "Checked against the task instructions."},
            ]
        return Label(str(verdict), metadata)

    def _bounding_box(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        seed = draw.seed
        width, height = 640 + seed % 640, 480 + seed % 480
        value = {
            "image_size": [{"width": width, "height": height, "depth": 3}],
            "annotations": [{"class_id": draw.class_id, **_box(seed, width, height)}],
        }
        metadata["objects"] = [{"confidence": draw.confidence}]
        metadata["class-map"] = {str(draw.class_id): self.classes[draw.class_id]}
        return Label(value, metadata)

    def _video(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        tracking = self.task_type == "video-object-tracking"
        class_name = self.classes[draw.class_id]
        object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, draw.identity))
        frames = []
        for offset, frame in enumerate(draw.frames):
            box: dict[str, Any] = {
                **_box(draw.seed + offset, 640, 480),
                "class-id": str(draw.class_id),
                "label-category-attributes": {},
            }
            if tracking:
                box |= {"object-id": object_id, "object-name": f"{class_name}:1"}
            frames.append(
                {"annotations": [box], "frame-no": frame.number, "frame": frame.name, "frame-attributes": {}}
            )
        key = "tracking-annotations" if tracking else "detection-annotations"
        uri, file = self._file(draw, "SeqLabel.json", json.dumps({key: frames}).encode())
        metadata["class-map"] = {str(draw.class_id): class_name}
        return Label(uri, metadata, (file,))

    def _cuboid(self, draw: _Draw, offset: int) -> dict[str, Any]:
        seed = draw.seed + offset
        return {
            "label-category-attributes": {},
            "object-name": f"{self.classes[draw.class_id]}:1",
            "class-id": draw.class_id,
            "center-x": round(seed % 2000 / 100 - 10, 3),
            "center-y": round(seed // 7 % 2000 / 100 + 90, 3),
            "center-z": round(seed // 11 % 100 / 100, 3),
            "length": 4,
            "width": 2,
            "height": 2,
            "roll": 0,
            "pitch": 0,
            "yaw": round(seed % 628 / 100, 3),
        }

    def _point_cloud_detection(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        metadata["objects"] = []
        metadata["class_map"] = {str(draw.class_id): self.classes[draw.class_id]}
        return Label({"annotations": [self._cuboid(draw, 0)]}, metadata)

    def _point_cloud_tracking(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, draw.identity))
        frames = []
        for position, frame in enumerate(draw.frames):
            number = int(frame.number) if frame.number.isdigit() else position
            cuboid = self._cuboid(draw, position) | {"object-id": object_id}
            frames.append(
                {
                    "frame-number": number,
                    "frame-name": frame.name,
                    "frame-attributes": {},
                    "annotations": [cuboid],
                }
            )
        uri, file = self._file(draw, "SeqLabel.json", json.dumps({"tracking-annotations": frames}).encode())
        metadata["objects"] = [{"frame-no": frame["frame-number"], "confidence": []} for frame in frames]
        metadata["class-map"] = {str(draw.class_id): self.classes[draw.class_id]}
        return Label(uri, metadata, (file,))

    def _point_cloud_segmentation(self, draw: _Draw, metadata: dict[str, Any]) -> Label:
        names = ("Background", *self.classes)
        metadata["color-map"] = self._color_map(names, draw.confidence)
        # One class index per point ("array('B', ...)" once decompressed, as the page reads it).
        points = bytes((draw.seed >> index) % len(names) for index in range(POINTS_PER_SANDBOX_CLOUD))
        stamp = draw.when.strftime("%Y-%m-%dT%H-%M-%S")
        uri, file = self._file(draw, f"{stamp}.zlib", zlib.compress(points))
        return Label(uri, metadata, (file,))

    def answer_content(self, value: Any, metadata: dict[str, Any]) -> dict[str, Any]:
        """A worker's ``answerContent``: what the task's form submitted, keyed by the form
        element's name (the built-in templates name it ``category`` for classification, the
        attribute otherwise). Each worker of the sandbox gives the consolidated answer."""
        if "class-name" in metadata:
            return {"category": {"label": metadata["class-name"]}}
        if "class-map" in metadata and isinstance(value, list):
            return {"category": {"labels": [metadata["class-map"][str(index)] for index in value]}}
        return {self.attribute: value}

    def failure(self, reason: str, *, when: datetime) -> dict[str, Any]:
        """``<attribute>-metadata`` of an object that failed (the attribute itself is absent)."""
        metadata = self._base_metadata(human=True, when=when)
        metadata["failure-reason"] = reason
        return metadata


def _box(seed: int, width: int, height: int) -> dict[str, int]:
    box_width, box_height = width // 4, height // 4
    return {
        "left": seed % (width - box_width),
        "top": seed // 3 % (height - box_height),
        "width": box_width,
        "height": box_height,
    }


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 2, 0, 0, 0))  # 8-bit RGB
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


PLACEHOLDER_PNG = _png(1, 1)

_MAKERS: dict[str, Callable[[LabelMaker, _Draw, dict[str, Any]], Label]] = {
    "image-classification-multilabel": LabelMaker._multilabel,
    "text-classification-multilabel": LabelMaker._multilabel,
    "semantic-segmentation": LabelMaker._semantic_segmentation,
    "text-span": LabelMaker._text_span,
    "label-verification": LabelMaker._verification,
    "object-detection": LabelMaker._bounding_box,
    "video-object-detection": LabelMaker._video,
    "video-object-tracking": LabelMaker._video,
    "point_cloud_object_detection": LabelMaker._point_cloud_detection,
    "point_cloud_object_tracking": LabelMaker._point_cloud_tracking,
    "point_cloud_single_frame_semantic_segmentation": LabelMaker._point_cloud_segmentation,
}
