"""`gtchain sandbox up`: prints the endpoint and exports, stops cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from gtchain.sandbox.sandbox import free_port

# A guard against a hang, not a speed check: on a loaded machine the sandbox's teardown (server,
# Lambda workers) once took longer than 30 s.
STOP_TIMEOUT_SECONDS = 180


def start_sandbox_up(port: int, *options: str) -> tuple[subprocess.Popen[str], list[str]]:
    """`gtchain sandbox up` in a subprocess, and what it printed until it serves."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gtchain.cli.main", "sandbox", "up", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if line.startswith("press Ctrl-C"):
            break
    return process, lines


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_sandbox_up_serves_until_stopped(stop_signal: signal.Signals) -> None:
    port = free_port()
    process, lines = start_sandbox_up(port)
    assert f"sandbox listening on http://localhost:{port}" in lines
    assert f"export AWS_ENDPOINT_URL=http://localhost:{port}" in lines
    with urllib.request.urlopen(f"http://localhost:{port}/moto-api/data.json", timeout=10) as response:
        assert response.status == 200
    process.send_signal(stop_signal)
    stdout, stderr = process.communicate(timeout=STOP_TIMEOUT_SECONDS)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "sandbox stopped" in stdout


def test_sandbox_up_can_turn_iam_enforcement_off() -> None:
    port = free_port()
    process, lines = start_sandbox_up(port, "--no-enforce-iam")
    assert any("IAM enforcement is OFF" in line for line in lines), lines
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=STOP_TIMEOUT_SECONDS)
    assert process.returncode == 0, stderr
