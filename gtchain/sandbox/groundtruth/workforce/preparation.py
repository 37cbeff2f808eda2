"""A job's first tick: read its input as Ground Truth does and plan the work (a ``JobRun``).

Initializing -> InProgress: read the input manifest (and the label categories) from moto's S3,
skip objects that already carry the label attribute, refuse what Ground Truth refuses once the
job runs (validation/job_rules.py), and plan the rest (run.py).
"""

from __future__ import annotations

from typing import Any

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
from gtchain.sandbox.groundtruth.outputs.writer import (
    OutputWriter,
    S3Location,
    S3Store,
    read_input_manifest,
    read_sequences,
)
from gtchain.sandbox.groundtruth.validation.job_rules import automation_problem, input_manifest_problem
from gtchain.sandbox.groundtruth.variants import REGISTRY
from gtchain.sandbox.groundtruth.workforce.behaviour import JobBehaviour
from gtchain.sandbox.groundtruth.workforce.run import (
    JobRun,
    human_sample_failure,
    plan_fates,
    stopping_limits,
)


def prepare(job: models.LabelingJob, behaviour: JobBehaviour) -> JobRun:
    """The job's run; raises ManifestError (the job's FailureReason) when its input is refused."""
    request = job.request
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
        workers_per_object=int(request["HumanTaskConfig"].get("NumberOfHumanWorkersPerDataObject", 1)),
    )
    s3_source = request["InputConfig"]["DataSource"].get("S3DataSource")
    if s3_source is None:
        # A streaming job (SNS data source) waits for objects until it is stopped.
        run = JobRun(behaviour, [], [], maker, writer, pre_labeled=0, automated=False, streaming=True)
        run.max_human_labeled = stopping_limits(request, dataset_size=None)[0]
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
    plan = plan_fates(
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
    run.max_human_labeled, run.max_labeled = stopping_limits(request, dataset_size=len(records))
    if automated and initial_model:
        # A pre-trained model lets machine labeling start at once; the job trains a new one.
        run.model_arn = final_model_arn(job)
    elif automated:
        run.sample_failure_at, run.sample_failure_reason = human_sample_failure(plan, variants)
    return run


def _label_classes(store: S3Store, request: dict[str, Any]) -> tuple[str, ...]:
    uri = request.get("LabelCategoryConfigS3Uri")
    if not uri:
        return GENERIC_CLASSES
    text = store.read_text(S3Location.parse(uri))
    return GENERIC_CLASSES if text is None else parse_label_categories(text, uri)


def final_model_arn(job: models.LabelingJob) -> str:
    """The ARN of the model automated labeling trains (FinalActiveLearningModelArn)."""
    partition = get_partition(job.region_name)
    return f"arn:{partition}:sagemaker:{job.region_name}:{job.account_id}:model/{job.name.lower()}-al-model"
