"""Ground Truth's output files as documented, and each undocumented behaviour's variants
(gtchain/sandbox/groundtruth/variants.py), read back the way the runtime reads them."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from gtchain.sandbox.groundtruth import JobBehaviour, workforce
from gtchain.sandbox.groundtruth.variants import (
    ENV_VARIABLE,
    GroundTruthVariants,
    every_variant,
    failure_reason_corpus,
)
from gtchain_runtime.adapters.s3_stream import BucketObjects
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.usecases.evidence import open_evidence
from tests.support.labeling import (
    BUCKET,
    create_job,
    describe,
    event_queue,
    images,
    keys_under,
    put_manifest,
    read_manifest,
    received_events,
    s3,
    sagemaker,
)

ISO_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


pytestmark = pytest.mark.usefixtures("labeling_moto")


def body(key: str) -> bytes:
    data: bytes = s3().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return data


def lines(key: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body(key).decode().splitlines() if line.strip()]


def evidence_of(name: str) -> tuple[str, list[dict[str, Any]]]:
    """What the runtime plans from: its evidence source and the output-like lines."""
    described = describe(name)
    manifest_uri = described["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"]
    input_manifest = io.BytesIO(body(manifest_uri.split("/", 3)[3]))
    job = LabelingJob.from_describe(described)
    with open_evidence(BucketObjects(s3()), job, lambda: input_manifest) as opened:
        assert opened.output is not None
        records = [json.loads(line) for line in opened.output.read().splitlines() if line.strip()]
        return opened.source, records


def labeled_sources(records: list[dict[str, Any]], attribute: str) -> set[str]:
    return {
        r["source-ref"]
        for r in records
        if r.get(attribute) is not None and "failure-reason" not in r.get(f"{attribute}-metadata", {})
    }


# -- output files (sms-data-output.html, sms-custom-templates-step3.html) ----------------------


def test_worker_responses_are_one_timestamped_file_per_object_with_the_documented_fields() -> None:
    workforce().configure("job-*", JobBehaviour(pace=2))
    manifest = put_manifest("inputs/m.manifest", images(3))
    create_job(
        "Job-1",
        manifest,
        HumanTaskConfig={**_human_task(), "NumberOfHumanWorkersPerDataObject": 3},
    )
    workforce().run_until_idle()

    keys = [k for k in keys_under("jobs/Job-1/annotations/worker-response/") if k.endswith(".json")]
    pattern = re.compile(
        r"jobs/Job-1/annotations/worker-response/iteration-1/(\d+)/\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.json"
    )
    assert sorted(int(pattern.fullmatch(key).group(1)) for key in keys) == [0, 1, 2]  # type: ignore[union-attr]
    answers = json.loads(body(keys[0]))["answers"]
    assert len(answers) == 3
    for answer in answers:
        assert set(answer) == {
            "answerContent",
            "submissionTime",
            "acceptanceTime",
            "timeSpentInSeconds",
            "workerId",
            "workerMetadata",
        }
        assert ISO_MILLIS.fullmatch(answer["submissionTime"]) and ISO_MILLIS.fullmatch(
            answer["acceptanceTime"]
        )
        assert answer["acceptanceTime"] < answer["submissionTime"]
        assert answer["workerMetadata"]["identityData"]["identityProviderType"] == "Cognito"
        assert answer["answerContent"]["category"]["label"]
    assert len({answer["workerId"] for answer in answers}) == 3


def test_consolidation_requests_and_responses_pair_per_batch_in_the_lambda_formats() -> None:
    workforce().configure("job-*", JobBehaviour(pace=2))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(5)))
    workforce().run_until_idle()

    folder = "jobs/Job-1/annotations/consolidated-annotation/"
    requests = sorted(k for k in keys_under(folder) if "/consolidation-request/iteration-1/" in k)
    responses = sorted(k for k in keys_under(folder) if "/consolidation-response/iteration-1/" in k)
    assert [k.rsplit("/", 1)[1] for k in requests] == [k.rsplit("/", 1)[1] for k in responses]
    assert len(responses) == 3  # batches of 2, 2, 1
    request_items = [item for key in requests for item in json.loads(body(key))]
    response_items = [item for key in responses for item in json.loads(body(key))]
    assert [i["datasetObjectId"] for i in request_items] == ["0", "1", "2", "3", "4"]
    assert request_items[0]["dataObject"] == {"s3Uri": images(5)[0]["source-ref"]}
    assert json.loads(request_items[0]["annotations"][0]["annotationData"]["content"])
    for item in response_items:
        content = item["consolidatedAnnotation"]["content"]
        assert set(content) == {"Job-1", "Job-1-metadata"}
        assert content["Job-1-metadata"]["type"] == "groundtruth/image-classification"


def test_intermediate_manifests_are_written_while_the_job_runs_one_line_per_input_line() -> None:
    workforce().configure("job-*", JobBehaviour(pace=2))
    inputs = images(5)
    create_job("Job-1", put_manifest("inputs/m.manifest", inputs))
    workforce().step()  # Initializing -> InProgress
    workforce().step()  # the first batch of 2

    assert describe("Job-1")["LabelingJobStatus"] == "InProgress"
    intermediate = lines("jobs/Job-1/manifests/intermediate/1/output.manifest")
    assert [r["source-ref"] for r in intermediate] == [r["source-ref"] for r in inputs]
    assert len(labeled_sources(intermediate, "Job-1")) == 2
    assert intermediate[4] == inputs[4]  # not labeled yet: as in the input manifest
    batch = lines("jobs/Job-1/annotations/intermediate/1/annotations.json")
    assert [r["source-ref"] for r in batch] == [r["source-ref"] for r in inputs[:2]]
    assert "jobs/Job-1/manifests/output/output.manifest" not in keys_under("jobs/Job-1/")


# -- variants -----------------------------------------------------------------------------------


@pytest.mark.parametrize("final_manifest", ["present", "absent", "described-missing"])
@pytest.mark.parametrize("how", ["stopped", "failed"])
def test_final_manifest_of_a_stopped_or_failed_job(final_manifest: str, how: str) -> None:
    workforce().set_variants(GroundTruthVariants(final_manifest=final_manifest))
    behaviour = JobBehaviour(pace=2, stop_after=4) if how == "stopped" else JobBehaviour(pace=2, fail_after=4)
    workforce().configure("job-*", behaviour)
    create_job("Job-1", put_manifest("inputs/m.manifest", images(10)))
    workforce().run_until_idle()

    job = describe("Job-1")
    assert job["LabelingJobStatus"] == ("Stopped" if how == "stopped" else "Failed")
    final_key = "jobs/Job-1/manifests/output/output.manifest"
    keys = keys_under("jobs/Job-1/")
    assert (final_key in keys) == (final_manifest == "present")
    assert ("LabelingJobOutput" in job) == (final_manifest != "absent")
    # Whatever the variant, what was written while the job ran stays, and the runtime finds the labels.
    assert "jobs/Job-1/manifests/intermediate/1/output.manifest" in keys
    assert any("/consolidation-response/" in key for key in keys)
    source, records = evidence_of("Job-1")
    assert source == ("final" if final_manifest == "present" else "intermediate")
    assert len(labeled_sources(records, "Job-1")) == 4


def test_a_completed_job_writes_its_final_manifest_in_every_variant() -> None:
    workforce().set_variants(GroundTruthVariants(final_manifest="absent"))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(4)))
    workforce().run_until_idle()
    assert "LabelingJobOutput" in describe("Job-1")
    assert len(read_manifest(describe("Job-1")["LabelingJobOutput"]["OutputDatasetS3Uri"])) == 4


@pytest.mark.parametrize("consolidated_metadata", ["included", "label-only"])
def test_without_intermediate_manifests_the_consolidation_files_give_the_same_labels(
    consolidated_metadata: str,
) -> None:
    workforce().set_variants(
        GroundTruthVariants(final_manifest="absent", consolidated_metadata=consolidated_metadata)
    )
    workforce().configure("job-*", JobBehaviour(pace=3, stop_after=6))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(10)))
    workforce().run_until_idle()
    _, from_intermediate = evidence_of("Job-1")
    for key in keys_under("jobs/Job-1/manifests/intermediate/"):
        s3().delete_object(Bucket=BUCKET, Key=key)

    source, from_consolidation = evidence_of("Job-1")

    assert source == "consolidated-annotations"
    assert labeled_sources(from_consolidation, "Job-1") == labeled_sources(from_intermediate, "Job-1")
    assert len(labeled_sources(from_consolidation, "Job-1")) == 6
    responses = [k for k in keys_under("jobs/Job-1/") if "/consolidation-response/" in k]
    content = json.loads(body(responses[0]))[0]["consolidatedAnnotation"]["content"]
    assert ("Job-1-metadata" in content) == (consolidated_metadata == "included")


@pytest.mark.parametrize("expired_tasks", ["untouched", "failure-reason"])
def test_expired_tasks_variants(expired_tasks: str) -> None:
    workforce().set_variants(GroundTruthVariants(expired_tasks=expired_tasks))
    workforce().configure("job-*", JobBehaviour(expire_share=0.4))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(10)))
    workforce().run_until_idle()

    job = describe("Job-1")
    records = read_manifest(job["LabelingJobOutput"]["OutputDatasetS3Uri"])
    assert job["LabelingJobStatus"] == "Completed"
    assert len(labeled_sources(records, "Job-1")) == 6
    expired = [r for r in records if "Job-1" not in r]
    assert len(expired) == 4
    if expired_tasks == "untouched":
        assert all(set(r) == {"source-ref"} for r in expired)
        assert (job["LabelCounters"]["Unlabeled"], job["LabelCounters"]["FailedNonRetryableError"]) == (4, 0)
    else:
        assert all("failure-reason" in r["Job-1-metadata"] for r in expired)
        assert (job["LabelCounters"]["Unlabeled"], job["LabelCounters"]["FailedNonRetryableError"]) == (0, 4)


@pytest.mark.parametrize(("arn_case", "resource"), [("lower", "job-case"), ("as-named", "Job-Case")])
def test_arn_case_variants_apply_to_create_describe_list_tags_and_the_event(
    arn_case: str, resource: str
) -> None:
    queue = event_queue()
    workforce().set_variants(GroundTruthVariants(arn_case=arn_case), pattern="job-*")
    arn = create_job("Job-Case", put_manifest("inputs/m.manifest", images(2)))
    workforce().run_until_idle()

    assert arn.endswith(f":labeling-job/{resource}")
    assert describe("Job-Case")["LabelingJobArn"] == arn
    [summary] = sagemaker().list_labeling_jobs()["LabelingJobSummaryList"]
    assert summary["LabelingJobArn"] == arn
    sagemaker().add_tags(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert sagemaker().list_tags(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    assert [event["resources"] for event in received_events(queue)] == [[arn]]


@pytest.mark.parametrize("index", range(len(failure_reason_corpus())))
def test_a_failed_job_can_carry_each_text_of_the_failure_reason_corpus(index: int) -> None:
    workforce().set_variants(GroundTruthVariants(failure_reason=index))
    workforce().configure("job-*", JobBehaviour(fail_after=1))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(3)))
    workforce().run_until_idle()
    assert describe("Job-1")["FailureReason"] == failure_reason_corpus()[index]["text"]


def test_per_pattern_variants_override_the_global_ones_and_reset_forgets_them() -> None:
    workforce().set_variants(GroundTruthVariants(arn_case="as-named"))
    workforce().set_variants(GroundTruthVariants(final_manifest="absent"), pattern="special-*")
    assert workforce().variants_for("Other").arn_case == "as-named"
    assert workforce().variants_for("Special-1") == GroundTruthVariants(final_manifest="absent")
    workforce().reset()
    assert workforce().variants_for("Special-1") == GroundTruthVariants()


def test_variants_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VARIABLE, "final_manifest=absent, expired-tasks=failure-reason,failure_reason=2")
    workforce().reset()
    assert workforce().variants_for("Any") == GroundTruthVariants(
        final_manifest="absent", expired_tasks="failure-reason", failure_reason=2
    )
    monkeypatch.delenv(ENV_VARIABLE)
    workforce().reset()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("final_manifest=maybe", "final_manifest"),
        ("arn_case=upper", "arn_case"),
        ("expired_tasks=gone", "expired_tasks"),
        ("failure_reason=999", "failure_reason"),
        ("colour=blue", "knobs"),
    ],
)
def test_bad_variants_are_refused_naming_the_knob(text: str, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        GroundTruthVariants.parse(text)


def test_every_variant_lists_each_non_default_value_once() -> None:
    assert set(every_variant()) == {
        "default",
        "final_manifest=absent",
        "final_manifest=described-missing",
        "expired_tasks=failure-reason",
        "arn_case=as-named",
    }


def _human_task() -> dict[str, Any]:
    from tests.support.labeling import job_request

    human_task: dict[str, Any] = job_request("x", "s3://b/k")["HumanTaskConfig"]
    return human_task


# -- label shapes of sms-data-output.html beyond classification and bounding boxes --------------


def shaped_job(name: str, attribute: str, task_type: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    human_task = {
        **_human_task(),
        "PreHumanTaskLambdaArn": f"arn:aws:lambda:us-east-1:432418664414:function:PRE-{task_type}",
    }
    s3().put_object(
        Bucket=BUCKET, Key="inputs/c.json", Body=json.dumps({"labels": [{"label": "road"}, {"label": "car"}]})
    )
    create_job(
        name,
        put_manifest(f"inputs/{name}.manifest", records),
        LabelAttributeName=attribute,
        LabelCategoryConfigS3Uri=f"s3://{BUCKET}/inputs/c.json",
        HumanTaskConfig=human_task,
    )
    workforce().run_until_idle()
    [record] = read_manifest(describe(name)["LabelingJobOutput"]["OutputDatasetS3Uri"])
    return record


def test_semantic_segmentation_labels_are_png_masks_with_an_internal_color_map() -> None:
    record = shaped_job("Seg-1", "streets-ref", "SemanticSegmentation", images(1))
    mask_uri = record["streets-ref"]
    assert mask_uri.startswith(f"s3://{BUCKET}/jobs/Seg-1/annotations/consolidated-annotation/output/0_")
    assert body(mask_uri.split("/", 3)[3]).startswith(b"\x89PNG\r\n\x1a\n")
    metadata = record["streets-ref-metadata"]
    assert metadata["type"] == "groundtruth/semantic-segmentation"
    color_map = metadata["internal-color-map"]
    assert [color_map[key]["class-name"] for key in ("0", "1", "2")] == ["BACKGROUND", "road", "car"]
    assert len({entry["confidence"] for entry in color_map.values()}) == 1
    assert all(re.fullmatch(r"#[0-9a-f]{6}", entry["hex-color"]) for entry in color_map.values())


def test_named_entity_recognition_labels_are_text_spans() -> None:
    text = "Amazon SageMaker is a cloud machine-learning platform"
    record = shaped_job("Ner-1", "entities", "NamedEntityRecognition", [{"source": text}])
    annotations = record["entities"]["annotations"]
    assert annotations["labels"] == [{"label": "road"}, {"label": "car"}]
    [entity] = annotations["entities"]
    assert entity["label"] in {"road", "car"} and 0 <= entity["startOffset"] < entity["endOffset"] <= len(
        text
    )
    metadata = record["entities-metadata"]
    assert metadata["type"] == "groundtruth/text-span"
    assert len(metadata["entities"]) == 1 and "confidence" in metadata["entities"][0]


def test_label_verification_labels_are_a_class_index_with_its_name() -> None:
    record = shaped_job("Verify-1", "verify-boxes", "VerificationBoundingBox", images(1))
    metadata = record["verify-boxes-metadata"]
    assert metadata["type"] == "groundtruth/label-verification"
    assert record["verify-boxes"] in {"0", "1"}
    assert metadata["class-name"] == ("good", "bad")[int(record["verify-boxes"])]
