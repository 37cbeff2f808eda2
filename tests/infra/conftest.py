"""The infra tier: one synth per test session (per xdist worker), shared by every module."""

from __future__ import annotations

import os
from collections.abc import Iterator

# Before the jsii runtime starts (tests/conftest.py has chosen its Node): skip CDK's built-in
# template validation (seconds per synth); the app.py subprocess test keeps it on.
os.environ.setdefault("CDK_VALIDATION", "false")

import pytest

from gtchain_cdk.config import parse_projects
from tests.support.project_aws import project_aws
from tests.support.synth import PROJECTS_RAW, Synthesized, synthesize

__all__ = ["project_aws", "synthesized"]


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    yield synthesize(tmp_path_factory.mktemp("cdk-out"), parse_projects(PROJECTS_RAW, source="test projects"))
