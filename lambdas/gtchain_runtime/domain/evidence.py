"""The labels a job left behind when it wrote no final output manifest, found in the other
files Ground Truth writes under ``<S3OutputPath>/<job>/`` (docs/architecture.md, "Evidence").

Ground Truth's output layout (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html,
"Output directories"):

- ``manifests/output/output.manifest``: the final output manifest;
- the output "is written to the output location periodically while the job is in progress.
  These intermediate files contain one line for each line in the manifest file"; they are
  ``manifests/intermediate/<n>/output.manifest`` (the newest, highest ``n``, is used);
- ``annotations/consolidated-annotation/``: the consolidation of each batch:
  ``consolidation-request/iteration-<n>/<batch>.json`` (what the post-annotation Lambda was
  given: a JSON list of ``{datasetObjectId, dataObject: {s3Uri | content}, annotations}``) and
  ``consolidation-response/iteration-<n>/<batch>.json`` (what it returned: a JSON list of
  ``{datasetObjectId, consolidatedAnnotation: {content: {<A>: ..., <A>-metadata: ...}}}``),
  https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3.html
  ("Post-labeling task Lambda").

What AWS leaves undocumented, and how each plausible variant is handled:

- ``datasetObjectId`` is documented only as a string. Ground Truth numbers the objects of a
  manifest by their 0-based line; ids may also come as JSON numbers. An id is therefore joined
  to an input line (a) by the object the consolidation request names for it (``dataObject``
  ``s3Uri`` -> ``source-ref``, ``content`` -> ``source``), or by a ``source-ref``/``source`` the
  consolidated content carries itself, whichever exists, else (b) as the 0-based index of a
  physical line of the input manifest. (b) is refused (rejected, the object is labeled again)
  once a blank line precedes the index, where counting blank lines or not gives different
  objects: a label is never attached to an object it may not belong to.
- a batch file is a JSON document (a list, or one object) or JSON Lines (each a list or an
  object): all are read.
- the consolidated content may lack ``<A>-metadata`` (a custom Lambda returns the label only;
  "This will be added by Ground Truth"): gtchain then writes a metadata object naming the job
  and the evidence, ``human-annotated: yes``.
- an object consolidated in several batches or iterations keeps the newest label (highest
  iteration, then batch file name).
- one line is one object: two lines with the same ``source``/``source-ref`` are two objects with
  two datasetObjectIds. An annotation whose id is the index of a line of its object is joined
  to that line; the others of a key go, in id order, to the key's lines that none names.

Pure: no AWS calls; bytes and seekable files in, bytes out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from gtchain_runtime.domain.manifest.lines import dumps_line, object_key, parse_slow, strip_bom

FINAL = "final"
INTERMEDIATE = "intermediate"
CONSOLIDATED = "consolidated-annotations"
INPUT_ONLY = "input-only"

INTERMEDIATE_FOLDER = "manifests/intermediate/"
CONSOLIDATED_FOLDER = "annotations/consolidated-annotation/"
_INTERMEDIATE = re.compile(r"/manifests/intermediate/(\d+)/output\.manifest$")
_CONSOLIDATION = re.compile(
    r"/annotations/consolidated-annotation/consolidation-(request|response)/iteration-(\d+)/([^/]+\.json)$"
)
EVIDENCE_MARK = "gtchain-evidence"


class EvidenceError(ValueError):
    """A consolidation file that cannot be read, worded for a person."""


def newest_intermediate_manifest(uris: Iterable[str]) -> str | None:
    """The intermediate output manifest with the highest iteration number, or None."""
    best: tuple[int, str] | None = None
    for uri in uris:
        match = _INTERMEDIATE.search(uri)
        if match and (best is None or int(match.group(1)) > best[0]):
            best = (int(match.group(1)), uri)
    return best[1] if best else None


@dataclass(frozen=True)
class ConsolidationFiles:
    """The consolidation responses in the order their labels apply (newest last), each with
    the request of the same iteration and batch when there is one."""

    responses: tuple[str, ...]
    requests: Mapping[str, str]  # response URI -> request URI


def consolidation_files(uris: Iterable[str]) -> ConsolidationFiles:
    found: dict[str, dict[tuple[int, str], str]] = {"request": {}, "response": {}}
    for uri in uris:
        match = _CONSOLIDATION.search(uri)
        if match:
            found[match.group(1)][(int(match.group(2)), match.group(3))] = uri
    ordered = sorted(found["response"].items())
    return ConsolidationFiles(
        responses=tuple(uri for _, uri in ordered),
        requests={uri: found["request"][batch] for batch, uri in ordered if batch in found["request"]},
    )


def read_batch_file(data: bytes, uri: str) -> list[Any]:
    """The items of a consolidation batch file: a JSON document (a list, or one object), or
    JSON Lines whose lines are lists or objects."""
    text = strip_bom(data).decode("utf-8", errors="strict") if data else ""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        items: list[Any] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise EvidenceError(f"{uri}: line {number} is not valid JSON ({error.msg})") from None
            items.extend(value if isinstance(value, list) else [value])
        return items
    return document if isinstance(document, list) else [document]


def _normal_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _line_index(dataset_object_id: str) -> int | None:
    return int(dataset_object_id) if dataset_object_id.isdecimal() else None


def _data_object_key(data_object: Any) -> str | None:
    """The manifest identity of a request's dataObject ('r:' + s3Uri, 's:' + content)."""
    if not isinstance(data_object, dict):
        return None
    for name, prefix in (("s3Uri", "r:"), ("source-ref", "r:"), ("content", "s:"), ("source", "s:")):
        value = data_object.get(name)
        if isinstance(value, str) and value:
            return prefix + value
    return None


def request_objects(items: Iterable[Any]) -> dict[str, str]:
    """datasetObjectId -> the object's identity, from a consolidation request."""
    named: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict):
            dataset_object_id = _normal_id(item.get("datasetObjectId"))
            key = _data_object_key(item.get("dataObject"))
            if dataset_object_id is not None and key is not None:
                named[dataset_object_id] = key
    return named


@dataclass(frozen=True)
class Annotation:
    """One consolidated label: where it was read, for which object."""

    file: str
    position: int  # 1-based place in its file (rejects name it)
    dataset_object_id: str
    label: Any
    metadata: dict[str, Any] | None
    object_key: str | None  # the object it names, when its request or content says so


@dataclass
class JoinRejects:
    """Annotations that were not joined, as rejects-file records."""

    records: list[dict[str, Any]] = field(default_factory=list)

    def add(self, file: str, line: int, reason: str) -> None:
        self.records.append({"file": file, "line": line, "reason": reason})

    def as_bytes(self) -> bytes:
        return b"".join(dumps_line(record) for record in self.records)


def read_annotations(
    items: Iterable[Any],
    file: str,
    attribute: str,
    named: Mapping[str, str],
    rejects: JoinRejects,
) -> Iterator[Annotation]:
    """The usable annotations of one consolidation response; the others go to rejects."""
    metadata_attribute = f"{attribute}-metadata"
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rejects.add(file, position, "not a JSON object")
            continue
        dataset_object_id = _normal_id(item.get("datasetObjectId"))
        if dataset_object_id is None:
            rejects.add(file, position, "no datasetObjectId")
            continue
        consolidated = item.get("consolidatedAnnotation")
        content = consolidated.get("content") if isinstance(consolidated, dict) else None
        if not isinstance(content, dict):
            reason = f"datasetObjectId {dataset_object_id}: no consolidatedAnnotation.content"
            rejects.add(file, position, reason)
            continue
        label = content.get(attribute)
        if label is None:
            rejects.add(file, position, f"datasetObjectId {dataset_object_id}: no label for {attribute!r}")
            continue
        metadata = content.get(metadata_attribute)
        key = named.get(dataset_object_id) or _data_object_key(content)
        yield Annotation(
            file=file,
            position=position,
            dataset_object_id=dataset_object_id,
            label=label,
            metadata=metadata if isinstance(metadata, dict) else None,
            object_key=key,
        )


def _lines_of_each_key(input_manifest: BinaryIO) -> dict[str, set[int]]:
    """The 0-based line indexes of each object key of a seekable input (then rewound)."""
    lines: dict[str, set[int]] = {}
    for index, raw in enumerate(input_manifest):
        record, _ = parse_slow(strip_bom(raw) if index == 0 else raw) if raw.strip() else (None, None)
        if record is not None:
            lines.setdefault(object_key(record), set()).add(index)
    input_manifest.seek(0)
    return lines


def _floating(
    by_key_and_id: Mapping[tuple[str, str], Annotation], lines_of_key: Mapping[str, set[int]]
) -> dict[str, list[Annotation]]:
    """Per key, the annotations whose id is not the index of one of the key's lines, in id
    order (numbers by value): the n-th goes to the n-th line of the key that no id names."""
    grouped: dict[str, list[Annotation]] = {}
    for (key, dataset_object_id), annotation in by_key_and_id.items():
        if _line_index(dataset_object_id) not in lines_of_key.get(key, ()):
            grouped.setdefault(key, []).append(annotation)
    for items in grouped.values():
        items.sort(key=lambda item: (_line_index(item.dataset_object_id) or 0, item.dataset_object_id))
    return grouped


@dataclass(frozen=True)
class JoinStats:
    joined: int
    rejected: int


def join_annotations(  # noqa: C901, PLR0912, PLR0915 - one streaming pass that handles each documented and plausible annotation variant
    input_manifest: BinaryIO,
    annotations: Iterable[Annotation],
    attribute: str,
    job_name: str,
    *,
    out: BinaryIO,
    rejects: JoinRejects,
) -> JoinStats:
    """Write an output-manifest-like file: every input line, with the consolidated label of its
    object merged in (every field of the input line kept, the label attribute and its metadata
    set). Later annotations of an object win. Annotations that name no input object, or whose
    object cannot be told for sure, go to rejects."""
    before = len(rejects.records)
    # Objects named by their key: (key, datasetObjectId) -> the newest annotation.
    by_key_and_id: dict[tuple[str, str], Annotation] = {}
    by_index: dict[int, Annotation] = {}
    for item in annotations:
        if item.object_key is not None:
            by_key_and_id[(item.object_key, item.dataset_object_id)] = item
            index = _line_index(item.dataset_object_id)
            if index is not None and by_index.get(index) is not None:
                by_index.pop(index)  # the newer, verified item replaces it
        else:
            index = _line_index(item.dataset_object_id)
            if index is None:
                rejects.add(
                    item.file,
                    item.position,
                    f"datasetObjectId {item.dataset_object_id!r} is not a line number and no "
                    "consolidation request names its object",
                )
                continue
            by_index[index] = item
    lines_of_key = _lines_of_each_key(input_manifest)
    floating = _floating(by_key_and_id, lines_of_key)
    used: set[int] = set()
    ambiguous: set[int] = set()
    joined = 0
    blank_before = False
    metadata_attribute = f"{attribute}-metadata"
    for index, raw in enumerate(input_manifest):
        line = strip_bom(raw) if index == 0 else raw
        if not line.strip():
            blank_before = True
            out.write(raw if raw.endswith(b"\n") else raw + b"\n")
            continue
        record, _ = parse_slow(line)
        annotation: Annotation | None = None
        if record is not None:
            key = object_key(record)
            annotation = by_key_and_id.get((key, str(index)))  # the id is this very line
            if annotation is None:
                queue = floating.get(key)
                annotation = queue.pop(0) if queue else None
            if annotation is None and index in by_index:
                if blank_before:
                    ambiguous.add(index)
                else:
                    annotation = by_index[index]
        if annotation is None or record is None:
            out.write(raw if raw.endswith(b"\n") else raw + b"\n")
            continue
        used.add(id(annotation))
        joined += 1
        metadata = annotation.metadata or {
            "job-name": f"labeling-job/{job_name}",
            "human-annotated": "yes",
            EVIDENCE_MARK: CONSOLIDATED,
        }
        out.write(dumps_line({**record, attribute: annotation.label, metadata_attribute: metadata}))
    for annotation in (*by_key_and_id.values(), *by_index.values()):
        if id(annotation) in used:
            continue
        index = _line_index(annotation.dataset_object_id)
        if annotation.object_key is None and index in ambiguous:
            reason = (
                f"datasetObjectId {annotation.dataset_object_id} follows a blank line of the input "
                "manifest, so its object is ambiguous, and no consolidation request names it"
            )
        elif annotation.object_key is not None:
            reason = (
                f"datasetObjectId {annotation.dataset_object_id} names {annotation.object_key[2:]!r}, "
                "which is not in the input manifest"
            )
        else:
            reason = f"datasetObjectId {annotation.dataset_object_id} names no line of the input manifest"
        rejects.add(annotation.file, annotation.position, reason)
    return JoinStats(joined=joined, rejected=len(rejects.records) - before)
