from __future__ import annotations

import pytest

from gtchain_runtime.domain.layout import (
    ChildLocations,
    FinalLocations,
    input_manifest_uri,
    jobs_output_path,
    output_manifest_uri,
)


def test_locations_follow_the_documented_layout() -> None:
    child = ChildLocations("bucket", "Root", "Root-chain-1")
    assert child.chained_manifest_uri == "s3://bucket/chains/Root/Root-chain-1/input.manifest"
    assert child.rejects_uri == "s3://bucket/chains/Root/Root-chain-1/rejects.jsonl"
    assert child.plan_uri == "s3://bucket/chains/Root/Root-chain-1/plan.json"
    final = FinalLocations("bucket", "Root")
    assert final.manifest_uri == "s3://bucket/chains/Root/final/output.manifest"
    assert final.report_uri == "s3://bucket/chains/Root/final/report.json"
    assert jobs_output_path("bucket") == "s3://bucket/jobs/"


def test_output_manifest_prefers_what_describe_reports() -> None:
    describe = {
        "LabelingJobName": "J",
        "OutputConfig": {"S3OutputPath": "s3://b/jobs"},
        "LabelingJobOutput": {"OutputDatasetS3Uri": "s3://b/elsewhere/output.manifest"},
    }
    assert output_manifest_uri(describe) == "s3://b/elsewhere/output.manifest"
    del describe["LabelingJobOutput"]
    assert output_manifest_uri(describe) == "s3://b/jobs/J/manifests/output/output.manifest"


def test_streaming_job_has_no_input_manifest() -> None:
    describe = {"LabelingJobName": "S", "InputConfig": {"DataSource": {"SnsDataSource": {}}}}
    with pytest.raises(ValueError, match="streaming job"):
        input_manifest_uri(describe)
