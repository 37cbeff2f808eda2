"""Reading an input manifest the way Ground Truth does before it sends work out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gtchain_runtime.domain.manifest.lines import MAX_LINE_CHARS
from gtchain_runtime.domain.manifest.status import LABELED_STATUSES, classify

MAX_OBJECTS_PER_JOB = 100_000


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
    return classify(record, attribute, f"{attribute}-metadata") in LABELED_STATUSES


def parse_manifest(text: str, uri: str) -> list[ManifestObject]:
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
        objects.append(ManifestObject(line_number, record))
        if len(objects) > MAX_OBJECTS_PER_JOB:
            raise ManifestError(
                f"ClientError: input manifest {uri} has more than {MAX_OBJECTS_PER_JOB} objects"
            )
    if not objects:
        raise ManifestError(f"ClientError: input manifest {uri} has no data objects")
    return objects


def serialize_manifest(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records)
