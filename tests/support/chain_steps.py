"""The handlers driven the way the state machine drives them, against `project_aws` (moto with
the sandbox's labeling-job emulation): a finished root job, its inspection, a CHAIN plan, and
whole executions."""

from __future__ import annotations

from typing import Any

from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.domain.layout import ChildLocations, jobs_output_path
from gtchain_runtime.domain.lineage import Lineage
from gtchain_runtime.domain.requests import build_child_request
from gtchain_runtime.handlers import create_child, finalize_chain, inspect_job, plan_chain, record_outcome
from tests.support.handler_env import BUCKET, FakeContext, ProjectAws, state_change_event

ROOT = "Streetscenes-Job1"


def finished_root(project: ProjectAws, stop_after: int = 30, objects: int = 50) -> dict[str, Any]:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(ROOT, JobBehaviour(stop_after=stop_after))
    project.create_root_job(ROOT, objects)
    workforce().run_until_idle()
    describe = project.sagemaker.describe_labeling_job(LabelingJobName=ROOT)
    assert describe["LabelingJobStatus"] == "Stopped"
    return describe


def inspected_state(project: ProjectAws, event_id: str = "event-1") -> dict[str, Any]:
    describe = finished_root(project)
    event = state_change_event(describe["LabelingJobArn"], "Stopped", event_id)
    return {**event, "inspection": inspect_job.handler(event, FakeContext())}


def chain_plan_for(state: dict[str, Any]) -> dict[str, Any]:
    """The CHAIN plan the Plan step would return (built with the pure request builder)."""
    inspection = state["inspection"]
    child = Lineage(
        inspection["job_name"], inspection["root"], inspection["parent"], inspection["depth"]
    ).child()
    locations = ChildLocations(BUCKET, child.root, child.job_name)
    built = build_child_request(
        LabelingJob.from_describe(inspection["job"]),
        child=child,
        chained_manifest_uri=locations.chained_manifest_uri,
        output_path=jobs_output_path(BUCKET),
        parent_tags=[{"Key": k, "Value": v} for k, v in inspection["tags"].items()],
    )
    return {
        "decision": "CHAIN",
        "reason": "stopped before labeling every object",
        "counts": {
            "total": 50,
            "labeled": 30,
            "human_labeled": 30,
            "machine_labeled": 0,
            "failed": 0,
            "unlabeled": 20,
            "remaining": 20,
            "repeated_keys": 0,
            "rejected": 0,
            "input_labeled": 0,
        },
        "child_name": child.job_name,
        "chained_manifest_uri": locations.chained_manifest_uri,
        "rejects_uri": locations.rejects_uri,
        "plan_uri": locations.plan_uri,
        "request": built.request,
    }


def run_until_finished(project: ProjectAws, job_name: str) -> dict[str, Any]:
    from gtchain.sandbox.groundtruth import workforce

    workforce().run_until_idle()
    return project.sagemaker.describe_labeling_job(LabelingJobName=job_name)


def execute(event: dict[str, Any]) -> dict[str, Any]:
    """What the state machine does with one event (the Choice states included)."""
    state: dict[str, Any] = dict(event)
    state["inspection"] = inspect_job.handler(state, FakeContext())
    if not state["inspection"]["relevant"]:
        return state
    state["plan"] = plan_chain.handler(state, FakeContext())
    if state["plan"]["decision"] == "CHAIN":
        state["child"] = create_child.handler(state, FakeContext())
    elif state["plan"]["decision"] == "COMPLETE":
        state["final"] = finalize_chain.handler(state, FakeContext())
    state["record"] = record_outcome.handler(state, FakeContext())
    return state


def s3_text(project: ProjectAws, uri: str) -> str:
    key = uri.removeprefix(f"s3://{BUCKET}/")
    return project.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
