"""Ground Truth's last documented rules the sandbox plays (issue 10): automated labeling only for
the supported task types (automation.py), review jobs need their own LabelAttributeName
(review.py), worker-feedback on verification output (labels.py); and that gtchain's runtime
never trips them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from botocore.exceptions import ClientError

from gtchain.sandbox.groundtruth import JobBehaviour, workforce
from gtchain.sandbox.groundtruth.validation.automation import (
    AUTOMATION_WORDINGS,
    unsupported_automation_reason,
)
from gtchain.sandbox.groundtruth.variants import GroundTruthVariants
from gtchain_runtime.domain.failures import classify_failure
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.lineage import Lineage
from gtchain_runtime.domain.manifest import diff_manifests
from gtchain_runtime.domain.requests import build_child_request
from tests.support.labeling import (
    BUCKET,
    create_job,
    describe,
    images,
    job_request,
    put_manifest,
    read_manifest,
    s3,
    sagemaker,
)

BUILT_IN = "arn:aws:lambda:us-east-1:432418664414:function:"
ALGORITHMS = "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/"
MANIFEST_TIMINGS = ("create-refuses", "job-fails")


@pytest.fixture(autouse=True)
def small_automated_datasets(labeling_moto: None) -> None:
    # Small datasets: automated labeling's 1,250-object minimum is its own rule.
    workforce().configure("*", JobBehaviour(automation_min_objects=1))


def task(name: str) -> dict[str, Any]:
    request = job_request("x", "s3://x/y")
    config = dict(request["HumanTaskConfig"])
    config["PreHumanTaskLambdaArn"] = f"{BUILT_IN}PRE-{name}"
    config["AnnotationConsolidationConfig"] = {"AnnotationConsolidationLambdaArn": f"{BUILT_IN}ACS-{name}"}
    return {"HumanTaskConfig": config}


def automated(algorithm: str) -> dict[str, Any]:
    return {"LabelingJobAlgorithmsConfig": {"LabelingJobAlgorithmSpecificationArn": ALGORITHMS + algorithm}}


def refused_or_failed(name: str, manifest: str, timing: str, **overrides: Any) -> str:
    """The ValidationException's message (create-refuses) or the job's FailureReason (job-fails)."""
    if timing == "create-refuses":
        with pytest.raises(ClientError) as refusal:
            create_job(name, manifest, **overrides)
        assert refusal.value.response["Error"]["Code"] == "ValidationException"
        return str(refusal.value.response["Error"]["Message"])
    create_job(name, manifest, **overrides)
    workforce().run_until_idle()
    job = describe(name)
    assert job["LabelingJobStatus"] == "Failed" and job["LabelCounters"]["HumanLabeled"] == 0
    return str(job["FailureReason"])


# -- 1. automated labeling only for the supported task types -----------------------------------

UNSUPPORTED = (
    ("NamedEntityRecognition", "text-classification", "task type namedentityrecognition"),
    ("ImageMultiClassMultiLabel", "image-classification", "task type imagemulticlassmultilabel"),
    ("AdjustmentBoundingBox", "object-detection", "task type adjustmentboundingbox"),
    ("BoundingBox", "image-classification", "algorithm image-classification"),
)


@pytest.mark.parametrize("timing", ("create-refuses", "job-fails"))
@pytest.mark.parametrize(("task_name", "algorithm", "named"), UNSUPPORTED)
def test_automated_labeling_on_an_unsupported_task_is_refused_or_fails(
    timing: str, task_name: str, algorithm: str, named: str
) -> None:
    workforce().set_variants(GroundTruthVariants(unsupported_automation=timing))
    manifest = put_manifest("inputs/m.manifest", images(4))
    attribute = "boxes" if "BoundingBox" in task_name else "answer"

    reason = refused_or_failed(
        "Auto-Unsupported",
        manifest,
        timing,
        LabelAttributeName=attribute,
        **task(task_name),
        **automated(algorithm),
    )

    assert named in reason and "not available" in reason


@pytest.mark.parametrize(
    ("task_name", "algorithm"),
    (
        ("ImageMultiClass", "image-classification"),
        ("BoundingBox", "object-detection"),
        ("TextMultiClass", "text-classification"),
    ),
)
def test_automated_labeling_runs_on_each_supported_pair(task_name: str, algorithm: str) -> None:
    create_job(
        "Auto-Fine", put_manifest("inputs/m.manifest", images(4)), **task(task_name), **automated(algorithm)
    )

    workforce().run_until_idle()

    assert describe("Auto-Fine")["LabelingJobStatus"] == "Completed"


@pytest.mark.parametrize("wording", AUTOMATION_WORDINGS)
def test_the_runtime_gives_up_on_an_unsupported_task_type_naming_the_rule(wording: str) -> None:
    for task_type, algorithm in (("namedentityrecognition", "x"), ("boundingbox", "image-classification")):
        cause = classify_failure(unsupported_automation_reason(task_type, ALGORITHMS + algorithm, wording))

        assert cause is not None and cause.kind == "automated labeling task type"
        assert "gtchain:labeling-mode=human" in cause.fix


@pytest.mark.parametrize("timing", MANIFEST_TIMINGS)
def test_the_chained_request_of_a_failed_unsupported_automated_job_labels_by_humans(timing: str) -> None:
    # Under job-fails such a parent exists; its child must not carry the refused algorithm on.
    workforce().set_variants(GroundTruthVariants(unsupported_automation="job-fails"))
    create_job(
        "Ner-1",
        put_manifest("inputs/m.manifest", images(4)),
        **task("NamedEntityRecognition"),
        **automated("text-classification"),
    )
    workforce().run_until_idle()
    workforce().set_variants(GroundTruthVariants(unsupported_automation=timing))

    child = build_child_request(
        LabelingJob.from_describe(describe("Ner-1")),
        child=Lineage("Ner-1", "Ner-1", None, 0).child(),
        chained_manifest_uri=put_manifest("inputs/chained.manifest", images(4)),
        output_path=f"s3://{BUCKET}/jobs/",
    )
    sagemaker().create_labeling_job(**child.request)
    workforce().run_until_idle()

    assert child.labeling_mode == "human" and "cannot run" in child.mode_reason
    assert describe(child.request["LabelingJobName"])["LabelingJobStatus"] == "Completed"


# -- 2. review jobs need a LabelAttributeName of their own -------------------------------------


def completed_boxes(name: str = "Boxes-1", count: int = 6) -> str:
    """A completed bounding box job over `count` images; its output manifest's URI."""
    create_job(
        name,
        put_manifest(f"inputs/{name}.manifest", images(count)),
        LabelAttributeName="boxes",
        **task("BoundingBox"),
    )
    workforce().run_until_idle()
    job = describe(name)
    assert job["LabelingJobStatus"] == "Completed"
    return str(job["LabelingJobOutput"]["OutputDatasetS3Uri"])


@pytest.mark.parametrize("timing", MANIFEST_TIMINGS)
@pytest.mark.parametrize("review", ("AdjustmentBoundingBox", "VerificationBoundingBox"))
def test_a_review_job_reusing_the_original_attribute_is_refused_or_fails(timing: str, review: str) -> None:
    reviewed = completed_boxes()
    workforce().set_variants(GroundTruthVariants(manifest_errors=timing))

    reason = refused_or_failed("Review-1", reviewed, timing, LabelAttributeName="boxes", **task(review))

    assert "LabelAttributeName 'boxes'" in reason and "boxes-1" in reason
    assert "different LabelAttributeName than the original labeling job" in reason
    cause = classify_failure(reason)
    assert cause is not None and cause.kind == "review label attribute"


@pytest.mark.parametrize("review", ("AdjustmentBoundingBox", "VerificationBoundingBox"))
def test_a_review_job_with_its_own_attribute_runs(review: str) -> None:
    reviewed = completed_boxes()
    workforce().set_variants(GroundTruthVariants(manifest_errors="create-refuses"))

    create_job("Review-1", reviewed, LabelAttributeName="reviewed-boxes", **task(review))
    workforce().run_until_idle()

    assert describe("Review-1")["LabelingJobStatus"] == "Completed"


def test_the_original_job_itself_may_run_again_on_its_own_labels() -> None:
    # Not a review job: the same attribute is how a resumed job skips what is labeled.
    reviewed = completed_boxes()
    workforce().set_variants(GroundTruthVariants(manifest_errors="create-refuses"))

    create_job("Boxes-2", reviewed, LabelAttributeName="boxes", **task("BoundingBox"))


def read_bytes(uri: str) -> bytes:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body: bytes = s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


@pytest.mark.parametrize("timing", MANIFEST_TIMINGS)
@pytest.mark.parametrize("review", ("AdjustmentBoundingBox", "VerificationBoundingBox"))
def test_gtchain_chains_a_stopped_review_job_without_tripping_the_rule(timing: str, review: str) -> None:
    reviewed = completed_boxes()
    workforce().set_variants(GroundTruthVariants(manifest_errors=timing))
    workforce().configure("review-1", JobBehaviour(automation_min_objects=1, stop_after=2, pace=1))
    create_job("Review-1", reviewed, LabelAttributeName="reviewed-boxes", **task(review))
    workforce().run_until_idle()
    parent = describe("Review-1")
    assert parent["LabelingJobStatus"] == "Stopped"

    # The runtime's own steps: the chained manifest, then the child's request.
    chained = io.BytesIO()
    plan = diff_manifests(
        io.BytesIO(read_bytes(reviewed)),
        io.BytesIO(read_bytes(parent["LabelingJobOutput"]["OutputDatasetS3Uri"])),
        "reviewed-boxes",
        chained,
        io.BytesIO(),
    )
    assert plan.labeled == 2 and plan.unlabeled == 4
    s3().put_object(Bucket=BUCKET, Key="chained/review.manifest", Body=chained.getvalue())
    child = build_child_request(
        LabelingJob.from_describe(parent),
        child=Lineage("Review-1", "Review-1", None, 0).child(),
        chained_manifest_uri=f"s3://{BUCKET}/chained/review.manifest",
        output_path=f"s3://{BUCKET}/jobs/",
    ).request
    assert child["LabelAttributeName"] == "reviewed-boxes"

    sagemaker().create_labeling_job(**child)
    workforce().run_until_idle()

    job = describe(child["LabelingJobName"])
    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"]["HumanLabeled"] == 4


# -- 3. worker-feedback on label verification output -------------------------------------------


def test_verification_output_carries_worker_feedback_only_where_workers_commented() -> None:
    reviewed = completed_boxes(count=12)
    create_job("Verify-1", reviewed, LabelAttributeName="verified", **task("VerificationBoundingBox"))
    workforce().run_until_idle()

    output = read_manifest(describe("Verify-1")["LabelingJobOutput"]["OutputDatasetS3Uri"])
    feedback = [line["verified-metadata"].get("worker-feedback") for line in output]
    commented = [comments for comments in feedback if comments is not None]
    assert 0 < len(commented) < len(output)  # "If there are no comments, the field doesn't appear."
    for comments in commented:
        assert comments and all(set(item) == {"comment"} and item["comment"] for item in comments)
