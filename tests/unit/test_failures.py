"""domain/failures: every FailureReason of the corpus is classified as its source says."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from gtchain.runtime.domain.failures import classify_failure
from gtchain.runtime.domain.policy import Decision, decide
from gtchain.sandbox.labeling.variants import FAILURE_REASONS_CORPUS
from tests.unit.test_policy import BASE

CORPUS = [json.loads(line) for line in FAILURE_REASONS_CORPUS.read_text().splitlines()]


@pytest.mark.parametrize("entry", CORPUS, ids=[e["text"][:40] for e in CORPUS])
def test_every_corpus_text_is_classified_as_expected(entry: dict[str, Any]) -> None:
    assert entry["source"] and entry["expected"] in {"permanent", "retryable"}
    cause = classify_failure(entry["text"])
    if entry["expected"] == "retryable":
        assert cause is None, f"{entry['text']!r} would give up as {cause}"
    else:
        assert cause is not None and cause.kind == entry["kind"]


def test_an_unknown_reason_chains() -> None:
    facts = replace(BASE, status="Failed", failure_reason="ZorkError: the frobnicator is out of phase")
    assert classify_failure(facts.failure_reason) is None
    assert decide(facts).decision is Decision.CHAIN


@pytest.mark.parametrize(
    "reason",
    [
        "ClientError: the labeling job exceeded 30 days; the input manifest is invalid for a new run",
        "InternalServerError while reading the manifest: must be retried",
    ],
)
def test_a_retryable_cause_wins_over_words_any_text_may_hold(reason: str) -> None:
    assert classify_failure(reason) is None
