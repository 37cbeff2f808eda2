"""Automated data labeling's rules (automation.py, from sms-automated-labeling.html) and what
gtchain's classifier of failure reasons makes of the FailureReasons they produce."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from gtchain.sandbox.groundtruth import JobBehaviour, workforce
from gtchain.sandbox.groundtruth.validation.automation import (
    AUTOMATION_WORDINGS,
    below_minimum_reason,
    sample_fails,
    sample_failure_reason,
)
from gtchain.sandbox.groundtruth.variants import GroundTruthVariants
from gtchain_runtime.domain.failures import classify_failure
from tests.support.labeling import (
    ALGORITHM_ARN,
    create_job,
    describe,
    images,
    put_manifest,
)

AUTOMATED: dict[str, Any] = {
    "LabelingJobAlgorithmsConfig": {"LabelingJobAlgorithmSpecificationArn": ALGORITHM_ARN}
}


pytestmark = pytest.mark.usefixtures("labeling_moto")


@pytest.mark.parametrize("wording", AUTOMATION_WORDINGS)
def test_an_automated_job_under_1250_objects_fails_before_any_label(wording: str) -> None:
    workforce().set_variants(GroundTruthVariants(automation_failure_wording=wording))
    create_job("Auto-Small", put_manifest("inputs/m.manifest", images(1249)), **AUTOMATED)

    workforce().run_until_idle()

    job = describe("Auto-Small")
    assert job["LabelingJobStatus"] == "Failed"
    assert job["FailureReason"] == below_minimum_reason(1249, wording)
    assert job["LabelCounters"]["HumanLabeled"] == 0


def test_an_automated_job_of_exactly_1250_objects_runs() -> None:
    create_job("Auto-Enough", put_manifest("inputs/m.manifest", images(1250)), **AUTOMATED)

    workforce().run_until_idle()

    assert describe("Auto-Enough")["LabelingJobStatus"] == "Completed"


def test_under_create_refuses_the_minimum_is_a_validation_exception() -> None:
    workforce().set_variants(GroundTruthVariants(manifest_errors="create-refuses"))

    with pytest.raises(ClientError) as caught:
        create_job("Auto-Refused", put_manifest("inputs/m.manifest", images(30)), **AUTOMATED)

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "1,250" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("failed", "sample", "fails"), [(0, 20, False), (2, 20, False), (3, 20, True), (1, 0, False)]
)
def test_more_than_ten_percent_of_the_sample_fails_the_job(failed: int, sample: int, fails: bool) -> None:
    assert sample_fails(failed, sample) is fails


def test_a_sample_with_too_many_failures_fails_the_job_once_the_sample_is_done() -> None:
    # 40 objects, 50% sent to humans first; 30% of all objects fail, most of them in the sample.
    workforce().configure(
        "auto-*",
        JobBehaviour(automation_min_objects=10, human_validation_share=0.5, object_failure_share=0.3, pace=5),
    )
    create_job("Auto-Sample", put_manifest("inputs/m.manifest", images(40)), **AUTOMATED)

    workforce().run_until_idle()

    job = describe("Auto-Sample")
    assert job["LabelingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith(
        "ClientError: More than 10% of the data objects sent to human workers"
    )
    assert job["LabelCounters"]["MachineLabeled"] == 0


def test_a_sample_without_failures_goes_on_to_machine_labels() -> None:
    workforce().configure("auto-*", JobBehaviour(automation_min_objects=10, human_validation_share=0.5))
    create_job("Auto-Fine", put_manifest("inputs/m.manifest", images(40)), **AUTOMATED)

    workforce().run_until_idle()

    job = describe("Auto-Fine")
    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"]["MachineLabeled"] == 20


# -- what gtchain's runtime does with these FailureReasons (domain/failures.py) ---------------


@pytest.mark.parametrize("wording", AUTOMATION_WORDINGS)
def test_the_runtime_gives_up_on_the_minimum_naming_the_rule(wording: str) -> None:
    cause = classify_failure(below_minimum_reason(300, wording))

    assert cause is not None and cause.kind == "automated labeling minimum"
    assert "1,250" in cause.fix and "LabelingJobAlgorithmsConfig" in cause.fix


@pytest.mark.parametrize("wording", AUTOMATION_WORDINGS)
def test_the_runtime_gives_up_on_a_failed_human_sample_with_what_to_check(wording: str) -> None:
    # A chained job would send the failed objects to paid workers again under the same task
    # setup; the page's own advice is to check that setup first.
    cause = classify_failure(sample_failure_reason(5, 20, wording))

    assert cause is not None and cause.kind == "automated labeling sample"
    assert "worker UI" in cause.fix and "TaskTimeLimitInSeconds" in cause.fix
