"""The sandbox's one error type: a message a person can act on."""

from __future__ import annotations


class SandboxError(Exception):
    """The sandbox could not start, deploy, or reach the state asked of it."""
