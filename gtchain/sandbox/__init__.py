"""The offline sandbox: moto 5.2.5 plus the additions gtchain needs, deployed into with the
real CDK CLI. ``Sandbox`` is the entry point; see docs/architecture.md ("Offline sandbox")."""

from __future__ import annotations

from gtchain.sandbox.errors import SandboxError
from gtchain.sandbox.sandbox import Sandbox

__all__ = ["Sandbox", "SandboxError"]
