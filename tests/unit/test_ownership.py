"""Ownership: a job is the project's by its name; a chained job by the ledger's record of its parent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtchain_runtime.domain.lineage import Lineage, unrecorded_lineage
from gtchain_runtime.domain.naming import ownership_rule, owns_job_name


@pytest.mark.parametrize(
    ("prefix", "job_name", "owned"),
    [
        ("Streetscenes", "Streetscenes", True),
        ("Streetscenes", "Streetscenes-Job1", True),
        ("Streetscenes", "streetscenes-job1", True),
        ("streetscenes", "STREETSCENES-JOB1-chain-2", True),
        ("Streetscenes", "StreetscenesV2-Job1", False),
        ("Streetscenes", "Streetscenes2", False),
        ("Streetscenes", "Street", False),
        ("Streetscenes", "Other-Streetscenes-Job1", False),
        ("Team-", "Team-x", True),
        ("Team-", "team-X-1", True),
        ("Team-", "TeamB-x", False),
        ("", "anything", False),
    ],
)
def test_a_job_is_the_projects_by_prefix_then_dash_or_end(prefix: str, job_name: str, owned: bool) -> None:
    assert owns_job_name(prefix, job_name) is owned


@given(
    prefix=st.from_regex(r"\A[a-zA-Z0-9]{1,20}\Z"),
    rest=st.from_regex(r"\A[a-zA-Z0-9]{1,20}\Z"),
)
def test_a_longer_word_is_never_owned_and_a_dash_always_is(prefix: str, rest: str) -> None:
    assert not owns_job_name(prefix, prefix + rest)
    assert owns_job_name(prefix, f"{prefix}-{rest}")
    assert owns_job_name(prefix.upper(), f"{prefix.lower()}-{rest}")


def test_the_rule_is_stated_for_refusals() -> None:
    assert ownership_rule("Streetscenes") == (
        "its name must be 'Streetscenes' or start with 'Streetscenes-' (case-insensitive)"
    )
    assert ownership_rule("Team-") == "its name must start with 'Team-' (case-insensitive)"


CHILD = Lineage(
    job_name="Streetscenes-Job1-chain-1", root="Streetscenes-Job1", parent="Streetscenes-Job1", depth=1
)


def test_a_root_needs_no_ledger() -> None:
    root = Lineage(job_name="Streetscenes-Job1", root="Streetscenes-Job1", parent=None, depth=0)
    assert unrecorded_lineage(root, None) is None


def test_a_child_is_ours_when_the_ledger_records_it_for_its_parent_case_insensitively() -> None:
    assert unrecorded_lineage(CHILD, "streetscenes-job1-chain-1") is None


@pytest.mark.parametrize(
    ("recorded", "says"),
    [("Streetscenes-Job1-chain-9", "records child Streetscenes-Job1-chain-9"), (None, "records no child")],
)
def test_forged_tags_are_not_trusted(recorded: str | None, says: str) -> None:
    reason = unrecorded_lineage(CHILD, recorded)
    assert reason is not None and says in reason and "did not create it" in reason
