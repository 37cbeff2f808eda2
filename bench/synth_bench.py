"""Synth time and template size for 1 and for 20 projects, measured in one run.

Each measurement synthesizes a fresh app in a subprocess (as the CDK CLI runs app.py), so
both pay the same jsii start-up; the Lambda layer comes from the .cache of the first synth.
Machines are shared and noisy: read the ratios, not the absolute seconds.

    python bench/synth_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
APP = REPOSITORY_ROOT / "app.py"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Row, record  # noqa: E402


def generated_projects(count: int) -> dict[str, Any]:
    """count valid, non-overlapping projects (prefixes must not be prefixes of each other)."""
    return {
        "projects": [
            {
                "name": f"bench{index:02d}",
                "job_name_prefix": f"Bench{index:02d}x",
                "labeling_role_arn": "arn:aws:iam::123456789012:role/GroundTruthLabelingRole",
                "notification_emails": [f"team{index:02d}@example.com"],
            }
            for index in range(count)
        ]
    }


@dataclass(frozen=True)
class SynthResult:
    projects: int
    seconds: float
    templates: int
    template_bytes: int


def synth_once(projects: int, workdir: Path, *, nag: bool) -> SynthResult:
    projects_file = workdir / f"projects-{projects}.json"
    projects_file.write_text(json.dumps(generated_projects(projects)), encoding="utf-8")
    outdir = Path(tempfile.mkdtemp(prefix=f"out-{projects}-", dir=workdir))
    env = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps({"gtchain:projectsFile": str(projects_file), "gtchain:nag": nag}),
    }
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(APP)], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"synth of {projects} project(s) failed:\n{result.stderr[-2000:]}")
    templates = list(outdir.glob("*.template.json"))
    return SynthResult(projects, elapsed, len(templates), sum(t.stat().st_size for t in templates))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="synths per size (median is reported)")
    parser.add_argument("--no-nag", action="store_true", help="measure synth without cdk-nag")
    args = parser.parse_args()
    nag = not args.no_nag

    with tempfile.TemporaryDirectory(prefix="gtchain-synth-bench-") as tmp:
        workdir = Path(tmp)
        synth_once(1, workdir, nag=nag)  # warm-up: fills the layer cache, warms the disk cache
        runs: dict[int, list[SynthResult]] = {1: [], 20: []}
        # Interleaved so a burst of noise on the shared machine hits both sizes alike.
        for _ in range(args.repeat):
            for size, results in runs.items():
                results.append(synth_once(size, workdir, nag=nag))

    median = {size: statistics.median(r.seconds for r in results) for size, results in runs.items()}
    size_bytes = {size: results[0].template_bytes for size, results in runs.items()}
    print(
        f"synth benchmark (cdk-nag {'on' if nag else 'off'}, median of {args.repeat}, subprocess per synth)"
    )
    for size, results in runs.items():
        print(
            f"  {size:>2} project(s): {median[size]:6.2f} s, {results[0].templates} template(s), "
            f"{size_bytes[size] / 1024:8.1f} KiB total, "
            f"{size_bytes[size] / size / 1024:6.1f} KiB per template"
        )
    print(f"  ratio 20/1 synth time:     {median[20] / median[1]:.2f}x (20x the stacks)")
    print(f"  ratio 20/1 template bytes: {size_bytes[20] / size_bytes[1]:.2f}x")
    per_stack = (median[20] - median[1]) / 19
    print(f"  marginal cost per extra project: {per_stack:.2f} s")
    rows = [
        Row(
            f"synth, 1 project / 20 projects (median of {args.repeat}, cdk-nag {'on' if nag else 'off'})",
            f"{median[1]:.1f} s / {median[20]:.1f} s ({median[20] / median[1]:.2f}x for 20x the stacks)",
        ),
        Row("marginal synth time per extra project", f"{per_stack:.2f} s"),
        Row("template size", f"{size_bytes[1] / 1024:.0f} KiB per project"),
    ]
    record(
        "synth", "Synth (`bench/synth_bench.py`)", rows, {"median_s": median, "template_bytes": size_bytes}
    )


if __name__ == "__main__":
    main()
