"""A realistic chain for the report page's tests: the demo's Streetscenes-Job1 (stopped after
1,000 human labels), a child that labeled most of the rest and failed a few, and a grandchild
that finished them with automated labeling."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from gtchain_runtime.domain.cost import chain_cost_of
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.report_page import ChainReportPage, chain_report_page
from tests.support.paths import DESCRIBE_FIXTURES

FIXTURES = DESCRIBE_FIXTURES
ROOT = "Streetscenes-Job1"
BUCKET = "gtchain-streetscenes-data"
FINAL_MANIFEST = f"s3://{BUCKET}/chains/{ROOT}/final/output.manifest"


def _job(name: str, status: str, counters: dict[str, int], input_uri: str) -> dict[str, Any]:
    describe = copy.deepcopy(json.loads((FIXTURES / "image_classification_non_al.json").read_text()))
    describe["LabelingJobName"] = name
    describe["LabelingJobArn"] = f"arn:aws:sagemaker:us-east-1:123456789012:labeling-job/{name.lower()}"
    describe["LabelingJobStatus"] = status
    describe["LabelCounters"] = counters
    describe["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = input_uri
    describe["LabelingJobOutput"] = {
        "OutputDatasetS3Uri": f"s3://{BUCKET}/jobs/{name}/manifests/output/output.manifest"
    }
    return describe


def chain_describes(root: str = ROOT) -> list[dict[str, Any]]:
    child, grandchild = f"{root}-chain-1", f"{root}-chain-2"
    return [
        _job(
            root,
            "Stopped",
            {
                "TotalLabeled": 1000,
                "HumanLabeled": 1000,
                "MachineLabeled": 0,
                "FailedNonRetryableError": 0,
                "Unlabeled": 2547,
            },
            f"s3://{BUCKET}/inputs/streetscenes-job1/dataset.manifest",
        ),
        _job(
            child,
            "Completed",
            {
                "TotalLabeled": 3412,
                "HumanLabeled": 2412,
                "MachineLabeled": 0,
                "FailedNonRetryableError": 35,
                "Unlabeled": 100,
            },
            f"s3://{BUCKET}/chains/{root}/{child}/input.manifest",
        ),
        _job(
            grandchild,
            "Completed",
            {
                "TotalLabeled": 3547,
                "HumanLabeled": 41,
                "MachineLabeled": 94,
                "FailedNonRetryableError": 0,
                "Unlabeled": 0,
            },
            f"s3://{BUCKET}/chains/{root}/{grandchild}/input.manifest",
        ),
    ]


def jobs_of(describes: list[dict[str, Any]]) -> list[LabelingJob]:
    return [LabelingJob.from_describe(describe) for describe in describes]


def chain_cost_dict(describes: list[dict[str, Any]]) -> dict[str, Any]:
    # The private team's price: what the demo project's `price_per_object_usd` sets.
    return chain_cost_of(jobs_of(describes), {}, Decimal("0.08")).to_dict()


def finished_page(root: str = ROOT) -> ChainReportPage:
    describes = chain_describes(root)
    return chain_report_page(
        jobs_of(describes),
        chain_cost_dict(describes),
        generated_at=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        decisions={
            describes[0]["LabelingJobName"]: "CHAIN",
            describes[1]["LabelingJobName"]: "CHAIN",
            describes[2]["LabelingJobName"]: "COMPLETE",
        },
        final_totals={
            "total": 3547,
            "labeled": 3547,
            "human_labeled": 3453,
            "machine_labeled": 94,
            "failed": 0,
            "unlabeled": 0,
        },
        final_manifest_uri=FINAL_MANIFEST.replace(ROOT, root),
    )
