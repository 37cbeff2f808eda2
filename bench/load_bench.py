"""Load: N labeling jobs stopped at once in the offline sandbox, measured in one run.

Deploys GtChain-streetscenes with the real CDK CLI, creates N small jobs (the workforce paused),
lets each label a few objects, stops them all at the same moment (StopLabelingJob from N
threads), and watches gtchain chain every one of them and complete every chain. Prints counts
and ratios: executions started, children created against the jobs with objects left,
duplicates (must be 0), time to the last decision, peak concurrent executions.

The sandbox does not enforce Lambda reserved concurrency or account limits: peak concurrency
here is what the state machine would start, not what AWS would run at once (README, "Load").
Machines are shared and noisy: read the counts and ratios, not the absolute seconds.

    python bench/load_bench.py [--jobs N] [--objects M]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPOSITORY_ROOT / "bench"), str(REPOSITORY_ROOT)]

from figures import Row, record  # noqa: E402

from gtchain.checkout_app import checkout_app  # noqa: E402
from gtchain.demo.runner import ScenarioRunner  # noqa: E402
from gtchain.demo.scenarios import Scenario  # noqa: E402
from gtchain.sandbox import Sandbox  # noqa: E402
from gtchain.sandbox.groundtruth import JobBehaviour  # noqa: E402
from gtchain_cdk.config import load_projects  # noqa: E402
from gtchain_runtime.adapters.ledger import Ledger  # noqa: E402
from gtchain_runtime.adapters.ledger_schema import DECISION_RECORD, FAILURE_RECORD_PREFIX  # noqa: E402

PROJECTS_FILE = REPOSITORY_ROOT / "projects.json"


class ExecutionSampler(threading.Thread):
    """Polls RUNNING executions; keeps the peak and every execution seen."""

    def __init__(self, sandbox: Sandbox, state_machine_arn: str) -> None:
        super().__init__(daemon=True)
        self._client = sandbox.client("stepfunctions")
        self._arn = state_machine_arn
        self._done = threading.Event()
        self.peak = 0

    def run(self) -> None:
        while not self._done.wait(0.2):
            pages = self._client.get_paginator("list_executions").paginate(
                stateMachineArn=self._arn, statusFilter="RUNNING"
            )
            running = sum(len(page["executions"]) for page in pages)
            self.peak = max(self.peak, running)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def all_executions(sandbox: Sandbox, arn: str) -> list[dict[str, Any]]:
    pages = sandbox.client("stepfunctions").get_paginator("list_executions").paginate(stateMachineArn=arn)
    return [execution for page in pages for execution in page["executions"]]


def run(jobs: int, objects: int, timeout: float) -> dict[str, Any]:
    project = load_projects(PROJECTS_FILE)[0]
    with Sandbox() as sandbox:
        outputs = sandbox.deploy(checkout_app(), projects_file=PROJECTS_FILE, stacks=[project.stack_name])[
            project.stack_name
        ]
        runner = ScenarioRunner(sandbox, outputs, project.labeling_role_arn)
        ledger = Ledger(sandbox.client("dynamodb"), outputs["LedgerTableName"])
        sagemaker = sandbox.client("sagemaker")
        print(f"deployed; creating {jobs} jobs", file=sys.stderr)
        sandbox.workforce.stop()  # paused: every job is stopped at the same moment
        pace = max(1, objects // 4)
        names = [f"Streetscenes-Load-{index:03d}" for index in range(jobs)]
        for name in names:
            runner.start(
                Scenario(
                    name=name,
                    description="load",
                    root_job=name,
                    objects=objects,
                    behaviour=JobBehaviour(pace=pace),
                )
            )
        for _ in range(3):  # Initializing -> InProgress, then two batches of labels
            sandbox.workforce.step()

        def objects_left(name: str) -> bool:
            counters = sagemaker.describe_labeling_job(LabelingJobName=name)["LabelCounters"]
            return int(counters["TotalLabeled"]) < objects

        with_objects_left = sum(objects_left(name) for name in names)
        sampler = ExecutionSampler(sandbox, runner.state_machine_arn)
        sampler.start()
        stopped_at = time.monotonic()
        with ThreadPoolExecutor(max_workers=min(jobs, 32)) as pool:
            list(pool.map(lambda name: sagemaker.stop_labeling_job(LabelingJobName=name), names))
        sandbox.workforce.start()
        print(f"stopped {jobs} jobs at once; watching the ledger", file=sys.stderr)

        root_decided: dict[str, float] = {}
        chain_closed: dict[str, float] = {}
        deadline = stopped_at + timeout
        quiet = 0  # consecutive polls without a RUNNING execution
        while len(chain_closed) < jobs and time.monotonic() < deadline and quiet < 8:
            for name in names:
                if name in chain_closed:
                    continue
                records = ledger.chain_records(name)
                decided = {r["job_name"]: r for r in records if r["record"] == DECISION_RECORD}
                if name in decided and name not in root_decided:
                    root_decided[name] = time.monotonic() - stopped_at
                if any(r.get("decision") in {"COMPLETE", "GIVE_UP"} for r in decided.values()):
                    chain_closed[name] = time.monotonic() - stopped_at
            # A chain whose execution failed stays open until the hourly sweep: stop when nothing runs.
            running = sandbox.client("stepfunctions").list_executions(
                stateMachineArn=runner.state_machine_arn, statusFilter="RUNNING"
            )["executions"]
            quiet = 0 if running or not root_decided else quiet + 1
            time.sleep(0.25)
        sampler.stop()

        listed = [
            job["LabelingJobName"]
            for page in sagemaker.get_paginator("list_labeling_jobs").paginate(
                NameContains="Streetscenes-Load-"
            )
            for job in page["LabelingJobSummaryList"]
        ]
        children = [name for name in listed if "-chain-" in name]
        records = [r for name in names for r in ledger.chain_records(name)]
        decisions = [r for r in records if r["record"] == DECISION_RECORD]
        failures = [r for r in records if str(r["record"]).startswith(FAILURE_RECORD_PREFIX)]
        executions = all_executions(sandbox, runner.state_machine_arn)
        return {
            "jobs": jobs,
            "objects_per_job": objects,
            "with_objects_left": with_objects_left,
            "executions": len(executions),
            "failed_executions": sum(e["status"] == "FAILED" for e in executions),
            "children": len(children),
            "unique_children": len(set(children)),
            "deeper_than_one": sum(not name.endswith("-chain-1") for name in children),
            "decisions": len(decisions),
            "failure_records": len(failures),
            "root_decided": len(root_decided),
            "chains_closed": len(chain_closed),
            "last_root_decision_s": max(root_decided.values(), default=float("nan")),
            "last_chain_closed_s": max(chain_closed.values(), default=float("nan")),
            "peak_running": sampler.peak,
        }


def report(m: dict[str, Any]) -> None:
    jobs = m["jobs"]
    duplicates = (m["children"] - m["unique_children"]) + m["deeper_than_one"] + (m["decisions"] - 2 * jobs)
    rows = [
        ("jobs stopped at once", f"{jobs} ({m['objects_per_job']} objects each)"),
        ("executions started", f"{m['executions']} ({m['executions'] / jobs:.2f} per job: root + child)"),
        (
            "children created",
            f"{m['children']} for {m['with_objects_left']} jobs with objects left "
            f"({m['children'] / max(1, m['with_objects_left']):.2f})",
        ),
        ("duplicates (children, decisions)", str(duplicates)),
        ("failed executions / failure records", f"{m['failed_executions']} / {m['failure_records']}"),
        (
            "time to the last root decision",
            f"{m['last_root_decision_s']:.1f} s ({m['last_root_decision_s'] / jobs:.2f} s per job)",
        ),
        ("time to the last chain complete", f"{m['last_chain_closed_s']:.1f} s"),
        ("peak concurrent executions", f"{m['peak_running']} ({m['peak_running'] / jobs:.2f} of the jobs)"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    ok = duplicates == 0 and m["children"] == m["with_objects_left"] and m["chains_closed"] == jobs
    print("result:", "OK" if ok else "NOT OK")
    targets = {"duplicates (children, decisions)": "0", "children created": "one per job with objects left"}
    record(
        "load",
        f"Load: {jobs} jobs stopped at once in the sandbox (`bench/load_bench.py`)",
        [Row(label, value, targets.get(label, "")) for label, value in rows],
        m,
    )
    if not ok:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--objects", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    report(run(args.jobs, args.objects, args.timeout))


if __name__ == "__main__":
    main()
