"""`gtchain demo`: the seed scenario, end to end, in the offline sandbox."""

from __future__ import annotations


def demo() -> None:
    """Run the demo (not yet implemented)."""
    raise NotImplementedError
