"""The best evidence of the labels a finished job paid for, opened as the "output manifest" the
diff reads (domain/evidence.py says what Ground Truth writes and where).

In order: the final output manifest (one HeadObject: the common path costs nothing more); else
the newest intermediate output manifest; else the consolidated annotations joined to the input
lines; else nothing (the input alone is diffed, every object is sent again).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from gtchain_runtime.adapters.s3_stream import BucketObjects
from gtchain_runtime.domain.evidence import (
    CONSOLIDATED,
    CONSOLIDATED_FOLDER,
    FINAL,
    INPUT_ONLY,
    INTERMEDIATE,
    INTERMEDIATE_FOLDER,
    Annotation,
    EvidenceError,
    JoinRejects,
    consolidation_files,
    join_annotations,
    newest_intermediate_manifest,
    read_annotations,
    read_batch_file,
    request_objects,
)
from gtchain_runtime.domain.labeling_job import LabelingJob


@dataclass
class OpenedEvidence:
    """What the diff reads as the job's output, and where it came from."""

    source: str
    uris: tuple[str, ...]
    output: BinaryIO | None
    joined: int = 0
    rejects: bytes = b""  # rejects-file records of annotations that could not be joined
    rejected: int = 0

    def summary(self, labeled: int, input_labeled: int) -> dict[str, Any]:
        """plan.json's ``evidence``: labels = labeled objects whose label came from the evidence."""
        labels = self.joined if self.source == CONSOLIDATED else max(labeled - input_labeled, 0)
        return {
            "source": self.source,
            "uris": list(self.uris),
            "labels": labels if self.output is not None else 0,
            "rejected": self.rejected,
        }


@contextmanager
def open_evidence(
    objects: BucketObjects, job: LabelingJob, input_manifest: Callable[[], BinaryIO]
) -> Iterator[OpenedEvidence]:
    """The job's best evidence; ``input_manifest`` is called, and the file it gives read (and
    rewound), only to join consolidated annotations."""
    final_uri = job.output_manifest_uri
    with ExitStack() as stack:
        if objects.exists(final_uri):
            yield OpenedEvidence(FINAL, (final_uri,), stack.enter_context(objects.open(final_uri)))
            return
        prefix = job.output_prefix
        intermediate = newest_intermediate_manifest(objects.keys(prefix + INTERMEDIATE_FOLDER))
        if intermediate is not None:
            output = stack.enter_context(objects.open(intermediate))
            yield OpenedEvidence(INTERMEDIATE, (intermediate,), output)
            return
        files = consolidation_files(objects.keys(prefix + CONSOLIDATED_FOLDER))
        if not files.responses:
            yield OpenedEvidence(INPUT_ONLY, (), None)
            return
        rejects = JoinRejects()
        attribute = job.label_attribute
        annotations = _annotations(objects, files.responses, files.requests, attribute, rejects)
        joined_file = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        source = input_manifest()
        stats = join_annotations(
            source,
            annotations,
            attribute,
            job.name,
            out=joined_file,
            rejects=rejects,
        )
        source.seek(0)
        joined_file.seek(0)
        yield OpenedEvidence(
            CONSOLIDATED,
            files.responses,
            joined_file,
            joined=stats.joined,
            rejects=rejects.as_bytes(),
            rejected=stats.rejected,
        )


def _annotations(
    objects: BucketObjects,
    responses: tuple[str, ...],
    requests: Mapping[str, str],
    attribute: str,
    rejects: JoinRejects,
) -> list[Annotation]:
    annotations: list[Annotation] = []
    for uri in responses:
        named: dict[str, str] = {}
        request_uri = requests.get(uri)
        if request_uri is not None:
            try:
                named = request_objects(read_batch_file(_read(objects, request_uri), request_uri))
            except (EvidenceError, UnicodeDecodeError):
                named = {}  # ids are then joined as line numbers, where that is unambiguous
        try:
            items = read_batch_file(_read(objects, uri), uri)
        except (EvidenceError, UnicodeDecodeError) as error:
            rejects.add(uri, 0, f"consolidation response not read: {error}")
            continue
        annotations.extend(read_annotations(items, uri, attribute, named, rejects))
    return annotations


def _read(objects: BucketObjects, uri: str) -> bytes:
    with objects.open(uri) as handle:
        return handle.read()
