"""Through the handlers: a failed job without a final output manifest is planned from the best
evidence it left (intermediate manifest, consolidated annotations, else its input), so that no
label it paid for is sent to workers again. The sandbox does not write intermediate manifests
or consolidation files of failed jobs yet: the tests write them into moto S3 themselves."""

from __future__ import annotations

import json
from typing import Any

from tests.support.chain_steps import ROOT, execute, run_until_finished, s3_text
from tests.support.handler_env import BUCKET, ProjectAws, state_change_event

OBJECTS = 10
JOB_PREFIX = f"jobs/{ROOT}/"
CONSOLIDATED = JOB_PREFIX + "annotations/consolidated-annotation/"


def _failed_root(project: ProjectAws) -> dict[str, Any]:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    # A retryable failure that left no output manifest at all.
    workforce().configure(ROOT, JobBehaviour(fail_after=0, write_output_on_failure=False))
    project.create_root_job(ROOT, OBJECTS)
    root = run_until_finished(project, ROOT)
    assert root["LabelingJobStatus"] == "Failed"
    assert project.s3.list_objects_v2(Bucket=BUCKET, Prefix=JOB_PREFIX).get("KeyCount", 0) == 0
    return root


def _ref(i: int) -> str:
    return f"s3://{BUCKET}/inputs/{ROOT}/img{i:05d}.jpg"


def _label(i: int) -> dict[str, Any]:
    return {
        ROOT: i % 2,
        f"{ROOT}-metadata": {
            "class-name": "vehicle",
            "human-annotated": "yes",
            "job-name": f"labeling-job/{ROOT}",
        },
    }


def _chained(project: ProjectAws, plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in s3_text(project, plan["chained_manifest_uri"]).splitlines()]


def test_an_intermediate_manifest_keeps_every_label_the_failed_job_paid_for(project_aws: ProjectAws) -> None:
    root = _failed_root(project_aws)
    labeled = {0, 3, 4, 7}
    newest = [{"source-ref": _ref(i), **(_label(i) if i in labeled else {})} for i in range(OBJECTS)]
    older = [{"source-ref": _ref(i), **(_label(i) if i == 0 else {})} for i in range(OBJECTS)]
    project_aws.put_manifest(JOB_PREFIX + "manifests/intermediate/2/output.manifest", newest)
    project_aws.put_manifest(JOB_PREFIX + "manifests/intermediate/1/output.manifest", older)

    state = execute(state_change_event(root["LabelingJobArn"], "Failed"))
    plan = state["plan"]
    assert plan["decision"] == "CHAIN", plan["reason"]
    assert plan["counts"]["labeled"] == 4 and plan["counts"]["remaining"] == 6
    newest_uri = f"s3://{BUCKET}/{JOB_PREFIX}manifests/intermediate/2/output.manifest"
    assert plan["evidence"] == {"source": "intermediate", "uris": [newest_uri], "labels": 4, "rejected": 0}
    chained = _chained(project_aws, plan)
    # The child's manifest carries the labels: Ground Truth sends none of these objects again.
    assert {i for i, line in enumerate(chained) if ROOT in line} == labeled
    assert json.loads(s3_text(project_aws, plan["plan_uri"]))["evidence"]["source"] == "intermediate"
    assert state["child"]["created"] is True


def test_consolidated_annotations_keep_every_label_the_failed_job_paid_for(project_aws: ProjectAws) -> None:
    root = _failed_root(project_aws)

    def item(i: int | str) -> dict[str, Any]:
        return {"datasetObjectId": str(i), "consolidatedAnnotation": {"content": _label(int(i))}}

    responses = CONSOLIDATED + "consolidation-response/"
    # Two iterations, two batches; ids are 0-based input line numbers.
    project_aws.s3.put_object(
        Bucket=BUCKET,
        Key=responses + "iteration-1/2024-05-01_10:00:00.json",
        Body=json.dumps([item(1), item(2)]),
    )
    project_aws.s3.put_object(
        Bucket=BUCKET, Key=responses + "iteration-1/2024-05-01_10:05:00.json", Body=json.dumps([item(5)])
    )
    project_aws.s3.put_object(
        Bucket=BUCKET,
        Key=responses + "iteration-2/2024-05-02_09:00:00.json",
        Body=json.dumps(
            [item(8), {"datasetObjectId": "99", "consolidatedAnnotation": {"content": _label(1)}}]
        ),
    )
    # The request of one batch names its objects: 1-based ids there would still join right.
    project_aws.s3.put_object(
        Bucket=BUCKET,
        Key=CONSOLIDATED + "consolidation-request/iteration-1/2024-05-01_10:05:00.json",
        Body=json.dumps([{"datasetObjectId": "5", "dataObject": {"s3Uri": _ref(5)}, "annotations": []}]),
    )

    state = execute(state_change_event(root["LabelingJobArn"], "Failed"))
    plan = state["plan"]
    assert plan["decision"] == "CHAIN", plan["reason"]
    assert plan["counts"]["labeled"] == 4 and plan["counts"]["remaining"] == 6
    assert plan["evidence"]["source"] == "consolidated-annotations"
    assert plan["evidence"]["labels"] == 4 and plan["evidence"]["rejected"] == 1
    assert len(plan["evidence"]["uris"]) == 3
    chained = _chained(project_aws, plan)
    assert {i for i, line in enumerate(chained) if ROOT in line} == {1, 2, 5, 8}
    assert chained[5] == {"source-ref": _ref(5), **_label(5)}  # the input line, the label merged in
    rejects = [json.loads(line) for line in s3_text(project_aws, plan["rejects_uri"]).splitlines()]
    assert len(rejects) == 1 and "99" in rejects[0]["reason"] and rejects[0]["file"].endswith("09:00:00.json")


def test_without_any_evidence_the_input_alone_is_diffed(project_aws: ProjectAws) -> None:
    root = _failed_root(project_aws)
    state = execute(state_change_event(root["LabelingJobArn"], "Failed"))
    plan = state["plan"]
    assert plan["decision"] == "CHAIN", plan["reason"]
    assert plan["counts"]["remaining"] == OBJECTS
    assert plan["evidence"] == {"source": "input-only", "uris": [], "labels": 0, "rejected": 0}
    assert json.loads(s3_text(project_aws, plan["plan_uri"]))["output_manifest_uri"] is None


def test_a_final_output_manifest_is_the_evidence_when_there_is_one(project_aws: ProjectAws) -> None:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(ROOT, JobBehaviour(stop_after=3))
    project_aws.create_root_job(ROOT, OBJECTS)
    root = run_until_finished(project_aws, ROOT)
    plan = execute(state_change_event(root["LabelingJobArn"], "Stopped"))["plan"]
    final = f"s3://{BUCKET}/{JOB_PREFIX}manifests/output/output.manifest"
    assert plan["evidence"] == {"source": "final", "uris": [final], "labels": 3, "rejected": 0}
