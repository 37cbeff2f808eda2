"""cdk-nag 3 (AwsSolutions + Serverless): zero unacknowledged findings, and every
acknowledgment names a finding that really exists, with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from constructs import IConstruct

from gtchain_cdk.config import parse_projects
from tests.support.nag import Finding, nag_findings
from tests.support.synth import PROJECTS_RAW, Synthesized, synthesize

FINDING_ID = re.compile(r"^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[(Resource|Action)::.+\])?$")


@dataclass(frozen=True)
class RecordedAcknowledgment:
    scope_path: str
    finding_id: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        inside = finding.construct_path == self.scope_path or finding.construct_path.startswith(
            f"{self.scope_path}/"
        )
        return inside and finding.rule == self.finding_id


class _RecordingValidations:
    """Stands in for aws_cdk.Validations: records acknowledgments instead of applying them."""

    recorded: list[RecordedAcknowledgment] = []

    def __init__(self, scope: IConstruct) -> None:
        self._scope = scope

    @classmethod
    def of(cls, scope: IConstruct) -> _RecordingValidations:
        return cls(scope)

    def acknowledge(self, *rules: Any) -> None:
        for rule in rules:
            self.recorded.append(RecordedAcknowledgment(self._scope.node.path, rule.id, rule.reason))


@pytest.fixture(scope="module")
def unacknowledged(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Finding], list[RecordedAcknowledgment]]:
    """The same app synthesized with every acknowledgment recorded but not applied."""
    _RecordingValidations.recorded = []
    with mock.patch("gtchain_cdk.nag.Validations", _RecordingValidations):
        result = synthesize(Path(tmp_path_factory.mktemp("nag-raw")), parse_projects(PROJECTS_RAW))
    return nag_findings(result.app), list(_RecordingValidations.recorded)


def test_no_unacknowledged_findings(synthesized: Synthesized) -> None:
    findings = nag_findings(synthesized.app)
    assert findings == [], "\n".join(f"{f.rule} at {f.construct_path}" for f in findings)


def test_acknowledgments_are_well_formed_with_reasons(
    unacknowledged: tuple[list[Finding], list[RecordedAcknowledgment]],
) -> None:
    _, acknowledgments = unacknowledged
    assert acknowledgments, "the recording patch saw no acknowledgment"
    for ack in acknowledgments:
        assert FINDING_ID.match(ack.finding_id), ack.finding_id
        assert len(ack.reason) >= 40, f"{ack.finding_id}: reason too short: {ack.reason!r}"


def test_every_acknowledgment_names_an_existing_finding(
    unacknowledged: tuple[list[Finding], list[RecordedAcknowledgment]],
) -> None:
    findings, acknowledgments = unacknowledged
    stale = [a for a in acknowledgments if not any(a.covers(f) for f in findings)]
    assert stale == [], "acknowledged but not found: " + ", ".join(
        f"{a.finding_id} at {a.scope_path}" for a in stale
    )


def test_every_finding_is_acknowledged(
    unacknowledged: tuple[list[Finding], list[RecordedAcknowledgment]],
) -> None:
    findings, acknowledgments = unacknowledged
    assert findings, "without acknowledgments the packs must report something: are they running?"
    uncovered = [f for f in findings if not any(a.covers(f) for a in acknowledgments)]
    assert uncovered == []
