"""The line-level readers: the msgspec views and the key/status reader agree with the full parse."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtchain_runtime.domain.manifest import lines
from gtchain_runtime.domain.manifest.keys import identity_reader, ref_hashes
from gtchain_runtime.domain.manifest.lines import label_view_decoder, reject_reason
from gtchain_runtime.domain.manifest.status import classify, view_status
from tests.support.manifests import AM, A, label_records


@given(record=label_records(), ensure_ascii=st.booleans())
def test_views_classify_like_the_full_parse(record: dict[str, Any], ensure_ascii: bool) -> None:
    raw = json.dumps(record, ensure_ascii=ensure_ascii).encode() + b"\n"
    try:
        view = label_view_decoder(A)(raw)  # type: ignore[misc]
    except ValueError:
        return  # outside the views' shape (a null or non-object metadata, a lone surrogate)
    assert view.key == record["source-ref"]
    assert view_status(view) == classify(record, A, AM)


@pytest.mark.parametrize("views", [True, False])
@given(record=label_records())
def test_the_reader_agrees_with_the_full_parse(views: bool, record: dict[str, Any]) -> None:
    raw = json.dumps(record, ensure_ascii=False).encode() + b"\n"
    with pytest.MonkeyPatch.context() as patch:
        if not views:
            patch.setattr(lines, "_msgspec", None)
        read = identity_reader(A, salt="")
    try:
        hashes_and_status = read(raw)
    except ValueError:
        # Views may refuse a valid object outside their shape (a null metadata); the record
        # reader reads every valid object keyed by a source-ref string.
        assert views, f"the record reader refused a valid line: {raw!r}"
        return
    assert hashes_and_status == (*ref_hashes(record["source-ref"], ""), classify(record, A, AM))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"source-ref": "a", "note": "caf\xe9"}\n',  # Latin-1, not UTF-8, in a skipped string
        b'{"source-ref": "a", "x": [1, 2,]}\n',
        b'{"source-ref": ""}\n',
        b'{"source-ref": 7}\n',
        b'{"source": "text"}\n',
        b"[1]\n",
        b"\n",
        b'{"source-ref": "a", "pad": "' + b"x" * 100_000 + b'"}\n',
    ],
)
def test_the_reader_refuses_what_it_cannot_vouch_for(raw: bytes) -> None:
    for views in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            if not views:
                patch.setattr(lines, "_msgspec", None)
            read = identity_reader(A, salt="")
        with pytest.raises(ValueError):
            read(raw)
    # Refused here, decided by the full path: only some of these are bad lines.
    assert reject_reason(raw) is not None or b'"source"' in raw or b"pad" in raw
