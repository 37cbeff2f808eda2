from __future__ import annotations

import copy

import pytest

from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.lineage import Lineage
from gtchain_runtime.domain.requests import (
    AUTOMATED_LABELING_MIN_OBJECTS,
    RequestBuildError,
    build_child_request,
)
from gtchain_runtime.domain.service_model import validate_against_model
from tests.support.describes import (
    ALL_FIXTURES,
    CHAINED,
    OUTPUT,
    assert_valid_create_request,
    chain_request,
    child_of,
    load,
)

IMAGE_ALGORITHM = (
    "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/image-classification"
)
DESCRIBE_ONLY = {
    "LabelingJobStatus",
    "LabelCounters",
    "FailureReason",
    "CreationTime",
    "LastModifiedTime",
    "JobReferenceCode",
    "LabelingJobArn",
    "LabelingJobOutput",
    "ResponseMetadata",
}


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
def test_round_trip_keeps_every_create_input(fixture: str) -> None:
    describe = load(fixture)
    original = copy.deepcopy(describe)
    built = chain_request(describe)
    request = built.request
    assert describe == original, "the builder must not mutate its input"
    assert_valid_create_request(request)

    assert request["LabelingJobName"] == f"{describe['LabelingJobName']}-chain-1"
    assert request["LabelAttributeName"] == describe["LabelAttributeName"]
    assert request["InputConfig"]["DataSource"] == {"S3DataSource": {"ManifestS3Uri": CHAINED}}
    assert request["InputConfig"]["DataAttributes"] == describe["InputConfig"]["DataAttributes"]
    assert request["OutputConfig"]["S3OutputPath"] == OUTPUT
    for copied in ("RoleArn", "LabelCategoryConfigS3Uri", "StoppingConditions", "HumanTaskConfig"):
        assert request[copied] == describe[copied], copied
    assert DESCRIBE_ONLY.isdisjoint(request)

    kms = describe["OutputConfig"].get("KmsKeyId")
    assert request["OutputConfig"].get("KmsKeyId") == (kms or None)
    tag_keys = [t["Key"] for t in request["Tags"]]
    assert not [k for k in tag_keys if k.startswith("aws:")]
    assert tag_keys[-3:] == ["gtchain:root", "gtchain:parent", "gtchain:depth"]
    assert {"team", "cost-center"} <= set(tag_keys)


def test_public_workforce_price_is_kept() -> None:
    request = chain_request(load("image_classification_non_al")).request
    assert request["HumanTaskConfig"]["PublicWorkforceTaskPrice"] == {
        "AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}
    }


# The seed's six scenarios -------------------------------------------------------------------


def test_scenario_1_non_al_to_non_al() -> None:
    describe = load("image_classification_non_al")
    built = chain_request(describe)
    assert built.labeling_mode == "human"
    assert "LabelingJobAlgorithmsConfig" not in built.request


def test_scenario_2_non_al_to_al_uses_the_project_algorithm() -> None:
    describe = load("image_classification_non_al")
    built = chain_request(
        describe, requested_mode="automated", algorithm_specification_arn=IMAGE_ALGORITHM, dataset_size=3547
    )
    assert built.labeling_mode == "automated"
    assert built.request["LabelingJobAlgorithmsConfig"] == {
        "LabelingJobAlgorithmSpecificationArn": IMAGE_ALGORITHM
    }
    assert_valid_create_request(built.request)


def test_scenario_2_without_an_algorithm_falls_back_to_human() -> None:
    describe = load("image_classification_non_al")
    built = chain_request(describe, requested_mode="automated")
    assert built.labeling_mode == "human"
    assert "ALGORITHM_SPECIFICATION_ARN" in built.mode_reason


def test_scenario_3_al_to_non_al_drops_the_algorithm() -> None:
    describe = load("image_classification_al")
    built = chain_request(describe, requested_mode="human")
    assert built.labeling_mode == "human"
    assert "LabelingJobAlgorithmsConfig" not in built.request
    assert_valid_create_request(built.request)


def test_scenario_4_al_to_al_reuses_the_final_model() -> None:
    describe = load("image_classification_al")
    built = chain_request(describe, dataset_size=3547)
    algorithms = built.request["LabelingJobAlgorithmsConfig"]
    assert built.labeling_mode == "automated"
    assert algorithms["LabelingJobAlgorithmSpecificationArn"].endswith("/image-classification")
    assert (
        algorithms["InitialActiveLearningModelArn"]
        == describe["LabelingJobOutput"]["FinalActiveLearningModelArn"]
    )


def test_al_parent_without_a_model_keeps_its_algorithm_only() -> None:
    describe = load("text_classification_al")
    built = chain_request(describe)
    assert built.labeling_mode == "automated"
    assert "InitialActiveLearningModelArn" not in built.request["LabelingJobAlgorithmsConfig"]


def test_scenario_5_third_party_labels_to_non_al_keep_the_attribute() -> None:
    describe = load("image_classification_third_party")
    built = chain_request(describe)
    assert built.request["LabelAttributeName"] == "third-party-label"
    assert built.labeling_mode == "human"


def test_scenario_6_third_party_labels_to_al() -> None:
    describe = load("image_classification_third_party")
    built = chain_request(
        describe, requested_mode="automated", algorithm_specification_arn=IMAGE_ALGORITHM, dataset_size=3450
    )
    assert built.labeling_mode == "automated"
    assert built.request["LabelAttributeName"] == "third-party-label"
    assert_valid_create_request(built.request)


# Fallbacks and errors ------------------------------------------------------------------------


def test_small_dataset_falls_back_to_human_with_the_reason() -> None:
    describe = load("image_classification_al")
    built = chain_request(describe, dataset_size=AUTOMATED_LABELING_MIN_OBJECTS - 1)
    assert built.labeling_mode == "human"
    assert "LabelingJobAlgorithmsConfig" not in built.request
    assert f"at least {AUTOMATED_LABELING_MIN_OBJECTS}" in built.mode_reason and "1249" in built.mode_reason


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("named_entity_recognition", "does not support automated labeling"),
        ("semantic_segmentation", "needs semantic-segmentation"),  # the algorithm is image classification's
    ],
)
def test_automated_labeling_the_task_cannot_use_falls_back_to_human(fixture: str, reason: str) -> None:
    describe = load(fixture)
    built = chain_request(
        describe, requested_mode="automated", algorithm_specification_arn=IMAGE_ALGORITHM, dataset_size=5000
    )
    assert built.labeling_mode == "human"
    assert reason in built.mode_reason


def test_grandchild_carries_depth_two_and_its_parent() -> None:
    describe = load("image_classification_non_al")
    child = Lineage("Streetscenes-Job1-chain-1", "Streetscenes-Job1", "Streetscenes-Job1", 1).child()
    describe["LabelingJobName"] = "Streetscenes-Job1-chain-1"
    describe["Tags"] = [*describe["Tags"], {"Key": "gtchain:depth", "Value": "1"}]
    request = build_child_request(
        LabelingJob.from_describe(describe), child=child, chained_manifest_uri=CHAINED, output_path=OUTPUT
    ).request
    assert request["LabelingJobName"] == "Streetscenes-Job1-chain-2"
    assert {"Key": "gtchain:parent", "Value": "Streetscenes-Job1-chain-1"} in request["Tags"]
    assert [t for t in request["Tags"] if t["Key"] == "gtchain:depth"] == [
        {"Key": "gtchain:depth", "Value": "2"}
    ]


def test_too_many_tags_is_a_clear_error() -> None:
    describe = load("image_classification_non_al")
    describe["Tags"] = [{"Key": f"k{i}", "Value": "v"} for i in range(49)]
    with pytest.raises(RequestBuildError, match="above SageMaker's 50"):
        chain_request(describe)


def test_description_missing_required_inputs_is_a_clear_error() -> None:
    describe = load("image_classification_non_al")
    del describe["RoleArn"]
    with pytest.raises(RequestBuildError, match="RoleArn"):
        chain_request(describe)


def test_non_s3_manifest_is_refused() -> None:
    describe = load("image_classification_non_al")
    with pytest.raises(RequestBuildError, match="must be an s3:// URI"):
        build_child_request(
            LabelingJob.from_describe(describe),
            child=child_of(describe),
            chained_manifest_uri="/tmp/x.manifest",
            output_path=OUTPUT,
        )


def test_model_validator_catches_what_param_validator_skips() -> None:
    describe = load("image_classification_non_al")
    request = chain_request(describe).request
    request["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"] = 10
    request["LabelingJobName"] = "bad_name"
    request["InputConfig"]["DataAttributes"]["ContentClassifiers"] = ["FreeOfCats"]
    problems = validate_against_model("CreateLabelingJob", request)
    assert any("NumberOfHumanWorkersPerDataObject: 10 is above the maximum 9" in p for p in problems)
    assert any("LabelingJobName: 'bad_name' does not match" in p for p in problems)
    assert any("'FreeOfCats' is not one of" in p for p in problems)
