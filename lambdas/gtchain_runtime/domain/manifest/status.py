"""The label status of a manifest line, and counts of statuses.

``status_of`` is the one rule (labeled, machine-labeled, failed, unlabeled); ``classify`` and
``view_status`` only read its four facts from a parsed record or a msgspec view. The lockstep
path inlines ``view_status`` in its loop (see there why); tests/unit/test_manifest_status.py
checks that the copy agrees with this rule.

Counting: loops keep a tally, a list indexed by status code (``tally[status] += 1`` costs no
call per object), and ``tally_totals`` turns it into the counts reports show.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from gtchain_runtime.domain.manifest.lines import NULL_LABEL, UNSET

# Status codes of a line for the label attribute A (small ints: stored in compact arrays).
UNLABELED = 0  # A absent, no A-metadata: sent to workers as is
HUMAN = 1  # labeled by people (A-metadata "human-annotated" is not "no")
MACHINE = 2  # labeled by automated labeling ("human-annotated": "no")
FAILED = 3  # A-metadata carries "failure-reason": strip A and A-metadata so it is sent again
# A null or a stray A-metadata without a label: unlabeled, but both keys are removed so that
# Ground Truth does not mistake the object for a labeled one.
UNLABELED_RESIDUE = 4

LABELED_STATUSES = (HUMAN, MACHINE)
_STATUS_CODES = UNLABELED_RESIDUE + 1


def status_of(failure: bool, label: bool, machine: bool, marked: bool) -> int:
    """The status rule, from four facts of a line for the label attribute A:

    ``failure``: A-metadata is an object with a "failure-reason" (any value, even null);
    ``label``: A is present and not null;
    ``machine``: A-metadata is an object whose "human-annotated" is "no";
    ``marked``: A or A-metadata is present (whatever its value).
    """
    if failure:
        return FAILED
    if label:
        return MACHINE if machine else HUMAN
    return UNLABELED_RESIDUE if marked else UNLABELED


def classify(record: dict[str, Any], attribute: str, metadata_attribute: str) -> int:
    """Status of a valid record for the label attribute (see the status codes above)."""
    metadata = record.get(metadata_attribute)
    if not isinstance(metadata, dict):  # a null or non-object metadata says nothing
        metadata = {}
    return status_of(
        "failure-reason" in metadata,
        record.get(attribute) is not None,
        metadata.get("human-annotated") == "no",
        attribute in record or metadata_attribute in record,
    )


def view_status(view: Any) -> int:
    """``classify`` for a view of ``lines.label_view_decoder`` (the lockstep path inlines it).

    A view's ``label`` is A's raw JSON (``NULL_LABEL`` for null) or ``UNSET``; its ``meta`` is
    UNSET or an object (the views refuse a null or non-object A-metadata)."""
    label, meta = view.label, view.meta
    has_meta = meta is not UNSET
    return status_of(
        has_meta and meta.failure_reason is not UNSET,
        label is not UNSET and label != NULL_LABEL,
        has_meta and meta.human_annotated == "no",
        has_meta or label is not UNSET,
    )


class LabelTotals(NamedTuple):
    """Objects by status, as reports show them (a residue counts as unlabeled)."""

    human: int
    machine: int
    failed: int
    unlabeled: int

    @property
    def labeled(self) -> int:
        return self.human + self.machine

    def as_counts(self) -> dict[str, int]:
        """The fields ManifestPlan and ManifestStats share, by their names there."""
        return {
            "labeled": self.labeled,
            "human_labeled": self.human,
            "machine_labeled": self.machine,
            "failed": self.failed,
            "unlabeled": self.unlabeled,
        }


def new_tally() -> list[int]:
    """Objects per status code, indexed by the code."""
    return [0] * _STATUS_CODES


def tally_of(statuses: Iterable[int]) -> list[int]:
    """The tally of some statuses (for loops that keep statuses rather than a tally)."""
    tally = new_tally()
    for status in statuses:
        tally[status] += 1
    return tally


def tally_totals(tally: list[int]) -> LabelTotals:
    return LabelTotals(
        human=tally[HUMAN],
        machine=tally[MACHINE],
        failed=tally[FAILED],
        unlabeled=tally[UNLABELED] + tally[UNLABELED_RESIDUE],
    )
