"""Benchmark of the manifest engine: plan time vs the parsing floor and a naive diff, peak RSS.

    python bench/manifest_bench.py                 # 100k and 1M lines (data in bench/data/)
    python bench/manifest_bench.py --lines 100000  # one size
    python bench/manifest_bench.py --shuffled      # output lines in another order than input

Everything is measured in one run on the same files, so the ratios hold on a noisy machine:
engine/floor (target <= 1.5), naive/engine (target >= 10), and the engine's peak RSS measured
in a child process (target < 150 MB at 1M + 1M lines).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR), str(ROOT / "lambdas")]

from gtchain_runtime.domain.manifest import plan_chain  # noqa: E402
from manifest_gen import LABEL_ATTRIBUTE, generate  # noqa: E402

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


def naive_diff(input_path: Path, output_path: Path, out_dir: Path) -> float:
    """What a first version does: a dict of key -> parsed output record, then one streaming
    pass over the input that re-serializes every chained line (stdlib json, no validation)."""
    attribute, metadata = LABEL_ATTRIBUTE, f"{LABEL_ATTRIBUTE}-metadata"
    start = time.perf_counter()
    with output_path.open("rb") as handle:
        outputs = {r.get("source-ref") or r.get("source"): r for r in map(json.loads, handle)}
    written: set[str] = set()
    with input_path.open("rb") as handle, (out_dir / "naive.manifest").open("w") as chained:
        for record in map(json.loads, handle):
            key = record.get("source-ref") or record.get("source")
            if key in written:
                continue
            written.add(key)
            chained_record = outputs.pop(key, record)
            if "failure-reason" in chained_record.get(metadata, {}):
                chained_record = {k: v for k, v in chained_record.items() if k not in (attribute, metadata)}
            chained.write(json.dumps(chained_record) + "\n")
        for chained_record in outputs.values():  # output-only objects
            chained.write(json.dumps(chained_record) + "\n")
    return time.perf_counter() - start


def engine_in_child(
    input_path: Path, output_path: Path, out_dir: Path
) -> tuple[float, dict[str, int], float]:
    """Run plan_chain in a fresh process: (seconds, counts, that process's peak RSS in MB)."""
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(input_path), str(output_path), str(out_dir)],
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


def child_plan(input_path: str, output_path: str, out_dir: str) -> None:
    start = time.perf_counter()
    with (
        open(input_path, "rb") as inputs,
        open(output_path, "rb") as outputs,
        open(Path(out_dir) / "chained.manifest", "wb") as chained,
        open(Path(out_dir) / "rejects.jsonl", "wb") as rejects,
    ):
        plan = plan_chain(inputs, outputs, LABEL_ATTRIBUTE, chained, rejects)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "counts": plan.to_dict(), "peak_rss_mb": peak_rss_mb()}))


def measure(lines: int, shuffled: bool, data_dir: Path, skip_naive: bool) -> dict[str, Any]:
    files = generate(data_dir, lines, shuffle_output=shuffled)
    paths = (files.input_path, files.output_path)
    with tempfile.TemporaryDirectory(dir=data_dir) as scratch:
        out_dir = Path(scratch)
        # Interleave the runs so a busy neighbour hurts both sides alike; keep the best of two.
        floor(paths)  # warm the page cache
        engine_a, counts, rss_mb = engine_in_child(*paths, out_dir)
        floor_a = floor(paths)
        engine_b, _, _ = engine_in_child(*paths, out_dir)
        floor_b = floor(paths)
        engine_s, floor_s = min(engine_a, engine_b), min(floor_a, floor_b)
        naive_s = None if skip_naive else naive_diff(*paths, out_dir)
    return {
        "lines_per_file": lines,
        "shuffled_output": shuffled,
        "bytes": sum(p.stat().st_size for p in paths),
        "floor_s": round(floor_s, 3),
        "engine_s": round(engine_s, 3),
        "naive_s": None if naive_s is None else round(naive_s, 3),
        "engine_over_floor": round(engine_s / floor_s, 3),
        "naive_over_engine": None if naive_s is None else round(naive_s / engine_s, 1),
        "engine_peak_rss_mb": round(rss_mb, 1),
        "counts": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, action="append", help="lines per file (repeatable)")
    parser.add_argument("--shuffled", action="store_true", help="output in another order than input")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive diff (slow, GBs of RAM)")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_plan(*args.child)
        return
    for lines in args.lines or [100_000, 1_000_000]:
        result = measure(lines, args.shuffled, args.data_dir, args.skip_naive)
        verdicts = [
            f"engine/floor {result['engine_over_floor']} (target <= {TARGET_FLOOR_RATIO})",
            f"peak RSS {result['engine_peak_rss_mb']} MB (target < {TARGET_RSS_MB:.0f} MB)",
        ]
        if result["naive_over_engine"] is not None:
            verdicts.insert(1, f"naive/engine {result['naive_over_engine']} (target >= {TARGET_NAIVE_RATIO})")
        print(f"{lines:,} + {lines:,} lines: " + "; ".join(verdicts))
        print(json.dumps(result))


if __name__ == "__main__":
    main()
