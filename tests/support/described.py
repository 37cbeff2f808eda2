"""Labeling jobs for the tests: a DescribeLabelingJob response (a fixture or a few fields) parsed
into the value object the runtime uses (domain.labeling_job)."""

from __future__ import annotations

import copy
import json
from typing import Any

from gtchain_runtime.domain.labeling_job import LabelingJob
from tests.support.paths import DESCRIBE_FIXTURES


def fixture_describe(name: str) -> dict[str, Any]:
    """A recorded DescribeLabelingJob response of tests/fixtures/describe (a fresh copy)."""
    return copy.deepcopy(json.loads((DESCRIBE_FIXTURES / f"{name}.json").read_text()))


def described(response: dict[str, Any] | None = None, **fields: Any) -> LabelingJob:
    """The job of `response` (or of a minimal one) with `fields` set at its top level."""
    base: dict[str, Any] = {
        "LabelingJobName": "Job",
        "LabelingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/job",
        "LabelingJobStatus": "Completed",
    }
    return LabelingJob.from_describe({**base, **copy.deepcopy(response or {}), **fields})
