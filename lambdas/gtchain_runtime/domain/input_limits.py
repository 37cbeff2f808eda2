"""Ground Truth's documented input limits, checked on a chained manifest before CreateLabelingJob.

A child over a limit would fail (or be refused) only after it is created, with a text gtchain
cannot read, and the chain would give up one job later. Checking the chained manifest first
turns that into a GIVE_UP that names the objects and the limit, before any money is spent.

The limits (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-input-data-input-manifest.html
and https://docs.aws.amazon.com/sagemaker/latest/dg/input-data-limits.html):

- a manifest line has at most 100,000 characters; "no single attribute within an object can be
  larger than 20,000 characters" (sms-input-data-input-manifest). Whether AWS measures labels
  carried from an earlier job against the attribute limit is not documented: they are checked
  like every other attribute, so under either reading the chain ends with a clear reason
  (3D point cloud detection labels are inline: about 67 cuboids in one frame pass 20,000);
- a job takes at most 100,000 objects, 20,000 for semantic segmentation (input-data-limits);
- a video frame job's manifest lists at most 10 sequences (input-data-limits).

Pure: bytes in, a list of problems out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gtchain_runtime.domain.manifest.lines import MAX_LINE_CHARS, json_loader, object_key, strip_bom

MAX_ATTRIBUTE_CHARS = 20_000
MAX_OBJECTS_PER_JOB = 100_000
MAX_SEMANTIC_SEGMENTATION_OBJECTS = 20_000
MAX_VIDEO_FRAME_SEQUENCES = 10
OBJECTS_NAMED = 5  # a problem names this many objects, then says how many more


def _dumps(value: Any) -> str:
    """An attribute's value as the manifest line holds it, to count its characters."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def max_objects(task_type: str | None) -> int:
    """The dataset quota of a task type (the pre-annotation Lambda's name, e.g. PRE-BoundingBox)."""
    task = task_type or ""
    if "SemanticSegmentation" in task and "3DPointCloud" not in task:
        return MAX_SEMANTIC_SEGMENTATION_OBJECTS
    return MAX_OBJECTS_PER_JOB


def is_video_frame_task(task_type: str | None) -> bool:
    return "VideoObject" in (task_type or "")


@dataclass
class _Offenders:
    """Objects over one limit: the first few named, all counted."""

    limit: str
    names: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, name: str) -> None:
        self.count += 1
        if len(self.names) < OBJECTS_NAMED:
            self.names.append(name)

    def problem(self) -> str:
        more = f" and {self.count - len(self.names)} more" if self.count > len(self.names) else ""
        return f"{self.count} object(s) over {self.limit}: {'; '.join(self.names)}{more}"


def chained_manifest_problems(lines: Iterable[bytes], task_type: str | None) -> list[str]:
    """What in a chained manifest breaks a documented input limit, one sentence per limit;
    empty when the manifest can be given to CreateLabelingJob."""
    loads = json_loader()
    long_lines = _Offenders("the 100,000-character line limit (sms-input-data-input-manifest)")
    long_attributes = _Offenders(
        f"the {MAX_ATTRIBUTE_CHARS:,}-character attribute limit (sms-input-data-input-manifest)"
    )
    objects = 0
    for number, raw in enumerate(lines, start=1):
        data = strip_bom(raw) if number == 1 else raw
        text = data.decode("utf-8").rstrip("\r\n")
        if not text.strip():
            continue
        objects += 1
        record = loads(data)
        where = f"line {number} ({object_key(record)[2:][:80]})"
        if len(text) > MAX_LINE_CHARS:
            long_lines.add(f"{where}, {len(text):,} characters")
        for name, value in record.items():
            size = len(_dumps(value))
            if size > MAX_ATTRIBUTE_CHARS:
                long_attributes.add(f"{where} attribute {name!r}, {size:,} characters")
    problems = [group.problem() for group in (long_lines, long_attributes) if group.count]
    quota = max_objects(task_type)
    if objects > quota:
        problems.append(
            f"the chained manifest holds {objects:,} objects, over the {quota:,}-object quota of "
            f"{task_type or 'this task type'} (input-data-limits)"
        )
    if is_video_frame_task(task_type) and objects > MAX_VIDEO_FRAME_SEQUENCES:
        problems.append(
            f"the chained manifest lists {objects} video frame sequences, over the "
            f"{MAX_VIDEO_FRAME_SEQUENCES} a video frame job takes (input-data-limits)"
        )
    return problems
