"""Where the tests find the checkout and their fixture files."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO_ROOT = TESTS.parent
# DescribeLabelingJob responses of every task type (image classification, bounding box, ...).
DESCRIBE_FIXTURES = TESTS / "fixtures" / "describe"
