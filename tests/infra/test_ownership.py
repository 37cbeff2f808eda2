"""The projects file under the ownership rule: prefixes, overlaps, one rule for stack and runtime."""

from __future__ import annotations

from typing import Any

import pytest

import gtchain_cdk.config
from gtchain_cdk.config import ConfigError, parse_projects
from gtchain_runtime.domain.naming import owns_job_name
from tests.support.synth import EXAMPLE_PROJECT, TEAM_PROJECT


def test_the_stack_uses_the_runtimes_ownership_rule() -> None:
    # The rule's cases are in tests/unit/test_ownership.py; the config, the event rule and IAM
    # import this one function.

    assert gtchain_cdk.config.owns_job_name is owns_job_name


def test_a_prefix_ending_in_a_hyphen_is_still_accepted() -> None:
    (project,) = parse_projects({"projects": [{**EXAMPLE_PROJECT, "job_name_prefix": "Streetscenes-"}]})
    assert project.job_name_prefix == "Streetscenes-"
    assert owns_job_name(project.job_name_prefix, "streetscenes-job1")
    assert not owns_job_name(project.job_name_prefix, "StreetscenesV2-Job1")


def _with_prefixes(first: str, second: str) -> dict[str, Any]:
    return {
        "projects": [
            {**EXAMPLE_PROJECT, "job_name_prefix": first},
            {**TEAM_PROJECT, "job_name_prefix": second},
        ]
    }


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Streetscenes", "StreetscenesV2"),
        ("StreetscenesV2", "Streetscenes"),
        ("ab", "abc-d"),
        ("Streetscenes", "Street"),
    ],
)
def test_prefixes_that_share_no_job_name_do_not_overlap(first: str, second: str) -> None:
    projects = parse_projects(_with_prefixes(first, second))
    assert [p.job_name_prefix for p in projects] == [first, second]


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("streetscenes", "streetscenes-eu", "job_name_prefix 'streetscenes' overlaps 'streetscenes-eu'"),
        ("Streetscenes-EU", "streetscenes", "job_name_prefix 'streetscenes' overlaps 'streetscenes-eu'"),
        ("Streetscenes", "STREETSCENES", "job_name_prefix 'streetscenes' overlaps 'streetscenes'"),
        ("a", "a--b", "job_name_prefix 'a' overlaps 'a--b'"),
    ],
)
def test_prefixes_that_share_a_job_name_overlap(first: str, second: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_projects(_with_prefixes(first, second))


def test_overlap_is_found_between_any_two_projects() -> None:
    third = {**EXAMPLE_PROJECT, "name": "third", "job_name_prefix": "Ped-Count-Eu"}
    raw = _with_prefixes("Streetscenes", "Ped")
    raw["projects"][1] = {**TEAM_PROJECT, "job_name_prefix": "Ped"}
    raw["projects"].append({**third, "job_name_prefix": "PedV2"})
    raw["projects"].append({**third, "name": "fourth", "job_name_prefix": "Ped-Count-Eu"})
    with pytest.raises(ConfigError, match="job_name_prefix 'ped' overlaps 'ped-count-eu'"):
        parse_projects(raw)
