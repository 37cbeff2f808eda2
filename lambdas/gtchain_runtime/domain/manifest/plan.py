"""What both planner paths share: the plan's counts, the chained line of an object whose line
changes, and the tuning constants of their loops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from gtchain_runtime.domain.manifest.lines import (
    MAX_LINE_CHARS,
    dumps_line,
    parse_record,
    strip_bom,
    without_label,
)
from gtchain_runtime.domain.manifest.status import FAILED, LABELED_STATUSES, UNLABELED, tally_totals

ProgressCallback = Callable[[int], None]

# A line of at most this many bytes has at most 100,000 characters; longer ones take the slow
# path, which counts characters.
FAST_PATH_MAX_BYTES = MAX_LINE_CHARS
PROGRESS_EVERY = 16384  # lines (a power of two: the check is a mask)
# Chained lines are joined and written every this many lines: a join that stays in the CPU
# cache (about 256 KB) before write() copies it again; 8 MB joins made the plan 30% slower.
FLUSH_LINES = 512  # a power of two, a multiple of lockstep.BLOCK, a divisor of keys.BLOCK_LINES


@dataclass(frozen=True)
class ManifestPlan:
    """Counts of a plan. total = labeled + failed + unlabeled; remaining = failed + unlabeled."""

    total: int
    labeled: int
    human_labeled: int
    machine_labeled: int
    failed: int
    unlabeled: int
    remaining: int
    # Objects whose key an earlier object of the same manifest carries: each is an object of
    # its own (one line is one object in Ground Truth), counted here so a person can see them.
    repeated_keys: int
    rejected: int
    # Labeled objects whose label was already in the input (third-party or an earlier job):
    # labeled - input_labeled is what the job itself produced.
    input_labeled: int

    @classmethod
    def from_tally(
        cls, tally: list[int], *, repeated_keys: int, rejected: int, input_labeled: int
    ) -> ManifestPlan:
        """The plan of a tally of final statuses (one per object)."""
        totals = tally_totals(tally)
        return cls(
            total=sum(tally),
            **totals.as_counts(),
            remaining=totals.failed + totals.unlabeled,
            repeated_keys=repeated_keys,
            rejected=rejected,
            input_labeled=input_labeled,
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def keeps_output_line(out_status: int, input_labeled: bool) -> bool:
    """Whether an object in both files chains its output line byte for byte (else
    ``merged_line``): when the output labeled it, or neither file did and the line is clean.
    (Both paths inline this test in their loops.)"""
    return out_status in LABELED_STATUSES or (out_status == UNLABELED and not input_labeled)


def merged_line(
    out_record: dict[str, Any],
    out_status: int,
    input_record: dict[str, Any] | None,
    input_status: int,
    attribute: str,
) -> tuple[bytes, int]:
    """The chained line of an object in both files whose output line is not kept byte for byte
    (failed, null label or stray metadata, or unlabeled with an input label): (line, status).
    May modify ``out_record``."""
    metadata_attribute = f"{attribute}-metadata"
    if out_status == FAILED:
        return without_label(out_record, attribute, metadata_attribute), FAILED
    if input_status in LABELED_STATUSES:  # output has no label: keep the input's
        assert input_record is not None  # a labeled status comes from a record
        out_record[attribute] = input_record[attribute]
        if metadata_attribute in input_record:
            out_record[metadata_attribute] = input_record[metadata_attribute]
        else:
            out_record.pop(metadata_attribute, None)
        return dumps_line(out_record), input_status
    return without_label(out_record, attribute, metadata_attribute), UNLABELED  # residue: null label


def parse_known_good(raw: bytes) -> dict[str, Any]:
    """Parse a line that was accepted already, to write it back (BOM and all: it may be line 1)."""
    return parse_record(strip_bom(raw))
