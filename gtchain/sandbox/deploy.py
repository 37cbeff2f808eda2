"""Deploy a CDK app into the sandbox with the real, project-local CDK CLI (on the project's Node).

``cdk bootstrap`` runs once per sandbox (it creates the asset bucket and the SSM version
parameter that the default synthesizer's templates check), then ``cdk deploy`` with change
sets, exactly as against AWS. Afterwards every resource of every synthesized template must
exist in the deployed stack: moto skips some resource types silently, and a sandbox that
"deployed" without them would fail later in a confusing way.

The app and its CLI come from the caller (:class:`CdkApp`): the emulator knows nothing of
this repository's layout or of the constructs it deploys (``gtchain.checkout_app`` describes
this checkout's app).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtchain.sandbox.errors import SandboxError

BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
_STDERR_TAIL_LINES = 25
_CLI_TIMEOUT_SECONDS = 600

# Keep the CLI and jsii offline and quiet: no version check, no notices, no Node warnings.
QUIET_NODE_ENV = {
    "NODE_NO_WARNINGS": "1",
    "CDK_DISABLE_VERSION_CHECK": "1",
    "CI": "true",
}


@dataclass(frozen=True)
class CdkApp:
    """A CDK app to deploy: its folder (``cdk.json``) and how to start the CDK CLI.

    ``cli_command(*arguments)`` is the CLI's argv, ``cli_environment(base)`` the environment
    it runs in (``base`` plus, e.g., the Node it needs first on PATH). Either raises
    RuntimeError naming what is not installed.
    """

    directory: Path
    cli_command: Callable[..., list[str]]
    cli_environment: Callable[[Mapping[str, str]], dict[str, str]]


@dataclass
class DeployTimings:
    """Seconds spent in each CLI call of the last deploy (bootstrap is 0 when already done)."""

    bootstrap_seconds: float = 0.0
    deploy_seconds: float = 0.0
    verify_seconds: float = 0.0


@dataclass
class SynthesizedStack:
    stack_name: str
    template: dict[str, Any]


@dataclass
class CdkDeployer:
    """Runs the CDK CLI against one sandbox (its environment variables passed in)."""

    sandbox_env: Mapping[str, str]
    account: str
    region: str
    timings: DeployTimings = field(default_factory=DeployTimings)

    def deploy(
        self,
        cloudformation: Any,
        ssm: Any,
        *,
        app: CdkApp,
        context: Mapping[str, str],
        stacks: Sequence[str] | None,
    ) -> dict[str, dict[str, str]]:
        """Bootstrap if needed, deploy, verify; returns ``{stack_name: {OutputKey: value}}``."""
        self.timings = DeployTimings()
        if not _bootstrapped(ssm):
            started = time.perf_counter()
            # Outside the app directory: with an explicit environment, bootstrap needs no synth
            # (faster, and no clash with a parallel CLI over the app's cdk.out).
            with tempfile.TemporaryDirectory(prefix="gtchain-cdk-bootstrap-") as empty_dir:
                self._run(app, ["bootstrap", f"aws://{self.account}/{self.region}"], Path(empty_dir), {})
            self.timings.bootstrap_seconds = time.perf_counter() - started
        with tempfile.TemporaryDirectory(prefix="gtchain-cdk-out-") as out_dir:
            started = time.perf_counter()
            selection = list(stacks) if stacks else ["--all"]
            self._run(
                app,
                ["deploy", *selection, "--require-approval", "never", "--output", out_dir],
                app.directory,
                context,
            )
            self.timings.deploy_seconds = time.perf_counter() - started
            started = time.perf_counter()
            synthesized = [s for s in read_synthesized_stacks(Path(out_dir)) if _selected(s, stacks)]
            outputs = {s.stack_name: verify_stack(cloudformation, s) for s in synthesized}
            self.timings.verify_seconds = time.perf_counter() - started
        return outputs

    def _run(self, app: CdkApp, arguments: list[str], cwd: Path, context: Mapping[str, str]) -> None:
        context_options = [option for key, value in context.items() for option in ("-c", f"{key}={value}")]
        try:
            command = app.cli_command(*arguments, "--no-notices", "--no-color", *context_options)
            # The app the CLI starts (`python app.py`) runs jsii on the same Node.
            environment = app.cli_environment(
                {
                    **os.environ,
                    **self.sandbox_env,
                    **QUIET_NODE_ENV,
                    "CDK_DEFAULT_ACCOUNT": self.account,
                    "CDK_DEFAULT_REGION": self.region,
                    # `python app.py` in cdk.json must be this interpreter (the project's venv).
                    "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
                }
            )
        except RuntimeError as error:  # the CLI or its Node is not installed
            raise SandboxError(str(error)) from None
        try:
            completed = subprocess.run(
                command,
                cwd=cwd,
                env=environment,
                capture_output=True,
                text=True,
                timeout=_CLI_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SandboxError(f"`cdk {arguments[0]}` did not finish in {_CLI_TIMEOUT_SECONDS} s") from None
        if completed.returncode != 0:
            tail = "\n".join(completed.stderr.strip().splitlines()[-_STDERR_TAIL_LINES:])
            raise SandboxError(f"`cdk {arguments[0]}` failed (exit {completed.returncode}):\n{tail}")


def _bootstrapped(ssm: Any) -> bool:
    try:
        ssm.get_parameter(Name=BOOTSTRAP_VERSION_PARAMETER)
    except ssm.exceptions.ParameterNotFound:
        return False
    return True


def _selected(stack: SynthesizedStack, stacks: Sequence[str] | None) -> bool:
    return not stacks or stack.stack_name in stacks


def read_synthesized_stacks(cloud_assembly: Path) -> list[SynthesizedStack]:
    """The stacks of a cloud assembly (``cdk.out``), from its manifest."""
    manifest = json.loads((cloud_assembly / "manifest.json").read_text(encoding="utf-8"))
    stacks = []
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        properties = artifact["properties"]
        template = json.loads((cloud_assembly / properties["templateFile"]).read_text(encoding="utf-8"))
        stacks.append(SynthesizedStack(properties.get("stackName") or artifact["displayName"], template))
    return stacks


def expected_resources(template: Mapping[str, Any]) -> dict[str, str]:
    """Logical id -> type of the resources CloudFormation would create.

    Resources guarded by a condition are left out: the sandbox may evaluate those
    differently (``CDKMetadata`` is only created in some regions).
    """
    return {
        logical_id: resource["Type"]
        for logical_id, resource in template.get("Resources", {}).items()
        if "Condition" not in resource
    }


def verify_stack(cloudformation: Any, stack: SynthesizedStack) -> dict[str, str]:
    """Fail unless every template resource was created; return the stack's outputs."""
    description = cloudformation.describe_stacks(StackName=stack.stack_name)["Stacks"][0]
    status = description["StackStatus"]
    if status not in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}:
        raise SandboxError(f"stack {stack.stack_name} is {status} after deploy")
    created = {
        resource["LogicalResourceId"]
        for resource in cloudformation.describe_stack_resources(StackName=stack.stack_name)["StackResources"]
        if resource.get("PhysicalResourceId")
    }
    missing = {
        logical_id: kind
        for logical_id, kind in expected_resources(stack.template).items()
        if logical_id not in created
    }
    if missing:
        listed = ", ".join(f"{logical_id} ({kind})" for logical_id, kind in sorted(missing.items()))
        raise SandboxError(
            f"stack {stack.stack_name}: the sandbox did not create {len(missing)} resource(s): {listed}"
        )
    return {output["OutputKey"]: output["OutputValue"] for output in description.get("Outputs", [])}
