"""Setup shared by every tier."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# pyproject's pytest `pythonpath` reaches this process only. Subprocesses the tests start
# (`python -m gtchain_cli.main ...`, the CDK app) must run the same code, not whichever
# checkout the environment's editable install points at (git worktrees sharing one venv).
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO_ROOT), str(REPO_ROOT / "lambdas"), *filter(None, [os.environ.get("PYTHONPATH")])]
)
