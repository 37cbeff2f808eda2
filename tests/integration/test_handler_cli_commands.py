"""`gtchain job plan|resume` and `gtchain chain status` on the shared service code, against moto."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gtchain.cli import chain_cmd, job_cmd, main
from gtchain.cli.main import _cli as gtchain
from gtchain_runtime.handlers.observability import chain_context
from tests.support.handler_env import FIXTURES, ProjectAws

ROOT = "Streetscenes-Job1"
runner = CliRunner()


@pytest.fixture
def stopped_root(project_aws: ProjectAws, monkeypatch: pytest.MonkeyPatch) -> ProjectAws:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    for module in (job_cmd, chain_cmd):
        monkeypatch.setattr(module, "context_for", lambda stack: chain_context())
    workforce().configure(ROOT, JobBehaviour(stop_after=12))
    project_aws.create_root_job(ROOT, 20)
    workforce().run_until_idle()
    return project_aws


def test_plan_then_resume_then_status(stopped_root: ProjectAws) -> None:
    planned = runner.invoke(gtchain, ["job", "plan", ROOT, "--json"])
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.output)["decision"] == "CHAIN"

    resumed = runner.invoke(gtchain, ["job", "resume", ROOT, "--json"])
    assert resumed.exit_code == 0, resumed.output
    outcome = json.loads(resumed.output)
    assert outcome["child"]["created"] is True and outcome["record"]["recorded"] is True

    status = runner.invoke(gtchain, ["chain", "status", f"{ROOT}-chain-1", "--json"])
    assert status.exit_code == 0, status.output
    links = json.loads(status.output)["jobs"]  # {"jobs", "total"} since the cost figures
    assert [(link["job_name"], link["depth"]) for link in links] == [(ROOT, 0), (f"{ROOT}-chain-1", 1)]
    assert links[0]["decision"] == "CHAIN"

    tree = runner.invoke(gtchain, ["chain", "status", ROOT])
    assert tree.exit_code == 0 and f"{ROOT}-chain-1" in tree.output


def test_chain_report_writes_the_page_of_a_running_chain(stopped_root: ProjectAws, tmp_path: Path) -> None:
    assert runner.invoke(gtchain, ["job", "resume", ROOT]).exit_code == 0
    out = tmp_path / "report.html"
    written = runner.invoke(gtchain, ["chain", "report", ROOT, "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert written.output.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    # The root's 12 human labels of 20 (the widest bar: 1000 wide), then its child that has not
    # started labeling; no final manifest yet.
    assert 'width="600.0" height="28" fill="#0072B2" data-category="human" data-count="12"' in page
    assert 'data-category="unlabeled" data-count="8"' in page
    assert f"{ROOT}-chain-1</text>" in page and "no objects counted yet" in page
    assert "Not finished yet" in page and "gtchain: CHAIN" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["chain", "report", "Streetscenes-Nope"], "error: labeling job Streetscenes-Nope does not exist"),
        (
            ["chain", "report", ROOT, "--out", "/nonexistent-dir/report.html"],
            "error: cannot write the report to /nonexistent-dir/report.html: No such file or directory",
        ),
    ],
)
def test_chain_report_fails_in_one_line(
    stopped_root: ProjectAws,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setattr(sys, "argv", ["gtchain", *args])
    with pytest.raises(SystemExit) as exited:
        main.app()
    assert exited.value.code != 0
    assert capsys.readouterr().err.splitlines() == [message]


def test_request_command_is_offline_and_validates_its_input(tmp_path: Path) -> None:
    result = runner.invoke(
        job_cmd.app,
        [
            "request",
            "--describe",
            str(FIXTURES / "image_classification_al.json"),
            "--chained-manifest",
            "s3://b/chains/x/input.manifest",
            "--mode",
            "human",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    request = json.loads(result.output)
    assert "LabelingJobAlgorithmsConfig" not in request
    assert request["OutputConfig"]["S3OutputPath"] == "s3://b/jobs/"

    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    failed = runner.invoke(job_cmd.app, ["request", "--describe", str(bad), "--chained-manifest", "s3://b/k"])
    assert failed.exit_code != 0
    assert "not a DescribeLabelingJob response" in str(failed.exception)
