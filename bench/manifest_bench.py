"""Benchmark of the manifest engine: plan time vs the parsing floor and a naive diff, peak RSS.

    python bench/manifest_bench.py                 # 100k and 1M lines, output in order and shuffled
    python bench/manifest_bench.py --lines 100000  # one size
    python bench/manifest_bench.py --order shuffled  # output lines in another order than input only

Everything is measured in one run on the same files, so the ratios hold on a noisy machine:
engine/floor (target <= 1.5), naive/engine (target >= 10, against the two-dict naive diff the
issue describes; a leaner streaming one is reported too), and peak RSS, each contender in its
own process (target < 150 MB at 1M + 1M lines for the engine). Shuffled output (the general
path) is measured against the floor of the same run on its own files; the naive diffs run on
in-order output only (their cost does not depend on the order).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR), str(ROOT)]

from figures import Row, record  # noqa: E402
from manifest_gen import LABEL_ATTRIBUTE, generate  # noqa: E402

from gtchain_runtime.domain.manifest import diff_manifests  # noqa: E402

TARGET_FLOOR_RATIO = 1.5
TARGET_NAIVE_RATIO = 10.0
TARGET_RSS_MB = 150.0


def floor(paths: tuple[Path, Path]) -> float:
    """Parse every line of both files with orjson: no engine can do less."""
    loads = orjson.loads
    start = time.perf_counter()
    for path in paths:
        with path.open("rb") as handle:
            for raw in handle:
                loads(raw)
    return time.perf_counter() - start


def _naive_key(record: dict[str, Any]) -> Any:
    return record.get("source-ref") or record.get("source")


def _naive_chained(record: dict[str, Any]) -> str:
    attribute, metadata = LABEL_ATTRIBUTE, f"{LABEL_ATTRIBUTE}-metadata"
    if "failure-reason" in (record.get(metadata) or {}):
        record = {k: v for k, v in record.items() if k not in (attribute, metadata)}
    return json.dumps(record) + "\n"


def naive_two_dicts(input_path: Path, output_path: Path, chained_path: Path) -> None:
    """The naive diff the issue measured (65 s, 7 GB there): both manifests parsed into dicts
    keyed by object (stdlib json, no validation), then one chained line per key."""

    def load(path: Path) -> dict[Any, dict[str, Any]]:
        records: dict[Any, dict[str, Any]] = {}
        with path.open("rb") as handle:
            for record in map(json.loads, handle):
                records.setdefault(_naive_key(record), record)
        return records

    inputs, outputs = load(input_path), load(output_path)
    with chained_path.open("w") as chained:
        for key in [*inputs, *(k for k in outputs if k not in inputs)]:
            chained.write(_naive_chained(outputs.get(key) or inputs[key]))


def naive_streaming(input_path: Path, output_path: Path, chained_path: Path) -> None:
    """A leaner naive diff: a dict of the output's parsed records, then one streaming pass over
    the input that re-serializes every chained line (stdlib json, no validation)."""
    with output_path.open("rb") as handle:
        outputs = {_naive_key(r): r for r in map(json.loads, handle)}
    written: set[Any] = set()
    with input_path.open("rb") as handle, chained_path.open("w") as chained:
        for record in map(json.loads, handle):
            key = _naive_key(record)
            if key not in written:
                written.add(key)
                chained.write(_naive_chained(outputs.pop(key, record)))
        for record in outputs.values():  # output-only objects
            chained.write(_naive_chained(record))


NAIVE_DIFFS = {"naive_two_dicts": naive_two_dicts, "naive_streaming": naive_streaming}


def in_child(
    contender: str, input_path: Path, output_path: Path, out_dir: Path
) -> tuple[float, dict[str, int], float]:
    """Run "engine" or a naive diff in a fresh process: (seconds, counts, its peak RSS in MB).

    The files it writes are removed first and outside the timing: truncating last run's
    500 MB chained file costs half a second that no real plan pays."""
    for leftover in out_dir.iterdir():
        leftover.unlink()
    completed = subprocess.run(
        [sys.executable, __file__, "--child", contender, str(input_path), str(output_path), str(out_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(completed.stdout)
    return result["seconds"], result["counts"], result["peak_rss_mb"]


def peak_rss_mb() -> float:
    """This process's own peak RSS. Not ru_maxrss: a child started by vfork inherits the
    parent's high-water mark (the bench parent holds GBs after the naive diff)."""
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def child_run(contender: str, input_path: str, output_path: str, out_dir: str) -> None:
    start = time.perf_counter()
    counts: dict[str, int] = {}
    if contender == "engine":
        with (
            open(input_path, "rb") as inputs,
            open(output_path, "rb") as outputs,
            open(Path(out_dir) / "chained.manifest", "wb") as chained,
            open(Path(out_dir) / "rejects.jsonl", "wb") as rejects,
        ):
            counts = diff_manifests(inputs, outputs, LABEL_ATTRIBUTE, chained, rejects).to_dict()
    else:
        NAIVE_DIFFS[contender](Path(input_path), Path(output_path), Path(out_dir) / "naive.manifest")
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "counts": counts, "peak_rss_mb": peak_rss_mb()}))


def measure(lines: int, shuffled: bool, data_dir: Path, skip_naive: bool) -> dict[str, Any]:
    files = generate(data_dir, lines, shuffle_output=shuffled)
    paths = (files.input_path, files.output_path)
    with tempfile.TemporaryDirectory(dir=data_dir) as scratch:
        out_dir = Path(scratch)
        # Interleave the runs so a busy neighbour hurts both sides alike; keep the best of three.
        floor(paths)  # warm the page cache
        engine_runs, floor_runs = [], []
        for _ in range(3):
            engine_runs.append(in_child("engine", *paths, out_dir))
            floor_runs.append(floor(paths))
        engine_s, counts, rss_mb = min(engine_runs, key=itemgetter(0))
        floor_s = min(floor_runs)
        naive = {} if skip_naive else {name: in_child(name, *paths, out_dir) for name in NAIVE_DIFFS}
    result: dict[str, Any] = {
        "lines_per_file": lines,
        "shuffled_output": shuffled,
        "bytes": sum(p.stat().st_size for p in paths),
        "floor_s": round(floor_s, 3),
        "engine_s": round(engine_s, 3),
        "engine_over_floor": round(engine_s / floor_s, 3),
        "engine_peak_rss_mb": round(rss_mb, 1),
    }
    for name, (seconds, _, naive_rss_mb) in naive.items():
        result[f"{name}_s"] = round(seconds, 3)
        result[f"{name}_over_engine"] = round(seconds / engine_s, 1)
        result[f"{name}_peak_rss_mb"] = round(naive_rss_mb)
    result["counts"] = counts
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, action="append", help="lines per file (repeatable)")
    parser.add_argument(
        "--order",
        choices=("in-order", "shuffled", "both"),
        default="both",
        help="output lines in input order (the lockstep path), shuffled (the general path), or both",
    )
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive diff (slow, GBs of RAM)")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_run(*args.child)
        return
    rows: list[Row] = []
    results = []
    orders = {"in-order": [False], "shuffled": [True], "both": [False, True]}[args.order]
    for lines in args.lines or [100_000, 1_000_000]:
        for shuffled in orders:
            result = measure(lines, shuffled, args.data_dir, args.skip_naive or shuffled)
            results.append(result)
            rows += figure_rows(result)
            verdicts = [
                f"engine/floor {result['engine_over_floor']} (target <= {TARGET_FLOOR_RATIO})",
                f"peak RSS {result['engine_peak_rss_mb']} MB (target < {TARGET_RSS_MB:.0f} MB)",
            ]
            if "naive_two_dicts_over_engine" in result:
                verdicts.insert(
                    1,
                    f"naive/engine {result['naive_two_dicts_over_engine']} (target >= {TARGET_NAIVE_RATIO}; "
                    f"the leaner streaming naive: {result['naive_streaming_over_engine']})",
                )
            order = "shuffled output" if shuffled else "output in order"
            print(f"{lines:,} + {lines:,} lines, {order}: " + "; ".join(verdicts))
            print(json.dumps(result))
    record("manifest", "Manifest engine (`bench/manifest_bench.py`)", rows, {"runs": results})


def figure_rows(result: dict[str, Any]) -> list[Row]:
    """The page's rows of one size: the engine against the parsing floor and the naive diffs."""
    lines = result["lines_per_file"]
    size = f"{lines:,} + {lines:,} lines" + (", output shuffled" if result["shuffled_output"] else "")
    rows = [
        Row(
            f"manifest plan, {size}",
            f"{result['engine_s']} s; {result['engine_over_floor']}x the orjson parsing floor "
            f"({result['floor_s']} s)",
            f"<= {TARGET_FLOOR_RATIO}x",
        ),
        Row("same, peak RSS", f"{result['engine_peak_rss_mb']} MB", f"< {TARGET_RSS_MB:.0f} MB"),
    ]
    naive_targets = {"naive_two_dicts": f">= {TARGET_NAIVE_RATIO:.0f}x", "naive_streaming": ""}
    for name, target in naive_targets.items():
        if f"{name}_s" in result:
            rows.append(
                Row(
                    f"same, vs the {name.replace('_', ' ')} diff",
                    f"{result[f'{name}_over_engine']}x faster ({result[f'{name}_s']} s, "
                    f"{result[f'{name}_peak_rss_mb']} MB)",
                    target,
                )
            )
    return rows


if __name__ == "__main__":
    main()
