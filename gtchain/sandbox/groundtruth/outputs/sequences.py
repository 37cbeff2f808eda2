"""Sequence files: the data object of video frame and 3D point cloud tracking tasks.

Each input manifest line of these tasks is ``{"source-ref": "s3://.../seq1.json"}`` and the file
it names lists the frames of one sequence. Rules, from
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-video-manual-data-setup.html ("Create a Video
Frame Sequence File") and
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-point-cloud-multi-frame-input-data.html (the
point cloud sequence file): ``seq-no`` (integer), ``prefix`` (``s3://`` and "must end with a
forward slash"), ``number-of-frames`` ("must match the total number of frames listed in the
``frames`` parameter") and ``frames``, a list whose items need ``frame``, and ``frame-no`` in a
video frame sequence or ``unix-timestamp`` in a point cloud sequence (the point cloud page lists
``frame-no`` as optional and ``unix-timestamp`` as required). Limits
(https://docs.aws.amazon.com/sagemaker/latest/dg/input-data-limits.html): at most 10 video frame
sequences per manifest, at most 500 frames per point cloud sequence. A sequence file or manifest
that breaks them is a manifest error (manifest.py), enforced when the manifest_errors variant
says (variants.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gtchain.sandbox.groundtruth.outputs.manifest import ManifestError

MAX_VIDEO_FRAME_SEQUENCES = 10
MAX_POINT_CLOUD_FRAMES = 500


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


def check_sequence_count(sequences: int, *, point_cloud: bool) -> None:
    """A video frame job's manifest lists at most 10 sequences (input-data-limits)."""
    if not point_cloud and sequences > MAX_VIDEO_FRAME_SEQUENCES:
        raise ManifestError(
            f"ClientError: the input manifest lists {sequences} video frame sequences; "
            f"a labeling job takes at most {MAX_VIDEO_FRAME_SEQUENCES}"
        )


def parse_sequence(text: str | None, uri: str, *, point_cloud: bool = False) -> tuple[Frame, ...]:
    """The frames of the sequence file at `uri` (`text` None: the file does not exist);
    `point_cloud`: a 3D point cloud sequence, else a video frame sequence."""
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
    if point_cloud and len(items) > MAX_POINT_CLOUD_FRAMES:
        raise ManifestError(
            f"ClientError: sequence file {uri} lists {len(items)} frames; a point cloud sequence "
            f"holds at most {MAX_POINT_CLOUD_FRAMES}"
        )
    required = "unix-timestamp" if point_cloud else "frame-no"
    frames = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict) or required not in item or not isinstance(item.get("frame"), str):
            raise ManifestError(
                f"ClientError: frame {position} of sequence file {uri} needs '{required}' and 'frame'"
            )
        frames.append(Frame(str(item.get("frame-no", position - 1)), item["frame"]))
    if not frames:
        raise ManifestError(f"ClientError: sequence file {uri} lists no frames")
    return tuple(frames)
