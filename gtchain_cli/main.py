"""The `gtchain` console script: operator commands, the offline sandbox and its demo."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from gtchain_cli import chain_cmd, demo_cmd, job_cmd, manifest_cmd, sandbox_cmd
from gtchain_cli.errors import CliError

_cli = typer.Typer(
    name="gtchain",
    help="Resume SageMaker Ground Truth labeling jobs hands-off.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
_cli.add_typer(manifest_cmd.app, name="manifest")
_cli.add_typer(job_cmd.app, name="job")
_cli.add_typer(chain_cmd.app, name="chain")
_cli.add_typer(sandbox_cmd.app, name="sandbox")
_cli.command(name="demo")(demo_cmd.demo)

_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def _one_line(error: BaseException) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        err = error.response.get("Error", {})
        return f"AWS {error.operation_name} failed: {err.get('Code', '?')}: {err.get('Message', '')}"
    if isinstance(error, BotoCoreError):
        return f"AWS call failed: {error}"
    return str(error)


def app() -> None:
    """Entry point: run the CLI and turn expected failures into one line on stderr."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        _cli(standalone_mode=True)
    except CliError as error:
        _stderr.print(f"error: {error}", markup=False)
        sys.exit(error.exit_code)
    except (ClientError, BotoCoreError, OSError) as error:
        _stderr.print(f"error: {_one_line(error)}", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    app()
