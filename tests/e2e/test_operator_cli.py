"""The operator CLI against the deployed stack: settings read from the stack, same code path."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gtchain.cli.main import _cli
from gtchain.demo.runner import ScenarioResult, ScenarioRunner
from gtchain.sandbox import Sandbox

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli(sandbox: Sandbox, deployed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    stack = deployed["project"].stack_name

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(_cli, [*args, "--stack", stack])

    return invoke


def chain_objects(runner: ScenarioRunner, sandbox: Sandbox, root: str) -> list[str]:
    listed = sandbox.client("s3").list_objects_v2(Bucket=runner.bucket, Prefix=f"chains/{root}/")
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_chain_status_shows_the_lineage_with_decisions(cli: Any, played: dict[str, ScenarioResult]) -> None:
    root = played["streetscenes"].root_job
    result = cli("chain", "status", f"{root}-chain-1", "--json")
    assert result.exit_code == 0, result.output
    links = json.loads(result.output)["jobs"]
    assert [(link["job_name"], link["decision"]) for link in links] == [
        (root, "CHAIN"),
        (f"{root}-chain-1", "COMPLETE"),
    ]


def test_chain_report_draws_the_same_bars_as_the_page_finalize_wrote(
    cli: Any, played: dict[str, ScenarioResult], runner: ScenarioRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    root = played["streetscenes"].root_job
    out = tmp_path / "report.html"
    result = cli("chain", "report", f"{root}-chain-1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    key = f"chains/{root}/final/report.html"
    finalized = sandbox.client("s3").get_object(Bucket=runner.bucket, Key=key)["Body"].read().decode()
    # The seed: 1,000 labels by people then 2,547 more with those 1,000 inherited, all in the final
    # manifest; the CLI's page and Finalize's page draw the same bars.
    bars = re.findall(r'data-category="(\w+)" data-count="(\d+)"', page)
    assert bars == [("human", "1000"), ("unlabeled", "2547"), ("human", "2547"), ("inherited", "1000")]
    assert re.findall(r'data-category="(\w+)" data-count="(\d+)"', finalized) == bars
    assert "Finished." in page and "3,547 / 3,547" in page and f"chains/{root}/final/output.manifest" in page


def test_job_plan_is_a_dry_run(
    cli: Any, played: dict[str, ScenarioResult], runner: ScenarioRunner, sandbox: Sandbox
) -> None:
    root = played["streetscenes"].root_job
    before = chain_objects(runner, sandbox, root)
    result = cli("job", "plan", root, "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["decision"] == "CHAIN"
    assert plan["counts"]["labeled"] == 1000
    assert plan["counts"]["remaining"] == 3547 - 1000
    assert chain_objects(runner, sandbox, root) == before


def test_job_resume_of_a_chained_job_creates_no_twin(
    cli: Any, played: dict[str, ScenarioResult], sandbox: Sandbox
) -> None:
    root = played["streetscenes"].root_job
    result = cli("job", "resume", root, "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["child"]["child_name"] == f"{root}-chain-1"
    assert outcome["child"]["created"] is False
    listed = sandbox.client("sagemaker").list_labeling_jobs(NameContains=root)["LabelingJobSummaryList"]
    assert sorted(job["LabelingJobName"] for job in listed) == [root, f"{root}-chain-1"]


def test_unknown_job_is_one_clear_error_line(sandbox: Sandbox, deployed: dict[str, Any]) -> None:
    # The console script itself (not CliRunner, which would swallow a traceback).
    completed = subprocess.run(
        [sys.executable, "-m", "gtchain.cli.main", "job", "plan", "Streetscenes-No-Such-Job"],
        env={**os.environ, **sandbox.env, "GTCHAIN_STACK": deployed["project"].stack_name},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode != 0
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert completed.stderr.startswith("error: ") and "Streetscenes-No-Such-Job" in completed.stderr
