"""The chaining triggers under each Ground Truth variant (gtchain/sandbox/groundtruth/variants.py):
whatever Ground Truth does where its documentation is silent, gtchain ends with every object
labeled, and never sends an object a job labeled to workers again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gtchain.demo.runner import ScenarioResult, ScenarioRunner
from gtchain.sandbox import Sandbox
from gtchain.sandbox.groundtruth.variants import failure_reason_corpus
from tests.support.e2e_scenarios import CORPUS_RETRYABLE_REASON, VARIANT_OBJECTS, variant_scenarios

pytestmark = pytest.mark.e2e

ROOT_STATUS = {"stop": "Stopped", "fail": "Failed", "expire": "Completed"}


def variant_params() -> list[Any]:
    # arn_case=as-named passes because the stack's IAM patterns name the prefix in both cases.
    return sorted(variant_scenarios())


def records(path: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def s3_json_lines(sandbox: Sandbox, uri: str) -> list[dict[str, Any]]:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body = sandbox.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def is_labeled(record: dict[str, Any], attribute: str) -> bool:
    return record.get(attribute) is not None and "failure-reason" not in record.get(
        f"{attribute}-metadata", {}
    )


@pytest.mark.parametrize("name", variant_params())
def test_every_variant_ends_with_the_same_result(
    name: str, played: dict[str, ScenarioResult], sandbox: Sandbox, runner: ScenarioRunner
) -> None:
    scenario, variant_id = variant_scenarios()[name]
    trigger = name.split("/", 1)[0]
    result = played[name]
    root, child = scenario.root_job, f"{scenario.root_job}-chain-1"
    assert [job["name"] for job in result.jobs] == [root, child]
    assert {d["job_name"]: d["decision"] for d in result.decisions} == {root: "CHAIN", child: "COMPLETE"}
    assert result.total_objects == result.labeled_objects == VARIANT_OBJECTS
    final = records(result.final_manifest or "")
    assert len({r["source-ref"] for r in final}) == VARIANT_OBJECTS
    assert all(is_labeled(r, scenario.attribute) for r in final)

    root_job, child_job = result.jobs
    assert root_job["status"] == ROOT_STATUS[trigger]
    by_root = root_job["counters"]["HumanLabeled"] + root_job["counters"]["MachineLabeled"]
    by_child = child_job["counters"]["HumanLabeled"] + child_job["counters"]["MachineLabeled"]
    assert by_root > 0
    # No object the root labeled is sent again: the child labels exactly the rest.
    assert by_root + by_child == VARIANT_OBJECTS
    # The root's labels reach the final manifest as the root made them.
    root_reference = f"labeling-job/{root.lower()}"
    kept = [r for r in final if r[f"{scenario.attribute}-metadata"]["job-name"] == root_reference]
    assert len(kept) == by_root

    # The child's input manifest carries the root's labels; only the rest goes to workers.
    child_input = s3_json_lines(sandbox, child_job["input_manifest"])
    assert sum(1 for r in child_input if is_labeled(r, scenario.attribute)) == by_root

    described = sandbox.client("sagemaker").describe_labeling_job(LabelingJobName=root)
    arn_name = described["LabelingJobArn"].rsplit("/", 1)[1]
    assert arn_name == (root if variant_id == "arn_case=as-named" else root.lower())
    if trigger == "fail":
        assert described["FailureReason"] == failure_reason_corpus()[CORPUS_RETRYABLE_REASON]["text"]

    plan = json.loads(
        sandbox.client("s3")
        .get_object(Bucket=runner.bucket, Key=f"chains/{root}/{child}/plan.json")["Body"]
        .read()
    )
    no_final = trigger != "expire" and variant_id.startswith("final_manifest=")
    assert plan["evidence"]["source"] == ("intermediate" if no_final else "final")
    assert plan["counts"]["labeled"] == by_root
    assert plan["counts"]["remaining"] == VARIANT_OBJECTS - by_root


@pytest.mark.parametrize("name", variant_params())
def test_the_report_counts_the_roots_labels_as_never_resent(
    name: str, played: dict[str, ScenarioResult]
) -> None:
    scenario, _ = variant_scenarios()[name]
    result = played[name]
    root_job = result.jobs[0]
    by_root = root_job["counters"]["HumanLabeled"] + root_job["counters"]["MachineLabeled"]
    report = result.report or {}
    assert report["jobs"][0] == scenario.root_job
    assert report["never_resent"] >= by_root
