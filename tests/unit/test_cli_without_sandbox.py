"""The CLI, the Lambda code and the CDK code without the `sandbox` extra (moto and co.).

A fresh venv per test is too slow: each case runs a Python whose importer refuses the extra's
packages, as if `pip install gtchain` had been run without `[sandbox]`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# What only `gtchain[sandbox]` installs (moto[all,server] brings jsonpath_ng).
SANDBOX_ONLY = ("moto", "regex", "jsonpath_ng")

WITHOUT_SANDBOX = f"""
import sys

class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {SANDBOX_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
"""

RUN_CLI = """
import json
from gtchain.cli.main import app

sys.argv = ["gtchain", *json.loads(sys.argv[1])]
try:
    app()
finally:
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "moto" or m.startswith("gtchain.sandbox"))
    print("loaded:", json.dumps(loaded), file=sys.stderr)
"""


def gtchain(*args: str) -> tuple[int, str, list[str], list[str]]:
    """Exit code, stdout, stderr lines (less the last) and the sandbox modules the run loaded."""
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_SANDBOX + RUN_CLI, json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    *stderr, last = result.stderr.strip().splitlines()
    assert last.startswith("loaded: "), result.stderr
    return result.returncode, result.stdout, stderr, json.loads(last.removeprefix("loaded: "))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--help"], "manifest"),
        (["manifest", "--help"], "plan"),
        (["job", "--help"], "resume"),
        (["chain", "--help"], "status"),
        (["sandbox", "--help"], "up"),
    ],
)
def test_commands_load_without_the_sandbox(args: list[str], says: str) -> None:
    code, stdout, stderr, loaded = gtchain(*args)
    assert (code, stderr) == (0, []) and says in stdout
    assert loaded == []


def test_an_operator_command_fails_in_one_line_without_loading_the_sandbox(tmp_path: object) -> None:
    code, _, stderr, loaded = gtchain("manifest", "stats", f"{tmp_path}/nope", "-a", "animal")
    assert code != 0 and stderr == [f"error: {tmp_path}/nope: no such file"]
    assert loaded == []


@pytest.mark.parametrize(
    ("args", "command"),
    [(["demo"], "demo"), (["demo", "--list"], "demo"), (["sandbox", "up"], "sandbox up")],
)
def test_sandbox_commands_say_how_to_install_it(args: list[str], command: str) -> None:
    code, stdout, stderr, _ = gtchain(*args)
    assert code == 1 and stdout == ""
    assert stderr == [
        f"error: `gtchain {command}` needs the offline sandbox, which is not installed "
        "(no module named 'moto'): pip install 'gtchain[sandbox]'"
    ]


def test_lambda_cdk_and_cli_code_import_nothing_of_the_sandbox() -> None:
    script = (
        WITHOUT_SANDBOX
        + """
import importlib, json, pkgutil
import gtchain_runtime, gtchain_cdk

modules = []
for package in (gtchain_runtime, gtchain_cdk):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        modules.append(info.name)
from gtchain.cli import main
main._problems_a_person_can_fix()  # the error handler of every command
loaded = sorted(m for m in sys.modules if m.partition(".")[0] == "moto" or m.startswith("gtchain.sandbox"))
print(json.dumps({"modules": modules, "loaded": loaded}))
"""
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "gtchain_runtime.handlers.plan_chain" in report["modules"]
    assert "gtchain_cdk.config" in report["modules"]
    assert report["loaded"] == []
