"""The bookkeeping every fault knob shares: a :class:`Fault` handle and the list it lives in.

The knobs themselves sit beside the service they affect (``<service>/faults.py``) and are
put together in :class:`gtchain.sandbox.faults.Faults`."""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """One knob; ``fired`` counts the requests or invocations it changed."""

    kind: str
    service: str = ""
    operation: str = ""
    error: str = ""
    status: int = 0
    count: int | None = None
    rate: float | None = None
    match: str = ""
    function: str = ""
    job: str = ""
    after: tuple[str, str] = ("", "")
    update: Mapping[str, Any] = field(default_factory=dict)
    seconds: int = 0
    fired: int = 0
    released: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def release(self) -> None:
        """Let the invocations a ``stall`` knob holds go on (and the next ones through)."""
        self.released.set()

    @property
    def spent(self) -> bool:
        return self.count is not None and self.fired >= self.count


def fits(pattern: str, name: str) -> bool:
    """An empty pattern fits every name; else fnmatch, case-insensitive."""
    return not pattern or fnmatch.fnmatch(name.lower(), pattern.lower())


def job_of_event(event: Any) -> str:
    """The labeling job an execution state (or event) is about: the name in ``resources[0]``."""
    if isinstance(event, Mapping):
        resources = event.get("resources") or []
        if resources and isinstance(resources[0], str):
            return resources[0].rsplit("/", 1)[-1]
    return ""


class FaultBook:
    """The armed knobs of a process, under one lock."""

    def __init__(self, seed: int = 11) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._random = random.Random(seed)

    def reset(self) -> None:
        with self._lock:
            for fault in self._faults:
                fault.release()  # no invocation stays held by a forgotten knob
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return [fault for fault in self._faults if not fault.spent]

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def _take(self, kind: str, accept: Callable[[Fault], bool]) -> Fault | None:
        """The first armed knob of ``kind`` that accepts, counted as fired (rate knobs: by chance)."""
        with self._lock:
            for fault in self._faults:
                if fault.kind != kind or fault.spent or not accept(fault):
                    continue
                if fault.rate is not None and self._random.random() >= fault.rate:
                    continue
                fault.fired += 1
                return fault
        return None

    def _armed(self, kind: str, accept: Callable[[Fault], bool]) -> list[Fault]:
        """The armed knobs of ``kind`` that accept, without firing them."""
        with self._lock:
            return [
                fault for fault in self._faults if fault.kind == kind and not fault.spent and accept(fault)
            ]

    def _count_fired(self, fault: Fault) -> None:
        with self._lock:
            fault.fired += 1
