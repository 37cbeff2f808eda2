"""The steps of resuming a labeling job, shared by the Lambda handlers and the `gtchain` CLI.

Each step takes the clients it needs through `ChainContext` (built from a boto3 session,
or injected by tests), so `gtchain job resume` runs exactly the code the state machine runs.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any, BinaryIO, cast

from botocore.exceptions import ClientError

from gtchain_runtime.adapters.ledger import Ledger
from gtchain_runtime.adapters.notifier import Notifier
from gtchain_runtime.adapters.sagemaker import (
    LabelingJobExistsError,
    LabelingJobs,
)
from gtchain_runtime.domain import messages
from gtchain_runtime.domain.layout import (
    ChildLocations,
    FinalLocations,
    input_manifest_uri,
    jobs_output_path,
    output_manifest_uri,
)
from gtchain_runtime.domain.lineage import (
    PARENT_TAG,
    Lineage,
    has_lineage_tags,
    labeling_mode_override,
    lineage_from_tags,
    resume_opted_out,
    tags_to_dict,
)
from gtchain_runtime.domain.naming import child_job_name, has_project_prefix, job_name_from_arn
from gtchain_runtime.domain.policy import FINISHED_STATUSES, Decision, PolicyInput, decide
from gtchain_runtime.domain.requests import RequestBuildError, build_child_request
from gtchain_runtime.payloads import (
    EVENT_DETAIL_TYPE,
    SWEEP_SOURCE,
    CaughtError,
    ChainPlan,
    ChildResult,
    ExecutionState,
    FinalResult,
    Inspection,
    RecordResult,
)
from gtchain_runtime.settings import RuntimeSettings

# After this many failed executions for one job, gtchain records GIVE_UP instead of retrying.
MAX_FAILED_ATTEMPTS = 3
# The sweep leaves recent jobs to their own event-driven execution, and looks back this far.
SWEEP_GRACE = timedelta(minutes=15)
SWEEP_LOOKBACK = timedelta(days=7)


class ChainConflictError(RuntimeError):
    """The deterministic child name is taken by a job that is not this parent's child."""


@dataclass
class ChainContext:
    settings: RuntimeSettings
    jobs: LabelingJobs
    ledger: Ledger
    notifier: Notifier
    s3: Any
    stepfunctions: Any | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @classmethod
    def from_session(cls, settings: RuntimeSettings, session: Any | None = None) -> ChainContext:
        import boto3

        session = session or boto3.session.Session()
        return cls(
            settings=settings,
            jobs=LabelingJobs(session.client("sagemaker")),
            ledger=Ledger(session.client("dynamodb"), settings.ledger_table_name),
            notifier=Notifier(session.client("sns"), settings.topic_arn),
            s3=session.client("s3"),
            stepfunctions=session.client("stepfunctions") if settings.state_machine_arn else None,
        )


# Inspect -------------------------------------------------------------------------------------


def inspect_job(ctx: ChainContext, job_name_or_arn: str) -> Inspection:
    """DescribeLabelingJob + ListTags, and whether the job is this project's to handle."""
    job_name = job_name_or_arn
    if job_name_or_arn.startswith("arn:"):
        job_name = job_name_from_arn(job_name_or_arn)
    describe = ctx.jobs.describe(job_name)
    job_name = str(describe["LabelingJobName"])  # the real case, the ARN lower-cases it
    job_arn = str(describe["LabelingJobArn"])
    tags = tags_to_dict(ctx.jobs.tags(job_arn))
    status = str(describe["LabelingJobStatus"])
    base: dict[str, Any] = {
        "job_name": job_name,
        "job_arn": job_arn,
        "status": status,
        "describe": describe,
        "tags": tags,
    }

    prefix = ctx.settings.job_name_prefix
    if not has_project_prefix(job_name, prefix) and not has_lineage_tags(tags):
        reason = f"{job_name} is not a job of project {ctx.settings.project_name} (prefix {prefix})"
        return Inspection(relevant=False, reason=reason, **base)
    if status not in FINISHED_STATUSES:
        return Inspection(relevant=False, reason=f"{job_name} is {status}, not finished", **base)
    lineage = lineage_from_tags(job_name, tags)
    return Inspection(
        relevant=True,
        reason=f"{job_name} ended {status}",
        root=lineage.root,
        parent=lineage.parent,
        depth=lineage.depth,
        **base,
    )


def _lineage(inspection: Inspection) -> Lineage:
    return Lineage(
        job_name=inspection.job_name,
        root=inspection.root or inspection.job_name,
        parent=inspection.parent,
        depth=inspection.depth,
    )


# Plan ----------------------------------------------------------------------------------------


def _s3_object_exists(ctx: ChainContext, uri: str) -> bool:
    from gtchain_runtime.adapters.s3_stream import parse_s3_uri

    bucket, key = parse_s3_uri(uri)
    try:
        ctx.s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return True


def _upload(ctx: ChainContext, fileobj: IO[bytes], uri: str) -> None:
    from gtchain_runtime.adapters.s3_stream import upload_file

    fileobj.seek(0)
    upload_file(fileobj, uri, ctx.s3)


def plan_chain(ctx: ChainContext, inspection: Inspection, *, dry_run: bool = False) -> ChainPlan:
    """Diff the manifests, decide, and (unless dry_run) write the chained manifest and plan.json."""
    from gtchain_runtime.adapters.s3_stream import open_source
    from gtchain_runtime.domain.manifest import plan_chain as diff_manifests

    settings = ctx.settings
    describe = inspection.describe
    child = _lineage(inspection).child()
    locations = ChildLocations(settings.bucket_name, child.root, child.job_name)
    source_uri = input_manifest_uri(describe)
    output_uri = output_manifest_uri(describe)
    # A job that failed early has no output manifest: the input alone is diffed.
    has_output = _s3_object_exists(ctx, output_uri)

    with ExitStack() as stack:
        chained = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        rejects = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        source = stack.enter_context(open_source(source_uri, s3_client=ctx.s3))
        output = stack.enter_context(open_source(output_uri, s3_client=ctx.s3)) if has_output else None
        counts = diff_manifests(
            source, output, str(describe["LabelAttributeName"]), chained, rejects
        ).to_dict()

        verdict = decide(
            PolicyInput(
                job_name=inspection.job_name,
                status=inspection.status,
                failure_reason=describe.get("FailureReason"),
                depth=inspection.depth,
                max_depth=settings.max_depth,
                resume_stopped=settings.resume_stopped,
                opted_out=resume_opted_out(inspection.tags),
                remaining=counts["remaining"],
                labeled=counts["labeled"],
                input_labeled=counts["input_labeled"],
            )
        )
        decision, reason = verdict.decision, verdict.reason
        request: dict[str, Any] | None = None
        labeling_mode = mode_reason = None
        if decision is Decision.CHAIN:
            try:
                built = build_child_request(
                    describe,
                    child=child,
                    chained_manifest_uri=locations.chained_manifest_uri,
                    output_path=jobs_output_path(settings.bucket_name),
                    parent_tags=[{"Key": k, "Value": v} for k, v in inspection.tags.items()],
                    requested_mode=labeling_mode_override(inspection.tags) or settings.labeling_mode,
                    algorithm_specification_arn=settings.algorithm_specification_arn,
                    dataset_size=counts["total"],
                )
                request, labeling_mode, mode_reason = built.request, built.labeling_mode, built.mode_reason
            except RequestBuildError as error:
                decision = Decision.GIVE_UP
                reason = (
                    f"{reason}, but the chained job cannot be created: {error}. "
                    "To do: fix the parent job's settings."
                )

        plan = ChainPlan(
            decision=decision,
            reason=reason,
            counts=counts,
            child_name=child.job_name,
            chained_manifest_uri=locations.chained_manifest_uri if decision is Decision.CHAIN else None,
            rejects_uri=locations.rejects_uri,
            plan_uri=locations.plan_uri,
            request=request,
            labeling_mode=labeling_mode,
            mode_reason=mode_reason,
        )
        if dry_run:
            return plan
        if decision is Decision.CHAIN:
            _upload(ctx, chained, locations.chained_manifest_uri)
        _upload(ctx, rejects, locations.rejects_uri)
        document = {
            **plan.model_dump(mode="json", exclude={"request"}),
            "job_name": inspection.job_name,
            "status": inspection.status,
            "root": child.root,
            "depth": inspection.depth,
            "input_manifest_uri": source_uri,
            "output_manifest_uri": output_uri if has_output else None,
            "planned_at": ctx.clock().isoformat(),
        }
        with tempfile.TemporaryFile() as plan_file:
            plan_file.write(json.dumps(document, indent=2).encode("utf-8"))
            _upload(ctx, plan_file, locations.plan_uri)
        return plan


# Create --------------------------------------------------------------------------------------


def create_child(ctx: ChainContext, inspection: Inspection, plan: ChainPlan) -> ChildResult:
    """CreateLabelingJob, once: a name collision with our own child is a duplicate execution."""
    if plan.decision is not Decision.CHAIN or plan.request is None:
        raise ValueError(f"plan for {inspection.job_name} is {plan.decision}, there is no job to create")
    try:
        child_arn = ctx.jobs.create(plan.request)
        return ChildResult(child_name=plan.child_name, child_arn=child_arn, created=True)
    except LabelingJobExistsError:
        existing = ctx.jobs.describe(plan.child_name)
        existing_tags = tags_to_dict(ctx.jobs.tags(str(existing["LabelingJobArn"])))
        claimed_parent = existing_tags.get(PARENT_TAG, "")
        if claimed_parent.lower() != inspection.job_name.lower():
            raise ChainConflictError(
                f"a labeling job named {existing['LabelingJobName']} already exists but its "
                f"{PARENT_TAG} tag is {claimed_parent or 'missing'}, not {inspection.job_name}: "
                "rename or delete that job, then resume"
            ) from None
        return ChildResult(
            child_name=str(existing["LabelingJobName"]),
            child_arn=str(existing["LabelingJobArn"]),
            created=False,
        )


# Finalize ------------------------------------------------------------------------------------


def chain_job_names(root: str, depth: int) -> list[str]:
    """The jobs of a chain up to `depth`, root first."""
    return [root] + [child_job_name(root, d) for d in range(1, depth + 1)]


def finalize_chain(ctx: ChainContext, inspection: Inspection) -> FinalResult:
    """Consolidate the outputs of every job of the chain into chains/<root>/final/."""
    from gtchain_runtime.adapters.s3_stream import open_source
    from gtchain_runtime.domain.consolidate import consolidate_chain

    lineage = _lineage(inspection)
    locations = FinalLocations(ctx.settings.bucket_name, lineage.root)
    output_uris: list[tuple[str, str]] = []
    for name in chain_job_names(lineage.root, lineage.depth):
        describe = inspection.describe if name.lower() == inspection.job_name.lower() else ctx.jobs.find(name)
        if describe is None:
            continue  # a link created by hand under another name; its output reached the next job
        uri = output_manifest_uri(describe)
        if _s3_object_exists(ctx, uri):
            output_uris.append((str(describe["LabelingJobName"]), uri))
    if not output_uris:
        raise ValueError(f"no job of chain {lineage.root} has an output manifest to consolidate")

    with ExitStack() as stack:
        outputs = [
            (name, stack.enter_context(open_source(uri, s3_client=ctx.s3))) for name, uri in output_uris
        ]
        final = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        rejects = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))
        report = consolidate_chain(
            outputs, str(inspection.describe["LabelAttributeName"]), final, rejects
        ).to_dict()
        report = {
            **report,
            "root": lineage.root,
            "jobs": [name for name, _ in output_uris],
            "final_manifest_uri": locations.manifest_uri,
            "rejects_uri": locations.rejects_uri,
            "finalized_at": ctx.clock().isoformat(),
        }
        _upload(ctx, final, locations.manifest_uri)
        _upload(ctx, rejects, locations.rejects_uri)
        report_file = stack.enter_context(tempfile.TemporaryFile())
        report_file.write(json.dumps(report, indent=2, default=str).encode("utf-8"))
        _upload(ctx, report_file, locations.report_uri)
    return FinalResult(
        final_manifest_uri=locations.manifest_uri, report_uri=locations.report_uri, report=report
    )


# Record --------------------------------------------------------------------------------------


def record_outcome(ctx: ChainContext, state: ExecutionState, execution: str) -> RecordResult:
    """Ledger first (conditional), then notify only if this was the first write."""
    if state.error is not None:
        return record_failure(ctx, state, state.error, execution)
    inspection, plan = state.inspection, state.plan
    if inspection is None or plan is None:
        raise ValueError("record_outcome needs $.inspection and $.plan (or $.error)")
    lineage = _lineage(inspection)
    project = ctx.settings.project_name
    attributes: dict[str, Any] = {
        "parent": lineage.parent,
        "depth": lineage.depth,
        "status": inspection.status,
        "decision": plan.decision.value,
        "reason": plan.reason,
        "counts": plan.counts,
        "execution": execution,
    }
    if plan.decision is Decision.CHAIN:
        if state.child is None:
            raise ValueError("a CHAIN decision is recorded after $.child exists")
        attributes |= {
            "child_name": state.child.child_name,
            "chained_manifest_uri": plan.chained_manifest_uri,
        }
        message = messages.chain_started(
            project=project,
            parent=inspection.job_name,
            child=state.child.child_name,
            reason=plan.reason,
            counts=plan.counts,
            chained_manifest_uri=plan.chained_manifest_uri,
            mode_reason=plan.mode_reason,
        )
    elif plan.decision is Decision.COMPLETE:
        final_uri = state.final.final_manifest_uri if state.final else None
        attributes["final_manifest_uri"] = final_uri
        message = messages.chain_completed(
            project=project,
            job=inspection.job_name,
            root=lineage.root,
            reason=plan.reason,
            counts=plan.counts,
            final_manifest_uri=final_uri,
            report_uri=state.final.report_uri if state.final else None,
        )
    else:
        message = messages.gave_up(
            project=project,
            job=inspection.job_name,
            reason=plan.reason,
            counts=plan.counts,
            plan_uri=plan.plan_uri,
        )

    recorded = ctx.ledger.record_decision(inspection.job_name, lineage.root, attributes)
    if recorded:
        ctx.notifier.notify(message.subject, message.body)
    return RecordResult(
        recorded=recorded, notified=recorded, gave_up=recorded and plan.decision is Decision.GIVE_UP
    )


def _job_of(state: ExecutionState) -> tuple[str, str]:
    if state.inspection is not None:
        return state.inspection.job_name, state.inspection.root or state.inspection.job_name
    name = job_name_from_arn(state.resources[0]) if state.resources else "unknown-job"
    return name, name


def record_failure(
    ctx: ChainContext, state: ExecutionState, error: CaughtError, execution: str
) -> RecordResult:
    """One failure record per execution; after MAX_FAILED_ATTEMPTS the job is given up."""
    job_name, root = _job_of(state)
    recorded = ctx.ledger.record_failure(job_name, root, execution, error.Error, error.Cause)
    if not recorded:
        return RecordResult(recorded=False, notified=False)
    attempts = ctx.ledger.failure_count(job_name)
    message = messages.execution_failed(
        project=ctx.settings.project_name,
        job=job_name,
        error=error.Error,
        cause=error.Cause,
        attempts=attempts,
        max_attempts=MAX_FAILED_ATTEMPTS,
    )
    gave_up = False
    if attempts >= MAX_FAILED_ATTEMPTS:
        # A GIVE_UP decision makes the sweep leave the job alone: a permanent error is not retried forever.
        gave_up = ctx.ledger.record_decision(
            job_name,
            root,
            {
                "decision": Decision.GIVE_UP.value,
                "reason": f"{attempts} executions failed; last error {error.Error}: {error.Cause[:500]}",
                "execution": execution,
            },
        )
    ctx.notifier.notify(message.subject, message.body)
    return RecordResult(recorded=True, notified=True, gave_up=gave_up)


# Sweep ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    started: list[str]
    skipped: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"started": self.started, "skipped": self.skipped}


def sweep_execution_name(job_name: str, attempt: int) -> str:
    """Deterministic per job and attempt: concurrent sweeps collide on StartExecution."""
    digest = hashlib.sha256(job_name.lower().encode()).hexdigest()[:8]
    return f"sweep-{job_name.lower()[:55]}-{digest}-{attempt}"


def sweep_event(summary: dict[str, Any], execution_name: str, region: str, account: str) -> dict[str, Any]:
    """The EventBridge event shape, deterministic for one job and attempt (same name, same input)."""
    return {
        "version": "0",
        "id": execution_name,
        "detail-type": EVENT_DETAIL_TYPE,
        "source": SWEEP_SOURCE,
        "account": account,
        "time": str(summary.get("LastModifiedTime", "")),
        "region": region,
        "resources": [summary["LabelingJobArn"]],
        "detail": {"LabelingJobStatus": summary["LabelingJobStatus"]},
    }


def sweep_jobs(ctx: ChainContext) -> SweepResult:
    """Start the state machine for finished jobs of the project that have no recorded decision."""
    state_machine_arn = ctx.settings.state_machine_arn
    if not state_machine_arn or ctx.stepfunctions is None:
        raise ValueError("the sweep needs STATE_MACHINE_ARN")
    now = ctx.clock()
    prefix = ctx.settings.job_name_prefix
    started: list[str] = []
    skipped: dict[str, str] = {}
    for summary in ctx.jobs.finished_jobs(prefix, now - SWEEP_LOOKBACK, now - SWEEP_GRACE):
        name = str(summary["LabelingJobName"])
        if not has_project_prefix(name, prefix):
            skipped[name] = "name does not start with the project prefix"
            continue
        if ctx.ledger.decision(name) is not None:
            skipped[name] = "decision already recorded"
            continue
        attempts = ctx.ledger.failure_count(name)
        if attempts >= MAX_FAILED_ATTEMPTS:
            skipped[name] = f"{attempts} failed executions: given up"
            continue
        execution_name = sweep_execution_name(name, attempts + 1)
        arn_parts = str(summary["LabelingJobArn"]).split(":")
        event = sweep_event(summary, execution_name, region=arn_parts[3], account=arn_parts[4])
        try:
            ctx.stepfunctions.start_execution(
                stateMachineArn=state_machine_arn, name=execution_name, input=json.dumps(event)
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
            skipped[name] = f"execution {execution_name} already started"
            continue
        started.append(name)
    return SweepResult(started=started, skipped=skipped)


# The whole flow, for the CLI ------------------------------------------------------------------


@dataclass(frozen=True)
class ResumeOutcome:
    inspection: Inspection
    plan: ChainPlan | None
    child: ChildResult | None = None
    final: FinalResult | None = None
    record: RecordResult | None = None


def resume_job(ctx: ChainContext, job_name: str, execution: str) -> ResumeOutcome:
    """What one state machine execution does, run in-process (the console's "Chain" button)."""
    inspection = inspect_job(ctx, job_name)
    if not inspection.relevant:
        return ResumeOutcome(inspection=inspection, plan=None)
    plan = plan_chain(ctx, inspection)
    state = ExecutionState(id=execution, inspection=inspection, plan=plan, resources=[inspection.job_arn])
    try:
        if plan.decision is Decision.CHAIN:
            state.child = create_child(ctx, inspection, plan)
        elif plan.decision is Decision.COMPLETE:
            state.final = finalize_chain(ctx, inspection)
    except Exception as error:
        state.error = CaughtError(Error=type(error).__name__, Cause=str(error))
        record_outcome(ctx, state, execution)
        raise
    record = record_outcome(ctx, state, execution)
    return ResumeOutcome(inspection, plan, state.child, state.final, record)
