"""One clear error line and a non-zero exit, never a traceback."""

from __future__ import annotations

import importlib

SANDBOX_INSTALL = "pip install 'gtchain[sandbox]'"


class CliError(Exception):
    """A problem the user can fix; its message is printed as is, prefixed by 'error: '."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def require_sandbox(command: str) -> None:
    """Fail with one line when the `sandbox` extra (moto and what the sandbox needs) is missing.

    The sandbox commands call this first; every other command works without the extra.
    """
    try:
        importlib.import_module("gtchain.sandbox")
    except ModuleNotFoundError as error:
        raise CliError(
            f"`gtchain {command}` needs the offline sandbox, which is not installed "
            f"(no module named {error.name!r}): {SANDBOX_INSTALL}",
            exit_code=1,
        ) from None
