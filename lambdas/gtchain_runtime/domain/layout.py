"""Where gtchain reads and writes in the project bucket (docs/architecture.md, "S3 layout")."""

from __future__ import annotations

from dataclasses import dataclass

from gtchain_runtime.domain.aws_ids import s3_uri

# The layout's top-level prefixes; the stack's IAM scopes and lifecycle rules use them too.
INPUTS_PREFIX = "inputs/"
JOBS_PREFIX = "jobs/"
CHAINS_PREFIX = "chains/"
LAYOUT_PREFIXES = (INPUTS_PREFIX, JOBS_PREFIX, CHAINS_PREFIX)
FINAL_FOLDER = "final"


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
