"""The decision: resume a finished job (CHAIN), close its chain (COMPLETE), or stop (GIVE_UP).

Every outcome carries a reason a person can read in a notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gtchain_runtime.domain.failures import FailureCause, classify_failure, read_failure
from gtchain_runtime.domain.labeling_job import FINISHED_STATUSES

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


def _complete(facts: PolicyInput) -> Verdict | None:
    if facts.remaining:
        return None
    return Verdict(
        Decision.COMPLETE,
        f"{facts.job_name} ended {facts.status} with every object labeled ({facts.labeled}); "
        "consolidating the chain",
    )


def _permanent_failure(facts: PolicyInput) -> str | None:
    cause = classify_failure(facts.failure_reason) if facts.status == "Failed" else None
    if cause is None:
        return None
    return (
        f"{facts.job_name} failed for a {cause.kind} problem that a retry cannot fix (failure rule "
        f"'{cause.kind}'): "
        f"{facts.failure_reason!s}. To do: {cause.fix}."
    )


def _opted_out(facts: PolicyInput) -> str | None:
    if not facts.opted_out:
        return None
    return (
        f"{facts.job_name} carries the tag gtchain:resume=false; {facts.remaining} objects are left "
        "unlabeled. To do: remove the tag and resume it with `gtchain job resume`, or chain it by hand."
    )


def _stop_is_final(facts: PolicyInput) -> str | None:
    if facts.status != "Stopped" or facts.resume_stopped:
        return None
    return (
        f"{facts.job_name} was stopped and this project does not resume stopped jobs "
        f"(resume_stopped=false); {facts.remaining} objects are left unlabeled. To do: resume it with "
        "`gtchain job resume` if the stop was not meant to be final."
    )


def _budget_reached(facts: PolicyInput) -> str | None:
    if facts.budget_stop is None:
        return None
    return (
        f"{facts.job_name} ended {facts.status} at the chain's budget, {facts.budget_stop}. A budget "
        "reached is a stop, not a reason to resume. To do: if more labels are worth paying for, raise "
        "chain_human_label_budget in the project config and resume it with `gtchain job resume`."
    )


def _not_the_projects_identity(facts: PolicyInput) -> str | None:
    if not facts.identity_blockers:
        return None
    return (
        f"{facts.job_name} has {facts.remaining} objects left, but gtchain chains only as the project: "
        f"{'; '.join(facts.identity_blockers)}. To do: chain it by hand if that is intended, or change "
        "the project config (labeling_role_arn, workteam_arn, allow_external_workforce)."
    )


def _too_deep(facts: PolicyInput) -> str | None:
    if facts.depth < facts.max_depth:
        return None
    return (
        f"{facts.job_name} is chained job number {facts.depth} and the project allows "
        f"{facts.max_depth}; {facts.remaining} objects are left unlabeled. To do: find why objects keep "
        "failing or expiring (task time limits, workforce availability, data quality), then resume it "
        "by hand."
    )


def _no_progress(facts: PolicyInput) -> str | None:
    if facts.depth < 1 or facts.labeled > facts.input_labeled:
        return None
    return (
        f"{facts.job_name} labeled nothing new (labeled {facts.labeled}, already labeled in its input "
        f"{facts.input_labeled}); resuming again would likely fail the same way. To do: check the "
        "workforce, task time limits and the failed objects, then resume it by hand."
    )


def _cannot_be_created(facts: PolicyInput) -> str | None:
    if not facts.chain_blockers:
        return None
    return (
        f"{facts.job_name} has {facts.remaining} objects left, but the chained job cannot be created: "
        f"{'; '.join(facts.chain_blockers)}. To do: fix the parent job's settings, then resume it with "
        "`gtchain job resume`."
    )


# The reasons to give up, in the order they are checked: the first that applies is the one a
# person reads (docs/architecture.md, "Guard rails").
_GIVE_UP_RULES = (
    _permanent_failure,
    _opted_out,
    _stop_is_final,
    _budget_reached,
    _not_the_projects_identity,
    _too_deep,
    _no_progress,
    _cannot_be_created,
)

_WHY_CHAIN = {
    "Completed": "completed with objects left unlabeled (expired tasks or failed objects)",
    "Stopped": "was stopped before labeling every object",
    "Failed": "failed for a reason a retry may fix",
}


def decide(facts: PolicyInput) -> Verdict:
    """COMPLETE when nothing is left; else the first reason to give up; else CHAIN."""
    if facts.status not in FINISHED_STATUSES:
        raise ValueError(f"job {facts.job_name} is {facts.status}; only finished jobs can be decided")
    complete = _complete(facts)
    if complete is not None:
        return complete
    for rule in _GIVE_UP_RULES:
        reason = rule(facts)
        if reason is not None:
            return Verdict(Decision.GIVE_UP, reason)
    why = _WHY_CHAIN[facts.status]
    if facts.status == "Failed":
        # The rule that read the reason as retryable, so a person can check the decision.
        failure_rule = read_failure(facts.failure_reason).rule
        why += f" ({facts.failure_reason or 'no reason given'}; failure rule '{failure_rule}')"
    return Verdict(
        Decision.CHAIN,
        f"{facts.job_name} {why}; chaining a job for the {facts.remaining} remaining objects "
        f"and keeping the {facts.labeled} labels already paid for",
    )
