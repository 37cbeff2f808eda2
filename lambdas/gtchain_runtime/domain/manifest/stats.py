"""What one manifest holds for a label attribute: lines, objects, statuses, repeated keys, rejects."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import BinaryIO

from gtchain_runtime.domain.manifest.keys import identity_reader, read_slow_line
from gtchain_runtime.domain.manifest.lines import validate_label_attribute
from gtchain_runtime.domain.manifest.status import new_tally, tally_totals


@dataclass(frozen=True)
class ManifestStats:
    """What one manifest holds for a label attribute."""

    lines: int
    objects: int
    labeled: int
    human_labeled: int
    machine_labeled: int
    failed: int
    unlabeled: int
    # Objects whose key an earlier line carries: one line is one object, so each counts.
    repeated_keys: int
    rejected: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def manifest_stats(manifest: BinaryIO, label_attribute: str) -> ManifestStats:
    """Count objects and label states of one manifest (every line that is an object counts)."""
    validate_label_attribute(label_attribute)
    read = identity_reader(label_attribute, salt="")
    seen: set[tuple[int, int]] = set()  # (h1, h2) of each key: 128 bits make a key
    tally = new_tally()
    lines = repeated_keys = rejected = 0
    for raw in manifest:
        lines += 1
        try:  # the common shape: a short JSON object keyed by a source-ref string
            h1, h2, status = read(raw)
        except ValueError:
            parsed = read_slow_line(raw, lines == 1, label_attribute, salt="")
            if parsed.record is None:
                rejected += parsed.reason is not None
                continue
            h1, h2, status = parsed.h1, parsed.h2, parsed.status
        identity = (h1, h2)
        if identity in seen:
            repeated_keys += 1
        else:
            seen.add(identity)
        tally[status] += 1
    return ManifestStats(
        lines=lines,
        objects=sum(tally),
        **tally_totals(tally).as_counts(),
        repeated_keys=repeated_keys,
        rejected=rejected,
    )
