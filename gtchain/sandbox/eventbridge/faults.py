"""Fault knob of EventBridge: events that never arrive.

``lose_events(job)``: EventBridge never receives Ground Truth's state-change events of the
jobs whose name matches (fnmatch, case-insensitive): only the sweep can find them. AWS
delivers events "at least once" but a rule can still miss one (a disabled rule, a throttled
target: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); the knob
drops them in ``PutEvents`` (:mod:`.patches`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gtchain.sandbox.fault_book import Fault, FaultBook, fits


class EventFaults(FaultBook):
    def lose_events(self, job: str) -> Fault:
        return self._add(Fault("lose-events", job=job))

    def event_lost(self, entry: Mapping[str, Any]) -> bool:
        names = [str(arn).rsplit("/", 1)[-1] for arn in entry.get("Resources") or []]
        for name in names:

            def accept(fault: Fault, name: str = name) -> bool:
                return fits(fault.job, name)

            if self._take("lose-events", accept) is not None:
                return True
        return False
