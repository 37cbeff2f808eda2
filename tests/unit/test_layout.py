from __future__ import annotations

from gtchain_runtime.domain.layout import ChildLocations, FinalLocations, jobs_output_path


def test_locations_follow_the_documented_layout() -> None:
    child = ChildLocations("bucket", "Root", "Root-chain-1")
    assert child.chained_manifest_uri == "s3://bucket/chains/Root/Root-chain-1/input.manifest"
    assert child.rejects_uri == "s3://bucket/chains/Root/Root-chain-1/rejects.jsonl"
    assert child.plan_uri == "s3://bucket/chains/Root/Root-chain-1/plan.json"
    final = FinalLocations("bucket", "Root")
    assert final.manifest_uri == "s3://bucket/chains/Root/final/output.manifest"
    assert final.report_uri == "s3://bucket/chains/Root/final/report.json"
    assert jobs_output_path("bucket") == "s3://bucket/jobs/"
