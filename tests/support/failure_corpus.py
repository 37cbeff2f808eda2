"""The corpus of FailureReason texts the runtime is tested on and the sandbox plays (the
`failure_reason` variant). It ships with the emulator; read here by path, because importing
the emulator would import moto, which the unit tier never does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.paths import REPO_ROOT


def _corpus_file() -> Path:
    found = sorted((REPO_ROOT / "gtchain").rglob("failure_reasons.jsonl"))
    assert len(found) == 1, f"expected one failure_reasons.jsonl under gtchain/, found {found}"
    return found[0]


CORPUS_FILE = _corpus_file()
CORPUS: list[dict[str, Any]] = [
    json.loads(line) for line in CORPUS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
]
