"""Notification texts: what happened, in plain words, with counts and S3 locations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _counts_line(counts: Mapping[str, Any]) -> str:
    order = ("total", "labeled", "human_labeled", "machine_labeled", "failed", "remaining", "rejected")
    parts = [f"{key.replace('_', ' ')} {counts[key]}" for key in order if key in counts]
    return "Objects: " + ", ".join(parts) + "." if parts else ""


def _lines(*lines: str | None) -> str:
    return "\n".join(line for line in lines if line) + "\n"


def _cost_block(cost_lines: Sequence[str]) -> str | None:
    """Labels and money per job and for the chain (domain.cost.cost_lines)."""
    if not cost_lines:
        return None
    return "Labels and cost (worker pay):\n" + "\n".join(f"  {line}" for line in cost_lines)


@dataclass(frozen=True)
class Decided:
    """What every decision's notification says: whose job, why, its counts and its cost."""

    project: str
    job: str
    reason: str
    counts: Mapping[str, Any]
    cost_lines: Sequence[str] = ()

    def message(
        self, subject: str, headline: str, *details: str | None, closing: Sequence[str | None] = ()
    ) -> Message:
        """What happened, why, the object counts, the details, the cost, then the closing lines."""
        why = f"Why: {self.reason.rstrip('.')}."
        body = _lines(
            headline, why, _counts_line(self.counts), *details, _cost_block(self.cost_lines), *closing
        )
        return Message(subject=f"[gtchain {self.project}] {subject}", body=body)


def chain_started(
    decided: Decided,
    *,
    child: str,
    chained_manifest_uri: str | None,
    mode_reason: str | None,
    workforce_note: str | None = None,
    budget_note: str | None = None,
) -> Message:
    parent = decided.job
    return decided.message(
        f"{parent} resumed as {child}",
        f"Labeling job {parent} was resumed: gtchain created the chained job {child}.",
        f"Labeling mode: {mode_reason}." if mode_reason else None,
        f"{workforce_note}." if workforce_note else None,
        f"{budget_note}." if budget_note else None,
        closing=(
            f"Chained input manifest: {chained_manifest_uri}" if chained_manifest_uri else None,
            "Nothing to do: you will hear from gtchain again when the chained job ends.",
        ),
    )


def chain_completed(
    decided: Decided, *, root: str, final_manifest_uri: str | None, report_uri: str | None
) -> Message:
    return decided.message(
        f"chain {root} complete",
        f"The labeling chain that started with {root} is complete (last job: {decided.job}).",
        closing=(
            f"Consolidated output manifest: {final_manifest_uri}" if final_manifest_uri else None,
            f"Report: {report_uri}" if report_uri else None,
        ),
    )


def gave_up(decided: Decided, *, plan_uri: str | None) -> Message:
    job = decided.job
    return decided.message(
        f"{job} needs a person: not resumed",
        f"gtchain did not resume labeling job {job}.",
        closing=(
            f"Plan with the counts: {plan_uri}" if plan_uri else None,
            "Once fixed, resume it with: gtchain job resume " + job,
        ),
    )


def execution_failed(
    *, project: str, job: str, error: str, cause: str, attempts: int, max_attempts: int
) -> Message:
    retry = (
        f"The hourly sweep will try again ({attempts} of {max_attempts} attempts used)."
        if attempts < max_attempts
        else f"gtchain gave up after {attempts} failed attempts: fix the cause, then run "
        f"`gtchain job resume {job}`."
    )
    return Message(
        subject=f"[gtchain {project}] resuming {job} failed",
        body=_lines(
            f"gtchain could not finish handling labeling job {job}.",
            f"Error: {error}",
            f"Cause: {cause[:2000]}" if cause else None,
            retry,
        ),
    )
