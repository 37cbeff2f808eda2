"""app.py run the way the CDK CLI runs it (a subprocess), on a projects file the test writes.

No aws_cdk import here: the package tier uses it without starting a jsii runtime.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.paths import REPO_ROOT

APP = REPO_ROOT / "app.py"


def run_app(
    projects_file: Path, outdir: Path, context: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    # The way the CDK CLI calls the app: output directory and context in the environment.
    env = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps({"gtchain:projectsFile": str(projects_file), **(context or {})}),
    }
    env.pop("CDK_VALIDATION", None)  # full CDK validation, as in a real synth
    return subprocess.run(
        [sys.executable, str(APP)], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def write_projects_file(path: Path, raw: object) -> Path:
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path
