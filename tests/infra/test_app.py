"""app.py end to end (a subprocess, like the CDK CLI runs it), and the layer cache key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gtchain_cdk.bundling import build_layer_cache, layer_cache_key
from tests.support.cdk_app import run_app, write_projects_file
from tests.support.synth import EXAMPLE_PROJECT, TEAM_PROJECT


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"projects": [{**EXAMPLE_PROJECT, "job_name_prefix": "bad_prefix"}]},
            "projects[0].job_name_prefix: 'bad_prefix' does not match",
        ),
        (
            {"projects": [{**EXAMPLE_PROJECT, "policy": {"labeling_mode": "automated"}}]},
            "projects[0].policy: labeling_mode 'automated' needs algorithm_specification_arn",
        ),
        ({"projects": []}, "projects: needs at least 1 entry, found none"),
        (
            {"projects": [EXAMPLE_PROJECT, {**TEAM_PROJECT, "job_name_prefix": "streetscenes-eu"}]},
            "job_name_prefix 'streetscenes' overlaps 'streetscenes-eu'",
        ),
    ],
)
def test_config_error_fails_synth_with_one_clear_line(tmp_path: Path, raw: Any, expected: str) -> None:
    result = run_app(write_projects_file(tmp_path / "projects.json", raw), tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gtchain: configuration error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_missing_projects_file_is_named(tmp_path: Path) -> None:
    result = run_app(tmp_path / "nowhere.json", tmp_path / "out")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"gtchain: configuration error: {tmp_path / 'nowhere.json'}: projects file not found"
    )


def test_app_synthesizes_one_nag_clean_template_per_project(tmp_path: Path) -> None:
    projects = write_projects_file(tmp_path / "projects.json", {"projects": [EXAMPLE_PROJECT, TEAM_PROJECT]})
    outdir = tmp_path / "out"
    result = run_app(projects, outdir)
    # cdk-nag runs as a policy-validation plugin: any unacknowledged finding fails synth.
    assert result.returncode == 0, result.stderr[-3000:]
    templates = sorted(p.name for p in outdir.glob("*.template.json"))
    assert templates == ["GtChain-pedestrians.template.json", "GtChain-streetscenes.template.json"]
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert {"GtChain-streetscenes", "GtChain-pedestrians"} <= set(manifest["artifacts"])


def test_layer_cache_key_follows_the_requirements(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text("orjson==3.13.0\n")
    second = tmp_path / "b.txt"
    second.write_text("orjson==3.13.0\n")
    assert layer_cache_key(first) == layer_cache_key(second)
    second.write_text("orjson==3.13.1\n")
    assert layer_cache_key(first) != layer_cache_key(second)


def test_layer_ships_the_native_decoders_for_the_lambda_architecture() -> None:
    # orjson and msgspec make the manifest engine fast; a wheel for the build machine's CPU
    # would fail to import on Graviton and leave the Lambdas on the slow stdlib fallback.
    packages = build_layer_cache() / "python"
    for package in ("orjson", "msgspec", "pydantic_core"):
        extensions = [p.name for p in (packages / package).glob("*.so")]
        assert extensions, f"{package}: no compiled extension in the layer"
        assert all("cpython-312-aarch64-linux-gnu" in name for name in extensions), extensions
