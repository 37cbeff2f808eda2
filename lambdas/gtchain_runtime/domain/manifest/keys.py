"""Object keys: their two hashes, the readers of a line's key hashes and status, the key table.

An object is named by ``source-ref``, else ``source``. The planner and manifest stats never
keep a key's text: they keep two independent 64-bit hashes of it. The first (``h1``) places
the object in the key table; the second (``h2``) is checked on every match. Two keys sharing
h1 but not h2 raise ``KeyHashCollisionError`` and the plan restarts with a salted h1; sharing
both (a 128-bit collision, odds below 2**-80 for millions of keys) is accepted as impossible.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

from gtchain_runtime.domain.manifest.lines import (
    MAX_LINE_CHARS,
    json_loader,
    label_view_decoder,
    parse_slow,
    strip_bom,
)
from gtchain_runtime.domain.manifest.status import classify, view_status

# The key table's size grows by this many objects at a time (a power of two).
BLOCK_LINES = 4096

IdentityReader = Callable[[bytes], tuple[int, int, int]]


class KeyHashCollisionError(Exception):
    """Two different keys share the first hash: the plan restarts with a salted hash."""


def ref_hashes(ref: str, salt: str) -> tuple[int, int]:
    """(h1, h2) of a source-ref key. ``"" + ref`` is ``ref`` itself: no copy without a salt."""
    return hash(salt + ref), hash(ref + "\x00r")


def record_hashes(record: dict[str, Any], salt: str) -> tuple[int, int]:
    """(h1, h2) of a valid record's key; source-ref and source keys never share h1."""
    ref = record.get("source-ref")
    if ref is not None:
        return ref_hashes(ref, salt)
    text: str = record["source"]
    return ~hash(salt + text), hash(text + "\x00s")


class NotCommonShapeError(ValueError):
    """A line outside the common shape: parse it fully (``lines.parse_slow``) to accept or reject it."""


def identity_reader(attribute: str, salt: str) -> IdentityReader:
    """A function reading (h1, h2, status) from a line in the common shape: a UTF-8 JSON object
    of at most 100,000 bytes keyed by a non-empty "source-ref" string. On anything else it
    raises ValueError and the caller takes the full path.

    With msgspec it decodes a view (nothing but the key and the label state is built);
    without, it parses the line with ``json_loader()``."""
    decode = label_view_decoder(attribute)
    if decode is not None:

        def read_view(raw: bytes) -> tuple[int, int, int]:
            if len(raw) > MAX_LINE_CHARS:
                raise NotCommonShapeError("long line: count its characters")
            if not raw.isascii():
                raw.decode("utf-8")  # the views skip strings unchecked
            view = decode(raw)
            return *ref_hashes(view.key, salt), view_status(view)

        return read_view

    loads, metadata_attribute = json_loader(), f"{attribute}-metadata"

    def read_record(raw: bytes) -> tuple[int, int, int]:
        record = loads(raw)
        ref = record.get("source-ref") if type(record) is dict else None
        if type(ref) is not str or not ref or len(raw) > MAX_LINE_CHARS:
            raise NotCommonShapeError("not an object keyed by a source-ref string")
        return *ref_hashes(ref, salt), classify(record, attribute, metadata_attribute)

    return read_record


class KeyTable:
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
        self._allocate(2 * BLOCK_LINES)

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


class SlowLine:
    """A line the identity reader refused, parsed fully: an object (record, h1, h2, status),
    a reject (reason) or a blank line (neither)."""

    __slots__ = ("h1", "h2", "reason", "record", "status")

    def __init__(
        self, record: dict[str, Any] | None, reason: str | None, h1: int = 0, h2: int = 0, status: int = 0
    ) -> None:
        self.record = record
        self.reason = reason
        self.h1 = h1
        self.h2 = h2
        self.status = status


def read_slow_line(raw: bytes, first_line: bool, attribute: str, salt: str) -> SlowLine:
    """Any line the identity reader refused: blank, BOM, `source` key, too long, or bad."""
    if first_line:
        raw = strip_bom(raw)
    if not raw.strip():
        return SlowLine(None, None)  # blank: no object, nothing to report
    record, reason = parse_slow(raw)
    if record is None:
        return SlowLine(None, reason)
    h1, h2 = record_hashes(record, salt)
    return SlowLine(record, None, h1, h2, classify(record, attribute, f"{attribute}-metadata"))
