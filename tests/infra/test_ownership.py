"""The ownership rule of a project's job names, and the projects file's overlap check."""

from __future__ import annotations

from typing import Any

import pytest
from gtchain_runtime.domain.naming import owns_job_name

from stacks.config import ConfigError, parse_projects
from tests.infra.conftest import EXAMPLE_PROJECT, TEAM_PROJECT


@pytest.mark.parametrize(
    ("prefix", "job_name", "owned"),
    [
        ("Streetscenes", "Streetscenes-Job1", True),
        ("Streetscenes", "streetscenes-job1", True),
        ("Streetscenes", "STREETSCENES", True),
        ("Streetscenes", "streetscenes-job1-chain-3", True),
        ("Streetscenes", "StreetscenesV2-Job1", False),
        ("Streetscenes", "streetscenesv2", False),
        ("Streetscenes", "Streetscene", False),
        ("Streetscenes", "x-streetscenes-job1", False),
        # A prefix that already ends in "-" keeps owning the names that start with it.
        ("Streetscenes-", "streetscenes-job1", True),
        ("Streetscenes-", "streetscenesv2-job1", False),
        ("", "anything", False),
    ],
)
def test_owns_job_name(prefix: str, job_name: str, owned: bool) -> None:
    assert owns_job_name(prefix, job_name) is owned


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
