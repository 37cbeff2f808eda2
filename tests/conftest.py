"""Setup shared by every tier. It imports nothing heavy (no moto, no boto3, no CDK): each tier's
own conftest brings what that tier needs."""

from __future__ import annotations

import os

from gtchain_cdk.node_runtime import use_project_node_for_jsii
from tests.support.paths import REPO_ROOT

# pyproject's pytest `pythonpath` reaches this process only. Subprocesses the tests start
# (`python -m gtchain.cli.main ...`, the CDK app) must run the same code, not whichever
# checkout the environment's editable install points at (git worktrees sharing one venv).
SOURCE_ROOTS = [REPO_ROOT, REPO_ROOT / "lambdas", REPO_ROOT / "stacks"]
os.environ["PYTHONPATH"] = os.pathsep.join(
    [*map(str, SOURCE_ROOTS), *filter(None, [os.environ.get("PYTHONPATH")])]
)
# Every jsii runtime the tests start, in this process (tests/infra) or a subprocess, runs on the
# project's pinned Node; nothing imported above has started one yet.
use_project_node_for_jsii()

# Property tests check correctness, not speed: on a loaded two-core machine (CI runs two pytest
# workers) Hypothesis's "too slow" health check failed tests whose examples were all right.
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("gtchain", suppress_health_check=[HealthCheck.too_slow], deadline=None)
    settings.load_profile("gtchain")
except ImportError:  # hypothesis is a dev dependency; the package tier's venv may lack it
    pass
