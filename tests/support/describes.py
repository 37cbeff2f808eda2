"""DescribeLabelingJob fixtures (tests/fixtures/describe) and the chained request built from them."""

from __future__ import annotations

import copy
import json
from typing import Any

from botocore.validate import ParamValidator

from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.lineage import Lineage, lineage_from_tags
from gtchain_runtime.domain.requests import ChildRequest, build_child_request
from gtchain_runtime.domain.service_model import input_shape, validate_against_model
from tests.support.paths import DESCRIBE_FIXTURES

FIXTURES = DESCRIBE_FIXTURES
ALL_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.json"))
CHAINED = "s3://gtchain-streetscenes-data/chains/root/root-chain-1/input.manifest"
OUTPUT = "s3://gtchain-streetscenes-data/jobs/"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def child_of(describe: dict[str, Any]) -> Lineage:
    return lineage_from_tags(describe["LabelingJobName"], {}).child()


def chain_request(describe: dict[str, Any], **options: Any) -> ChildRequest:
    """The first child of `describe`, with the chained manifest and output path every test uses."""
    return build_child_request(
        LabelingJob.from_describe(describe),
        child=child_of(describe),
        chained_manifest_uri=CHAINED,
        output_path=OUTPUT,
        **options,
    )


def assert_valid_create_request(request: dict[str, Any]) -> None:
    report = ParamValidator().validate(request, input_shape("CreateLabelingJob"))
    assert not report.has_errors(), report.generate_report()
    assert validate_against_model("CreateLabelingJob", request) == []
    # The sandbox's validator checks the same requests in the sandbox tier
    # (tests/sandbox/test_runtime_meets_the_emulator.py): the unit tier never imports the emulator.


def with_service_empties(describe: dict[str, Any]) -> dict[str, Any]:
    """`describe` with the empty values the service fills into a Describe response."""
    filled = copy.deepcopy(describe)
    filled["OutputConfig"].setdefault("KmsKeyId", "")
    filled.setdefault("Tags", [])
    filled.setdefault("StoppingConditions", {})
    filled["InputConfig"].setdefault("DataAttributes", {}).setdefault("ContentClassifiers", [])
    human = filled["HumanTaskConfig"]
    ui = human.setdefault("UiConfig", {})
    for member in ("UiTemplateS3Uri", "HumanTaskUiArn"):
        ui.setdefault(member, "")
    human.setdefault("TaskKeywords", [])
    if "LabelingJobAlgorithmsConfig" in filled:
        filled["LabelingJobAlgorithmsConfig"].setdefault("LabelingJobResourceConfig", {}).setdefault(
            "VolumeKmsKeyId", ""
        )
    return filled
