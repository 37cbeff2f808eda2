"""domain/failures: every FailureReason of the corpus is read by the rule its entry names, the
default for an unknown reason is explicit, and reading is robust to any text."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtchain_runtime.domain.failures import (
    NO_REASON,
    RULES,
    UNKNOWN_REASON,
    classify_failure,
    read_failure,
)
from gtchain_runtime.domain.policy import Decision, decide
from tests.support.failure_corpus import CORPUS
from tests.support.policy import POLICY_BASE as BASE

ORIGINS = {
    "labeling-job FailureReason",
    "other SageMaker FailureReason",
    "console error",
    "documentation",
    "paraphrase",
    "sandbox",
    "gtchain default",
}
# Rules no text of the corpus reaches yet (no public source found one), each with a text of ours
# that must still be read by it; a new rule needs a corpus text or an entry here.
TEXTS_OF_RULES_WITHOUT_CORPUS_TEXT = {
    "capacity": "ResourceLimitExceeded: insufficient capacity to start the labeling job",
    "timeout": "The request timed out while the job was reading its input",
    "template": "ClientError: the worker task template failed to render",
    "validation": "ValidationException: 1 validation error detected in HumanTaskConfig",
    "no reason given": "",
}
WHITESPACE_RUNS = st.sampled_from([" ", "  ", "\t", "\n", " \r\n ", "\u00a0"])


@pytest.mark.parametrize("entry", CORPUS, ids=[f"{i}:{e['text'][:40]}" for i, e in enumerate(CORPUS)])
def test_every_corpus_text_is_read_by_the_rule_its_entry_names(entry: dict[str, Any]) -> None:
    assert entry["source"] and entry["note"] and entry["origin"] in ORIGINS
    assert isinstance(entry["verbatim"], bool) and entry["rule"] in RULES
    reading = read_failure(entry["text"])
    assert reading.rule == entry["rule"], f"{entry['text']!r} was read by {reading.rule!r}"
    if entry["expected"] == "retryable":
        assert reading.retryable, f"{entry['text']!r} would give up as {reading.cause}"
    else:
        assert entry["expected"] == "permanent"
        assert reading.cause is not None and reading.cause.kind == entry["kind"]


def test_the_corpus_holds_verbatim_texts_and_the_30_day_limit() -> None:
    assert sum(entry["verbatim"] for entry in CORPUS) >= 10
    assert any(entry["rule"] == "time limit" and entry["verbatim"] for entry in CORPUS)


def test_every_rule_has_a_corpus_text_or_a_text_of_ours() -> None:
    with_text = {entry["rule"] for entry in CORPUS}
    without_text = set(TEXTS_OF_RULES_WITHOUT_CORPUS_TEXT)
    assert without_text <= set(RULES), f"rules that do not exist: {without_text - set(RULES)}"
    both = with_text & without_text
    assert not both, f"listed as without a corpus text, yet in it: {both}"
    missing = [rule for rule in RULES if rule not in with_text | without_text]
    assert not missing, f"rules with neither a corpus text nor a text of ours: {missing}"


@pytest.mark.parametrize(("rule", "text"), TEXTS_OF_RULES_WITHOUT_CORPUS_TEXT.items())
def test_rules_without_a_corpus_text_read_our_text(rule: str, text: str) -> None:
    assert read_failure(text).rule == rule


def test_an_unknown_reason_chains_and_says_so() -> None:
    facts = replace(BASE, status="Failed", failure_reason="ZorkError: the frobnicator is out of phase")
    assert read_failure(facts.failure_reason).rule == UNKNOWN_REASON
    assert classify_failure(facts.failure_reason) is None
    verdict = decide(facts)
    assert verdict.decision is Decision.CHAIN
    assert f"failure rule '{UNKNOWN_REASON}'" in verdict.reason


@pytest.mark.parametrize("reason", [None, "", "  \n\t "])
def test_no_reason_chains_under_its_own_rule(reason: str | None) -> None:
    assert read_failure(reason).rule == NO_REASON and read_failure(reason).retryable


def test_a_permanent_failure_names_its_rule() -> None:
    reason = "ClientError: SageMaker was unable to assume the role 'arn:aws:iam::111122223333:role/x'"
    verdict = decide(replace(BASE, status="Failed", failure_reason=reason))
    assert verdict.decision is Decision.GIVE_UP and "failure rule 'role'" in verdict.reason


@pytest.mark.parametrize(
    "reason",
    [
        "ClientError: the labeling job exceeded 30 days; the input manifest is invalid for a new run",
        "InternalServerError while reading the manifest: must be retried",
        "ThrottlingException: Rate exceeded while checking the role's permissions",
    ],
)
def test_a_retryable_cause_wins_over_words_any_text_may_hold(reason: str) -> None:
    assert classify_failure(reason) is None


@given(st.text())
def test_any_text_is_read_without_error_by_a_named_rule(text: str) -> None:
    reading = read_failure(text)
    assert reading.rule in RULES
    assert reading.retryable == (reading.cause is None)


@given(st.data())
def test_reading_ignores_case_and_whitespace(data: st.DataObject) -> None:
    entry = data.draw(st.sampled_from(CORPUS))
    flips = data.draw(st.lists(st.booleans(), min_size=len(entry["text"]), max_size=len(entry["text"])))
    recased = "".join(c.swapcase() if flip else c for c, flip in zip(entry["text"], flips, strict=True))
    words = recased.split(" ")
    spaced = words[0] + "".join(data.draw(WHITESPACE_RUNS) + word for word in words[1:])
    padded = data.draw(WHITESPACE_RUNS) + spaced + data.draw(WHITESPACE_RUNS)
    assert read_failure(padded).rule == entry["rule"]


@given(st.text(), st.text(), st.sampled_from(["30 days", "InternalServerError", "Rate exceeded"]))
def test_a_retryable_marker_anywhere_chains(before: str, after: str, marker: str) -> None:
    assert read_failure(f"{before} {marker} {after}").retryable
