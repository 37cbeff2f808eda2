"""S3 access for the workforce (moto's S3 backend, not HTTP) and Ground Truth's output layout.

Layout under ``<S3OutputPath>/<job name>/``::

    manifests/output/output.manifest            every input object, labeled ones augmented
    manifests/intermediate/1/output.manifest    the same, as the last iteration left it
    annotations/worker-response/iteration-1/<batch>.json
    annotations/consolidated-annotation/consolidation-response/iteration-1/<batch>.json
    activelearning/, inference/, training/      only when automated labeling ran
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends
from moto.utilities.utils import get_partition

from gtchain_sandbox.labeling.manifest import ManifestError, serialize_manifest

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

    def bucket_exists(self, bucket: str) -> bool:
        try:
            self._backend.get_bucket(bucket)
        except MissingBucket:
            return False
        return True


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

    def write_batch(
        self, batch: int, worker_responses: list[dict[str, Any]], consolidated: list[dict[str, Any]]
    ) -> None:
        name = f"{batch:06d}.json"
        if worker_responses:
            self._store.write_text(
                self.root.child(f"annotations/worker-response/iteration-1/{name}"),
                json.dumps({"answers": worker_responses}),
            )
        if consolidated:
            self._store.write_text(
                self.root.child(
                    f"annotations/consolidated-annotation/consolidation-response/iteration-1/{name}"
                ),
                json.dumps(consolidated),
            )

    def write_manifests(self, records: list[dict[str, Any]]) -> str:
        text = serialize_manifest(records)
        self._store.write_text(self.root.child("manifests/intermediate/1/output.manifest"), text)
        self._store.write_text(self.output_manifest, text)
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
