"""How many tests each tier holds, for docs/figures.md (`make bench` runs it).

    python bench/test_counts.py

Counts what pytest collects per tier directory, without running anything.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from figures import Row, record  # noqa: E402

TIERS = ("unit", "integration", "infra", "sandbox", "package", "outsider", "e2e")
COLLECTED = re.compile(r"^(\d+) tests? collected", re.MULTILINE)


def collected(tier: str) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", f"tests/{tier}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found = COLLECTED.search(done.stdout)
    if done.returncode != 0 or not found:
        raise SystemExit(
            f"pytest could not collect tests/{tier} (exit {done.returncode}):\n{done.stdout[-2000:]}"
        )
    return int(found.group(1))


def main() -> None:
    counts = {tier: collected(tier) for tier in TIERS}
    rows = [Row(f"`tests/{tier}`", str(count)) for tier, count in counts.items()]
    rows.append(Row("all tiers", str(sum(counts.values()))))
    record("tests", "Tests collected per tier (`bench/test_counts.py`)", rows, counts)
    print(", ".join(f"{tier} {count}" for tier, count in counts.items()))


if __name__ == "__main__":
    main()
