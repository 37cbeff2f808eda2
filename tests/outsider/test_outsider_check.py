"""Issue 10's outsider check: check_ground_truth.py (plain boto3) against a separately started
`gtchain sandbox up` process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("check_ground_truth.py")
STARTUP_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def sandbox_endpoint(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{REPO_ROOT / 'lambdas'}",
    }
    env.pop("GTCHAIN_GT_VARIANTS", None)  # the documented defaults
    # The server's output goes to a file: a pipe nobody reads would block it once full.
    log = tmp_path / "sandbox-up.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gtchain.cli.main", "sandbox", "up", "--port", str(free_port())],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        yield _wait_for_endpoint(server, log)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_endpoint(server: subprocess.Popen[str], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        match = re.search(r"sandbox listening on (\S+)", log.read_text())
        if match:
            return match.group(1)
        if server.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"`gtchain sandbox up` is not listening (exit {server.poll()}):\n{log.read_text()}")


@pytest.mark.e2e
def test_an_outsider_finds_ground_truths_documented_behaviour(sandbox_endpoint: str) -> None:
    # The script runs with a bare environment: nothing of gtchain on its path.
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "AWS_ENDPOINT_URL"}}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--endpoint", sandbox_endpoint],
        cwd=SCRIPT.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "15 passed, 0 failed" in result.stdout
