"""botocore's ClientError, read in one place."""

from __future__ import annotations

from botocore.exceptions import ClientError


def error_code(error: ClientError) -> str:
    """The service's error code (e.g. ``ResourceNotFound``, ``404``), or "" when it sent none."""
    return str(error.response.get("Error", {}).get("Code", ""))
