"""The planner's general path: any order, bad lines, repeated keys.

Each line is read once, as a view (``keys.identity_reader``) or, outside the common shape, by
a full parse; objects are tracked by their key hashes in the key table (``keys.KeyTable``, no
Python object per entry) and per-line ``array`` columns; the output's lines stay in its file
and are read back by offset: sequentially when the output lists objects in input order, by one
positional read each otherwise. Labeled lines are copied as raw bytes; only lines that change
are parsed fully and re-serialized.

One line is one object (Ground Truth's datasetObjectId is the line's index): a key on several
lines of a file names several objects, and the n-th input line of a key pairs with the n-th
output line of that key. The output's lines of one key are linked in pass 1 (``next_line``);
the key table points at the first one no input line took yet.
"""

from __future__ import annotations

import io
import os
from array import array
from collections.abc import Callable
from functools import partial
from typing import Any, BinaryIO

from gtchain_runtime.domain.manifest.keys import (
    BLOCK_LINES,
    KeyHashCollisionError,
    KeyTable,
    SlowLine,
    identity_reader,
    read_slow_line,
)
from gtchain_runtime.domain.manifest.lines import ManifestError, dumps_line, strip_bom, without_label
from gtchain_runtime.domain.manifest.plan import (
    FLUSH_LINES,
    PROGRESS_EVERY,
    ManifestPlan,
    ProgressCallback,
    keeps_output_line,
    merged_line,
    parse_known_good,
)
from gtchain_runtime.domain.manifest.status import LABELED_STATUSES, UNLABELED, new_tally

# An output line's flags byte (OutputLines.flags): its status, and two bits.
_STATUS_MASK = 0b111
_IN_INPUT = 0b1000  # the input names the line's object too
_NOT_AN_OBJECT = 0b10000  # blank or rejected
_NEARBY_LINES = 64  # an output line this close ahead is read by the buffered stream, not pread


class _Rejects:
    """The rejects file, and how many lines went there."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self.rejected = 0

    def reject(self, file: str, line: int, reason: str) -> None:
        self.rejected += 1
        self._sink.write(dumps_line({"file": file, "line": line, "reason": reason}))


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
    the lines themselves stay in the file. Only when a key repeats: per line, the next line of
    its key and (on a key's first line) the last one so far, 8 bytes more."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.offset = array("q")  # start of each line, then the end of the file
        self.h2 = array("q")  # second key hash of the line's object (0: no object)
        self.flags = bytearray()  # status | _IN_INPUT, or _NOT_AN_OBJECT
        self.objects = 0
        self.next_line = array("i")  # 1-based next line of the same key, 0: none (empty: no repeats)
        self._last_line = array("i")  # on a key's first line: its last line so far (0: itself)
        self._next_line = -1  # the line the buffered stream is positioned at (-1: unknown)
        self._pread = _positional_reader(stream)

    def link(self, first_line: int, line: int) -> None:
        """``line`` (1-based) repeats the key of ``first_line``: chain it after the key's last line."""
        if len(self.next_line) < line:  # grow by doubling: repeats may be many
            missing = max(line, 2 * len(self.next_line)) - len(self.next_line)
            self.next_line.frombytes(bytes(4 * missing))
            self._last_line.frombytes(bytes(4 * missing))
        last = self._last_line[first_line - 1] or first_line
        self.next_line[last - 1] = line
        self._last_line[first_line - 1] = line

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


class Planner:
    """Pass 1 indexes the output, pass 2 streams the input and writes its objects' chained lines,
    pass 3 appends output-only objects.

    Memory at 1M + 1M lines: the key table (24 MB), 17 bytes per output line (offset, second
    hash, flags; 8 more when keys repeat) and 8 per input-only object; no Python object per
    line outlives its line."""

    def __init__(self, attribute: str, salt: str, progress: ProgressCallback | None) -> None:
        self.attribute = attribute
        self.metadata_attribute = f"{attribute}-metadata"
        self.salt = salt
        self.progress = progress
        self.read = identity_reader(attribute, salt)
        # Every key of both files. Value: the first output line (1-based) of the key that no
        # input line took yet (the last one once all are taken), else ~i for the i-th key the
        # output does not name.
        self.table = KeyTable()
        self.bytes_read = 0

    def run(
        self,
        input_manifest: BinaryIO,
        output_manifest: BinaryIO | None,
        chained_out: BinaryIO,
        rejects_out: BinaryIO,
    ) -> ManifestPlan:
        rejects = _Rejects(rejects_out)
        tally = new_tally()  # final status -> objects
        output = None
        if output_manifest is not None:
            output = _OutputLines(output_manifest)
            self._index_output(output, rejects)
        matched, input_labeled = self._chain_input(input_manifest, output, chained_out, rejects, tally)
        if output is not None and output.objects > matched:
            self._chain_output_only(output, chained_out, tally)
        objects = sum(tally)
        if objects < self.table.size:  # an invariant, not user input: every key is an object
            raise AssertionError(f"plan counts do not add up: {self.table.size} keys, {tally}")
        return ManifestPlan.from_tally(
            tally,
            repeated_keys=objects - self.table.size,
            rejected=rejects.rejected,
            input_labeled=input_labeled,
        )

    def _read_slow_line(self, raw: bytes, file: str, line: int, rejects: _Rejects) -> SlowLine:
        """A line the identity reader refused, parsed fully; a bad one is reported."""
        parsed = read_slow_line(raw, line == 1, self.attribute, self.salt)
        if parsed.reason is not None:
            rejects.reject(file, line, parsed.reason)
        return parsed

    def _tick(self, position: int) -> None:
        if self.progress is not None:
            self.progress(self.bytes_read + position)

    def _make_room(self, stream: BinaryIO, line: int, position: int) -> None:
        """Before each block of lines: room in the key table for the block's objects. After the
        first block, room for as many objects as this file seems to hold (its size over the
        bytes per line so far): one rehash rather than one per doubling."""
        objects = self.table.size + BLOCK_LINES
        if line == BLOCK_LINES and stream.seekable():
            here = stream.tell()
            size = stream.seek(0, io.SEEK_END)
            stream.seek(here)
            objects = max(objects, line * size // position)
        self.table.reserve(objects)

    # Pass 1: read every output line once; remember offsets, second hashes and statuses, and
    # link the lines of a repeated key.
    def _index_output(self, output: _OutputLines, rejects: _Rejects) -> None:
        read, table = self.read, self.table
        out_offset, out_h2, out_flags = output.offset, output.h2, output.flags
        keys, values, mask = table.keys, table.values, table.mask
        position = 0
        line = objects = 0
        for raw in output.stream:
            out_offset.append(position)
            position += len(raw)
            line += 1
            if not line & (BLOCK_LINES - 1):
                self._make_room(output.stream, line, position)
                keys, values, mask = table.keys, table.values, table.mask
                if not line & (PROGRESS_EVERY - 1):
                    self._tick(position)
            try:  # the common shape: a short JSON object keyed by a source-ref string
                h1, h2, status = read(raw)
            except ValueError:
                parsed = self._read_slow_line(raw, "output", line, rejects)
                if parsed.record is None:
                    out_h2.append(0)
                    out_flags.append(_NOT_AN_OBJECT)
                    continue
                h1, h2, status = parsed.h1, parsed.h2, parsed.status
            slot = h1 & mask  # KeyTable.slot, inlined
            while (first_line := values[slot]) and keys[slot] != h1:
                slot = (slot + 1) & mask
            if first_line:  # the key repeats: another object, after the key's earlier lines
                if out_h2[first_line - 1] != h2:
                    raise KeyHashCollisionError
                output.link(first_line, line)
            else:
                keys[slot] = h1
                values[slot] = line
                table.size += 1
            objects += 1
            out_h2.append(h2)
            out_flags.append(status)
        out_offset.append(position)
        output.objects = objects
        self.bytes_read += position

    # Pass 2: parse every input line once and write the chained line of each object. One loop,
    # its branches inline: it runs once per input line (C901 rates it 18, over 10).
    def _chain_input(  # noqa: C901, PLR0912, PLR0915 - the per-line hot loop; it inlines the line rules (status.status_of) for speed
        self,
        stream: BinaryIO,
        output: _OutputLines | None,
        chained_out: BinaryIO,
        rejects: _Rejects,
        tally: list[int],
    ) -> tuple[int, int]:
        """Count final statuses in ``tally``; return how many output objects the input names
        and how many labeled objects had their label in the input."""
        read, table = self.read, self.table
        attribute, metadata_attribute = self.attribute, self.metadata_attribute
        batch: list[bytes] = []  # chained lines, written in blocks: one write call per line is slow
        write = batch.append
        out_h2 = output.h2 if output is not None else array("q")
        out_flags = output.flags if output is not None else bytearray()
        next_line = output.next_line if output is not None else array("i")  # empty: no key repeats
        only_h2 = array("q")  # second hash of each key the output does not name
        input_labeled = 0
        matched = 0
        labeled_statuses = LABELED_STATUSES
        kept_as_is = (*LABELED_STATUSES, UNLABELED)
        table.reserve(table.size + BLOCK_LINES)
        keys, values, mask = table.keys, table.values, table.mask
        position = 0
        line = 0
        for raw in stream:
            position += len(raw)
            line += 1
            if not line & (FLUSH_LINES - 1):
                chained_out.write(b"".join(batch))
                batch.clear()
                if not line & (BLOCK_LINES - 1):
                    self._make_room(stream, line, position)
                    keys, values, mask = table.keys, table.values, table.mask
                    if not line & (PROGRESS_EVERY - 1):
                        self._tick(position)
            record = None  # parsed fully only when the chained line needs it
            try:  # the common shape: a short JSON object keyed by a source-ref string
                h1, h2, input_status = read(raw)
            except ValueError:
                parsed = self._read_slow_line(raw, "input", line, rejects)
                if parsed.record is None:
                    continue
                record, h1, h2, input_status = parsed.record, parsed.h1, parsed.h2, parsed.status
                if line == 1:
                    raw = strip_bom(raw)  # noqa: PLW2901 - the BOM must not reach the chained file
            slot = h1 & mask  # KeyTable.slot, inlined
            while (found := values[slot]) and keys[slot] != h1:
                slot = (slot + 1) & mask
            if found > 0:  # the output names the key: found is its first output line not taken
                assert output is not None
                out_index = found - 1
                if out_h2[out_index] != h2:
                    raise KeyHashCollisionError
                flags = out_flags[out_index]
                if not flags & _IN_INPUT:  # this input line's object is that output line's
                    out_flags[out_index] = flags | _IN_INPUT
                    if next_line and out_index < len(next_line) and next_line[out_index]:
                        values[slot] = next_line[out_index]  # the key's next output line
                    matched += 1
                    status = flags & _STATUS_MASK
                    if status in labeled_statuses:  # the output's label wins, byte for byte
                        write(output.read(out_index))
                        input_labeled += input_status in labeled_statuses
                    else:
                        if input_status in labeled_statuses and record is None:
                            record = parse_known_good(raw)  # its label goes to the chained line
                        status = self._write_common(
                            output.read(out_index), status, record, input_status, write
                        )
                        input_labeled += status in labeled_statuses and input_status in labeled_statuses
                    tally[status] += 1
                    continue
                # The input holds the key more often than the output: this line is input-only.
                values[slot] = ~len(only_h2)
                only_h2.append(h2)
            elif found < 0:  # a key the output does not name, met on an earlier line
                if only_h2[~found] != h2:
                    raise KeyHashCollisionError
            else:  # a new key, only in the input
                keys[slot] = h1
                values[slot] = ~len(only_h2)
                table.size += 1
                only_h2.append(h2)
            # An object only in the input: its own line decides.
            status = input_status
            if status in kept_as_is:
                write(raw if raw[-1:] == b"\n" else raw + b"\n")
                input_labeled += status in labeled_statuses
            else:
                record = record if record is not None else parse_known_good(raw)
                write(without_label(record, attribute, metadata_attribute))
            tally[status] += 1
        chained_out.write(b"".join(batch))
        self.bytes_read += position
        return matched, input_labeled

    def _write_common(
        self,
        out_raw: bytes,
        out_status: int,
        input_record: dict[str, Any] | None,
        input_status: int,
        write: Callable[[bytes], object],
    ) -> int:
        """Write the chained line of an object in both files; return its final status."""
        if keeps_output_line(out_status, input_status in LABELED_STATUSES):
            write(out_raw)
            return out_status
        out_record = parse_known_good(out_raw)
        chained, status = merged_line(out_record, out_status, input_record, input_status, self.attribute)
        write(chained)
        return status

    # Pass 3 (only when the output names objects the input does not): append them.
    def _chain_output_only(self, output: _OutputLines, chained_out: BinaryIO, tally: list[int]) -> None:
        attribute, metadata_attribute = self.attribute, self.metadata_attribute
        for line, flags in enumerate(output.flags):
            if flags & (_IN_INPUT | _NOT_AN_OBJECT):
                continue
            status = flags & _STATUS_MASK
            raw = output.read(line)
            if keeps_output_line(status, input_labeled=False):
                chained_out.write(raw)
            else:
                chained_out.write(without_label(parse_known_good(raw), attribute, metadata_attribute))
            tally[status] += 1
