"""The simulated workforce: progress, knobs, chaining input, output layout, events."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from gtchain.sandbox.groundtruth import JobBehaviour, workforce
from tests.support.labeling import (
    ALGORITHM_ARN,
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

MODEL_ARN_PATTERN = re.compile(r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:model/.*")


pytestmark = pytest.mark.usefixtures("labeling_moto")


def output_of(name: str) -> list[dict[str, Any]]:
    return read_manifest(describe(name)["LabelingJobOutput"]["OutputDatasetS3Uri"])


def labeled(records: list[dict[str, Any]], attribute: str) -> list[dict[str, Any]]:
    return [
        record
        for record in records
        if record.get(attribute) is not None
        and "failure-reason" not in record.get(f"{attribute}-metadata", {})
    ]


def counters(name: str) -> dict[str, int]:
    result: dict[str, int] = describe(name)["LabelCounters"]
    return result


def automated(min_objects: int = 10, initial_model: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"LabelingJobAlgorithmSpecificationArn": ALGORITHM_ARN}
    if initial_model:
        config["InitialActiveLearningModelArn"] = initial_model
    return {"LabelingJobAlgorithmsConfig": config}


def test_default_behaviour_labels_everything_and_writes_ground_truths_layout() -> None:
    queue = event_queue()
    s3().put_object(
        Bucket=BUCKET,
        Key="inputs/categories.json",
        Body=json.dumps(
            {"labels": [{"label": "vehicles"}, {"label": "traffic signals"}, {"label": "pedestrians"}]}
        ),
    )
    arn = create_job(
        "Streetscenes-Job1",
        put_manifest("inputs/m.manifest", images(12)),
        LabelCategoryConfigS3Uri=f"s3://{BUCKET}/inputs/categories.json",
    )

    workforce().run_until_idle()

    job = describe("Streetscenes-Job1")
    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"] == {
        "TotalLabeled": 12,
        "HumanLabeled": 12,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 0,
    }
    assert job["LabelingJobOutput"] == {
        "OutputDatasetS3Uri": f"s3://{BUCKET}/jobs/Streetscenes-Job1/manifests/output/output.manifest"
    }
    records = output_of("Streetscenes-Job1")
    assert [r["source-ref"] for r in records] == [r["source-ref"] for r in images(12)]
    for record in records:
        metadata = record["Streetscenes-Job1-metadata"]
        assert metadata["job-name"] == "labeling-job/streetscenes-job1"
        assert metadata["type"] == "groundtruth/image-classification"
        assert metadata["human-annotated"] == "yes"
        assert ["vehicles", "traffic signals", "pedestrians"][record["Streetscenes-Job1"]] == metadata[
            "class-name"
        ]
        # One worker per object: "the confidence score is set to 0.00" (sms-data-output).
        assert metadata["confidence"] == 0.0
        assert metadata["creation-date"]
    keys = keys_under("jobs/Streetscenes-Job1/")
    assert "jobs/Streetscenes-Job1/manifests/intermediate/1/output.manifest" in keys
    assert any(
        key.startswith("jobs/Streetscenes-Job1/annotations/worker-response/iteration-1/") for key in keys
    )
    assert any(key.startswith("jobs/Streetscenes-Job1/annotations/consolidated-annotation/") for key in keys)
    assert not any(part in key for key in keys for part in ("/activelearning/", "/inference/", "/training/"))
    [event] = received_events(queue)
    assert event["source"] == "aws.sagemaker"
    assert event["detail-type"] == "SageMaker Ground Truth Labeling Job State Change"
    assert event["detail"] == {"LabelingJobStatus": "Completed"}
    assert event["resources"] == [arn]


def test_jobs_advance_at_the_configured_pace() -> None:
    workforce().configure("paced-*", JobBehaviour(pace=4))
    create_job("Paced-Job", put_manifest("inputs/m.manifest", images(10)))
    seen = []

    while workforce().step():
        job = describe("Paced-Job")
        seen.append((job["LabelingJobStatus"], job["LabelCounters"]["TotalLabeled"]))

    assert seen == [("InProgress", 0), ("InProgress", 4), ("InProgress", 8), ("Completed", 10)]
    [snapshot] = workforce().snapshot()
    assert (snapshot.name, snapshot.status, snapshot.labeled, snapshot.total) == (
        "Paced-Job",
        "Completed",
        10,
        10,
    )


def test_objects_already_labeled_are_skipped_and_kept_as_they_were() -> None:
    prelabeled = {
        "source-ref": "s3://x/a.jpg",
        "Chain": 1,
        "Chain-metadata": {
            "job-name": "labeling-job/parent",
            "class-name": "category-2",
            "human-annotated": "yes",
        },
    }
    failed_before = {"source-ref": "s3://x/b.jpg", "Chain-metadata": {"failure-reason": "ClientError: nope"}}
    other_label_only = {"source-ref": "s3://x/c.jpg", "other": 0, "other-metadata": {"class-name": "a"}}
    text_object = {"source": "a sentence to classify"}
    create_job(
        "Chain",
        put_manifest("inputs/m.manifest", [prelabeled, failed_before, other_label_only, text_object]),
    )

    workforce().run_until_idle()

    records = output_of("Chain")
    assert records[0] == prelabeled
    assert all(record["Chain-metadata"]["job-name"] == "labeling-job/chain" for record in records[1:])
    assert "failure-reason" not in records[1]["Chain-metadata"]
    assert records[2]["other"] == 0
    assert records[3]["source"] == "a sentence to classify"
    assert counters("Chain") == {
        "TotalLabeled": 4,
        "HumanLabeled": 3,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 0,
    }


def test_workers_stop_after_n_labels() -> None:
    queue = event_queue()
    workforce().configure("streetscenes-job1", JobBehaviour(pace=7, stop_after=10))
    create_job("Streetscenes-Job1", put_manifest("inputs/m.manifest", images(25)))
    create_job("Streetscenes-Job1-chain-1", put_manifest("inputs/m2.manifest", images(5)))

    workforce().step()  # initialise
    workforce().step()  # 7 labels
    workforce().step()  # 3 more, then the workers stop
    assert describe("Streetscenes-Job1")["LabelingJobStatus"] == "Stopping"
    workforce().run_until_idle()

    job = describe("Streetscenes-Job1")
    assert job["LabelingJobStatus"] == "Stopped"
    assert job["LabelCounters"]["TotalLabeled"] == 10
    assert job["LabelCounters"]["Unlabeled"] == 15
    records = output_of("Streetscenes-Job1")
    assert len(records) == 25
    assert len(labeled(records, "Streetscenes-Job1")) == 10
    assert describe("Streetscenes-Job1-chain-1")["LabelingJobStatus"] == "Completed"
    statuses = {event["resources"][0].rsplit("/", 1)[1]: event["detail"] for event in received_events(queue)}
    assert statuses == {
        "streetscenes-job1": {"LabelingJobStatus": "Stopped"},
        "streetscenes-job1-chain-1": {"LabelingJobStatus": "Completed"},
    }


def test_max_human_labeled_object_count_stops_the_job_at_that_count() -> None:
    queue = event_queue()
    workforce().configure("*", JobBehaviour(pace=7))
    conditions = {"MaxHumanLabeledObjectCount": 10}
    arn = create_job("Budget-1", put_manifest("inputs/m.manifest", images(25)), StoppingConditions=conditions)

    workforce().step()  # initialise
    workforce().step()  # 7 labels
    workforce().step()  # 3 more: the condition is met, the job stops
    assert describe("Budget-1")["LabelingJobStatus"] == "Stopping"
    workforce().run_until_idle()

    job = describe("Budget-1")
    assert job["LabelingJobStatus"] == "Stopped"
    assert job["StoppingConditions"] == conditions
    assert job["LabelCounters"]["HumanLabeled"] == 10
    assert job["LabelCounters"]["Unlabeled"] == 15
    records = output_of("Budget-1")
    assert len(records) == 25
    assert len(labeled(records, "Budget-1")) == 10
    assert [(event["resources"], event["detail"]) for event in received_events(queue)] == [
        ([arn], {"LabelingJobStatus": "Stopped"})
    ]


def run_to_the_end(
    name: str, records: list[dict[str, Any]], conditions: dict[str, int], **overrides: Any
) -> Any:
    """Create the job with these StoppingConditions, let the workforce finish, describe it."""
    manifest = put_manifest(f"inputs/{name}.manifest", records)
    create_job(name, manifest, StoppingConditions=conditions, **overrides)
    workforce().run_until_idle()
    return describe(name)


def handed_labels(count: int) -> list[dict[str, Any]]:
    """A chained job's input: objects its parent's human workers labeled (attribute "Chain")."""
    metadata = {"job-name": "labeling-job/parent", "human-annotated": "yes"}
    return [{**record, "Chain": 0, "Chain-metadata": metadata} for record in images(count)]


def test_max_human_labeled_object_count_counts_only_this_jobs_human_labels() -> None:
    job = run_to_the_end("Chain", handed_labels(6) + images(10, start=6), {"MaxHumanLabeledObjectCount": 4})

    assert job["LabelingJobStatus"] == "Stopped"
    counters = job["LabelCounters"]
    assert (counters["TotalLabeled"], counters["HumanLabeled"], counters["Unlabeled"]) == (10, 4, 6)


def test_max_human_labeled_object_count_counts_human_labels_only_with_automated_labeling() -> None:
    workforce().configure("*", JobBehaviour(automation_min_objects=10, human_validation_share=0.2))

    job = run_to_the_end("Auto-1", images(20), {"MaxHumanLabeledObjectCount": 4}, **automated())

    # 4 human labels (the validation set) meet the condition before machine labels start.
    assert job["LabelingJobStatus"] == "Stopped"
    assert (job["LabelCounters"]["HumanLabeled"], job["LabelCounters"]["MachineLabeled"]) == (4, 0)


def test_max_percentage_of_input_dataset_labeled_stops_the_job() -> None:
    workforce().configure("*", JobBehaviour(pace=3))

    job = run_to_the_end("Share-1", images(25), {"MaxPercentageOfInputDatasetLabeled": 30})

    # 30 % of 25 objects is 7.5: at most 7 objects are labeled.
    assert job["LabelingJobStatus"] == "Stopped"
    assert job["LabelCounters"]["TotalLabeled"] == 7
    assert len(labeled(output_of("Share-1"), "Share-1")) == 7


def test_the_first_condition_met_stops_the_job() -> None:
    conditions = {"MaxHumanLabeledObjectCount": 12, "MaxPercentageOfInputDatasetLabeled": 25}

    job = run_to_the_end("Both-1", images(20), conditions)

    assert job["LabelingJobStatus"] == "Stopped"
    assert job["LabelCounters"]["HumanLabeled"] == 5


@pytest.mark.parametrize(
    "conditions",
    [
        {"MaxPercentageOfInputDatasetLabeled": 100},
        {"MaxHumanLabeledObjectCount": 10},
        {"MaxHumanLabeledObjectCount": 1000},
    ],
)
def test_conditions_met_by_the_last_label_or_never_let_the_job_complete(conditions: dict[str, int]) -> None:
    job = run_to_the_end("Whole-1", images(10), conditions)

    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"]["HumanLabeled"] == 10


def test_a_percentage_counts_only_this_jobs_labels_not_those_it_was_handed() -> None:
    job = run_to_the_end(
        "Chain", handed_labels(8) + images(2, start=8), {"MaxPercentageOfInputDatasetLabeled": 50}
    )

    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"]["HumanLabeled"] == 2


def test_stop_labeling_job_stops_at_the_next_tick() -> None:
    workforce().configure("*", JobBehaviour(pace=2))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(10)))
    workforce().step()
    workforce().step()

    sagemaker().stop_labeling_job(LabelingJobName="job-1")
    assert describe("Job-1")["LabelingJobStatus"] == "Stopping"
    workforce().step()

    assert describe("Job-1")["LabelingJobStatus"] == "Stopped"
    assert len(labeled(output_of("Job-1"), "Job-1")) == 2
    sagemaker().stop_labeling_job(LabelingJobName="Job-1")  # a finished job stays as it is
    assert describe("Job-1")["LabelingJobStatus"] == "Stopped"


@pytest.mark.parametrize("write_output", [True, False])
def test_a_job_fails_with_the_configured_reason_after_n_labels(write_output: bool) -> None:
    queue = event_queue()
    reason = "ClientError: The workteam is not available"
    workforce().configure(
        "job-*", JobBehaviour(fail_after=3, failure_reason=reason, write_output_on_failure=write_output)
    )
    create_job("Job-1", put_manifest("inputs/m.manifest", images(8)))

    workforce().run_until_idle()

    job = describe("Job-1")
    assert job["LabelingJobStatus"] == "Failed"
    assert job["FailureReason"] == reason
    assert job["LabelCounters"]["TotalLabeled"] == 3
    output_key = "jobs/Job-1/manifests/output/output.manifest"
    if write_output:
        assert len(labeled(output_of("Job-1"), "Job-1")) == 3
    else:
        assert "LabelingJobOutput" not in job
        assert output_key not in keys_under("jobs/Job-1/")
    assert [event["detail"] for event in received_events(queue)] == [{"LabelingJobStatus": "Failed"}]


def test_a_share_of_objects_fails_with_a_failure_reason() -> None:
    workforce().configure(
        "job-*", JobBehaviour(object_failure_share=0.3, object_failure_reason="ClientError: bad")
    )
    create_job("Job-1", put_manifest("inputs/m.manifest", images(10)))

    workforce().run_until_idle()

    records = output_of("Job-1")
    failed = [record for record in records if "failure-reason" in record.get("Job-1-metadata", {})]
    assert len(failed) == 3
    assert all(
        "Job-1" not in record and record["Job-1-metadata"]["failure-reason"] == "ClientError: bad"
        for record in failed
    )
    assert describe("Job-1")["LabelingJobStatus"] == "Completed"
    assert counters("Job-1") == {
        "TotalLabeled": 7,
        "HumanLabeled": 7,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 3,
        "Unlabeled": 0,
    }


def test_expired_tasks_leave_objects_unlabeled_in_a_completed_job() -> None:
    workforce().configure("job-*", JobBehaviour(expire_share=0.4))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(10)))

    workforce().run_until_idle()

    records = output_of("Job-1")
    assert describe("Job-1")["LabelingJobStatus"] == "Completed"
    assert len(labeled(records, "Job-1")) == 6
    assert sum(1 for record in records if set(record) == {"source-ref"}) == 4
    assert counters("Job-1")["Unlabeled"] == 4


def test_the_final_event_can_be_delivered_twice() -> None:
    queue = event_queue()
    workforce().configure("job-*", JobBehaviour(duplicate_final_event=True))
    arn = create_job("Job-1", put_manifest("inputs/m.manifest", images(3)))

    workforce().run_until_idle()

    events = received_events(queue)
    assert [(event["detail"], event["resources"]) for event in events] == [
        ({"LabelingJobStatus": "Completed"}, [arn]),
        ({"LabelingJobStatus": "Completed"}, [arn]),
    ]


def test_automated_labeling_machine_labels_after_a_human_validation_set() -> None:
    workforce().configure("job-*", JobBehaviour(human_validation_share=0.25, automation_min_objects=10))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(20)), **automated())

    workforce().run_until_idle()

    job = describe("Job-1")
    assert job["LabelCounters"]["HumanLabeled"] == 5
    assert job["LabelCounters"]["MachineLabeled"] == 15
    machine = [r for r in output_of("Job-1") if r["Job-1-metadata"]["human-annotated"] == "no"]
    assert len(machine) == 15
    model_arn = job["LabelingJobOutput"]["FinalActiveLearningModelArn"]
    assert MODEL_ARN_PATTERN.fullmatch(model_arn)
    for folder in ("activelearning", "inference", "training"):
        assert keys_under(f"jobs/Job-1/{folder}/"), folder


def test_an_initial_model_lets_machine_labeling_start_at_once() -> None:
    initial = "arn:aws:sagemaker:us-east-1:123456789012:model/streetscenes-job1-al-model"
    workforce().configure("job-*", JobBehaviour(automation_min_objects=10))
    create_job("Job-1", put_manifest("inputs/m.manifest", images(12)), **automated(initial_model=initial))

    workforce().run_until_idle()

    job = describe("Job-1")
    assert job["LabelCounters"]["HumanLabeled"] == 0
    assert job["LabelCounters"]["MachineLabeled"] == 12
    assert MODEL_ARN_PATTERN.fullmatch(job["LabelingJobOutput"]["FinalActiveLearningModelArn"])
    assert job["LabelingJobOutput"]["FinalActiveLearningModelArn"] != initial


def test_a_missing_input_manifest_fails_the_job() -> None:
    queue = event_queue()
    create_job("Job-1", f"s3://{BUCKET}/inputs/missing.manifest")

    workforce().run_until_idle()

    job = describe("Job-1")
    assert job["LabelingJobStatus"] == "Failed"
    assert (
        job["FailureReason"]
        == f"ClientError: input manifest s3://{BUCKET}/inputs/missing.manifest does not exist"
    )
    assert [event["detail"] for event in received_events(queue)] == [{"LabelingJobStatus": "Failed"}]


def test_an_invalid_manifest_line_fails_the_job_naming_the_line() -> None:
    s3().put_object(
        Bucket=BUCKET, Key="inputs/bad.manifest", Body='{"source-ref": "s3://x/a.jpg"}\n{"no": 1}\n'
    )
    create_job("Job-1", f"s3://{BUCKET}/inputs/bad.manifest")

    workforce().run_until_idle()

    assert "line 2" in describe("Job-1")["FailureReason"]


def test_a_streaming_job_idles_until_stopped() -> None:
    create_job(
        "Stream-1",
        "unused",
        InputConfig={
            "DataSource": {"SnsDataSource": {"SnsTopicArn": "arn:aws:sns:us-east-1:123456789012:objects"}}
        },
    )

    workforce().run_until_idle()
    assert describe("Stream-1")["LabelingJobStatus"] == "InProgress"
    sagemaker().stop_labeling_job(LabelingJobName="Stream-1")
    workforce().run_until_idle()

    assert describe("Stream-1")["LabelingJobStatus"] == "Stopped"


def test_the_background_thread_advances_jobs() -> None:
    create_job("Job-1", put_manifest("inputs/m.manifest", images(5)))

    workforce().start(tick_seconds=0.01)
    try:
        deadline = time.monotonic() + 10
        while describe("Job-1")["LabelingJobStatus"] != "Completed" and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        workforce().stop()

    assert describe("Job-1")["LabelingJobStatus"] == "Completed"
    assert not workforce().running


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"pace": 0}, "pace"),
        ({"stop_after": -1}, "stop_after"),
        ({"object_failure_share": 1.5}, "object_failure_share"),
        ({"object_failure_share": 0.6, "expire_share": 0.6}, "expire_share"),
        ({"failure_reason": " "}, "failure_reason"),
    ],
)
def test_bad_knobs_are_rejected_naming_the_field(knobs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        JobBehaviour(**knobs)
