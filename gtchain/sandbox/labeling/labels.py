"""Labels that look like Ground Truth's output for the task type a request implies.

Shapes per https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html: classification
(class index, ``class-name``, ``confidence``), multi-label (indexes, ``class-map``,
``confidence-map``), bounding box (``image_size``/``annotations``, ``objects``, ``class-map``),
"Named Entity Recognition" (``annotations.labels`` and ``annotations.entities`` with
``label``/``startOffset``/``endOffset``; metadata ``entities`` confidences, type
``groundtruth/text-span``), "Label Verification Job Output" (a class index as a string,
``class-name``, ``confidence``, type ``groundtruth/label-verification``) and "Semantic
Segmentation Job Output" (the label is the S3 URI of a PNG mask; metadata
``internal-color-map`` of ``class-name``/``confidence``/``hex-color`` with ``0`` =
``BACKGROUND``; "Confidence scores are the same across all classes within an image").
The mask is written under ``annotations/consolidated-annotation/output/`` (the folder the page's
video frame example uses for label files; the PNG itself is a 1x1 placeholder).

Labels are deterministic: the same object gets the same class in every job, so test
expectations and chained jobs agree from run to run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gtchain.sandbox.labeling.manifest import ManifestError

GENERIC_CLASSES = ("category-1", "category-2", "category-3")

# Built-in pre-annotation Lambdas (PRE-<Task>) and algorithm specifications name the task.
_TASK_BY_PRE_LAMBDA = {
    "imagemulticlass": "image-classification",
    "imagemulticlassmultilabel": "image-classification-multilabel",
    "textmulticlass": "text-classification",
    "textmulticlassmultilabel": "text-classification-multilabel",
    "boundingbox": "object-detection",
    "semanticsegmentation": "semantic-segmentation",
    "namedentityrecognition": "text-span",
    "verificationboundingbox": "label-verification",
    "verificationsemanticsegmentation": "label-verification",
}
VERIFICATION_CLASSES = ("good", "bad")
# sms-data-output.html's example colors, then more.
HEX_COLORS = ("#ffffff", "#2acf59", "#f28333", "#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2")
_TASK_BY_ALGORITHM = {
    "image-classification": "image-classification",
    "text-classification": "text-classification",
    "object-detection": "object-detection",
}
MULTILABEL_TASKS = frozenset({"image-classification-multilabel", "text-classification-multilabel"})


def infer_task_type(request: dict[str, Any]) -> str:
    """image-classification, ..., or "custom" (labelled like a classification)."""
    algorithms = request.get("LabelingJobAlgorithmsConfig") or {}
    algorithm_arn = algorithms.get("LabelingJobAlgorithmSpecificationArn", "")
    algorithm = algorithm_arn.rsplit("/", 1)[-1]
    if algorithm in _TASK_BY_ALGORITHM:
        return _TASK_BY_ALGORITHM[algorithm]
    pre_lambda = request.get("HumanTaskConfig", {}).get("PreHumanTaskLambdaArn", "")
    function_name = pre_lambda.rsplit(":", 1)[-1]
    if function_name.upper().startswith("PRE-"):
        task = _TASK_BY_PRE_LAMBDA.get(function_name[4:].lower())
        if task is not None:
            return task
    if not pre_lambda and not algorithm:
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
class LabelMaker:
    task_type: str
    attribute: str
    classes: tuple[str, ...]
    job_name: str

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
        self, identity: str, *, human: bool, when: datetime, mask_uri: str = ""
    ) -> tuple[Any, dict[str, Any]]:
        """The label value and its ``<attribute>-metadata`` for one object (`mask_uri`: where a
        semantic segmentation job wrote the object's mask)."""
        seed = _stable_number(identity, self.attribute)
        class_id = seed % len(self.classes)
        # Humans agree more than the model: 0.90-0.99 versus 0.80-0.99.
        confidence = round((0.90 if human else 0.80) + (seed // 7 % 10) / (100 if human else 50), 2)
        confidence = min(confidence, 0.99)
        metadata = self._base_metadata(human=human, when=when)
        if self.task_type in MULTILABEL_TASKS:
            second = (class_id + 1 + seed // 13 % max(len(self.classes) - 1, 1)) % len(self.classes)
            chosen = sorted({class_id, second})
            metadata["class-map"] = {str(index): self.classes[index] for index in chosen}
            metadata["confidence-map"] = {str(index): confidence for index in chosen}
            return chosen, metadata
        if self.task_type == "semantic-segmentation":
            names = ("BACKGROUND", *self.classes)
            metadata["internal-color-map"] = {
                str(index): {
                    "class-name": name,
                    "confidence": confidence,
                    "hex-color": HEX_COLORS[index % len(HEX_COLORS)],
                }
                for index, name in enumerate(names)
            }
            return mask_uri, metadata
        if self.task_type == "text-span":
            length = max(len(identity), 2)
            start = seed % (length - 1)
            entity = {
                "label": self.classes[class_id],
                "startOffset": start,
                "endOffset": min(start + 1 + seed % 9, length),
            }
            metadata["entities"] = [{"confidence": confidence}]
            return {
                "annotations": {"labels": [{"label": name} for name in self.classes], "entities": [entity]}
            }, metadata
        if self.task_type == "label-verification":
            verdict = seed % len(VERIFICATION_CLASSES)
            metadata["class-name"] = VERIFICATION_CLASSES[verdict]
            metadata["confidence"] = confidence
            return str(verdict), metadata
        if self.task_type == "object-detection":
            width, height = 640 + seed % 640, 480 + seed % 480
            box_width, box_height = width // 4, height // 4
            value = {
                "image_size": [{"width": width, "height": height, "depth": 3}],
                "annotations": [
                    {
                        "class_id": class_id,
                        "left": seed % (width - box_width),
                        "top": seed // 3 % (height - box_height),
                        "width": box_width,
                        "height": box_height,
                    }
                ],
            }
            metadata["objects"] = [{"confidence": confidence}]
            metadata["class-map"] = {str(class_id): self.classes[class_id]}
            return value, metadata
        metadata["class-name"] = self.classes[class_id]
        metadata["confidence"] = confidence
        return class_id, metadata

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
