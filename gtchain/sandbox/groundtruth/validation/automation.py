"""The rules automated data labeling enforces on a job, from
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-automated-labeling.html:

* "Automated data labeling is available only for the following Ground Truth built-in task types:
  Image classification (Single label), Semantic segmentation, Bounding box, Text
  classification", each with its own algorithm: LabelingJobAlgorithmSpecificationArn "You must
  select one of the following ARNs" (image-classification, text-classification,
  object-detection, semantic-segmentation;
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobAlgorithmsConfig.html).
  Neither page says what the service answers otherwise: the unsupported_automation variant
  (variants.py) refuses it at CreateLabelingJob or fails the job before any work is sent.

* "The minimum number of objects allowed for automated data labeling is 1,250": a job with
  ``LabelingJobAlgorithmsConfig`` and a smaller input manifest fails before any work is sent
  (or CreateLabelingJob refuses it, under the manifest_errors variant: the page states the rule,
  not when it is enforced).
* "When Ground Truth starts an automated data labeling job, it selects a random sample of input
  data objects and sends them to human workers. If more than 10% of these data objects fail, the
  labeling job will fail." The sample is the objects humans label before machine labels start
  (workforce/run.py plans it); the job fails once the sample is done.

The page gives no FailureReason text, so the wording is the automation_failure_wording variant
(variants.py): ``names-the-rule`` quotes the page's numbers, ``paraphrased`` says the same in
other words. Either way a FailureReason is a ``ClientError`` (a problem of the request, as the
page's advice "check that your input data is displaying correctly in the worker UI" implies).
"""

from __future__ import annotations

AUTOMATION_MIN_OBJECTS = 1250
# The built-in task types of the page (PRE-<TaskType>, lower-cased, as labels.built_in_task_type
# reads them) to the algorithm each needs. "Text classification" is read as single label like
# the image one: the multi-label task types are separate built-in types
# (TextMultiClassMultiLabel) and the page names neither.
ALGORITHM_BY_TASK_TYPE = {
    "imagemulticlass": "image-classification",
    "boundingbox": "object-detection",
    "semanticsegmentation": "semantic-segmentation",
    "textmulticlass": "text-classification",
}
SUPPORTED_TASKS_TEXT = (
    "image classification (single label), semantic segmentation, bounding box and text classification"
)
MAX_SAMPLE_FAILURE_PERCENT = 10

_MINIMUM_WORDING = {
    "names-the-rule": (
        "ClientError: The input manifest has {count} data objects. Automated data labeling "
        "requires a minimum of 1,250 data objects."
    ),
    "paraphrased": (
        "ClientError: Not enough data for automated labeling: at least 1250 objects are needed, the "
        "dataset has {count}."
    ),
}
_SAMPLE_WORDING = {
    "names-the-rule": (
        "ClientError: More than 10% of the data objects sent to human workers failed "
        "({failed} of {sample}); automated data labeling cannot continue."
    ),
    "paraphrased": (
        "ClientError: The human-labeled sample for automated labeling had too many failed tasks: "
        "{failed} of {sample}, over 10 percent."
    ),
}
_TASK_TYPE_WORDING = {
    "names-the-rule": (
        "ClientError: Automated data labeling is not available for task type {task}. It is available "
        f"only for the built-in task types {SUPPORTED_TASKS_TEXT}."
    ),
    "paraphrased": "ClientError: Task type {task} does not support auto-labeling.",
}
_ALGORITHM_WORDING = {
    "names-the-rule": (
        "ClientError: Automated data labeling is not available for task type {task} with algorithm "
        "{algorithm}: LabelingJobAlgorithmSpecificationArn must name the {needed} algorithm."
    ),
    "paraphrased": "ClientError: Auto-labeling algorithm {algorithm} does not support task type {task}.",
}
AUTOMATION_WORDINGS = tuple(_MINIMUM_WORDING)


def below_minimum_reason(count: int, wording: str) -> str:
    return _MINIMUM_WORDING[wording].format(count=count)


def sample_failure_reason(failed: int, sample: int, wording: str) -> str:
    return _SAMPLE_WORDING[wording].format(failed=failed, sample=sample)


def sample_fails(failed: int, sample: int) -> bool:
    """More than 10% of the human sample failed (exactly 10% does not fail the job)."""
    return sample > 0 and failed * 100 > sample * MAX_SAMPLE_FAILURE_PERCENT


def unsupported_automation_reason(task_type: str | None, algorithm_arn: str, wording: str) -> str | None:
    """Why a job asking for automated labeling (LabelingJobAlgorithmSpecificationArn
    `algorithm_arn`) cannot have it on `task_type` (labels.built_in_task_type; None: a custom
    task), or None when the pair is supported."""
    task = task_type or "custom"
    needed = ALGORITHM_BY_TASK_TYPE.get(task)
    if needed is None:
        return _TASK_TYPE_WORDING[wording].format(task=task)
    algorithm = algorithm_arn.rsplit("/", 1)[-1]
    if algorithm != needed:
        return _ALGORITHM_WORDING[wording].format(task=task, algorithm=algorithm, needed=needed)
    return None
