"""The distribution as a platform team gets it: the built wheel, alone in a fresh virtual
environment, synthesizes examples/two-projects with the real CDK CLI, and each project's
resources are the ones this repository's app.py synthesizes for the same configuration.

One wheel and one environment per test session (building and installing take about a minute);
pip's download cache keeps the dependencies offline after the first run.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gtchain_cdk.node_runtime import cdk_cli_command, node_environment
from tests.support.cdk_app import run_app, write_projects_file

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "two-projects"
EXAMPLE_STACK = "LabelingPlatform"
# The example's construct ids and the projects.py names of their configurations.
EXAMPLE_PROJECTS = {"StreetScenes": "STREET_SCENES", "Pedestrians": "PEDESTRIANS"}
EXAMPLE_ENV = {"account": "111122223333", "region": "eu-west-1"}


def _without_this_checkout(environ: dict[str, str]) -> dict[str, str]:
    # tests/conftest.py puts the checkout on PYTHONPATH: pip would then find its egg-info and
    # take gtchain as "already installed", and the app would import the checkout, not the wheel.
    return {key: value for key, value in environ.items() if key != "PYTHONPATH"}


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    kwargs["env"] = _without_this_checkout(kwargs.get("env", dict(os.environ)))
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)])
    (built,) = out.glob("gtchain-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_environment(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """bin/ of a new virtual environment holding the wheel and its dependencies, nothing else."""
    root = tmp_path_factory.mktemp("wheel-venv")
    venv.create(root, with_pip=True)
    python = root / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)])
    installed = _run([str(python), "-c", "import gtchain.cdk; print(gtchain.cdk.__file__)"], cwd=root)
    assert installed.stdout.startswith(str(root)), installed.stdout
    yield root / "bin"


def _package_folders() -> set[str]:
    """Every package of the repository, by the name it is imported as."""
    roots = {
        "gtchain": REPO / "gtchain",
        "gtchain_cdk": REPO / "stacks" / "gtchain_cdk",
        "gtchain_runtime": REPO / "lambdas" / "gtchain_runtime",
    }
    names = set()
    for name, root in roots.items():
        for init in root.rglob("__init__.py"):
            relative = init.parent.relative_to(root).parts
            if not {"__pycache__"} & set(relative):
                names.add(".".join([name, *relative]))
    return names


def test_the_wheel_ships_the_three_source_roots_packages(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top_level = {name.split("/", 1)[0] for name in names}
    dist_info = f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"
    assert top_level == {"gtchain", "gtchain_cdk", "gtchain_runtime", dist_info}
    shipped_packages = {
        name.removesuffix("/__init__.py").replace("/", ".") for name in names if name.endswith("/__init__.py")
    }
    assert shipped_packages == _package_folders(), "a package folder is missing from the wheel"
    # What the code reads at run time travels with it.
    assert "gtchain_runtime/requirements.txt" in names
    assert "gtchain/sandbox/groundtruth/failure_reasons.jsonl" in names


def _example_configs() -> dict[str, dict[str, Any]]:
    """The example's two configurations, read from its projects.py with this repository's gtchain."""
    namespace: dict[str, Any] = {}
    source = (EXAMPLE / "projects.py").read_text(encoding="utf-8")
    exec(compile(ast.parse(source), str(EXAMPLE / "projects.py"), "exec"), namespace)
    return {
        construct_id: namespace[variable].model_dump(mode="json", exclude_defaults=True)
        for construct_id, variable in EXAMPLE_PROJECTS.items()
    }


def _resources_by_path(template: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    """The template's resources under construct path ``prefix``, keyed by the path below it,
    with every reference to a logical id rewritten to that path (ids hash the full path)."""
    paths = {
        logical_id: resource["Metadata"]["aws:cdk:path"]
        for logical_id, resource in template["Resources"].items()
        if resource.get("Metadata", {}).get("aws:cdk:path", "").startswith(prefix + "/")
    }
    # Some construct ids embed the unique id of their path (e.g. Allow<EventRule unique id>):
    # the path's alphanumerics, the rest of the path, then an 8-digit hash.
    # Physical names made from it separate the parts with "-".
    unique_id = re.compile(
        "|".join(
            [
                re.escape(re.sub(r"[^A-Za-z0-9]", "", prefix)) + r"[A-Za-z0-9]*?[0-9A-F]{8}\b",
                re.escape(prefix.replace("/", "-")) + r"[A-Za-z0-9-]*?-[0-9A-F]{8}\b",
            ]
        )
    )
    relative = {
        logical_id: unique_id.sub("<unique id>", path.removeprefix(prefix + "/"))
        for logical_id, path in paths.items()
    }

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: rewrite(value) for key, value in node.items() if key != "Metadata"}
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if isinstance(node, str):
            for logical_id, path in relative.items():
                node = node.replace(logical_id, f"<{path}>")
            return unique_id.sub("<unique id>", node)
        return node

    return {relative[logical_id]: rewrite(template["Resources"][logical_id]) for logical_id in paths}


def test_the_example_app_synthesizes_from_the_wheel_alone_as_app_py_does(
    wheel_environment: Path, tmp_path: Path
) -> None:
    example_out = tmp_path / "example.out"
    env = {**os.environ, "PATH": f"{wheel_environment}{os.pathsep}{os.environ['PATH']}"}
    _run(
        cdk_cli_command("synth", "--quiet", "--output", str(example_out)),
        cwd=EXAMPLE,
        env=node_environment(env),
    )
    example = json.loads((example_out / f"{EXAMPLE_STACK}.template.json").read_text())

    configs = _example_configs()
    projects = write_projects_file(
        tmp_path / "projects.json",
        {"projects": [{**config, "env": EXAMPLE_ENV} for config in configs.values()]},
    )
    repo_out = tmp_path / "app.out"
    # The CDK CLI (which synthesized the example) asks for construct paths in the metadata.
    result = run_app(projects, repo_out, context={"aws:cdk:enable-path-metadata": True})
    assert result.returncode == 0, result.stderr[-3000:]

    for construct_id, config in configs.items():
        stack_name = f"GtChain-{config['name']}"
        ours = json.loads((repo_out / f"{stack_name}.template.json").read_text())
        expected = _resources_by_path(ours, f"{stack_name}/Chaining")
        actual = _resources_by_path(example, f"{EXAMPLE_STACK}/{construct_id}")
        assert expected, f"no resources under {stack_name}/Chaining"
        assert sorted(actual) == sorted(expected)
        for path, resource in expected.items():
            assert actual[path] == resource, f"{construct_id}/{path} differs from app.py's"
