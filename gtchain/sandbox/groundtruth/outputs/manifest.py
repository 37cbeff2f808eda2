"""Reading an input manifest the way Ground Truth does before it sends work out.

Rules, from https://docs.aws.amazon.com/sagemaker/latest/dg/sms-input-data-input-manifest.html:
"Each JSON object in the manifest file can be no larger than 100,000 characters. No single
attribute within an object can be larger than 20,000 characters. Attribute names can't begin
with ``$``", and each object has ``source-ref`` or ``source``. Dataset sizes, from
https://docs.aws.amazon.com/sagemaker/latest/dg/input-data-limits.html: "Input datasets used in
semantic segmentation labeling jobs have a quota of 20,000 items. For all other labeling job
types, the dataset size quota is 100,000 items." An attribute's size is the length of its value
as JSON (the page does not say how it is measured). Whether CreateLabelingJob refuses a bad
manifest or the job fails on it is a variant (variants.py, manifest_errors).

Which objects a job sends to workers: a chained job "uses the output manifest of the previous
job" and workers only get the objects that have no label yet under the job's attribute
(https://docs.aws.amazon.com/sagemaker/latest/dg/sms-reusing-data.html, "Chaining labeling
jobs"); an object whose labeling failed carries a ``failure-reason`` in its ``<attribute>-metadata``
instead of a label (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html). The
emulator reads these pages with its own code (:func:`is_labeled`); the runtime has its own
reading of the same pages, and the two meet only through the files in S3.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_LINE_CHARS = 100_000  # "Each JSON object in the manifest file can be no larger than 100,000 characters"
MAX_OBJECTS_PER_JOB = 100_000
MAX_SEMANTIC_SEGMENTATION_OBJECTS = 20_000
MAX_ATTRIBUTE_CHARS = 20_000


class ManifestError(ValueError):
    """The input manifest cannot be labeled; the message becomes the job's FailureReason."""


@dataclass(frozen=True)
class ManifestObject:
    line_number: int
    record: dict[str, Any]

    @property
    def identity(self) -> str:
        return str(self.record.get("source-ref", self.record.get("source")))


def is_labeled(record: dict[str, Any], attribute: str) -> bool:
    """Labeled = the attribute is present and non-null, and its metadata has no failure-reason."""
    metadata = record.get(f"{attribute}-metadata")
    failed = isinstance(metadata, dict) and "failure-reason" in metadata
    return record.get(attribute) is not None and not failed


def parse_manifest(text: str, uri: str, max_objects: int = MAX_OBJECTS_PER_JOB) -> list[ManifestObject]:  # noqa: C901 - one check per documented manifest rule, in the page's order
    objects: list[ManifestObject] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            raise ManifestError(
                f"ClientError: line {line_number} of input manifest {uri} is longer than "
                f"{MAX_LINE_CHARS} characters"
            )
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ManifestError(
                f"ClientError: line {line_number} of input manifest {uri} is not valid JSON ({error.msg})"
            ) from error
        if not isinstance(record, dict) or ("source-ref" not in record and "source" not in record):
            raise ManifestError(
                f"ClientError: line {line_number} of input manifest {uri} "
                "has neither 'source-ref' nor 'source'"
            )
        for name, value in record.items():
            if name.startswith("$"):
                raise ManifestError(
                    f"ClientError: line {line_number} of input manifest {uri} has an attribute name "
                    f"beginning with '$': {name!r}"
                )
            size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
            if size > MAX_ATTRIBUTE_CHARS:
                raise ManifestError(
                    f"ClientError: attribute {name!r} on line {line_number} of input manifest {uri} "
                    f"is larger than {MAX_ATTRIBUTE_CHARS} characters"
                )
        objects.append(ManifestObject(line_number, record))
        if len(objects) > max_objects:
            raise ManifestError(f"ClientError: input manifest {uri} has more than {max_objects} objects")
    if not objects:
        raise ManifestError(f"ClientError: input manifest {uri} has no data objects")
    return objects


def serialize_manifest(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records)
