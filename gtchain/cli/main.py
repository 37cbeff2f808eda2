"""The `gtchain` console script: operator commands, the offline sandbox and its demo."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from gtchain.cli import chain_cmd, demo_cmd, job_cmd, manifest_cmd, sandbox_cmd
from gtchain.cli.errors import CliError

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

    from gtchain_runtime.adapters.errors import error_code

    if isinstance(error, ClientError):
        message = error.response.get("Error", {}).get("Message", "")
        return f"AWS {error.operation_name} failed: {error_code(error) or '?'}: {message}"
    if isinstance(error, BotoCoreError):
        return f"AWS call failed: {error}"
    return str(error)


def _problems_a_person_can_fix() -> tuple[type[BaseException], ...]:
    """Errors whose message already says what is wrong: printed as one line, no traceback.

    Not the sandbox's SandboxError: `gtchain sandbox` and `gtchain demo` turn it into a CliError,
    and the other commands must run without the `sandbox` extra (moto) installed.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from gtchain_cdk.config import ConfigError
    from gtchain_runtime.adapters.s3_stream import S3LocationError
    from gtchain_runtime.adapters.sagemaker import LabelingJobExistsError, LabelingJobNotFoundError
    from gtchain_runtime.domain.lineage import LineageError
    from gtchain_runtime.domain.manifest import ManifestError
    from gtchain_runtime.domain.naming import InvalidJobNameError
    from gtchain_runtime.domain.requests import RequestBuildError
    from gtchain_runtime.usecases.create import ChainConflictError

    return (
        ClientError,
        BotoCoreError,
        OSError,
        S3LocationError,
        LabelingJobNotFoundError,
        LabelingJobExistsError,
        LineageError,
        ManifestError,
        InvalidJobNameError,
        RequestBuildError,
        ChainConflictError,
        ConfigError,
    )


def app() -> None:
    """Entry point: run the CLI and turn expected failures into one line on stderr."""
    try:
        _cli(standalone_mode=True)
    except CliError as error:
        _stderr.print(f"error: {error}", markup=False)
        sys.exit(error.exit_code)
    except Exception as error:
        if not isinstance(error, _problems_a_person_can_fix()):
            raise
        _stderr.print(f"error: {_one_line(error)}", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    app()
