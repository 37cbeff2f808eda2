"""What Ground Truth leaves undocumented, as knobs: each plausible variant can be played.

The sandbox does not pick one reading of an undocumented behaviour; gtchain must give the same
end result under every variant (tests/e2e plays the chaining scenarios under each). One frozen
``GroundTruthVariants`` holds them; the workforce keeps a global value and per job-name pattern
overrides (``Workforce.set_variants``), and ``gtchain sandbox up`` reads the global value from
``GTCHAIN_GT_VARIANTS`` (``name=value,name=value``).

Knobs (default first):

* ``final_manifest``: what a Stopped or Failed job leaves at
  ``manifests/output/output.manifest``. sms-data-output.html documents the final output
  manifest ("The ``output`` directory contains the output manifest file for your labeling
  job") and that "the output data file is written to the output location periodically while
  the job is in progress", but not whether a job that did not complete writes the final one.
  ``present``: written, DescribeLabelingJob's ``LabelingJobOutput`` names it; ``absent``: not
  written and no ``LabelingJobOutput``; ``described-missing``: ``LabelingJobOutput`` names a
  file that was never written. In every variant the intermediate manifests, the worker
  responses and the consolidation files stay, as they were written while the job ran.
* ``expired_tasks``: an object whose tasks expired (``TaskAvailabilityLifetimeInSeconds``,
  API_HumanTaskConfig.html) in a Completed job. The docs say only that output appears "when
  ... the task expires" (sms-data-output.html, first paragraph). ``untouched``: the line is
  written as in the input (no label, no metadata), counted in ``LabelCounters.Unlabeled``;
  ``failure-reason``: ``<attribute>-metadata`` carries a ``failure-reason``, counted in
  ``FailedNonRetryableError``.
* ``arn_case``: the job name inside ``LabelingJobArn`` (CreateLabelingJob's answer,
  DescribeLabelingJob, ListLabelingJobs, the state-change event's ``resources``).
  Ground Truth's own output names jobs ``labeling-job/<name>`` in lower case
  (sms-data-output.html, multi-label examples), the ARN's case is not documented.
  ``lower``: lower-cased; ``as-named``: as in ``LabelingJobName``.
* ``manifest_errors``: when the input manifest breaks a documented rule (manifest.py: a line
  over 100,000 characters, an attribute over 20,000, more objects than the task type's quota),
  the docs state the rule but not when it is enforced. ``job-fails``: CreateLabelingJob
  succeeds and the job fails with a ``ClientError`` FailureReason; ``create-refuses``:
  CreateLabelingJob answers ``ValidationException``.
* ``consolidated_metadata``: what a consolidation response's ``content`` holds besides the
  label. sms-custom-templates-step3.html shows ``{"<labelattributename>": ...}`` only and says
  the ``-metadata`` "will be added by Ground Truth"; the built-in consolidation Lambdas' answers
  are not shown. ``included``: ``<attribute>-metadata`` is in the content; ``label-only``: not.
* ``unadjusted_status``: ``adjustment-status`` of a label an adjustment job's worker left as it
  was. sms-data-output.html documents ``adjusted``/``unadjusted`` for bounding box adjustment;
  for video frame and 3D point cloud labels only "set to ``adjusted``" when modified, and its
  image semantic segmentation adjustment example has none. ``absent``: no
  ``adjustment-status``; ``unadjusted``: ``"unadjusted"`` (bounding boxes always say so).
* ``automation_failure_wording``: the FailureReason of a job that breaks a rule of automated
  data labeling (automation.py: under 1,250 objects, more than 10% of the human sample failed).
  sms-automated-labeling.html states the rules, not the texts. ``names-the-rule``: the page's
  numbers in its words; ``paraphrased``: the same facts in other words.
* ``unsupported_automation``: a job with ``LabelingJobAlgorithmsConfig`` on a task type that
  automated data labeling does not support, or with the algorithm of another task type
  (automation.py). sms-automated-labeling.html lists the task types and
  API_LabelingJobAlgorithmsConfig.html the algorithm ARNs, neither what happens otherwise.
  ``create-refuses``: CreateLabelingJob answers ``ValidationException``; ``job-fails``: the job
  fails before any work is sent, with a ``ClientError`` FailureReason (wording:
  ``automation_failure_wording``).
* ``failure_reason``: the FailureReason of a job the workforce fails, as the index of a text
  of the runtime's corpus ``gtchain/sandbox/groundtruth/failure_reasons.jsonl`` (each with its source; entries
  are only appended, so an index keeps its text);
  None keeps the job's ``JobBehaviour.failure_reason``. AWS does not publish its texts.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from gtchain.sandbox.groundtruth.validation.automation import AUTOMATION_WORDINGS

ENV_VARIABLE = "GTCHAIN_GT_VARIANTS"
FAILURE_REASONS_CORPUS = Path(__file__).with_name("failure_reasons.jsonl")

FINAL_MANIFEST_VALUES = ("present", "absent", "described-missing")
EXPIRED_TASKS_VALUES = ("untouched", "failure-reason")
ARN_CASE_VALUES = ("lower", "as-named")
MANIFEST_ERRORS_VALUES = ("job-fails", "create-refuses")
CONSOLIDATED_METADATA_VALUES = ("included", "label-only")
UNADJUSTED_STATUS_VALUES = ("absent", "unadjusted")
AUTOMATION_FAILURE_WORDING_VALUES = AUTOMATION_WORDINGS
UNSUPPORTED_AUTOMATION_VALUES = ("create-refuses", "job-fails")


@cache
def failure_reason_corpus() -> tuple[dict[str, Any], ...]:
    """The runtime's corpus of FailureReason texts, each with its source and expected class."""
    lines = FAILURE_REASONS_CORPUS.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


@dataclass(frozen=True)
class GroundTruthVariants:
    final_manifest: str = "present"
    expired_tasks: str = "untouched"
    arn_case: str = "lower"
    manifest_errors: str = "job-fails"
    consolidated_metadata: str = "included"
    unadjusted_status: str = "absent"
    automation_failure_wording: str = AUTOMATION_WORDINGS[0]
    unsupported_automation: str = "create-refuses"
    failure_reason: int | None = None

    def __post_init__(self) -> None:
        for name, allowed in (
            ("final_manifest", FINAL_MANIFEST_VALUES),
            ("expired_tasks", EXPIRED_TASKS_VALUES),
            ("arn_case", ARN_CASE_VALUES),
            ("manifest_errors", MANIFEST_ERRORS_VALUES),
            ("consolidated_metadata", CONSOLIDATED_METADATA_VALUES),
            ("unadjusted_status", UNADJUSTED_STATUS_VALUES),
            ("automation_failure_wording", AUTOMATION_FAILURE_WORDING_VALUES),
            ("unsupported_automation", UNSUPPORTED_AUTOMATION_VALUES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"GroundTruthVariants.{name} must be one of {', '.join(allowed)}, "
                    f"got {getattr(self, name)!r}"
                )
        count = len(failure_reason_corpus())
        if self.failure_reason is not None and not 0 <= self.failure_reason < count:
            raise ValueError(
                f"GroundTruthVariants.failure_reason must index {FAILURE_REASONS_CORPUS.name} "
                f"(0..{count - 1}), got {self.failure_reason}"
            )

    @property
    def failure_reason_text(self) -> str | None:
        if self.failure_reason is None:
            return None
        return str(failure_reason_corpus()[self.failure_reason]["text"])

    @classmethod
    def parse(cls, text: str) -> GroundTruthVariants:
        """``final_manifest=absent,arn_case=as-named`` (the format of GTCHAIN_GT_VARIANTS)."""
        fields = {field.name for field in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in fields:
                raise ValueError(
                    f"{ENV_VARIABLE}: {item!r} is not <knob>=<value> (knobs: {', '.join(sorted(fields))})"
                )
            values[name] = int(value) if name == "failure_reason" else value.strip()
        return cls(**values)

    @classmethod
    def from_env(cls) -> GroundTruthVariants:
        return cls.parse(os.environ.get(ENV_VARIABLE, ""))


def every_variant() -> dict[str, GroundTruthVariants]:
    """One GroundTruthVariants per non-default value of each knob (failure_reason aside), by a
    short id, plus the defaults: what the e2e tier plays the chaining scenarios under."""
    played = {"default": GroundTruthVariants()}
    knobs: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("final_manifest", FINAL_MANIFEST_VALUES),
        ("expired_tasks", EXPIRED_TASKS_VALUES),
        ("arn_case", ARN_CASE_VALUES),
    )
    for name, values in knobs:
        default = getattr(GroundTruthVariants(), name)
        for value in values:
            if value != default:
                changes: dict[str, Any] = {name: value}
                played[f"{name}={value}"] = GroundTruthVariants(**changes)
    return played


T = TypeVar("T")


def latest_match(registrations: list[tuple[str, T]], job_name: str) -> T | None:
    """The latest registration whose lower-cased fnmatch pattern matches `job_name` (any case)."""
    for pattern, value in reversed(registrations):
        if fnmatch.fnmatchcase(job_name.lower(), pattern):
            return value
    return None


class VariantRegistry:
    """The global variants and per job-name pattern overrides (fnmatch, case-insensitive; the
    latest matching registration wins)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._global = GroundTruthVariants.from_env()
        self._by_pattern: list[tuple[str, GroundTruthVariants]] = []

    def set(self, variants: GroundTruthVariants, pattern: str | None = None) -> None:
        with self._lock:
            if pattern is None:
                self._global = variants
            elif not pattern.strip():
                raise ValueError("set_variants needs a non-empty job-name pattern (or None: global)")
            else:
                self._by_pattern.append((pattern.lower(), variants))

    def for_job(self, job_name: str) -> GroundTruthVariants:
        with self._lock:
            return latest_match(self._by_pattern, job_name) or self._global

    def reset(self) -> None:
        with self._lock:
            self._global = GroundTruthVariants.from_env()
            self._by_pattern.clear()


REGISTRY = VariantRegistry()
