"""Plays a demo scenario (scenarios.py) against gtchain deployed in the sandbox, and collects
what gtchain did: the chain's jobs, its decisions and failures (from the runtime's ledger), the
notifications, the final manifest and report.

A scenario uploads a dataset manifest to the project bucket, creates the root labeling job
exactly as a person would, tells the simulated workforce how that job goes, and then only
watches: everything after the root job is gtchain's doing (EventBridge -> Step Functions ->
Lambdas -> CreateLabelingJob).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtchain.demo.scenarios import (
    FINAL_DECISIONS,
    IGNORE_SETTLE_SECONDS,
    IGNORED,
    LABEL_CLASSES,
    UI_TEMPLATE,
    Scenario,
    dataset_lines,
    root_job_request,
)
from gtchain.sandbox.errors import SandboxError
from gtchain_runtime.adapters.ledger import Ledger
from gtchain_runtime.adapters.ledger_schema import DECISION_RECORD, FAILURE_RECORD_PREFIX
from gtchain_runtime.domain.layout import FinalLocations
from gtchain_runtime.domain.manifest import manifest_stats


@dataclass(frozen=True)
class JobProgress:
    name: str
    status: str
    labeled: int
    total: int


@dataclass
class ScenarioResult:
    scenario: str
    root_job: str
    final_decision: str
    final_reason: str
    jobs: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    total_objects: int
    labeled_objects: int
    final_manifest: str | None
    report: dict[str, Any] | None
    elapsed_seconds: float
    notifications: list[str] = field(default_factory=list)
    # IGNORED scenarios: the executions started for the root job, with the states they entered.
    executions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "jobs": [job["name"] for job in self.jobs],
            "job_details": self.jobs,
            "final_decision": self.final_decision,
            "final_reason": self.final_reason,
            "total_objects": self.total_objects,
            "labeled_objects": self.labeled_objects,
            "objects_never_resent": (self.report or {}).get("never_resent", 0),
            "final_manifest": self.final_manifest,
            "elapsed_seconds": round(self.elapsed_seconds, 2),
            "executions": self.executions,
        }


ProgressCallback = Callable[[list[JobProgress], list[dict[str, Any]]], None]


class ScenarioRunner:
    """Plays scenarios against one deployed project stack in a running sandbox."""

    def __init__(self, sandbox: Any, outputs: dict[str, str], labeling_role_arn: str) -> None:
        self._sandbox = sandbox
        self._bucket = outputs["BucketName"]
        self._table = outputs["LedgerTableName"]
        self._state_machine = outputs["StateMachineArn"]
        self._role_arn = labeling_role_arn
        self._s3 = sandbox.client("s3")
        self._sagemaker = sandbox.client("sagemaker")
        self._stepfunctions = sandbox.client("stepfunctions")
        self._ledger = Ledger(sandbox.client("dynamodb"), self._table)
        self._execution_inputs: dict[str, dict[str, Any]] = {}

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def state_machine_arn(self) -> str:
        return self._state_machine

    def start(self, scenario: Scenario) -> None:
        """Upload the dataset and create the root job; gtchain takes it from there."""
        prefix = "inputs/streetscenes/"
        manifest_key = f"inputs/{scenario.root_job}/dataset.manifest"
        self._s3.put_object(
            Bucket=self._bucket,
            Key=manifest_key,
            Body=b"\n".join(dataset_lines(self._bucket, scenario)) + b"\n",
        )
        labels = {"document-version": "2018-11-28", "labels": [{"label": name} for name in LABEL_CLASSES]}
        self._s3.put_object(Bucket=self._bucket, Key=prefix + "labels.json", Body=json.dumps(labels).encode())
        self._s3.put_object(Bucket=self._bucket, Key=prefix + "template.liquid", Body=UI_TEMPLATE)
        pattern = f"{scenario.root_job}*" if scenario.behaviour_for_chain else scenario.root_job
        self._sandbox.workforce.configure(pattern, scenario.behaviour)
        if scenario.variants is not None:
            self._sandbox.workforce.set_variants(scenario.variants, f"{scenario.root_job}*")
        self._sagemaker.create_labeling_job(
            **root_job_request(scenario, self._bucket, self._role_arn, f"s3://{self._bucket}/{manifest_key}")
        )

    def chain_jobs(self, root: str) -> list[JobProgress]:
        """The jobs of a chain in chain order (root first), from the workforce's view."""
        jobs = [
            JobProgress(snap.name, snap.status, snap.labeled, snap.total)
            for snap in self._sandbox.workforce.snapshot()
            if snap.name == root or snap.name.lower().startswith(f"{root.lower()}-chain-")
        ]
        return sorted(jobs, key=lambda job: (job.name != root, len(job.name), job.name))

    def wait(
        self,
        scenario: Scenario,
        *,
        timeout: float = 150.0,
        on_progress: ProgressCallback | None = None,
        download_to: Path | None = None,
    ) -> ScenarioResult:
        """Watch until gtchain closes the chain (COMPLETE or GIVE_UP), then collect the results.

        A scenario that expects IGNORED is watched until its job ended, every execution started
        for it ended, and IGNORE_SETTLE_SECONDS passed without a ledger record; a decision
        recorded meanwhile ends the watch as for any other scenario.
        """
        started = time.monotonic()
        deadline = started + timeout
        if scenario.expected_decision == IGNORED:
            ignored = self._wait_ignored(scenario, deadline, on_progress)
            if ignored is not None:
                return ignored
        while True:
            records = self._ledger.chain_records(scenario.root_job)
            decisions = [r for r in records if r["record"] == DECISION_RECORD]
            failures = [r for r in records if str(r["record"]).startswith(FAILURE_RECORD_PREFIX)]
            if on_progress is not None:
                on_progress(self.chain_jobs(scenario.root_job), decisions)
            final = next((d for d in decisions if d.get("decision") in FINAL_DECISIONS), None)
            if final is not None or failures:
                break
            if time.monotonic() > deadline:
                raise SandboxError(
                    f"scenario {scenario.name}: the chain of {scenario.root_job} did not finish in "
                    f"{timeout:.0f} s (decisions so far: {[d.get('decision') for d in decisions]})"
                )
            time.sleep(0.25)
        if failures and final is None:
            first = failures[0]
            raise SandboxError(
                f"scenario {scenario.name}: an execution failed for {first['job_name']}: "
                f"{first.get('error')}: {first.get('cause')}"
            )
        assert final is not None
        return self._collect(
            scenario,
            final,
            decisions=decisions,
            failures=failures,
            elapsed=time.monotonic() - started,
            download_to=download_to,
        )

    def _wait_ignored(
        self, scenario: Scenario, deadline: float, on_progress: ProgressCallback | None
    ) -> ScenarioResult | None:
        """The IGNORED result, or None as soon as the ledger holds a record of the chain."""
        started = time.monotonic()
        root = scenario.root_job
        ended_at: float | None = None
        while True:
            if self._ledger.chain_records(root) or self._ledger.decision(root) is not None:
                return None
            if on_progress is not None:
                on_progress(self.chain_jobs(root), [])
            status = self._sagemaker.describe_labeling_job(LabelingJobName=root)["LabelingJobStatus"]
            if status in {"Completed", "Failed", "Stopped"} and ended_at is None:
                ended_at = time.monotonic()
            if ended_at is not None and time.monotonic() - ended_at >= IGNORE_SETTLE_SECONDS:
                executions = self.executions_for(root)
                if all(execution["status"] != "RUNNING" for execution in executions):
                    break
            if time.monotonic() > deadline:
                raise SandboxError(
                    f"scenario {scenario.name}: {root} (status {status}) or its executions did not "
                    "end in time"
                )
            time.sleep(0.25)
        if self._ledger.chain_records(root) or self._ledger.decision(root) is not None:
            return None
        jobs = self.chain_jobs(root)
        entered = sorted({state for execution in executions for state in execution["states"]})
        return ScenarioResult(
            scenario=scenario.name,
            root_job=root,
            final_decision=IGNORED,
            final_reason=(
                f"no decision recorded for {root}; {len(executions)} execution(s), states entered: "
                f"{', '.join(entered) or 'none'}"
            ),
            jobs=[self._job_details(job.name) for job in jobs],
            decisions=[],
            failures=[],
            total_objects=0,
            labeled_objects=0,
            final_manifest=None,
            report=None,
            elapsed_seconds=time.monotonic() - started,
            executions=executions,
        )

    def executions_for(self, job_name: str) -> list[dict[str, Any]]:
        """Executions of the state machine whose event names the job, with the states they entered."""
        arn = self._sagemaker.describe_labeling_job(LabelingJobName=job_name)["LabelingJobArn"]
        found = []
        pages = self._stepfunctions.get_paginator("list_executions").paginate(
            stateMachineArn=self._state_machine
        )
        for execution in (item for page in pages for item in page["executions"]):
            execution_arn = execution["executionArn"]
            if execution_arn not in self._execution_inputs:
                described = self._stepfunctions.describe_execution(executionArn=execution_arn)
                self._execution_inputs[execution_arn] = json.loads(described.get("input") or "{}")
            if arn not in (self._execution_inputs[execution_arn].get("resources") or []):
                continue
            history = self._stepfunctions.get_execution_history(executionArn=execution_arn)["events"]
            states = [
                event["stateEnteredEventDetails"]["name"]
                for event in history
                if "stateEnteredEventDetails" in event
            ]
            found.append({"name": execution["name"], "status": execution["status"], "states": states})
        return found

    def _job_details(self, name: str) -> dict[str, Any]:
        described = self._sagemaker.describe_labeling_job(LabelingJobName=name)
        return {
            "name": name,
            "status": described["LabelingJobStatus"],
            "counters": described["LabelCounters"],
            "automated": "LabelingJobAlgorithmsConfig" in described,
            "initial_model": described.get("LabelingJobAlgorithmsConfig", {}).get(
                "InitialActiveLearningModelArn"
            ),
            "final_model": described.get("LabelingJobOutput", {}).get("FinalActiveLearningModelArn"),
            "input_manifest": described["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"],
            "role_arn": described["RoleArn"],
            "workteam_arn": described["HumanTaskConfig"]["WorkteamArn"],
            "stopping_conditions": described.get("StoppingConditions", {}),
        }

    def _collect(
        self,
        scenario: Scenario,
        final: dict[str, Any],
        *,
        decisions: list[dict[str, Any]],
        failures: list[dict[str, Any]],
        elapsed: float,
        download_to: Path | None,
    ) -> ScenarioResult:
        jobs = [self._job_details(job.name) for job in self.chain_jobs(scenario.root_job)]
        final_manifest: str | None = None
        report: dict[str, Any] | None = None
        total = labeled = 0
        if final.get("decision") == "COMPLETE":
            locations = FinalLocations(self._bucket, scenario.root_job)
            manifest_key = locations.prefix + "output.manifest"
            body = self._s3.get_object(Bucket=self._bucket, Key=manifest_key)["Body"].read()
            report = json.loads(
                self._s3.get_object(Bucket=self._bucket, Key=locations.prefix + "report.json")["Body"].read()
            )
            target = (download_to or Path("demo-output")) / scenario.root_job / "output.manifest"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            (target.parent / "report.json").write_text(json.dumps(report, indent=2))
            final_manifest = str(target)
            with target.open("rb") as manifest:
                stats = manifest_stats(manifest, scenario.attribute)
            total, labeled = stats.objects, stats.labeled
        return ScenarioResult(
            scenario=scenario.name,
            root_job=scenario.root_job,
            final_decision=str(final.get("decision")),
            final_reason=str(final.get("reason", "")),
            jobs=jobs,
            decisions=decisions,
            failures=failures,
            total_objects=total,
            labeled_objects=labeled,
            final_manifest=final_manifest,
            report=report,
            elapsed_seconds=elapsed,
        )
