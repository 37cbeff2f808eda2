"""The unit tier: pure code, no AWS and no emulator. Nothing here (nor in a unit test module)
imports moto: tests/unit/test_test_layout.py holds that."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gtchain_runtime.domain.manifest import lines


@pytest.fixture(params=["orjson", "stdlib"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with orjson and msgspec, and again with the stdlib fallback alone."""
    if request.param == "stdlib":
        monkeypatch.setattr(lines, "_fast_loads", None)
        monkeypatch.setattr(lines, "_fast_dumps", None)
        monkeypatch.setattr(lines, "_msgspec", None)
    yield request.param
