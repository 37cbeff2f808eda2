"""Sequence files: the data object of video frame and 3D point cloud tracking tasks.

Each input manifest line of these tasks is ``{"source-ref": "s3://.../seq1.json"}`` and the file
it names lists the frames of one sequence. Rules, from
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-video-manual-data-setup.html ("Create a Video
Frame Sequence File") and
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-point-cloud-multi-frame-input-data.html (the
point cloud sequence file, same required keys): ``seq-no`` (integer), ``prefix`` (``s3://`` and
"must end with a forward slash"), ``number-of-frames`` ("must match the total number of frames
listed in the ``frames`` parameter") and ``frames``, a list whose items need ``frame-no`` and
``frame``. A sequence file that breaks them is a manifest error (manifest.py), enforced when the
manifest_errors variant says (variants.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gtchain.sandbox.groundtruth.outputs.manifest import ManifestError


@dataclass(frozen=True)
class Frame:
    number: str
    name: str


def _require(document: dict[str, Any], key: str, kind: type | tuple[type, ...], uri: str) -> Any:
    value = document.get(key)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ManifestError(f"ClientError: sequence file {uri} needs '{key}' ({_kind_name(kind)})")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({int: "an integer", str: "a string", list: "a list"}[item] for item in kinds)


def parse_sequence(text: str | None, uri: str) -> tuple[Frame, ...]:
    """The frames of the sequence file at `uri` (`text` None: the file does not exist)."""
    if text is None:
        raise ManifestError(f"ClientError: sequence file {uri} does not exist")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ManifestError(f"ClientError: sequence file {uri} is not valid JSON ({error.msg})") from error
    if not isinstance(document, dict):
        raise ManifestError(f"ClientError: sequence file {uri} is not a JSON object")
    _require(document, "seq-no", int, uri)
    prefix = _require(document, "prefix", str, uri)
    if not prefix.startswith("s3://") or not prefix.endswith("/"):
        raise ManifestError(f"ClientError: 'prefix' of sequence file {uri} must be s3://<bucket>/<prefix>/")
    count = _require(document, "number-of-frames", int, uri)
    items = _require(document, "frames", list, uri)
    if count != len(items):
        raise ManifestError(
            f"ClientError: sequence file {uri} says 'number-of-frames' {count} but lists {len(items)} frames"
        )
    frames = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "frame-no" not in item or not isinstance(item.get("frame"), str):
            raise ManifestError(
                f"ClientError: frame {position} of sequence file {uri} needs 'frame-no' and 'frame'"
            )
        frames.append(Frame(str(item["frame-no"]), item["frame"]))
    if not frames:
        raise ManifestError(f"ClientError: sequence file {uri} lists no frames")
    return tuple(frames)
