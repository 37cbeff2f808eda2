"""Where gtchain reads and writes in the project bucket (docs/architecture.md, "S3 layout")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JOBS_PREFIX = "jobs/"
CHAINS_PREFIX = "chains/"
FINAL_FOLDER = "final"


def s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


def jobs_output_path(bucket: str) -> str:
    """S3OutputPath of every job gtchain creates; Ground Truth appends `<job-name>/`."""
    return s3_uri(bucket, JOBS_PREFIX)


@dataclass(frozen=True)
class ChildLocations:
    """What the plan step writes for one child: chains/<root>/<child>/..."""

    bucket: str
    root: str
    child: str

    @property
    def prefix(self) -> str:
        return f"{CHAINS_PREFIX}{self.root}/{self.child}/"

    @property
    def chained_manifest_uri(self) -> str:
        return s3_uri(self.bucket, self.prefix + "input.manifest")

    @property
    def rejects_uri(self) -> str:
        return s3_uri(self.bucket, self.prefix + "rejects.jsonl")

    @property
    def plan_uri(self) -> str:
        return s3_uri(self.bucket, self.prefix + "plan.json")


@dataclass(frozen=True)
class FinalLocations:
    """The consolidated result of a chain: chains/<root>/final/..."""

    bucket: str
    root: str

    @property
    def prefix(self) -> str:
        return f"{CHAINS_PREFIX}{self.root}/{FINAL_FOLDER}/"

    @property
    def manifest_uri(self) -> str:
        return s3_uri(self.bucket, self.prefix + "output.manifest")

    @property
    def rejects_uri(self) -> str:
        return s3_uri(self.bucket, self.prefix + "rejects.jsonl")

    @property
    def report_uri(self) -> str:
        return s3_uri(self.bucket, self.prefix + "report.json")

    @property
    def report_page_uri(self) -> str:
        """The same report as a page (domain.report_page)."""
        return s3_uri(self.bucket, self.prefix + "report.html")


def input_manifest_uri(describe: Mapping[str, Any]) -> str:
    """The manifest a job read; streaming jobs (SNS input) have none and cannot be chained."""
    uri = describe.get("InputConfig", {}).get("DataSource", {}).get("S3DataSource", {}).get("ManifestS3Uri")
    if not uri:
        raise ValueError(
            f"job {describe.get('LabelingJobName', '?')} has no input manifest "
            "(a streaming job reads an SNS topic); gtchain chains manifest-based jobs only"
        )
    return str(uri)


def output_manifest_uri(describe: Mapping[str, Any]) -> str:
    """Where Ground Truth writes a job's output manifest.

    Describe reports it for finished jobs; otherwise it is the documented location
    `<S3OutputPath>/<job>/manifests/output/output.manifest` (which may not exist).
    """
    reported = describe.get("LabelingJobOutput", {}).get("OutputDatasetS3Uri")
    if reported:
        return str(reported)
    output_path = str(describe["OutputConfig"]["S3OutputPath"])
    if not output_path.endswith("/"):
        output_path += "/"
    return f"{output_path}{describe['LabelingJobName']}/manifests/output/output.manifest"
