"""This checkout's CDK app as the sandbox deploys it: app.py and cdk.json at the checkout's
root, the CDK CLI and jsii on the project's pinned Node (gtchain_cdk.node_runtime).

Here rather than in the sandbox: the emulator is a model of AWS and knows nothing of this
repository (tests/unit/test_import_rules.py)."""

from __future__ import annotations

from pathlib import Path

from gtchain.sandbox.deploy import CdkApp
from gtchain_cdk.checkout import CHECKOUT_ROOT
from gtchain_cdk.node_runtime import cdk_cli_command, node_environment


def checkout_app(directory: Path = CHECKOUT_ROOT) -> CdkApp:
    """The app in ``directory`` (this checkout's by default) with the project's CDK CLI."""
    return CdkApp(directory, cdk_cli_command, node_environment)
