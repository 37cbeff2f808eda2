"""The chain's budget: the chain as a whole honours the root job's stopping conditions.

Ground Truth stops a job when any of its StoppingConditions is met
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobStoppingConditions.html);
a chained job gets its own conditions, so without care a chain could label (and pay for) far
more than the person who created the root allowed. Here:

- Budget (human-labeled objects for the whole chain) = the project's `chain_human_label_budget`
  if set, else the root's `MaxHumanLabeledObjectCount`; none if neither.
- Spent = the sum of `LabelCounters.HumanLabeled` over the chain's jobs so far.
- A job whose chain has spent its budget with objects left is a budget stop (GIVE_UP with the
  counts), whether Ground Truth ended it Stopped or Completed: the decision reads the counts,
  not the status. Otherwise the child's `MaxHumanLabeledObjectCount` is what is left.
- `MaxPercentageOfInputDatasetLabeled` of the root is a share of the ROOT dataset that the
  chain as a whole may label: cap = floor(pct / 100 x dataset objects) - objects already labeled.
  It is folded into the child's `MaxHumanLabeledObjectCount` (the smaller cap wins) and the
  percentage itself is dropped from the child request, because Ground Truth does not document
  whether objects that arrive labeled in a chained job's input count toward that job's
  percentage. 100% is no cap. The cap bounds the child's human labels; machine labels of an
  automated child are not bounded by it (Ground Truth has no such condition).
"""

from __future__ import annotations

from dataclasses import dataclass

from gtchain_runtime.domain.labeling_job import MAX_HUMAN_LABELED, MAX_PERCENTAGE, StoppingConditions


@dataclass(frozen=True)
class BudgetCheck:
    # "budget reached (...)" with the counts, when the chain may not label any more.
    stop: str | None
    # The child's StoppingConditions ({} = none); meaningful when stop is None.
    child_stopping_conditions: dict[str, int]
    # One sentence for plan.json and the CHAIN notification.
    note: str | None


def check_budget(
    *,
    chain_budget: int | None,
    root_stopping_conditions: StoppingConditions | None,
    spent: int,
    labeled: int,
    dataset_objects: int,
    remaining: int,
) -> BudgetCheck:
    """The budget stop, or the child's stopping conditions (see the module docstring).

    `labeled` and `dataset_objects` are the finished job's manifest counts: each chained
    manifest carries every object of the root's dataset, so its total is the root's dataset.
    """
    root = root_stopping_conditions or StoppingConditions()
    budget = chain_budget if chain_budget is not None else root.max_human_labeled
    source = "chain_human_label_budget" if chain_budget is not None else f"the root's {MAX_HUMAN_LABELED}"
    percentage = root.max_percentage
    caps: list[int] = []
    notes: list[str] = []

    if budget is not None:
        left = budget - spent
        if left <= 0:
            return _stop(f"{spent} human-labeled objects spent of a budget of {budget} ({source})", remaining)
        caps.append(left)
        notes.append(f"{left} left of a budget of {budget} ({source}; {spent} spent)")

    if percentage is not None and percentage < 100:
        allowed = percentage * dataset_objects // 100
        left = allowed - labeled
        if left <= 0:
            return _stop(
                f"the root's {MAX_PERCENTAGE} of {percentage}% lets the chain label {allowed} of "
                f"{dataset_objects} objects and {labeled} are labeled",
                remaining,
            )
        caps.append(left)
        notes.append(f"{left} left of the root's {percentage}% of {dataset_objects} objects")

    if not caps:
        return BudgetCheck(stop=None, child_stopping_conditions={}, note=None)
    cap = min(caps)
    return BudgetCheck(
        stop=None,
        child_stopping_conditions={MAX_HUMAN_LABELED: cap},
        note=f"Budget: the chained job stops after {cap} human-labeled objects ({'; '.join(notes)})",
    )


def _stop(counts: str, remaining: int) -> BudgetCheck:
    return BudgetCheck(
        stop=f"budget reached: {counts}; {remaining} objects remaining",
        child_stopping_conditions={},
        note=None,
    )
