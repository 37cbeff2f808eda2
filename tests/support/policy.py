"""The facts of an ordinary finished root job, as the chaining policy reads them; tests vary them
with dataclasses.replace."""

from __future__ import annotations

from gtchain_runtime.domain.policy import PolicyInput

POLICY_BASE = PolicyInput(
    job_name="Streetscenes-Job1",
    status="Completed",
    failure_reason=None,
    depth=0,
    max_depth=5,
    resume_stopped=True,
    opted_out=False,
    remaining=10,
    labeled=90,
    input_labeled=0,
)
