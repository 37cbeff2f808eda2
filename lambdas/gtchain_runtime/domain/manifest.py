"""The chain planner: diff a job's input and output manifests, write the chained input manifest.

Semantics (docs/architecture.md, DESIGN.md):

- an object is identified by ``source-ref``, else ``source`` (the two never name the same object);
- for the label attribute A, a line is labeled (A present, non-null, A-metadata without
  ``failure-reason``; machine-labeled when A-metadata says ``"human-annotated": "no"``),
  failed (A-metadata has ``failure-reason``) or unlabeled;
- for an object in both files the output line is the base (Ground Truth copies every input
  attribute into it) and the output's label wins; when the output line has no label but the
  input line has one (third-party label), that label is kept; an object only in the input keeps
  its input line;
- the chained manifest has one line per distinct object, in first-appearance order (input
  order, then output-only objects): labeled lines byte for byte, failed lines with A and
  A-metadata removed (so Ground Truth sends them again), unlabeled lines as they were (a null A
  or a stray A-metadata is removed too, so Ground Truth does not skip the object);
- every line that is not used goes to the rejects file (JSON lines ``{"file", "line", "reason"}``):
  invalid UTF-8, invalid JSON, not an object, over 100,000 characters, no key, and also
  duplicates (the first line of an object wins; later ones are reported with reason
  "duplicate of line N" and counted in ``duplicates``, not in ``rejected``). Blank lines carry
  no object: they are skipped and not reported.

Fast path: when the output lists the input's objects line for line (Ground Truth does), one
lockstep pass decodes each line once into a small view (msgspec: the key and the label state,
nothing else built) and writes the output line as read; only lines that change are parsed fully
(see _plan_in_lockstep). Anything unusual rewinds and runs the general path below.

General path (any order, bad lines, duplicates): each line is read once, as a view
(``key_status_reader``) or, outside the common shape, by a full parse; objects are tracked
by a 64-bit key hash in a hash table of two flat arrays (_KeyTable, no Python object per entry)
and per-line ``array`` columns; the output's lines stay in its file and are read back by offset:
sequentially when the output lists objects in input order, by one positional read each
otherwise. Labeled lines are copied as raw bytes; only lines that change are parsed fully and
re-serialized. Measured at 1M + 1M lines: 4.9 s in order, 6.6 s shuffled, under 90 MB peak RSS.

Hash collisions: every object also gets a second, independent 64-bit hash, checked on every
match. Two keys sharing the first hash but not the second restart the plan with a salted first
hash; sharing both (a 128-bit collision, odds below 2**-80 for millions of keys) is what we
accept as impossible.
"""

from __future__ import annotations

import io
import os
import secrets
from array import array
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from itertools import islice
from operator import attrgetter
from typing import Any, BinaryIO

from gtchain_runtime.domain.manifest_lines import (
    FAILED,
    HUMAN,
    LABELED_STATUSES,
    MACHINE,
    MAX_LINE_CHARS,
    NULL_LABEL,
    UNLABELED,
    UNLABELED_RESIDUE,
    UNSET,
    ManifestError,
    classify,
    dumps_line,
    key_status_reader,
    label_view_decoder,
    parse_record,
    parse_slow,
    strip_bom,
    validate_label_attribute,
    view_status,
    without_label,
)

__all__ = [
    "ManifestError",
    "ManifestPlan",
    "ManifestStats",
    "manifest_stats",
    "plan_chain",
    "validate_label_attribute",
]

ProgressCallback = Callable[[int], None]

# An output line's flags byte (_OutputLines.flags): its status, and two bits.
_STATUS_MASK = 0b111
_IN_INPUT = 0b1000  # the input names the line's object too
_NOT_AN_OBJECT = 0b10000  # blank, rejected or a duplicate
# A line of at most this many bytes has at most 100,000 characters; longer ones take the slow
# path, which counts characters.
_FAST_PATH_MAX_BYTES = MAX_LINE_CHARS
_PROGRESS_EVERY = 16384  # lines (a power of two: the check is a mask)
_NEARBY_LINES = 64  # an output line this close ahead is read by the buffered stream, not pread
_BLOCK_LINES = 4096  # the key table makes room for this many objects at a time (a power of two)
_LOCKSTEP_BLOCK = 64  # lines per file per block of the fast path
# Chained lines are joined and written every this many lines: a join that stays in the CPU
# cache (about 256 KB) before write() copies it again; 8 MB joins made the plan 30% slower.
_FLUSH_LINES = 512  # a power of two, a multiple of _LOCKSTEP_BLOCK, a divisor of _BLOCK_LINES


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
    duplicates: int
    rejected: int
    # Labeled objects whose label was already in the input (third-party or an earlier job):
    # labeled - input_labeled is what the job itself produced.
    input_labeled: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


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
    duplicates: int
    rejected: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


class _KeyHashCollisionError(Exception):
    """Two different keys share the first hash: the plan restarts with a salted hash."""


def _ref_identity(ref: str, salt: str) -> tuple[int, int]:
    """(h1, h2) of a source-ref key (the planner's loops inline it: they run once per line)."""
    return hash(salt + ref if salt else ref), hash(ref + "\x00r")


def _identity(record: dict[str, Any], salt: str) -> tuple[int, int]:
    """(h1, h2) of a valid record's key; source-ref and source keys never share h1."""
    ref = record.get("source-ref")
    if ref is not None:
        return _ref_identity(ref, salt)
    text: str = record["source"]
    return ~hash(salt + text if salt else text), hash(text + "\x00s")


class _Rejects:
    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self.rejected = 0
        self.duplicates = 0

    def reject(self, file: str, line: int, reason: str) -> None:
        self.rejected += 1
        self._write(file, line, reason)

    def duplicate(self, file: str, line: int, first_line: int) -> None:
        self.duplicates += 1
        self._write(file, line, f"duplicate of line {first_line} (same object): only the first is kept")

    def _write(self, file: str, line: int, reason: str) -> None:
        self._sink.write(dumps_line({"file": file, "line": line, "reason": reason}))


class _Parsed:
    """Result of the general (slow) path for one line."""

    __slots__ = ("h1", "h2", "reason", "record")

    def __init__(self, record: dict[str, Any] | None, reason: str | None, h1: int = 0, h2: int = 0) -> None:
        self.record = record
        self.reason = reason
        self.h1 = h1
        self.h2 = h2


def _parse_general(raw: bytes, first_line: bool, salt: str) -> _Parsed:
    """Any line the fast path did not take: blank, BOM, `source` key, too long, or bad."""
    if first_line:
        raw = strip_bom(raw)
    if not raw.strip():
        return _Parsed(None, None)  # blank: no object, nothing to report
    record, reason = parse_slow(raw)
    if record is None:
        return _Parsed(None, reason)
    h1, h2 = _identity(record, salt)
    return _Parsed(record, None, h1, h2)


class _Counts:
    __slots__ = ("failed", "human", "input_labeled", "machine", "unlabeled")

    def __init__(self) -> None:
        self.human = self.machine = self.failed = self.unlabeled = self.input_labeled = 0

    def add(self, status: int) -> None:
        if status == HUMAN:
            self.human += 1
        elif status == MACHINE:
            self.machine += 1
        elif status == FAILED:
            self.failed += 1
        else:
            self.unlabeled += 1


def plan_chain(
    input_manifest: BinaryIO,
    output_manifest: BinaryIO | None,
    label_attribute: str,
    chained_out: BinaryIO,
    rejects_out: BinaryIO,
    *,
    progress: ProgressCallback | None = None,
) -> ManifestPlan:
    """Write the chained input manifest and the rejects; return the counts.

    ``input_manifest`` and ``output_manifest`` are seekable binary files (the S3 adapter spools
    objects to temporary files); ``output_manifest`` is None when the job wrote none (a failed
    job, or third-party labels only). ``chained_out`` and ``rejects_out`` must be seekable too
    (a key-hash collision, about once in 10**7 runs of a million objects, rewrites them).
    ``progress`` receives the number of bytes read so far, now and then.
    """
    validate_label_attribute(label_attribute)
    streams = (input_manifest, output_manifest, chained_out, rejects_out)
    if output_manifest is not None:
        plan = _plan_in_lockstep(input_manifest, output_manifest, label_attribute, chained_out, progress)
        if plan is not None:
            return plan
        _rewind(*streams)  # not the common shape: start over on the general path
    salt = ""
    while True:
        try:
            return _Planner(label_attribute, salt, progress).run(
                input_manifest, output_manifest, chained_out, rejects_out
            )
        except _KeyHashCollisionError:
            salt = secrets.token_hex(8)
            _rewind(*streams)


def _rewind(
    input_manifest: BinaryIO, output_manifest: BinaryIO | None, chained_out: BinaryIO, rejects_out: BinaryIO
) -> None:
    """Back to the start of both manifests, with empty chained and rejects files."""
    for stream in (input_manifest, output_manifest, chained_out, rejects_out):
        if stream is not None:
            stream.seek(0)
    chained_out.truncate()
    rejects_out.truncate()


# ---------------------------------------------------------------- fast path: lockstep
def _plan_in_lockstep(
    input_manifest: BinaryIO,
    output_manifest: BinaryIO,
    attribute: str,
    chained_out: BinaryIO,
    progress: ProgressCallback | None,
) -> ManifestPlan | None:
    """Plan the common shape in one pass, or return None (chained_out then holds junk).

    The common shape: Ground Truth writes the output in input order, so line i of both files
    names the same object; every line is a valid UTF-8 JSON object keyed by a "source-ref"
    string; no key repeats. Each line is decoded once into a view (``label_view_decoder``:
    only the key and the label state are built) and the output line is written as the bytes
    read, except the few that change (failed, a null label or stray metadata, an input label
    the output lacks), which are parsed fully. Anything else (a bad or blank line, a BOM, a
    "source" key, a different order or length, a long line, a duplicate or a hash collision)
    returns None and the caller runs the general path, which handles and reports all of it;
    so does a missing msgspec.
    """
    decode = label_view_decoder(attribute)
    if decode is None:
        return None
    unset, null = UNSET, NULL_LABEL
    key_of = attrgetter("key")
    # Duplicate check: key hashes in 8 bytes each, all compared once at the end (in C, cheaper
    # than a set lookup per line); equal hashes send the plan to the general path, so a
    # collision of two different keys costs time, never correctness.
    key_hashes = array("q")
    tally = [0] * (UNLABELED_RESIDUE + 1)  # final status -> objects
    input_labeled = 0
    batch: list[bytes] = []  # chained lines, written in blocks: one write call per line is slow
    blocks = 0
    try:
        while True:
            # Small blocks of both files: per-block checks run in C (map, list compare) and
            # the lines stay in the CPU cache.
            in_lines = list(islice(input_manifest, _LOCKSTEP_BLOCK))
            out_lines = list(islice(output_manifest, _LOCKSTEP_BLOCK))
            if len(in_lines) != len(out_lines):
                return None
            if not in_lines:
                break
            if not (blocks * _LOCKSTEP_BLOCK) & (_FLUSH_LINES - 1):
                chained_out.write(b"".join(batch))
                batch.clear()
                if progress is not None and not (blocks * _LOCKSTEP_BLOCK) & (_PROGRESS_EVERY - 1):
                    progress(input_manifest.tell() + output_manifest.tell())
            blocks += 1
            # Lines short enough to be valid whatever their characters, and valid UTF-8 (the
            # views skip strings unchecked). ASCII is checked per line, anything else per block.
            if (
                max(map(len, in_lines)) > _FAST_PATH_MAX_BYTES
                or max(map(len, out_lines)) > _FAST_PATH_MAX_BYTES
            ):
                return None
            if not all(map(bytes.isascii, in_lines)):
                b"".join(in_lines).decode("utf-8")
            if not all(map(bytes.isascii, out_lines)):
                b"".join(out_lines).decode("utf-8")
            in_views = list(map(decode, in_lines))
            out_views = list(map(decode, out_lines))
            keys = list(map(key_of, out_views))
            if keys != list(map(key_of, in_views)):  # same objects in the same order
                return None
            key_hashes.extend(map(hash, keys))
            index = -1
            for out_view, in_view in zip(out_views, in_views, strict=True):
                index += 1
                # view_status(), inlined: this loop runs once per object (4% of the plan as calls).
                label, meta = out_view.label, out_view.meta
                if meta is not unset and meta.failure_reason is not unset:
                    status = FAILED
                elif label is not unset and label != null:
                    status = MACHINE if meta is not unset and meta.human_annotated == "no" else HUMAN
                elif label is unset and meta is unset:
                    status = UNLABELED
                else:
                    status = UNLABELED_RESIDUE
                # Whether the input line is labeled (a third-party label, or an earlier job's).
                in_label, in_meta = in_view.label, in_view.meta
                in_labeled = (
                    in_label is not unset
                    and in_label != null
                    and (in_meta is unset or in_meta.failure_reason is unset)
                )
                if status in LABELED_STATUSES:  # the output's label wins, byte for byte
                    input_labeled += in_labeled
                elif status != UNLABELED or in_labeled:  # the line changes: parse it fully
                    in_status = view_status(in_view)
                    in_record = parse_record(in_lines[index]) if in_labeled else None
                    out_lines[index], status = _merged_line(
                        parse_record(out_lines[index]), status, in_record, in_status, attribute
                    )
                    input_labeled += status in LABELED_STATUSES  # a label here came from the input
                tally[status] += 1
            batch += out_lines
    except ValueError:  # not UTF-8, not JSON, not the views' shape (msgspec.DecodeError)
        return None
    line = len(key_hashes)
    if len(set(key_hashes)) != line:
        return None
    if batch and not batch[-1].endswith(b"\n"):  # the output's last line had no newline
        batch.append(b"\n")
    chained_out.write(b"".join(batch))
    labeled = tally[HUMAN] + tally[MACHINE]
    unlabeled = tally[UNLABELED] + tally[UNLABELED_RESIDUE]
    return ManifestPlan(
        total=line,
        labeled=labeled,
        human_labeled=tally[HUMAN],
        machine_labeled=tally[MACHINE],
        failed=tally[FAILED],
        unlabeled=unlabeled,
        remaining=tally[FAILED] + unlabeled,
        duplicates=0,
        rejected=0,
        input_labeled=input_labeled,
    )


# ---------------------------------------------------------------- general path
class _KeyTable:
    """Objects by first key hash (h1), each with a non-zero int32 value: a hash table in two flat
    arrays (open addressing, linear probing, at most half full).

    Why not a dict[int, int]: it costs about 75 bytes an object (entry, index slot and an int
    object per key); this costs 12 bytes a slot, so 24 to 48 bytes an object, and no Python
    object per entry.

    The planner's loops inline ``slot`` and the insertion (they run once per line); before each
    block of lines they ``reserve`` room for the block, so the arrays they hold stay valid."""

    __slots__ = ("keys", "mask", "size", "values")

    def __init__(self) -> None:
        self.size = 0
        self._allocate(2 * _BLOCK_LINES)

    def _allocate(self, slots: int) -> None:
        self.keys = array("q", bytes(8 * slots))
        self.values = array("i", bytes(4 * slots))  # 0: a free slot; int32 holds 2**31 lines
        self.mask = slots - 1  # slots is a power of two

    def slot(self, h1: int) -> int:
        """The slot holding h1, else the free slot where it goes (see ``values[slot]``)."""
        keys, values, mask = self.keys, self.values, self.mask
        slot = h1 & mask
        while values[slot] and keys[slot] != h1:
            slot = (slot + 1) & mask
        return slot

    def reserve(self, objects: int) -> None:
        """Room for ``objects`` in all at most half full (past that, probes get long)."""
        slots = len(self.values)
        while 2 * objects > slots:
            slots *= 2
        if slots > len(self.values):
            self._rehash(slots)

    def _rehash(self, slots: int) -> None:
        old_keys, old_values = self.keys, self.values
        self._allocate(slots)
        keys, values = self.keys, self.values
        for h1, value in zip(old_keys, old_values, strict=True):
            if value:
                slot = self.slot(h1)
                keys[slot] = h1
                values[slot] = value


def _positional_reader(stream: BinaryIO) -> Callable[[int, int], bytes] | None:
    """``read(length, offset)`` by os.pread when the stream is an OS file, else None.

    One system call per line read out of order, where seek + read refills the 8 KB buffer; the
    buffered position stays put, so reads in order resume where they were."""
    if not hasattr(os, "pread") or not isinstance(stream, io.BufferedReader | io.BufferedRandom):
        return None
    return partial(os.pread, stream.fileno())


class _OutputLines:
    """The output manifest, indexed by pass 1, read back by line index in passes 2 and 3.

    Per physical line: where it starts, its object's second hash and a flags byte (17 bytes);
    the lines themselves stay in the file."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.offset = array("q")  # start of each line, then the end of the file
        self.h2 = array("q")  # second key hash of the line's object (0: no object)
        self.flags = bytearray()  # status | _IN_INPUT, or _NOT_AN_OBJECT
        self.objects = 0
        self._next_line = -1  # the line the buffered stream is positioned at (-1: unknown)
        self._pread = _positional_reader(stream)

    def read(self, line: int) -> bytes:
        start = self.offset[line]
        length = self.offset[line + 1] - start
        ahead = line - self._next_line
        if 0 <= ahead < _NEARBY_LINES or self._pread is None:
            # In input order, or a few lines on (past rejected or output-only lines): buffered.
            if ahead:
                self.stream.seek(start)
            raw = self.stream.read(length)
            self._next_line = line + 1
        else:
            raw = self._pread(length, start)
        if len(raw) != length:
            raise ManifestError("the output manifest changed while it was being read")
        if line == 0:
            raw = strip_bom(raw)
        return raw if raw.endswith(b"\n") else raw + b"\n"


class _Planner:
    """Pass 1 indexes the output, pass 2 streams the input and writes its objects' chained lines,
    pass 3 appends output-only objects.

    Memory at 1M + 1M lines: the key table (24 MB), 21 bytes per output line (offset, second
    hash, flags, first input line) and 12 per input-only object; no Python object per line
    outlives its line."""

    def __init__(self, attribute: str, salt: str, progress: ProgressCallback | None) -> None:
        self.attribute = attribute
        self.metadata_attribute = f"{attribute}-metadata"
        self.salt = salt
        self.progress = progress
        self.read = key_status_reader(attribute)
        # Every object of both files. Value: its output line number (1-based) when the output
        # names it, else ~i for the i-th input-only object.
        self.table = _KeyTable()
        self.bytes_read = 0

    def run(
        self,
        input_manifest: BinaryIO,
        output_manifest: BinaryIO | None,
        chained_out: BinaryIO,
        rejects_out: BinaryIO,
    ) -> ManifestPlan:
        rejects = _Rejects(rejects_out)
        counts = _Counts()
        output = None
        if output_manifest is not None:
            output = _OutputLines(output_manifest)
            self._index_output(output, rejects)
        matched = self._chain_input(input_manifest, output, chained_out, rejects, counts)
        if output is not None and output.objects > matched:
            self._chain_output_only(output, chained_out, counts)
        labeled = counts.human + counts.machine
        total = self.table.size
        if total != labeled + counts.failed + counts.unlabeled:  # an invariant, not user input
            raise AssertionError(f"plan counts do not add up: {total} objects, {counts.__dict__}")
        return ManifestPlan(
            total=total,
            labeled=labeled,
            human_labeled=counts.human,
            machine_labeled=counts.machine,
            failed=counts.failed,
            unlabeled=counts.unlabeled,
            remaining=counts.failed + counts.unlabeled,
            duplicates=rejects.duplicates,
            rejected=rejects.rejected,
            input_labeled=counts.input_labeled,
        )

    def _tick(self, position: int) -> None:
        if self.progress is not None:
            self.progress(self.bytes_read + position)

    def _make_room(self, stream: BinaryIO, line: int, position: int) -> None:
        """Before each block of lines: room in the key table for the block's objects. After the
        first block, room for as many objects as this file seems to hold (its size over the
        bytes per line so far): one rehash rather than one per doubling."""
        objects = self.table.size + _BLOCK_LINES
        if line == _BLOCK_LINES and stream.seekable():
            here = stream.tell()
            size = stream.seek(0, io.SEEK_END)
            stream.seek(here)
            objects = max(objects, line * size // position)
        self.table.reserve(objects)

    # Pass 1: read every output line once; remember offsets, second hashes and statuses.
    def _index_output(self, output: _OutputLines, rejects: _Rejects) -> None:
        read, salt, table = self.read, self.salt, self.table
        attribute, metadata_attribute = self.attribute, self.metadata_attribute
        out_offset, out_h2, out_flags = output.offset, output.h2, output.flags
        keys, values, mask = table.keys, table.values, table.mask
        position = 0
        line = 0
        for raw in output.stream:
            out_offset.append(position)
            position += len(raw)
            line += 1
            if not line & (_BLOCK_LINES - 1):
                self._make_room(output.stream, line, position)
                keys, values, mask = table.keys, table.values, table.mask
                if not line & (_PROGRESS_EVERY - 1):
                    self._tick(position)
            try:  # the common shape: a short JSON object keyed by a source-ref string
                ref, status = read(raw)
                h1 = hash(salt + ref if salt else ref)
                h2 = hash(ref + "\x00r")
            except ValueError:
                parsed = _parse_general(raw, line == 1, salt)
                if parsed.record is None:
                    if parsed.reason is not None:
                        rejects.reject("output", line, parsed.reason)
                    out_h2.append(0)
                    out_flags.append(_NOT_AN_OBJECT)
                    continue
                h1, h2 = parsed.h1, parsed.h2
                status = classify(parsed.record, attribute, metadata_attribute)
            slot = h1 & mask  # _KeyTable.slot, inlined
            while (first_line := values[slot]) and keys[slot] != h1:
                slot = (slot + 1) & mask
            if first_line:
                if out_h2[first_line - 1] != h2:
                    raise _KeyHashCollisionError
                rejects.duplicate("output", line, first_line)
                out_h2.append(0)
                out_flags.append(_NOT_AN_OBJECT)
            else:
                keys[slot] = h1
                values[slot] = line
                table.size += 1
                out_h2.append(h2)
                out_flags.append(status)
        out_offset.append(position)
        output.objects = table.size
        self.bytes_read += position

    # Pass 2: parse every input line once and write the chained line of each object.
    def _chain_input(
        self,
        stream: BinaryIO,
        output: _OutputLines | None,
        chained_out: BinaryIO,
        rejects: _Rejects,
        counts: _Counts,
    ) -> int:
        """Return how many output objects the input names."""
        read, salt, table = self.read, self.salt, self.table
        attribute, metadata_attribute = self.attribute, self.metadata_attribute
        batch: list[bytes] = []  # chained lines, written in blocks: one write call per line is slow
        write = batch.append
        out_h2 = output.h2 if output is not None else array("q")
        out_flags = output.flags if output is not None else bytearray()
        # First input line of each output line's object, to name it when the input repeats it.
        first_input_line = array("i", bytes(4 * len(out_flags)))
        only_h2 = array("q")  # second hash and first line of each input-only object
        only_line = array("i")
        tally = [0] * (UNLABELED_RESIDUE + 1)  # final status -> objects
        input_labeled = 0
        matched = 0
        labeled_statuses = LABELED_STATUSES
        kept_as_is = (HUMAN, MACHINE, UNLABELED)
        table.reserve(table.size + _BLOCK_LINES)
        keys, values, mask = table.keys, table.values, table.mask
        position = 0
        line = 0
        for raw in stream:
            position += len(raw)
            line += 1
            if not line & (_FLUSH_LINES - 1):
                chained_out.write(b"".join(batch))
                batch.clear()
                if not line & (_BLOCK_LINES - 1):
                    self._make_room(stream, line, position)
                    keys, values, mask = table.keys, table.values, table.mask
                    if not line & (_PROGRESS_EVERY - 1):
                        self._tick(position)
            record = None  # parsed fully only when the chained line needs it
            try:  # the common shape: a short JSON object keyed by a source-ref string
                ref, input_status = read(raw)
                h1 = hash(salt + ref if salt else ref)
                h2 = hash(ref + "\x00r")
            except ValueError:
                parsed = _parse_general(raw, line == 1, salt)
                if parsed.record is None:
                    if parsed.reason is not None:
                        rejects.reject("input", line, parsed.reason)
                    continue
                record, h1, h2 = parsed.record, parsed.h1, parsed.h2
                input_status = classify(record, attribute, metadata_attribute)
                if line == 1:
                    raw = strip_bom(raw)  # noqa: PLW2901 - the BOM must not reach the chained file
            slot = h1 & mask  # _KeyTable.slot, inlined
            while (found := values[slot]) and keys[slot] != h1:
                slot = (slot + 1) & mask
            if found > 0:  # the output names the object: found is its output line number
                assert output is not None
                out_index = found - 1
                if out_h2[out_index] != h2:
                    raise _KeyHashCollisionError
                flags = out_flags[out_index]
                if flags & _IN_INPUT:
                    rejects.duplicate("input", line, first_input_line[out_index])
                    continue
                out_flags[out_index] = flags | _IN_INPUT
                first_input_line[out_index] = line
                matched += 1
                status = flags & _STATUS_MASK
                if status in labeled_statuses:  # the output's label wins, byte for byte
                    write(output.read(out_index))
                    input_labeled += input_status in labeled_statuses
                else:
                    if input_status in labeled_statuses and record is None:
                        record = _parse_known_good(raw)  # its label goes to the chained line
                    status = self._write_common(output.read(out_index), status, record, input_status, write)
                    input_labeled += status in labeled_statuses and input_status in labeled_statuses
            elif found < 0:  # an input-only object met on an earlier line
                if only_h2[~found] != h2:
                    raise _KeyHashCollisionError
                rejects.duplicate("input", line, only_line[~found])
                continue
            else:  # only in the input: its own line decides
                keys[slot] = h1
                values[slot] = ~len(only_h2)
                table.size += 1
                only_h2.append(h2)
                only_line.append(line)
                status = input_status
                if status in kept_as_is:
                    write(raw if raw[-1:] == b"\n" else raw + b"\n")
                    input_labeled += status in labeled_statuses
                else:
                    if record is None:
                        record = _parse_known_good(raw)
                    write(without_label(record, attribute, metadata_attribute))
                    status = FAILED if status == FAILED else UNLABELED
            tally[status] += 1
        chained_out.write(b"".join(batch))
        counts.human += tally[HUMAN]
        counts.machine += tally[MACHINE]
        counts.failed += tally[FAILED]
        counts.unlabeled += tally[UNLABELED] + tally[UNLABELED_RESIDUE]
        counts.input_labeled += input_labeled
        self.bytes_read += position
        return matched

    def _write_common(
        self,
        out_raw: bytes,
        out_status: int,
        input_record: dict[str, Any] | None,
        input_status: int,
        write: Callable[[bytes], object],
    ) -> int:
        """Write the chained line of an object in both files; return its final status."""
        if out_status in LABELED_STATUSES:  # the output's label wins
            write(out_raw)
            return out_status
        if out_status == UNLABELED and input_status not in LABELED_STATUSES:
            write(out_raw)
            return UNLABELED
        out_record = _parse_known_good(out_raw)
        chained, status = _merged_line(out_record, out_status, input_record, input_status, self.attribute)
        write(chained)
        return status

    # Pass 3 (only when the output names objects the input does not): append them.
    def _chain_output_only(self, output: _OutputLines, chained_out: BinaryIO, counts: _Counts) -> None:
        attribute, metadata_attribute = self.attribute, self.metadata_attribute
        for line, flags in enumerate(output.flags):
            if flags & (_IN_INPUT | _NOT_AN_OBJECT):
                continue
            status = flags & _STATUS_MASK
            raw = output.read(line)
            if status in LABELED_STATUSES or status == UNLABELED:
                chained_out.write(raw)
            else:
                record = _parse_known_good(raw)
                chained_out.write(without_label(record, attribute, metadata_attribute))
                status = FAILED if status == FAILED else UNLABELED
            counts.add(status)


def _merged_line(
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


def _parse_known_good(raw: bytes) -> dict[str, Any]:
    """Parse a line that was accepted already, to write it back (BOM and all: it may be line 1)."""
    return parse_record(strip_bom(raw))


def manifest_stats(manifest: BinaryIO, label_attribute: str) -> ManifestStats:
    """Count objects and label states of one manifest (first line of an object wins)."""
    validate_label_attribute(label_attribute)
    metadata_attribute = f"{label_attribute}-metadata"
    read = key_status_reader(label_attribute)
    seen: set[tuple[int, int]] = set()
    statuses = [0] * (UNLABELED_RESIDUE + 1)
    lines = duplicates = rejected = 0
    for raw in manifest:
        lines += 1
        try:  # the common shape: a short JSON object keyed by a source-ref string
            ref, status = read(raw)
            identity = _ref_identity(ref, "")
        except ValueError:
            parsed = _parse_general(raw, lines == 1, "")
            if parsed.record is None:
                rejected += parsed.reason is not None
                continue
            identity = (parsed.h1, parsed.h2)
            status = classify(parsed.record, label_attribute, metadata_attribute)
        if identity in seen:
            duplicates += 1
            continue
        seen.add(identity)
        statuses[status] += 1
    return ManifestStats(
        lines=lines,
        objects=len(seen),
        labeled=statuses[HUMAN] + statuses[MACHINE],
        human_labeled=statuses[HUMAN],
        machine_labeled=statuses[MACHINE],
        failed=statuses[FAILED],
        unlabeled=statuses[UNLABELED] + statuses[UNLABELED_RESIDUE],
        duplicates=duplicates,
        rejected=rejected,
    )
