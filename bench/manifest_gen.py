"""Realistic Ground Truth manifests for the manifest benchmark.

An input manifest (what a person gives a labeling job) and the job's output manifest
(the input plus the label attribute), each line 400-600 bytes:

- output: 70% labeled (85% of them by people, 15% by automated labeling), 5% failed
  (``<A>-metadata`` with ``failure-reason``), 25% unlabeled (expired or never sent);
- input: 10% of the objects already carry a third-party label of the same attribute, 20%
  carry the label of another attribute;
- 2% of the lines of each file carry the text "failure-reason" outside ``<A>-metadata``
  (another attribute's metadata, a free-text note) to trap naive byte pre-filters.

The output lists the objects in input order unless ``shuffle_output`` is set.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

LABEL_ATTRIBUTE = "vehicle-class"
LINE_BYTES = (400, 600)
_CLASSES = ("vehicle", "traffic-signal", "pedestrian", "cyclist", "none")
_DATASET = "gtchain-bench-datasets/streetscenes"
_FILLER = "road scene captured by the survey fleet; weather and light vary by route. "


@dataclass(frozen=True)
class GeneratedManifests:
    input_path: Path
    output_path: Path
    lines: int


def _pad(record: dict[str, object], target: int) -> bytes:
    """Serialize ``record`` with a ``notes`` field sized so the line is ``target`` bytes."""
    record["notes"] = ""
    bare = json.dumps(record, separators=(",", ":")).encode()
    missing = max(0, target - len(bare) - 1)  # -1: the newline
    record["notes"] = (_FILLER * (missing // len(_FILLER) + 1))[:missing]
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def _label(rng: random.Random, index: int, human: bool) -> tuple[int, dict[str, object]]:
    class_id = rng.randrange(len(_CLASSES))
    return class_id, {
        "class-name": _CLASSES[class_id],
        "confidence": round(rng.uniform(0.5, 0.99), 2),
        "type": "groundtruth/image-classification",
        "job-name": "labeling-job/streetscenes-job1",
        "human-annotated": "yes" if human else "no",
        "creation-date": f"2024-04-09T21:{index % 60:02d}:{index % 59:02d}.730999",
    }


def _base(rng: random.Random, index: int) -> dict[str, object]:
    record: dict[str, object] = {
        "source-ref": f"s3://{_DATASET}/batch-{index // 1000:05d}/SSDB{index:08d}.JPG",
        "capture": {"camera": rng.choice(("front-left", "front-right", "rear")), "route": index % 97},
    }
    roll = rng.random()
    if roll < 0.20:  # a label of another attribute: must survive untouched
        record["weather"] = rng.randrange(3)
        record["weather-metadata"] = {"class-name": "rain", "human-annotated": "yes"}
    if rng.random() < 0.02:  # the trap: the text outside <A>-metadata
        if roll < 0.20:
            record["weather-metadata"] = {"failure-reason": "ClientError: timed out", "retry-count": 1}
        else:
            record["review"] = "second pass: no failure-reason recorded"
    return record


def _lines(rng: random.Random, lines: int) -> tuple[list[bytes], list[bytes]]:
    inputs: list[bytes] = []
    outputs: list[bytes] = []
    low, high = LINE_BYTES
    for index in range(lines):
        record = _base(rng, index)
        third_party = rng.random() < 0.10
        if third_party:
            class_id, metadata = _label(rng, index, human=True)
            record[LABEL_ATTRIBUTE] = class_id
            record[f"{LABEL_ATTRIBUTE}-metadata"] = metadata
        inputs.append(_pad(dict(record), rng.randint(low, high - 1)))

        roll = rng.random()
        if third_party or roll < 0.70:
            if not third_party:
                class_id, metadata = _label(rng, index, human=rng.random() < 0.85)
                record[LABEL_ATTRIBUTE] = class_id
                record[f"{LABEL_ATTRIBUTE}-metadata"] = metadata
        elif roll < 0.75:
            record[f"{LABEL_ATTRIBUTE}-metadata"] = {
                "failure-reason": "ClientError: The worker response for this object timed out.",
                "retry-count": 3,
                "human-annotated": "yes",
            }
        outputs.append(_pad(record, rng.randint(low, high - 1)))
    return inputs, outputs


def generate(directory: Path, lines: int, seed: int = 7, shuffle_output: bool = False) -> GeneratedManifests:
    """Write (or reuse) ``input-<n>.manifest`` and ``output-<n>[-shuffled].manifest``."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = "-shuffled" if shuffle_output else ""
    input_path = directory / f"input-{lines}-s{seed}.manifest"
    output_path = directory / f"output-{lines}-s{seed}{suffix}.manifest"
    if not (input_path.exists() and output_path.exists()):
        rng = random.Random(seed)
        inputs, outputs = _lines(rng, lines)
        if shuffle_output:
            rng.shuffle(outputs)
        _write_atomically(input_path, inputs)
        _write_atomically(output_path, outputs)
    return GeneratedManifests(input_path, output_path, lines)


def _write_atomically(path: Path, lines: list[bytes]) -> None:
    partial = path.with_suffix(".partial")
    with partial.open("wb") as handle:
        handle.writelines(lines)
    partial.replace(path)
