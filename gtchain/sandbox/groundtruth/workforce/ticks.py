"""One tick of one job: what Ground Truth's workforce does to it in that moment.

* Initializing -> InProgress: the job's run is prepared (preparation.py).
* InProgress: label ``pace`` objects (human labels; machine labels with human-annotated "no"
  once automated labeling has its model), fail or expire the planned share, update the
  LabelCounters; Completed when every object was processed.
* Stopping -> Stopped (StopLabelingJob, workers stopping after N labels, or the job's
  StoppingConditions met, run.py).
* Final states write the output layout and queue Ground Truth's state-change event
  (lifecycle/events.py), emitted by the driver once no lock is held.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gtchain.sandbox.groundtruth.lifecycle import models
from gtchain.sandbox.groundtruth.lifecycle.events import StateChangeEvent
from gtchain.sandbox.groundtruth.outputs.labels import Label
from gtchain.sandbox.groundtruth.outputs.manifest import ManifestError, serialize_manifest
from gtchain.sandbox.groundtruth.workforce.answers import worker_answers
from gtchain.sandbox.groundtruth.workforce.behaviour import JobBehaviour
from gtchain.sandbox.groundtruth.workforce.preparation import final_model_arn, prepare
from gtchain.sandbox.groundtruth.workforce.run import Fate, JobRun

# The sandbox's wording (AWS publishes none) for an expired task under expired_tasks=failure-reason.
EXPIRED_TASK_FAILURE_REASON = "ClientError: The task for this data object expired before workers completed it"
_FAIL, _STOP = "fail", "stop"


@dataclass
class StepOutcome:
    """What a step did: whether anything changed, and the events to emit afterwards."""

    changed: bool = False
    events: list[StateChangeEvent] = field(default_factory=list)


@dataclass
class _Batch:
    """One tick's labels of one job, gathered before they are written."""

    now: datetime
    processed: int = 0
    human: int = 0
    machine: int = 0
    failed: int = 0
    touched: list[int] = field(default_factory=list)
    labeled: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    ending: str | None = None  # _FAIL or _STOP once the job must end


def advance(
    job: models.LabelingJob,
    behaviour_for: Callable[[str], JobBehaviour],
    default_pace: int,
    outcome: StepOutcome,
) -> None:
    """Move one active job one step."""
    with models.STATE_LOCK:
        status = job.status
    if job.run is None:
        behaviour = behaviour_for(job.name)
        try:
            run = prepare(job, behaviour)
        except ManifestError as error:
            finish(job, behaviour, models.FAILED, outcome, failure_reason=str(error), write_output=False)
            return
        with models.STATE_LOCK:
            job.run = run
            update_counters(job, run)
            if job.status == models.INITIALIZING:
                job.set_status(models.IN_PROGRESS)
        outcome.changed = True
        return
    run = job.run
    if status == models.STOPPING:
        finish(job, run.behaviour, models.STOPPED, outcome)
    elif status == models.IN_PROGRESS:
        label_batch(job, run, run.behaviour.pace or default_pace, outcome)


def label_batch(job: models.LabelingJob, run: JobRun, pace: int, outcome: StepOutcome) -> None:
    batch = _Batch(models.utcnow())
    while batch.processed < pace and run.position < len(run.plan):
        batch.ending = _ending_before_next(run)
        if batch.ending is not None:
            break
        index, fate = run.plan[run.position]
        run.position += 1
        batch.processed += 1
        _process(job, run, index, fate, batch)
    if batch.ending is None:
        batch.ending = _ending_after_batch(run)
    if batch.processed:
        _write_batch(run, batch)
        outcome.changed = True
    with models.STATE_LOCK:
        job.counters.human_labeled += batch.human
        job.counters.machine_labeled += batch.machine
        job.counters.failed_non_retryable_error += batch.failed
        update_counters(job, run)
        if batch.processed:
            job.last_modified_time = batch.now
    _conclude(job, run, batch, outcome)


def _ending_before_next(run: JobRun) -> str | None:
    """Whether the job ends before its next object: failing, or stopping (workers or conditions)."""
    behaviour = run.behaviour
    if (behaviour.fail_after is not None and run.labeled >= behaviour.fail_after) or run.sample_failed:
        return _FAIL
    if (
        behaviour.stop_after is not None and run.labeled >= behaviour.stop_after
    ) or run.stopping_condition_met:
        return _STOP
    return None


def _ending_after_batch(run: JobRun) -> str | None:
    """The batch's last object ended the job: it ends now, not a tick later."""
    if run.sample_failed:
        return _FAIL
    if not run.finished and run.stopping_condition_met:
        return _STOP
    return None


def _process(job: models.LabelingJob, run: JobRun, index: int, fate: Fate, batch: _Batch) -> None:
    record = run.records[index]
    identity = str(record.get("source-ref", record.get("source")))
    if fate is Fate.EXPIRE and run.variants.expired_tasks == "untouched":
        return
    attribute = run.maker.attribute
    if fate in (Fate.FAIL, Fate.EXPIRE):
        reason = run.behaviour.object_failure_reason if fate is Fate.FAIL else EXPIRED_TASK_FAILURE_REASON
        record.pop(attribute, None)
        record[f"{attribute}-metadata"] = run.maker.failure(reason, when=batch.now)
        batch.touched.append(index)
        batch.failed += 1
        return
    is_human = fate is Fate.HUMAN
    label = run.maker.label(
        identity,
        human=is_human,
        when=batch.now,
        dataset_object_id=str(index),
        frames=run.sequences.get(index, ()),
    )
    for file in label.files:
        run.writer.write_label_file(file)
    record[attribute] = label.value
    record[f"{attribute}-metadata"] = label.metadata
    run.labeled += 1
    batch.touched.append(index)
    batch.labeled.append(index)
    if is_human:
        batch.human += 1
        run.human_labeled += 1
        _record_human_work(run, index, record, label, batch)
    else:
        batch.machine += 1
        if run.model_arn is None:
            run.model_arn = final_model_arn(job)


def _record_human_work(run: JobRun, index: int, record: dict[str, Any], label: Label, batch: _Batch) -> None:
    """The worker responses and the consolidation request/response of a human label."""
    attribute = run.maker.attribute
    content = run.maker.answer_content(label.value, label.metadata)
    answers = worker_answers(content, run.workers_per_object, batch.now)
    run.writer.write_worker_response(str(index), answers, when=batch.now)
    batch.requests.append(
        {
            "datasetObjectId": str(index),
            "dataObject": {"s3Uri": str(record["source-ref"])}
            if "source-ref" in record
            else {"content": str(record.get("source"))},
            "annotations": [
                {
                    "workerId": answer["workerId"],
                    "annotationData": {"content": json.dumps(answer["answerContent"])},
                }
                for answer in answers
            ],
        }
    )
    consolidated: dict[str, Any] = {attribute: label.value}
    if run.variants.consolidated_metadata == "included":
        consolidated[f"{attribute}-metadata"] = label.metadata
    batch.responses.append(
        {"datasetObjectId": str(index), "consolidatedAnnotation": {"content": consolidated}}
    )


def _write_batch(run: JobRun, batch: _Batch) -> None:
    run.batch += 1
    run.writer.write_consolidation(run.batch, batch.requests, batch.responses)
    for index in batch.touched:
        run.lines[index] = serialize_manifest([run.records[index]])
    run.labeled_lines.extend(run.lines[index] for index in batch.labeled)
    run.writer.write_intermediate("".join(run.lines), "".join(run.labeled_lines))


def _conclude(job: models.LabelingJob, run: JobRun, batch: _Batch, outcome: StepOutcome) -> None:
    if batch.ending == _FAIL:
        finish(
            job,
            run.behaviour,
            models.FAILED,
            outcome,
            failure_reason=run.sample_failure_reason
            or run.variants.failure_reason_text
            or run.behaviour.failure_reason,
            write_output=run.behaviour.write_output_on_failure,
        )
    elif batch.ending == _STOP:
        with models.STATE_LOCK:
            if job.status == models.IN_PROGRESS:
                job.set_status(models.STOPPING)
        outcome.changed = True
    elif run.finished:
        finish(job, run.behaviour, models.COMPLETED, outcome)


def finish(
    job: models.LabelingJob,
    behaviour: JobBehaviour,
    status: str,
    outcome: StepOutcome,
    *,
    failure_reason: str | None = None,
    write_output: bool = True,
) -> None:
    """Put the job in a final status, write what such a job writes, queue its event."""
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
    event = StateChangeEvent(job.account_id, job.region_name, job.arn, status)
    outcome.events.extend([event] * (2 if behaviour.duplicate_final_event else 1))
    outcome.changed = True


def update_counters(job: models.LabelingJob, run: JobRun) -> None:
    counters = job.counters
    produced = counters.human_labeled + counters.machine_labeled
    counters.total_labeled = run.pre_labeled + produced
    counters.unlabeled = len(run.plan) - produced - counters.failed_non_retryable_error
