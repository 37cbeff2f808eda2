from __future__ import annotations

from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtchain_runtime.domain.naming import (
    MAX_JOB_NAME_LENGTH,
    InvalidJobNameError,
    chain_job_names,
    child_job_name,
    is_valid_job_name,
    owns_job_name,
)

job_names = st.from_regex(r"\A[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\Z").filter(lambda n: len(n) <= 63)


def test_short_root_gets_plain_suffix() -> None:
    assert child_job_name("Streetscenes-Job1", 1) == "Streetscenes-Job1-chain-1"
    assert child_job_name("Streetscenes-Job1", 12) == "Streetscenes-Job1-chain-12"


def test_long_root_is_cut_and_hashed_within_the_limit() -> None:
    root = "Streetscenes-" + "a" * 50
    name = child_job_name(root, 3)
    assert len(name) == MAX_JOB_NAME_LENGTH
    assert name.endswith("-chain-3")
    assert name.startswith("Streetscenes-aaaa")
    assert is_valid_job_name(name)


def test_hash_is_stable_and_separates_roots_sharing_a_long_prefix() -> None:
    common = "Project-" + "x" * 54
    first, second = common + "1", common + "2"
    assert child_job_name(first, 2) == child_job_name(first, 2)
    assert child_job_name(first, 2) != child_job_name(second, 2)
    # Job names are case-insensitive: so is the hash.
    assert child_job_name(first, 2).lower() == child_job_name(first.upper(), 2).lower()


def test_cut_never_leaves_a_trailing_hyphen_before_the_hash() -> None:
    root = "a" * 45 + "-" * 10 + "b" * 8
    assert is_valid_job_name(child_job_name(root, 1))


@pytest.mark.parametrize("root", ["", "-starts-with-hyphen", "ends-", "has_underscore", "x" * 64])
def test_invalid_root_is_rejected_with_its_name(root: str) -> None:
    with pytest.raises(InvalidJobNameError, match="not a valid labeling job name"):
        child_job_name(root, 1)


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth >= 1"):
        child_job_name("root", 0)


@given(root=job_names, depth=st.integers(min_value=1, max_value=10_000))
def test_child_name_is_always_valid_and_deterministic(root: str, depth: int) -> None:
    name = child_job_name(root, depth)
    assert is_valid_job_name(name)
    assert name == child_job_name(root, depth)
    assert name.endswith(f"-chain-{depth}")


@given(root=job_names, depth=st.integers(min_value=1, max_value=50))
def test_child_names_of_a_chain_are_distinct(root: str, depth: int) -> None:
    assert child_job_name(root, depth) != child_job_name(root, depth + 1)


def test_prefix_match_is_case_insensitive() -> None:
    assert owns_job_name("Streetscenes", "streetscenes-job1")
    assert not owns_job_name("Streetscenes", "Other-job")
    assert not owns_job_name("", "anything")


def test_chain_job_names_lists_the_root_then_each_child() -> None:
    assert list(chain_job_names("Root", 2)) == ["Root", "Root-chain-1", "Root-chain-2"]
    assert list(chain_job_names("Root", 0)) == ["Root"]
    assert list(islice(chain_job_names("Root"), 4))[-1] == "Root-chain-3"
