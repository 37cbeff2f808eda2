"""What the e2e tier plays: the demo's scenarios on smaller datasets, the chaining triggers under
each Ground Truth variant that bears on them, and scenarios only the e2e tier plays."""

from __future__ import annotations

import dataclasses
from typing import Any

from gtchain.demo.scenarios import IGNORED, SCENARIOS, Scenario, guard_rail
from gtchain.sandbox.groundtruth import JobBehaviour
from gtchain.sandbox.groundtruth.variants import every_variant

# Scenarios only the e2e tier plays: duplicate delivery of the final event.
DUPLICATE_EVENT = Scenario(
    name="duplicate-event",
    description="The stopped event is delivered twice: exactly one chained job",
    root_job="Streetscenes-Duplicate-Event",
    objects=600,
    behaviour=JobBehaviour(stop_after=200, duplicate_final_event=True),
)


RACE = Scenario(
    name="racing-executions",
    description="Two more executions race the event-driven one for the same stopped job",
    root_job="Streetscenes-Racing",
    objects=600,
    behaviour=JobBehaviour(stop_after=200),
)


# A job of no project of ours: ignored today (its name lacks the prefix), so the runner's
# IGNORED watch is exercised whatever the ownership rule for "StreetscenesV2-" becomes.
ANOTHER_PROJECT = guard_rail(
    "another-project",
    "A stopped job of another project: gtchain leaves it alone",
    "Vineyards-Job1",
    objects=200,
    expected_decision=IGNORED,
)


# The three triggers of a chain, each played under every Ground Truth variant that bears on it
# (gtchain/sandbox/labeling/variants.py) on a small dataset: gtchain must end with the same
# result under all. A failed root job carries a retryable text of the FailureReason corpus.
VARIANT_OBJECTS = 300


VARIANT_SLUGS = {
    "default": "Default",
    "final_manifest=absent": "NoFinal",
    "final_manifest=described-missing": "FinalMissing",
    "expired_tasks=failure-reason": "ExpiredFail",
    "arn_case=as-named": "ArnAsNamed",
}


CORPUS_RETRYABLE_REASON = 2  # "ClientError: The labeling job exceeded the maximum duration of 30 days."


# The default variants are what the demo's own stopped, failed-retryable and expired scenarios
# play; the IAM problem of arn_case=as-named (tests/e2e/test_variants.py) shows on one trigger.
VARIANT_TRIGGERS: dict[str, tuple[JobBehaviour, tuple[str, ...]]] = {
    "stop": (
        JobBehaviour(stop_after=100),
        ("final_manifest=absent", "final_manifest=described-missing", "arn_case=as-named"),
    ),
    "fail": (JobBehaviour(fail_after=100), ("final_manifest=absent", "final_manifest=described-missing")),
    "expire": (JobBehaviour(expire_share=0.15, object_failure_share=0.05), ("expired_tasks=failure-reason",)),
}


def variant_scenarios() -> dict[str, tuple[Scenario, str]]:
    """name -> (scenario, variant id) for every trigger and variant of VARIANT_TRIGGERS."""
    played: dict[str, tuple[Scenario, str]] = {}
    for trigger, (behaviour, variant_ids) in VARIANT_TRIGGERS.items():
        for variant_id in variant_ids:
            variants = every_variant()[variant_id]
            if trigger == "fail":
                variants = dataclasses.replace(variants, failure_reason=CORPUS_RETRYABLE_REASON)
            name = f"{trigger}/{variant_id}"
            played[name] = (
                Scenario(
                    name=name,
                    description=f"{trigger} under the Ground Truth variant {variant_id}",
                    root_job=f"Streetscenes-{trigger.capitalize()}-{VARIANT_SLUGS[variant_id]}",
                    objects=VARIANT_OBJECTS,
                    behaviour=behaviour,
                    variants=variants,
                ),
                variant_id,
            )
    return played


def e2e_scenarios() -> dict[str, Scenario]:
    """The demo's scenarios on smaller datasets (automated labeling keeps >= 1,250 objects);
    the seed itself is played at full size, as the demo does."""
    played = dict(SCENARIOS)
    smaller: dict[str, dict[str, Any]] = {
        "non-al-to-al": {"objects": 1600, "behaviour": JobBehaviour(stop_after=400)},
        "al-to-non-al": {"objects": 1600, "behaviour": JobBehaviour(stop_after=600)},
        "al-to-al": {"objects": 1600, "behaviour": JobBehaviour(stop_after=600)},
        "third-party-to-non-al": {"objects": 800, "pre_labeled": 300},
        "third-party-to-al": {"objects": 1600, "pre_labeled": 300},
        "failed-retryable": {"objects": 800, "behaviour": JobBehaviour(fail_after=300)},
        "expired-and-failed-objects": {"objects": 800},
        "config-failure": {"objects": 200},
        # max_depth + 1 jobs of 100 labels each leave objects unlabeled: the chain must give up.
        "max-depth": {"objects": 1200, "behaviour": JobBehaviour(stop_after=100)},
    }
    for name, changes in smaller.items():
        played[name] = dataclasses.replace(SCENARIOS[name], **changes)
    return {
        **played,
        **{name: scenario for name, (scenario, _) in variant_scenarios().items()},
        DUPLICATE_EVENT.name: DUPLICATE_EVENT,
        RACE.name: RACE,
        ANOTHER_PROJECT.name: ANOTHER_PROJECT,
    }
