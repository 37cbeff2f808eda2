"""The simulated Ground Truth workforce: advances labeling jobs tick by tick.

One ``Workforce`` per process (``workforce()``). Each tick moves every active job of every
moto account and region one step, as Ground Truth would:

* Initializing -> InProgress: read the input manifest (and the label categories) from
  moto's S3, skip objects that already carry the label attribute, plan the rest.
* InProgress: label ``pace`` objects (human labels; machine labels with human-annotated
  "no" once automated labeling has its model), fail or expire the planned share, update
  LabelCounters; Completed when every object was processed.
* Stopping -> Stopped (StopLabelingJob, workers stopping after N labels, or the job's
  StoppingConditions met, see below).
* Final states write the output layout and emit Ground Truth's state-change event.

Ticks run in a daemon thread (``start()``/``stop()``) or on demand (``step()``,
``run_until_idle()``) for deterministic tests. Knobs are registered per job-name pattern
(``configure()``) and read when a job starts (its first tick).

StoppingConditions (CreateLabelingJob's ``LabelingJobStoppingConditions``,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobStoppingConditions.html):
"If any of the conditions are met, the job is automatically stopped." The workforce stops a
job (Stopping, then Stopped with the output a stopped job writes) once

* ``MaxHumanLabeledObjectCount`` ("the maximum number of objects that can be labeled by human
  workers", minimum 1): this job's human labels (LabelCounters.HumanLabeled) reach it;
* ``MaxPercentageOfInputDatasetLabeled`` ("the maximum number of input data objects that should
  be labeled", 1..100): the labels this job produced (human + machine) reach that percentage of
  the objects of its input manifest, rounded down so that the maximum is never exceeded. The
  page does not say whether objects that arrive already labeled (a chained job's input) count;
  the sandbox counts only this job's labels, so that a chained job is not stopped before its
  first label by the labels its parent paid for.

A condition met by the very label that finishes the dataset ends the job Completed: nothing
is left to stop. Streaming jobs have no dataset size: only the human-label count applies.
The range checks (minimum 1, maximum 100) come from botocore's model through the request
validation (``validation.py``).
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from moto.events.models import events_backends
from moto.utilities.utils import get_partition

from gtchain.sandbox.groundtruth.lifecycle import models
from gtchain.sandbox.groundtruth.outputs.labels import (
    GENERIC_CLASSES,
    LabelMaker,
    infer_task_type,
    is_adjustment,
    parse_label_categories,
)
from gtchain.sandbox.groundtruth.outputs.manifest import ManifestError, is_labeled, serialize_manifest
from gtchain.sandbox.groundtruth.outputs.sequences import Frame
from gtchain.sandbox.groundtruth.outputs.writer import (
    OutputWriter,
    S3Location,
    S3Store,
    read_input_manifest,
    read_sequences,
)
from gtchain.sandbox.groundtruth.validation.automation import (
    AUTOMATION_MIN_OBJECTS,
    sample_fails,
    sample_failure_reason,
)
from gtchain.sandbox.groundtruth.validation.job_rules import automation_problem, input_manifest_problem
from gtchain.sandbox.groundtruth.variants import REGISTRY, GroundTruthVariants, latest_match

LOGGER = logging.getLogger(__name__)

EVENT_SOURCE = "aws.sagemaker"
EVENT_DETAIL_TYPE = "SageMaker Ground Truth Labeling Job State Change"
DEFAULT_JOB_FAILURE_REASON = (
    "InternalServerError: We encountered an internal error. Please try your request again."
)
DEFAULT_OBJECT_FAILURE_REASON = "ClientError: Annotation consolidation failed for this data object"
# The sandbox's wording (AWS publishes none) for an expired task under expired_tasks=failure-reason.
EXPIRED_TASK_FAILURE_REASON = "ClientError: The task for this data object expired before workers completed it"
WORKER_IDS = ("a12b3cdefg4h5i67", "b23c4defgh5i6j78", "c34d5efghi6j7k89")
COGNITO_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_sandbox"


@dataclass(frozen=True)
class JobBehaviour:
    """What the workforce does with a job. The default labels everything.

    pace: objects processed per tick (None: the workforce's default pace).
    stop_after: workers stop the job after this many labels (Stopping -> Stopped).
    fail_after / failure_reason: the job fails with this FailureReason after that many labels;
        write_output_on_failure=False leaves no output manifest behind.
    object_failure_share: share of the objects to label that fail (failure-reason in metadata).
    expire_share: share of the objects to label whose tasks expire (left unlabeled; the job
        still completes).
    duplicate_final_event: emit the final state-change event twice.
    human_validation_share: with automated labeling and no InitialActiveLearningModelArn,
        the share humans label first (the validation set) before machine labels start.
    automation_min_objects: with automated labeling, smaller datasets fail the job
        (automation.py: Ground Truth's minimum is 1,250; tests lower it to stay small).
    """

    pace: int | None = None
    stop_after: int | None = None
    fail_after: int | None = None
    failure_reason: str = DEFAULT_JOB_FAILURE_REASON
    write_output_on_failure: bool = True
    object_failure_share: float = 0.0
    object_failure_reason: str = DEFAULT_OBJECT_FAILURE_REASON
    expire_share: float = 0.0
    duplicate_final_event: bool = False
    human_validation_share: float = 0.1
    automation_min_objects: int = AUTOMATION_MIN_OBJECTS

    def __post_init__(self) -> None:
        if self.pace is not None and self.pace < 1:
            raise ValueError(f"JobBehaviour.pace must be at least 1, got {self.pace}")
        for name in ("stop_after", "fail_after"):
            count = getattr(self, name)
            if count is not None and count < 0:
                raise ValueError(f"JobBehaviour.{name} must not be negative, got {count}")
        for name in ("object_failure_share", "expire_share", "human_validation_share"):
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"JobBehaviour.{name} must be between 0 and 1, got {share}")
        if self.object_failure_share + self.expire_share > 1.0:
            raise ValueError("JobBehaviour.object_failure_share + expire_share must not exceed 1")
        if not self.failure_reason.strip() or not self.object_failure_reason.strip():
            raise ValueError("JobBehaviour.failure_reason and object_failure_reason must not be empty")
        if self.automation_min_objects < 0:
            raise ValueError(
                f"JobBehaviour.automation_min_objects must not be negative, got {self.automation_min_objects}"
            )


class Fate(Enum):
    HUMAN = "human"
    MACHINE = "machine"
    FAIL = "fail"
    EXPIRE = "expire"


@dataclass
class JobRun:
    """The workforce's progress on one job (only the stepping thread touches it)."""

    behaviour: JobBehaviour
    records: list[dict[str, Any]]
    plan: list[tuple[int, Fate]]
    maker: LabelMaker
    writer: OutputWriter
    pre_labeled: int
    automated: bool
    # Streaming jobs (SNS data source) get objects over time: they never run out of work.
    streaming: bool = False
    model_arn: str | None = None
    variants: GroundTruthVariants = field(default_factory=GroundTruthVariants)
    workers_per_object: int = 1
    # The records as manifest lines, kept up to date batch by batch (the intermediate manifest
    # is rewritten after every batch without serializing every record again), and the lines of
    # the records this job labeled, in order (annotations/intermediate).
    lines: list[str] = field(default_factory=list)
    labeled_lines: list[str] = field(default_factory=list)
    # The frames of each object's sequence file, by line (video frame and 3D tracking tasks).
    sequences: dict[int, tuple[Frame, ...]] = field(default_factory=dict)
    # The request's StoppingConditions as limits on this job's own labels (None: no limit).
    max_human_labeled: int | None = None
    max_labeled: int | None = None
    # Automated labeling's human sample: the plan position after which the job fails because
    # more than 10% of the sample failed (automation.py), and the FailureReason it fails with.
    sample_failure_at: int | None = None
    sample_failure_reason: str = ""
    position: int = 0
    labeled: int = 0
    human_labeled: int = 0
    batch: int = 0

    @property
    def finished(self) -> bool:
        return not self.streaming and self.position >= len(self.plan)

    @property
    def stopping_condition_met(self) -> bool:
        """A StoppingConditions limit is reached (the job stops automatically)."""
        return (self.max_human_labeled is not None and self.human_labeled >= self.max_human_labeled) or (
            self.max_labeled is not None and self.labeled >= self.max_labeled
        )


@dataclass(frozen=True)
class JobSnapshot:
    """A job's progress for display: labeled counts TotalLabeled (pre-labeled included)."""

    name: str
    arn: str
    status: str
    labeled: int
    human_labeled: int
    machine_labeled: int
    failed: int
    unlabeled: int
    total: int | None


@dataclass
class _StepOutcome:
    changed: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)


class Workforce:
    def __init__(self, default_pace: int = 100, tick_seconds: float = 0.2) -> None:
        self.default_pace = default_pace
        self.tick_seconds = tick_seconds
        self._behaviours: list[tuple[str, JobBehaviour]] = []
        self._config_lock = threading.Lock()
        self._step_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()

    # -- configuration -------------------------------------------------------------------

    def set_variants(self, variants: GroundTruthVariants, pattern: str | None = None) -> None:
        """Play `variants` (variants.py) for every job (pattern None) or for jobs whose name
        matches `pattern` (fnmatch, case-insensitive; the latest match wins). Read when a job
        is created (arn_case) and on its first tick (the others)."""
        REGISTRY.set(variants, pattern)

    def variants_for(self, job_name: str) -> GroundTruthVariants:
        return REGISTRY.for_job(job_name)

    def configure(self, pattern: str, behaviour: JobBehaviour) -> None:
        """Apply `behaviour` to jobs whose name matches `pattern` (fnmatch, case-insensitive).

        The latest matching registration wins; it is read on the job's first tick.
        """
        if not pattern.strip():
            raise ValueError("Workforce.configure needs a non-empty job-name pattern")
        with self._config_lock:
            self._behaviours.append((pattern.lower(), behaviour))

    def behaviour_for(self, job_name: str) -> JobBehaviour:
        with self._config_lock:
            return latest_match(self._behaviours, job_name) or JobBehaviour()

    def reset(self) -> None:
        """Forget every knob (jobs themselves live in moto and go with moto's reset)."""
        with self._config_lock:
            self._behaviours.clear()
        REGISTRY.reset()

    # -- driving -------------------------------------------------------------------------

    def start(self, tick_seconds: float | None = None) -> None:
        """Advance jobs in a daemon thread every `tick_seconds` (idempotent)."""
        if tick_seconds is not None:
            if tick_seconds <= 0:
                raise ValueError(f"tick_seconds must be positive, got {tick_seconds}")
            self.tick_seconds = tick_seconds
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._tick_forever, name="gtchain-workforce", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.tick_seconds * 5))
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _tick_forever(self) -> None:
        while not self._stop_event.wait(self.tick_seconds):
            try:
                self.step()
            except Exception:  # keep the workforce alive; the error is in the log
                LOGGER.exception("labeling workforce tick failed")

    def step(self) -> bool:
        """Advance every active job by one tick. True when anything changed."""
        with self._step_lock:
            outcome = _StepOutcome()
            for job in models.all_jobs():
                if job.is_active:
                    self._advance(job, outcome)
        # Emitted without any lock held: delivering the event may start an execution that
        # calls DescribeLabelingJob from another thread.
        for event in outcome.events:
            _emit(event)
        return outcome.changed

    def run_until_idle(self, timeout: float = 30.0) -> int:
        """Step until a step changes nothing; returns the number of steps that did."""
        deadline = time.monotonic() + timeout
        steps = 0
        while self.step():
            steps += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"labeling jobs still advancing after {timeout} s ({steps} steps)")
        return steps

    def snapshot(self) -> list[JobSnapshot]:
        snapshots = []
        for job in sorted(models.all_jobs(), key=lambda job: (job.creation_time, job.name)):
            with models.STATE_LOCK:
                counters = job.counters
                snapshots.append(
                    JobSnapshot(
                        name=job.name,
                        arn=job.arn,
                        status=job.status,
                        labeled=counters.total_labeled,
                        human_labeled=counters.human_labeled,
                        machine_labeled=counters.machine_labeled,
                        failed=counters.failed_non_retryable_error,
                        unlabeled=counters.unlabeled,
                        total=len(job.run.records) if job.run is not None else None,
                    )
                )
        return snapshots

    # -- one job, one tick ---------------------------------------------------------------

    def _advance(self, job: models.LabelingJob, outcome: _StepOutcome) -> None:
        with models.STATE_LOCK:
            status = job.status
        if job.run is None:
            try:
                run = self._prepare(job)
            except ManifestError as error:
                self._finish(job, models.FAILED, outcome, failure_reason=str(error), write_output=False)
                return
            with models.STATE_LOCK:
                job.run = run
                _update_counters(job, run)
                if job.status == models.INITIALIZING:
                    job.set_status(models.IN_PROGRESS)
            outcome.changed = True
            return
        run = job.run
        if status == models.STOPPING:
            self._finish(job, models.STOPPED, outcome)
        elif status == models.IN_PROGRESS:
            self._label_batch(job, run, outcome)

    def _prepare(self, job: models.LabelingJob) -> JobRun:
        request = job.request
        behaviour = self.behaviour_for(job.name)
        store = S3Store(job.account_id, job.region_name)
        writer = OutputWriter(store, request["OutputConfig"]["S3OutputPath"], job.name)
        writer.check_bucket()
        attribute: str = request["LabelAttributeName"]
        variants = REGISTRY.for_job(job.name)
        maker = LabelMaker(
            infer_task_type(request),
            attribute,
            _label_classes(store, request),
            job.name,
            adjustment=is_adjustment(request),
            unadjusted_status=variants.unadjusted_status,
            output_root=writer.root.uri,
        )
        s3_source = request["InputConfig"]["DataSource"].get("S3DataSource")
        if s3_source is None:
            # A streaming job (SNS data source) waits for objects until it is stopped.
            run = JobRun(behaviour, [], [], maker, writer, pre_labeled=0, automated=False, streaming=True)
            run.max_human_labeled = _stopping_limits(request, dataset_size=None)[0]
            return run
        objects = read_input_manifest(store, request)
        sequences = read_sequences(store, request, objects)
        records = [item.record for item in objects]
        to_label = [index for index, record in enumerate(records) if not is_labeled(record, attribute)]
        problem = automation_problem(request, variants) or input_manifest_problem(
            request,
            records,
            automation_min_objects=behaviour.automation_min_objects,
            variants=variants,
            request_of=models.request_of_job(job.account_id, job.region_name),
        )
        if problem is not None:
            # Fails the job before any work is sent, as a broken input manifest does.
            raise ManifestError(problem)
        algorithms = request.get("LabelingJobAlgorithmsConfig")
        automated = algorithms is not None
        initial_model = (algorithms or {}).get("InitialActiveLearningModelArn")
        plan = _plan_fates(
            job.arn, to_label, behaviour, automated=automated, has_initial_model=bool(initial_model)
        )
        run = JobRun(
            behaviour,
            records,
            plan,
            maker,
            writer,
            pre_labeled=len(records) - len(to_label),
            automated=automated,
            variants=variants,
            sequences=sequences,
            lines=[serialize_manifest([record]) for record in records],
            workers_per_object=int(request["HumanTaskConfig"].get("NumberOfHumanWorkersPerDataObject") or 1),
        )
        run.max_human_labeled, run.max_labeled = _stopping_limits(request, dataset_size=len(records))
        if automated and initial_model:
            # A pre-trained model lets machine labeling start at once; the job trains a new one.
            run.model_arn = _final_model_arn(job)
        elif automated:
            run.sample_failure_at, run.sample_failure_reason = _human_sample_failure(plan, variants)
        return run

    def _label_batch(self, job: models.LabelingJob, run: JobRun, outcome: _StepOutcome) -> None:
        behaviour = run.behaviour
        pace = behaviour.pace or self.default_pace
        now = models.utcnow()
        requests: list[dict[str, Any]] = []
        responses: list[dict[str, Any]] = []
        human = machine = failed = 0
        stop_now = fail_now = False
        processed = 0
        attribute, metadata_attribute = run.maker.attribute, f"{run.maker.attribute}-metadata"
        touched: list[int] = []
        labeled_now: list[int] = []
        while processed < pace and run.position < len(run.plan):
            if behaviour.fail_after is not None and run.labeled >= behaviour.fail_after:
                fail_now = True
                break
            if run.sample_failure_at is not None and run.position >= run.sample_failure_at:
                fail_now = True
                break
            if behaviour.stop_after is not None and run.labeled >= behaviour.stop_after:
                stop_now = True
                break
            if run.stopping_condition_met:
                stop_now = True
                break
            index, fate = run.plan[run.position]
            run.position += 1
            processed += 1
            record = run.records[index]
            identity = str(record.get("source-ref", record.get("source")))
            if fate is Fate.EXPIRE and run.variants.expired_tasks == "untouched":
                continue
            if fate in (Fate.FAIL, Fate.EXPIRE):
                reason = behaviour.object_failure_reason if fate is Fate.FAIL else EXPIRED_TASK_FAILURE_REASON
                record.pop(attribute, None)
                record[metadata_attribute] = run.maker.failure(reason, when=now)
                touched.append(index)
                failed += 1
                continue
            is_human = fate is Fate.HUMAN
            label = run.maker.label(
                identity,
                human=is_human,
                when=now,
                dataset_object_id=str(index),
                frames=run.sequences.get(index, ()),
            )
            for file in label.files:
                run.writer.write_label_file(file)
            value, metadata = label.value, label.metadata
            record[attribute] = value
            record[metadata_attribute] = metadata
            run.labeled += 1
            touched.append(index)
            labeled_now.append(index)
            if not is_human:
                machine += 1
                if run.model_arn is None:
                    run.model_arn = _final_model_arn(job)
                continue
            human += 1
            run.human_labeled += 1
            answers = _worker_answers(run, value, metadata, now)
            run.writer.write_worker_response(str(index), answers, when=now)
            data_object = {"s3Uri": identity} if "source-ref" in record else {"content": identity}
            requests.append(
                {
                    "datasetObjectId": str(index),
                    "dataObject": data_object,
                    "annotations": [
                        {
                            "workerId": answer["workerId"],
                            "annotationData": {"content": json.dumps(answer["answerContent"])},
                        }
                        for answer in answers
                    ],
                }
            )
            content: dict[str, Any] = {attribute: value}
            if run.variants.consolidated_metadata == "included":
                content[metadata_attribute] = metadata
            responses.append({"datasetObjectId": str(index), "consolidatedAnnotation": {"content": content}})
        if run.sample_failure_at is not None and run.position >= run.sample_failure_at:
            # The sample's last object was in this batch: the job fails now, not a tick later.
            fail_now = True
        if not stop_now and not fail_now and not run.finished and run.stopping_condition_met:
            # The batch's last label met a stopping condition: stop now, not a tick later.
            stop_now = True
        if processed:
            run.batch += 1
            run.writer.write_consolidation(run.batch, requests, responses)
            for index in touched:
                run.lines[index] = serialize_manifest([run.records[index]])
            run.labeled_lines.extend(run.lines[index] for index in labeled_now)
            run.writer.write_intermediate("".join(run.lines), "".join(run.labeled_lines))
            outcome.changed = True
        with models.STATE_LOCK:
            job.counters.human_labeled += human
            job.counters.machine_labeled += machine
            job.counters.failed_non_retryable_error += failed
            _update_counters(job, run)
            if processed:
                job.last_modified_time = now
        if fail_now:
            self._finish(
                job,
                models.FAILED,
                outcome,
                failure_reason=run.sample_failure_reason
                or run.variants.failure_reason_text
                or behaviour.failure_reason,
                write_output=behaviour.write_output_on_failure,
            )
        elif stop_now:
            with models.STATE_LOCK:
                if job.status == models.IN_PROGRESS:
                    job.set_status(models.STOPPING)
            outcome.changed = True
        elif run.finished:
            self._finish(job, models.COMPLETED, outcome)

    def _finish(
        self,
        job: models.LabelingJob,
        status: str,
        outcome: _StepOutcome,
        *,
        failure_reason: str | None = None,
        write_output: bool = True,
    ) -> None:
        run = job.run
        output: dict[str, str] | None = None
        # A Completed job writes its output manifest; a Stopped or Failed one per the
        # final_manifest variant (variants.py); write_output=False: the job wrote nothing.
        final_manifest = "absent" if run is None or not run.records or not write_output else "present"
        if final_manifest == "present" and status != models.COMPLETED and run is not None:
            final_manifest = run.variants.final_manifest
        if run is not None and final_manifest != "absent":
            if final_manifest == "present":
                run.writer.write_output_manifest(run.records)
            output = {"OutputDatasetS3Uri": run.writer.output_manifest.uri}
            if run.model_arn is not None:
                output["FinalActiveLearningModelArn"] = run.model_arn
                run.writer.write_active_learning(
                    run.model_arn,
                    trained_on=run.pre_labeled + job.counters.human_labeled,
                    machine_labeled=job.counters.machine_labeled,
                )
        with models.STATE_LOCK:
            job.output = output
            job.set_status(status, failure_reason)
        behaviour = run.behaviour if run is not None else self.behaviour_for(job.name)
        event = {
            "account_id": job.account_id,
            "region_name": job.region_name,
            "Source": EVENT_SOURCE,
            "DetailType": EVENT_DETAIL_TYPE,
            "Detail": json.dumps({"LabelingJobStatus": status}),
            "Resources": [job.arn],
        }
        outcome.events.extend([event] * (2 if behaviour.duplicate_final_event else 1))
        outcome.changed = True


def _worker_answers(
    run: JobRun, value: Any, metadata: dict[str, Any], when: datetime
) -> list[dict[str, Any]]:
    """One answer per worker, with the fields sms-data-output.html's "Worker Metadata" lists."""
    content = run.maker.answer_content(value, metadata)
    answers = []
    for worker in range(run.workers_per_object):
        worker_id = WORKER_IDS[worker % len(WORKER_IDS)]
        spent = 20.0 + 7 * worker
        answers.append(
            {
                "answerContent": content,
                "submissionTime": _iso_millis(when),
                "acceptanceTime": _iso_millis(when - timedelta(seconds=spent + 2)),
                "timeSpentInSeconds": spent,
                "workerId": worker_id,
                "workerMetadata": {
                    "identityData": {
                        "identityProviderType": "Cognito",
                        "issuer": COGNITO_ISSUER,
                        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, worker_id)),
                    }
                },
            }
        )
    return answers


def _iso_millis(moment: datetime) -> str:
    """YYYY-MM-DDTHH:MM:SS.mmmZ (sms-data-output.html, "Worker Metadata")."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _update_counters(job: models.LabelingJob, run: JobRun) -> None:
    counters = job.counters
    produced = counters.human_labeled + counters.machine_labeled
    counters.total_labeled = run.pre_labeled + produced
    counters.unlabeled = len(run.plan) - produced - counters.failed_non_retryable_error


def _plan_fates(
    seed: str, to_label: list[int], behaviour: JobBehaviour, *, automated: bool, has_initial_model: bool
) -> list[tuple[int, Fate]]:
    """Which objects fail, expire, or get a human or a machine label; reproducible per job."""
    rng = random.Random(seed)
    count = len(to_label)
    failing = set(rng.sample(range(count), round(count * behaviour.object_failure_share)))
    others = [position for position in range(count) if position not in failing]
    expiring = set(rng.sample(others, min(len(others), round(count * behaviour.expire_share))))
    labeled_count = count - len(failing) - len(expiring)
    if not automated:
        human_count = labeled_count
    elif has_initial_model:
        human_count = 0
    else:
        human_count = math.ceil(labeled_count * behaviour.human_validation_share)
    plan: list[tuple[int, Fate]] = []
    labels_planned = 0
    for position, index in enumerate(to_label):
        if position in failing:
            plan.append((index, Fate.FAIL))
        elif position in expiring:
            plan.append((index, Fate.EXPIRE))
        else:
            plan.append((index, Fate.HUMAN if labels_planned < human_count else Fate.MACHINE))
            labels_planned += 1
    return plan


def _human_sample_failure(
    plan: list[tuple[int, Fate]], variants: GroundTruthVariants
) -> tuple[int | None, str]:
    """Where the job fails because of its human sample (None: it does not), and the reason.

    The sample is what the plan sends to humans before the first machine label; its failures are
    the objects planned to fail in it (expired tasks are left to the expired_tasks variant)."""
    fates = [fate for _, fate in plan]
    end = fates.index(Fate.MACHINE) if Fate.MACHINE in fates else len(fates)
    sample = [fate for fate in fates[:end] if fate in (Fate.HUMAN, Fate.FAIL)]
    failed = sample.count(Fate.FAIL)
    if not sample_fails(failed, len(sample)):
        return None, ""
    return end, sample_failure_reason(failed, len(sample), variants.automation_failure_wording)


def _stopping_limits(request: dict[str, Any], *, dataset_size: int | None) -> tuple[int | None, int | None]:
    """(max human labels, max labels of this job) from the request's StoppingConditions."""
    conditions = request.get("StoppingConditions") or {}
    max_human = conditions.get("MaxHumanLabeledObjectCount")
    percentage = conditions.get("MaxPercentageOfInputDatasetLabeled")
    max_labeled = None
    if percentage is not None and dataset_size is not None:
        max_labeled = dataset_size * int(percentage) // 100
    return (int(max_human) if max_human is not None else None), max_labeled


def _label_classes(store: S3Store, request: dict[str, Any]) -> tuple[str, ...]:
    uri = request.get("LabelCategoryConfigS3Uri")
    if not uri:
        return GENERIC_CLASSES
    text = store.read_text(S3Location.parse(uri))
    return GENERIC_CLASSES if text is None else parse_label_categories(text, uri)


def _final_model_arn(job: models.LabelingJob) -> str:
    partition = get_partition(job.region_name)
    return f"arn:{partition}:sagemaker:{job.region_name}:{job.account_id}:model/{job.name.lower()}-al-model"


def _emit(event: dict[str, Any]) -> None:
    backend = events_backends[event["account_id"]][event["region_name"]]
    entry = {key: value for key, value in event.items() if key not in {"account_id", "region_name"}}
    backend.put_events([entry])


_WORKFORCE = Workforce()


def workforce() -> Workforce:
    """The process's workforce."""
    return _WORKFORCE
