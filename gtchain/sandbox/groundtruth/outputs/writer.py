"""S3 access for the workforce (moto's S3 backend, not HTTP) and Ground Truth's output layout.

Layout under ``<S3OutputPath>/<job name>/``, per
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html ("Output Directories",
"Worker Metadata") unless said otherwise::

    manifests/output/output.manifest
        "the output manifest file for your labeling job": every input line, labeled objects
        augmented with ``<attribute>`` and ``<attribute>-metadata`` (variants.py: whether a
        Stopped or Failed job writes it).
    manifests/intermediate/<n>/output.manifest
        "The output data file is written to the output location periodically while the job is
        in progress. These intermediate files contain one line for each line in the manifest
        file. If an object is labeled, the label is included. If the object hasn't been
        labeled, it is written to the intermediate output file identically to the manifest
        file." Rewritten after every batch (the page names no folder for them; this one is
        where jobs are seen to write them, and where gtchain's evidence.py looks).
    annotations/worker-response/iteration-<n>/<datasetObjectId>/<timestamp>.json
        "a subdirectory for each iteration, which in turn contains a subdirectory for each data
        object in that iteration. The annotation for each data object is stored in a
        timestamped JSON file": ``{"answers": [{"workerId", "answerContent", "submissionTime",
        "acceptanceTime", "timeSpentInSeconds", "workerMetadata"}]}``, one answer per worker
        (NumberOfHumanWorkersPerDataObject); times ``YYYY-MM-DDTHH:MM:SS.mmmZ``;
        ``workerMetadata.identityData`` as for a Cognito private workforce. The file name's
        timestamp format is the one of sms-custom-templates-step2.html's ``worker-response-ref``
        example (``2021-03-08_23:06:49.json``).
    annotations/consolidated-annotation/consolidation-request/iteration-<n>/<batch>.json
    annotations/consolidated-annotation/consolidation-response/iteration-<n>/<batch>.json
        "information required to consolidate the annotations in the current batch": what the
        post-annotation Lambda is given and returns, in the formats of
        https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3.html
        (request: ``[{datasetObjectId, dataObject: {s3Uri | content}, annotations: [{workerId,
        annotationData: {content}}]}]``; response: ``[{datasetObjectId, consolidatedAnnotation:
        {content: {<attribute>: ..., <attribute>-metadata: ...}}}]``). Batch file names are
        undocumented: a zero-padded batch number here. Machine labels are not consolidated
        (they come from automated labeling's inference, not from workers).
    annotations/intermediate/<n>/annotations.json
        "the output manifest for the current batch with any completed labels. This file is
        updated as the label for each data object is completed": the output lines of the
        objects labeled so far in iteration <n> (JSON Lines).
    activelearning/, inference/, training/
        "only present when you are using automated data labeling".

``datasetObjectId`` is the object's 0-based line in the input manifest. One iteration
(``iteration-1``) is written: iterations of automated labeling are not emulated separately.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends
from moto.utilities.utils import get_partition

from gtchain.sandbox.groundtruth.outputs.labels import (
    SEQUENCE_TASKS,
    LabelFile,
    built_in_task_type,
    infer_task_type,
)
from gtchain.sandbox.groundtruth.outputs.manifest import (
    MAX_OBJECTS_PER_JOB,
    MAX_SEMANTIC_SEGMENTATION_OBJECTS,
    ManifestError,
    ManifestObject,
    parse_manifest,
    serialize_manifest,
)
from gtchain.sandbox.groundtruth.outputs.sequences import Frame, check_sequence_count, parse_sequence
from gtchain.sandbox.groundtruth.validation.requests import SEMANTIC_SEGMENTATION_TASK_TYPES

_S3_URI = re.compile(r"s3://(?P<bucket>[^/]+)/?(?P<key>.*)")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str) -> S3Location:
        match = _S3_URI.fullmatch(uri)
        if match is None:
            raise ManifestError(f"ClientError: {uri} is not an s3:// URI (the sandbox reads only s3:// URIs)")
        return cls(match["bucket"], match["key"])

    def child(self, relative: str) -> S3Location:
        prefix = self.key.rstrip("/")
        return S3Location(self.bucket, f"{prefix}/{relative}" if prefix else relative)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


class S3Store:
    """Reads and writes objects straight in moto's S3 backend of one account."""

    def __init__(self, account_id: str, region_name: str) -> None:
        self._backend: S3Backend = s3_backends[account_id][get_partition(region_name)]

    def read_text(self, location: S3Location) -> str | None:
        """The object's text, or None when the bucket or the key does not exist."""
        try:
            stored = self._backend.get_object(location.bucket, location.key)
        except MissingBucket:
            return None
        if stored is None:
            return None
        try:
            return stored.value.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ManifestError(f"ClientError: {location.uri} is not UTF-8 text") from error

    def write_text(self, location: S3Location, text: str) -> None:
        self._backend.put_object(location.bucket, location.key, text.encode("utf-8"))

    def write_bytes(self, location: S3Location, data: bytes) -> None:
        self._backend.put_object(location.bucket, location.key, data)

    def bucket_exists(self, bucket: str) -> bool:
        try:
            self._backend.get_bucket(bucket)
        except MissingBucket:
            return False
        return True


def read_input_manifest(store: S3Store, request: dict[str, Any]) -> list[ManifestObject]:
    """The objects of a request's S3 input manifest, checked as manifest.py says."""
    manifest_uri: str = request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"]
    text = store.read_text(S3Location.parse(manifest_uri))
    if text is None:
        raise ManifestError(f"ClientError: input manifest {manifest_uri} does not exist")
    semantic_segmentation = built_in_task_type(request) in SEMANTIC_SEGMENTATION_TASK_TYPES
    quota = MAX_SEMANTIC_SEGMENTATION_OBJECTS if semantic_segmentation else MAX_OBJECTS_PER_JOB
    return parse_manifest(text, manifest_uri, max_objects=quota)


def read_sequences(
    store: S3Store, request: dict[str, Any], objects: list[ManifestObject]
) -> dict[int, tuple[Frame, ...]]:
    """The frames of each object's sequence file, by 0-based line, for the tasks whose data
    object is a sequence (sequences.py); empty for the others."""
    task_type = infer_task_type(request)
    if task_type not in SEQUENCE_TASKS:
        return {}
    point_cloud = task_type == "point_cloud_object_tracking"
    check_sequence_count(len(objects), point_cloud=point_cloud)
    sequences: dict[int, tuple[Frame, ...]] = {}
    for index, item in enumerate(objects):
        uri = item.record.get("source-ref")
        if not isinstance(uri, str):
            raise ManifestError(
                f"ClientError: line {item.line_number} of the input manifest needs 'source-ref' "
                "naming a sequence file"
            )
        sequences[index] = parse_sequence(
            store.read_text(S3Location.parse(uri)), uri, point_cloud=point_cloud
        )
    return sequences


class OutputWriter:
    """Writes one job's outputs where Ground Truth puts them."""

    def __init__(self, store: S3Store, output_path: str, job_name: str) -> None:
        self._store = store
        self.root = S3Location.parse(output_path).child(job_name)

    @property
    def output_manifest(self) -> S3Location:
        return self.root.child("manifests/output/output.manifest")

    def check_bucket(self) -> None:
        # Ground Truth fails a job at the start when it cannot write its output.
        if not self._store.bucket_exists(self.root.bucket):
            raise ManifestError(
                f"ClientError: output bucket {self.root.bucket} of S3OutputPath does not exist"
            )

    def write_worker_response(
        self, dataset_object_id: str, answers: list[dict[str, Any]], *, when: datetime, iteration: int = 1
    ) -> None:
        stamp = when.strftime("%Y-%m-%d_%H:%M:%S")
        self._store.write_text(
            self.root.child(
                f"annotations/worker-response/iteration-{iteration}/{dataset_object_id}/{stamp}.json"
            ),
            json.dumps({"answers": answers}),
        )

    def write_consolidation(
        self,
        batch: int,
        requests: list[dict[str, Any]],
        responses: list[dict[str, Any]],
        *,
        iteration: int = 1,
    ) -> None:
        if not responses:
            return
        name = f"{batch:06d}.json"
        folder = "annotations/consolidated-annotation"
        self._store.write_text(
            self.root.child(f"{folder}/consolidation-request/iteration-{iteration}/{name}"),
            json.dumps(requests),
        )
        self._store.write_text(
            self.root.child(f"{folder}/consolidation-response/iteration-{iteration}/{name}"),
            json.dumps(responses),
        )

    def write_intermediate(self, manifest_text: str, labeled_text: str, *, iteration: int = 1) -> None:
        """The intermediate output manifest (every line) and the iteration's labeled lines."""
        self._store.write_text(
            self.root.child(f"manifests/intermediate/{iteration}/output.manifest"), manifest_text
        )
        self._store.write_text(
            self.root.child(f"annotations/intermediate/{iteration}/annotations.json"), labeled_text
        )

    def write_label_file(self, file: LabelFile) -> None:
        """A file a label points to (labels.py: masks, SeqLabel.json, point cloud labels)."""
        self._store.write_bytes(self.root.child(file.relative_path), file.content)

    def write_output_manifest(self, records: list[dict[str, Any]]) -> str:
        self._store.write_text(self.output_manifest, serialize_manifest(records))
        return self.output_manifest.uri

    def write_active_learning(self, model_arn: str, *, trained_on: int, machine_labeled: int) -> None:
        summary = {"model-arn": model_arn, "training-objects": trained_on, "machine-labeled": machine_labeled}
        self._store.write_text(self.root.child("training/iteration-1/model.json"), json.dumps(summary))
        self._store.write_text(
            self.root.child("inference/iteration-1/summary.json"), json.dumps({"inferred": machine_labeled})
        )
        self._store.write_text(
            self.root.child("activelearning/iteration-1/summary.json"),
            json.dumps({"auto-annotated": machine_labeled}),
        )
