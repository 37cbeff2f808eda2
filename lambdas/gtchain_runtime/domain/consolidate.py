"""Consolidation of a finished chain: one final manifest and a report for every job's output.

Each job of a chain received the previous job's labels, so the latest job that labeled an
object holds its final line. One line is one object: a key on several lines of a job's
manifest names several objects, and the n-th line of a key in one job is the n-th line of that
key in the next (a chained manifest keeps each key's lines in order). An object never labeled
keeps its latest line (with a failed label removed, as in a chained manifest). Objects are
written in first-appearance order across the chain (root first). A conflict is an object whose
label value differs between two jobs that both report it labeled: the latest job wins and the
conflict is listed.
Consolidation runs once per chain on at most a few hundred thousand objects, so it keeps a
small record per object in memory (unlike the planner, which must handle millions of lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from gtchain_runtime.domain.manifest.lines import (
    MAX_LINE_CHARS,
    ManifestError,
    dumps_line,
    json_loader,
    object_key,
    parse_record,
    parse_slow,
    record_problem,
    strip_bom,
    validate_label_attribute,
    without_label,
)
from gtchain_runtime.domain.manifest.status import (
    LABELED_STATUSES,
    UNLABELED,
    LabelTotals,
    classify,
    new_tally,
    tally_of,
    tally_totals,
)

MAX_CONFLICTS_LISTED = 100


@dataclass
class JobCounts:
    job: str
    lines: int = 0
    objects: int = 0
    labeled: int = 0
    human: int = 0
    machine: int = 0
    failed: int = 0
    unlabeled: int = 0
    # Labels this job produced (not labeled by any earlier job of the chain).
    new_labels: int = 0
    # Objects that arrived labeled from the previous job, so workers never saw them again.
    carried_labels: int = 0
    # Objects whose key an earlier line of this job's manifest carries (each its own object).
    repeated_keys: int = 0
    rejected: int = 0

    def set_totals(self, totals: LabelTotals) -> None:
        self.labeled, self.human, self.machine = totals.labeled, totals.human, totals.machine
        self.failed, self.unlabeled = totals.failed, totals.unlabeled


@dataclass(frozen=True)
class Conflict:
    object: str
    first_job: str
    first_label: Any
    later_job: str
    later_label: Any


@dataclass
class ChainReport:
    jobs: list[JobCounts]
    total: int = 0
    labeled: int = 0
    human_labeled: int = 0
    machine_labeled: int = 0
    failed: int = 0
    unlabeled: int = 0
    never_resent: int = 0
    conflict_count: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def set_totals(self, totals: LabelTotals) -> None:
        self.labeled, self.human_labeled, self.machine_labeled = totals.labeled, totals.human, totals.machine
        self.failed, self.unlabeled = totals.failed, totals.unlabeled

    def to_dict(self) -> dict[str, Any]:
        return {
            "jobs": [vars(job).copy() for job in self.jobs],
            "totals": {
                "total": self.total,
                "labeled": self.labeled,
                "human_labeled": self.human_labeled,
                "machine_labeled": self.machine_labeled,
                "failed": self.failed,
                "unlabeled": self.unlabeled,
            },
            "never_resent": self.never_resent,
            "conflict_count": self.conflict_count,
            "conflicts": [vars(conflict).copy() for conflict in self.conflicts],
        }


@dataclass
class _Latest:
    """What the chain knows about one object so far."""

    job: int  # index of the job whose line is final so far
    offset: int
    status: int
    label: Any = None  # the label value, when labeled
    label_job: int = -1  # the job that last labeled it


def consolidate_chain(  # noqa: C901, PLR0915 - one pass over every line of every job; a call per line costs (see the module docstring)
    job_outputs: Sequence[tuple[str, BinaryIO]],
    label_attribute: str,
    final_out: BinaryIO,
    rejects_out: BinaryIO,
) -> ChainReport:
    """Write the chain's final manifest (one line per object) and return the report.

    ``job_outputs``: (job name, seekable output manifest) in chain order, root first.
    Bad lines go to ``rejects_out`` with the job name as "file".
    """
    validate_label_attribute(label_attribute)
    if not job_outputs:
        raise ManifestError("no job output to consolidate")
    metadata_attribute = f"{label_attribute}-metadata"
    loads = json_loader()
    # By (key, occurrence of the key in its job's manifest); insertion order = first appearance.
    latest: dict[tuple[str, int], _Latest] = {}
    report = ChainReport(jobs=[])
    conflicts = 0

    for job_index, (job_name, stream) in enumerate(job_outputs):
        counts = JobCounts(job=job_name)
        report.jobs.append(counts)
        seen_in_job: dict[str, int] = {}  # key -> its lines so far in this job
        tally = new_tally()
        offset = 0
        stream.seek(0)
        for raw in stream:
            line_offset = offset
            offset += len(raw)
            counts.lines += 1
            record = _parse(raw, counts.lines == 1, loads)
            if isinstance(record, str):
                counts.rejected += 1
                rejects_out.write(dumps_line({"file": job_name, "line": counts.lines, "reason": record}))
                continue
            if record is None:
                continue
            object_id = object_key(record)
            occurrence = seen_in_job.get(object_id, 0)
            seen_in_job[object_id] = occurrence + 1
            counts.repeated_keys += occurrence > 0
            key = (object_id, occurrence)
            counts.objects += 1
            status = classify(record, label_attribute, metadata_attribute)
            tally[status] += 1
            state = latest.get(key)
            if status in LABELED_STATUSES:
                label = record.get(label_attribute)
                if state is not None and state.status in LABELED_STATUSES:
                    counts.carried_labels += 1  # labeled by an earlier job: not sent again
                    if state.label != label:
                        conflicts += 1
                        if len(report.conflicts) < MAX_CONFLICTS_LISTED:
                            report.conflicts.append(
                                Conflict(
                                    object=_object_name(object_id, occurrence),
                                    first_job=job_outputs[state.label_job][0],
                                    first_label=state.label,
                                    later_job=job_name,
                                    later_label=label,
                                )
                            )
                else:
                    counts.new_labels += 1
                latest[key] = _Latest(job_index, line_offset, status, label, job_index)
            elif state is None or state.status not in LABELED_STATUSES:
                latest[key] = _Latest(job_index, line_offset, status)
            # else: an earlier label survives a later unlabeled or failed line.
        counts.set_totals(tally_totals(tally))
    report.conflict_count = conflicts
    _write_final(
        job_outputs,
        latest,
        attribute=label_attribute,
        metadata_attribute=metadata_attribute,
        final_out=final_out,
    )
    report.set_totals(tally_totals(tally_of(state.status for state in latest.values())))
    report.total = len(latest)
    report.never_resent = sum(job.carried_labels for job in report.jobs)
    return report


def _object_name(object_id: str, occurrence: int) -> str:
    """The object as a person finds it: its key, and which of the key's lines when it repeats."""
    return object_id[2:] if not occurrence else f"{object_id[2:]} (line {occurrence + 1} of this key)"


def _parse(raw: bytes, first_line: bool, loads: Any) -> dict[str, Any] | str | None:
    """A valid record, a reject reason (str), or None for a blank line."""
    if first_line:
        raw = strip_bom(raw)
    if not raw.strip():
        return None
    try:
        record = loads(raw)
    except ValueError:
        parsed, reason = parse_slow(raw)
        return parsed if parsed is not None else reason
    problem = record_problem(record)
    if problem is None and len(raw.rstrip(b"\r\n")) > MAX_LINE_CHARS:
        _, problem = parse_slow(raw)  # counts characters, not bytes
    return problem if problem is not None else record


def _write_final(
    job_outputs: Sequence[tuple[str, BinaryIO]],
    latest: dict[tuple[str, int], _Latest],
    *,
    attribute: str,
    metadata_attribute: str,
    final_out: BinaryIO,
) -> None:
    for state in latest.values():
        stream = job_outputs[state.job][1]
        stream.seek(state.offset)
        raw = stream.readline()
        if state.offset == 0:
            raw = strip_bom(raw)
        if state.status in LABELED_STATUSES or state.status == UNLABELED:
            final_out.write(raw if raw.endswith(b"\n") else raw + b"\n")
            continue
        record = parse_record(raw)  # accepted when it was read the first time
        final_out.write(without_label(record, attribute, metadata_attribute))
