"""`gtchain sandbox ...` commands: the offline sandbox as a local server."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gtchain.cli.errors import CliError, require_sandbox

app = typer.Typer(help="The offline sandbox (moto + gtchain's additions).", no_args_is_help=True)
_console = Console(highlight=False, soft_wrap=True)


@app.command("up")
def up(
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port on localhost (default: a free one).")
    ] = None,
    deploy: Annotated[
        bool, typer.Option("--deploy", help="Deploy the project's stacks with the CDK CLI once up.")
    ] = False,
    projects_file: Annotated[
        Path, typer.Option("--projects-file", help="Projects file for --deploy.")
    ] = Path("projects.json"),
    enforce_iam: Annotated[
        bool,
        typer.Option(
            "--enforce-iam/--no-enforce-iam",
            help="Evaluate each deployed Lambda's, the state machine's and the event rules' calls "
            "against their roles' policies (default); --no-enforce-iam only to debug something else.",
        ),
    ] = True,
) -> None:
    """Start the sandbox, print the environment to export, and serve until Ctrl-C."""
    require_sandbox("sandbox up")
    from gtchain.checkout_app import checkout_app
    from gtchain.sandbox import Sandbox, SandboxError

    stop_requested = threading.Event()
    # `kill` and service managers send SIGTERM: stop as cleanly as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop_requested.set())
    try:
        with Sandbox(port=port, enforce_iam=enforce_iam) as sandbox:
            _console.print(f"sandbox listening on {sandbox.endpoint}")
            if not enforce_iam:
                _console.print("IAM enforcement is OFF: calls the stack does not grant will succeed here")
            _console.print("# in another shell:")
            for name, value in sandbox.env.items():
                _console.print(f"export {name}={value}", markup=False)
            if deploy:
                _console.print(f"deploying the stacks of {projects_file} ...")
                outputs = sandbox.deploy(checkout_app(), projects_file=projects_file)
                for stack_name, stack_outputs in outputs.items():
                    _console.print(f"{stack_name}:")
                    for key, value in stack_outputs.items():
                        _console.print(f"  {key} = {value}", markup=False)
            _console.print("press Ctrl-C (or send SIGTERM) to stop")
            try:
                stop_requested.wait()
            except KeyboardInterrupt:
                _console.print("\nstopping the sandbox ...")
    except KeyboardInterrupt:  # Ctrl-C while starting or deploying
        _console.print("\nsandbox stopped")
        return
    except SandboxError as error:
        raise CliError(str(error), exit_code=1) from None
    _console.print("sandbox stopped")
