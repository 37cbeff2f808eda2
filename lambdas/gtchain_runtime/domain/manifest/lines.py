"""One manifest line: validate, parse, serialize, reject reasons. Shared by the chain planner,
manifest stats and consolidation (statuses are in ``status``, key hashes in ``keys``).

Pure: no AWS, no I/O beyond the bytes it is given. orjson is used when importable (it is
shipped in the Lambda layer); the stdlib ``json`` fallback gives the same verdicts. msgspec,
when importable (shipped too), decodes the planner's common case into small views (see
``label_view_decoder``); without it the planner takes its general path, with the same results.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from typing import Annotated, Any

try:  # pragma: no cover - which branch runs depends on the environment
    import orjson

    # orjson's own functions, not wrappers: the planner calls loads once per line.
    _fast_loads: Callable[[bytes], Any] | None = orjson.loads
    _fast_dumps: Callable[[dict[str, Any]], bytes] | None = orjson.dumps
except ImportError:  # pragma: no cover
    _fast_loads = None
    _fast_dumps = None

try:  # pragma: no cover - which branch runs depends on the environment
    import msgspec

    _msgspec: Any = msgspec  # a variable, so tests can take it away
    UNSET: Any = msgspec.UNSET  # a label view's value for an absent attribute
    NULL_LABEL: Any = msgspec.Raw(b"null")  # a label view's raw value for a JSON null
except ImportError:  # pragma: no cover
    _msgspec = UNSET = NULL_LABEL = None

MAX_LINE_CHARS = 100_000
LABEL_ATTRIBUTE_MAX = 127
# botocore's LabelAttributeName pattern; Ground Truth also refuses names ending in -metadata.
_LABEL_ATTRIBUTE_PATTERN = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,126}")
_UTF8_BOM = b"\xef\xbb\xbf"


class ManifestError(ValueError):
    """A manifest problem worded for the person who can fix it."""


def validate_label_attribute(name: str) -> None:
    """Refuse a LabelAttributeName that Ground Truth would refuse, naming the rule broken."""
    if not isinstance(name, str) or not name:
        raise ManifestError("label attribute name is empty")
    if len(name) > LABEL_ATTRIBUTE_MAX:
        raise ManifestError(
            f"label attribute name is {len(name)} characters, over the {LABEL_ATTRIBUTE_MAX} limit"
        )
    if name.endswith("-metadata"):
        raise ManifestError(f"label attribute name {name!r} must not end in '-metadata'")
    if not _LABEL_ATTRIBUTE_PATTERN.fullmatch(name):
        raise ManifestError(
            f"label attribute name {name!r} must be letters, digits and single or repeated '-' "
            "between them (pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,126})"
        )


class _StrictJson:
    """The stdlib decoder with orjson's strictness: no NaN/Infinity, UTF-8 only."""

    @staticmethod
    def _refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    @staticmethod
    def _exact_float(text: str) -> Any:
        """A number beyond a double's range (1e999) keeps its text, to be written back as it
        was (``msgspec.Raw``); without msgspec to write it, the line is refused."""
        value = float(text)
        if math.isfinite(value):
            return value
        if _msgspec is None:
            raise ValueError(f"number {text} is beyond a double's range")
        return _msgspec.Raw(text.encode())

    @classmethod
    def loads(cls, raw: bytes) -> Any:
        text = raw.decode("utf-8")
        return json.loads(text, parse_constant=cls._refuse_constant, parse_float=cls._exact_float)

    @staticmethod
    def dumps(record: dict[str, Any]) -> bytes:
        try:
            return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800"): keep it as the escape it was
            return json.dumps(record, separators=(",", ":")).encode("ascii")


def json_loader() -> Callable[[bytes], Any]:
    """The fastest strict JSON decoder available (a function so tests can switch it)."""
    return _fast_loads if _fast_loads is not None else _StrictJson.loads


def label_view_decoder(attribute: str) -> Callable[[bytes], Any] | None:
    """Decode one line into a view of what classification needs, or None without msgspec.

    A view has ``key`` (the non-empty "source-ref" string), ``label`` (A's value as raw JSON
    bytes, never decoded; ``msgspec.UNSET`` when A is absent, ``NULL_LABEL`` when null) and
    ``meta`` (A-metadata's "failure-reason" as raw JSON and "human-annotated", or UNSET when
    A-metadata is absent). msgspec checks the syntax of everything else but builds nothing for
    it: at 1M + 1M lines that is about half the time of parsing every value with orjson.

    The decoder raises ``msgspec.DecodeError`` (a ValueError) on anything outside the common
    shape, including valid objects the views do not cover (a "source" key, a null or non-object
    A-metadata, a lone surrogate); callers then parse the line fully. It does not check UTF-8
    inside the strings it skips: callers check the bytes themselves.
    """
    if _msgspec is None:
        return None
    return _label_view_decoder(attribute)


@functools.lru_cache(maxsize=8)
def _label_view_decoder(attribute: str) -> Callable[[bytes], Any]:
    field, raw, unset = msgspec.field, msgspec.Raw, msgspec.UnsetType
    # gc=False: views hold no containers, so the cyclic collector need not track them.
    metadata_view = msgspec.defstruct(
        "LabelMetadataView",
        [
            ("failure_reason", raw | unset, field(default=msgspec.UNSET, name="failure-reason")),
            ("human_annotated", object, field(default=msgspec.UNSET, name="human-annotated")),
        ],
        gc=False,
    )
    line_view = msgspec.defstruct(
        "LineView",
        [
            ("key", Annotated[str, msgspec.Meta(min_length=1)], field(name="source-ref")),
            ("label", raw | unset, field(default=msgspec.UNSET, name=attribute)),
            ("meta", metadata_view | unset, field(default=msgspec.UNSET, name=f"{attribute}-metadata")),
        ],
        gc=False,
    )
    decode: Callable[[bytes], Any] = msgspec.json.Decoder(line_view).decode
    return decode


def parse_record(raw: bytes) -> dict[str, Any]:
    """Parse a valid line whose record is written back (a failed label stripped, an input label
    merged): every number keeps its value. orjson would read an integer past 64 bits as a
    float; msgspec reads it exactly, and the stdlib takes what msgspec refuses."""
    if _msgspec is not None:
        try:
            record: dict[str, Any] = _msgspec.json.decode(raw)
            return record
        except _msgspec.DecodeError:  # a number beyond a double, a lone surrogate
            pass
    record = _StrictJson.loads(raw.rstrip(b"\r\n"))
    return record


def dumps_line(record: dict[str, Any]) -> bytes:
    """Serialize one record as a manifest line (compact JSON + newline), losing nothing."""
    if _fast_dumps is not None:
        try:
            return _fast_dumps(record) + b"\n"
        except TypeError:  # an integer past 64 bits, a number kept as text, a lone surrogate
            pass
    if _msgspec is not None:
        try:
            encoded: bytes = _msgspec.json.encode(record)
            return encoded + b"\n"
        except (TypeError, ValueError):  # a lone surrogate
            pass
    return _StrictJson.dumps(record) + b"\n"


def reject_reason(raw: bytes) -> str | None:
    """Why a line that the fast path refused is bad, or None when it is in fact valid.

    Called only for lines the fast decoder refused or that are too long, so it may be slow.
    """
    body = raw.rstrip(b"\r\n")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not valid UTF-8 (byte {error.start + 1})"
    if len(text) > MAX_LINE_CHARS:
        return f"line is {len(text):,} characters, over the {MAX_LINE_CHARS:,} limit"
    try:
        record = _StrictJson.loads(body)
    except ValueError as error:
        return f"not valid JSON ({str(error).splitlines()[0]})"
    return record_problem(record)


def record_problem(record: Any) -> str | None:
    """Why a parsed line cannot be a manifest object, or None."""
    if not isinstance(record, dict):
        return f"not a JSON object (a JSON {_json_type(record)})"
    key = record.get("source-ref")
    if key is None:
        key = record.get("source")
        if key is None:
            return 'no "source-ref" or "source" attribute'
        field = "source"
    else:
        field = "source-ref"
    if not isinstance(key, str) or not key:
        return f'"{field}" must be a non-empty string'
    return None


def parse_slow(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """Parse a line the fast path refused: (record, None) or (None, reason)."""
    reason = reject_reason(raw)
    if reason is not None:
        return None, reason
    record = _StrictJson.loads(raw.rstrip(b"\r\n"))
    return record, None


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def object_key(record: dict[str, Any]) -> str:
    """The identity of a valid record: 'r:'+source-ref or 's:'+source (the two never collide)."""
    ref = record.get("source-ref")
    return "r:" + ref if ref is not None else "s:" + record["source"]


def without_label(record: dict[str, Any], attribute: str, metadata_attribute: str) -> bytes:
    """The line with the label attribute and its metadata removed (everything else kept)."""
    kept = {name: value for name, value in record.items() if name not in (attribute, metadata_attribute)}
    return dumps_line(kept)


def strip_bom(raw: bytes) -> bytes:
    return raw[len(_UTF8_BOM) :] if raw.startswith(_UTF8_BOM) else raw
