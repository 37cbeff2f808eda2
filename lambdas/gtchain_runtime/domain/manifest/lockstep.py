"""The planner's fast path: the output lists the input's objects line for line.

Ground Truth writes the output in input order, so line i of both files names the same object.
One pass reads both files in small blocks, decodes each line once into a view (msgspec: the key
and the label state, nothing else built) and writes the output line as read; only lines that
change are parsed fully. Anything unusual returns None, and the caller rewinds and runs the
general path, which handles and reports all of it.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import islice
from operator import attrgetter
from typing import Any, BinaryIO

from gtchain_runtime.domain.manifest.lines import NULL_LABEL, UNSET, label_view_decoder, parse_record
from gtchain_runtime.domain.manifest.plan import (
    FAST_PATH_MAX_BYTES,
    FLUSH_LINES,
    PROGRESS_EVERY,
    ManifestPlan,
    ProgressCallback,
    merged_line,
)
from gtchain_runtime.domain.manifest.status import (
    FAILED,
    HUMAN,
    LABELED_STATUSES,
    MACHINE,
    UNLABELED,
    UNLABELED_RESIDUE,
    new_tally,
    view_status,
)

BLOCK = 64  # lines per file per block: per-block checks run in C and the lines stay in the CPU cache

_key_of = attrgetter("key")


def plan_in_lockstep(  # noqa: C901 - the lockstep hot loop; the inlined status rule is tested against status.status_of
    input_manifest: BinaryIO,
    output_manifest: BinaryIO,
    attribute: str,
    chained_out: BinaryIO,
    progress: ProgressCallback | None,
) -> ManifestPlan | None:
    """Plan the common shape in one pass, or return None (chained_out then holds junk).

    The common shape: both files list the same objects in the same order; every line is a
    valid UTF-8 JSON object of at most 100,000 bytes keyed by a "source-ref" string; no key
    repeats. Anything else (a bad or blank line, a BOM, a "source" key, a different order or
    length, a long line, a repeated key or a hash collision) returns None; so does a missing
    msgspec. (A repeated key is rare and the general path counts it exactly.)
    """
    decode = label_view_decoder(attribute)
    if decode is None:
        return None
    # Repeated-key check: the keys' unsalted first hashes (keys.ref_hashes' h1 without a salt),
    # 8 bytes each, all compared once at the end (in C, cheaper than a set lookup per line);
    # equal hashes send the plan to the general path, so a collision of two different keys
    # costs time, never correctness.
    key_hashes = array("q")
    tally = new_tally()  # final status -> objects
    input_labeled = 0
    batch: list[bytes] = []  # chained lines, written in blocks: one write call per line is slow
    try:
        while True:
            in_lines = list(islice(input_manifest, BLOCK))
            out_lines = list(islice(output_manifest, BLOCK))
            if len(in_lines) != len(out_lines):
                return None
            if not in_lines:
                break
            lines_before = len(key_hashes)
            if not lines_before & (FLUSH_LINES - 1):
                chained_out.write(b"".join(batch))
                batch.clear()
                if progress is not None and not lines_before & (PROGRESS_EVERY - 1):
                    progress(input_manifest.tell() + output_manifest.tell())
            views = _decode_block(decode, in_lines, out_lines)
            if views is None:
                return None
            in_views, out_views, keys = views
            key_hashes.extend(map(hash, keys))
            input_labeled += _chain_block(
                in_views, out_views, in_lines, out_lines, attribute=attribute, tally=tally
            )
            batch += out_lines
    except ValueError:  # not UTF-8, not JSON, not the views' shape (msgspec.DecodeError)
        return None
    if len(set(key_hashes)) != len(key_hashes):
        return None
    if batch and not batch[-1].endswith(b"\n"):  # the output's last line had no newline
        batch.append(b"\n")
    chained_out.write(b"".join(batch))
    return ManifestPlan.from_tally(tally, repeated_keys=0, rejected=0, input_labeled=input_labeled)


def _decode_block(
    decode: Callable[[bytes], Any], in_lines: list[bytes], out_lines: list[bytes]
) -> tuple[list[Any], list[Any], list[str]] | None:
    """The views of a block and its keys, or None when the block is not in the common shape.
    Raises ValueError on a line that is not UTF-8, not JSON or not the views' shape."""
    # Lines short enough to be valid whatever their characters, and valid UTF-8 (the views
    # skip strings unchecked). ASCII is checked per line, anything else per block.
    if max(map(len, in_lines)) > FAST_PATH_MAX_BYTES or max(map(len, out_lines)) > FAST_PATH_MAX_BYTES:
        return None
    if not all(map(bytes.isascii, in_lines)):
        b"".join(in_lines).decode("utf-8")
    if not all(map(bytes.isascii, out_lines)):
        b"".join(out_lines).decode("utf-8")
    in_views = list(map(decode, in_lines))
    out_views = list(map(decode, out_lines))
    keys = list(map(_key_of, out_views))
    if keys != list(map(_key_of, in_views)):  # same objects in the same order
        return None
    return in_views, out_views, keys


def _chain_block(
    in_views: list[Any],
    out_views: list[Any],
    in_lines: list[bytes],
    out_lines: list[bytes],
    *,
    attribute: str,
    tally: list[int],
) -> int:
    """Count a block's objects in ``tally`` and put the chained line of each changed object
    in ``out_lines``; return how many labeled objects had their label in the input."""
    unset, null = UNSET, NULL_LABEL
    input_labeled = 0
    index = -1
    for out_view, in_view in zip(out_views, in_views, strict=True):
        index += 1
        # status.view_status(out_view), inlined: calls to it for both views cost 80 ns an
        # object, 3.6% of the plan at 1M + 1M lines (test_manifest_status checks the copy).
        label, meta = out_view.label, out_view.meta
        if meta is not unset and meta.failure_reason is not unset:
            status = FAILED
        elif label is not unset and label != null:
            status = MACHINE if meta is not unset and meta.human_annotated == "no" else HUMAN
        elif label is unset and meta is unset:
            status = UNLABELED
        else:
            status = UNLABELED_RESIDUE
        # view_status(in_view) in LABELED_STATUSES, inlined: a third-party or earlier label.
        in_label, in_meta = in_view.label, in_view.meta
        in_labeled = (
            in_label is not unset
            and in_label != null
            and (in_meta is unset or in_meta.failure_reason is unset)
        )
        if status in LABELED_STATUSES:  # the output's label wins, byte for byte
            input_labeled += in_labeled
        elif status != UNLABELED or in_labeled:  # the line changes: parse it fully
            in_record = parse_record(in_lines[index]) if in_labeled else None
            out_lines[index], status = merged_line(
                parse_record(out_lines[index]), status, in_record, view_status(in_view), attribute
            )
            input_labeled += status in LABELED_STATUSES  # a label here came from the input
        tally[status] += 1
    return input_labeled
