"""Old home of the line rules, kept so that gtchain_sandbox/labeling/manifest.py and
gtchain_cli/main.py import unchanged; new code imports from ``domain.manifest`` (statuses from
``domain.manifest.status``, line parsing from ``domain.manifest.lines``). Remove once they do."""

from gtchain_runtime.domain.manifest.lines import MAX_LINE_CHARS, ManifestError
from gtchain_runtime.domain.manifest.status import LABELED_STATUSES, classify

__all__ = ["LABELED_STATUSES", "MAX_LINE_CHARS", "ManifestError", "classify"]
