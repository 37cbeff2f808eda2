"""Where the runtime and the emulator meet without sharing code: the chained requests the runtime
builds pass the emulator's validation, and the texts the emulator fails a job with are the
corpus texts the runtime's failure rules are tested on (tests/unit/test_failures.py)."""

from __future__ import annotations

import pytest

from gtchain.sandbox.groundtruth.validation.automation import (
    AUTOMATION_WORDINGS,
    below_minimum_reason,
    sample_failure_reason,
)
from gtchain.sandbox.groundtruth.validation.requests import constraint_violations
from gtchain_runtime.domain.service_model import input_shape
from tests.support.describes import ALL_FIXTURES, chain_request, load, with_service_empties
from tests.support.failure_corpus import CORPUS


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
@pytest.mark.parametrize("filled", [False, True], ids=["as-described", "service-empties"])
def test_every_chained_request_passes_the_emulators_validation(fixture: str, filled: bool) -> None:
    """The emulator walks the model with the `regex` dialect (the model's Java-style patterns,
    which the runtime's `re` only approximates)."""
    describe = with_service_empties(load(fixture)) if filled else load(fixture)
    request = chain_request(describe).request
    assert list(constraint_violations(input_shape("CreateLabelingJob"), request)) == []


@pytest.mark.parametrize("wording", AUTOMATION_WORDINGS)
def test_the_emulators_automated_labeling_texts_are_in_the_corpus(wording: str) -> None:
    texts = {entry["text"]: entry["rule"] for entry in CORPUS}
    assert texts.get(below_minimum_reason(1000, wording)) == "automated labeling minimum"
    assert texts.get(sample_failure_reason(15, 100, wording)) == "automated labeling sample"
