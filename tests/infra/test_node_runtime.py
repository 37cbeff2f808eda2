"""The CDK CLI and every jsii runtime run on the pinned, supported Node, not the machine's Node 20.

Each Node is identified by the binary of the running process (/proc), then asked its version.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk  # noqa: F401 - starts this test process's jsii runtime, as the infra tier's synths do

from gtchain_cdk.node_runtime import (
    APP_ROOT,
    PINNED_NODE_PACKAGE,
    cdk_cli_command,
    node_environment,
    project_node,
)
from tests.support import node_probe
from tests.support.node_probe import jsii_runtime_node, node_version

# Node 20 is end of life; 22 is maintained until 2027-04-30, 24 (LTS) until 2028-04-30.
OLDEST_SUPPORTED_NODE_MAJOR = 22


def pinned_node_version() -> str:
    """The Node version package-lock.json pins, as ``node --version`` prints it."""
    lock = json.loads((APP_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    entry = lock["packages"].get(f"node_modules/{PINNED_NODE_PACKAGE}")
    assert entry, f"package-lock.json pins no {PINNED_NODE_PACKAGE}"
    return f"v{entry['version']}"


def major(version: str) -> int:
    return int(version.removeprefix("v").split(".")[0])


def test_pinned_node_is_a_supported_major() -> None:
    assert major(pinned_node_version()) >= OLDEST_SUPPORTED_NODE_MAJOR


def test_project_node_is_the_pinned_version() -> None:
    assert node_version(project_node()) == pinned_node_version()


def test_this_test_process_jsii_runs_on_the_pinned_node() -> None:
    assert node_version(jsii_runtime_node()) == pinned_node_version()


def test_cdk_cli_and_the_app_it_starts_run_on_the_pinned_node(tmp_path: Path) -> None:
    # Exactly as the sandbox's deploy starts the CLI; the app reports both Nodes.
    (tmp_path / "cdk.json").write_text(
        json.dumps({"app": f"{sys.executable} -m {node_probe.__name__} cdk-app"})
    )
    probe_out = tmp_path / "versions.json"
    environment = node_environment(
        {**os.environ, "NODE_PROBE_OUT": str(probe_out), "CDK_DISABLE_VERSION_CHECK": "1", "CI": "true"}
    )
    command = cdk_cli_command("synth", "--quiet", "--no-notices", "--output", str(tmp_path / "cdk.out"))
    completed = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, completed.stderr
    pinned = pinned_node_version()
    assert json.loads(probe_out.read_text(encoding="utf-8")) == {"cdk_cli": pinned, "jsii": pinned}


def test_use_project_node_for_jsii_beats_the_machines_node_first_on_path() -> None:
    # What app.py does first, where no JSII_NODE is set and PATH finds the machine's Node 20 (a CDK CLI
    # installed elsewhere running app.py).
    environment = {key: value for key, value in os.environ.items() if key != "JSII_NODE"}
    environment["PATH"] = os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"])
    command = [sys.executable, "-m", node_probe.__name__, "app-py"]
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == pinned_node_version()
