"""The decision: resume a finished job (CHAIN), close its chain (COMPLETE), or stop (GIVE_UP).

Every outcome carries a reason a person can read in a notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gtchain_runtime.domain.failures import FailureCause, classify_failure
from gtchain_runtime.domain.labeling_jobs import FINISHED_STATUSES

__all__ = ["Decision", "FailureCause", "PolicyInput", "Verdict", "classify_failure", "decide"]


class Decision(StrEnum):
    CHAIN = "CHAIN"
    COMPLETE = "COMPLETE"
    GIVE_UP = "GIVE_UP"


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str


@dataclass(frozen=True)
class PolicyInput:
    """What the decision depends on, taken from the inspection, the manifest diff and the settings."""

    job_name: str
    status: str
    failure_reason: str | None
    depth: int
    max_depth: int
    resume_stopped: bool
    opted_out: bool
    remaining: int
    labeled: int
    input_labeled: int
    # Why a chained job cannot be created at all (the request cannot be built from the parent,
    # a guard rail): the policy gives up naming each, instead of deciding CHAIN to be overruled.
    chain_blockers: tuple[str, ...] = ()
    # Identity guard rails (domain.guards): a role, work team or Lambda the project did not name.
    identity_blockers: tuple[str, ...] = ()
    # The chain's budget is spent (domain.budget): "budget reached: ..." with the counts.
    budget_stop: str | None = None


def decide(facts: PolicyInput) -> Verdict:
    """Apply the chaining rules in order; the first that applies wins."""
    if facts.status not in FINISHED_STATUSES:
        raise ValueError(f"job {facts.job_name} is {facts.status}; only finished jobs can be decided")
    name = facts.job_name

    if facts.remaining == 0:
        return Verdict(
            Decision.COMPLETE,
            f"{name} ended {facts.status} with every object labeled ({facts.labeled}); "
            "consolidating the chain",
        )
    if facts.status == "Failed":
        cause = classify_failure(facts.failure_reason)
        if cause is not None:
            return Verdict(
                Decision.GIVE_UP,
                f"{name} failed for a {cause.kind} problem that a retry cannot fix: "
                f"{facts.failure_reason!s}. To do: {cause.fix}.",
            )
    if facts.opted_out:
        return Verdict(
            Decision.GIVE_UP,
            f"{name} carries the tag gtchain:resume=false; {facts.remaining} objects are left unlabeled. "
            "To do: remove the tag and resume it with `gtchain job resume`, or chain it by hand.",
        )
    if facts.status == "Stopped" and not facts.resume_stopped:
        return Verdict(
            Decision.GIVE_UP,
            f"{name} was stopped and this project does not resume stopped jobs (resume_stopped=false); "
            f"{facts.remaining} objects are left unlabeled. To do: resume it with `gtchain job resume` "
            "if the stop was not meant to be final.",
        )
    if facts.budget_stop is not None:
        return Verdict(
            Decision.GIVE_UP,
            f"{name} ended {facts.status} at the chain's budget, {facts.budget_stop}. A budget reached "
            "is a stop, not a reason to resume. To do: if more labels are worth paying for, raise "
            "chain_human_label_budget in the project config and resume it with `gtchain job resume`.",
        )
    if facts.identity_blockers:
        return Verdict(
            Decision.GIVE_UP,
            f"{name} has {facts.remaining} objects left, but gtchain chains only as the project: "
            f"{'; '.join(facts.identity_blockers)}. To do: chain it by hand if that is intended, or "
            "change the project config (labeling_role_arn, workteam_arn, allow_external_workforce).",
        )
    if facts.depth >= facts.max_depth:
        return Verdict(
            Decision.GIVE_UP,
            f"{name} is chained job number {facts.depth} and the project allows {facts.max_depth}; "
            f"{facts.remaining} objects are left unlabeled. To do: find why objects keep failing or "
            "expiring (task time limits, workforce availability, data quality), then resume it by hand.",
        )
    if facts.depth >= 1 and facts.labeled <= facts.input_labeled:
        return Verdict(
            Decision.GIVE_UP,
            f"{name} labeled nothing new (labeled {facts.labeled}, already labeled in its input "
            f"{facts.input_labeled}); resuming again would likely fail the same way. To do: check the "
            "workforce, task time limits and the failed objects, then resume it by hand.",
        )
    if facts.chain_blockers:
        return Verdict(
            Decision.GIVE_UP,
            f"{name} has {facts.remaining} objects left, but the chained job cannot be created: "
            f"{'; '.join(facts.chain_blockers)}. To do: fix the parent job's settings, then resume it "
            "with `gtchain job resume`.",
        )
    why = {
        "Completed": "completed with objects left unlabeled (expired tasks or failed objects)",
        "Stopped": "was stopped before labeling every object",
        "Failed": f"failed for a reason a retry may fix ({facts.failure_reason or 'no reason given'})",
    }[facts.status]
    return Verdict(
        Decision.CHAIN,
        f"{name} {why}; chaining a job for the {facts.remaining} remaining objects "
        f"and keeping the {facts.labeled} labels already paid for",
    )
