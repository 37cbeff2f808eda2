"""The simulated Ground Truth workforce: its knobs, and the thread that advances the jobs.

One ``Workforce`` per process (``workforce()``). Each step moves every active job of every
moto account and region one tick (ticks.py), as Ground Truth would. Ticks run in a daemon
thread (``start()``/``stop()``) or on demand (``step()``, ``run_until_idle()``) for
deterministic tests. Knobs (behaviour.py) are registered per job-name pattern (``configure()``)
and read when a job starts (its first tick).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from gtchain.sandbox.groundtruth.lifecycle import models
from gtchain.sandbox.groundtruth.lifecycle.events import emit
from gtchain.sandbox.groundtruth.variants import REGISTRY, GroundTruthVariants, latest_match
from gtchain.sandbox.groundtruth.workforce.behaviour import JobBehaviour
from gtchain.sandbox.groundtruth.workforce.ticks import StepOutcome, advance

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSnapshot:
    """A job's progress for display: labeled counts TotalLabeled (pre-labeled included)."""

    name: str
    arn: str
    status: str
    labeled: int
    human_labeled: int
    machine_labeled: int
    failed: int
    unlabeled: int
    total: int | None


class Workforce:
    def __init__(self, default_pace: int = 100, tick_seconds: float = 0.2) -> None:
        self.default_pace = default_pace
        self.tick_seconds = tick_seconds
        self._behaviours: list[tuple[str, JobBehaviour]] = []
        self._config_lock = threading.Lock()
        self._step_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()

    # -- configuration -------------------------------------------------------------------

    def set_variants(self, variants: GroundTruthVariants, pattern: str | None = None) -> None:
        """Play `variants` (variants.py) for every job (pattern None) or for jobs whose name
        matches `pattern` (fnmatch, case-insensitive; the latest match wins). Read when a job
        is created (arn_case) and on its first tick (the others)."""
        REGISTRY.set(variants, pattern)

    def variants_for(self, job_name: str) -> GroundTruthVariants:
        return REGISTRY.for_job(job_name)

    def configure(self, pattern: str, behaviour: JobBehaviour) -> None:
        """Apply `behaviour` to jobs whose name matches `pattern` (fnmatch, case-insensitive).

        The latest matching registration wins; it is read on the job's first tick.
        """
        if not pattern.strip():
            raise ValueError("Workforce.configure needs a non-empty job-name pattern")
        with self._config_lock:
            self._behaviours.append((pattern.lower(), behaviour))

    def behaviour_for(self, job_name: str) -> JobBehaviour:
        with self._config_lock:
            return latest_match(self._behaviours, job_name) or JobBehaviour()

    def reset(self) -> None:
        """Forget every knob (jobs themselves live in moto and go with moto's reset)."""
        with self._config_lock:
            self._behaviours.clear()
        REGISTRY.reset()

    # -- driving -------------------------------------------------------------------------

    def start(self, tick_seconds: float | None = None) -> None:
        """Advance jobs in a daemon thread every `tick_seconds` (idempotent)."""
        if tick_seconds is not None:
            if tick_seconds <= 0:
                raise ValueError(f"tick_seconds must be positive, got {tick_seconds}")
            self.tick_seconds = tick_seconds
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._tick_forever, name="gtchain-workforce", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.tick_seconds * 5))
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _tick_forever(self) -> None:
        while not self._stop_event.wait(self.tick_seconds):
            try:
                self.step()
            except Exception:  # keep the workforce alive; the error is in the log
                LOGGER.exception("labeling workforce tick failed")

    def step(self) -> bool:
        """Advance every active job by one tick. True when anything changed."""
        with self._step_lock:
            outcome = StepOutcome()
            for job in models.all_jobs():
                if job.is_active:
                    advance(job, self.behaviour_for, self.default_pace, outcome)
        # Emitted without any lock held: delivering the event may start an execution that
        # calls DescribeLabelingJob from another thread.
        for event in outcome.events:
            emit(event)
        return outcome.changed

    def run_until_idle(self, timeout: float = 30.0) -> int:
        """Step until a step changes nothing; returns the number of steps that did."""
        deadline = time.monotonic() + timeout
        steps = 0
        while self.step():
            steps += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"labeling jobs still advancing after {timeout} s ({steps} steps)")
        return steps

    def snapshot(self) -> list[JobSnapshot]:
        snapshots = []
        for job in sorted(models.all_jobs(), key=lambda job: (job.creation_time, job.name)):
            with models.STATE_LOCK:
                counters = job.counters
                snapshots.append(
                    JobSnapshot(
                        name=job.name,
                        arn=job.arn,
                        status=job.status,
                        labeled=counters.total_labeled,
                        human_labeled=counters.human_labeled,
                        machine_labeled=counters.machine_labeled,
                        failed=counters.failed_non_retryable_error,
                        unlabeled=counters.unlabeled,
                        total=len(job.run.records) if job.run is not None else None,
                    )
                )
        return snapshots


_WORKFORCE = Workforce()


def workforce() -> Workforce:
    """The process's workforce."""
    return _WORKFORCE
