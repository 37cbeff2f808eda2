"""`gtchain manifest plan|consolidate|stats` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gtchain.cli.errors import CliError
from gtchain.cli.manifest_cmd import app

A = "animal"
runner = CliRunner()


def write(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def manifests(tmp_path: Path) -> tuple[Path, Path]:
    inputs = write(tmp_path / "in.manifest", {"source-ref": "s3://b/1"}, {"source-ref": "s3://b/2"})
    outputs = write(
        tmp_path / "out.manifest",
        {"source-ref": "s3://b/1", A: 1, f"{A}-metadata": {"human-annotated": "yes"}},
        {"source-ref": "s3://b/2", f"{A}-metadata": {"failure-reason": "expired"}},
    )
    return inputs, outputs


def test_plan_json(tmp_path: Path, manifests: tuple[Path, Path]) -> None:
    chained = tmp_path / "chain" / "input.manifest"
    chained.parent.mkdir()
    args = ["plan", *map(str, manifests), "--label-attribute", A, "--chained-out", str(chained), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert counts["total"] == 2 and counts["labeled"] == 1 and counts["failed"] == 1
    assert counts["remaining"] == 1 and counts["input_labeled"] == 0
    assert len(chained.read_text().splitlines()) == 2
    assert (chained.parent / "rejects.jsonl").exists()


def test_plan_summary_without_output(tmp_path: Path, manifests: tuple[Path, Path]) -> None:
    chained = tmp_path / "chained.manifest"
    args = ["plan", str(manifests[0]), "-", "-a", A, "--chained-out", str(chained), "--rejects-out"]
    result = runner.invoke(app, [*args, str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    assert "unlabeled" in result.stdout and "remaining" in result.stdout


def test_plan_errors_are_one_clear_line(tmp_path: Path, manifests: tuple[Path, Path]) -> None:
    out = str(tmp_path / "c.manifest")
    cases = [
        (["plan", str(tmp_path / "missing"), "-", "-a", A, "--chained-out", out], "no such file"),
        (["plan", str(manifests[0]), "-", "-a", "bad-metadata", "--chained-out", out], "-metadata"),
        (["plan", "s3://Bad_Bucket/k", "-", "-a", A, "--chained-out", out], "not a valid bucket name"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert isinstance(result.exception, CliError), result.output
        assert message in str(result.exception)


def test_consolidate_and_stats(tmp_path: Path, manifests: tuple[Path, Path]) -> None:
    child = write(
        tmp_path / "child.manifest",
        {"source-ref": "s3://b/2", A: 0, f"{A}-metadata": {"human-annotated": "no"}},
    )
    final, report = tmp_path / "final.manifest", tmp_path / "report.json"
    args = ["consolidate", str(manifests[1]), str(child), "-a", A, "--final-out", str(final)]
    result = runner.invoke(app, [*args, "--report-out", str(report), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["labeled"] == 2
    assert json.loads(report.read_text())["totals"]["machine_labeled"] == 1
    assert len(final.read_text().splitlines()) == 2
    readable = runner.invoke(app, args)
    assert readable.exit_code == 0 and "never resent" in readable.stdout

    stats = runner.invoke(app, ["stats", str(final), "-a", A, "--json"])
    assert json.loads(stats.stdout)["objects"] == 2
    assert runner.invoke(app, ["stats", str(final), "-a", A]).exit_code == 0


def test_console_script_prints_one_line_without_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "gtchain.cli.main", "manifest", "stats", str(tmp_path / "nope"), "-a", A],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'nope'}: no such file"]
