"""Which Node binaries run the CDK CLI and a jsii runtime, read from /proc (Linux).

``python -m tests.support.node_probe cdk-app``: as the CDK app of a ``cdk synth``, writes the
versions of the Node that runs the CLI which started it and of the Node under its own jsii
runtime to the JSON file named by $NODE_PROBE_OUT.

``python -m tests.support.node_probe app-py``: does what app.py does before importing aws_cdk,
then prints the version of the Node under its jsii runtime.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gtchain_cdk.node_runtime import use_project_node_for_jsii

CDK_CLI_SCRIPT_SUFFIX = "aws-cdk/bin/cdk"


def _cmdline(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    return [part.decode() for part in raw.split(b"\0") if part]


def _parent(pid: int) -> int:
    # The command name in /proc/PID/stat may hold spaces and parentheses: fields follow the last ")".
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _executable(pid: int) -> Path:
    return Path(os.readlink(f"/proc/{pid}/exe"))


def jsii_runtime_node(pid: int | None = None) -> Path:
    """The Node binary of the jsii runtime that process ``pid`` (default: this one) started."""
    parent = os.getpid() if pid is None else pid
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        child = int(entry.name)
        try:
            if _parent(child) == parent and any("jsii-runtime" in part for part in _cmdline(child)):
                return _executable(child)
        except (FileNotFoundError, ProcessLookupError):
            continue  # a process that ended while we looked
    raise LookupError(f"process {parent} has no jsii runtime child: aws_cdk is not imported yet")


def cdk_cli_node() -> Path:
    """The Node binary of the CDK CLI this process descends from."""
    pid = os.getppid()
    while pid > 1:
        if any(part.endswith(CDK_CLI_SCRIPT_SUFFIX) for part in _cmdline(pid)[:2]):
            return _executable(pid)
        pid = _parent(pid)
    raise LookupError("this process was not started by the CDK CLI")


def node_version(binary: Path) -> str:
    """``binary --version``, e.g. ``v24.19.0``."""
    completed = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    return completed.stdout.strip()


def probe_as_cdk_app() -> None:
    import aws_cdk as cdk  # starts this process's jsii runtime

    app = cdk.App()
    cdk.CfnWaitConditionHandle(cdk.Stack(app, "NodeProbe"), "Placeholder")
    versions = {"cdk_cli": node_version(cdk_cli_node()), "jsii": node_version(jsii_runtime_node())}
    Path(os.environ["NODE_PROBE_OUT"]).write_text(json.dumps(versions), encoding="utf-8")
    app.synth()


def probe_as_app_py() -> None:
    use_project_node_for_jsii()
    import aws_cdk  # noqa: F401 - starts this process's jsii runtime

    print(node_version(jsii_runtime_node()))


PROBES = {"cdk-app": probe_as_cdk_app, "app-py": probe_as_app_py}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in PROBES:
        raise SystemExit(f"usage: python -m tests.support.node_probe {{{'|'.join(PROBES)}}}")
    PROBES[sys.argv[1]]()
