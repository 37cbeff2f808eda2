"""One clear error line and a non-zero exit, never a traceback."""

from __future__ import annotations


class CliError(Exception):
    """A problem the user can fix; its message is printed as is, prefixed by 'error: '."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
