"""cfn-lint on every synthesized template: no errors."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import ManualArgs, lint

from tests.support.synth import Synthesized


@pytest.mark.parametrize("project", ["streetscenes", "pedestrians"])
def test_template_has_no_cfn_lint_errors(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    region = synthesized.projects[project].env.region or "us-east-1"
    matches = lint(json.dumps(template), config=ManualArgs(regions=[region]))
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert errors == [], "\n".join(f"{m.rule.id} {m.path}: {m.message}" for m in errors)


def test_every_template_of_the_assembly_is_linted(synthesized: Synthesized) -> None:
    on_disk = {path.name for path in synthesized.outdir.glob("*.template.json")}
    assert on_disk == {f"GtChain-{project}.template.json" for project in synthesized.templates}
